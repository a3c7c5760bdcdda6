//! New connections, made by ureq's connectors: TCP (tcc's own, see
//! `tcp_transport`), a proxy's `CONNECT` tunnel and rustls. tcc speaks
//! HTTP/1.1 over them itself (see `http1`); this is the only place that
//! opens sockets, and it runs only when no pooled connection is usable.
//!
//! This uses ureq's `unversioned` transport API, which may change in a minor
//! release: Cargo.toml pins ureq to 3.5.x for that reason.

use std::sync::Arc;
use std::time::Duration;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::tls::TlsConfig;
use ureq::unversioned::resolver::Resolver;
use ureq::unversioned::transport::{
    time::Instant, ConnectProxyConnector, ConnectionDetails, Connector, NextTimeout,
    RustlsConnector, Transport,
};
use ureq::{Proxy, Timeout};

use crate::deadline::Deadline;
use crate::error::Error;
use crate::net_error::NetErrors;
use crate::resolver::CachingResolver;
use crate::tcp_transport::TcpConnector;

/// The chain, boxed: ureq's `CONNECT` connector runs it again to reach the
/// proxy itself.
type Chain = dyn Connector<(), Out = Box<dyn Transport>>;

/// Each connection's input buffer must hold a whole response head.
const MIN_INPUT_BUFFER: usize = 128 * 1024;

/// Requests are small; longer ones (a large IAM token) go out in pieces.
const OUTPUT_BUFFER: usize = 16 * 1024;

pub(crate) struct Dialer {
    chain: Arc<Chain>,
    /// For direct connections; a tunnel's adds its proxy.
    config: Config,
    tls: TlsConfig,
    input_buffer: usize,
    resolver: CachingResolver,
    connect_timeout: Duration,
}

impl Dialer {
    pub fn new(tls: TlsConfig, max_header_bytes: usize, connect_timeout: Duration) -> Self {
        // ureq's default chain, with tcc's TCP transport and without SOCKS,
        // which tcc does not offer.
        let chain: Arc<Chain> = Arc::new(
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector)
                .chain(RustlsConnector::default())
                .chain(Boxed),
        );
        let input_buffer = MIN_INPUT_BUFFER.max(max_header_bytes + 1);
        Dialer {
            chain,
            config: config(&tls, input_buffer, None),
            tls,
            input_buffer,
            resolver: CachingResolver::default(),
            connect_timeout,
        }
    }

    /// Connects to `uri`'s host, through `tunnel` (a `CONNECT` proxy) when
    /// given, with TLS for `https`. The connect timeout and the call's
    /// deadline, whichever comes first, bound all of it.
    pub fn dial(
        &self,
        uri: &Uri,
        tunnel: Option<&Proxy>,
        deadline: Deadline,
        errors: &NetErrors,
    ) -> Result<Box<dyn Transport>, Error> {
        let left = deadline.remaining()?;
        let (after, reason) = if self.connect_timeout < left {
            (self.connect_timeout, Timeout::Connect)
        } else {
            (left, Timeout::Global)
        };
        let timeout = NextTimeout {
            after: after.into(),
            reason,
            ..NextTimeout::default()
        };
        let failed = |e| errors.classify(e, deadline);
        let tunnel_config;
        let (config, addrs) = match tunnel {
            None => (
                &self.config,
                self.resolver
                    .resolve(uri, &self.config, timeout)
                    .map_err(failed)?,
            ),
            // The proxy resolves the target's name; ureq's connector resolves the proxy's.
            Some(proxy) => {
                tunnel_config = config(&self.tls, self.input_buffer, Some(proxy.clone()));
                (&tunnel_config, self.resolver.empty())
            }
        };
        let chain = self.chain.clone();
        let details = ConnectionDetails {
            uri,
            addrs,
            config,
            request_level: false,
            resolver: &self.resolver,
            now: Instant::now(),
            timeout,
            current_time: Arc::new(Instant::now),
            run_connector: Arc::new(move |details: &ConnectionDetails| {
                chain
                    .connect(details, None)?
                    .ok_or(ureq::Error::ConnectionFailed)
            }),
            // Unused by tcc's connectors: calls end by their deadlines, not by a shutdown.
            register_shutdown: Arc::new(|_| Ok(())),
        };
        self.chain
            .connect(&details, None)
            .and_then(|t| t.ok_or(ureq::Error::ConnectionFailed))
            .map_err(failed)
    }
}

/// What ureq's connectors read from its configuration: the trust roots, the
/// proxy, the buffer sizes and the `User-Agent` of a `CONNECT`.
fn config(tls: &TlsConfig, input_buffer: usize, proxy: Option<Proxy>) -> Config {
    Config::builder()
        .tls_config(tls.clone())
        .proxy(proxy)
        .user_agent(crate::transport::USER_AGENT)
        .input_buffer_size(input_buffer)
        .output_buffer_size(OUTPUT_BUFFER)
        .build()
}

/// The chain's last link: erases the transport's type.
#[derive(Debug)]
struct Boxed;

impl<In: Transport> Connector<In> for Boxed {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|t| Box::new(t) as Box<dyn Transport>))
    }
}
