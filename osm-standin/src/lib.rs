//! A local stand-in for Huawei Cloud OSM's
//! `GET /v2/servicerequest/carbon-copy-emails`, for tests (in-process) and
//! demos (the `osm-standin` binary).
//!
//! The HTTP/1.1 server is hand-written on `std::net` so that scenarios can
//! control the raw socket. Routes:
//! - `/v2/servicerequest/carbon-copy-emails` — scenario `ok`;
//! - `/scenario/<name>/v2/servicerequest/carbon-copy-emails` — any of [`SCENARIOS`];
//! - `GET /_standin/requests` — the recorded requests as JSON (no auth).
//!
//! [`Standin::start_tls`] serves the same over HTTPS (rustls, ring provider),
//! with certificates from [`tls::TestCa`] or [`tls::TlsIdentity::self_signed`].

mod connection;
pub mod data;
mod http;
mod request_id;
mod router;
mod scenarios;
pub mod tls;

pub use scenarios::SCENARIOS;

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::ServerConfig;

/// Settings of a stand-in.
#[derive(Clone)]
pub struct StandinConfig {
    /// The only `X-Auth-Token` value accepted.
    pub token: String,
}

impl Default for StandinConfig {
    fn default() -> Self {
        StandinConfig {
            token: "demo-token".to_owned(),
        }
    }
}

// Hand-written so the token never ends up in test logs.
impl fmt::Debug for StandinConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandinConfig")
            .field("token", &"<redacted>")
            .finish()
    }
}

/// One request as the stand-in received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query exactly as received.
    pub target: String,
    /// Header names as received (case kept), trimmed values, in order.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// First value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// State shared by the accept loop, the connection threads and [`Standin`].
pub(crate) struct Shared {
    pub config: StandinConfig,
    stop: AtomicBool,
    accepted: AtomicUsize,
    pub tls_handshakes_failed: AtomicUsize,
    requests: Mutex<Vec<RecordedRequest>>,
}

impl Shared {
    pub fn is_stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// A panicking test thread must not make every later call panic too.
    pub fn recorded(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn record(&self, request: RecordedRequest) {
        self.recorded().push(request);
    }
}

/// A running stand-in; dropping it stops the server.
pub struct Standin {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// Whether connections are TLS: decides the URLs' scheme.
    tls: bool,
    accept_thread: Option<JoinHandle<()>>,
}

impl Standin {
    /// Starts on 127.0.0.1 with a free port.
    pub fn start(config: StandinConfig) -> io::Result<Standin> {
        Standin::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config)
    }

    /// Starts on `addr` (port 0 = any free port).
    pub fn start_on(addr: SocketAddr, config: StandinConfig) -> io::Result<Standin> {
        Standin::launch(addr, config, None)
    }

    /// Same server on 127.0.0.1 with a free port, but every connection is TLS
    /// (1.2 or 1.3, rustls with the ring provider, ALPN `http/1.1`), presenting
    /// `identity`. Fails if the identity's PEM does not load.
    pub fn start_tls(config: StandinConfig, identity: tls::TlsIdentity) -> io::Result<Standin> {
        Standin::start_tls_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config, identity)
    }

    /// [`Standin::start_tls`] on `addr` (port 0 = any free port).
    pub fn start_tls_on(
        addr: SocketAddr,
        config: StandinConfig,
        identity: tls::TlsIdentity,
    ) -> io::Result<Standin> {
        Standin::launch(addr, config, Some(identity.server_config()?))
    }

    fn launch(
        addr: SocketAddr,
        config: StandinConfig,
        tls: Option<Arc<ServerConfig>>,
    ) -> io::Result<Standin> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            stop: AtomicBool::new(false),
            accepted: AtomicUsize::new(0),
            tls_handshakes_failed: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
        });
        let loop_shared = Arc::clone(&shared);
        let is_tls = tls.is_some();
        let accept_thread = thread::Builder::new()
            .name("osm-standin-accept".to_owned())
            .spawn(move || accept_loop(listener, loop_shared, tls))?;
        Ok(Standin {
            shared,
            addr,
            tls: is_tls,
            accept_thread: Some(accept_thread),
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Whether this stand-in serves HTTPS ([`Standin::start_tls`]).
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    fn scheme(&self) -> &'static str {
        if self.tls {
            "https"
        } else {
            "http"
        }
    }

    /// `http://127.0.0.1:PORT` (or the address given to [`Standin::start_on`]);
    /// `https://` for a TLS stand-in.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), client_addr(self.addr))
    }

    /// The base URL with `host` instead of the IP address, e.g.
    /// `https://localhost:PORT` (scheme as in [`Standin::base_url`]). An IPv6
    /// address is bracketed.
    pub fn base_url_with_host(&self, host: &str) -> String {
        if host.contains(':') && !host.starts_with('[') {
            format!("{}://[{}]:{}", self.scheme(), host, self.port())
        } else {
            format!("{}://{}:{}", self.scheme(), host, self.port())
        }
    }

    /// Base URL for a scenario; append `/v2/servicerequest/carbon-copy-emails`.
    pub fn scenario_url(&self, scenario: &str) -> String {
        format!("{}/scenario/{}", self.base_url(), scenario)
    }

    /// Every request received so far, in order, except `/_standin/*` calls.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorded().clone()
    }

    pub fn connections_accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Connections whose TLS handshake failed: the client rejected our
    /// certificate, spoke something else than TLS, went away or stayed silent
    /// past the read timeout (5 s). Always 0 for a plain stand-in.
    ///
    /// The server notices a client's rejection slightly after the client
    /// reports it: use [`Standin::wait_tls_handshakes_failed`] to wait for it.
    pub fn tls_handshakes_failed(&self) -> usize {
        self.shared.tls_handshakes_failed.load(Ordering::SeqCst)
    }

    /// Waits until [`Standin::tls_handshakes_failed`] is at least `at_least`,
    /// or `timeout` passed; returns the count then.
    pub fn wait_tls_handshakes_failed(&self, at_least: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let failed = self.tls_handshakes_failed();
            if failed >= at_least || Instant::now() >= deadline {
                return failed;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl fmt::Debug for Standin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Standin")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // accept() has no timeout: a connection of our own wakes it up to see the flag.
        let woke =
            TcpStream::connect_timeout(&client_addr(self.addr), Duration::from_secs(2)).is_ok();
        if let Some(handle) = self.accept_thread.take() {
            // Without the wake-up, joining could hang forever; leave the thread instead.
            if woke {
                let _ = handle.join();
            }
        }
    }
}

/// The address a client connects to: a wildcard bind is reached via loopback.
fn client_addr(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port()))
        }
        _ => addr,
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>, tls: Option<Arc<ServerConfig>>) {
    for stream in listener.incoming() {
        if shared.is_stopping() {
            break;
        }
        match stream {
            Ok(stream) => {
                shared.accepted.fetch_add(1, Ordering::SeqCst);
                let conn_shared = Arc::clone(&shared);
                let conn_tls = tls.clone();
                // If no thread can be made, dropping the stream closes it: the client sees an error.
                // The TLS handshake happens on the connection's thread, never here.
                let _ = thread::Builder::new()
                    .name("osm-standin-conn".to_owned())
                    .spawn(move || match conn_tls {
                        Some(config) => connection::serve_tls(stream, config, &conn_shared),
                        None => connection::serve(stream, &conn_shared),
                    });
            }
            // E.g. out of file descriptors: back off rather than spin.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standin_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Standin>();
    }

    #[test]
    fn config_debug_hides_the_token() {
        let config = StandinConfig {
            token: "s3cret".to_owned(),
        };
        assert!(!format!("{config:?}").contains("s3cret"));
        assert_eq!(StandinConfig::default().token, "demo-token");
    }

    #[test]
    fn wildcard_binds_are_reached_via_loopback() {
        let a = client_addr("0.0.0.0:8080".parse().unwrap());
        assert_eq!(a, "127.0.0.1:8080".parse().unwrap());
        let b = client_addr("[::]:81".parse().unwrap());
        assert_eq!(b, "[::1]:81".parse().unwrap());
    }
}
