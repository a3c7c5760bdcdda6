//! Servers that never answer, or answer too slowly: every call ends in
//! TCC_ERR_TIMEOUT within its deadline (plus a generous slack), whatever the
//! server does, and IAM requests are bounded by the same deadline.
//! Through the C ABI, against the stand-in over real sockets.

mod common;

use common::*;
use osm_standin::{data, Standin};
use tcc::ffi::*;

#[test]
fn a_server_that_accepts_and_never_reads_times_out_at_the_deadline() {
    let blackhole = Standin::start_blackhole().unwrap();
    // The stall timeout (10 s by default) is longer than the deadline: the
    // deadline ends the single attempt.
    let net = Net {
        timeout_ms: Some(2000),
        ..Net::default()
    };
    let (got, elapsed) = timed_fetch(&blackhole.base_url(), &net);
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_TIMEOUT, "{err:?}");
    assert_eq!(
        err.message, "timed out: the call's deadline (2000 ms) passed",
        "{err:?}"
    );
    assert_eq!((err.http_status, err.attempts), (0, 1));
    assert_eq!(err.request_id, None);
    assert_elapsed(elapsed, 1900, 4000);
    assert_eq!(blackhole.connections_accepted(), 1);
}

#[test]
fn a_stalled_server_is_given_up_on_and_retried_until_the_attempts_run_out() {
    let server = standin();
    let net = Net {
        timeout_ms: Some(20_000),
        stall_timeout_ms: Some(500),
        ..Net::default()
    };
    let (got, elapsed) = timed_fetch(&server.scenario_url("hang"), &net);
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_TIMEOUT, "{err:?}");
    assert_eq!(
        err.message,
        "timed out: the server sent nothing for 500 ms (stall timeout) (after 3 attempts)"
    );
    assert_eq!(err.attempts, 3);
    assert_eq!(server.scenario_hits("hang"), 3);
    // Three stalls of 0.5 s and two backoffs of at most 0.25 s and 0.5 s.
    assert_elapsed(elapsed, 1400, 6000);
    // tcc closed every connection it gave up on.
    assert_eq!(
        server.wait_open_connections_at_most(0, std::time::Duration::from_secs(5)),
        0
    );
}

#[test]
fn a_blackhole_with_a_short_stall_timeout_ends_within_the_deadline() {
    let blackhole = Standin::start_blackhole().unwrap();
    let net = Net {
        timeout_ms: Some(2500),
        stall_timeout_ms: Some(1000),
        ..Net::default()
    };
    let (got, elapsed) = timed_fetch(&blackhole.base_url(), &net);
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_TIMEOUT, "{err:?}");
    assert!(err.message.starts_with("timed out: "), "{err:?}");
    // Two stalls fit in the deadline; the third attempt meets it.
    assert!((2..=3).contains(&err.attempts), "{err:?}");
    assert_eq!(blackhole.connections_accepted() as u32, err.attempts);
    assert_elapsed(elapsed, 1900, 4500);
}

#[test]
fn a_trickling_server_is_cut_off_at_the_deadline() {
    let server = standin();
    // A byte a second never trips the stall timeout; only the deadline ends it.
    const { assert!(data::TRICKLE_INTERVAL_MILLIS < 2000) };
    let net = Net {
        timeout_ms: Some(3000),
        stall_timeout_ms: Some(2000),
        ..Net::default()
    };
    let (got, elapsed) = timed_fetch(&server.scenario_url("trickle"), &net);
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_TIMEOUT, "{err:?}");
    assert_eq!(
        err.message,
        "timed out: the call's deadline (3000 ms) passed"
    );
    assert_eq!(err.attempts, 1);
    assert_eq!(server.scenario_hits("trickle"), 1);
    assert_elapsed(elapsed, 2900, 5000);
}

#[test]
fn a_body_that_stalls_after_the_headers_times_out_with_the_status_kept() {
    let server = standin();
    let net = Net {
        timeout_ms: Some(10_000),
        stall_timeout_ms: Some(500),
        max_attempts: Some(1),
        ..Net::default()
    };
    let (got, elapsed) = timed_fetch(&server.scenario_url("slow-headers-then-stall"), &net);
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_TIMEOUT, "{err:?}");
    assert_eq!(
        err.message,
        "timed out: the server sent nothing for 500 ms (stall timeout)"
    );
    assert_eq!((err.http_status, err.attempts), (200, 1));
    assert!(err.request_id.is_some(), "{err:?}");
    assert_elapsed(elapsed, 400, 3000);
}

#[test]
fn every_thread_sharing_a_client_gets_its_own_deadline() {
    let blackhole = Standin::start_blackhole().unwrap();
    let net = Net {
        timeout_ms: Some(1500),
        ..Net::default()
    };
    let client = SharedClient(client_net(&blackhole.base_url(), &net));
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(move || {
                    let err = fetch(client.get()).unwrap_err();
                    assert_eq!((err.code, err.attempts), (TCC_ERR_TIMEOUT, 1), "{err:?}");
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    });
    // In parallel, not one after the other.
    assert_elapsed(started.elapsed(), 1400, 4000);
    assert_eq!(blackhole.connections_accepted(), 16);
    unsafe { tcc_client_free(client.get()) };
}

#[test]
fn iam_requests_are_bounded_by_the_same_deadline() {
    let server = standin();
    let blackhole = Standin::start_blackhole().unwrap();
    let opts = options_for(&server.base_url());
    unsafe {
        ok(tcc_options_set_iam_endpoint(
            opts,
            cstring(&blackhole.base_url()).as_ptr(),
        ));
        ok(tcc_options_set_password(
            opts,
            cstring(data::IAM_USER).as_ptr(),
            cstring(data::IAM_PASSWORD).as_ptr(),
            cstring(data::DOMAIN_NAME).as_ptr(),
        ));
        ok(tcc_options_set_timeout_ms(opts, 2000));
    }
    let client = client_from(opts);
    let started = std::time::Instant::now();
    let err = fetch(client).unwrap_err();
    let elapsed = started.elapsed();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_TIMEOUT, "{err:?}");
    assert_eq!(
        err.message,
        "IAM token request failed: timed out: the call's deadline (2000 ms) passed"
    );
    assert_eq!(err.attempts, 1);
    assert_elapsed(elapsed, 1900, 4000);
    // OSM was never asked: there was no token to ask with.
    assert!(server.requests().is_empty());
}

#[test]
fn timeout_setters_check_their_ranges() {
    let opts = options_for("http://127.0.0.1:1");
    unsafe {
        for ms in [0, 3_600_001, u32::MAX] {
            assert_eq!(
                tcc_options_set_stall_timeout_ms(opts, ms),
                TCC_ERR_INVALID_ARGUMENT
            );
            assert!(last_error()
                .message
                .contains("stall timeout must be between 1 and 3600000 ms"));
            assert_eq!(
                tcc_options_set_timeout_ms(opts, ms),
                TCC_ERR_INVALID_ARGUMENT
            );
            assert_eq!(
                tcc_options_set_connect_timeout_ms(opts, ms),
                TCC_ERR_INVALID_ARGUMENT
            );
        }
        for ms in [1, 3_600_000] {
            ok(tcc_options_set_stall_timeout_ms(opts, ms));
        }
        assert_eq!(
            tcc_options_set_stall_timeout_ms(std::ptr::null_mut(), 5),
            TCC_ERR_INVALID_ARGUMENT
        );
        tcc_options_free(opts);
    }
}
