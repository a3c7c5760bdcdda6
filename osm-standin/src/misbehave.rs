//! The network scenarios: what a connection does instead of (or while)
//! answering properly. Every behaviour ends by itself: when the client
//! closes, when the stand-in is dropped (it shuts the socket down, and the
//! loops here check its stop flag), or after a bounded time or size.

use std::io::{self, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::connection::{close_gracefully, Transport, READ_TIMEOUT};
use crate::data::{ENDLESS_DECLARED_LENGTH, ENDLESS_MAX_BYTES, TRICKLE_INTERVAL_MILLIS};
use crate::http::{Response, JSON};
use crate::{request_id, Shared};

/// How often a waiting loop looks at the stop flag and its deadline.
const POLL: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub(crate) enum Misbehaviour {
    /// No answer; hold the connection (reading and dropping whatever
    /// arrives) until the client closes, the stand-in stops, or this long;
    /// then close.
    Hang(Duration),
    /// The whole response (with `Connection: close`), one byte per
    /// [`TRICKLE_INTERVAL_MILLIS`], each flushed; then close.
    Trickle(Response),
    /// The response's head with its true `Content-Length`, then hold like
    /// `Hang` for [`crate::data::HANG_MAX_SECS`], then close.
    HeadThenStall(Response),
    /// The head announcing `content_length`, the first `body_bytes` of the
    /// body, then a clean close.
    HeadThenClose {
        response: Response,
        content_length: u64,
        body_bytes: usize,
    },
    /// No answer; a TCP reset.
    Reset,
    /// No answer; a clean close.
    CloseWithoutAnswer,
    /// `200`, JSON, `Content-Length` [`ENDLESS_DECLARED_LENGTH`], then `[0,0,…`
    /// until the client goes away or [`ENDLESS_MAX_BYTES`] are sent; then close.
    EndlessBody,
}

/// Does `what` on `stream`, then closes it (by dropping it).
pub(crate) fn perform<S: Transport>(mut stream: S, what: Misbehaviour, shared: &Shared) {
    match what {
        Misbehaviour::Hang(max) => {
            hold(&mut stream, shared, max);
            stream.close_notify();
        }
        Misbehaviour::Trickle(response) => {
            let bytes = response.to_bytes(&request_id::next(), true);
            let interval = Duration::from_millis(TRICKLE_INTERVAL_MILLIS);
            if trickle(&mut stream, &|| shared.is_stopping(), &bytes, interval) {
                close_gracefully(&mut stream);
            }
        }
        Misbehaviour::HeadThenStall(response) => {
            let length = response.body.len() as u64;
            let head = response.head(&request_id::next(), false, Some(length));
            if write_flush(&mut stream, head.as_bytes()) {
                hold(
                    &mut stream,
                    shared,
                    Duration::from_secs(crate::data::HANG_MAX_SECS),
                );
                stream.close_notify();
            }
        }
        Misbehaviour::HeadThenClose {
            response,
            content_length,
            body_bytes,
        } => {
            let mut bytes = response
                .head(&request_id::next(), false, Some(content_length))
                .into_bytes();
            bytes.extend_from_slice(&response.body[..body_bytes.min(response.body.len())]);
            if write_flush(&mut stream, &bytes) {
                close_gracefully(&mut stream);
            }
        }
        Misbehaviour::Reset => {
            // No close_notify: the connection just dies.
            let _ = set_linger_zero(stream.tcp());
        }
        Misbehaviour::CloseWithoutAnswer => close_gracefully(&mut stream),
        Misbehaviour::EndlessBody => {
            if endless_body(&mut stream, shared) {
                close_gracefully(&mut stream);
            }
        }
    }
}

fn write_flush(stream: &mut impl Write, bytes: &[u8]) -> bool {
    stream.write_all(bytes).is_ok() && stream.flush().is_ok()
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Reads and drops input until the client closes (or errs), the stand-in
/// stops, or `max` passed.
fn hold<S: Transport>(stream: &mut S, shared: &Shared, max: Duration) {
    let deadline = Instant::now() + max;
    let mut sink = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || shared.is_stopping() {
            break;
        }
        let _ = stream.tcp().set_read_timeout(Some(left.min(POLL)));
        match stream.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {}
            Err(_) => break,
        }
    }
    let _ = stream.tcp().set_read_timeout(Some(READ_TIMEOUT));
}

/// Sends `bytes` one at a time, `interval` apart, each flushed; `false` if
/// the client went away or the stand-in stopped first.
fn trickle(
    stream: &mut impl Write,
    stopping: &dyn Fn() -> bool,
    bytes: &[u8],
    interval: Duration,
) -> bool {
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            let next = Instant::now() + interval;
            loop {
                let left = next.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                if stopping() {
                    return false;
                }
                thread::sleep(left.min(POLL));
            }
        }
        if stopping() || !write_flush(stream, std::slice::from_ref(byte)) {
            return false;
        }
    }
    true
}

/// The `endless-body` response; `true` if it reached [`ENDLESS_MAX_BYTES`]
/// with the client still there.
fn endless_body(stream: &mut impl Write, shared: &Shared) -> bool {
    let head = Response::new(200, JSON, Vec::new()).head(
        &request_id::next(),
        false,
        Some(ENDLESS_DECLARED_LENGTH),
    );
    if stream.write_all(head.as_bytes()).is_err() || stream.write_all(b"[").is_err() {
        return false;
    }
    let filler = "0,".repeat(32 * 1024).into_bytes();
    let mut sent = 1u64;
    while sent < ENDLESS_MAX_BYTES {
        if shared.is_stopping() {
            return false;
        }
        let n = usize::try_from(ENDLESS_MAX_BYTES - sent)
            .map_or(filler.len(), |left| left.min(filler.len()));
        // The write timeout bounds a client that neither reads nor closes.
        if stream.write_all(&filler[..n]).is_err() {
            return false;
        }
        sent += n as u64;
    }
    stream.flush().is_ok()
}

/// Makes closing the socket send RST instead of FIN.
#[cfg(unix)]
fn set_linger_zero(stream: &TcpStream) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor (borrowed from `stream`), and a
    // pointer to a `linger` that outlives the call, with its exact size.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Elsewhere the connection just closes (FIN): std cannot set `SO_LINGER`.
#[cfg(not(unix))]
fn set_linger_zero(_stream: &TcpStream) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records each write separately, and counts flushes.
    #[derive(Default)]
    struct Recorder {
        writes: Vec<Vec<u8>>,
        flushes: usize,
    }

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.writes.push(buf.to_vec());
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            self.flushes += 1;
            Ok(())
        }
    }

    #[test]
    fn trickle_writes_the_whole_response_a_byte_at_a_time() {
        let response = Response::error(200, "X", "y").to_bytes("id", true);
        let mut out = Recorder::default();
        assert!(trickle(
            &mut out,
            &|| false,
            &response,
            Duration::from_millis(1)
        ));
        assert_eq!(out.writes.len(), response.len());
        assert!(out.writes.iter().all(|w| w.len() == 1));
        assert_eq!(out.writes.concat(), response);
        assert_eq!(out.flushes, response.len());
        assert!(response.ends_with(b"\"error_msg\":\"y\"}"));
    }

    #[test]
    fn trickle_stops_when_told() {
        let mut out = Recorder::default();
        assert!(!trickle(
            &mut out,
            &|| true,
            b"abc",
            Duration::from_millis(1)
        ));
        assert!(out.writes.is_empty());
    }
}
