//! Starting, addressing and stopping a stand-in.

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use osm_standin::{Standin, StandinConfig};

use crate::client::*;

#[test]
fn urls_name_the_bound_port() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    assert_ne!(standin.port(), 0);
    assert_eq!(
        standin.base_url(),
        format!("http://127.0.0.1:{}", standin.port())
    );
    assert_eq!(
        standin.scenario_url("null"),
        format!("http://127.0.0.1:{}/scenario/null", standin.port())
    );
}

#[test]
fn start_on_uses_the_given_address_and_fails_if_taken() {
    let first = Standin::start(StandinConfig::default()).unwrap();
    let addr: SocketAddr = ([127, 0, 0, 1], first.port()).into();
    assert!(Standin::start_on(addr, StandinConfig::default()).is_err());
    drop(first);
    // The port is free again once the first one stopped.
    let second = Standin::start_on(addr, StandinConfig::default()).unwrap();
    assert_eq!(second.port(), addr.port());
    assert_eq!(get_authed(&second, API).status, 200);
}

#[test]
fn connections_are_counted() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    assert_eq!(standin.connections_accepted(), 0);
    for _ in 0..3 {
        get_authed(&standin, API);
    }
    assert_eq!(standin.connections_accepted(), 3);
}

#[test]
fn drop_stops_the_server_promptly() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let port = standin.port();
    assert_eq!(get_authed(&standin, API).status, 200);

    let started = Instant::now();
    drop(standin);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    match TcpStream::connect(("127.0.0.1", port)) {
        Err(_) => {}
        Ok(stream) => {
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut reader = std::io::BufReader::new(stream);
            send(
                &mut reader,
                format!("GET {API} HTTP/1.1\r\nX-Auth-Token: {TOKEN}\r\n\r\n").as_bytes(),
            );
            assert!(is_closed(&mut reader), "a stopped stand-in answered");
        }
    }
}

#[test]
fn open_keep_alive_connections_stop_answering_after_drop() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let mut conn = connect(&standin);
    let request = format!("GET {API} HTTP/1.1\r\nX-Auth-Token: {TOKEN}\r\n\r\n");
    send(&mut conn, request.as_bytes());
    assert_eq!(read_response(&mut conn).unwrap().status, 200);

    drop(standin);
    send(&mut conn, request.as_bytes());
    assert!(is_closed(&mut conn));
}
