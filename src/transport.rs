//! HTTP for one client: a single `ureq` agent, built once, whose connection
//! pool keeps connections alive across calls and threads. TLS verification is
//! always on; the roots are the bundled Mozilla set or the user's CA file.

use std::fs;

use ureq::config::AutoHeaderValue;
use ureq::http::{HeaderName, HeaderValue};
use ureq::tls::{parse_pem, PemItem, RootCerts, TlsConfig};
use ureq::Agent;

use crate::config::ClientOptions;
use crate::deadline::Deadline;
use crate::endpoint::Target;
use crate::error::{Error, ErrorKind};
use crate::response::HttpResponse;
use crate::secret::Secret;

/// Sent on every request so the service can tell tcc's traffic apart.
pub const USER_AGENT: &str = concat!("tcc/", env!("CARGO_PKG_VERSION"));

/// Idle keep-alive connections kept per client.
const MAX_IDLE_CONNECTIONS: usize = 32;

/// One request: a GET when `body` is `None`, else a POST of `body`.
pub struct Request<'a> {
    pub target: &'a Target,
    /// Every header to send, `Host` and `User-Agent` included.
    pub headers: &'a [(HeaderName, HeaderValue)],
    pub body: Option<&'a [u8]>,
}

pub struct Transport {
    agent: Agent,
    max_response_bytes: u64,
}

impl Transport {
    pub fn new(options: &ClientOptions) -> Result<Self, Error> {
        let config = Agent::config_builder()
            // Statuses are data here: the error body carries the service's code.
            .http_status_as_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_global(Some(options.timeout))
            // Following a redirect could hand credentials to another host.
            .max_redirects(0)
            .user_agent(USER_AGENT)
            // Only the documented headers: no Accept, no Accept-Encoding.
            .accept(AutoHeaderValue::None)
            .accept_encoding(AutoHeaderValue::None)
            // Many threads may share one client: keep a connection per busy
            // thread instead of ureq's default of 3, so load does not churn.
            .max_idle_connections_per_host(MAX_IDLE_CONNECTIONS)
            .max_idle_connections(MAX_IDLE_CONNECTIONS)
            .tls_config(tls_config(options)?)
            .build();
        Ok(Transport {
            agent: config.new_agent(),
            max_response_bytes: options.max_response_bytes,
        })
    }

    /// Sends a request and reads the whole response, status errors included.
    /// `Host` and `User-Agent` are among `headers` (see [`Target`]), so ureq
    /// adds neither and an AK/SK signature covers exactly what is sent.
    pub fn send(&self, request: &Request<'_>, deadline: Deadline) -> Result<HttpResponse, Error> {
        // A call may make several requests: each gets what is left of its deadline.
        let remaining = deadline.remaining()?;
        let target = request.target;
        let response = match request.body {
            None => {
                let mut builder = self
                    .agent
                    .get(target.uri.clone())
                    .config()
                    .timeout_global(Some(remaining))
                    .build();
                for (name, value) in request.headers {
                    builder = builder.header(name, value);
                }
                builder.call()
            }
            Some(body) => {
                let mut builder = self
                    .agent
                    .post(target.uri.clone())
                    .config()
                    .timeout_global(Some(remaining))
                    .build();
                for (name, value) in request.headers {
                    builder = builder.header(name, value);
                }
                builder.send(body)
            }
        }
        .map_err(transport_error)?;
        let status = response.status().as_u16();
        let header_text = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header_text("x-request-id");
        let content_type = header_text("content-type");
        // Only IAM's token response has it; wrapped at once so it is wiped after use.
        let subject_token = header_text("x-subject-token").map(Secret::new);
        let body = response
            .into_body()
            .with_config()
            .limit(self.max_response_bytes)
            .read_to_vec()
            .map_err(|e| {
                transport_error(e)
                    .with_http_status(status)
                    .with_request_id(request_id.clone())
            })?;
        Ok(HttpResponse {
            status,
            request_id,
            content_type,
            subject_token,
            body,
        })
    }
}

fn tls_config(options: &ClientOptions) -> Result<TlsConfig, Error> {
    let mut builder = TlsConfig::builder();
    if let Some(path) = &options.ca_file {
        let shown = path.display();
        let pem = fs::read(path).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("cannot read CA file {shown}: {e}"),
            )
        })?;
        let mut certs = Vec::new();
        for item in parse_pem(&pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => certs.push(cert),
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::new(
                        ErrorKind::Config,
                        format!("CA file {shown} is not valid PEM: {e}"),
                    ))
                }
            }
        }
        if certs.is_empty() {
            return Err(Error::new(
                ErrorKind::Config,
                format!("CA file {shown} holds no PEM certificate"),
            ));
        }
        builder = builder.root_certs(RootCerts::new_with_certs(&certs));
    }
    Ok(builder.build())
}

/// Classifies a failure below HTTP. ureq's messages name the URL at most,
/// and endpoints never carry user info, so they hold no secret.
fn transport_error(e: ureq::Error) -> Error {
    use ureq::Error as U;
    let kind = match &e {
        U::Timeout(_) => ErrorKind::Timeout,
        U::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => ErrorKind::Timeout,
        U::Tls(_) | U::Pem(_) | U::Rustls(_) => ErrorKind::Tls,
        U::Io(io) if is_tls_io_error(io) => ErrorKind::Tls,
        U::BodyExceedsLimit(_) | U::LargeResponseHeader(..) => ErrorKind::ResponseTooLarge,
        U::Protocol(_) => ErrorKind::BadResponse,
        _ => ErrorKind::Network,
    };
    let what = match kind {
        ErrorKind::Timeout => "timed out",
        ErrorKind::Tls => "TLS failure",
        ErrorKind::ResponseTooLarge => "response too large",
        ErrorKind::BadResponse => "malformed HTTP response",
        _ => "network failure",
    };
    Error::new(kind, format!("{what}: {e}"))
}

/// rustls reports handshake failures through `io::Error`s that wrap a `rustls::Error`.
fn is_tls_io_error(io: &std::io::Error) -> bool {
    io.get_ref()
        .is_some_and(|inner| inner.is::<rustls::Error>())
}
