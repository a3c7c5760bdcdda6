//! HTTP for one client: a pool that keeps connections alive across calls
//! and threads, and the policies every request follows (retries,
//! redirects, proxies, limits, timeouts). Messages are tcc's own HTTP/1.1
//! (`http1`); connections come from ureq's connectors (`dialer`).
//!
//! Timeouts, three of them:
//! - connect: TCP connect and TLS handshake (and a proxy's CONNECT);
//! - stall: the longest wait for the next bytes while sending or receiving,
//!   so a server that accepts and then goes silent is given up on early
//!   (and the request retried while the deadline allows);
//! - the call's deadline, which bounds every connect, read and write, so a
//!   server that trickles a byte a second still ends on time.
//!
//! TLS verification is always on; see `trust` for the roots.

use ureq::http::header::PROXY_AUTHORIZATION;
use ureq::http::{HeaderName, HeaderValue, Uri};

use crate::config::ClientOptions;
use crate::connection::{Connection, Io};
use crate::connection_pool::ConnectionPool;
use crate::deadline::Deadline;
use crate::dialer::Dialer;
use crate::endpoint::Target;
use crate::error::{Error, ErrorKind};
use crate::http1::{self, Limits};
use crate::net_error::NetErrors;
use crate::proxy::Proxies;
use crate::redirect;
use crate::response::HttpResponse;
use crate::retry::RetryPolicy;
use crate::trust;

/// Sent on every request so the service can tell tcc's traffic apart.
pub const USER_AGENT: &str = concat!("tcc/", env!("CARGO_PKG_VERSION"));

/// Builds a request's headers for a target, credentials and signature
/// included: called again for each attempt and each redirect.
pub(crate) type HeadersFor<'a> =
    dyn Fn(&Target) -> Result<Vec<(HeaderName, HeaderValue)>, Error> + 'a;

/// One request: a GET when `body` is `None`, else a POST of `body`.
pub struct Request<'a> {
    pub target: &'a Target,
    /// Every header to send, `Host` and `User-Agent` included.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<&'a [u8]>,
}

pub struct Transport {
    /// Idle kept-alive connections, shared by the client's threads.
    pool: ConnectionPool,
    /// Makes the connections the pool has none of.
    dialer: Dialer,
    proxies: Proxies,
    retry: RetryPolicy,
    max_redirects: u32,
    limits: Limits,
    stall_timeout: std::time::Duration,
    errors: NetErrors,
}

impl Transport {
    pub fn new(options: &ClientOptions) -> Result<Self, Error> {
        Ok(Transport {
            pool: ConnectionPool::default(),
            dialer: Dialer::new(
                trust::tls_config(options)?,
                options.max_header_bytes,
                options.connect_timeout,
            ),
            proxies: Proxies::new(&options.proxy, |name| std::env::var(name).ok())?,
            retry: RetryPolicy {
                max_attempts: options.max_attempts,
            },
            max_redirects: options.max_redirects,
            limits: Limits {
                max_header_bytes: options.max_header_bytes,
                max_body_bytes: options.max_response_bytes,
            },
            stall_timeout: options.stall_timeout,
            errors: NetErrors {
                connect_timeout_ms: options.connect_timeout.as_millis(),
                stall_timeout_ms: options.stall_timeout.as_millis(),
            },
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

    /// Sends one request on a pooled connection (or a new one) and reads
    /// the whole response, status errors included. `Host` and `User-Agent`
    /// are among `headers` (see [`Target`]), so an AK/SK signature covers
    /// exactly what is sent. The connection goes back into the pool when
    /// the response left it fit for another request.
    pub fn send(&self, request: Request<'_>, deadline: Deadline) -> Result<HttpResponse, Error> {
        let target = request.target;
        let uri = &target.uri;
        let https = uri.scheme_str() == Some("https");
        let authority = uri.authority().map_or("", |a| a.as_str());
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let proxy = self.proxies.for_uri(uri);
        let io = Io {
            deadline,
            stall: self.stall_timeout,
            errors: &self.errors,
        };

        // An `http://` request through a proxy names its target in full
        // (absolute form, RFC 9112 section 3.2.2) and carries the proxy's
        // login; an `https://` one goes through a `CONNECT` tunnel instead.
        let mut headers = request.headers;
        let absolute_form;
        let request_target = match proxy {
            Some(p) if !https => {
                if let Some(login) = p.login() {
                    headers.push((PROXY_AUTHORIZATION, login.clone()));
                }
                absolute_form = format!("http://{authority}{path}");
                absolute_form.as_str()
            }
            _ => path,
        };

        let mut connection = match self.pool.take(https, authority) {
            Some(connection) => connection,
            None => {
                let transport = match proxy {
                    None => self.dialer.dial(uri, None, deadline, &self.errors)?,
                    Some(p) if https => {
                        self.dialer
                            .dial(uri, Some(p.tunnel()), deadline, &self.errors)?
                    }
                    Some(p) => {
                        self.dialer
                            .dial(&proxy_uri(&p.origin())?, None, deadline, &self.errors)?
                    }
                };
                Connection::new(transport, https, authority)
            }
        };

        let method = if request.body.is_some() {
            "POST"
        } else {
            "GET"
        };
        http1::write_request(
            &mut connection.head,
            method,
            request_target,
            &headers,
            request.body,
        );
        connection.send_head(io)?;
        let (response, reusable) = http1::read_response(&mut connection.wire(io), self.limits)?;
        if reusable {
            self.pool.put(connection);
        }
        Ok(response)
    }
}

/// The proxy's own URI, to connect to it for absolute-form requests.
fn proxy_uri(origin: &str) -> Result<Uri, Error> {
    origin.parse().map_err(|_| {
        Error::new(
            ErrorKind::Config,
            "the proxy's host is not usable; check the proxy URL",
        )
    })
}
