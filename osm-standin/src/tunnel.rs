//! A proxy's `CONNECT` tunnel, to this machine only (the router refuses
//! other hosts before anything here runs): bytes are copied both ways
//! between the client and `127.0.0.1:<port>` until both sides are done.
//!
//! Bounded: a tunnel ends when either side closes or fails, when the
//! stand-in stops, or after [`IDLE_MAX`] without a byte in either direction.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::connection::{close_gracefully, Socket, WRITE_TIMEOUT};
use crate::http::Response;
use crate::{request_id, Shared};

/// A tunnel with no traffic for this long is closed.
const IDLE_MAX: Duration = Duration::from_secs(60);
/// How often a pump waiting for input looks at the stop flag and idle time.
const POLL: Duration = Duration::from_millis(100);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// State the two directions share.
struct Tunnel<'a> {
    shared: &'a Shared,
    started: Instant,
    /// Milliseconds after `started` of the last byte copied either way.
    last_activity_ms: AtomicU64,
    /// Set when one direction failed: the other gives up too.
    broken: AtomicBool,
}

impl Tunnel<'_> {
    fn touch(&self) {
        let now = self.started.elapsed().as_millis() as u64;
        self.last_activity_ms.store(now, Ordering::SeqCst);
    }

    fn idle_too_long(&self) -> bool {
        let last = Duration::from_millis(self.last_activity_ms.load(Ordering::SeqCst));
        self.started.elapsed().saturating_sub(last) > IDLE_MAX
    }

    /// Copies `from` → `to` until `from` ends (then passes the half-close
    /// on) or anything fails (then shuts both sockets down, which also ends
    /// the other direction).
    fn pump(&self, mut from: &TcpStream, mut to: &TcpStream) {
        let _ = from.set_read_timeout(Some(POLL));
        let _ = to.set_write_timeout(Some(WRITE_TIMEOUT));
        let mut buf = [0u8; 16 * 1024];
        let failed = loop {
            if self.broken.load(Ordering::SeqCst) || self.shared.is_stopping() {
                break true;
            }
            match from.read(&mut buf) {
                Ok(0) => break false,
                Ok(n) => {
                    self.touch();
                    if to.write_all(&buf[..n]).is_err() {
                        break true;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    if self.idle_too_long() {
                        break true;
                    }
                }
                Err(_) => break true,
            }
        };
        if failed {
            self.broken.store(true, Ordering::SeqCst);
            let _ = from.shutdown(Shutdown::Both);
            let _ = to.shutdown(Shutdown::Both);
        } else {
            let _ = to.shutdown(Shutdown::Write);
        }
    }
}

/// Connects to `127.0.0.1:port`, answers the `CONNECT`, forwards `pending`
/// (bytes the client sent right after its request) and copies both ways.
/// Answers 502 if the port refuses.
pub(crate) fn run(mut client: Socket, pending: Vec<u8>, port: u16, shared: &Shared) {
    let target = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut upstream) = TcpStream::connect_timeout(&target, CONNECT_TIMEOUT) else {
        let response = Response::error(
            502,
            "STANDIN.0003",
            "the CONNECT target refused the connection",
        );
        if response
            .write_to(&mut client, &request_id::next(), true)
            .is_ok()
        {
            close_gracefully(&mut client);
        }
        return;
    };
    let _ = upstream.set_nodelay(true);
    // Counted before answering, so a client that has the answer sees the count.
    shared.connect_tunnels.fetch_add(1, Ordering::SeqCst);
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
        || upstream.write_all(&pending).is_err()
    {
        return;
    }

    let client: &TcpStream = &client.0;
    let tunnel = Tunnel {
        shared,
        started: Instant::now(),
        last_activity_ms: AtomicU64::new(0),
        broken: AtomicBool::new(false),
    };
    thread::scope(|scope| {
        let spawned = thread::Builder::new()
            .name("osm-standin-tunnel".to_owned())
            .spawn_scoped(scope, || tunnel.pump(client, &upstream));
        if spawned.is_err() {
            return;
        }
        tunnel.pump(&upstream, client);
    });
}
