//! HTTP/1.1 on one connection (RFC 9112): the request as tcc sends every
//! request, and the response read within the limits a client keeps against
//! a hostile server.
//!
//! Why tcc speaks HTTP/1.1 itself rather than through ureq's request API:
//! each call is one small GET (or an IAM POST) on a kept-alive connection,
//! so what a call costs is the work around the wire. ureq's general
//! machinery (a request and response model with a header map each, a
//! formatted head, its pool and timing bookkeeping) was two thirds of the
//! instructions of a call (see the README's Performance section). Here the
//! head is written into a reused buffer, the response head is parsed in
//! place by `httparse` (the parser ureq uses too) and only the headers tcc
//! reads are copied out. Connections, TLS and proxy tunnels still come from
//! ureq's connectors (see `dialer`).

use ureq::http::{HeaderName, HeaderValue};

use crate::error::{Error, ErrorKind};
use crate::response::HttpResponse;
use crate::secret::Secret;

/// More header fields than this is a head too large, whatever its size in bytes.
pub(crate) const MAX_HEADER_FIELDS: usize = 128;

/// Interim (1xx) answers taken before the real one.
const MAX_INTERIM_ANSWERS: usize = 8;

/// A chunk-size line (size and extensions): generous, and bounded.
const MAX_CHUNK_LINE: usize = 4096;

/// The byte stream of one connection, with its input buffer. Errors are
/// tcc's already (timeouts named, TLS told apart).
pub(crate) trait Wire {
    /// Sends all of `bytes`.
    fn send(&mut self, bytes: &[u8]) -> Result<(), Error>;
    /// Reads more input into the buffer: `false` at the end of the stream.
    fn fill(&mut self) -> Result<bool, Error>;
    /// What was read and not yet consumed.
    fn buffered(&mut self) -> &[u8];
    fn consume(&mut self, amount: usize);
}

/// What a response may take up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_header_bytes: usize,
    pub max_body_bytes: u64,
}

/// Writes a request head into `out` (cleared first), followed by the body.
/// `target` is the request target: origin form (`/path?query`), or absolute
/// form for a proxy. Header names and values, and the target taken from a
/// parsed `Uri`, cannot hold CR or LF, so nothing can be smuggled in.
pub(crate) fn write_request(
    out: &mut Vec<u8>,
    method: &str,
    target: &str,
    headers: &[(HeaderName, HeaderValue)],
    body: Option<&[u8]>,
) {
    out.clear();
    let body_len = body.map_or(0, <[u8]>::len);
    let headers_len: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    out.reserve(method.len() + target.len() + headers_len + 64 + body_len);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if let Some(body) = body {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(body.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(body);
    } else {
        out.extend_from_slice(b"\r\n");
    }
}

/// How the body's end is known (RFC 9112 section 6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// No body: 1xx, 204 and 304 answers.
    None,
    Length(u64),
    Chunked,
    /// Until the server closes the connection.
    Close,
}

/// A response head, with the headers tcc reads copied out.
#[derive(Debug)]
struct Head {
    status: u16,
    framing: Framing,
    /// HTTP/1.1 without `Connection: close`.
    keep_alive: bool,
    request_id: Option<String>,
    content_type: Option<String>,
    location: Option<String>,
    retry_after: Option<String>,
    subject_token: Option<Secret>,
}

/// Reads one whole response. `reusable` tells whether the connection may
/// carry another request: the body was framed, read to its end and nothing
/// unasked followed it, and neither side said it would close.
pub(crate) fn read_response(
    wire: &mut dyn Wire,
    limits: Limits,
) -> Result<(HttpResponse, bool), Error> {
    let mut interim = 0;
    let head = loop {
        let head = read_head(wire, limits.max_header_bytes)?;
        // Interim answers (100 Continue, 103 Early Hints) precede the real
        // one; a few are plenty, an endless stream of them is an attack.
        if !(100..200).contains(&head.status) || head.status == 101 {
            break head;
        }
        interim += 1;
        if interim > MAX_INTERIM_ANSWERS {
            return Err(malformed("too many interim (1xx) answers"));
        }
    };
    let status = head.status;
    // The head arrived: failures after it keep its status and request id.
    let failed = |e: Error| {
        e.with_http_status(status)
            .with_request_id(head.request_id.clone())
    };
    if head.status == 101 {
        return Err(failed(Error::new(
            ErrorKind::BadResponse,
            "malformed HTTP response: the server switched protocols unasked",
        )));
    }
    let max = limits.max_body_bytes;
    let mut body = Vec::new();
    let framed = match head.framing {
        Framing::None => true,
        Framing::Length(length) => {
            // Over the limit fails before a byte of the body is read.
            if length > max {
                return Err(failed(too_large(format!(
                    "the body is {length} bytes (Content-Length), over the limit of {max} bytes"
                ))));
            }
            // Sized from Content-Length (within the limit): no regrowth.
            body.reserve_exact(length as usize);
            read_length(wire, &mut body, length).map_err(failed)?;
            true
        }
        Framing::Chunked => {
            read_chunked(wire, &mut body, limits).map_err(failed)?;
            true
        }
        Framing::Close => {
            read_to_close(wire, &mut body, max).map_err(failed)?;
            false
        }
    };
    let reusable = framed && head.keep_alive && wire.buffered().is_empty();
    let response = HttpResponse {
        status,
        request_id: head.request_id,
        content_type: head.content_type,
        subject_token: head.subject_token,
        location: head.location,
        retry_after: head.retry_after,
        body,
        attempts: 1,
    };
    Ok((response, reusable))
}

fn too_large(what: String) -> Error {
    Error::new(
        ErrorKind::ResponseTooLarge,
        format!("response too large: {what}"),
    )
}

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::BadResponse,
        format!("malformed HTTP response: {what}"),
    )
}

fn broken(what: &str) -> Error {
    Error::new(ErrorKind::Network, format!("network failure: {what}"))
}

/// Reads a head. It is parsed only once its blank line has arrived, so a
/// head trickled in byte by byte costs linear time, not quadratic.
fn read_head(wire: &mut dyn Wire, max_header_bytes: usize) -> Result<Head, Error> {
    let mut scanned: usize = 0;
    loop {
        let input = wire.buffered();
        let from = scanned.saturating_sub(3);
        if let Some(end) = find_blank_line(&input[from..]) {
            let used = from + end;
            if used > max_header_bytes {
                return Err(head_too_big(used, max_header_bytes));
            }
            let head = parse_head(&input[..used])?;
            wire.consume(used);
            return Ok(head);
        }
        if input.len() > max_header_bytes {
            // Too many fields is told as such, whatever the byte count.
            count_fields(input)?;
            return Err(head_too_big(input.len(), max_header_bytes));
        }
        scanned = input.len();
        let was_empty = input.is_empty();
        if !wire.fill()? {
            return Err(broken(if was_empty {
                "the server closed the connection without answering"
            } else {
                "the connection closed in the middle of the response head"
            }));
        }
    }
}

fn head_too_big(got: usize, limit: usize) -> Error {
    too_large(format!("response header is too big: {got} > {limit}"))
}

/// Where the head ends: after its first empty line (CRLF CRLF, or bare LF
/// line ends, which `httparse` accepts as well).
fn find_blank_line(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(i) = bytes[at..].iter().position(|&b| b == b'\n') {
        let lf = at + i;
        match bytes.get(lf + 1) {
            Some(b'\n') => return Some(lf + 2),
            Some(b'\r') if bytes.get(lf + 2) == Some(&b'\n') => return Some(lf + 3),
            _ => at = lf + 1,
        }
    }
    None
}

/// Fails when the (partial) head has more fields than are ever parsed.
fn count_fields(partial: &[u8]) -> Result<(), Error> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADER_FIELDS];
    match httparse::Response::new(&mut fields).parse(partial) {
        Err(httparse::Error::TooManyHeaders) => Err(too_many_fields()),
        _ => Ok(()),
    }
}

fn too_many_fields() -> Error {
    too_large(format!("more than {MAX_HEADER_FIELDS} header fields"))
}

/// Parses a complete head (blank line included).
fn parse_head(bytes: &[u8]) -> Result<Head, Error> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADER_FIELDS];
    let mut response = httparse::Response::new(&mut fields);
    match response.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(malformed("incomplete head")),
        Err(httparse::Error::TooManyHeaders) => return Err(too_many_fields()),
        Err(e) => return Err(malformed(e)),
    }
    // `httparse` sets both on a complete parse.
    let status = response.code.unwrap_or(0);
    if !(100..=999).contains(&status) {
        return Err(malformed(format!("status {status}")));
    }
    let http11 = response.version == Some(1);

    let mut head = Head {
        status,
        framing: Framing::Close,
        keep_alive: http11,
        request_id: None,
        content_type: None,
        location: None,
        retry_after: None,
        subject_token: None,
    };
    let mut length: Option<u64> = None;
    let mut chunked = None;
    for field in response.headers.iter() {
        let (name, value) = (field.name, field.value);
        if name.eq_ignore_ascii_case("content-length") {
            let n = parse_length(value)?;
            if length.is_some_and(|earlier| earlier != n) {
                return Err(malformed("conflicting Content-Length headers"));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // The last coding decides: the body is chunked only if it is.
            chunked = Some(last_token(value).eq_ignore_ascii_case(b"chunked"));
        } else if name.eq_ignore_ascii_case("connection") {
            if has_token(value, b"close") {
                head.keep_alive = false;
            }
        } else {
            let slot = if name.eq_ignore_ascii_case("x-request-id") {
                &mut head.request_id
            } else if name.eq_ignore_ascii_case("content-type") {
                &mut head.content_type
            } else if name.eq_ignore_ascii_case("location") {
                &mut head.location
            } else if name.eq_ignore_ascii_case("retry-after") {
                &mut head.retry_after
            } else if name.eq_ignore_ascii_case("x-subject-token") {
                // Only IAM's token response has it; wrapped at once so it is wiped after use.
                if head.subject_token.is_none() {
                    head.subject_token = visible_ascii(value).map(Secret::new);
                }
                continue;
            } else {
                continue;
            };
            // Of a repeated header the first counts.
            if slot.is_none() {
                *slot = visible_ascii(value);
            }
        }
    }
    head.framing = if status < 200 || status == 204 || status == 304 {
        Framing::None
    } else {
        match (chunked, length) {
            (Some(true), _) => Framing::Chunked,
            // Another coding last: only the close marks the end.
            (Some(false), _) => Framing::Close,
            (None, Some(n)) => Framing::Length(n),
            (None, None) => Framing::Close,
        }
    };
    // A message with both is suspect (RFC 9112 section 6.1): its connection
    // is not reused.
    if chunked.is_some() && length.is_some() {
        head.keep_alive = false;
    }
    Ok(head)
}

/// A header value as text, when it is visible ASCII (tabs allowed), as
/// `http`'s `HeaderValue::to_str` takes it; anything else counts as absent.
fn visible_ascii(value: &[u8]) -> Option<String> {
    let visible = value
        .iter()
        .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b));
    // ASCII, so always UTF-8.
    visible.then(|| std::str::from_utf8(value).ok().map(str::to_owned))?
}

fn parse_length(value: &[u8]) -> Result<u64, Error> {
    // Digits only: no sign, no spaces inside (httparse trims the ends).
    if value.is_empty() || value.len() > 19 || !value.iter().all(u8::is_ascii_digit) {
        return Err(malformed("invalid Content-Length"));
    }
    Ok(value
        .iter()
        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')))
}

/// The last element of a comma-separated list, trimmed.
fn last_token(value: &[u8]) -> &[u8] {
    let last = value.rsplit(|&b| b == b',').next().unwrap_or(value);
    last.trim_ascii()
}

fn has_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token))
}

/// Moves up to `want` buffered bytes into `body`, reading when none are.
fn take_some(wire: &mut dyn Wire, body: &mut Vec<u8>, want: u64) -> Result<Option<usize>, Error> {
    if wire.buffered().is_empty() && !wire.fill()? {
        return Ok(None);
    }
    let input = wire.buffered();
    let n = input.len().min(usize::try_from(want).unwrap_or(usize::MAX));
    body.extend_from_slice(&input[..n]);
    wire.consume(n);
    Ok(Some(n))
}

fn read_length(wire: &mut dyn Wire, body: &mut Vec<u8>, length: u64) -> Result<(), Error> {
    let mut left = length;
    while left > 0 {
        match take_some(wire, body, left)? {
            Some(n) => left -= n as u64,
            None => {
                return Err(broken(&format!(
                    "the connection closed after {} of {length} body bytes",
                    length - left
                )))
            }
        }
    }
    Ok(())
}

fn read_to_close(wire: &mut dyn Wire, body: &mut Vec<u8>, max: u64) -> Result<(), Error> {
    // One byte past the limit tells a body over it from one right at it.
    while take_some(wire, body, max + 1 - body.len() as u64)?.is_some() {
        if body.len() as u64 > max {
            return Err(over_limit(max));
        }
    }
    Ok(())
}

fn over_limit(max: u64) -> Error {
    too_large(format!("the body is over the limit of {max} bytes"))
}

fn read_chunked(wire: &mut dyn Wire, body: &mut Vec<u8>, limits: Limits) -> Result<(), Error> {
    let max = limits.max_body_bytes;
    loop {
        let size = next_line(wire, MAX_CHUNK_LINE, chunk_size)?;
        if size == 0 {
            break;
        }
        if body.len() as u64 + size > max {
            return Err(over_limit(max));
        }
        let mut left = size;
        while left > 0 {
            match take_some(wire, body, left)? {
                Some(n) => left -= n as u64,
                None => return Err(broken("the connection closed in the middle of a chunk")),
            }
        }
        next_line(wire, MAX_CHUNK_LINE, |line| {
            if line.is_empty() {
                Ok(())
            } else {
                Err(malformed("a chunk longer than its size"))
            }
        })?;
    }
    // Trailer fields, ignored, up to the empty line; bounded like a head.
    let mut trailers = 0;
    loop {
        let len = next_line(wire, limits.max_header_bytes, |line| Ok(line.len()))?;
        if len == 0 {
            return Ok(());
        }
        trailers += len + 2;
        if trailers > limits.max_header_bytes {
            return Err(head_too_big(trailers, limits.max_header_bytes));
        }
    }
}

/// The size at the start of a chunk-size line (hexadecimal, before any `;`
/// extension).
fn chunk_size(line: &[u8]) -> Result<u64, Error> {
    let digits = line
        .split(|&b| b == b';')
        .next()
        .unwrap_or(line)
        .trim_ascii();
    // 15 hex digits keep it well inside a u64.
    if digits.is_empty() || digits.len() > 15 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(malformed("bad chunk size"));
    }
    Ok(digits.iter().fold(0u64, |n, &d| {
        n * 16 + u64::from((d as char).to_digit(16).unwrap_or(0))
    }))
}

/// Reads one line (its CR LF, or bare LF, removed) and hands it to `parse`.
fn next_line<T>(
    wire: &mut dyn Wire,
    max: usize,
    parse: impl FnOnce(&[u8]) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut scanned = 0;
    loop {
        let input = wire.buffered();
        if let Some(i) = input[scanned..].iter().position(|&b| b == b'\n') {
            let lf = scanned + i;
            // Bounded however the line arrived.
            if lf > max {
                return Err(malformed("a chunk line too long"));
            }
            let line = &input[..lf];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let value = parse(line)?;
            wire.consume(lf + 1);
            return Ok(value);
        }
        if input.len() > max {
            return Err(malformed("a chunk line too long"));
        }
        scanned = input.len();
        if !wire.fill()? {
            return Err(broken(
                "the connection closed in the middle of a chunked body",
            ));
        }
    }
}

/// A wire that plays back a response in the given pieces, one per `fill`
/// (what is sent goes nowhere): for the tests and the fuzz target, which
/// must see every way a response can be cut.
pub(crate) struct Pieces {
    pieces: std::collections::VecDeque<Vec<u8>>,
    buffer: Vec<u8>,
}

impl Pieces {
    pub fn new(pieces: &[&[u8]]) -> Self {
        Pieces {
            pieces: pieces.iter().map(|p| p.to_vec()).collect(),
            buffer: Vec::new(),
        }
    }

    /// `all` in pieces of `size` bytes.
    pub fn sized(all: &[u8], size: usize) -> Self {
        let pieces: Vec<&[u8]> = all.chunks(size.max(1)).collect();
        Pieces::new(&pieces)
    }
}

impl Wire for Pieces {
    fn send(&mut self, _: &[u8]) -> Result<(), Error> {
        Ok(())
    }
    fn fill(&mut self) -> Result<bool, Error> {
        Ok(self
            .pieces
            .pop_front()
            .map(|p| self.buffer.extend_from_slice(&p))
            .is_some())
    }
    fn buffered(&mut self) -> &[u8] {
        &self.buffer
    }
    fn consume(&mut self, amount: usize) {
        self.buffer.drain(..amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_header_bytes: 4096,
        max_body_bytes: 1024,
    };

    fn read(pieces: &[&[u8]]) -> Result<(HttpResponse, bool), Error> {
        read_response(&mut Pieces::new(pieces), LIMITS)
    }

    #[test]
    fn the_request_head_is_exactly_what_is_given() {
        let mut out = vec![b'x'; 3];
        let headers = [
            (
                HeaderName::from_static("host"),
                HeaderValue::from_static("h:1"),
            ),
            (
                HeaderName::from_static("x-auth-token"),
                HeaderValue::from_static("t"),
            ),
        ];
        write_request(&mut out, "GET", "/p?q=1", &headers, None);
        assert_eq!(
            out,
            b"GET /p?q=1 HTTP/1.1\r\nhost: h:1\r\nx-auth-token: t\r\n\r\n"
        );
        write_request(&mut out, "POST", "http://h/p", &headers[..1], Some(b"{}"));
        assert_eq!(
            out,
            b"POST http://h/p HTTP/1.1\r\nhost: h:1\r\ncontent-length: 2\r\n\r\n{}"
        );
    }

    #[test]
    fn a_length_framed_response_in_pieces() {
        let (r, reusable) = read(&[
            b"HTTP/1.1 200 OK\r\nX-Request-Id: r1\r\nContent-",
            b"Type: application/json\r\nContent-Length: 5\r\n\r\nhe",
            b"llo",
        ])
        .unwrap();
        assert_eq!(
            (r.status, r.body.as_slice(), reusable),
            (200, &b"hello"[..], true)
        );
        assert_eq!(r.request_id.as_deref(), Some("r1"));
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
    }

    #[test]
    fn a_head_trickled_byte_by_byte_and_bare_line_feeds() {
        let all = b"HTTP/1.1 204 No Content\nRetry-After: 3\n\n";
        let (r, reusable) = read_response(&mut Pieces::sized(all, 1), LIMITS).unwrap();
        assert_eq!(
            (r.status, r.retry_after.as_deref(), reusable),
            (204, Some("3"), true)
        );
    }

    #[test]
    fn chunked_bodies_with_extensions_and_trailers() {
        let all = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n\
                    5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n";
        for wire in [Pieces::new(&[all]), Pieces::sized(all, 1)] {
            let (r, reusable) = read_response(&mut { wire }, LIMITS).unwrap();
            assert_eq!(r.body, b"hello 0123456789");
            assert!(reusable);
        }
        // Malformed sizes and overlong chunks are bad responses.
        for bad in [
            &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"[..],
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
        ] {
            let e = read(&[bad]).unwrap_err();
            assert_eq!(
                (e.kind(), e.http_status()),
                (ErrorKind::BadResponse, Some(200)),
                "{e:?}"
            );
        }
        // A chunk line over its bound, whether it arrives whole or in pieces.
        let long = format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;{}\r\nx\r\n0\r\n\r\n",
            "e".repeat(MAX_CHUNK_LINE)
        );
        for size in [long.len(), 7] {
            let e = read_response(&mut Pieces::sized(long.as_bytes(), size), LIMITS).unwrap_err();
            assert_eq!(
                e.message(),
                "malformed HTTP response: a chunk line too long"
            );
        }
        // Cut off: a network failure, the status kept.
        let e =
            read(&[b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe"]).unwrap_err();
        assert_eq!((e.kind(), e.http_status()), (ErrorKind::Network, Some(200)));
    }

    #[test]
    fn bodies_over_the_limit() {
        let big = format!("{:x}\r\n{}\r\n0\r\n\r\n", 1025, "a".repeat(1025));
        let chunked = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{big}");
        let e = read(&[chunked.as_bytes()]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge);
        assert_eq!(
            e.message(),
            "response too large: the body is over the limit of 1024 bytes"
        );
        // Until close: over by one byte fails, right at the limit does not.
        let head = b"HTTP/1.1 200 OK\r\n\r\n";
        let e = read(&[head, &[b'a'; 1025]]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge);
        let (r, reusable) = read(&[head, &[b'a'; 1000], &[b'a'; 24]]).unwrap();
        assert_eq!((r.body.len(), reusable), (1024, false));
        let e = read(&[b"HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n"]).unwrap_err();
        assert_eq!(
            e.message(),
            "response too large: the body is 1025 bytes (Content-Length), over the limit of 1024 bytes"
        );
    }

    #[test]
    fn heads_over_the_limits() {
        let long = format!("HTTP/1.1 200 OK\r\nX-Long: {}\r\n\r\n", "v".repeat(5000));
        let e = read(&[long.as_bytes()]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge);
        assert!(e
            .message()
            .starts_with("response too large: response header is too big: "));
        assert!(e.message().ends_with(" > 4096"), "{}", e.message());
        let many = format!("HTTP/1.1 200 OK\r\n{}\r\n", "A: b\r\n".repeat(129));
        let e = read(&[many.as_bytes()]).unwrap_err();
        assert_eq!(
            e.message(),
            "response too large: more than 128 header fields"
        );
        // Still arriving, over the byte limit, and too many fields already.
        let e = read(&[&many.as_bytes()[..many.len() - 2], &[b'A'; 4096]]).unwrap_err();
        assert_eq!(
            e.message(),
            "response too large: more than 128 header fields"
        );
    }

    #[test]
    fn what_makes_a_connection_not_reusable() {
        for (head, body) in [
            (
                &b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 1\r\n\r\n"[..],
                &b"x"[..],
            ),
            (b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", b"x"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n", b"xSTRAY"),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"1\r\nx\r\n0\r\n\r\n",
            ),
        ] {
            let (r, reusable) = read(&[head, body]).unwrap();
            assert_eq!(r.body, b"x");
            assert!(!reusable, "{}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn interim_answers_are_skipped_and_headers_kept_as_sent() {
        let (r, _) = read(&[
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 Found\r\nLocation: /a\r\nlocation: /b\r\n\
              X-Subject-Token: tok\r\nX-Request-Id: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
        ])
        .unwrap();
        assert_eq!((r.status, r.location.as_deref()), (302, Some("/a")));
        assert_eq!(r.subject_token.as_ref().map(|t| t.expose()), Some("tok"));
        assert_eq!(r.request_id, None, "not visible ASCII: absent");
        let endless = b"HTTP/1.1 103 Early Hints\r\n\r\n".repeat(MAX_INTERIM_ANSWERS + 1);
        let e = read(&[&endless, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]).unwrap_err();
        assert_eq!(
            e.message(),
            "malformed HTTP response: too many interim (1xx) answers"
        );
    }

    #[test]
    fn broken_and_malformed_answers() {
        let e = read(&[]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network);
        assert_eq!(
            e.message(),
            "network failure: the server closed the connection without answering"
        );
        let e = read(&[b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc"]).unwrap_err();
        assert_eq!(
            e.message(),
            "network failure: the connection closed after 3 of 9 body bytes"
        );
        for bad in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            b"SSH-2.0-OpenSSH\r\n\r\n",
            b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
        ] {
            let e = read(&[bad]).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::BadResponse, "{e:?}");
            assert!(
                e.message().starts_with("malformed HTTP response: "),
                "{e:?}"
            );
        }
    }

    /// `all` cut at the given offsets.
    fn cut(all: &[u8], mut cuts: Vec<usize>) -> Pieces {
        cuts.retain(|&c| c < all.len());
        cuts.sort_unstable();
        cuts.dedup();
        let mut pieces = Vec::new();
        let mut from = 0;
        for c in cuts.into_iter().chain([all.len()]) {
            pieces.push(&all[from..c]);
            from = c;
        }
        Pieces::new(&pieces)
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_in_any_pieces_are_an_answer_or_an_error(
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            cuts in proptest::collection::vec(0usize..2100, 0..8),
            framed in proptest::prelude::any::<bool>(),
        ) {
            let mut all = if framed {
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()
            } else {
                Vec::new()
            };
            all.extend_from_slice(&tail);
            if let Ok((r, _)) = read_response(&mut cut(&all, cuts), LIMITS) {
                proptest::prop_assert!(r.body.len() as u64 <= LIMITS.max_body_bytes);
            }
        }

        #[test]
        fn how_an_answer_is_cut_does_not_change_it(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..1024),
            chunk in 1usize..300,
            cuts in proptest::collection::vec(0usize..2100, 0..12),
        ) {
            let mut all = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            for piece in body.chunks(chunk) {
                all.extend_from_slice(format!("{:X}\r\n", piece.len()).as_bytes());
                all.extend_from_slice(piece);
                all.extend_from_slice(b"\r\n");
            }
            all.extend_from_slice(b"0\r\n\r\n");
            let (r, reusable) = read_response(&mut cut(&all, cuts), LIMITS).unwrap();
            proptest::prop_assert_eq!(r.body, body);
            proptest::prop_assert!(reusable);
        }
    }

    #[test]
    fn the_blank_line_is_found_across_pieces() {
        assert_eq!(find_blank_line(b"a\r\n\r\nb"), Some(5));
        assert_eq!(find_blank_line(b"a\n\nb"), Some(3));
        assert_eq!(find_blank_line(b"a\r\nb\r\n"), None);
        assert_eq!(find_blank_line(b"\n\r"), None);
    }
}
