//! `flaky-<what>-<n>`: n failures, then the ok answer; counted per name and
//! per stand-in.

use std::time::{Duration, Instant};

use osm_standin::{Standin, StandinConfig, FLAKY_FAILURES};
use serde_json::json;

use crate::client::*;

fn fetch(standin: &Standin, name: &str) -> RawResponse {
    get_authed(standin, &scenario_target(name))
}

fn assert_ok(response: &RawResponse, what: &str) {
    assert_eq!(response.status, 200, "{what}: {}", response.text());
    assert_eq!(
        response.json()["cc_email_info"]["user_id"],
        osm_standin::data::USER_ID,
        "{what}"
    );
}

#[test]
fn http_failures_come_n_times_then_ok() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    for (what, status) in [
        ("500", 500),
        ("502", 502),
        ("503", 503),
        ("504", 504),
        ("429", 429),
    ] {
        let name = format!("flaky-{what}-2");
        for attempt in 1..=2 {
            let response = fetch(&standin, &name);
            assert_eq!(response.status, status, "{name} attempt {attempt}");
            assert!(is_request_id(response.header("x-request-id").unwrap()));
            match what {
                "500" => assert_eq!(
                    response.json(),
                    json!({ "error_code": "OSM.0004", "error_msg": "internal error" })
                ),
                "502" | "504" => {
                    assert_eq!(response.header("content-type"), Some("text/html"));
                    assert!(response.text().contains(&format!("<title>{status} ")));
                }
                "503" => assert!(response.body.is_empty()),
                "429" => {
                    assert_eq!(response.json()["error_code"], "APIGW.0308");
                    assert_eq!(response.header("retry-after"), Some("1"));
                }
                _ => unreachable!(),
            }
        }
        for _ in 0..2 {
            assert_ok(&fetch(&standin, &name), &name);
        }
        assert_eq!(standin.scenario_hits(&name), 4, "{name}");
    }
}

#[test]
fn failures_are_counted_per_name_and_per_standin() {
    let a = Standin::start(StandinConfig::default()).unwrap();
    let b = Standin::start(StandinConfig::default()).unwrap();
    assert_eq!(fetch(&a, "flaky-503-1").status, 503);
    assert_eq!(fetch(&a, "flaky-503-2").status, 503);
    assert_eq!(fetch(&b, "flaky-503-1").status, 503);
    assert_eq!(fetch(&a, "flaky-503-1").status, 200);
    assert_eq!(fetch(&a, "flaky-503-2").status, 503);
    assert_eq!(fetch(&a, "flaky-503-2").status, 200);
    assert_eq!(fetch(&b, "flaky-503-1").status, 200);
    assert_eq!(a.scenario_hits("flaky-503-1"), 2);
    assert_eq!(a.scenario_hits("flaky-503-2"), 3);
    assert_eq!(b.scenario_hits("flaky-503-1"), 2);
    assert_eq!(b.scenario_hits("flaky-503-2"), 0);
}

#[test]
fn rejected_requests_do_not_use_up_failures() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let target = scenario_target("flaky-500-1");
    assert_eq!(get(&standin, &target, &[]).status, 401);
    assert_eq!(
        get(
            &standin,
            &target,
            &[("X-Auth-Token", TOKEN), ("X-Site", "9")]
        )
        .status,
        400
    );
    assert_eq!(standin.scenario_hits("flaky-500-1"), 0);
    assert_eq!(fetch(&standin, "flaky-500-1").status, 500);
    assert_eq!(fetch(&standin, "flaky-500-1").status, 200);
}

#[test]
fn every_scenario_request_is_counted() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    get_authed(&standin, API);
    get_authed(&standin, &scenario_target("ok"));
    fetch(&standin, "status-418");
    fetch(&standin, "no-such-scenario");
    assert_eq!(standin.scenario_hits("ok"), 2);
    assert_eq!(standin.scenario_hits("status-418"), 1);
    assert_eq!(standin.scenario_hits("no-such-scenario"), 0);
    assert_eq!(standin.scenario_hits("null"), 0);
}

#[test]
fn flaky_connection_failures_then_ok() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    for _ in 0..3 {
        let mut conn = start_scenario(&standin, "flaky-close-3");
        let (bytes, end) = read_until_end(&mut conn, Duration::from_secs(5));
        assert_eq!((bytes.len(), end), (0, End::Eof));
    }
    assert_ok(&fetch(&standin, "flaky-close-3"), "close");

    for _ in 0..2 {
        let mut conn = start_scenario(&standin, "flaky-reset-2");
        let (bytes, end) = read_until_end(&mut conn, Duration::from_secs(5));
        assert_eq!(bytes.len(), 0);
        if cfg!(unix) {
            assert_eq!(end, End::Reset);
        } else {
            assert_ne!(end, End::TimedOut);
        }
    }
    assert_ok(&fetch(&standin, "flaky-reset-2"), "reset");
    assert_eq!(standin.scenario_hits("flaky-close-3"), 4);
    assert_eq!(standin.scenario_hits("flaky-reset-2"), 3);
}

#[test]
fn flaky_hang_holds_five_seconds_then_closes() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let started = Instant::now();
    let mut conn = start_scenario(&standin, "flaky-hang-1");
    let (bytes, end) = read_until_end(&mut conn, Duration::from_secs(15));
    let held = started.elapsed();
    assert_eq!((bytes.len(), end), (0, End::Eof));
    assert!(
        held >= Duration::from_millis(4500) && held < Duration::from_secs(8),
        "{held:?}"
    );
    assert_ok(&fetch(&standin, "flaky-hang-1"), "hang");
}

#[test]
fn every_failure_kind_is_a_scenario() {
    assert_eq!(FLAKY_FAILURES.len(), 8);
    for what in FLAKY_FAILURES {
        assert!(osm_standin::is_scenario(&format!("flaky-{what}-9")));
        assert!(!osm_standin::is_scenario(&format!("flaky-{what}-0")));
    }
}
