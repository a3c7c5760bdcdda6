//! AK/SK-signed requests to the OSM operation, as the API gateway checks them.

use osm_standin::{data, AccessKey, Standin, StandinConfig};

use crate::client::*;

fn standin() -> Standin {
    Standin::start(StandinConfig::default()).unwrap()
}

type Headers = Vec<(String, String)>;

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// The response text and headers must not contain any of `secrets`.
fn assert_no_echo(response: &RawResponse, secrets: &[&str]) {
    for secret in secrets {
        assert!(!response.text().contains(secret), "{secret} echoed");
        assert!(response.headers.iter().all(|(_, v)| !v.contains(secret)));
    }
}

#[test]
fn correctly_signed_request_is_served() {
    let standin = standin();
    let response = Signing::default().send(&standin, "GET", API);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["cc_email_info"]["user_id"], data::USER_ID);
    // Scenario URLs are authenticated the same way.
    let response = Signing::default().send(&standin, "GET", &scenario_target("business-error"));
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["error_code"], "OSM.01010002");
    let response = Signing::default().send(&standin, "GET", &scenario_target("forbidden"));
    assert_eq!(response.status, 403);
}

#[test]
fn signed_query_locale_headers_and_sdk_extras_are_verified() {
    let standin = standin();
    let signing = Signing {
        headers: vec![
            header("Content-Type", "application/json"),
            header("User-Agent", "huaweicloud-usdk-python/3.0"),
            header("X-Domain-Id", data::DOMAIN_ID),
            header("X-Language", "en-us"),
            header("X-Site", "1"),
            header("X-Time-Zone", "GMT+8"),
            header("X_Not_Signed", "x"),
        ],
        ..Default::default()
    };
    let target = format!("{API}?b=2&a=%20x&a=1");
    let response = signing.send(&standin, "GET", &target);
    assert_eq!(response.status, 200, "{}", response.text());
    // Header rules still apply after authentication.
    let bad_site = Signing {
        headers: vec![
            header("X-Domain-Id", data::DOMAIN_ID),
            header("X-Site", "7"),
        ],
        ..Default::default()
    };
    let response = bad_site.send(&standin, "GET", API);
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["error_code"], "OSM.0001");
}

#[test]
fn wrong_sk_is_a_signature_failure_and_echoes_nothing() {
    let standin = standin();
    let wrong_sk = "WrongSecretKey000000000000000000000000000";
    let signing = Signing {
        sk: wrong_sk,
        ..Default::default()
    };
    let response = signing.send(&standin, "GET", API);
    assert_apigw_401(&response, "verify aksk signature fail");
    assert_eq!(
        response.json()["error_msg"],
        "Incorrect IAM authentication information: verify aksk signature fail"
    );
    assert_no_echo(&response, &[wrong_sk, data::SK, data::AK]);
}

#[test]
fn tampering_after_signing_is_detected() {
    let standin = standin();
    let signing = Signing {
        headers: vec![
            header("X-Domain-Id", data::DOMAIN_ID),
            header("X-Site", "0"),
        ],
        ..Default::default()
    };
    let check = |target: &str, edit: &dyn Fn(&mut Headers), body: &[u8]| {
        let mut headers = signing.signed_headers(&standin, "GET", API);
        edit(&mut headers);
        let response = request(&standin, "GET", target, &headers, body);
        assert_apigw_401(&response, "verify aksk signature fail");
    };
    let set = |name: &'static str, value: &'static str| {
        move |h: &mut Headers| {
            h.iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .unwrap()
                .1 = value.to_owned()
        }
    };
    let nothing = |_: &mut Headers| {};
    // Another signed header value, another Host, another target, a body.
    check(API, &set("X-Site", "1"), b"");
    check(API, &set("Host", "osm.example.com"), b"");
    check(&format!("{API}?limit=1"), &nothing, b"");
    check(&scenario_target("ok"), &nothing, b"");
    check(API, &nothing, b"{}");
    // Unchanged, it passes (the checks above are not failing for another reason).
    let headers = signing.signed_headers(&standin, "GET", API);
    assert_eq!(request(&standin, "GET", API, &headers, b"").status, 200);
}

#[test]
fn bodies_are_part_of_the_signature() {
    let standin = standin();
    let body = br#"{"any":"body"}"#;
    let signing = Signing {
        body,
        ..Default::default()
    };
    assert_eq!(signing.send(&standin, "GET", API).status, 200);
    assert_eq!(standin.requests()[0].body, body);

    // UNSIGNED-PAYLOAD skips the body; a wrong explicit hash is refused.
    let unsigned = Signing {
        body,
        headers: vec![
            header("X-Domain-Id", data::DOMAIN_ID),
            header("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"),
        ],
        ..Default::default()
    };
    assert_eq!(unsigned.send(&standin, "GET", API).status, 200);
    let lying = Signing {
        body,
        headers: vec![
            header("X-Domain-Id", data::DOMAIN_ID),
            header(
                "X-Sdk-Content-Sha256",
                &osm_standin::aksk::sha256_hex(b"other"),
            ),
        ],
        ..Default::default()
    };
    assert_apigw_401(
        &lying.send(&standin, "GET", API),
        "x-sdk-content-sha256 does not match the body",
    );
}

#[test]
fn sdk_date_must_be_within_15_minutes() {
    let standin = standin();
    let at = |offset: i64| {
        Signing {
            date: sdk_date(offset),
            ..Default::default()
        }
        .send(&standin, "GET", API)
    };
    assert_eq!(at(-14 * 60).status, 200);
    assert_eq!(at(14 * 60).status, 200);
    for offset in [-16 * 60, 16 * 60, -86_400 * 365] {
        assert_apigw_401(&at(offset), "x-sdk-date is more than 15 minutes");
    }
}

#[test]
fn clock_skew_moves_the_server_clock() {
    let standin = standin();
    standin.set_clock_skew(16 * 60);
    let response = Signing::default().send(&standin, "GET", API);
    assert_apigw_401(&response, "x-sdk-date");
    // A client that follows the server clock is accepted.
    let ahead = Signing {
        date: sdk_date(16 * 60),
        ..Default::default()
    };
    assert_eq!(ahead.send(&standin, "GET", API).status, 200);
    standin.set_clock_skew(0);
    assert_eq!(Signing::default().send(&standin, "GET", API).status, 200);
}

#[test]
fn missing_or_malformed_sdk_date() {
    let standin = standin();
    for date in ["2024-02-29T12:00:00Z", "20240230T120000Z", "now", ""] {
        let signing = Signing {
            date: date.to_owned(),
            ..Default::default()
        };
        assert_apigw_401(
            &signing.send(&standin, "GET", API),
            "x-sdk-date is missing or malformed",
        );
    }
    // Signed without X-Sdk-Date at all.
    let mut headers = Signing::default().signed_headers(&standin, "GET", API);
    headers.retain(|(n, _)| n != "X-Sdk-Date");
    assert_apigw_401(
        &request(&standin, "GET", API, &headers, b""),
        "x-sdk-date is missing or malformed",
    );
}

#[test]
fn domain_id_is_required_and_must_match() {
    let standin = standin();
    let without = Signing {
        headers: vec![],
        ..Default::default()
    };
    let response = without.send(&standin, "GET", API);
    assert_eq!(
        response.json(),
        serde_json::json!({
            "error_code": "APIGW.0301",
            "error_msg": "Incorrect IAM authentication information: x-domain-id is required for global service",
        })
    );
    assert_eq!(response.status, 401);

    let other = "ffffffffffffffffffffffffffffffff";
    let wrong = Signing {
        headers: vec![header("X-Domain-Id", other)],
        ..Default::default()
    };
    let response = wrong.send(&standin, "GET", API);
    assert_apigw_401(
        &response,
        "x-domain-id does not match the account of the AK",
    );
    assert_no_echo(&response, &[other, data::DOMAIN_ID]);

    // A stand-in for another account accepts its own id only.
    let standin = Standin::start(StandinConfig {
        domain_id: other.to_owned(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(wrong.send(&standin, "GET", API).status, 200);
    assert_eq!(Signing::default().send(&standin, "GET", API).status, 401);
}

#[test]
fn temporary_credentials_need_their_security_token() {
    let standin = standin();
    let temp = |token: Option<&str>| {
        let mut headers = vec![header("X-Domain-Id", data::DOMAIN_ID)];
        if let Some(token) = token {
            headers.push(header("X-Security-Token", token));
        }
        Signing {
            ak: data::TEMP_AK,
            sk: data::TEMP_SK,
            headers,
            ..Default::default()
        }
        .send(&standin, "GET", API)
    };
    assert_eq!(temp(Some(data::SECURITY_TOKEN)).status, 200);
    let response = temp(None);
    assert_apigw_401(
        &response,
        "x-security-token is required for temporary credentials",
    );
    let response = temp(Some("another-token"));
    assert_apigw_401(&response, "x-security-token is invalid");
    assert_no_echo(
        &response,
        &["another-token", data::SECURITY_TOKEN, data::TEMP_SK],
    );

    // Sent but not signed is accepted too (the value is still checked).
    let mut headers = Signing {
        ak: data::TEMP_AK,
        sk: data::TEMP_SK,
        ..Default::default()
    }
    .signed_headers(&standin, "GET", API);
    headers.push(header("X-Security-Token", data::SECURITY_TOKEN));
    assert_eq!(request(&standin, "GET", API, &headers, b"").status, 200);
}

#[test]
fn unknown_ak_and_custom_keys() {
    let standin = Standin::start(StandinConfig {
        access_keys: vec![AccessKey::new("MYAK", "my-sk")],
        ..Default::default()
    })
    .unwrap();
    let mine = Signing {
        ak: "MYAK",
        sk: "my-sk",
        ..Default::default()
    };
    assert_eq!(mine.send(&standin, "GET", API).status, 200);
    // The default pair is not configured here.
    let response = Signing::default().send(&standin, "GET", API);
    assert_apigw_401(&response, "ak not exist");
    assert_no_echo(&response, &[data::AK]);
}

#[test]
fn signed_headers_must_cover_host_and_date_and_be_present() {
    let standin = standin();
    let base = Signing::default().signed_headers(&standin, "GET", API);
    let with_auth = |authorization: String| {
        let mut headers = base.clone();
        headers.last_mut().unwrap().1 = authorization;
        request(&standin, "GET", API, &headers, b"")
    };
    let auth = base.last().unwrap().1.clone();
    let signature = auth.rsplit("Signature=").next().unwrap().to_owned();

    let no_host = format!(
        "SDK-HMAC-SHA256 Access={}, SignedHeaders=x-domain-id;x-sdk-date, Signature={signature}",
        data::AK
    );
    assert_apigw_401(
        &with_auth(no_host),
        "SignedHeaders must include host and x-sdk-date",
    );
    let absent = format!(
        "SDK-HMAC-SHA256 Access={}, SignedHeaders=host;x-absent;x-domain-id;x-sdk-date, Signature={signature}",
        data::AK
    );
    assert_apigw_401(
        &with_auth(absent),
        "signed header is missing from the request",
    );
    assert_apigw_401(
        &with_auth(auth.replace(&signature, &signature.to_ascii_uppercase())),
        "verify aksk signature fail",
    );
    for malformed in [
        "SDK-HMAC-SHA1 Access=a, SignedHeaders=host, Signature=b".to_owned(),
        "Bearer abc".to_owned(),
        auth.replace("Signature=", "Sig="),
    ] {
        assert_apigw_401(
            &with_auth(malformed),
            "not a valid SDK-HMAC-SHA256 signature",
        );
    }
}

#[test]
fn a_valid_token_wins_over_a_bad_signature_and_a_bad_token_does_not_block_a_good_one() {
    let standin = standin();
    let mut headers = Signing {
        sk: "wrong",
        ..Default::default()
    }
    .signed_headers(&standin, "GET", API);
    headers.push(header("X-Auth-Token", TOKEN));
    assert_eq!(request(&standin, "GET", API, &headers, b"").status, 200);

    let mut headers = Signing::default().signed_headers(&standin, "GET", API);
    headers.push(header("X-Auth-Token", "not-a-token"));
    assert_eq!(request(&standin, "GET", API, &headers, b"").status, 200);
}
