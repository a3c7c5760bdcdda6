//! One client connection: read requests one after another (keep-alive,
//! pipelining), answer each, and decide when to close. The same code serves
//! plain TCP and TLS (see [`Transport`]).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::http::{self, Response};
use crate::router::{self, Reply};
use crate::{misbehave, request_id, tunnel, Shared};

/// Largest request head accepted; bigger ones get 431.
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Largest request body kept (signatures cover it, IAM reads it); bigger ones
/// are read, dropped and answered with 413.
pub(crate) const MAX_BODY_BYTES: u64 = 1024 * 1024;
/// Also the keep-alive idle timeout. (`Standin::drop` shuts connections down,
/// so none waits this long after it.)
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// A client that stops reading must not pin a thread forever.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

enum HeadError {
    TooLarge,
    /// EOF, timeout or socket error: nothing to answer.
    Gone,
}

/// An accepted socket. Shared with the stand-in's list of open connections
/// (which shuts it down on drop) without a second descriptor: the socket
/// closes when both let go, the list first, so a shutdown can never hit a
/// reused descriptor.
pub(crate) struct Socket(pub Arc<TcpStream>);

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }
}

impl Socket {
    /// Waits for input by polling instead of sleeping, for at most `window`:
    /// `None` if nothing came (then read as usual), else what a read gave.
    /// The thread never sleeps, so the CPU does not go idle between requests
    /// and the next one is picked up at once, without the wake-up of an idle
    /// CPU (on a VM, tens of microseconds).
    #[cfg(unix)]
    fn poll_recv(&self, buf: &mut [u8], window: Duration) -> Option<io::Result<usize>> {
        use std::os::unix::io::AsRawFd;
        let start = Instant::now();
        loop {
            // SAFETY: a valid socket descriptor (borrowed from `self.0`) and a
            // buffer of `buf.len()` writable bytes.
            let n = unsafe {
                libc::recv(
                    self.0.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if let Ok(n) = usize::try_from(n) {
                return Some(Ok(n));
            }
            let e = io::Error::last_os_error();
            if !matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            ) {
                return Some(Err(e));
            }
            if start.elapsed() >= window {
                return None;
            }
            std::hint::spin_loop();
        }
    }

    #[cfg(not(unix))]
    fn poll_recv(&self, _buf: &mut [u8], _window: Duration) -> Option<io::Result<usize>> {
        None
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.0).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self.0).flush()
    }
}

/// A byte stream a connection is served over.
pub(crate) trait Transport: Read + Write {
    /// The socket underneath, for timeouts and shutdown.
    fn tcp(&self) -> &TcpStream;

    /// [`Socket::poll_recv`] where there is no protocol layer in between;
    /// otherwise `None` (read as usual).
    fn poll_read(&mut self, _buf: &mut [u8], _window: Duration) -> Option<io::Result<usize>> {
        None
    }

    /// Protocol-level goodbye before the server closes: TLS `close_notify`,
    /// so the client sees a clean end rather than a truncation. Best effort.
    fn close_notify(&mut self) {}

    /// The plain socket, if there is no protocol layer on top of it (what a
    /// `CONNECT` tunnel needs); otherwise the transport back.
    fn into_plain(self) -> Result<Socket, Self>
    where
        Self: Sized;
}

impl Transport for Socket {
    fn tcp(&self) -> &TcpStream {
        &self.0
    }

    fn poll_read(&mut self, buf: &mut [u8], window: Duration) -> Option<io::Result<usize>> {
        self.poll_recv(buf, window)
    }

    fn into_plain(self) -> Result<Socket, Self> {
        Ok(self)
    }
}

impl Transport for StreamOwned<ServerConnection, Socket> {
    fn tcp(&self) -> &TcpStream {
        &self.sock.0
    }

    fn into_plain(self) -> Result<Socket, Self> {
        Err(self)
    }

    fn close_notify(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
    }
}

/// Size of the buffer each read goes into.
const READ_CHUNK: usize = 16 * 1024;
/// Bodies up to this size go out in the same `write_all` as the head (one
/// TCP segment for a typical response); bigger ones are written on their own
/// rather than copied.
const INLINE_BODY_MAX: usize = 64 * 1024;

/// One connection's state. Its buffers live as long as the connection, so
/// serving a request allocates nothing for reading or writing.
struct Connection<S> {
    stream: S,
    /// Bytes read but not consumed yet (the start of a pipelined request).
    buf: Vec<u8>,
    /// What each read fills (zeroed once, not per read).
    chunk: Box<[u8]>,
    /// The response being sent: head and (small) body together.
    out: Vec<u8>,
    /// [`crate::StandinConfig::busy_poll`].
    busy_poll: Duration,
}

impl<S: Transport> Connection<S> {
    fn new(stream: S, busy_poll: Duration) -> Connection<S> {
        Connection {
            stream,
            buf: Vec::with_capacity(4 * 1024),
            chunk: vec![0u8; READ_CHUNK].into_boxed_slice(),
            out: Vec::with_capacity(1024),
            busy_poll,
        }
    }

    /// Reads more bytes into `buf`; `false` on EOF, timeout or error.
    fn fill(&mut self) -> bool {
        if !self.busy_poll.is_zero() {
            match self.stream.poll_read(&mut self.chunk, self.busy_poll) {
                Some(Ok(0)) | Some(Err(_)) => return false,
                Some(Ok(n)) => {
                    self.buf.extend_from_slice(&self.chunk[..n]);
                    return true;
                }
                None => {}
            }
        }
        loop {
            match self.stream.read(&mut self.chunk) {
                Ok(0) => return false,
                Ok(n) => {
                    self.buf.extend_from_slice(&self.chunk[..n]);
                    return true;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return false,
            }
        }
    }

    /// Moves the next request head from `buf` into `head` (replacing what
    /// it held).
    fn read_head(&mut self, head: &mut Vec<u8>) -> Result<(), HeadError> {
        loop {
            let skip = http::leading_empty_lines(&self.buf);
            self.buf.drain(..skip);
            match http::find_head_end(&self.buf) {
                Some(end) if end > MAX_HEAD_BYTES => return Err(HeadError::TooLarge),
                Some(end) => {
                    head.clear();
                    head.extend_from_slice(&self.buf[..end]);
                    self.buf.drain(..end);
                    return Ok(());
                }
                None if self.buf.len() > MAX_HEAD_BYTES => return Err(HeadError::TooLarge),
                None => {}
            }
            if !self.fill() {
                return Err(HeadError::Gone);
            }
        }
    }

    /// Reads `len` body bytes; `None` if the client went away first.
    fn read_body(&mut self, len: usize) -> Option<Vec<u8>> {
        while self.buf.len() < len {
            if !self.fill() {
                return None;
            }
        }
        Some(self.buf.drain(..len).collect())
    }

    /// Reads and drops `len` body bytes; `false` if the client went away first.
    fn discard_body(&mut self, mut len: u64) -> bool {
        let buffered = usize::try_from(len).map_or(self.buf.len(), |l| l.min(self.buf.len()));
        self.buf.drain(..buffered);
        len -= buffered as u64;
        while len > 0 {
            if !self.fill() {
                return false;
            }
            let n = usize::try_from(len).map_or(self.buf.len(), |l| l.min(self.buf.len()));
            self.buf.drain(..n);
            len -= n as u64;
        }
        true
    }

    /// Writes `response`: head and body with one `write_all` unless the
    /// body is big.
    fn send(&mut self, response: &Response, close: bool) -> bool {
        let id = request_id::next_id();
        self.out.clear();
        let length = response.own_content_length();
        response.push_head(&mut self.out, id.as_str(), close, length);
        let separate_body = length.is_some() && response.body.len() > INLINE_BODY_MAX;
        if length.is_some() && !separate_body {
            self.out.extend_from_slice(&response.body);
        }
        let sent = self.stream.write_all(&self.out).is_ok()
            && (!separate_body || self.stream.write_all(&response.body).is_ok())
            && self.stream.flush().is_ok();
        // A huge head (`huge-headers`) must not stay allocated.
        if self.out.capacity() > INLINE_BODY_MAX * 2 {
            self.out = Vec::with_capacity(1024);
        }
        sent
    }

    /// Answers, then closes without resetting the connection.
    fn send_and_close(mut self, response: &Response) {
        if self.send(response, true) {
            close_gracefully(&mut self.stream);
        }
    }
}

/// Closes without resetting the connection: closing with unread input makes
/// the kernel send RST, which can destroy a response before the client reads
/// it. So: `close_notify` (TLS), FIN, then read and drop what still arrives
/// (at most 500 ms, 4 MiB) before the caller drops the stream.
pub(crate) fn close_gracefully<S: Transport>(stream: &mut S) {
    stream.close_notify();
    let _ = stream.tcp().shutdown(Shutdown::Write);
    let _ = stream
        .tcp()
        .set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 16 * 1024];
    let mut drained = 0usize;
    while drained < 4 * 1024 * 1024 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn stand_in_error(status: u16, msg: &str) -> Response {
    // Not an OSM code: these only answer broken HTTP, which OSM's gateway
    // would reject in its own way.
    Response::error(status, "STANDIN.0001", msg)
}

fn set_socket_options(stream: &TcpStream) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    // A response is one write, but a big body is a second one, and Nagle
    // would hold back any part that follows an unacknowledged segment.
    let _ = stream.set_nodelay(true);
}

/// Serves a plain HTTP connection.
pub(crate) fn serve(stream: Socket, shared: &Shared) {
    set_socket_options(&stream.0);
    serve_requests(stream, shared);
}

/// Serves an HTTPS connection: the TLS handshake first (on this, the
/// connection's own thread, bounded by the read and write timeouts), then the
/// same HTTP handling as [`serve`]. A failed handshake (the client rejected
/// our certificate, spoke plain HTTP, went away or stayed silent) closes the
/// connection and is counted.
pub(crate) fn serve_tls(stream: Socket, config: Arc<ServerConfig>, shared: &Shared) {
    set_socket_options(&stream.0);
    let handshake_failed = || {
        shared.tls_handshakes_failed.fetch_add(1, Ordering::SeqCst);
    };
    let Ok(conn) = ServerConnection::new(config) else {
        return handshake_failed();
    };
    let mut tls = StreamOwned::new(conn, stream);
    while tls.conn.is_handshaking() {
        // On a TLS error this also sends the alert to the client.
        if tls.conn.complete_io(&mut tls.sock).is_err() {
            return handshake_failed();
        }
    }
    serve_requests(tls, shared);
}

fn serve_requests<S: Transport>(stream: S, shared: &Shared) {
    let mut conn = Connection::new(stream, shared.config.busy_poll);
    // The current request's head; reused, like the connection's buffers.
    let mut head = Vec::with_capacity(1024);

    loop {
        match conn.read_head(&mut head) {
            Ok(()) => {}
            Err(HeadError::Gone) => {
                // Idle timeout or the client closed: say goodbye properly (TLS).
                conn.stream.close_notify();
                return;
            }
            Err(HeadError::TooLarge) => {
                return conn
                    .send_and_close(&stand_in_error(431, "request header fields too large"));
            }
        };
        // A stopped stand-in answers nothing more, even on open connections.
        if shared.is_stopping() {
            conn.stream.close_notify();
            return;
        }
        let text = http::head_text(&head);
        let Ok(req) = text
            .as_deref()
            .map_err(|_| http::BadRequest)
            .and_then(http::parse_head)
        else {
            return conn.send_and_close(&stand_in_error(400, "malformed HTTP request"));
        };
        if req.header("transfer-encoding").is_some() {
            // Nothing the client under test sends has a chunked body.
            return conn.send_and_close(&stand_in_error(501, "Transfer-Encoding is not supported"));
        }
        let Ok(body_len) = req.content_length() else {
            return conn.send_and_close(&stand_in_error(400, "invalid Content-Length"));
        };
        let reply = if body_len > MAX_BODY_BYTES {
            if !conn.discard_body(body_len) {
                return;
            }
            stand_in_error(413, "request body too large").into()
        } else {
            // Fits in usize: at most MAX_BODY_BYTES.
            let Some(body) = conn.read_body(body_len as usize) else {
                return;
            };
            router::handle(shared, &req, &body)
        };
        let response = match reply {
            Reply::Respond(response) => response,
            // Whatever the client pipelined after this request is dropped.
            Reply::Misbehave(what) => return misbehave::perform(conn.stream, what, shared),
            Reply::Tunnel(port) => match conn.stream.into_plain() {
                // Bytes the client sent after the CONNECT head go through the tunnel.
                Ok(tcp) => return tunnel::run(tcp, conn.buf, port, shared),
                Err(stream) => {
                    conn.stream = stream;
                    stand_in_error(501, "CONNECT is only served by a plain HTTP stand-in")
                }
            },
        };
        if req.wants_close() {
            return conn.send_and_close(&response);
        }
        if !conn.send(&response, false) {
            return;
        }
    }
}
