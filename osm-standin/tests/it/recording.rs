//! What the stand-in remembers about requests, in-process and over HTTP.

use osm_standin::{RecordedRequest, Standin, StandinConfig};

use crate::client::*;

#[test]
fn requests_records_method_target_and_headers_in_order() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let target = format!("{API}?a=1&b=%20");
    get(
        &standin,
        &target,
        &[
            ("X-Auth-Token", TOKEN),
            ("x-language", "en-us"),
            ("X-Site", "1"),
        ],
    );
    get(&standin, "/other", &[]);

    let requests = standin.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(first.method, "GET");
    assert_eq!(first.target, target);
    let names: Vec<&str> = first.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Host", "X-Auth-Token", "x-language", "X-Site", "Connection"]
    );
    assert_eq!(first.header("X-LANGUAGE"), Some("en-us"));
    assert_eq!(first.header("x-auth-token"), Some(TOKEN));
    assert_eq!(first.header("X-Time-Zone"), None);
    assert_eq!(requests[1].target, "/other");
    assert!(first.body.is_empty());
}

#[test]
fn request_bodies_are_recorded_and_served_but_kept_out_of_debug() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let body = br#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"u","password":"pw-s3cret","domain":{"name":"d"}}}}}}"#;
    let response = request(&standin, "POST", "/v3/auth/tokens", &[], body);
    assert_eq!(response.status, 400);

    let recorded = &standin.requests()[0];
    assert_eq!(recorded.body, body);
    assert_eq!(recorded.body_text().as_bytes(), body);
    assert!(!format!("{recorded:?}").contains("s3cret"));

    let list = get(&standin, "/_standin/requests", &[]).json();
    assert_eq!(list[0]["body"], String::from_utf8(body.to_vec()).unwrap());
}

#[test]
fn standin_requests_endpoint_returns_the_records_and_is_not_recorded() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    get(
        &standin,
        &scenario_target("null"),
        &[("X-Auth-Token", TOKEN), ("X-Site", "0")],
    );

    let response = get(&standin, "/_standin/requests", &[]);
    assert_eq!(response.status, 200);
    assert!(response
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let list = response.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["method"], "GET");
    assert_eq!(list[0]["target"], scenario_target("null"));
    let headers: Vec<(String, String)> =
        serde_json::from_value(list[0]["headers"].clone()).unwrap();
    assert_eq!(headers, standin.requests()[0].headers);
    assert!(headers.contains(&("X-Site".to_owned(), "0".to_owned())));

    // Neither call to the control endpoint shows up.
    get(&standin, "/_standin/requests", &[]);
    assert_eq!(standin.requests().len(), 1);
}

#[test]
fn recorded_request_header_lookup_is_case_insensitive_and_takes_the_first() {
    let request = RecordedRequest {
        method: "GET".to_owned(),
        target: "/".to_owned(),
        headers: vec![
            ("X-A".to_owned(), "1".to_owned()),
            ("x-a".to_owned(), "2".to_owned()),
        ],
        body: Vec::new(),
    };
    assert_eq!(request.header("x-A"), Some("1"));
    assert_eq!(request.header("x-b"), None);
}

#[test]
fn without_recording_requests_are_served_but_not_kept() {
    let standin = Standin::start(StandinConfig {
        record_requests: false,
        ..Default::default()
    })
    .unwrap();
    let mut conn = connect(&standin);
    for _ in 0..3 {
        send(
            &mut conn,
            format!("GET {API} HTTP/1.1\r\nHost: h\r\nX-Auth-Token: {TOKEN}\r\n\r\n").as_bytes(),
        );
        let response = read_response(&mut conn).unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.json()["mc_email_infos"][0], "ops@example.com");
    }
    assert_eq!(standin.scenario_hits("ok"), 3, "still counted");
    assert!(standin.requests().is_empty());

    let response = get(&standin, "/_standin/requests", &[]);
    assert_eq!(response.status, 404);
    assert_eq!(response.json()["error_code"], "STANDIN.0004");
    assert!(standin.requests().is_empty());
}
