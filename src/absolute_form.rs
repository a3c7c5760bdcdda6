//! Plain-HTTP requests through a proxy, in absolute form.
//!
//! A proxy expects `GET http://host/path HTTP/1.1` for an `http://` URL
//! (RFC 9112 section 3.2.2). ureq only knows `CONNECT` tunnels, which many
//! proxies refuse for any port but 443, and it always writes the request
//! line in origin form (`GET /path`). So for these requests tcc connects to
//! the proxy as if it were the server and this transport rewrites each
//! request line to absolute form, taking the authority from the request's
//! own `Host` header, which tcc always sets to the target's `host[:port]`.
//! Everything else (pooling, timeouts, the response) stays ureq's.
//!
//! This uses ureq's `unversioned` transport API, which may change in a minor
//! release: Cargo.toml pins ureq to 3.5.x for that reason.

use std::fmt;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use ureq::Agent;

use crate::resolver::CachingResolver;
use crate::tcp_transport::TcpConnector;

/// An agent for requests whose URI is the proxy's (with the target's path
/// and `Host`): plain TCP to the proxy, request lines in absolute form.
pub(crate) fn agent(config: ureq::config::Config) -> Agent {
    let connector = ().chain(TcpConnector).chain(AbsoluteFormConnector);
    Agent::with_parts(config, connector, CachingResolver::default())
}

#[derive(Debug)]
struct AbsoluteFormConnector;

impl<In: Transport> Connector<In> for AbsoluteFormConnector {
    type Out = AbsoluteForm<In>;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| AbsoluteForm {
            inner,
            at_request_start: true,
        }))
    }
}

struct AbsoluteForm<T> {
    inner: T,
    /// The next bytes written start a request: on a new connection, and
    /// after a response was read (connections are reused).
    at_request_start: bool,
}

impl<T: Transport> fmt::Debug for AbsoluteForm<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbsoluteForm")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<T: Transport> Transport for AbsoluteForm<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if !self.at_request_start {
            return self.inner.transmit_output(amount, timeout);
        }
        self.at_request_start = false;
        let rewritten = to_absolute_form(&self.inner.buffers().output()[..amount])?;
        // Longer than what ureq wrote, so it may need more than one buffer.
        for chunk in rewritten.chunks(self.inner.buffers().output().len()) {
            self.inner.buffers().output()[..chunk.len()].copy_from_slice(chunk);
            self.inner.transmit_output(chunk.len(), timeout)?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        // Reading means the request was sent: what is written next is a new one.
        self.at_request_start = true;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }
}

/// `GET /path HTTP/1.1\r\n...Host: h\r\n...` into `GET http://h/path ...`.
/// The request line and headers are in the first write (ureq writes them
/// together, in a buffer far larger than tcc's headers).
fn to_absolute_form(request: &[u8]) -> Result<Vec<u8>, ureq::Error> {
    let malformed = || ureq::Error::Other("tcc could not rewrite a request for the proxy".into());
    let head_end = find(request, b"\r\n\r\n").ok_or_else(malformed)?;
    let head = std::str::from_utf8(&request[..head_end]).map_err(|_| malformed())?;
    let (request_line, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    let (method, origin_form) = request_line.split_once(' ').ok_or_else(malformed)?;
    if !origin_form.starts_with('/') {
        return Err(malformed());
    }
    let host = headers
        .split("\r\n")
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("host")
                .then(|| value.trim())
        })
        .filter(|host| !host.is_empty())
        .ok_or_else(malformed)?;
    let mut out = Vec::with_capacity(request.len() + host.len() + 7);
    out.extend_from_slice(method.as_bytes());
    out.extend_from_slice(b" http://");
    out.extend_from_slice(host.as_bytes());
    out.extend_from_slice(&request[method.len() + 1..]);
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    #[test]
    fn rewrites_the_request_line_only() {
        let request =
            b"GET /v2/x?a=1 HTTP/1.1\r\nuser-agent: tcc\r\nHOST: osm.invalid:8080\r\n\r\nbody";
        let out = to_absolute_form(request).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "GET http://osm.invalid:8080/v2/x?a=1 HTTP/1.1\r\nuser-agent: tcc\r\nHOST: osm.invalid:8080\r\n\r\nbody"
        );
        for bad in [
            &b"GET /x HTTP/1.1\r\nuser-agent: tcc\r\n\r\n"[..],
            b"GET /x HTTP/1.1\r\nhost: h\r\n",
            b"GET http://h/x HTTP/1.1\r\nhost: h\r\n\r\n",
            b"GET /x HTTP/1.1\r\nhost:\r\n\r\n",
        ] {
            assert!(
                to_absolute_form(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn every_request_on_a_kept_alive_connection_is_rewritten() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut lines = Vec::new();
            for _ in 0..2 {
                let mut buf = [0u8; 4096];
                let n = socket.read(&mut buf).unwrap();
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                lines.push(text.lines().next().unwrap().to_owned());
                socket
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .unwrap();
            }
            lines
        });
        let agent = agent(Agent::config_builder().proxy(None).build());
        for path in ["/one", "/two?x=1"] {
            let mut response = agent
                .get(format!("http://127.0.0.1:{port}{path}"))
                .header("Host", "osm.invalid")
                .call()
                .unwrap();
            assert_eq!(response.body_mut().read_to_string().unwrap(), "ok");
        }
        assert_eq!(
            server.join().unwrap(),
            [
                "GET http://osm.invalid/one HTTP/1.1",
                "GET http://osm.invalid/two?x=1 HTTP/1.1"
            ]
        );
    }
}
