//! Scenario name → what the stand-in does. Each scenario reproduces one
//! thing a real OSM endpoint (or something in front of it, or the network in
//! between) can do.
//!
//! Three kinds:
//! - [`SCENARIOS`]: fixed names answered at once with one complete response
//!   (safe to loop over);
//! - [`NETWORK_SCENARIOS`]: fixed names that misbehave on the connection
//!   (hang, trickle, truncate, reset, ...); see `misbehave.rs`;
//! - families with a parameter in the name: `flaky-<what>-<n>` (what in
//!   [`FLAKY_FAILURES`], n in 1..=9), `status-<code>` (200..=599),
//!   `redirect-<port>` and `redirect-https-<port>` (port 1..=65535, written
//!   without leading zeros).

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};

use crate::data::*;
use crate::http::{Response, JSON};
use crate::misbehave::Misbehaviour;
use crate::router::{Reply, API_PATH};

/// Fixed-name scenarios answered with one complete response, reachable at
/// `/scenario/<name>/v2/servicerequest/carbon-copy-emails`.
pub const SCENARIOS: &[&str] = &[
    "ok",
    "array",
    "array-two",
    "empty-array",
    "null",
    "absent",
    "null-fields",
    "unknown-fields",
    "non-ascii",
    "business-error",
    "bad-request",
    "forbidden",
    "internal-error",
    "throttled",
    "iam-style-error",
    "html-502",
    "empty-503",
    "not-json",
    "truncated-json",
    "wrong-type",
    "huge",
    "huge-headers",
    "malformed-json",
    "retry-after-429",
    "retry-after-date",
    "retry-after-huge",
    "redirect-same",
];

/// Fixed-name scenarios that misbehave on the connection instead of (or
/// while) answering. Each one ends by itself: see the crate documentation.
pub const NETWORK_SCENARIOS: &[&str] = &[
    "hang",
    "trickle",
    "slow-headers-then-stall",
    "close-after-headers",
    "truncated-body",
    "reset",
    "close-without-answer",
    "endless-body",
];

/// The `<what>` of `flaky-<what>-<n>`.
pub const FLAKY_FAILURES: &[&str] = &["500", "502", "503", "504", "429", "close", "reset", "hang"];

/// Whether `name` is a scenario of any kind (fixed or from a family).
pub fn is_scenario(name: &str) -> bool {
    parse(name).is_some()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario<'a> {
    /// One of [`SCENARIOS`].
    Canned(&'a str),
    /// One of [`NETWORK_SCENARIOS`].
    Network(&'a str),
    /// `flaky-<failure>-<times>`.
    Flaky { failure: &'a str, times: usize },
    /// `status-<code>`.
    Status(u16),
    /// `redirect-<port>` / `redirect-https-<port>`.
    Redirect { https: bool, port: u16 },
}

/// A decimal number written without sign or leading zeros.
fn canonical_number(text: &str) -> Option<u32> {
    let n: u32 = text.parse().ok()?;
    (text.bytes().all(|b| b.is_ascii_digit()) && n.to_string() == text).then_some(n)
}

fn parse(name: &str) -> Option<Scenario<'_>> {
    if SCENARIOS.contains(&name) {
        return Some(Scenario::Canned(name));
    }
    if NETWORK_SCENARIOS.contains(&name) {
        return Some(Scenario::Network(name));
    }
    if let Some(rest) = name.strip_prefix("flaky-") {
        let (failure, times) = rest.rsplit_once('-')?;
        let times = canonical_number(times).filter(|t| (1..=9).contains(t))?;
        return FLAKY_FAILURES
            .contains(&failure)
            .then_some(Scenario::Flaky {
                failure,
                times: times as usize,
            });
    }
    if let Some(code) = name.strip_prefix("status-") {
        let code = canonical_number(code).filter(|c| (200..=599).contains(c))?;
        return Some(Scenario::Status(code as u16));
    }
    if let Some(rest) = name.strip_prefix("redirect-") {
        let (https, port) = match rest.strip_prefix("https-") {
            Some(port) => (true, port),
            None => (false, rest),
        };
        let port = canonical_number(port).and_then(|p| u16::try_from(p).ok())?;
        return (port != 0).then_some(Scenario::Redirect { https, port });
    }
    None
}

fn record() -> Value {
    json!({ "user_id": USER_ID, "customer_id": CUSTOMER_ID, "cc_email": CC_EMAIL })
}

fn ok_body() -> Value {
    json!({ "cc_email_info": record(), "mc_email_infos": ADDRESSES })
}

/// The `ok` answer (built once, see [`canned`]).
fn ok_response() -> Response {
    canned("ok", 0).unwrap_or_else(|| Response::json(200, &ok_body()))
}

fn throttled(retry_after: &str) -> Response {
    Response::error(
        429,
        "APIGW.0308",
        "The throttling threshold has been reached",
    )
    .with_header("Retry-After", retry_after)
}

fn html_502() -> Response {
    Response::new(
        502,
        "text/html",
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n".as_bytes(),
    )
}

fn html_504() -> Response {
    Response::new(
        504,
        "text/html",
        "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n".as_bytes(),
    )
}

fn empty_503() -> Response {
    Response::new(503, JSON, Vec::new())
}

fn redirect(location: String) -> Response {
    Response::empty(302).with_header("Location", location)
}

/// The `huge-headers` fields: `X-Filler-0000: aaa…` lines of 128 bytes each.
fn filler_headers() -> Vec<(String, String)> {
    (0..HUGE_HEADERS_COUNT)
        .map(|i| {
            let name = format!("X-Filler-{i:04}");
            // name + ": " + value + CRLF = 128 bytes.
            let value = "a".repeat(HUGE_HEADERS_BYTES / HUGE_HEADERS_COUNT - name.len() - 4);
            (name, value)
        })
        .collect()
}

/// `Retry-After` date of `retry-after-date`: the server clock rounded up to
/// the next whole second, plus one second, so 1 to 2 s ahead.
fn retry_after_date(now_micros: i64) -> String {
    let now_secs_ceil = now_micros.div_euclid(1_000_000) + 1;
    crate::clock::format_http_date(now_secs_ceil + 1)
}

/// What the stand-in does for scenario `name`, `None` if there is no such
/// scenario. `hit` is the number of this request among those that reached
/// the scenario (1 for the first); `now_micros` the server clock.
pub(crate) fn respond(name: &str, hit: usize, now_micros: i64) -> Option<Reply> {
    let reply = match parse(name)? {
        Scenario::Canned(name) => Reply::Respond(canned(name, now_micros)?),
        Scenario::Network(name) => Reply::Misbehave(network(name)?),
        Scenario::Flaky { failure, times } if hit <= times => flaky_failure(failure)?,
        Scenario::Flaky { .. } => Reply::Respond(ok_response()),
        Scenario::Status(code) => Reply::Respond(Response::empty(code)),
        Scenario::Redirect { https: false, port } => {
            Reply::Respond(redirect(format!("http://localhost:{port}{API_PATH}")))
        }
        Scenario::Redirect { https: true, port } => {
            Reply::Respond(redirect(format!("https://127.0.0.1:{port}{API_PATH}")))
        }
    };
    Some(reply)
}

fn network(name: &str) -> Option<Misbehaviour> {
    let truncated = |body_bytes| Misbehaviour::HeadThenClose {
        response: ok_response(),
        content_length: TRUNCATED_DECLARED_LENGTH,
        body_bytes,
    };
    Some(match name {
        "hang" => Misbehaviour::Hang(Duration::from_secs(HANG_MAX_SECS)),
        "trickle" => Misbehaviour::Trickle(ok_response()),
        "slow-headers-then-stall" => Misbehaviour::HeadThenStall(ok_response()),
        "close-after-headers" => truncated(0),
        "truncated-body" => truncated(TRUNCATED_SENT_BYTES),
        "reset" => Misbehaviour::Reset,
        "close-without-answer" => Misbehaviour::CloseWithoutAnswer,
        "endless-body" => Misbehaviour::EndlessBody,
        _ => return None,
    })
}

fn flaky_failure(failure: &str) -> Option<Reply> {
    Some(match failure {
        "500" => Reply::Respond(Response::error(500, "OSM.0004", "internal error")),
        "502" => Reply::Respond(html_502()),
        "503" => Reply::Respond(empty_503()),
        "504" => Reply::Respond(html_504()),
        "429" => Reply::Respond(throttled(RETRY_AFTER_THROTTLED)),
        "close" => Reply::Misbehave(Misbehaviour::CloseWithoutAnswer),
        "reset" => Reply::Misbehave(Misbehaviour::Reset),
        "hang" => Reply::Misbehave(Misbehaviour::Hang(Duration::from_secs(FLAKY_HANG_SECS))),
        _ => return None,
    })
}

/// The responses of [`SCENARIOS`] that do not depend on the clock, each
/// built (serialised) on first use and kept for the life of the process.
static CANNED: [OnceLock<Response>; SCENARIOS.len()] = [const { OnceLock::new() }; SCENARIOS.len()];

/// Response of one of [`SCENARIOS`]: the kept one, sharing its body, except
/// for `retry-after-date`, which is made for `now_micros`.
fn canned(name: &str, now_micros: i64) -> Option<Response> {
    if name == "retry-after-date" {
        return build_canned(name, now_micros);
    }
    let slot = &CANNED[SCENARIOS.iter().position(|&s| s == name)?];
    let response = match slot.get() {
        Some(response) => response,
        None => {
            // Two threads may build it at once; either result is the same.
            let _ = slot.set(build_canned(name, now_micros)?);
            slot.get()?
        }
    };
    Some(response.share())
}

/// Builds the response of one of [`SCENARIOS`].
fn build_canned(name: &str, now_micros: i64) -> Option<Response> {
    let ok = |body: Value| Response::json(200, &body);
    let response = match name {
        "ok" => ok(ok_body()),
        // The official doc's example shows an array where the schema says object.
        "array" => ok(json!({ "cc_email_info": [record()], "mc_email_infos": ADDRESSES })),
        "array-two" => ok(json!({
            "cc_email_info": [
                record(),
                {
                    "user_id": SECOND_RECORD_USER_ID,
                    "customer_id": SECOND_RECORD_CUSTOMER_ID,
                    "cc_email": SECOND_RECORD_CC_EMAIL,
                },
            ],
            "mc_email_infos": ADDRESSES,
        })),
        "empty-array" => ok(json!({ "cc_email_info": [], "mc_email_infos": ADDRESSES })),
        "null" => ok(json!({ "cc_email_info": null, "mc_email_infos": null })),
        "absent" => ok(json!({})),
        "null-fields" => ok(json!({
            "cc_email_info": { "user_id": null, "cc_email": CC_EMAIL },
            "mc_email_infos": [],
        })),
        "unknown-fields" => ok(json!({
            "request_id": "5f1c0e2a",
            "total_count": 1,
            "extra_object": { "nested": { "deep": [1, 2, 3] }, "flag": true },
            "extra_list": [{ "id": 1, "name": "a" }, { "id": 2, "name": null }],
            "cc_email_info": {
                "user_id": USER_ID,
                "customer_id": CUSTOMER_ID,
                "cc_email": CC_EMAIL,
                "create_time": "2024-05-01T08:00:00Z",
                "status": 0,
                "labels": { "source": "console" },
            },
            "mc_email_infos": ADDRESSES,
        })),
        "non-ascii" => ok(json!({
            "cc_email_info": {
                "user_id": NON_ASCII_USER_ID,
                "customer_id": NON_ASCII_CUSTOMER_ID,
                "cc_email": NON_ASCII_CC_EMAIL,
            },
            "mc_email_infos": NON_ASCII_ADDRESSES,
        })),
        // OSM reports business errors with HTTP 200.
        "business-error" => Response::error(200, "OSM.01010002", "No operation permission"),
        "bad-request" => Response::error(400, "OSM.0001", "parameter check failed"),
        "forbidden" => Response::error(403, "OSM.0003", "forbidden"),
        "internal-error" => Response::error(500, "OSM.0004", "internal error"),
        "throttled" => throttled(RETRY_AFTER_THROTTLED),
        // IAM's own error shape, different from OSM's.
        "iam-style-error" => Response::json(
            401,
            &json!({ "error": { "code": "IAM.0001", "message": "The request you have made requires authentication." } }),
        ),
        "html-502" => html_502(),
        "empty-503" => empty_503(),
        "not-json" => Response::new(200, "text/plain", b"OK".as_slice()),
        "truncated-json" => {
            let full = ok_body().to_string();
            // The ok body is ASCII, so any byte index is a char boundary.
            Response::new(200, JSON, full.as_bytes()[..full.len() / 2].to_vec())
        }
        "wrong-type" => ok(json!({
            "cc_email_info": { "user_id": "x", "customer_id": "y", "cc_email": "z" },
            "mc_email_infos": WRONG_TYPE_ADDRESSES,
        })),
        // Valid JSON, valid data, just too big: only a body-size limit should reject it.
        "huge" => ok(json!({
            "padding": "x".repeat(HUGE_PADDING_BYTES),
            "cc_email_info": record(),
            "mc_email_infos": ADDRESSES,
        })),
        "huge-headers" => {
            let mut response = ok(ok_body());
            response.headers = filler_headers();
            response
        }
        "malformed-json" => Response::new(200, JSON, MALFORMED_JSON_BODY.as_bytes()),
        "retry-after-429" => throttled(RETRY_AFTER_429),
        "retry-after-date" => throttled(&retry_after_date(now_micros)),
        "retry-after-huge" => throttled(RETRY_AFTER_HUGE),
        "redirect-same" => redirect(format!("/scenario/ok{API_PATH}")),
        _ => return None,
    };
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(name: &str, hit: usize) -> Response {
        match respond(name, hit, 0) {
            Some(Reply::Respond(response)) => response,
            _ => panic!("{name} is not a plain response"),
        }
    }

    fn misbehaviour(name: &str, hit: usize) -> Misbehaviour {
        match respond(name, hit, 0) {
            Some(Reply::Misbehave(m)) => m,
            _ => panic!("{name} does not misbehave"),
        }
    }

    #[test]
    fn every_listed_scenario_has_a_reply_and_others_do_not() {
        for name in SCENARIOS {
            response(name, 1);
            assert!(is_scenario(name));
        }
        for name in NETWORK_SCENARIOS {
            misbehaviour(name, 1);
            assert!(is_scenario(name));
        }
        for name in [
            "nope",
            "",
            "flaky-500-0",
            "flaky-500-10",
            "flaky-500-01",
            "flaky-404-1",
            "flaky-500",
            "flaky--1",
            "status-199",
            "status-600",
            "status-0404",
            "status-4044",
            "status-+404",
            "status-",
            "redirect-0",
            "redirect-65536",
            "redirect-08080",
            "redirect-",
            "redirect-https-",
            "redirect-https-x",
        ] {
            assert!(respond(name, 1, 0).is_none(), "{name}");
            assert!(!is_scenario(name), "{name}");
        }
    }

    #[test]
    fn families_parse() {
        assert_eq!(
            parse("flaky-close-3"),
            Some(Scenario::Flaky {
                failure: "close",
                times: 3
            })
        );
        assert_eq!(parse("status-418"), Some(Scenario::Status(418)));
        assert_eq!(
            parse("redirect-8080"),
            Some(Scenario::Redirect {
                https: false,
                port: 8080
            })
        );
        assert_eq!(
            parse("redirect-https-65535"),
            Some(Scenario::Redirect {
                https: true,
                port: 65535
            })
        );
        for failure in FLAKY_FAILURES {
            for n in 1..=9 {
                assert!(is_scenario(&format!("flaky-{failure}-{n}")));
            }
        }
    }

    #[test]
    fn flaky_fails_n_times_then_answers_ok() {
        for hit in 1..=2 {
            assert_eq!(response("flaky-503-2", hit).status, 503);
            assert!(matches!(
                misbehaviour("flaky-reset-2", hit),
                Misbehaviour::Reset
            ));
        }
        assert_eq!(response("flaky-503-2", 3).body, ok_response().body);
        assert_eq!(response("flaky-reset-2", 3).status, 200);
    }

    #[test]
    fn truncated_json_is_half_of_a_valid_body() {
        let body = response("truncated-json", 1).body;
        assert_eq!(body.len(), ok_body().to_string().len() / 2);
        assert!(serde_json::from_slice::<Value>(&body).is_err());
    }

    #[test]
    fn filler_headers_add_up_to_128_kib() {
        let total: usize = filler_headers()
            .iter()
            .map(|(n, v)| n.len() + 2 + v.len() + 2)
            .sum();
        assert_eq!(total, HUGE_HEADERS_BYTES);
    }

    #[test]
    fn truncation_fits_the_ok_body() {
        let len = ok_body().to_string().len();
        assert!(TRUNCATED_SENT_BYTES < len && (len as u64) < TRUNCATED_DECLARED_LENGTH);
    }

    #[test]
    fn retry_after_date_is_one_to_two_seconds_ahead() {
        let at = 784_111_777_000_000;
        assert_eq!(retry_after_date(at), "Sun, 06 Nov 1994 08:49:39 GMT");
        assert_eq!(
            retry_after_date(at + 999_999),
            "Sun, 06 Nov 1994 08:49:39 GMT"
        );
    }

    #[test]
    fn kept_responses_are_what_building_them_gives() {
        for name in SCENARIOS {
            let kept = response(name, 1);
            let again = response(name, 2);
            let built = build_canned(name, 0).unwrap();
            for r in [&kept, &again] {
                assert_eq!(r.status, built.status, "{name}");
                assert_eq!(r.content_type, built.content_type, "{name}");
                assert_eq!(r.headers, built.headers, "{name}");
                assert_eq!(r.body, built.body, "{name}");
            }
        }
        // The kept body is shared, not copied.
        assert!(matches!(ok_response().body, std::borrow::Cow::Borrowed(_)));
        assert_eq!(ok_response().body, ok_body().to_string().as_bytes());
    }
}
