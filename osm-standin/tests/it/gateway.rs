//! The checks in front of the scenarios: routing, auth, header rules.

use osm_standin::{Standin, StandinConfig};

use crate::client::*;

const NOT_FOUND_MSG: &str = "The API does not exist or has not been published in the environment";

fn standin_with_token(token: &str) -> Standin {
    Standin::start(StandinConfig {
        token: token.to_owned(),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn missing_token_gets_401_apigw_0301() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let response = get(&standin, API, &[]);
    assert_eq!(response.status, 401);
    assert_eq!(response.json()["error_code"], "APIGW.0301");
    assert!(is_request_id(response.header("x-request-id").unwrap()));
}

#[test]
fn wrong_token_gets_401_without_echoing_either_token() {
    let standin = standin_with_token("the-right-token-42");
    let sent = "wrong-token-1234567";
    let response = get(&standin, API, &[("X-Auth-Token", sent)]);
    assert_eq!(response.status, 401);
    assert_eq!(
        response.json(),
        serde_json::json!({
            "error_code": "APIGW.0301",
            "error_msg": "Incorrect IAM authentication information: the token is invalid",
        })
    );
    for secret in [sent, "the-right-token-42"] {
        assert!(!response.text().contains(secret));
        assert!(response.headers.iter().all(|(_, v)| !v.contains(secret)));
    }
}

#[test]
fn configured_token_is_accepted_and_header_name_is_case_insensitive() {
    let standin = standin_with_token("t-123");
    assert_eq!(get(&standin, API, &[("x-auth-token", "t-123")]).status, 200);
    assert_eq!(get(&standin, API, &[("X-Auth-Token", TOKEN)]).status, 401);
}

#[test]
fn unknown_paths_methods_and_scenarios_get_404_apigw_0101() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let auth = [("X-Auth-Token", TOKEN)];
    let mut responses = vec![
        get(&standin, "/", &auth),
        get(&standin, "/v2/servicerequest/carbon-copy-emails/", &auth),
        get(&standin, "/v2/servicerequest/cases", &auth),
        get(&standin, &scenario_target("no-such-scenario"), &auth),
        // Routing comes before auth, like the real gateway.
        get(&standin, "/elsewhere", &[]),
    ];
    let mut conn = connect(&standin);
    send(
        &mut conn,
        format!("POST {API} HTTP/1.1\r\nX-Auth-Token: {TOKEN}\r\nContent-Length: 0\r\n\r\n")
            .as_bytes(),
    );
    responses.push(read_response(&mut conn).unwrap());

    for response in responses {
        assert_eq!(response.status, 404);
        assert_eq!(response.json()["error_code"], "APIGW.0101");
        assert_eq!(response.json()["error_msg"], NOT_FOUND_MSG);
    }
}

#[test]
fn query_strings_do_not_affect_routing() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    assert_eq!(get_authed(&standin, &format!("{API}?limit=5")).status, 200);
    let forbidden = format!("{}?x=/v2", scenario_target("forbidden"));
    assert_eq!(get_authed(&standin, &forbidden).status, 403);
}

#[test]
fn header_rules_are_checked() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    let status = |headers: &[(&str, &str)]| {
        let mut all = vec![("X-Auth-Token", TOKEN)];
        all.extend_from_slice(headers);
        let response = get(&standin, API, &all);
        if response.status == 400 {
            assert_eq!(response.json()["error_code"], "OSM.0001");
        }
        response.status
    };
    let long = "x".repeat(33);
    let max = "é".repeat(32); // 32 characters, 64 bytes: the rule counts characters.
    assert_eq!(status(&[("X-Site", "7")]), 400);
    assert_eq!(status(&[("X-Site", "")]), 400);
    assert_eq!(status(&[("X-Site", "0")]), 200);
    assert_eq!(status(&[("X-Site", "1")]), 200);
    assert_eq!(status(&[("X-Language", &long)]), 400);
    assert_eq!(status(&[("X-Language", "")]), 400);
    assert_eq!(status(&[("X-Language", "en-us")]), 200);
    assert_eq!(status(&[("X-Time-Zone", &long)]), 400);
    assert_eq!(status(&[("X-Time-Zone", &max)]), 200);
    assert_eq!(status(&[("X-Time-Zone", "GMT+8")]), 200);
}

#[test]
fn auth_is_checked_before_header_rules() {
    let standin = Standin::start(StandinConfig::default()).unwrap();
    assert_eq!(get(&standin, API, &[("X-Site", "7")]).status, 401);
}
