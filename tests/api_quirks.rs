//! Every documented shape of the answer and every error form, through the
//! C ABI, against the local OSM stand-in over real HTTP.

mod common;

use common::*;
use osm_standin::{data, Standin};
use tcc::ffi::*;

fn fetch_scenario(server: &Standin, scenario: &str) -> Result<Fetched, LastError> {
    let client = client(&server.scenario_url(scenario), TOKEN);
    let got = fetch(client);
    unsafe { tcc_client_free(client) };
    got
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn normal_json() -> serde_json::Value {
    serde_json::json!({
        "cc_email_info": {"user_id": data::USER_ID, "customer_id": data::CUSTOMER_ID, "cc_email": data::CC_EMAIL},
        "mc_email_infos": data::ADDRESSES,
    })
}

fn parse(json: &str) -> serde_json::Value {
    serde_json::from_str(json).unwrap()
}

#[test]
fn record_as_object() {
    let server = standin();
    let got = fetch_scenario(&server, "ok").unwrap();
    assert_eq!(got.addresses, strings(&data::ADDRESSES));
    assert!(got.has_last_record);
    assert_eq!(got.user_id.as_deref(), Some(data::USER_ID));
    assert_eq!(got.customer_id.as_deref(), Some(data::CUSTOMER_ID));
    assert_eq!(got.cc_email.as_deref(), Some(data::CC_EMAIL));
    assert_eq!(parse(&got.json), normal_json());
}

#[test]
fn record_as_array_takes_the_first() {
    let server = standin();
    for scenario in ["array", "array-two"] {
        let got = fetch_scenario(&server, scenario).unwrap();
        assert_eq!(got.user_id.as_deref(), Some(data::USER_ID), "{scenario}");
        assert_eq!(got.cc_email.as_deref(), Some(data::CC_EMAIL), "{scenario}");
        assert_eq!(parse(&got.json), normal_json(), "{scenario}");
    }
}

#[test]
fn no_record_in_every_form() {
    let server = standin();
    let none = r#"{"cc_email_info":null,"mc_email_infos":[]}"#;
    for scenario in ["null", "absent"] {
        let got = fetch_scenario(&server, scenario).unwrap();
        assert!(!got.has_last_record, "{scenario}");
        assert_eq!(got.user_id, None);
        assert!(got.addresses.is_empty());
        assert_eq!(got.json, none, "{scenario}");
    }
    let got = fetch_scenario(&server, "empty-array").unwrap();
    assert!(!got.has_last_record);
    assert_eq!(got.addresses, strings(&data::ADDRESSES));
}

#[test]
fn null_and_absent_fields_are_null() {
    let server = standin();
    let got = fetch_scenario(&server, "null-fields").unwrap();
    assert!(got.has_last_record);
    assert_eq!(got.user_id, None);
    assert_eq!(got.customer_id, None);
    assert!(got.cc_email.is_some());
    let json: serde_json::Value = serde_json::from_str(&got.json).unwrap();
    assert_eq!(json["cc_email_info"]["user_id"], serde_json::Value::Null);
    assert_eq!(
        json["cc_email_info"]["customer_id"],
        serde_json::Value::Null
    );
    assert_eq!(json["mc_email_infos"], serde_json::json!([]));
}

#[test]
fn unknown_fields_are_ignored() {
    let server = standin();
    let got = fetch_scenario(&server, "unknown-fields").unwrap();
    assert_eq!(parse(&got.json), normal_json());
}

#[test]
fn non_ascii_text_survives_intact() {
    let server = standin();
    let got = fetch_scenario(&server, "non-ascii").unwrap();
    assert_eq!(got.addresses, strings(&data::NON_ASCII_ADDRESSES));
    assert_eq!(got.user_id.as_deref(), Some(data::NON_ASCII_USER_ID));
    assert_eq!(
        got.customer_id.as_deref(),
        Some(data::NON_ASCII_CUSTOMER_ID)
    );
    assert_eq!(got.cc_email.as_deref(), Some(data::NON_ASCII_CC_EMAIL));
    let json: serde_json::Value = serde_json::from_str(&got.json).unwrap();
    assert_eq!(json["mc_email_infos"][0], data::NON_ASCII_ADDRESSES[0]);
}

fn is_request_id(id: &Option<String>) -> bool {
    id.as_ref()
        .is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// (scenario, code, HTTP status, service error_code)
const ERROR_CASES: &[(&str, tcc_result, u16, Option<&str>)] = &[
    ("business-error", TCC_ERR_SERVICE, 200, Some("OSM.01010002")),
    ("bad-request", TCC_ERR_SERVICE, 400, Some("OSM.0001")),
    ("forbidden", TCC_ERR_AUTH, 403, Some("OSM.0003")),
    ("internal-error", TCC_ERR_SERVER, 500, Some("OSM.0004")),
    ("throttled", TCC_ERR_THROTTLED, 429, Some("APIGW.0308")),
    ("iam-style-error", TCC_ERR_AUTH, 401, Some("IAM.0001")),
    ("html-502", TCC_ERR_SERVER, 502, None),
    ("empty-503", TCC_ERR_SERVER, 503, None),
    ("not-json", TCC_ERR_BAD_RESPONSE, 200, None),
    ("truncated-json", TCC_ERR_BAD_RESPONSE, 200, None),
    ("wrong-type", TCC_ERR_BAD_RESPONSE, 200, None),
    ("no-such-scenario", TCC_ERR_SERVICE, 404, Some("APIGW.0101")),
];

#[test]
fn every_error_form_gives_code_status_service_error_and_request_id() {
    let server = standin();
    for &(scenario, code, status, service_code) in ERROR_CASES {
        let err = fetch_scenario(&server, scenario).unwrap_err();
        assert_eq!(err.code, code, "{scenario}: {err:?}");
        assert_eq!(err.http_status, status, "{scenario}");
        assert_eq!(err.service_code.as_deref(), service_code, "{scenario}");
        assert_eq!(
            err.service_message.is_some(),
            service_code.is_some(),
            "{scenario}"
        );
        assert!(is_request_id(&err.request_id), "{scenario}: {err:?}");
        assert!(
            err.message.contains(&status.to_string()),
            "{scenario}: {}",
            err.message
        );
        assert!(!err.message.contains(TOKEN), "{scenario}: token in message");
    }
}

#[test]
fn business_error_detail() {
    let server = standin();
    let err = fetch_scenario(&server, "business-error").unwrap_err();
    assert_eq!(
        err.service_message.as_deref(),
        Some("No operation permission")
    );
    assert!(err.message.contains("OSM.01010002"));
}

#[test]
fn wrong_token_is_an_auth_error_that_never_shows_the_token() {
    let server = standin();
    let wrong = "wrong-token-DEADBEEF";
    let client = client(&server.base_url(), wrong);
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_AUTH);
    assert_eq!(err.http_status, 401);
    assert_eq!(err.service_code.as_deref(), Some("APIGW.0301"));
    assert!(is_request_id(&err.request_id));
    assert!(!format!("{err:?}").contains(wrong));
}

#[test]
fn the_request_carries_exactly_the_documented_headers() {
    let server = standin();

    // Only the token: no optional header is sent unless set.
    let plain = client(&server.base_url(), TOKEN);
    fetch(plain).unwrap();
    unsafe { tcc_client_free(plain) };

    // Everything set.
    let opts = options(&server.base_url(), TOKEN);
    unsafe {
        assert_eq!(
            tcc_options_set_language(opts, cstring("en-us").as_ptr()),
            TCC_OK
        );
        assert_eq!(
            tcc_options_set_time_zone(opts, cstring("GMT+1").as_ptr()),
            TCC_OK
        );
        assert_eq!(tcc_options_set_site(opts, 1), TCC_OK);
    }
    let full = client_with(opts);
    unsafe { tcc_options_free(opts) };
    fetch(full).unwrap();
    unsafe { tcc_client_free(full) };

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let names = |i: usize| {
        let mut n: Vec<String> = requests[i]
            .headers
            .iter()
            .map(|(k, _)| k.to_ascii_lowercase())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(0), ["host", "user-agent", "x-auth-token"]);
    assert_eq!(
        names(1),
        [
            "host",
            "user-agent",
            "x-auth-token",
            "x-language",
            "x-site",
            "x-time-zone"
        ]
    );
    for r in &requests {
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/v2/servicerequest/carbon-copy-emails");
        assert_eq!(r.header("x-auth-token"), Some(TOKEN));
        assert_eq!(
            r.header("user-agent"),
            Some(concat!("tcc/", env!("CARGO_PKG_VERSION")))
        );
        assert_eq!(
            r.header("host"),
            Some(format!("127.0.0.1:{}", server.port()).as_str())
        );
    }
    assert_eq!(requests[1].header("x-language"), Some("en-us"));
    assert_eq!(requests[1].header("x-time-zone"), Some("GMT+1"));
    assert_eq!(requests[1].header("x-site"), Some("1"));
}

#[test]
fn endpoint_path_prefix_is_kept() {
    let server = standin();
    fetch_scenario(&server, "ok").unwrap();
    assert_eq!(
        server.requests()[0].target,
        "/scenario/ok/v2/servicerequest/carbon-copy-emails"
    );
}

#[test]
fn keep_alive_reuses_one_connection() {
    let server = standin();
    let client = client(&server.base_url(), TOKEN);
    for _ in 0..20 {
        fetch(client).unwrap();
    }
    unsafe { tcc_client_free(client) };
    assert_eq!(server.requests().len(), 20);
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn connection_refused_is_a_network_error() {
    // Bind then drop a listener: nothing listens on that port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client(&format!("http://127.0.0.1:{port}"), TOKEN);
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_NETWORK, "{err:?}");
    assert_eq!(err.http_status, 0);
    assert_eq!(err.request_id, None);
}

#[test]
fn oversized_body_is_refused() {
    let server = standin();
    let client = client(&server.scenario_url("huge"), TOKEN);
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_RESPONSE_TOO_LARGE, "{err:?}");
    assert_eq!(err.http_status, 200);
    assert!(err.request_id.is_some());
}

#[test]
fn json_fetch_matches_the_handle_form() {
    let server = standin();
    let client = client(&server.scenario_url("array"), TOKEN);
    let mut json = std::ptr::null_mut();
    assert_eq!(
        unsafe { tcc_fetch_cc_emails_json(client, &mut json) },
        TCC_OK
    );
    assert_eq!(parse(&text(json).unwrap()), normal_json());
    unsafe {
        tcc_free(json);
        tcc_client_free(client);
    }
}

#[test]
fn success_clears_the_last_error() {
    let server = standin();
    let bad = client(&server.scenario_url("forbidden"), TOKEN);
    assert!(fetch(bad).is_err());
    assert_eq!(last_error().code, TCC_ERR_AUTH);
    let good = client(&server.base_url(), TOKEN);
    fetch(good).unwrap();
    let err = last_error();
    assert_eq!(err.code, TCC_OK);
    assert_eq!(err.message, "");
    assert_eq!(err.http_status, 0);
    assert_eq!(err.request_id, None);
    unsafe {
        tcc_client_free(bad);
        tcc_client_free(good);
    }
}
