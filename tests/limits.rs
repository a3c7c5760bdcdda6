//! Size limits on what a server may send: a body over the limit fails at
//! once (a 10 GiB `Content-Length` is never read), a response head over the
//! limit fails too, both with TCC_ERR_RESPONSE_TOO_LARGE and not retried;
//! the limits are configurable.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::*;
use osm_standin::data;
use tcc::ffi::*;

#[test]
fn an_endless_body_is_refused_at_once_without_reading_it() {
    let server = standin();
    let (got, elapsed) = timed_fetch(&server.scenario_url("endless-body"), &Net::default());
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_RESPONSE_TOO_LARGE, "{err:?}");
    assert_eq!(
        err.message,
        format!(
            "response too large: the body is {} bytes (Content-Length), over the limit of 1048576 bytes",
            data::ENDLESS_DECLARED_LENGTH
        )
    );
    assert_eq!((err.http_status, err.attempts), (200, 1));
    assert!(err.request_id.is_some());
    assert_eq!(server.scenario_hits("endless-body"), 1);
    assert_elapsed(elapsed, 0, 2000);
    // The connection was dropped, not drained: the stand-in sees it close.
    assert_eq!(
        server.wait_open_connections_at_most(0, Duration::from_secs(5)),
        0
    );
}

#[test]
fn the_body_limit_can_be_lowered() {
    let server = standin();
    let client_with_limit = |scenario: &str| {
        let opts = options(&server.scenario_url(scenario), TOKEN);
        unsafe { ok(tcc_options_set_max_response_bytes(opts, 1024)) };
        client_from(opts)
    };
    // The ok answer fits in 1 KiB; the 4 MiB `huge` one does not.
    let client = client_with_limit("ok");
    assert!(fetch(client).is_ok());
    unsafe { tcc_client_free(client) };
    let client = client_with_limit("huge");
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_RESPONSE_TOO_LARGE, "{err:?}");
    assert!(
        err.message.ends_with("over the limit of 1024 bytes"),
        "{err:?}"
    );
    assert_eq!(server.scenario_hits("huge"), 1);
}

#[test]
fn huge_headers_are_refused() {
    let server = standin();
    // 1024 fields: more than the 128 that are ever parsed, whatever the byte limit.
    assert_eq!(data::HUGE_HEADERS_COUNT, 1024);
    for limit in [None, Some(1024 * 1024)] {
        let net = Net {
            max_header_bytes: limit,
            ..Net::default()
        };
        let (got, elapsed) = timed_fetch(&server.scenario_url("huge-headers"), &net);
        let err = got.unwrap_err();
        assert_eq!(err.code, TCC_ERR_RESPONSE_TOO_LARGE, "{err:?}");
        assert_eq!(
            err.message,
            "response too large: more than 128 header fields"
        );
        assert_eq!(err.attempts, 1);
        assert_elapsed(elapsed, 0, 2000);
    }
    assert_eq!(server.scenario_hits("huge-headers"), 2);
}

/// A one-shot server whose answer has a single header of `value_len` bytes.
fn serve_one_long_header(value_len: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut socket, _)) = listener.accept() {
            let mut buf = [0u8; 8192];
            let _ = socket.read(&mut buf);
            let body = r#"{"mc_email_infos":["a@example.com"]}"#;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Long: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                "v".repeat(value_len),
                body.len()
            );
            let _ = socket.write_all(head.as_bytes());
            let _ = socket.write_all(body.as_bytes());
        }
    });
    url
}

#[test]
fn the_header_byte_limit_applies_and_can_be_raised() {
    let net = |limit| Net {
        max_header_bytes: Some(limit),
        max_attempts: Some(1),
        ..Net::default()
    };
    let (got, _) = timed_fetch(&serve_one_long_header(10_000), &net(4096));
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_RESPONSE_TOO_LARGE, "{err:?}");
    assert!(
        err.message
            .starts_with("response too large: response header is too big: ")
            && err.message.ends_with(" > 4096"),
        "{err:?}"
    );
    let (got, _) = timed_fetch(&serve_one_long_header(10_000), &net(16 * 1024));
    assert_eq!(got.unwrap().addresses, ["a@example.com"]);
    // The default, 64 KiB, takes a 60 KB header but not a 70 KB one.
    let (got, _) = timed_fetch(&serve_one_long_header(60_000), &Net::default());
    assert!(got.is_ok(), "{got:?}");
    let (got, _) = timed_fetch(&serve_one_long_header(70_000), &Net::default());
    assert_eq!(got.unwrap_err().code, TCC_ERR_RESPONSE_TOO_LARGE);
}

#[test]
fn the_header_limit_is_checked() {
    let opts = options_for("http://127.0.0.1:1");
    unsafe {
        for bad in [0, 4095, 1024 * 1024 + 1, u32::MAX] {
            assert_eq!(
                tcc_options_set_max_header_bytes(opts, bad),
                TCC_ERR_INVALID_ARGUMENT
            );
            assert_eq!(
                last_error().message,
                "max header size must be between 4096 and 1048576 bytes"
            );
        }
        for good in [4096, 65536, 1024 * 1024] {
            ok(tcc_options_set_max_header_bytes(opts, good));
        }
        tcc_options_free(opts);
    }
}
