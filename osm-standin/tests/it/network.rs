//! The network scenarios (hangs, trickles, truncations, resets, endless
//! bodies), what ends them, the blackhole port and the connection counters.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use osm_standin::data::*;
use osm_standin::tls::TestCa;
use osm_standin::{Standin, StandinConfig};

use crate::client::*;
use crate::tls::{localhost_identity, tls_connect, trusting};

const JSON_TYPE: &str = "application/json;charset=UTF-8";
const SHORT: Duration = Duration::from_millis(1500);
const LONG: Duration = Duration::from_secs(10);

fn start() -> Standin {
    Standin::start(StandinConfig::default()).unwrap()
}

fn ok_body(standin: &Standin) -> Vec<u8> {
    get_authed(standin, API).body
}

#[test]
fn hang_answers_nothing_and_ends_when_the_client_closes() {
    let standin = start();
    let mut conn = start_scenario(&standin, "hang");
    let (bytes, end) = read_until_end(&mut conn, SHORT);
    assert_eq!((bytes.len(), end), (0, End::TimedOut));
    assert_eq!(standin.scenario_hits("hang"), 1);
    assert_eq!(standin.open_connections(), 1);

    // Whatever else the client sends is not answered either.
    send(
        &mut conn,
        format!("GET {API} HTTP/1.1\r\nX-Auth-Token: {TOKEN}\r\n\r\n").as_bytes(),
    );
    let (bytes, end) = read_until_end(&mut conn, Duration::from_millis(500));
    assert_eq!((bytes.len(), end), (0, End::TimedOut));

    drop(conn);
    assert_eq!(
        standin.wait_open_connections_at_most(0, Duration::from_secs(2)),
        0
    );
}

#[test]
fn hang_still_authenticates_first() {
    let standin = start();
    let response = get(&standin, &scenario_target("hang"), &[]);
    assert_eq!(response.status, 401);
    assert_eq!(standin.scenario_hits("hang"), 0);
}

#[test]
fn trickle_sends_one_byte_per_second() {
    let standin = start();
    let mut conn = start_scenario(&standin, "trickle");
    let mut arrivals = Vec::new();
    let started = Instant::now();
    let mut bytes = Vec::new();
    while started.elapsed() < Duration::from_millis(3500) {
        let left = Duration::from_millis(3500).saturating_sub(started.elapsed());
        conn.get_ref()
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        let mut byte = [0u8; 1];
        match conn.read(&mut byte) {
            Ok(1) => {
                bytes.push(byte[0]);
                arrivals.push(started.elapsed());
            }
            Ok(_) => panic!("closed early"),
            Err(_) => break,
        }
    }
    assert!((3..=5).contains(&bytes.len()), "{bytes:?} at {arrivals:?}");
    assert!(b"HTTP/1.1 200 OK\r\n".starts_with(&bytes), "{bytes:?}");
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(700), "{arrivals:?}");
    }
    // The client giving up ends it (noticed at the next byte written).
    drop(conn);
    assert_eq!(
        standin.wait_open_connections_at_most(0, Duration::from_secs(4)),
        0
    );
}

#[test]
fn slow_headers_then_stall() {
    let standin = start();
    let ok_len = ok_body(&standin).len();
    let mut conn = start_scenario(&standin, "slow-headers-then-stall");
    let head = read_head(&mut conn).unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(ok_len.to_string().as_str())
    );
    assert_eq!(head.header("content-type"), Some(JSON_TYPE));
    let (bytes, end) = read_until_end(&mut conn, SHORT);
    assert_eq!((bytes.len(), end), (0, End::TimedOut));
}

#[test]
fn close_after_headers() {
    let standin = start();
    let mut conn = start_scenario(&standin, "close-after-headers");
    let head = read_head(&mut conn).unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("200"));
    assert_eq!(head.header("connection"), None);
    let (bytes, end) = read_until_end(&mut conn, LONG);
    assert_eq!((bytes.len(), end), (0, End::Eof));
}

#[test]
fn truncated_body() {
    let standin = start();
    let ok = ok_body(&standin);
    let mut conn = start_scenario(&standin, "truncated-body");
    let head = read_head(&mut conn).unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(TRUNCATED_DECLARED_LENGTH.to_string().as_str())
    );
    let (bytes, end) = read_until_end(&mut conn, LONG);
    assert_eq!(end, End::Eof);
    assert_eq!(bytes.len(), TRUNCATED_SENT_BYTES);
    assert_eq!(bytes, ok[..TRUNCATED_SENT_BYTES]);
}

#[test]
fn reset_and_close_without_answer() {
    let standin = start();
    let mut conn = start_scenario(&standin, "reset");
    let (bytes, end) = read_until_end(&mut conn, LONG);
    assert_eq!(bytes.len(), 0);
    if cfg!(unix) {
        assert_eq!(end, End::Reset);
    } else {
        assert_ne!(end, End::TimedOut);
    }

    let mut conn = start_scenario(&standin, "close-without-answer");
    let (bytes, end) = read_until_end(&mut conn, LONG);
    assert_eq!((bytes.len(), end), (0, End::Eof));
    assert_eq!(standin.scenario_hits("reset"), 1);
    assert_eq!(standin.scenario_hits("close-without-answer"), 1);
}

fn start_endless(standin: &Standin) -> BufReader<TcpStream> {
    let mut conn = start_scenario(standin, "endless-body");
    let head = read_head(&mut conn).unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some(JSON_TYPE));
    assert_eq!(head.header("content-length"), Some("10737418240"));
    assert_eq!(ENDLESS_DECLARED_LENGTH, 10_737_418_240);
    conn
}

#[test]
fn endless_body_streams_until_the_client_closes() {
    let standin = start();
    let mut conn = start_endless(&standin);
    let mut body = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    while body.len() <= 1024 * 1024 {
        let n = conn.read(&mut chunk).unwrap();
        assert_ne!(n, 0, "ended after {} bytes", body.len());
        body.extend_from_slice(&chunk[..n]);
    }
    assert!(body.starts_with(b"[0,0,0,"), "{:?}", &body[..16]);
    assert_eq!(standin.open_connections(), 1);
    drop(conn);
    assert_eq!(
        standin.wait_open_connections_at_most(0, Duration::from_secs(5)),
        0
    );
}

#[test]
fn endless_body_stops_at_256_mib() {
    let standin = start();
    let mut conn = start_endless(&standin);
    conn.get_ref().set_read_timeout(Some(LONG)).unwrap();
    let mut total = 0u64;
    let mut chunk = vec![0u8; 256 * 1024];
    let started = Instant::now();
    loop {
        match conn.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => total += n as u64,
            Err(e) => panic!("after {total} bytes: {e}"),
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{total}");
    }
    assert_eq!(total, ENDLESS_MAX_BYTES);
}

#[test]
fn dropping_the_standin_ends_every_misbehaviour_promptly() {
    let standin = start();
    let names = [
        "hang",
        "slow-headers-then-stall",
        "trickle",
        // Not read by the client below: the stand-in is blocked writing.
        "endless-body",
    ];
    let mut conns: Vec<_> = names
        .iter()
        .map(|name| start_scenario(&standin, name))
        .collect();
    assert!(wait_until(LONG, || names
        .iter()
        .all(|n| standin.scenario_hits(n) == 1)));
    thread::sleep(Duration::from_millis(300));
    assert_eq!(standin.open_connections(), names.len());

    let dropped = Instant::now();
    drop(standin);
    for (name, conn) in names.iter().zip(&mut conns) {
        let (_, end) = read_until_end(conn, Duration::from_secs(2));
        assert_ne!(end, End::TimedOut, "{name}");
    }
    assert!(
        dropped.elapsed() < Duration::from_secs(2),
        "{:?}",
        dropped.elapsed()
    );
}

#[test]
fn open_connections_counts_connections_until_closed() {
    let standin = start();
    assert_eq!(standin.open_connections(), 0);
    let conns: Vec<_> = (0..3).map(|_| connect(&standin)).collect();
    assert!(wait_until(LONG, || standin.open_connections() == 3));
    drop(conns);
    assert_eq!(
        standin.wait_open_connections_at_most(0, Duration::from_secs(2)),
        0
    );
    assert_eq!(standin.connections_accepted(), 3);

    // A closed request/response exchange is not open either.
    get_authed(&standin, API);
    assert_eq!(
        standin.wait_open_connections_at_most(0, Duration::from_secs(2)),
        0
    );
}

#[test]
fn blackhole_accepts_and_never_answers() {
    let hole = Standin::start_blackhole().unwrap();
    assert_ne!(hole.port(), 0);
    assert_eq!(hole.base_url(), format!("http://127.0.0.1:{}", hole.port()));

    let stream = TcpStream::connect(("127.0.0.1", hole.port())).unwrap();
    let mut conn = BufReader::new(stream);
    conn.get_mut()
        .write_all(format!("GET {API} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .unwrap();
    let (bytes, end) = read_until_end(&mut conn, SHORT);
    assert_eq!((bytes.len(), end), (0, End::TimedOut));
    assert_eq!(hole.connections_accepted(), 1);
    assert_eq!(hole.open_connections(), 1);

    let dropped = Instant::now();
    drop(hole);
    let (_, end) = read_until_end(&mut conn, Duration::from_secs(2));
    assert_ne!(end, End::TimedOut);
    assert!(dropped.elapsed() < Duration::from_secs(2));
}

#[test]
fn network_scenarios_work_over_tls() {
    let ca = TestCa::new();
    let standin = Standin::start_tls(StandinConfig::default(), localhost_identity(&ca)).unwrap();
    let client = trusting(&ca.ca_pem());
    let request = |name: &str| {
        format!(
            "GET {} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: {TOKEN}\r\n\r\n",
            scenario_target(name)
        )
    };

    let mut conn = tls_connect(&standin, &client, "localhost").unwrap();
    conn.get_mut()
        .write_all(request("truncated-body").as_bytes())
        .unwrap();
    let head = read_head(&mut conn).unwrap();
    assert_eq!(head.header("content-length"), Some("200"));
    let mut body = Vec::new();
    // close_notify, then EOF: a clean end after 50 of 200 bytes.
    conn.read_to_end(&mut body).unwrap();
    assert_eq!(body.len(), TRUNCATED_SENT_BYTES);

    let mut conn = tls_connect(&standin, &client, "localhost").unwrap();
    conn.get_mut()
        .write_all(request("hang").as_bytes())
        .unwrap();
    assert!(wait_until(LONG, || standin.scenario_hits("hang") == 1));
    let dropped = Instant::now();
    drop(standin);
    conn.get_ref()
        .sock
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut rest = Vec::new();
    // EOF (or an error for the missing close_notify), but no timeout.
    if let Err(e) = conn.read_to_end(&mut rest) {
        assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{e}"
        );
    }
    assert!(rest.is_empty());
    assert!(dropped.elapsed() < Duration::from_secs(2));
}
