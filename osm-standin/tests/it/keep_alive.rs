//! Connection handling: keep-alive, pipelining, bodies, closing, head limit.

use std::thread;
use std::time::{Duration, Instant};

use osm_standin::{Standin, StandinConfig};

use crate::client::*;

fn authed_get(keep_alive: bool) -> String {
    format!(
        "GET {API} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n{}\r\n",
        if keep_alive {
            ""
        } else {
            "Connection: close\r\n"
        }
    )
}

#[test]
fn two_requests_on_one_connection_get_different_request_ids() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let mut conn = connect(&standin);
    send(&mut conn, authed_get(true).as_bytes());
    let first = read_response(&mut conn).unwrap();
    send(&mut conn, authed_get(true).as_bytes());
    let second = read_response(&mut conn).unwrap();

    assert_eq!((first.status, second.status), (200, 200));
    assert_eq!(first.header("connection"), None);
    let (a, b) = (
        first.header("x-request-id").unwrap(),
        second.header("x-request-id").unwrap(),
    );
    assert!(is_request_id(a) && is_request_id(b), "{a} {b}");
    assert_ne!(a, b);
    assert_eq!(standin.connections_accepted(), 1);
}

#[test]
fn connection_close_is_honoured() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let mut conn = connect(&standin);
    send(&mut conn, authed_get(false).as_bytes());
    let response = read_response(&mut conn).unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("connection"), Some("close"));
    assert!(is_closed(&mut conn));
}

#[test]
fn http_1_0_closes_by_default() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let mut conn = connect(&standin);
    send(
        &mut conn,
        format!("GET {API} HTTP/1.0\r\nX-Auth-Token: {TOKEN}\r\n\r\n").as_bytes(),
    );
    assert_eq!(read_response(&mut conn).unwrap().status, 200);
    assert!(is_closed(&mut conn));
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let mut conn = connect(&standin);
    let raw = format!(
        "GET /nope HTTP/1.1\r\n\r\n{}GET {} HTTP/1.1\r\nX-Auth-Token: {TOKEN}\r\n\r\n",
        authed_get(true),
        scenario_target("forbidden")
    );
    send(&mut conn, raw.as_bytes());
    let statuses: Vec<u16> = (0..3)
        .map(|_| read_response(&mut conn).unwrap().status)
        .collect();
    assert_eq!(statuses, [404, 200, 403]);
}

#[test]
fn request_bodies_are_skipped() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let mut conn = connect(&standin);
    // The body looks like a request: if it were not skipped it would be answered.
    let body = format!("GET {API} HTTP/1.1\r\n\r\n");
    let raw = format!(
        "POST {API} HTTP/1.1\r\nX-Auth-Token: {TOKEN}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    send(&mut conn, raw.as_bytes());
    assert_eq!(read_response(&mut conn).unwrap().status, 404);
    send(&mut conn, authed_get(true).as_bytes());
    assert_eq!(read_response(&mut conn).unwrap().status, 200);
    assert_eq!(standin.requests().len(), 2);
}

#[test]
fn oversized_head_gets_431_and_close() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let mut conn = connect(&standin);
    let raw = format!(
        "GET {API} HTTP/1.1\r\nX-Auth-Token: {TOKEN}\r\nX-Pad: {}\r\n\r\n",
        "a".repeat(70 * 1024)
    );
    send(&mut conn, raw.as_bytes());
    let response = read_response(&mut conn).unwrap();
    assert_eq!(response.status, 431);
    assert!(is_request_id(response.header("x-request-id").unwrap()));
    assert_eq!(response.header("connection"), Some("close"));
    assert!(is_closed(&mut conn));
}

#[test]
fn head_just_under_the_limit_is_served() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let pad = "a".repeat(60 * 1024);
    let response = get(&standin, API, &[("X-Auth-Token", TOKEN), ("X-Pad", &pad)]);
    assert_eq!(response.status, 200);
}

#[test]
fn malformed_request_line_gets_400_and_close() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let mut conn = connect(&standin);
    send(&mut conn, b"this is not http\r\n\r\n");
    let response = read_response(&mut conn).unwrap();
    assert_eq!(response.status, 400);
    assert!(is_closed(&mut conn));
    assert!(standin.requests().is_empty());
}

#[test]
fn busy_polling_connections_serve_keep_alive_pipelining_and_close() {
    let standin = Standin::start(StandinConfig {
        busy_poll: Duration::from_millis(20),
        ..Default::default()
    })
    .unwrap();
    let mut conn = connect(&standin);
    // Requests within the polling window and after it (the connection has
    // gone back to a blocking read by then).
    for pause in [0, 1, 30, 0] {
        thread::sleep(Duration::from_millis(pause));
        send(&mut conn, authed_get(true).as_bytes());
        assert_eq!(read_response(&mut conn).unwrap().status, 200);
    }
    // Pipelined, and a request split over two writes.
    send(
        &mut conn,
        format!("{}{}", authed_get(true), authed_get(true)).as_bytes(),
    );
    assert_eq!(read_response(&mut conn).unwrap().status, 200);
    assert_eq!(read_response(&mut conn).unwrap().status, 200);
    let request = authed_get(false);
    let (a, b) = request.split_at(10);
    send(&mut conn, a.as_bytes());
    thread::sleep(Duration::from_millis(5));
    send(&mut conn, b.as_bytes());
    let last = read_response(&mut conn).unwrap();
    assert_eq!(last.header("connection"), Some("close"));
    assert!(is_closed(&mut conn));
    assert_eq!(standin.scenario_hits("ok"), 7);

    // A client that goes away while the connection polls is noticed at once.
    let mut conn = connect(&standin);
    send(&mut conn, authed_get(true).as_bytes());
    assert_eq!(read_response(&mut conn).unwrap().status, 200);
    drop(conn);
    assert_eq!(
        standin.wait_open_connections_at_most(0, Duration::from_secs(2)),
        0
    );

    // Dropping the stand-in ends a polling connection too.
    let mut conn = connect(&standin);
    send(&mut conn, authed_get(true).as_bytes());
    assert_eq!(read_response(&mut conn).unwrap().status, 200);
    let started = Instant::now();
    drop(standin);
    assert!(is_closed(&mut conn));
    assert!(started.elapsed() < Duration::from_secs(3));
}
