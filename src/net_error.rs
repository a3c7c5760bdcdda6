//! Failures below HTTP (connecting, TLS, a proxy's tunnel, reading and
//! writing), as ureq's connectors and transports report them, turned into
//! tcc's errors with the limit that ran out named.

use ureq::Timeout;

use crate::deadline::Deadline;
use crate::error::{Error, ErrorKind};

/// What a client's messages name: its configured timeouts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NetErrors {
    pub connect_timeout_ms: u128,
    pub stall_timeout_ms: u128,
}

impl NetErrors {
    /// ureq's messages name a URL at most, and neither endpoints nor proxy
    /// URIs given to ureq carry user info, so they hold no secret.
    pub fn classify(&self, e: ureq::Error, deadline: Deadline) -> Error {
        use ureq::Error as U;
        let (kind, message) = match &e {
            U::Timeout(which) => (ErrorKind::Timeout, self.timeout_message(*which, deadline)),
            U::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                (ErrorKind::Timeout, format!("timed out: {e}"))
            }
            U::Tls(_) | U::Pem(_) | U::Rustls(_) => (ErrorKind::Tls, format!("TLS failure: {e}")),
            U::Io(io) if is_tls_io_error(io) => (ErrorKind::Tls, format!("TLS failure: {e}")),
            // Only a proxy's answer to CONNECT is parsed by ureq.
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

    #[test]
    fn timeouts_name_the_limit_that_ran_out() {
        let names = NetErrors {
            connect_timeout_ms: 10,
            stall_timeout_ms: 20,
        };
        let deadline = Deadline::after(std::time::Duration::from_millis(30));
        let message = |t| {
            names
                .classify(ureq::Error::Timeout(t), deadline)
                .message()
                .to_owned()
        };
        assert_eq!(
            message(Timeout::Connect),
            "timed out: no connection within the connect timeout (10 ms)"
        );
        assert_eq!(
            message(Timeout::PerRead),
            "timed out: the server sent nothing for 20 ms (stall timeout)"
        );
        assert_eq!(
            message(Timeout::Global),
            "timed out: the call's deadline (30 ms) passed"
        );
    }
}
