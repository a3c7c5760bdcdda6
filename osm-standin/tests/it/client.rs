//! A minimal raw HTTP/1.1 client: the tests must see exactly what is on the wire.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use osm_standin::Standin;

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
