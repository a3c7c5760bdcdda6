//! HTTP/1.1 wire format: finding and parsing a request head, writing a
//! response. No I/O policy here (timeouts, keep-alive) — see `connection.rs`.

use std::borrow::Cow;
use std::io::{self, Write};

/// A parsed request line plus header fields, borrowed from the head's text
/// (see [`head_text`]): parsing allocates nothing but the header list.
#[derive(Debug, Clone)]
pub(crate) struct RequestHead<'a> {
    pub method: &'a str,
    pub target: &'a str,
    /// The `x` in `HTTP/1.x`; decides the default connection persistence.
    pub minor_version: u8,
    /// Names as received, values trimmed of spaces and tabs, in order.
    pub headers: Vec<(&'a str, &'a str)>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadRequest;

impl<'a> RequestHead<'a> {
    /// First value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }

    fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
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

/// A request head as text for [`parse_head`]: the request line must be valid
/// UTF-8; invalid UTF-8 in header fields becomes U+FFFD. Borrowed (no copy)
/// when the whole head is valid UTF-8, as it practically always is.
///
/// Converting the whole head at once gives the same text as converting each
/// field on its own: the line ends and colons that separate fields are
/// ASCII, which never belongs to an invalid sequence's maximal subpart.
pub(crate) fn head_text(head: &[u8]) -> Result<Cow<'_, str>, BadRequest> {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    std::str::from_utf8(&head[..line_end]).map_err(|_| BadRequest)?;
    Ok(String::from_utf8_lossy(head))
}

/// Parses a request head (request line and header fields, terminator
/// optional) from its text ([`head_text`]).
pub(crate) fn parse_head(head: &str) -> Result<RequestHead<'_>, BadRequest> {
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));

    let request_line = lines.next().ok_or(BadRequest)?;
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

    let mut headers = Vec::with_capacity(16);
    for line in lines {
        if line.is_empty() {
            break;
        }
        // Obsolete line folding is not worth supporting; RFC 9112 permits rejecting it.
        let (name, value) = line.split_once(':').ok_or(BadRequest)?;
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(BadRequest);
        }
        headers.push((name, value.trim_matches([' ', '\t'])));
    }

    Ok(RequestHead {
        method,
        target,
        minor_version,
        headers,
    })
}

pub(crate) const JSON: &str = "application/json;charset=UTF-8";

/// A response body: borrowed for the bodies built once and kept (see
/// `scenarios.rs`), owned for those made per request.
pub(crate) type Body = Cow<'static, [u8]>;

/// A complete response; the connection adds `X-Request-Id` and `Connection`.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    /// Empty: no `Content-Type` field.
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Body>) -> Response {
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
        Response::new(status, JSON, value.to_string().into_bytes())
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

    /// A copy of a response that lives for the whole process, sharing its
    /// body instead of copying it.
    pub fn share(&'static self) -> Response {
        Response {
            status: self.status,
            content_type: self.content_type,
            headers: self.headers.clone(),
            body: Cow::Borrowed(self.body.as_ref()),
        }
    }

    /// The `Content-Length` the response announces for its own body: none
    /// for 204 and 304, which never have a body (RFC 9110 8.6).
    pub fn own_content_length(&self) -> Option<u64> {
        (!matches!(self.status, 204 | 304)).then_some(self.body.len() as u64)
    }

    /// Appends the status line and header fields, up to and including the
    /// blank line, announcing `content_length` (no `Content-Length` field
    /// when `None`), whatever the body really is: misbehaving scenarios lie
    /// about it.
    pub fn push_head(
        &self,
        out: &mut Vec<u8>,
        request_id: &str,
        close: bool,
        content_length: Option<u64>,
    ) {
        out.extend_from_slice(b"HTTP/1.1 ");
        push_decimal(out, self.status.into());
        out.push(b' ');
        out.extend_from_slice(reason(self.status).as_bytes());
        out.extend_from_slice(b"\r\n");
        if !self.content_type.is_empty() {
            out.extend_from_slice(b"Content-Type: ");
            out.extend_from_slice(self.content_type.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if let Some(length) = content_length {
            out.extend_from_slice(b"Content-Length: ");
            push_decimal(out, length);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"X-Request-Id: ");
        out.extend_from_slice(request_id.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }

    /// [`Response::push_head`] as a string of its own.
    pub fn head(&self, request_id: &str, close: bool, content_length: Option<u64>) -> String {
        let mut head = Vec::with_capacity(256);
        self.push_head(&mut head, request_id, close, content_length);
        // Only `str` and `String` parts and ASCII went in.
        String::from_utf8(head).expect("a response head is UTF-8")
    }

    /// Appends the whole response as it goes on the wire.
    pub fn push_bytes(&self, out: &mut Vec<u8>, request_id: &str, close: bool) {
        let length = self.own_content_length();
        self.push_head(out, request_id, close, length);
        if length.is_some() {
            out.extend_from_slice(&self.body);
        }
    }

    /// The whole response as it goes on the wire.
    pub fn to_bytes(&self, request_id: &str, close: bool) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(256 + self.body.len());
        self.push_bytes(&mut bytes, request_id, close);
        bytes
    }

    /// Writes the whole response with one `write_all` (one TCP segment for
    /// a small response, which a client reads in one go), then flushes.
    pub fn write_to(&self, out: &mut impl Write, request_id: &str, close: bool) -> io::Result<()> {
        out.write_all(&self.to_bytes(request_id, close))?;
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

    /// Test heads are UTF-8: `head_text` has its own test.
    fn parse_head(head: &[u8]) -> Result<RequestHead<'_>, BadRequest> {
        super::parse_head(std::str::from_utf8(head).unwrap())
    }

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
        assert_eq!(head.headers, vec![("Host", "h"), ("X-Auth-Token", "t")]);
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

    #[test]
    fn head_text_needs_a_utf8_request_line_and_replaces_bad_field_bytes() {
        assert_eq!(head_text(b"GET /\xff HTTP/1.1\r\n\r\n"), Err(BadRequest));
        assert_eq!(head_text(b"GET /\xff HTTP/1.1"), Err(BadRequest));
        let text = head_text(b"GET / HTTP/1.1\r\nX-A: a\xe4\xb8\r\nX-B: \xffb\r\n\r\n").unwrap();
        let head = super::parse_head(&text).unwrap();
        assert_eq!(
            head.headers,
            vec![("X-A", "a\u{fffd}"), ("X-B", "\u{fffd}b")]
        );
        assert!(matches!(
            head_text(b"GET / HTTP/1.1\r\n\r\n").unwrap(),
            Cow::Borrowed(_)
        ));
        let bad_name = head_text(b"GET / HTTP/1.1\r\nX-\xff: v\r\n\r\n").unwrap();
        assert_eq!(super::parse_head(&bad_name).unwrap_err(), BadRequest);
    }

    #[test]
    fn response_bytes() {
        let response = Response::new(200, JSON, b"{}".to_vec()).with_header("Retry-After", "1");
        assert_eq!(
            String::from_utf8(response.to_bytes("id1", false)).unwrap(),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\n\
             Content-Length: 2\r\nX-Request-Id: id1\r\nRetry-After: 1\r\n\r\n{}"
        );
        assert_eq!(
            Response::empty(304).head("id2", true, None),
            "HTTP/1.1 304 Not Modified\r\nX-Request-Id: id2\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            Response::empty(599).to_bytes("i", false),
            b"HTTP/1.1 599 Unknown\r\nContent-Length: 0\r\nX-Request-Id: i\r\n\r\n"
        );
        let mut out = Vec::new();
        for n in [0, 7, 10, 4_294_967_296, u64::MAX] {
            out.clear();
            push_decimal(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
