//! HTTP/1.1 wire format: finding and parsing a request head, writing a
//! response. No I/O policy here (timeouts, keep-alive) — see `connection.rs`.

use std::io::{self, Write};

/// A parsed request line plus header fields.
#[derive(Debug, Clone)]
pub(crate) struct RequestHead {
    pub method: String,
    pub target: String,
    /// The `x` in `HTTP/1.x`; decides the default connection persistence.
    pub minor_version: u8,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadRequest;

impl RequestHead {
    /// First value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Body length announced by `Content-Length` (0 when absent). Conflicting
    /// or malformed values are rejected: guessing would desync the connection.
    pub fn content_length(&self) -> Result<u64, BadRequest> {
        let mut length = None;
        for value in self.header_values("content-length") {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BadRequest);
            }
            let n: u64 = value.parse().map_err(|_| BadRequest)?;
            if length.is_some_and(|l| l != n) {
                return Err(BadRequest);
            }
            length = Some(n);
        }
        Ok(length.unwrap_or(0))
    }

    /// Whether the client asked for (or, with HTTP/1.0, defaulted to) closing
    /// the connection after this exchange.
    pub fn wants_close(&self) -> bool {
        let has_token = |token: &str| {
            self.header_values("connection")
                .flat_map(|v| v.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.minor_version == 0 {
            !has_token("keep-alive")
        } else {
            has_token("close")
        }
    }
}

/// Index just past the blank line that ends a request head, if `buf` holds one.
/// Bare `\n` line ends are accepted, as RFC 9112 allows.
pub(crate) fn find_head_end(buf: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(pos) = buf[i..].iter().position(|&b| b == b'\n') {
        let nl = i + pos;
        match buf.get(nl + 1) {
            Some(b'\n') => return Some(nl + 2),
            Some(b'\r') if buf.get(nl + 2) == Some(&b'\n') => return Some(nl + 3),
            _ => i = nl + 1,
        }
    }
    None
}

/// Number of empty lines (`\r\n` or `\n`) at the start of `buf`; RFC 9112 asks
/// servers to ignore them before a request line.
pub(crate) fn leading_empty_lines(buf: &[u8]) -> usize {
    let mut i = 0;
    loop {
        if buf[i..].starts_with(b"\r\n") {
            i += 2;
        } else if buf[i..].starts_with(b"\n") {
            i += 1;
        } else {
            return i;
        }
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Parses a request head (request line and header fields, terminator optional).
pub(crate) fn parse_head(head: &[u8]) -> Result<RequestHead, BadRequest> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));

    let request_line =
        std::str::from_utf8(lines.next().ok_or(BadRequest)?).map_err(|_| BadRequest)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(BadRequest);
    };
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(BadRequest);
    }
    if target.is_empty() || target.bytes().any(|b| b.is_ascii_control()) {
        return Err(BadRequest);
    }
    let minor_version = match version {
        "HTTP/1.1" => 1,
        "HTTP/1.0" => 0,
        _ => return Err(BadRequest),
    };

    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        // Obsolete line folding is not worth supporting; RFC 9112 permits rejecting it.
        let colon = line.iter().position(|&b| b == b':').ok_or(BadRequest)?;
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
            return Err(BadRequest);
        }
        let value = String::from_utf8_lossy(&line[colon + 1..]);
        headers.push((
            String::from_utf8_lossy(name).into_owned(),
            value.trim_matches([' ', '\t']).to_owned(),
        ));
    }

    Ok(RequestHead {
        method: method.to_owned(),
        target: target.to_owned(),
        minor_version,
        headers,
    })
}

pub(crate) const JSON: &str = "application/json;charset=UTF-8";

/// A complete response; the connection adds `X-Request-Id` and `Connection`.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    /// Empty: no `Content-Type` field.
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// No body and no `Content-Type`.
    pub fn empty(status: u16) -> Response {
        Response::new(status, "", Vec::new())
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, JSON, value.to_string())
    }

    /// The `{"error_code":..,"error_msg":..}` shape used by OSM and its gateway.
    pub fn error(status: u16, code: &str, msg: &str) -> Response {
        Response::json(
            status,
            &serde_json::json!({ "error_code": code, "error_msg": msg }),
        )
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The `Content-Length` the response announces for its own body: none
    /// for 204 and 304, which never have a body (RFC 9110 8.6).
    fn own_content_length(&self) -> Option<u64> {
        (!matches!(self.status, 204 | 304)).then_some(self.body.len() as u64)
    }

    /// Status line and header fields, up to and including the blank line,
    /// announcing `content_length` (no `Content-Length` field when `None`),
    /// whatever the body really is: misbehaving scenarios lie about it.
    pub fn head(&self, request_id: &str, close: bool, content_length: Option<u64>) -> String {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        if !self.content_type.is_empty() {
            head.push_str(&format!("Content-Type: {}\r\n", self.content_type));
        }
        if let Some(length) = content_length {
            head.push_str(&format!("Content-Length: {length}\r\n"));
        }
        head.push_str(&format!("X-Request-Id: {request_id}\r\n"));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        head
    }

    /// The whole response as it goes on the wire.
    pub fn to_bytes(&self, request_id: &str, close: bool) -> Vec<u8> {
        let mut bytes = self
            .head(request_id, close, self.own_content_length())
            .into_bytes();
        if self.own_content_length().is_some() {
            bytes.extend_from_slice(&self.body);
        }
        bytes
    }

    pub fn write_to(&self, out: &mut impl Write, request_id: &str, close: bool) -> io::Result<()> {
        let head = self.head(request_id, close, self.own_content_length());
        out.write_all(head.as_bytes())?;
        if self.own_content_length().is_some() {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Content Too Large",
        418 => "I'm a teapot",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_end_accepts_crlf_and_lf() {
        assert_eq!(
            find_head_end(b"GET / HTTP/1.1\r\nA: b\r\n\r\nrest"),
            Some(24)
        );
        assert_eq!(find_head_end(b"GET / HTTP/1.1\nA: b\n\nrest"), Some(21));
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\nA: b\r\n"), None);
    }

    #[test]
    fn parses_headers_in_order_with_trimmed_values() {
        let head =
            parse_head(b"GET /x?y=1 HTTP/1.1\r\nHost: h\r\nX-Auth-Token:  t \r\n\r\n").unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/x?y=1");
        assert_eq!(
            head.headers,
            vec![
                ("Host".to_owned(), "h".to_owned()),
                ("X-Auth-Token".to_owned(), "t".to_owned())
            ]
        );
        assert_eq!(head.header("x-auth-token"), Some("t"));
        assert!(!head.wants_close());
    }

    #[test]
    fn rejects_malformed_heads() {
        assert_eq!(parse_head(b"GET /\r\n\r\n").unwrap_err(), BadRequest);
        assert_eq!(
            parse_head(b"GET / HTTP/2.0\r\n\r\n").unwrap_err(),
            BadRequest
        );
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nNoColon\r\n\r\n").unwrap_err(),
            BadRequest
        );
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n").unwrap_err(),
            BadRequest
        );
    }

    #[test]
    fn content_length_rules() {
        let len = |h: &[u8]| parse_head(h).unwrap().content_length();
        assert_eq!(len(b"GET / HTTP/1.1\r\n\r\n"), Ok(0));
        assert_eq!(len(b"GET / HTTP/1.1\r\nContent-Length: 12\r\n\r\n"), Ok(12));
        assert_eq!(
            len(b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
            Err(BadRequest)
        );
        assert_eq!(
            len(b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            Err(BadRequest)
        );
    }

    #[test]
    fn connection_persistence() {
        let close = |h: &[u8]| parse_head(h).unwrap().wants_close();
        assert!(close(
            b"GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n"
        ));
        assert!(close(b"GET / HTTP/1.0\r\n\r\n"));
        assert!(!close(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    }
}
