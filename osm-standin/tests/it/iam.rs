//! The IAM stand-in: domain lookup and password tokens, and those tokens on OSM.

use std::thread;
use std::time::Duration;

use osm_standin::{data, IamUser, Standin, StandinConfig};
use serde_json::{json, Value};

use crate::client::*;

const TOKENS: &str = "/v3/auth/tokens";
const DOMAINS: &str = "/v3/auth/domains";

fn standin() -> Standin {
    Standin::start(StandinConfig::default()).unwrap()
}

/// IAM's "obtain a user token" body, domain-scoped.
fn token_body(user: &str, password: &str, domain: &str) -> Vec<u8> {
    json!({ "auth": {
        "identity": {
            "methods": ["password"],
            "password": { "user": { "name": user, "password": password, "domain": { "name": domain } } },
        },
        "scope": { "domain": { "name": domain } },
    }})
    .to_string()
    .into_bytes()
}

fn post_tokens(standin: &Standin, target: &str, body: &[u8]) -> RawResponse {
    let headers = [
        ("Host".to_owned(), format!("127.0.0.1:{}", standin.port())),
        (
            "Content-Type".to_owned(),
            "application/json;charset=UTF-8".to_owned(),
        ),
    ];
    request(standin, "POST", target, &headers, body)
}

/// A token for the default user; asserts the 201 response's shape.
fn obtain_token(standin: &Standin) -> String {
    let body = token_body(data::IAM_USER, data::IAM_PASSWORD, data::DOMAIN_NAME);
    let response = post_tokens(standin, TOKENS, &body);
    assert_eq!(response.status, 201, "{}", response.text());
    response.header("x-subject-token").unwrap().to_owned()
}

fn osm_with_token(standin: &Standin, target: &str, token: &str) -> RawResponse {
    get(standin, target, &[("X-Auth-Token", token)])
}

fn assert_iam_error(response: &RawResponse, status: u16, code: &str) {
    assert_eq!(response.status, status, "{}", response.text());
    let error = &response.json()["error"];
    assert_eq!(error["code"], code, "{error}");
    assert!(
        error["message"].is_string() && error["title"].is_string(),
        "{error}"
    );
}

/// Parses `YYYY-MM-DDTHH:MM:SS.ffffffZ` to Unix seconds (test-side, simple).
fn rfc3339_secs(s: &str) -> i64 {
    assert_eq!(s.len(), 27, "{s}");
    assert_eq!(
        (&s[4..5], &s[10..11], &s[19..20], &s[26..]),
        ("-", "T", ".", "Z")
    );
    assert!(s[20..26].bytes().all(|b| b.is_ascii_digit()), "{s}");
    let date = format!(
        "{}{}{}T{}{}{}Z",
        &s[0..4],
        &s[5..7],
        &s[8..10],
        &s[11..13],
        &s[14..16],
        &s[17..19]
    );
    osm_standin::aksk::parse_sdk_date(&date).unwrap_or_else(|| panic!("bad date {s}"))
}

#[test]
fn signed_domain_lookup_returns_the_account() {
    let standin = standin();
    // What SDKs send: signed, no X-Domain-Id (it is what they are looking for).
    let lookup = Signing {
        headers: vec![("User-Agent".to_owned(), "tcc-test".to_owned())],
        ..Default::default()
    };
    let response = lookup.send(&standin, "GET", DOMAINS);
    assert_eq!(response.status, 200, "{}", response.text());
    let domains = response.json()["domains"].clone();
    assert_eq!(domains.as_array().unwrap().len(), 1);
    assert_eq!(domains[0]["id"], data::DOMAIN_ID);
    assert_eq!(domains[0]["name"], data::DOMAIN_NAME);
    assert_eq!(domains[0]["enabled"], true);
    assert!(domains[0]["links"]["self"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/v3/domains/{}", data::DOMAIN_ID)));

    // Temporary credentials work too, and so does the scenario prefix.
    let temp = Signing {
        ak: data::TEMP_AK,
        sk: data::TEMP_SK,
        headers: vec![(
            "X-Security-Token".to_owned(),
            data::SECURITY_TOKEN.to_owned(),
        )],
        ..Default::default()
    };
    assert_eq!(temp.send(&standin, "GET", DOMAINS).status, 200);
    let prefixed = format!("/scenario/null{DOMAINS}");
    assert_eq!(
        Signing::default().send(&standin, "GET", &prefixed).json()["domains"][0]["id"],
        data::DOMAIN_ID
    );
    assert_eq!(standin.iam_domain_requests(), 3);
}

#[test]
fn domain_lookup_needs_a_valid_signature() {
    let standin = standin();
    assert_apigw_401(&get(&standin, DOMAINS, &[]), "the token is invalid");
    let wrong = Signing {
        sk: "wrong-sk",
        ..Default::default()
    };
    assert_apigw_401(
        &wrong.send(&standin, "GET", DOMAINS),
        "verify aksk signature fail",
    );
    let stale = Signing {
        date: sdk_date(-3600),
        ..Default::default()
    };
    assert_apigw_401(&stale.send(&standin, "GET", DOMAINS), "x-sdk-date");
    assert_eq!(standin.iam_domain_requests(), 3);
    assert_eq!(standin.iam_token_requests(), 0);
}

#[test]
fn password_token_is_issued_and_accepted_by_osm() {
    let standin = standin();
    let body = token_body(data::IAM_USER, data::IAM_PASSWORD, data::DOMAIN_NAME);
    let before = unix_now();
    let response = post_tokens(&standin, TOKENS, &body);
    assert_eq!(response.status, 201, "{}", response.text());
    let token = response.header("x-subject-token").unwrap().to_owned();
    assert!(token.starts_with("MII") && token.len() == 67, "{token}");
    assert!(token[3..].bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!response.text().contains(data::IAM_PASSWORD));

    let t = &response.json()["token"];
    assert_eq!(t["methods"], json!(["password"]));
    assert_eq!(
        t["domain"],
        json!({ "id": data::DOMAIN_ID, "name": data::DOMAIN_NAME })
    );
    assert_eq!(t["user"]["name"], data::IAM_USER);
    assert_eq!(t["user"]["domain"]["id"], data::DOMAIN_ID);
    assert!(t["user"]["id"].as_str().unwrap().len() == 32);
    assert_eq!(t["catalog"], json!([]));
    let issued = rfc3339_secs(t["issued_at"].as_str().unwrap());
    let expires = rfc3339_secs(t["expires_at"].as_str().unwrap());
    assert!(
        (issued - before).abs() <= 5,
        "issued_at {issued}, now {before}"
    );
    assert_eq!(expires - issued, 24 * 3600);

    assert_eq!(osm_with_token(&standin, API, &token).status, 200);
    assert_eq!(
        osm_with_token(&standin, &scenario_target("null"), &token).status,
        200
    );
    // Tokens are not signatures: no X-Domain-Id needed. The static token still works.
    assert_eq!(get_authed(&standin, API).status, 200);
    // Each call issues a different token.
    assert_ne!(obtain_token(&standin), token);
    assert_eq!(standin.iam_token_requests(), 2);
}

#[test]
fn token_request_is_recorded_with_its_body() {
    let standin = standin();
    obtain_token(&standin);
    let recorded = &standin.requests()[0];
    assert_eq!(
        (recorded.method.as_str(), recorded.target.as_str()),
        ("POST", TOKENS)
    );
    assert!(recorded.body_text().contains(data::IAM_PASSWORD));
    assert!(!format!("{recorded:?}").contains(data::IAM_PASSWORD));
}

#[test]
fn token_endpoint_also_answers_under_a_scenario_prefix() {
    let standin = standin();
    let body = token_body(data::IAM_USER, data::IAM_PASSWORD, data::DOMAIN_NAME);
    let response = post_tokens(&standin, &format!("/scenario/ok{TOKENS}"), &body);
    assert_eq!(response.status, 201);
    let token = response.header("x-subject-token").unwrap();
    assert_eq!(osm_with_token(&standin, API, token).status, 200);
}

#[test]
fn expire_issued_tokens_revokes_them_all() {
    let standin = standin();
    let (a, b) = (obtain_token(&standin), obtain_token(&standin));
    standin.expire_issued_tokens();
    for token in [&a, &b] {
        let response = osm_with_token(&standin, API, token);
        assert_eq!(
            response.json(),
            json!({
                "error_code": "APIGW.0301",
                "error_msg": "Incorrect IAM authentication information: token expired",
            })
        );
        assert_eq!(response.status, 401);
        assert!(!response.text().contains(token.as_str()));
    }
    // New tokens and the static token are unaffected.
    let fresh = obtain_token(&standin);
    assert_eq!(osm_with_token(&standin, API, &fresh).status, 200);
    assert_eq!(get_authed(&standin, API).status, 200);
    // An unknown token is "invalid", not "expired".
    assert_apigw_401(
        &osm_with_token(&standin, API, "MIInope"),
        "the token is invalid",
    );
}

#[test]
fn short_token_lifetime_expires_tokens() {
    let standin = Standin::start(StandinConfig {
        token_lifetime: Duration::from_secs(1),
        ..Default::default()
    })
    .unwrap();
    let token = obtain_token(&standin);
    assert_eq!(osm_with_token(&standin, API, &token).status, 200);
    thread::sleep(Duration::from_millis(1500));
    assert_apigw_401(&osm_with_token(&standin, API, &token), "token expired");

    // set_token_lifetime affects the tokens issued afterwards.
    standin.set_token_lifetime(Duration::from_secs(3600));
    let long = obtain_token(&standin);
    let body = token_body(data::IAM_USER, data::IAM_PASSWORD, data::DOMAIN_NAME);
    let t = post_tokens(&standin, TOKENS, &body).json()["token"].clone();
    let lifetime = rfc3339_secs(t["expires_at"].as_str().unwrap())
        - rfc3339_secs(t["issued_at"].as_str().unwrap());
    assert_eq!(lifetime, 3600);
    thread::sleep(Duration::from_millis(1200));
    assert_eq!(osm_with_token(&standin, API, &long).status, 200);
}

#[test]
fn set_token_lifetime_at_runtime() {
    let standin = standin();
    standin.set_token_lifetime(Duration::from_secs(1));
    let token = obtain_token(&standin);
    assert_eq!(osm_with_token(&standin, API, &token).status, 200);
    thread::sleep(Duration::from_millis(1500));
    assert_apigw_401(&osm_with_token(&standin, API, &token), "token expired");
}

#[test]
fn server_clock_skew_beyond_the_lifetime_expires_tokens() {
    let standin = standin();
    let token = obtain_token(&standin);
    standin.set_clock_skew(25 * 3600);
    assert_apigw_401(&osm_with_token(&standin, API, &token), "token expired");
    standin.set_clock_skew(0);
    assert_eq!(osm_with_token(&standin, API, &token).status, 200);
}

#[test]
fn wrong_credentials_get_iam_0006() {
    let standin = standin();
    let wrong = [
        token_body(data::IAM_USER, "wrong-password", data::DOMAIN_NAME),
        token_body("nobody", data::IAM_PASSWORD, data::DOMAIN_NAME),
        token_body(data::IAM_USER, data::IAM_PASSWORD, "another-account"),
    ];
    for body in &wrong {
        let response = post_tokens(&standin, TOKENS, body);
        assert_iam_error(&response, 401, "IAM.0006");
        assert_eq!(
            response.json(),
            json!({ "error": {
                "code": "IAM.0006",
                "message": "The username or password is wrong.",
                "title": "Unauthorized",
            }})
        );
        assert!(response.header("x-subject-token").is_none());
        assert!(!response.text().contains("wrong-password"));
    }
    assert_eq!(standin.iam_token_requests(), 3);
}

#[test]
fn configured_users_and_domain_by_id() {
    let standin = Standin::start(StandinConfig {
        users: vec![IamUser::new("alice", "a-pw"), IamUser::new("bob", "b-pw")],
        ..Default::default()
    })
    .unwrap();
    let body = token_body("bob", "b-pw", data::DOMAIN_NAME);
    assert_eq!(post_tokens(&standin, TOKENS, &body).status, 201);
    let body = token_body("bob", "a-pw", data::DOMAIN_NAME);
    assert_eq!(post_tokens(&standin, TOKENS, &body).status, 401);
    let body = token_body(data::IAM_USER, data::IAM_PASSWORD, data::DOMAIN_NAME);
    assert_eq!(post_tokens(&standin, TOKENS, &body).status, 401);
    // The domain may be named by id.
    let by_id = json!({ "auth": {
        "identity": { "methods": ["password"], "password": { "user": {
            "name": "alice", "password": "a-pw", "domain": { "id": data::DOMAIN_ID } } } },
        "scope": { "domain": { "id": data::DOMAIN_ID } },
    }});
    assert_eq!(
        post_tokens(&standin, TOKENS, by_id.to_string().as_bytes()).status,
        201
    );
}

#[test]
fn malformed_or_project_scoped_requests_get_400() {
    let standin = standin();
    let project_scoped = json!({ "auth": {
        "identity": { "methods": ["password"], "password": { "user": {
            "name": data::IAM_USER, "password": data::IAM_PASSWORD,
            "domain": { "name": data::DOMAIN_NAME } } } },
        "scope": { "project": { "name": "cn-north-4" } },
    }});
    let mut unscoped: Value = serde_json::from_slice(&token_body(
        data::IAM_USER,
        data::IAM_PASSWORD,
        data::DOMAIN_NAME,
    ))
    .unwrap();
    unscoped["auth"].as_object_mut().unwrap().remove("scope");
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"not json".to_vec(),
        b"{}".to_vec(),
        br#"{"auth":{"identity":{"methods":["password"]}}}"#.to_vec(),
        br#"{"auth":{"identity":{"methods":["token"],"password":{"user":{"name":"u","password":"p","domain":{"name":"d"}}}}}}"#.to_vec(),
        project_scoped.to_string().into_bytes(),
        unscoped.to_string().into_bytes(),
    ];
    for body in &bodies {
        let response = post_tokens(&standin, TOKENS, body);
        assert_iam_error(&response, 400, "IAM.0001");
        assert_eq!(response.json()["error"]["title"], "Bad Request");
    }
    let response = post_tokens(&standin, TOKENS, b"{}");
    assert_eq!(
        response.json()["error"]["message"],
        "The request you have made requires authentication."
    );
    assert_eq!(standin.iam_token_requests(), bodies.len() + 1);
}

#[test]
fn other_methods_on_iam_paths_are_not_found() {
    let standin = standin();
    assert_eq!(get(&standin, TOKENS, &[]).status, 404);
    assert_eq!(request(&standin, "POST", DOMAINS, &[], b"{}").status, 404);
    assert_eq!(standin.iam_token_requests(), 0);
    assert_eq!(standin.iam_domain_requests(), 0);
}
