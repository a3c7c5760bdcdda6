//! The retry policy, end to end: what is retried (transport failures, 429,
//! 500, 502, 503, 504), how often (3 attempts by default, configurable, off
//! with 1), how long it waits (Retry-After, capped and never past the
//! deadline), and what never is (other statuses, business errors, bad
//! bodies). Every case checks the hits the stand-in counted, the result
//! code, `tcc_last_error_attempts()` and a generous time bound.

mod common;

use common::*;
use osm_standin::data;
use tcc::ffi::*;

fn attempts(n: u32) -> Net {
    Net {
        max_attempts: Some(n),
        ..Net::default()
    }
}

#[test]
fn transient_failures_are_retried_until_an_answer_comes() {
    let server = standin();
    for failure in ["500", "502", "503", "504", "close", "reset"] {
        let scenario = format!("flaky-{failure}-2");
        let (got, elapsed) = timed_fetch(&server.scenario_url(&scenario), &Net::default());
        let got = got.unwrap_or_else(|e| panic!("{scenario}: {e:?}"));
        assert_eq!(got.addresses, data::ADDRESSES, "{scenario}");
        assert_eq!(server.scenario_hits(&scenario), 3, "{scenario}");
        // Two backoffs of at most 250 ms and 500 ms.
        assert_elapsed(elapsed, 0, 3000);
    }
}

#[test]
fn a_server_that_hangs_once_is_retried_after_the_stall_timeout() {
    let server = standin();
    let net = Net {
        stall_timeout_ms: Some(500),
        ..Net::default()
    };
    let (got, elapsed) = timed_fetch(&server.scenario_url("flaky-hang-1"), &net);
    assert_eq!(got.unwrap().addresses, data::ADDRESSES);
    assert_eq!(server.scenario_hits("flaky-hang-1"), 2);
    assert_elapsed(elapsed, 400, 3000);
}

#[test]
fn a_retried_aksk_request_is_signed_again_and_accepted() {
    let server = standin();
    let opts = aksk_options(&server, data::AK, data::SK, Some(data::DOMAIN_ID), None);
    unsafe {
        ok(tcc_options_set_endpoint(
            opts,
            cstring(&server.scenario_url("flaky-503-1")).as_ptr(),
        ))
    };
    let client = client_from(opts);
    let got = fetch(client);
    unsafe { tcc_client_free(client) };
    assert_eq!(got.unwrap().addresses, data::ADDRESSES);
    let requests = osm_requests(&server);
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert!(r.header("authorization").is_some() && r.header("x-sdk-date").is_some());
    }
}

#[test]
fn a_429_waits_what_retry_after_asks() {
    let server = standin();
    let (got, elapsed) = timed_fetch(&server.scenario_url("flaky-429-1"), &Net::default());
    assert_eq!(got.unwrap().addresses, data::ADDRESSES);
    assert_eq!(server.scenario_hits("flaky-429-1"), 2);
    assert_eq!(data::RETRY_AFTER_THROTTLED, "1");
    assert_elapsed(elapsed, 950, 4000);
}

#[test]
fn a_429_that_stays_is_throttled_after_the_attempts() {
    let server = standin();
    let (got, elapsed) = timed_fetch(&server.scenario_url("retry-after-429"), &attempts(2));
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_THROTTLED, "{err:?}");
    assert_eq!((err.http_status, err.attempts), (429, 2));
    assert_eq!(err.service_code.as_deref(), Some("APIGW.0308"));
    assert!(err.message.ends_with(" (after 2 attempts)"), "{err:?}");
    assert!(err.request_id.is_some());
    assert_eq!(server.scenario_hits("retry-after-429"), 2);
    assert_eq!(data::RETRY_AFTER_429, "2");
    assert_elapsed(elapsed, 1950, 5000);
}

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    let server = standin();
    let (got, elapsed) = timed_fetch(&server.scenario_url("retry-after-date"), &attempts(2));
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_THROTTLED, "{err:?}");
    assert_eq!(err.attempts, 2);
    assert_eq!(server.scenario_hits("retry-after-date"), 2);
    // The date is 1 to 2 s ahead, in whole seconds.
    assert_elapsed(elapsed, 300, 5000);
}

#[test]
fn a_retry_after_of_an_hour_ends_the_call_at_once() {
    let server = standin();
    for timeout_ms in [5000, 30_000] {
        let net = Net {
            timeout_ms: Some(timeout_ms),
            ..Net::default()
        };
        let (got, elapsed) = timed_fetch(&server.scenario_url("retry-after-huge"), &net);
        let err = got.unwrap_err();
        assert_eq!(err.code, TCC_ERR_THROTTLED, "{err:?}");
        assert_eq!((err.http_status, err.attempts), (429, 1));
        assert!(!err.message.contains("attempts"), "{err:?}");
        assert_elapsed(elapsed, 0, 1500);
    }
    assert_eq!(server.scenario_hits("retry-after-huge"), 2);
    assert_eq!(data::RETRY_AFTER_HUGE, "3600");
}

#[test]
fn a_wait_that_would_pass_the_deadline_is_not_made() {
    let server = standin();
    // Retry-After: 2 with 1.5 s left: the 429 comes back at once.
    let net = Net {
        timeout_ms: Some(1500),
        ..Net::default()
    };
    let (got, elapsed) = timed_fetch(&server.scenario_url("retry-after-429"), &net);
    let err = got.unwrap_err();
    assert_eq!((err.code, err.attempts), (TCC_ERR_THROTTLED, 1), "{err:?}");
    assert_elapsed(elapsed, 0, 1000);
}

#[test]
fn an_html_502_is_retried_then_reported_as_a_server_error() {
    let server = standin();
    let (got, _) = timed_fetch(&server.scenario_url("html-502"), &Net::default());
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_SERVER, "{err:?}");
    assert_eq!((err.http_status, err.attempts), (502, 3));
    assert!(
        err.message
            .starts_with("HTTP 502 with a non-JSON body (text/html, ")
            && err.message.ends_with(" bytes) (after 3 attempts)"),
        "{err:?}"
    );
    assert_eq!(server.scenario_hits("html-502"), 3);
}

#[test]
fn retries_off_sends_once() {
    let server = standin();
    let (got, _) = timed_fetch(&server.scenario_url("flaky-500-1"), &attempts(1));
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_SERVER);
    assert_eq!((err.http_status, err.attempts), (500, 1));
    assert_eq!(err.service_code.as_deref(), Some("OSM.0004"));
    assert_eq!(err.message, "HTTP 500: OSM.0004: internal error");
    assert_eq!(server.scenario_hits("flaky-500-1"), 1);
}

#[test]
fn more_attempts_outlast_more_failures() {
    let server = standin();
    let (got, _) = timed_fetch(&server.scenario_url("flaky-503-4"), &attempts(5));
    assert_eq!(got.unwrap().addresses, data::ADDRESSES);
    assert_eq!(server.scenario_hits("flaky-503-4"), 5);
    let (got, _) = timed_fetch(&server.scenario_url("flaky-503-3"), &Net::default());
    let err = got.unwrap_err();
    assert_eq!((err.code, err.attempts), (TCC_ERR_SERVER, 3));
    assert_eq!(server.scenario_hits("flaky-503-3"), 3);
}

#[test]
fn answers_that_will_not_change_are_not_retried() {
    let server = standin();
    let cases: &[(&str, tcc_result, u16)] = &[
        ("status-400", TCC_ERR_HTTP, 400),
        ("status-401", TCC_ERR_AUTH, 401),
        ("status-403", TCC_ERR_AUTH, 403),
        ("status-404", TCC_ERR_HTTP, 404),
        ("status-501", TCC_ERR_SERVER, 501),
        ("bad-request", TCC_ERR_SERVICE, 400),
        ("business-error", TCC_ERR_SERVICE, 200),
        ("malformed-json", TCC_ERR_BAD_RESPONSE, 200),
        ("not-json", TCC_ERR_BAD_RESPONSE, 200),
        ("huge", TCC_ERR_RESPONSE_TOO_LARGE, 200),
    ];
    for &(scenario, code, status) in cases {
        let (got, elapsed) = timed_fetch(&server.scenario_url(scenario), &Net::default());
        let err = got.unwrap_err();
        assert_eq!(err.code, code, "{scenario}: {err:?}");
        assert_eq!(err.http_status, status, "{scenario}");
        assert_eq!(err.attempts, 1, "{scenario}");
        assert!(!err.message.contains("attempts"), "{scenario}: {err:?}");
        assert_eq!(server.scenario_hits(scenario), 1, "{scenario}");
        assert_elapsed(elapsed, 0, 2000);
    }
}

#[test]
fn a_connection_that_breaks_every_time_is_a_network_error_after_the_retries() {
    let server = standin();
    for scenario in [
        "close-after-headers",
        "truncated-body",
        "reset",
        "close-without-answer",
    ] {
        let (got, elapsed) = timed_fetch(&server.scenario_url(scenario), &Net::default());
        let err = got.unwrap_err();
        assert_eq!(err.code, TCC_ERR_NETWORK, "{scenario}: {err:?}");
        assert_eq!(err.attempts, 3, "{scenario}");
        assert!(err.message.starts_with("network failure: "), "{err:?}");
        assert!(err.message.ends_with(" (after 3 attempts)"), "{err:?}");
        // The head arrived before the body broke off: its status is kept.
        let status = if scenario.starts_with("close-after") || scenario.starts_with("truncated") {
            200
        } else {
            0
        };
        assert_eq!(err.http_status, status, "{scenario}: {err:?}");
        assert_eq!(server.scenario_hits(scenario), 3, "{scenario}");
        assert_elapsed(elapsed, 0, 3000);
    }
}

#[test]
fn connection_refused_is_retried_too() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (got, elapsed) = timed_fetch(&format!("http://127.0.0.1:{port}"), &Net::default());
    let err = got.unwrap_err();
    assert_eq!((err.code, err.attempts), (TCC_ERR_NETWORK, 3), "{err:?}");
    assert_elapsed(elapsed, 0, 3000);
}

#[test]
fn max_attempts_is_checked() {
    let opts = options_for("http://127.0.0.1:1");
    unsafe {
        for bad in [0, 11, u32::MAX] {
            assert_eq!(
                tcc_options_set_max_attempts(opts, bad),
                TCC_ERR_INVALID_ARGUMENT
            );
            assert_eq!(
                last_error().message,
                "max attempts must be between 1 and 10"
            );
        }
        for good in [1, 10] {
            ok(tcc_options_set_max_attempts(opts, good));
        }
        assert_eq!(
            tcc_options_set_max_attempts(std::ptr::null_mut(), 3),
            TCC_ERR_INVALID_ARGUMENT
        );
        tcc_options_free(opts);
    }
    // No request sent, no attempt counted.
    assert_eq!(tcc_last_error_attempts(), 0);
}
