//! A local stand-in for Huawei Cloud OSM's
//! `GET /v2/servicerequest/carbon-copy-emails`, for tests (in-process) and
//! demos (the `osm-standin` binary).
//!
//! The HTTP/1.1 server is hand-written on `std::net` so that scenarios can
//! control the raw socket. Routes:
//! - `GET /v2/servicerequest/carbon-copy-emails` — scenario `ok`;
//! - `GET /scenario/<name>/v2/servicerequest/carbon-copy-emails` — any of [`SCENARIOS`];
//! - `POST /v3/auth/tokens` — IAM "obtain a user token" (password, domain scope);
//! - `GET /v3/auth/domains` — IAM domain lookup (AK/SK signed, no `X-Domain-Id`);
//! - `GET /_standin/requests` — the recorded requests as JSON (no auth);
//!   `404 STANDIN.0004` when recording is off
//!   ([`StandinConfig::record_requests`], `osm-standin --no-record`).
//!
//! The IAM routes also answer under a `/scenario/<name>` prefix (ignored), so
//! one base URL can serve as both OSM and IAM endpoint.
//!
//! The OSM operation is authenticated like Huawei Cloud's API gateway does:
//! `X-Auth-Token` (the configured static token, or a live token issued by the
//! IAM routes), or an AK/SK signature ([`aksk`]) with `X-Sdk-Date` within 15
//! minutes of the server clock and `X-Domain-Id` equal to the account id.
//! Failures are `401 {"error_code":"APIGW.0301",..}`; see `auth.rs`.
//!
//! [`Standin::start_tls`] serves the same over HTTPS (rustls, ring provider),
//! with certificates from [`tls::TestCa`] or [`tls::TlsIdentity::self_signed`].
//!
//! # A hostile server too
//!
//! Besides the canned answers of [`SCENARIOS`], the stand-in misbehaves the
//! way real networks and servers do, always after authenticating the request:
//!
//! | scenario | behaviour |
//! |---|---|
//! | `hang` | reads the request, never answers; holds the connection until the client closes, the stand-in is dropped, or [`data::HANG_MAX_SECS`] (60 s), then closes |
//! | `trickle` | the `ok` response (with `Connection: close`), head and body, one byte per second, each flushed; then closes |
//! | `slow-headers-then-stall` | the `ok` head (true `Content-Length`), then nothing; held like `hang`, then closed |
//! | `close-after-headers` | the `ok` head with `Content-Length: 200`, no body, then a clean close |
//! | `truncated-body` | `Content-Length: 200`, the first 50 bytes of the `ok` body, then a clean close |
//! | `reset` | reads the request, then a TCP reset (`SO_LINGER` 0), no answer |
//! | `close-without-answer` | reads the request, then a clean close (TLS: `close_notify`), no answer |
//! | `endless-body` | `200`, JSON, `Content-Length: 10737418240`, then `[0,0,0,…` until the client closes, 256 MiB are sent, or the stand-in is dropped |
//! | `huge-headers` | the `ok` response plus 1024 `X-Filler-NNNN` fields (128 KiB) |
//! | `malformed-json` | `200` with [`data::MALFORMED_JSON_BODY`] |
//! | `retry-after-429` / `retry-after-huge` | `429 APIGW.0308` with `Retry-After: 2` / `3600` |
//! | `retry-after-date` | `429 APIGW.0308` with `Retry-After` an HTTP date 1 to 2 s ahead of the server clock |
//! | `flaky-<what>-<n>` | the first `n` (1..=9) requests to this exact name fail as `what` says, later ones get the `ok` answer; `what` is `500` (OSM.0004), `502` (HTML), `503` (empty), `504` (HTML), `429` (APIGW.0308, `Retry-After: 1`), `close`, `reset` or `hang` (5 s, then close) |
//! | `status-<code>` | `<code>` (200..=599), empty body, no `Content-Type` |
//! | `redirect-<port>` | `302`, `Location: http://localhost:<port>/v2/servicerequest/carbon-copy-emails` |
//! | `redirect-https-<port>` | `302`, `Location: https://127.0.0.1:<port>/v2/servicerequest/carbon-copy-emails` |
//! | `redirect-same` | `302`, `Location: /scenario/ok/v2/servicerequest/carbon-copy-emails` |
//!
//! Requests are counted per scenario name ([`Standin::scenario_hits`]).
//! Dropping a stand-in shuts down every connection it still has open, so
//! nothing outlives it by more than a fraction of a second.
//!
//! As an HTTP proxy, the stand-in serves absolute-form requests
//! (`GET http://host/path`) by their path, recording the raw target, and
//! tunnels `CONNECT 127.0.0.1:<port>` / `CONNECT localhost:<port>` (plain
//! stand-ins only; any other host gets 403). [`Standin::start_blackhole`]
//! gives a port that accepts connections and never reads from them.

pub mod aksk;
mod auth;
mod clock;
mod connection;
pub mod data;
mod http;
mod iam;
mod misbehave;
mod request_id;
mod router;
mod scenarios;
pub mod tls;
mod tunnel;

pub use clock::format_http_date;
pub use scenarios::{is_scenario, FLAKY_FAILURES, NETWORK_SCENARIOS, SCENARIOS};

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::ServerConfig;

/// Settings of a stand-in. Build with `..Default::default()` for the fields
/// you do not care about.
#[derive(Clone)]
pub struct StandinConfig {
    /// A static `X-Auth-Token` value that is always accepted (besides tokens
    /// issued by the IAM stand-in).
    pub token: String,
    /// AK/SK pairs accepted for signed requests. Default: the permanent pair
    /// [`data::AK`]/[`data::SK`] and the temporary pair
    /// [`data::TEMP_AK`]/[`data::TEMP_SK`] with [`data::SECURITY_TOKEN`].
    pub access_keys: Vec<AccessKey>,
    /// The account (domain) id: what `X-Domain-Id` must be on signed OSM
    /// requests, and what `GET /v3/auth/domains` returns.
    pub domain_id: String,
    /// The account (domain) name: what IAM token requests must name.
    pub domain_name: String,
    /// IAM users that may obtain tokens with `POST /v3/auth/tokens`.
    pub users: Vec<IamUser>,
    /// Lifetime of the tokens the IAM stand-in issues (Default 24 h); see also
    /// [`Standin::set_token_lifetime`].
    pub token_lifetime: Duration,
    /// Whether requests are recorded (default `true`). A benchmark turns it
    /// off (`osm-standin --no-record`): then [`Standin::requests`] is always
    /// empty, `GET /_standin/requests` answers `404 STANDIN.0004`, and the
    /// stand-in's memory no longer grows with every request.
    pub record_requests: bool,
    /// How long a connection waiting for its next request polls its socket
    /// before it sleeps in a blocking read (default 0: it sleeps at once).
    /// Polling keeps the CPU from going idle between requests, so a request
    /// is picked up without an idle CPU's wake-up latency (on a VM, about
    /// 15 µs of every call). For benchmarks on a CPU of the stand-in's own
    /// (`osm-standin --busy-poll`): it burns that CPU while it polls. Plain
    /// HTTP only; TLS connections always sleep.
    pub busy_poll: Duration,
}

impl Default for StandinConfig {
    fn default() -> Self {
        StandinConfig {
            token: "demo-token".to_owned(),
            access_keys: vec![
                AccessKey::new(data::AK, data::SK),
                AccessKey::temporary(data::TEMP_AK, data::TEMP_SK, data::SECURITY_TOKEN),
            ],
            domain_id: data::DOMAIN_ID.to_owned(),
            domain_name: data::DOMAIN_NAME.to_owned(),
            users: vec![IamUser::new(data::IAM_USER, data::IAM_PASSWORD)],
            token_lifetime: Duration::from_secs(24 * 3600),
            record_requests: true,
            busy_poll: Duration::ZERO,
        }
    }
}

// Hand-written so no secret ends up in test logs.
impl fmt::Debug for StandinConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandinConfig")
            .field("token", &"<redacted>")
            .field("access_keys", &self.access_keys)
            .field("domain_id", &self.domain_id)
            .field("domain_name", &self.domain_name)
            .field("users", &self.users)
            .field("token_lifetime", &self.token_lifetime)
            .field("record_requests", &self.record_requests)
            .field("busy_poll", &self.busy_poll)
            .finish()
    }
}

/// An AK/SK pair the stand-in accepts. With `security_token: Some(st)` it is a
/// temporary credential: every request signed with this AK must also carry
/// `X-Security-Token: st`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub ak: String,
    pub sk: String,
    pub security_token: Option<String>,
}

impl AccessKey {
    /// A permanent pair.
    pub fn new(ak: impl Into<String>, sk: impl Into<String>) -> AccessKey {
        AccessKey {
            ak: ak.into(),
            sk: sk.into(),
            security_token: None,
        }
    }

    /// A temporary pair with its security token.
    pub fn temporary(
        ak: impl Into<String>,
        sk: impl Into<String>,
        security_token: impl Into<String>,
    ) -> AccessKey {
        AccessKey {
            security_token: Some(security_token.into()),
            ..AccessKey::new(ak, sk)
        }
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("ak", &self.ak)
            .field("sk", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// An IAM user (of the configured account) and its password.
#[derive(Clone, PartialEq, Eq)]
pub struct IamUser {
    pub name: String,
    pub password: String,
}

impl IamUser {
    pub fn new(name: impl Into<String>, password: impl Into<String>) -> IamUser {
        IamUser {
            name: name.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for IamUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamUser")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// One request as the stand-in received it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query exactly as received.
    pub target: String,
    /// Header names as received (case kept), trimmed values, in order.
    pub headers: Vec<(String, String)>,
    /// The body as received (e.g. an IAM token request, with its password).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// First value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Headers whose values are credentials: shown as `<redacted>` by `Debug`.
const SECRET_HEADERS: [&str; 4] = [
    "x-auth-token",
    "x-security-token",
    "authorization",
    "x-subject-token",
];

// Hand-written: tokens, signatures and password bodies stay out of test logs.
impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let secret = SECRET_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s));
                (n.as_str(), if secret { "<redacted>" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("headers", &headers)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// A token issued by the IAM stand-in.
pub(crate) struct IssuedToken {
    /// Server-clock Unix time in microseconds.
    pub expires_at_micros: i64,
    /// Set by [`Standin::expire_issued_tokens`].
    pub revoked: bool,
}

/// State shared by the accept loop, the connection threads and [`Standin`].
pub(crate) struct Shared {
    pub config: StandinConfig,
    stop: AtomicBool,
    accepted: AtomicUsize,
    /// Client connections being served, to shut them down on drop.
    open: Mutex<OpenConnections>,
    /// Requests that reached each scenario, by name.
    scenario_hits: Mutex<HashMap<String, usize>>,
    /// `CONNECT` tunnels established.
    pub connect_tunnels: AtomicUsize,
    pub tls_handshakes_failed: AtomicUsize,
    requests: Mutex<Vec<RecordedRequest>>,
    /// IAM-issued tokens by value.
    tokens: Mutex<HashMap<String, IssuedToken>>,
    token_lifetime: Mutex<Duration>,
    /// Added to the machine's clock to get the server clock.
    clock_skew_secs: AtomicI64,
    pub iam_token_requests: AtomicUsize,
    pub iam_domain_requests: AtomicUsize,
}

#[derive(Default)]
struct OpenConnections {
    next_id: u64,
    /// Each open connection's socket (shared, not a second descriptor).
    streams: HashMap<u64, Arc<TcpStream>>,
}

/// Keeps a connection in [`Shared::open`] while it is served.
struct OpenGuard {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.shared.open_connections().streams.remove(&self.id);
    }
}

impl Shared {
    pub fn is_stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn open_connections(&self) -> MutexGuard<'_, OpenConnections> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a connection to be served; `None` once the stand-in is
    /// stopping (checked under the lock [`Standin::drop`] shuts down under,
    /// so no connection escapes the shutdown).
    fn register(self: &Arc<Self>, stream: &Arc<TcpStream>) -> Option<OpenGuard> {
        let mut open = self.open_connections();
        if self.is_stopping() {
            return None;
        }
        let id = open.next_id;
        open.next_id += 1;
        open.streams.insert(id, Arc::clone(stream));
        Some(OpenGuard {
            shared: Arc::clone(self),
            id,
        })
    }

    fn scenario_hits(&self) -> MutexGuard<'_, HashMap<String, usize>> {
        self.scenario_hits.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a request that reached scenario `name`; returns its number (1 for the first).
    pub fn count_scenario_hit(&self, name: &str) -> usize {
        let mut hits = self.scenario_hits();
        // No `entry(name.to_owned())`: a name seen before costs no allocation.
        if let Some(count) = hits.get_mut(name) {
            *count += 1;
            return *count;
        }
        hits.insert(name.to_owned(), 1);
        1
    }

    /// A panicking test thread must not make every later call panic too.
    pub fn recorded(&self) -> MutexGuard<'_, Vec<RecordedRequest>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn record(&self, request: RecordedRequest) {
        self.recorded().push(request);
    }

    pub fn tokens(&self) -> MutexGuard<'_, HashMap<String, IssuedToken>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn token_lifetime(&self) -> Duration {
        *self
            .token_lifetime
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The server clock (machine clock plus skew), Unix microseconds.
    pub fn now_micros(&self) -> i64 {
        let skew = self.clock_skew_secs.load(Ordering::SeqCst);
        clock::system_micros().saturating_add(skew.saturating_mul(1_000_000))
    }

    /// The server clock in Unix seconds.
    pub fn now_secs(&self) -> i64 {
        self.now_micros().div_euclid(1_000_000)
    }
}

/// A running stand-in; dropping it stops the server and shuts down every
/// connection it still has open (hanging, trickling, tunnelling or idle).
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
        let token_lifetime = config.token_lifetime;
        let shared = Arc::new(Shared {
            config,
            stop: AtomicBool::new(false),
            accepted: AtomicUsize::new(0),
            open: Mutex::new(OpenConnections::default()),
            scenario_hits: Mutex::new(HashMap::new()),
            connect_tunnels: AtomicUsize::new(0),
            tls_handshakes_failed: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
            tokens: Mutex::new(HashMap::new()),
            token_lifetime: Mutex::new(token_lifetime),
            clock_skew_secs: AtomicI64::new(0),
            iam_token_requests: AtomicUsize::new(0),
            iam_domain_requests: AtomicUsize::new(0),
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

    /// Every request received so far, in order, except `/_standin/*` calls;
    /// always empty if [`StandinConfig::record_requests`] is off.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorded().clone()
    }

    pub fn connections_accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Client connections open right now: accepted and not yet closed by
    /// the stand-in. A connection the client closes is noticed at once while
    /// the stand-in waits for a request or hangs, at the next write while it
    /// sends (e.g. `endless-body`, `trickle`).
    pub fn open_connections(&self) -> usize {
        self.shared.open_connections().streams.len()
    }

    /// Waits until [`Standin::open_connections`] is at most `at_most`, or
    /// `timeout` passed; returns the count then.
    pub fn wait_open_connections_at_most(&self, at_most: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let open = self.open_connections();
            if open <= at_most || Instant::now() >= deadline {
                return open;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Requests that reached scenario `name` (exactly as in the path; the
    /// unprefixed API path counts as `ok`): authenticated, valid headers.
    /// Requests rejected by the gateway checks are not counted, so they do
    /// not use up a `flaky-*` scenario's failures.
    pub fn scenario_hits(&self, name: &str) -> usize {
        self.shared.scenario_hits().get(name).copied().unwrap_or(0)
    }

    /// `CONNECT` tunnels established (answered `200 Connection established`).
    pub fn connect_tunnels(&self) -> usize {
        self.shared.connect_tunnels.load(Ordering::SeqCst)
    }

    /// A port on 127.0.0.1 that accepts TCP connections and never reads from
    /// or answers them. Each connection is held until the [`Blackhole`] is
    /// dropped or for [`data::HANG_MAX_SECS`] (60 s), whichever is first.
    pub fn start_blackhole() -> io::Result<Blackhole> {
        Blackhole::start()
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

    /// Lifetime of the tokens `POST /v3/auth/tokens` issues from now on;
    /// tokens issued before keep their expiry.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        *self
            .shared
            .token_lifetime
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = lifetime;
    }

    /// Makes every token issued so far invalid: OSM answers them with
    /// `401 APIGW.0301 ... token expired`. Tokens issued later work.
    pub fn expire_issued_tokens(&self) {
        for token in self.shared.tokens().values_mut() {
            token.revoked = true;
        }
    }

    /// Number of `POST /v3/auth/tokens` requests, successful or not.
    pub fn iam_token_requests(&self) -> usize {
        self.shared.iam_token_requests.load(Ordering::SeqCst)
    }

    /// Number of `GET /v3/auth/domains` requests, successful or not.
    pub fn iam_domain_requests(&self) -> usize {
        self.shared.iam_domain_requests.load(Ordering::SeqCst)
    }

    /// Shifts the server clock by `skew_secs` (positive: the server is ahead
    /// of this machine). It is the clock `X-Sdk-Date` is checked against, and
    /// the one token expiry is measured on, so a skew of more than the token
    /// lifetime also expires issued tokens. Replaces any earlier skew.
    pub fn set_clock_skew(&self, skew_secs: i64) {
        self.shared
            .clock_skew_secs
            .store(skew_secs, Ordering::SeqCst);
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
        // Wakes every connection thread blocked in a read or write (hangs,
        // stalls, keep-alive waits, tunnels): each sees EOF or an error and ends.
        for stream in self.shared.open_connections().streams.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
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
                let stream = Arc::new(stream);
                // None: stopping; dropping the stream closes it.
                let Some(guard) = shared.register(&stream) else {
                    continue;
                };
                let stream = connection::Socket(stream);
                let conn_shared = Arc::clone(&shared);
                let conn_tls = tls.clone();
                // If no thread can be made, dropping the stream closes it: the client sees an error.
                // The TLS handshake happens on the connection's thread, never here.
                let _ = thread::Builder::new()
                    .name("osm-standin-conn".to_owned())
                    .spawn(move || {
                        match conn_tls {
                            Some(config) => connection::serve_tls(stream, config, &conn_shared),
                            None => connection::serve(stream, &conn_shared),
                        }
                        // Off the list, then the socket closes (the list held the last reference).
                        drop(guard);
                    });
            }
            // E.g. out of file descriptors: back off rather than spin.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// A port that accepts TCP connections and never reads from or answers them
/// ([`Standin::start_blackhole`]); dropping it closes them and the port.
pub struct Blackhole {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    held: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl Blackhole {
    /// How often the accept loop looks for new connections, expired ones
    /// and the stop flag.
    const POLL: Duration = Duration::from_millis(10);

    fn start() -> io::Result<Blackhole> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let held = Arc::new(AtomicUsize::new(0));
        let (loop_stop, loop_accepted, loop_held) =
            (Arc::clone(&stop), Arc::clone(&accepted), Arc::clone(&held));
        let thread = thread::Builder::new()
            .name("osm-standin-blackhole".to_owned())
            .spawn(move || {
                let max_hold = Duration::from_secs(data::HANG_MAX_SECS);
                let mut streams: Vec<(Instant, TcpStream)> = Vec::new();
                while !loop_stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            loop_accepted.fetch_add(1, Ordering::SeqCst);
                            streams.push((Instant::now(), stream));
                        }
                        Err(_) => thread::sleep(Blackhole::POLL),
                    }
                    streams.retain(|(since, _)| since.elapsed() < max_hold);
                    loop_held.store(streams.len(), Ordering::SeqCst);
                }
            })?;
        Ok(Blackhole {
            addr,
            stop,
            accepted,
            held,
            thread: Some(thread),
        })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Connections held right now (accepted, not yet expired).
    pub fn open_connections(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for Blackhole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blackhole")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // The loop polls: it ends within a few milliseconds, dropping (closing) what it held.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
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
        assert_send_sync::<Blackhole>();
    }

    #[test]
    fn config_debug_hides_the_secrets() {
        let config = StandinConfig {
            token: "s3cret".to_owned(),
            access_keys: vec![
                AccessKey::new("AK-one", "sk-s3cret-1"),
                AccessKey::temporary("AK-two", "sk-s3cret-2", "st-s3cret"),
            ],
            users: vec![IamUser::new("alice", "pw-s3cret")],
            ..Default::default()
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(
            debug.contains("AK-two") && debug.contains("alice"),
            "{debug}"
        );
        assert_eq!(StandinConfig::default().token, "demo-token");
    }

    #[test]
    fn default_config_has_the_demo_credentials() {
        let config = StandinConfig::default();
        assert_eq!(
            config.access_keys,
            [
                AccessKey::new(data::AK, data::SK),
                AccessKey::temporary(data::TEMP_AK, data::TEMP_SK, data::SECURITY_TOKEN)
            ]
        );
        assert_eq!(config.domain_id, data::DOMAIN_ID);
        assert_eq!(data::DOMAIN_ID.len(), 32);
        assert!(data::DOMAIN_ID.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(config.domain_name, data::DOMAIN_NAME);
        assert_eq!(
            config.users,
            [IamUser::new(data::IAM_USER, data::IAM_PASSWORD)]
        );
        assert_eq!(config.token_lifetime, Duration::from_secs(86_400));
    }

    #[test]
    fn recorded_request_debug_hides_credentials_and_body() {
        let request = RecordedRequest {
            method: "POST".to_owned(),
            target: "/v3/auth/tokens".to_owned(),
            headers: vec![
                ("X-Auth-Token".to_owned(), "tok-s3cret".to_owned()),
                (
                    "authorization".to_owned(),
                    "SDK-HMAC-SHA256 s3cret".to_owned(),
                ),
                ("X-Security-Token".to_owned(), "st-s3cret".to_owned()),
                ("X-Site".to_owned(), "1".to_owned()),
            ],
            body: b"{\"password\":\"s3cret\"}".to_vec(),
        };
        let debug = format!("{request:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(
            debug.contains("X-Site") && debug.contains("bytes"),
            "{debug}"
        );
    }

    #[test]
    fn wildcard_binds_are_reached_via_loopback() {
        let a = client_addr("0.0.0.0:8080".parse().unwrap());
        assert_eq!(a, "127.0.0.1:8080".parse().unwrap());
        let b = client_addr("[::]:81".parse().unwrap());
        assert_eq!(b, "[::1]:81".parse().unwrap());
    }
}
