//! One connection to a host (directly, through a tunnel, or to an HTTP
//! proxy), as the pool keeps it between requests, and its byte stream for
//! one request with the call's deadline and the stall timeout applied.

use std::time::Duration;

use ureq::unversioned::transport::{NextTimeout, Transport};
use ureq::Timeout;
use zeroize::Zeroize;

use crate::deadline::Deadline;
use crate::error::Error;
use crate::http1::Wire;
use crate::net_error::NetErrors;

pub(crate) struct Connection {
    transport: Box<dyn Transport>,
    /// Whom it reaches: the target's scheme and authority as written. A
    /// client routes a target the same way each time (its proxies are fixed
    /// at creation), so these identify the route too.
    https: bool,
    authority: Box<str>,
    /// The request head, written here for each request: reused, not reallocated.
    pub head: Vec<u8>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("https", &self.https)
            .field("authority", &self.authority)
            .finish()
    }
}

impl Connection {
    pub fn new(transport: Box<dyn Transport>, https: bool, authority: &str) -> Self {
        Connection {
            transport,
            https,
            authority: authority.into(),
            head: Vec::new(),
        }
    }

    pub fn reaches(&self, https: bool, authority: &str) -> bool {
        self.https == https && *self.authority == *authority
    }

    /// Whether it can carry another request (see `tcp_transport` for how
    /// that is told cheaply).
    pub fn is_open(&mut self) -> bool {
        self.transport.is_open()
    }

    /// Sends the request written into `head`, then wipes it: it holds credentials.
    pub fn send_head(&mut self, io: Io<'_>) -> Result<(), Error> {
        let mut wire = TimedWire {
            transport: &mut *self.transport,
            io,
        };
        let sent = wire.send(&self.head);
        self.head.as_mut_slice().zeroize();
        sent
    }

    pub fn wire<'a>(&'a mut self, io: Io<'a>) -> TimedWire<'a> {
        TimedWire {
            transport: &mut *self.transport,
            io,
        }
    }
}

/// What bounds a request's reads and writes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Io<'a> {
    pub deadline: Deadline,
    /// The longest wait for the next bytes either way.
    pub stall: Duration,
    pub errors: &'a NetErrors,
}

/// A connection's stream for one request.
pub(crate) struct TimedWire<'a> {
    transport: &'a mut dyn Transport,
    io: Io<'a>,
}

impl TimedWire<'_> {
    /// The time left of the call, with the stall timeout for each read or
    /// write (the transport applies the shorter and names it).
    fn timeout(&self) -> Result<NextTimeout, Error> {
        let left = self.io.deadline.remaining()?;
        Ok(NextTimeout {
            after: left.into(),
            reason: Timeout::Global,
            per_read: Some(self.io.stall.into()),
            per_write: Some(self.io.stall.into()),
        })
    }

    fn failed(&self, e: ureq::Error) -> Error {
        self.io.errors.classify(e, self.io.deadline)
    }
}

impl Wire for TimedWire<'_> {
    fn send(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        while !bytes.is_empty() {
            let timeout = self.timeout()?;
            let out = self.transport.buffers().output();
            let n = out.len().min(bytes.len());
            out[..n].copy_from_slice(&bytes[..n]);
            let sent = self.transport.transmit_output(n, timeout);
            // What is sent may hold credentials: not left in the buffer.
            self.transport.buffers().output()[..n].zeroize();
            sent.map_err(|e| self.failed(e))?;
            bytes = &bytes[n..];
        }
        Ok(())
    }

    fn fill(&mut self) -> Result<bool, Error> {
        let timeout = self.timeout()?;
        self.transport
            .await_input(timeout)
            .map_err(|e| self.failed(e))
    }

    fn buffered(&mut self) -> &[u8] {
        self.transport.buffers().input()
    }

    fn consume(&mut self, amount: usize) {
        self.transport.buffers().input_consume(amount);
    }
}
