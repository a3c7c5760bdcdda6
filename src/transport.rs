//! HTTP for one client: ureq agents built once, whose connection pools keep
//! connections alive across calls and threads, and the policies every
//! request follows (retries, redirects, proxies, limits, timeouts).
//!
//! Timeouts, three of them:
//! - connect: TCP connect and TLS handshake (and a proxy's CONNECT);
//! - stall: the longest wait for the next bytes while sending or receiving,
//!   so a server that accepts and then goes silent is given up on early
//!   (and the request retried while the deadline allows);
//! - the call's deadline, passed to every request as ureq's global timeout,
//!   so a server that trickles a byte a second still ends on time.
//!
//! TLS verification is always on; see `trust` for the roots.

use std::io::Read;
use ureq::config::AutoHeaderValue;

use ureq::http::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use ureq::http::{HeaderName, HeaderValue, Method, Uri};
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, RustlsConnector};
use ureq::{Agent, Timeout};

use crate::absolute_form;
use crate::config::ClientOptions;
use crate::deadline::Deadline;
use crate::endpoint::Target;
use crate::error::{Error, ErrorKind};
use crate::proxy::Proxies;
use crate::redirect;
use crate::resolver::CachingResolver;
use crate::response::HttpResponse;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::tcp_transport::TcpConnector;
use crate::trust;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_SUBJECT_TOKEN: HeaderName = HeaderName::from_static("x-subject-token");

/// Sent on every request so the service can tell tcc's traffic apart.
pub const USER_AGENT: &str = concat!("tcc/", env!("CARGO_PKG_VERSION"));

/// How far a request may overrun its call's deadline when it starts this
/// soon after the call did and uses the agent's timeout (see `send`).
const DEADLINE_SLACK: std::time::Duration = std::time::Duration::from_millis(20);

/// Idle keep-alive connections kept per client.
const MAX_IDLE_CONNECTIONS: usize = 32;

/// ureq's input buffer: it must hold the whole response head.
const MIN_INPUT_BUFFER: usize = 128 * 1024;

/// Builds a request's headers for a target, credentials and signature
/// included: called again for each attempt and each redirect.
pub(crate) type HeadersFor<'a> =
    dyn Fn(&Target) -> Result<Vec<(HeaderName, HeaderValue)>, Error> + 'a;

/// One request: a GET when `body` is `None`, else a POST of `body`.
pub struct Request<'a> {
    pub target: &'a Target,
    /// Every header to send, `Host` and `User-Agent` included (moved into
    /// the request: built for it, so nothing is copied).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<&'a [u8]>,
}

pub struct Transport {
    /// Direct requests, and `https://` ones through a proxy's CONNECT tunnel.
    agent: Agent,
    /// `http://` requests through a proxy, in absolute form.
    absolute_form: Agent,
    proxies: Proxies,
    retry: RetryPolicy,
    max_redirects: u32,
    max_response_bytes: u64,
    /// For messages: which limit a timeout hit.
    connect_timeout_ms: u128,
    stall_timeout_ms: u128,
}

impl Transport {
    pub fn new(options: &ClientOptions) -> Result<Self, Error> {
        let config = Agent::config_builder()
            // Statuses are data here: the error body carries the service's code.
            .http_status_as_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_per_read(Some(options.stall_timeout))
            .timeout_per_write(Some(options.stall_timeout))
            .timeout_global(Some(options.timeout))
            // tcc follows redirects itself, deciding what credentials may go where.
            .max_redirects(0)
            // ureq would read proxy variables with rules of its own; tcc picks
            // each request's proxy itself (see `proxy`).
            .proxy(None)
            .max_response_header_size(options.max_header_bytes)
            .input_buffer_size(MIN_INPUT_BUFFER.max(options.max_header_bytes + 1))
            .user_agent(USER_AGENT)
            // Only the documented headers: no Accept, no Accept-Encoding.
            .accept(AutoHeaderValue::None)
            .accept_encoding(AutoHeaderValue::None)
            // Many threads may share one client: keep a connection per busy
            // thread instead of ureq's default of 3, so load does not churn.
            .max_idle_connections_per_host(MAX_IDLE_CONNECTIONS)
            .max_idle_connections(MAX_IDLE_CONNECTIONS)
            .tls_config(trust::tls_config(options)?)
            .build();
        Ok(Transport {
            absolute_form: absolute_form::agent(config.clone()),
            // ureq's default chain, with tcc's TCP transport (see
            // `tcp_transport`) and without SOCKS, which tcc does not offer.
            agent: Agent::with_parts(
                config,
                ().chain(ConnectProxyConnector::default())
                    .chain(TcpConnector)
                    .chain(RustlsConnector::default()),
                CachingResolver::default(),
            ),
            proxies: Proxies::new(&options.proxy, |name| std::env::var(name).ok())?,
            retry: RetryPolicy {
                max_attempts: options.max_attempts,
            },
            max_redirects: options.max_redirects,
            max_response_bytes: options.max_response_bytes,
            connect_timeout_ms: options.connect_timeout.as_millis(),
            stall_timeout_ms: options.stall_timeout.as_millis(),
        })
    }

    /// A request as the client's policies want it sent: retried when it
    /// fails for a passing reason, same-origin redirects followed when
    /// enabled. `headers_for` builds the headers for a target (credentials
    /// and signature included). The response records the attempts made.
    pub fn request(
        &self,
        target: &Target,
        body: Option<&[u8]>,
        deadline: Deadline,
        headers_for: &HeadersFor<'_>,
    ) -> Result<HttpResponse, Error> {
        self.retry.run(deadline, || {
            redirect::send_following(
                self,
                target,
                body,
                self.max_redirects,
                deadline,
                headers_for,
            )
        })
    }

    /// Sends one request and reads the whole response, status errors
    /// included. `Host` and `User-Agent` are among `headers` (see
    /// [`Target`]), so ureq adds neither and an AK/SK signature covers
    /// exactly what is sent.
    pub fn send(&self, request: Request<'_>, deadline: Deadline) -> Result<HttpResponse, Error> {
        // A call may make several requests: each gets what is left of its
        // deadline. The agent's own global timeout is the whole call's, so
        // a request that starts right away (the common first one) needs no
        // request-level copy of the configuration: it may overrun the
        // deadline by at most the slack.
        let remaining = deadline.remaining()?;
        let own_deadline = (remaining + DEADLINE_SLACK < deadline.timeout()).then_some(remaining);
        let target = request.target;

        // Where to connect, and what the proxy needs to hear.
        let https = target.uri.scheme_str() == Some("https");
        let (agent, uri, tunnel, proxy_login) = match self.proxies.for_uri(&target.uri) {
            None => (&self.agent, target.uri.clone(), None, None),
            Some(p) if https => (
                &self.agent,
                target.uri.clone(),
                Some(p.tunnel().clone()),
                None,
            ),
            Some(p) => (
                &self.absolute_form,
                via_proxy(&p.origin(), &target.uri)?,
                None,
                p.login().cloned(),
            ),
        };

        let response = match request.body {
            None => {
                let http_request = http_request((), Method::GET, uri, request.headers, proxy_login);
                run(agent, http_request, own_deadline, tunnel)
            }
            Some(body) => {
                let http_request =
                    http_request(body, Method::POST, uri, request.headers, proxy_login);
                run(agent, http_request, own_deadline, tunnel)
            }
        }
        .map_err(|e| self.transport_error(e, deadline))?;

        let status = response.status().as_u16();
        // One pass over the few headers a response has, instead of a hashed
        // lookup per name wanted. Of a repeated header the first counts.
        const WANTED: [HeaderName; 5] = [
            X_REQUEST_ID,
            CONTENT_TYPE,
            LOCATION,
            RETRY_AFTER,
            X_SUBJECT_TOKEN,
        ];
        let mut found: [Option<&HeaderValue>; 5] = [None; 5];
        for (name, value) in response.headers() {
            if let Some(i) = WANTED.iter().position(|wanted| wanted == name) {
                found[i].get_or_insert(value);
            }
        }
        let [request_id, content_type, location, retry_after, subject_token] =
            found.map(|value| value.and_then(|v| v.to_str().ok()).map(str::to_owned));
        // Only IAM's token response has it; wrapped at once so it is wiped after use.
        let subject_token = subject_token.map(Secret::new);
        let too_large = |what: String| {
            Error::new(
                ErrorKind::ResponseTooLarge,
                format!("response too large: {what}"),
            )
            .with_http_status(status)
            .with_request_id(request_id.clone())
        };
        // A declared length over the limit fails before a byte of the body is read.
        let declared = response.body().content_length();
        if let Some(length) = declared.filter(|n| *n > self.max_response_bytes) {
            return Err(too_large(format!(
                "the body is {length} bytes (Content-Length), over the limit of {} bytes",
                self.max_response_bytes
            )));
        }
        // Sized from Content-Length (already checked against the limit), so
        // reading does not grow the buffer step by step.
        let mut body = Vec::with_capacity(declared.unwrap_or(0) as usize);
        response
            .into_body()
            .into_with_config()
            .limit(self.max_response_bytes)
            .reader()
            .read_to_end(&mut body)
            .map_err(ureq::Error::from)
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(limit) => {
                    too_large(format!("the body is over the limit of {limit} bytes"))
                }
                e => self
                    .transport_error(e, deadline)
                    .with_http_status(status)
                    .with_request_id(request_id.clone()),
            })?;
        Ok(HttpResponse {
            status,
            request_id,
            content_type,
            subject_token,
            location,
            retry_after,
            body,
            attempts: 1,
        })
    }

    /// Classifies a failure below HTTP. ureq's messages name the URL at
    /// most, and neither endpoints nor proxy URIs given to ureq carry user
    /// info, so they hold no secret.
    fn transport_error(&self, e: ureq::Error, deadline: Deadline) -> Error {
        use ureq::Error as U;
        let (kind, message) = match &e {
            U::Timeout(which) => (ErrorKind::Timeout, self.timeout_message(*which, deadline)),
            U::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                (ErrorKind::Timeout, format!("timed out: {e}"))
            }
            U::Tls(_) | U::Pem(_) | U::Rustls(_) => (ErrorKind::Tls, format!("TLS failure: {e}")),
            U::Io(io) if is_tls_io_error(io) => (ErrorKind::Tls, format!("TLS failure: {e}")),
            U::BodyExceedsLimit(_) | U::LargeResponseHeader(..) => (
                ErrorKind::ResponseTooLarge,
                format!("response too large: {e}"),
            ),
            // ureq parses at most 128 header fields: more is a head too large,
            // whatever its size in bytes. (ureq-proto's error type is not
            // re-exported, so its message tells.)
            U::Protocol(p) if p.to_string().contains("too many headers") => (
                ErrorKind::ResponseTooLarge,
                "response too large: more than 128 header fields".to_owned(),
            ),
            U::Protocol(_) => (
                ErrorKind::BadResponse,
                format!("malformed HTTP response: {e}"),
            ),
            U::ConnectProxyFailed(why) => return proxy_refusal(why),
            _ => (ErrorKind::Network, format!("network failure: {e}")),
        };
        Error::new(kind, message)
    }

    fn timeout_message(&self, which: Timeout, deadline: Deadline) -> String {
        match which {
            Timeout::Global | Timeout::PerCall => deadline.passed().message().to_owned(),
            Timeout::Connect => format!(
                "timed out: no connection within the connect timeout ({} ms)",
                self.connect_timeout_ms
            ),
            Timeout::PerRead => format!(
                "timed out: the server sent nothing for {} ms (stall timeout)",
                self.stall_timeout_ms
            ),
            Timeout::PerWrite => format!(
                "timed out: the server took nothing for {} ms (stall timeout)",
                self.stall_timeout_ms
            ),
            other => format!("timed out: {other}"),
        }
    }
}

/// The request for ureq, built directly: ureq's request builder would
/// parse and copy each header again and move the whole request per header.
fn http_request<B>(
    body: B,
    method: Method,
    uri: Uri,
    headers: Vec<(HeaderName, HeaderValue)>,
    proxy_login: Option<HeaderValue>,
) -> ureq::http::Request<B> {
    let mut request = ureq::http::Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    let map = request.headers_mut();
    map.reserve(headers.len() + 1);
    for (name, value) in headers {
        map.append(name, value);
    }
    if let Some(login) = proxy_login {
        map.append(ureq::http::header::PROXY_AUTHORIZATION, login);
    }
    request
}

/// Sends a request with what it needs beyond the agent's configuration:
/// the time left of the deadline and the `CONNECT` proxy (the agents have
/// none). A request-level configuration copies the agent's, so it is only
/// made when one of them is wanted.
fn run<B: ureq::AsSendBody>(
    agent: &Agent,
    request: ureq::http::Request<B>,
    remaining: Option<std::time::Duration>,
    tunnel: Option<ureq::Proxy>,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    if remaining.is_none() && tunnel.is_none() {
        return agent.run(request);
    }
    let request = agent
        .configure_request(request)
        .timeout_global(remaining)
        .proxy(tunnel)
        .build();
    agent.run(request)
}

/// The proxy's URI with the target's path and query: ureq connects to the
/// proxy, and `absolute_form` puts the target's authority back in.
fn via_proxy(proxy_origin: &str, target: &Uri) -> Result<Uri, Error> {
    let path = target.path_and_query().map_or("/", |p| p.as_str());
    format!("{proxy_origin}{path}").parse().map_err(|_| {
        Error::new(
            ErrorKind::Config,
            "the proxy and the endpoint do not make a valid URL",
        )
    })
}

/// A proxy that answered `CONNECT` with an error status: the status is kept
/// (`ErrorKind::Http`, not retried) unless it is a 5xx, the proxy's way of
/// saying it could not reach the server (`ErrorKind::Network`, retried).
fn proxy_refusal(why: &str) -> Error {
    let message = format!("the proxy refused the tunnel: {why}");
    let status = why
        .strip_prefix("proxy server responded ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok());
    match status {
        Some(status) if status < 500 => {
            Error::new(ErrorKind::Http, message).with_http_status(status)
        }
        _ => Error::new(ErrorKind::Network, message),
    }
}

/// rustls reports handshake failures through `io::Error`s that wrap a `rustls::Error`.
fn is_tls_io_error(io: &std::io::Error) -> bool {
    io.get_ref()
        .is_some_and(|inner| inner.is::<rustls::Error>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_refusals_keep_the_status() {
        let e = proxy_refusal("proxy server responded 407/Proxy Authentication Required");
        assert_eq!((e.kind(), e.http_status()), (ErrorKind::Http, Some(407)));
        assert_eq!(
            e.message(),
            "the proxy refused the tunnel: proxy server responded 407/Proxy Authentication Required"
        );
        let e = proxy_refusal("proxy server responded 502/Bad Gateway");
        assert_eq!((e.kind(), e.http_status()), (ErrorKind::Network, None));
        let e = proxy_refusal("proxy server did not respond");
        assert_eq!(e.kind(), ErrorKind::Network);
    }
}
