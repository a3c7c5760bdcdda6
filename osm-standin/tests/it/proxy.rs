//! The stand-in as an HTTP proxy: absolute-form requests, and `CONNECT`
//! tunnels to this machine only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use osm_standin::tls::TestCa;
use osm_standin::{data, Standin, StandinConfig};
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};

use crate::client::*;
use crate::tls::{localhost_identity, trusting};

fn start() -> Standin {
    Standin::start(StandinConfig::default()).unwrap()
}

#[test]
fn absolute_form_is_served_by_its_path_and_recorded_as_sent() {
    let proxy = start();
    let target = format!("http://osm.invalid:8080{API}?x=1");
    let response = get(&proxy, &target, &[("X-Auth-Token", TOKEN)]);
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["cc_email_info"]["user_id"], data::USER_ID);

    let scenario = format!("http://osm.invalid:8080{}", scenario_target("status-418"));
    assert_eq!(
        get(&proxy, &scenario, &[("X-Auth-Token", TOKEN)]).status,
        418
    );

    let recorded = proxy.requests();
    assert_eq!(recorded[0].target, target);
    assert_eq!(recorded[1].target, scenario);
    assert_eq!(proxy.scenario_hits("ok"), 1);
    assert_eq!(proxy.scenario_hits("status-418"), 1);
}

#[test]
fn absolute_form_requests_can_be_signed() {
    let proxy = start();
    let target = format!("http://osm.invalid:8080{API}");
    let response = Signing::default().send(&proxy, "GET", &target);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(proxy.requests()[0].target, target);
}

/// Sends `CONNECT target` and reads the answer's head byte by byte, so no
/// byte of the tunnel is consumed.
fn connect_via(proxy: &Standin, target: &str) -> (TcpStream, String) {
    let mut sock = TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    sock.write_all(format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n").as_bytes())
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(sock.read(&mut byte).unwrap(), 1, "{head:?}");
        head.push(byte[0]);
    }
    (sock, String::from_utf8(head).unwrap())
}

#[test]
fn connect_tunnels_tls_to_a_local_standin() {
    let ca = TestCa::new();
    let server = Standin::start_tls(StandinConfig::default(), localhost_identity(&ca)).unwrap();
    let proxy = start();

    let target = format!("127.0.0.1:{}", server.port());
    let (sock, head) = connect_via(&proxy, &target);
    assert_eq!(head, "HTTP/1.1 200 Connection established\r\n\r\n");
    assert_eq!(proxy.connect_tunnels(), 1);

    let name = ServerName::try_from("localhost").unwrap();
    let conn = ClientConnection::new(trusting(&ca.ca_pem()), name).unwrap();
    let mut tls = BufReader::new(StreamOwned::new(conn, sock));
    tls.get_mut()
        .write_all(
            format!("GET {API} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: {TOKEN}\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
    let response = read_response(&mut tls).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["cc_email_info"]["user_id"], data::USER_ID);

    // The proxy saw only the CONNECT; the server saw the request.
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].target.as_str()),
        ("CONNECT", target.as_str())
    );
    assert_eq!(seen[0].header("x-auth-token"), None);
    assert_eq!(server.requests()[0].header("x-auth-token"), Some(TOKEN));

    drop(tls);
    assert_eq!(
        proxy.wait_open_connections_at_most(0, Duration::from_secs(5)),
        0
    );
}

#[test]
fn connect_to_localhost_with_plain_http_and_early_bytes() {
    let server = start();
    let proxy = start();
    // The request goes out with the CONNECT, before the 200 arrives.
    let mut sock = TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let target = format!("LOCALHOST:{}", server.port());
    sock.write_all(
        format!(
            "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n\
             GET {API} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let mut reader = BufReader::new(sock);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 200 Connection established\r\n");
    line.clear();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "\r\n");
    let response = read_response(&mut reader).unwrap();
    assert_eq!(response.status, 200);
    assert!(is_closed(&mut reader));
    assert_eq!(proxy.connect_tunnels(), 1);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn connect_elsewhere_is_refused() {
    let proxy = start();
    for target in [
        "example.com:443",
        "10.0.0.1:443",
        "[::1]:443",
        "127.0.0.2:80",
    ] {
        let (mut sock, head) = connect_via(&proxy, target);
        assert!(head.starts_with("HTTP/1.1 403 "), "{target}: {head}");
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap()
            .parse()
            .unwrap();
        let mut body = vec![0; len];
        sock.read_exact(&mut body).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error_code"], "STANDIN.0002", "{target}");
    }
    let (_, head) = connect_via(&proxy, "127.0.0.1");
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    assert_eq!(proxy.connect_tunnels(), 0);
}

#[test]
fn connect_to_a_closed_port_gets_502() {
    let proxy = start();
    let closed = {
        let gone = start();
        gone.port()
    };
    let (_, head) = connect_via(&proxy, &format!("127.0.0.1:{closed}"));
    assert!(head.starts_with("HTTP/1.1 502 "), "{head}");
    assert_eq!(proxy.connect_tunnels(), 0);
}

#[test]
fn connect_is_not_served_over_tls() {
    let ca = TestCa::new();
    let server = start();
    let proxy = Standin::start_tls(StandinConfig::default(), localhost_identity(&ca)).unwrap();
    let mut conn = crate::tls::tls_connect(&proxy, &trusting(&ca.ca_pem()), "localhost").unwrap();
    let target = format!("127.0.0.1:{}", server.port());
    conn.get_mut()
        .write_all(format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n").as_bytes())
        .unwrap();
    assert_eq!(read_response(&mut conn).unwrap().status, 501);
    assert_eq!(proxy.connect_tunnels(), 0);
}

#[test]
fn dropping_the_proxy_ends_its_tunnels() {
    let hole = Standin::start_blackhole().unwrap();
    let proxy = start();
    let (mut sock, head) = connect_via(&proxy, &format!("127.0.0.1:{}", hole.port()));
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    let dropped = Instant::now();
    drop(proxy);
    sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut rest = Vec::new();
    match sock.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            ),
            "{e}"
        ),
    }
    assert!(rest.is_empty());
    assert!(dropped.elapsed() < Duration::from_secs(2));
}
