//! A minimal raw HTTP/1.1 client: the tests must see exactly what is on the wire.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use osm_standin::{aksk, data, Standin};

pub const API: &str = "/v2/servicerequest/carbon-copy-emails";
pub const TOKEN: &str = "demo-token";

#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

pub fn connect(standin: &Standin) -> BufReader<TcpStream> {
    let stream = TcpStream::connect(("127.0.0.1", standin.port())).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    BufReader::new(stream)
}

/// Reads one response (the body by its Content-Length, which must be present).
pub fn read_response(reader: &mut impl BufRead) -> std::io::Result<RawResponse> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    assert_eq!(parts.next(), Some("HTTP/1.1"), "status line {line:?}");
    let status = parts.next().unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let (name, value) = l.split_once(':').expect("header line");
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let mut response = RawResponse {
        status,
        headers,
        body: Vec::new(),
    };
    let len: usize = response
        .header("content-length")
        .expect("Content-Length")
        .parse()
        .unwrap();
    response.body = vec![0; len];
    reader.read_exact(&mut response.body)?;
    Ok(response)
}

pub fn send(reader: &mut BufReader<TcpStream>, raw: &[u8]) {
    reader.get_mut().write_all(raw).expect("write request");
}

/// A GET on a fresh connection, with `Connection: close`.
pub fn get(standin: &Standin, target: &str, headers: &[(&str, &str)]) -> RawResponse {
    let mut conn = connect(standin);
    let mut raw = format!(
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n",
        standin.port()
    );
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("Connection: close\r\n\r\n");
    send(&mut conn, raw.as_bytes());
    read_response(&mut conn).expect("response")
}

/// A GET with the default token.
pub fn get_authed(standin: &Standin, target: &str) -> RawResponse {
    get(standin, target, &[("X-Auth-Token", TOKEN)])
}

pub fn scenario_target(name: &str) -> String {
    format!("/scenario/{name}{API}")
}

/// True when the peer closed (EOF or reset) without sending anything more;
/// false if bytes arrive or the read times out with the connection open.
pub fn is_closed(reader: &mut BufReader<TcpStream>) -> bool {
    use std::io::ErrorKind::*;
    let mut byte = [0u8; 1];
    match reader.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => matches!(e.kind(), ConnectionReset | ConnectionAborted | BrokenPipe),
    }
}

pub fn is_request_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// A request on a fresh connection with exactly `headers` (no Host added),
/// then `Content-Length` when there is a body, and `Connection: close`.
pub fn request(
    standin: &Standin,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> RawResponse {
    let mut conn = connect(standin);
    let mut raw = format!("{method} {target} HTTP/1.1\r\n").into_bytes();
    for (name, value) in headers {
        raw.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if !body.is_empty() {
        raw.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    raw.extend_from_slice(b"Connection: close\r\n\r\n");
    raw.extend_from_slice(body);
    send(&mut conn, &raw);
    read_response(&mut conn).expect("response")
}

/// This machine's Unix time in seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `X-Sdk-Date` for now plus `offset_secs`.
pub fn sdk_date(offset_secs: i64) -> String {
    aksk::format_sdk_date(unix_now() + offset_secs)
}

/// How a test request is signed.
pub struct Signing<'a> {
    pub ak: &'a str,
    pub sk: &'a str,
    pub date: String,
    /// Headers besides Host and X-Sdk-Date, all signed.
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

impl Default for Signing<'_> {
    /// The default permanent pair, dated now, with the right X-Domain-Id.
    fn default() -> Self {
        Signing {
            ak: data::AK,
            sk: data::SK,
            date: sdk_date(0),
            headers: vec![("X-Domain-Id".to_owned(), data::DOMAIN_ID.to_owned())],
            body: b"",
        }
    }
}

impl Signing<'_> {
    /// Host, X-Sdk-Date and the extra headers, signed: every header to send.
    pub fn signed_headers(
        &self,
        standin: &Standin,
        method: &str,
        target: &str,
    ) -> Vec<(String, String)> {
        let mut headers = vec![
            ("Host".to_owned(), format!("127.0.0.1:{}", standin.port())),
            ("X-Sdk-Date".to_owned(), self.date.clone()),
        ];
        headers.extend(self.headers.iter().cloned());
        let authorization = aksk::authorization(
            self.ak, self.sk, &self.date, method, target, &headers, self.body,
        );
        headers.push(("Authorization".to_owned(), authorization));
        headers
    }

    /// Signs and sends.
    pub fn send(&self, standin: &Standin, method: &str, target: &str) -> RawResponse {
        let headers = self.signed_headers(standin, method, target);
        request(standin, method, target, &headers, self.body)
    }
}

/// Asserts a gateway authentication failure: 401 APIGW.0301 with `reason`
/// in the message.
pub fn assert_apigw_401(response: &RawResponse, reason: &str) {
    assert_eq!(response.status, 401, "{}", response.text());
    let body = response.json();
    assert_eq!(body["error_code"], "APIGW.0301", "{body}");
    let msg = body["error_msg"].as_str().unwrap();
    assert!(
        msg.starts_with("Incorrect IAM authentication information: ") && msg.contains(reason),
        "{msg:?} should mention {reason:?}"
    );
}

/// Sends an authenticated GET of scenario `name` (keep-alive) on a fresh
/// connection and returns the connection, unread.
pub fn start_scenario(standin: &Standin, name: &str) -> BufReader<TcpStream> {
    let mut conn = connect(standin);
    let raw = format!(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Auth-Token: {TOKEN}\r\n\r\n",
        scenario_target(name),
        standin.port()
    );
    send(&mut conn, raw.as_bytes());
    conn
}

/// Reads a response head: status and header fields, no body.
pub fn read_head(reader: &mut impl BufRead) -> std::io::Result<RawResponse> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    assert_eq!(parts.next(), Some("HTTP/1.1"), "status line {line:?}");
    let status = parts.next().unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let (name, value) = l.split_once(':').expect("header line");
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    Ok(RawResponse {
        status,
        headers,
        body: Vec::new(),
    })
}

/// How a connection ended for [`read_until_end`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// A clean close (FIN).
    Eof,
    /// A TCP reset.
    Reset,
    /// Still open when the time was up.
    TimedOut,
}

/// Reads everything until the peer closes or `within` passed.
pub fn read_until_end(reader: &mut BufReader<TcpStream>, within: Duration) -> (Vec<u8>, End) {
    use std::io::ErrorKind::*;
    let deadline = std::time::Instant::now() + within;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return (bytes, End::TimedOut);
        }
        reader.get_ref().set_read_timeout(Some(left)).unwrap();
        match reader.read(&mut chunk) {
            Ok(0) => return (bytes, End::Eof),
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), WouldBlock | TimedOut | Interrupted) => {}
            Err(e) if matches!(e.kind(), ConnectionReset | ConnectionAborted) => {
                return (bytes, End::Reset)
            }
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// Polls `condition` every 5 ms until it holds or `timeout` passed.
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
