//! TCP connections for the client's pool, cheaper per call than ureq's own.
//!
//! A pooled connection must be checked before it carries another request.
//! ureq's TCP transport does that by switching the socket to non-blocking,
//! trying a read and switching back: three system calls per check, where
//! the request and response themselves take two. The benchmark showed them
//! as the largest cost left per call.
//!
//! Here one `recv(MSG_PEEK | MSG_DONTWAIT)` answers the question: nothing
//! waiting means open; bytes, end of stream or an error mean the connection
//! must not be reused. It is asked as the connection goes back into the
//! pool, outside the pool's lock. Taken out again within
//! [`RECENTLY_CHECKED`], the connection counts as open on that answer: a
//! server that closes idle connections does so after seconds, not within a
//! millisecond, and a close sent right behind a response has arrived by the
//! time that response was read and checked. Taken out later, it is checked
//! again, so a connection that died while idle is dropped, not used.
//!
//! Everything else matches ureq's transport: timeouts set on the socket only
//! when they change, and reads interrupted by a signal retried within the
//! time left.
//!
//! This uses ureq's `unversioned` transport API, which may change in a minor
//! release: Cargo.toml pins ureq to 3.5.x for that reason.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
};
use ureq::{Error, Timeout};

/// Opens plain TCP connections when no earlier connector in the chain (a
/// `CONNECT` proxy) has made one.
#[derive(Debug, Default)]
pub(crate) struct TcpConnector;

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, TcpTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        if let Some(transport) = chained {
            return Ok(Some(Either::A(transport)));
        }
        let stream = connect_any(&details.addrs, details.timeout)?;
        if details.config.no_delay() {
            stream.set_nodelay(true)?;
        }
        let config = details.config;
        Ok(Some(Either::B(TcpTransport {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            read_timeout: None,
            write_timeout: None,
            just_used: true,
            found_open_at: None,
        })))
    }
}

/// Tries each address in turn. Each gets an equal share of the time left,
/// so an address that refuses at once leaves its share to the next ones.
fn connect_any(addrs: &[SocketAddr], timeout: NextTimeout) -> Result<TcpStream, Error> {
    let started = Instant::now();
    let budget = timeout.not_zero().map(|t| *t);
    let mut last_error = None;
    for (i, addr) in addrs.iter().enumerate() {
        let result = match budget {
            None => TcpStream::connect(addr),
            Some(budget) => {
                let left = budget.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                // Never zero: `connect_timeout` refuses a zero duration.
                let share = (left / (addrs.len() - i) as u32).max(MIN_SHARE.min(left));
                TcpStream::connect_timeout(addr, share)
            }
        };
        match result {
            Ok(stream) => return Ok(stream),
            // Named after what ran out: the whole budget (whose reason may be
            // the call's deadline rather than the connect timeout) or this
            // address's share of it.
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                let spent = budget.is_some_and(|b| {
                    b.saturating_sub(started.elapsed()) < std::time::Duration::from_millis(1)
                });
                last_error = Some(Error::Timeout(if spent {
                    timeout.reason
                } else {
                    Timeout::Connect
                }))
            }
            Err(e) => last_error = Some(Error::Io(e)),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        if addrs.is_empty() {
            Error::Io(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                "no address to connect to",
            ))
        } else {
            Error::Timeout(timeout.reason)
        }
    }))
}

/// How long a connection found open as it went back into the pool counts as
/// open when it is taken out again (see the module's comment).
const RECENTLY_CHECKED: std::time::Duration = std::time::Duration::from_millis(1);

/// The least time an address is given, so that many addresses do not each
/// get too little to connect at all.
const MIN_SHARE: std::time::Duration = std::time::Duration::from_millis(10);

pub(crate) struct TcpTransport {
    stream: TcpStream,
    buffers: LazyBuffers,
    /// What the socket is set to, so that it is only set when that changes.
    read_timeout: Option<std::time::Duration>,
    write_timeout: Option<std::time::Duration>,
    /// I/O happened since the last liveness check: the next check is the
    /// pool's as the connection goes back in (see the module's comment).
    just_used: bool,
    /// When a check last found the connection open.
    found_open_at: Option<Instant>,
}

impl std::fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpTransport")
            .field("peer", &self.stream.peer_addr().ok())
            .finish()
    }
}

/// An expired budget fails before any I/O: a socket timeout cannot be zero.
fn check(timeout: NextTimeout) -> Result<NextTimeout, Error> {
    if timeout.after.is_zero() {
        Err(Error::Timeout(timeout.reason))
    } else {
        Ok(timeout)
    }
}

/// Sets a socket timeout only when it differs from what is set: a system
/// call saved on nearly every read and write.
fn set_if_changed(
    current: &mut Option<std::time::Duration>,
    wanted: Option<std::time::Duration>,
    set: impl FnOnce(Option<std::time::Duration>) -> io::Result<()>,
) -> io::Result<()> {
    if wanted != *current {
        set(wanted)?;
        *current = wanted;
    }
    Ok(())
}

/// A timed-out socket operation becomes the timeout that applied to it.
fn io_error(e: io::Error, timeout: &NextTimeout) -> Error {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::Timeout(timeout.reason),
        _ => Error::Io(e),
    }
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.just_used = true;
        let timeout = check(timeout.for_write())?;
        set_if_changed(
            &mut self.write_timeout,
            timeout.not_zero().map(|t| *t),
            |t| self.stream.set_write_timeout(t),
        )?;
        // `write_all` retries writes interrupted by a signal itself.
        (&self.stream)
            .write_all(&self.buffers.output()[..amount])
            .map_err(|e| io_error(e, &timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.just_used = true;
        let timeout = check(timeout.for_read())?;
        let wanted = timeout.not_zero().map(|t| *t);
        set_if_changed(&mut self.read_timeout, wanted, |t| {
            self.stream.set_read_timeout(t)
        })?;
        let started = Instant::now();
        let amount = loop {
            match (&self.stream).read(self.buffers.input_append_buf()) {
                // Linux does not restart a socket read with a timeout after a
                // signal: retry it with what is left of the timeout.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    let Some(wanted) = wanted else {
                        return Err(Error::Io(e));
                    };
                    let left = wanted.saturating_sub(started.elapsed());
                    if left.is_zero() {
                        return Err(Error::Timeout(timeout.reason));
                    }
                    self.stream.set_read_timeout(Some(left))?;
                    self.read_timeout = Some(left);
                }
                result => break result.map_err(|e| io_error(e, &timeout))?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        let going_back = std::mem::take(&mut self.just_used);
        if !going_back
            && self
                .found_open_at
                .is_some_and(|at| at.elapsed() < RECENTLY_CHECKED)
        {
            // Taken out of the pool a moment after it was checked going in.
            return true;
        }
        let open = nothing_waiting(&self.stream);
        self.found_open_at = open.then(Instant::now);
        open
    }
}

/// Whether a connection between requests is still usable: the peer has
/// neither closed it nor sent anything (which would be bytes no request
/// asked for). One system call, and the socket stays blocking.
#[cfg(unix)]
fn nothing_waiting(stream: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut byte = 0u8;
    // SAFETY: a valid socket descriptor and a one-byte buffer that outlives the call.
    let n = unsafe {
        libc::recv(
            stream.as_raw_fd(),
            (&mut byte as *mut u8).cast(),
            1,
            libc::MSG_PEEK | libc::MSG_DONTWAIT,
        )
    };
    n < 0 && {
        let e = io::Error::last_os_error();
        e.kind() == io::ErrorKind::WouldBlock
    }
}

/// Elsewhere, ureq's way: a non-blocking peek, then blocking again.
#[cfg(not(unix))]
fn nothing_waiting(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let open = matches!(stream.peek(&mut [0u8]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).is_ok() && open
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::time::Duration;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn an_idle_connection_is_open_and_stays_blocking() {
        let (client, mut server) = pair();
        assert!(nothing_waiting(&client));
        assert!(nothing_waiting(&client), "the probe consumed nothing");
        // Still blocking: a read waits for the server's bytes.
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 2];
            (&client).read_exact(&mut buf).map(|_| buf)
        });
        std::thread::sleep(Duration::from_millis(50));
        server.write_all(b"ok").unwrap();
        assert_eq!(&reader.join().unwrap().unwrap(), b"ok");
    }

    #[test]
    fn unasked_bytes_or_a_close_mean_not_reusable() {
        let (client, mut server) = pair();
        server.write_all(b"x").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert!(!nothing_waiting(&client));
        let mut byte = [0u8];
        (&client).read_exact(&mut byte).unwrap();
        assert_eq!(&byte, b"x", "the probe only peeked");

        let (client, server) = pair();
        drop(server);
        std::thread::sleep(Duration::from_millis(50));
        assert!(!nothing_waiting(&client));
    }

    fn transport(stream: TcpStream) -> TcpTransport {
        TcpTransport {
            stream,
            buffers: LazyBuffers::new(1024, 1024),
            read_timeout: None,
            write_timeout: None,
            just_used: true,
            found_open_at: None,
        }
    }

    #[test]
    fn checked_going_into_the_pool_and_again_only_when_taken_out_later() {
        // Going back in after use: checked, and found open.
        let (client, server) = pair();
        let mut t = transport(client);
        assert!(t.is_open());
        // The server closes it while it sits in the pool.
        drop(server);
        std::thread::sleep(Duration::from_millis(20));
        // Taken out 20 ms later, well past RECENTLY_CHECKED: checked again.
        assert!(!t.is_open());

        // Going back in with stray bytes waiting: not reusable.
        let (client, mut server) = pair();
        server.write_all(b"x").unwrap();
        std::thread::sleep(Duration::from_millis(20));
        assert!(!transport(client).is_open());

        // Taken out at once after a check that found it open: that answer
        // stands, with no second check (the window the module's comment
        // explains); the next use and return check again.
        let (client, server) = pair();
        let mut t = transport(client);
        assert!(t.is_open());
        drop(server);
        std::thread::sleep(Duration::from_millis(20));
        t.found_open_at = Some(Instant::now());
        assert!(t.is_open());
        t.just_used = true;
        assert!(!t.is_open());
    }

    /// A listener whose accept queue is full (backlog 0, one connection
    /// waiting): Linux drops further SYNs, so connecting to it hangs.
    #[cfg(target_os = "linux")]
    fn unanswering_address() -> (TcpListener, TcpStream, SocketAddr) {
        use std::os::fd::FromRawFd;
        // SAFETY: a fresh socket set up with plain libc calls; its descriptor
        // is handed to the TcpListener, which owns and closes it.
        let listener = unsafe {
            let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
            assert!(fd >= 0);
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            addr.sin_family = libc::AF_INET as libc::sa_family_t;
            addr.sin_addr.s_addr = u32::from_be_bytes([127, 0, 0, 1]).to_be();
            let size = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            assert_eq!(
                libc::bind(fd, (&addr as *const libc::sockaddr_in).cast(), size),
                0
            );
            assert_eq!(libc::listen(fd, 0), 0);
            TcpListener::from_raw_fd(fd)
        };
        let addr = listener.local_addr().unwrap();
        let waiting = TcpStream::connect(addr).unwrap();
        (listener, waiting, addr)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_connect_timeout_is_named_after_what_ran_out() {
        let (_listener, _waiting, hangs) = unanswering_address();
        let budget = |reason| NextTimeout {
            after: Duration::from_millis(200).into(),
            reason,
            ..NextTimeout::default()
        };
        // The whole budget spent: its own reason (the call's deadline here).
        assert!(matches!(
            connect_any(&[hangs], budget(Timeout::Global)),
            Err(Error::Timeout(Timeout::Global))
        ));
        assert!(matches!(
            connect_any(&[hangs], budget(Timeout::Connect)),
            Err(Error::Timeout(Timeout::Connect))
        ));
        // Half of it on the first address, the rest on a second that
        // answers: connected, within the budget.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let open = listener.local_addr().unwrap();
        let started = Instant::now();
        let stream = connect_any(&[hangs, open], budget(Timeout::Global)).unwrap();
        assert_eq!(stream.peer_addr().unwrap(), open);
        assert!(started.elapsed() >= Duration::from_millis(90));
    }

    #[test]
    fn addresses_are_tried_in_turn() {
        // A port nothing listens on (bound, then released) refuses at once;
        // the next address is tried and connects.
        let refused = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let open = listener.local_addr().unwrap();
        let timeout = NextTimeout {
            after: Duration::from_secs(5).into(),
            reason: Timeout::Connect,
            ..NextTimeout::default()
        };
        let stream = connect_any(&[refused, open], timeout).unwrap();
        assert_eq!(stream.peer_addr().unwrap(), open);

        match connect_any(&[refused], timeout) {
            Err(Error::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused),
            other => panic!("{other:?}"),
        }
        match connect_any(&[], timeout) {
            Err(Error::Io(e)) => assert_eq!(e.kind(), io::ErrorKind::AddrNotAvailable),
            other => panic!("{other:?}"),
        }
    }
}
