//! Each scenario's status, headers and body.

use osm_standin::data::*;
use osm_standin::{format_http_date, Standin, StandinConfig, NETWORK_SCENARIOS, SCENARIOS};
use serde_json::json;

use crate::client::*;

const JSON_TYPE: &str = "application/json;charset=UTF-8";

/// Documented status of every scenario.
const EXPECTED_STATUS: &[(&str, u16)] = &[
    ("ok", 200),
    ("array", 200),
    ("array-two", 200),
    ("empty-array", 200),
    ("null", 200),
    ("absent", 200),
    ("null-fields", 200),
    ("unknown-fields", 200),
    ("non-ascii", 200),
    ("business-error", 200),
    ("bad-request", 400),
    ("forbidden", 403),
    ("internal-error", 500),
    ("throttled", 429),
    ("iam-style-error", 401),
    ("html-502", 502),
    ("empty-503", 503),
    ("not-json", 200),
    ("truncated-json", 200),
    ("wrong-type", 200),
    ("huge", 200),
    ("huge-headers", 200),
    ("malformed-json", 200),
    ("retry-after-429", 429),
    ("retry-after-date", 429),
    ("retry-after-huge", 429),
    ("redirect-same", 302),
];

fn fetch(standin: &Standin, name: &str) -> RawResponse {
    get_authed(standin, &scenario_target(name))
}

fn record() -> serde_json::Value {
    json!({ "user_id": USER_ID, "customer_id": CUSTOMER_ID, "cc_email": CC_EMAIL })
}

#[test]
fn every_scenario_returns_its_documented_status() {
    let mut listed: Vec<&str> = SCENARIOS.to_vec();
    let mut expected: Vec<&str> = EXPECTED_STATUS.iter().map(|(n, _)| *n).collect();
    listed.sort_unstable();
    expected.sort_unstable();
    assert_eq!(
        listed, expected,
        "SCENARIOS and this table must list the same names"
    );

    let standin = Standin::start(StandinConfig::default()).unwrap();
    for (name, status) in EXPECTED_STATUS {
        let response = fetch(&standin, name);
        assert_eq!(response.status, *status, "scenario {name}");
        assert!(
            is_request_id(response.header("x-request-id").unwrap()),
            "{name}"
        );
        // Only the redirect has no type (nor a body).
        assert_eq!(
            response.header("content-type").is_some(),
            *status != 302,
            "{name}"
        );
    }
}

#[test]
fn ok_is_the_default_route() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let expected = json!({ "cc_email_info": record(), "mc_email_infos": ADDRESSES });
    for target in [API.to_owned(), scenario_target("ok")] {
        let response = get_authed(&standin, &target);
        assert_eq!(response.header("content-type"), Some(JSON_TYPE));
        assert_eq!(response.json(), expected);
    }
}

#[test]
fn record_shapes() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    assert_eq!(
        fetch(&standin, "array").json(),
        json!({ "cc_email_info": [record()], "mc_email_infos": ADDRESSES })
    );
    let two = fetch(&standin, "array-two").json();
    assert_eq!(two["cc_email_info"][0], record());
    assert_eq!(
        two["cc_email_info"][1],
        json!({
            "user_id": SECOND_RECORD_USER_ID,
            "customer_id": SECOND_RECORD_CUSTOMER_ID,
            "cc_email": SECOND_RECORD_CC_EMAIL,
        })
    );
    assert_eq!(
        fetch(&standin, "empty-array").json(),
        json!({ "cc_email_info": [], "mc_email_infos": ADDRESSES })
    );
    assert_eq!(
        fetch(&standin, "null").json(),
        json!({ "cc_email_info": null, "mc_email_infos": null })
    );
    assert_eq!(fetch(&standin, "absent").json(), json!({}));
    assert_eq!(
        fetch(&standin, "null-fields").json(),
        json!({ "cc_email_info": { "user_id": null, "cc_email": CC_EMAIL }, "mc_email_infos": [] })
    );
    assert_eq!(
        fetch(&standin, "wrong-type").json()["mc_email_infos"],
        json!(WRONG_TYPE_ADDRESSES)
    );
}

#[test]
fn unknown_fields_surround_the_normal_data() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let body = fetch(&standin, "unknown-fields").json();
    let top = body.as_object().unwrap();
    assert!(top.len() > 2);
    assert!(top.values().any(|v| v.is_string()));
    assert!(top.values().any(|v| v.is_number()));
    assert!(top
        .values()
        .any(|v| v.is_object() && v.get("user_id").is_none()));
    assert!(top.values().any(|v| v
        .as_array()
        .is_some_and(|a| a.iter().all(|e| e.is_object()))));
    let rec = body["cc_email_info"].as_object().unwrap();
    assert!(rec.len() > 3);
    assert_eq!(rec["user_id"], USER_ID);
    assert_eq!(rec["customer_id"], CUSTOMER_ID);
    assert_eq!(rec["cc_email"], CC_EMAIL);
    assert_eq!(body["mc_email_infos"], json!(ADDRESSES));
}

#[test]
fn non_ascii_text_is_sent_as_utf8() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let response = fetch(&standin, "non-ascii");
    let text = response.text();
    assert!(
        text.contains("张伟@例子.中国") && text.contains("📧"),
        "{text}"
    );
    let body = response.json();
    assert_eq!(
        body,
        json!({
            "cc_email_info": {
                "user_id": NON_ASCII_USER_ID,
                "customer_id": NON_ASCII_CUSTOMER_ID,
                "cc_email": NON_ASCII_CC_EMAIL,
            },
            "mc_email_infos": NON_ASCII_ADDRESSES,
        })
    );
    for s in [NON_ASCII_USER_ID, NON_ASCII_CUSTOMER_ID, NON_ASCII_CC_EMAIL] {
        assert!(!s.is_ascii());
    }
    assert!(
        NON_ASCII_CC_EMAIL.chars().any(|c| c.len_utf8() == 4),
        "an emoji"
    );
}

#[test]
fn error_bodies() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let cases = [
        ("business-error", "OSM.01010002", "No operation permission"),
        ("bad-request", "OSM.0001", "parameter check failed"),
        ("forbidden", "OSM.0003", "forbidden"),
        ("internal-error", "OSM.0004", "internal error"),
        (
            "throttled",
            "APIGW.0308",
            "The throttling threshold has been reached",
        ),
    ];
    for (name, code, msg) in cases {
        let response = fetch(&standin, name);
        assert_eq!(response.header("content-type"), Some(JSON_TYPE), "{name}");
        assert_eq!(
            response.json(),
            json!({ "error_code": code, "error_msg": msg }),
            "{name}"
        );
    }
    assert_eq!(
        fetch(&standin, "throttled").header("retry-after"),
        Some("1")
    );
    assert_eq!(
        fetch(&standin, "iam-style-error").json()["error"]["code"],
        "IAM.0001"
    );
}

#[test]
fn non_json_bodies() {
    let standin = Standin::start(StandinConfig::default()).unwrap();

    let html = fetch(&standin, "html-502");
    assert_eq!(html.header("content-type"), Some("text/html"));
    assert!(html.text().contains("502 Bad Gateway"));

    let empty = fetch(&standin, "empty-503");
    assert!(empty.body.is_empty());
    assert_eq!(empty.header("content-length"), Some("0"));

    let plain = fetch(&standin, "not-json");
    assert_eq!(plain.header("content-type"), Some("text/plain"));
    assert_eq!(plain.body, b"OK");

    let truncated = fetch(&standin, "truncated-json");
    assert_eq!(truncated.header("content-type"), Some(JSON_TYPE));
    let full = fetch(&standin, "ok").body;
    assert_eq!(truncated.body, full[..full.len() / 2]);
    assert!(serde_json::from_slice::<serde_json::Value>(&truncated.body).is_err());
}

#[test]
fn huge_is_valid_json_of_about_4_mib() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let response = fetch(&standin, "huge");
    assert!(response.body.len() > 4 * 1024 * 1024);
    assert!(response.body.len() < 5 * 1024 * 1024);
    let body = response.json();
    assert_eq!(body["cc_email_info"], record());
    assert_eq!(body["mc_email_infos"], json!(ADDRESSES));
}

#[test]
fn network_scenarios_are_not_in_the_safe_list() {
    for name in NETWORK_SCENARIOS {
        assert!(!SCENARIOS.contains(name), "{name}");
        assert!(osm_standin::is_scenario(name));
    }
}

#[test]
fn huge_headers_are_128_kib_of_filler_before_the_normal_body() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let response = fetch(&standin, "huge-headers");
    let filler: Vec<&(String, String)> = response
        .headers
        .iter()
        .filter(|(n, _)| n.starts_with("X-Filler-"))
        .collect();
    assert_eq!(filler.len(), HUGE_HEADERS_COUNT);
    // Name, ": ", value, CRLF per line.
    let bytes: usize = filler.iter().map(|(n, v)| n.len() + v.len() + 4).sum();
    assert_eq!(bytes, HUGE_HEADERS_BYTES);
    assert_eq!(response.body, fetch(&standin, "ok").body);
}

#[test]
fn malformed_json_is_not_json() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let response = fetch(&standin, "malformed-json");
    assert_eq!(response.header("content-type"), Some(JSON_TYPE));
    assert_eq!(response.body, MALFORMED_JSON_BODY.as_bytes());
    assert!(serde_json::from_slice::<serde_json::Value>(&response.body).is_err());
}

#[test]
fn retry_after_values() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let throttled = json!({
        "error_code": "APIGW.0308",
        "error_msg": "The throttling threshold has been reached",
    });
    for (name, retry_after) in [("retry-after-429", "2"), ("retry-after-huge", "3600")] {
        let response = fetch(&standin, name);
        assert_eq!(response.status, 429);
        assert_eq!(response.header("retry-after"), Some(retry_after), "{name}");
        assert_eq!(response.json(), throttled, "{name}");
    }

    let before = unix_now();
    let response = fetch(&standin, "retry-after-date");
    let after = unix_now();
    assert_eq!(response.json(), throttled);
    let date = response.header("retry-after").unwrap();
    // 1 to 2 s ahead of the moment the stand-in answered.
    let candidates: Vec<String> = (before + 1..=after + 2).map(format_http_date).collect();
    assert!(
        candidates.iter().any(|c| c == date),
        "{date} not in {candidates:?}"
    );
    assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
}

#[test]
fn status_scenarios_have_an_empty_body() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    for code in [200, 301, 400, 404, 408, 418, 451, 500, 599] {
        let response = fetch(&standin, &format!("status-{code}"));
        assert_eq!(response.status, code);
        assert!(response.body.is_empty(), "{code}");
        assert_eq!(response.header("content-length"), Some("0"), "{code}");
        assert_eq!(response.header("content-type"), None, "{code}");
        assert_eq!(response.header("location"), None, "{code}");
    }

    // 204 never has a body, so not even Content-Length: 0.
    let mut conn = start_scenario(&standin, "status-204");
    let head = read_head(&mut conn).unwrap();
    assert_eq!(head.status, 204);
    assert_eq!(head.header("content-length"), None);
    // The connection stays usable.
    send(
        &mut conn,
        format!("GET {API} HTTP/1.1\r\nX-Auth-Token: {TOKEN}\r\n\r\n").as_bytes(),
    );
    assert_eq!(read_response(&mut conn).unwrap().status, 200);

    for name in [
        "status-100",
        "status-199",
        "status-600",
        "status-0404",
        "status-40",
    ] {
        let response = fetch(&standin, name);
        assert_eq!(response.status, 404, "{name}");
        assert_eq!(response.json()["error_code"], "APIGW.0101", "{name}");
    }
}

#[test]
fn redirects_point_elsewhere_after_authentication() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let cases = [
        (
            "redirect-8080",
            "http://localhost:8080/v2/servicerequest/carbon-copy-emails",
        ),
        (
            "redirect-https-8443",
            "https://127.0.0.1:8443/v2/servicerequest/carbon-copy-emails",
        ),
        (
            "redirect-same",
            "/scenario/ok/v2/servicerequest/carbon-copy-emails",
        ),
    ];
    for (name, location) in cases {
        let response = fetch(&standin, name);
        assert_eq!(response.status, 302, "{name}");
        assert_eq!(response.header("location"), Some(location), "{name}");
        assert!(response.body.is_empty(), "{name}");
        // The gateway checks come first: no credentials, no redirect.
        let anonymous = get(&standin, &scenario_target(name), &[]);
        assert_eq!(anonymous.status, 401, "{name}");
        assert_eq!(anonymous.header("location"), None, "{name}");
    }

    // Following the same-origin redirect lands on the ok answer.
    let followed = get_authed(&standin, cases[2].1);
    assert_eq!(followed.status, 200);
    assert_eq!(followed.json()["cc_email_info"], record());

    for name in [
        "redirect-0",
        "redirect-65536",
        "redirect-https-",
        "redirect-x",
    ] {
        assert_eq!(fetch(&standin, name).status, 404, "{name}");
    }
}
