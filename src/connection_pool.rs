//! Idle kept-alive connections of one client, shared by its threads.
//!
//! The lock is held only to take a connection out or put one in: checking
//! that a connection is still open, and dropping (closing) one, happen
//! outside it. The most recently used matching connection is taken first,
//! so a quiet client's connections age out while a busy one's stay warm.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::connection::Connection;

/// Idle connections kept per client: one per busy thread, so that many
/// threads sharing a client do not churn connections.
const MAX_IDLE: usize = 32;

/// An idle connection older than this is closed rather than reused: servers
/// drop idle connections after a while, and a request sent into one as it
/// closes fails.
const MAX_IDLE_AGE: Duration = Duration::from_secs(15);

struct Idle {
    connection: Connection,
    since: Instant,
}

#[derive(Default)]
pub(crate) struct ConnectionPool {
    /// Oldest first.
    idle: Mutex<Vec<Idle>>,
}

impl ConnectionPool {
    fn idle(&self) -> MutexGuard<'_, Vec<Idle>> {
        // Nothing panics under the lock; if something did, the list is still sound.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// An open idle connection to the target, if there is one.
    pub fn take(&self, https: bool, authority: &str) -> Option<Connection> {
        loop {
            let idle = {
                let mut idle = self.idle();
                let i = idle
                    .iter()
                    .rposition(|c| c.connection.reaches(https, authority))?;
                idle.remove(i)
            };
            let mut connection = idle.connection;
            if idle.since.elapsed() < MAX_IDLE_AGE && connection.is_open() {
                return Some(connection);
            }
        }
    }

    /// Keeps a connection that finished a request, if it is still open.
    pub fn put(&self, mut connection: Connection) {
        if !connection.is_open() {
            return;
        }
        let evicted = {
            let mut idle = self.idle();
            let evicted = (idle.len() >= MAX_IDLE).then(|| idle.remove(0));
            idle.push(Idle {
                connection,
                since: Instant::now(),
            });
            evicted
        };
        // Closed outside the lock.
        drop(evicted);
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;

    use ureq::http::{header::HOST, HeaderValue, Uri};

    use super::*;
    use crate::connection::Io;
    use crate::deadline::Deadline;
    use crate::dialer::Dialer;
    use crate::http1::{self, Limits};
    use crate::net_error::NetErrors;

    const ERRORS: NetErrors = NetErrors {
        connect_timeout_ms: 5000,
        stall_timeout_ms: 5000,
    };

    /// A server on one connection: it answers `answers` requests, then
    /// waits for word to close the connection (without saying so first).
    fn server(answers: usize) -> (String, mpsc::Sender<()>, std::thread::JoinHandle<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let authority = listener.local_addr().unwrap().to_string();
        let (close, closing) = mpsc::channel::<()>();
        let handle = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            for _ in 0..answers {
                let mut buf = [0u8; 4096];
                let n = socket.read(&mut buf).unwrap();
                assert!(buf[..n].ends_with(b"\r\n\r\n"));
                socket
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .unwrap();
            }
            let _ = closing.recv();
            // Further connections would be counted as accepted here.
            listener.set_nonblocking(true).unwrap();
            1 + listener.incoming().take_while(|c| c.is_ok()).count()
        });
        (authority, close, handle)
    }

    /// One GET on a pooled connection or a new one, back into the pool after.
    fn get(pool: &ConnectionPool, dialer: &Dialer, authority: &str) -> Vec<u8> {
        let deadline = Deadline::after(Duration::from_secs(5));
        let io = Io {
            deadline,
            stall: Duration::from_secs(5),
            errors: &ERRORS,
        };
        let mut connection = pool.take(false, authority).unwrap_or_else(|| {
            let uri: Uri = format!("http://{authority}/").parse().unwrap();
            let transport = dialer.dial(&uri, None, deadline, &ERRORS).unwrap();
            Connection::new(transport, false, authority)
        });
        let host = [(HOST, HeaderValue::from_str(authority).unwrap())];
        http1::write_request(&mut connection.head, "GET", "/", &host, None);
        connection.send_head(io).unwrap();
        let limits = Limits {
            max_header_bytes: 4096,
            max_body_bytes: 1024,
        };
        let (response, reusable) = http1::read_response(&mut connection.wire(io), limits).unwrap();
        assert!(reusable);
        pool.put(connection);
        response.body
    }

    fn dialer() -> Dialer {
        Dialer::new(Default::default(), 4096, Duration::from_secs(5))
    }

    #[test]
    fn connections_are_reused() {
        let (authority, close, server) = server(3);
        let (pool, dialer) = (ConnectionPool::default(), dialer());
        for _ in 0..3 {
            assert_eq!(get(&pool, &dialer, &authority), b"ok");
        }
        close.send(()).unwrap();
        assert_eq!(
            server.join().unwrap(),
            1,
            "one connection for three requests"
        );
    }

    #[test]
    fn a_connection_closed_while_idle_is_not_reused() {
        let (authority, close, server) = server(1);
        let (pool, dialer) = (ConnectionPool::default(), dialer());
        assert_eq!(get(&pool, &dialer, &authority), b"ok");
        // Pooled while open; then the server closes it.
        close.send(()).unwrap();
        assert_eq!(server.join().unwrap(), 1);
        std::thread::sleep(Duration::from_millis(50));
        assert!(pool.take(false, &authority).is_none());
        assert!(pool.idle().is_empty(), "dropped, not put back");
    }

    #[test]
    fn only_so_many_idle_connections_are_kept_and_each_for_its_host() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let authority = listener.local_addr().unwrap().to_string();
        let uri: Uri = format!("http://{authority}/").parse().unwrap();
        let (pool, dialer) = (ConnectionPool::default(), dialer());
        let deadline = Deadline::after(Duration::from_secs(5));
        // The kernel completes these connections without an accept().
        for _ in 0..MAX_IDLE + 3 {
            let transport = dialer.dial(&uri, None, deadline, &ERRORS).unwrap();
            pool.put(Connection::new(transport, false, &authority));
        }
        assert_eq!(pool.idle().len(), MAX_IDLE);
        assert!(pool.take(true, &authority).is_none(), "not for https");
        assert!(
            pool.take(false, "127.0.0.1:1").is_none(),
            "not for another host"
        );
        assert!(pool.take(false, &authority).is_some());
        assert_eq!(pool.idle().len(), MAX_IDLE - 1);
    }
}
