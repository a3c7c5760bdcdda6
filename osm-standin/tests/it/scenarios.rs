//! Each scenario's status, headers and body.

use osm_standin::data::*;
use osm_standin::{Standin, StandinConfig, SCENARIOS};
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
        assert!(response.header("content-type").is_some(), "{name}");
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
