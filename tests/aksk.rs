//! AK/SK credentials through the C ABI, against the stand-in's gateway,
//! which verifies SDK-HMAC-SHA256 signatures over real HTTP: permanent and
//! temporary keys, the domain id lookup at IAM, and its failures.

mod common;

use std::sync::Barrier;

use common::*;
use osm_standin::{data, RecordedRequest};
use tcc::ffi::*;

fn header_count(request: &RecordedRequest, name: &str) -> usize {
    request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

#[test]
fn a_signed_request_carries_and_signs_exactly_what_it_sends() {
    let server = standin();
    let opts = aksk_options(&server, data::AK, data::SK, Some(data::DOMAIN_ID), None);
    unsafe {
        ok(tcc_options_set_language(opts, c"en-us".as_ptr()));
        ok(tcc_options_set_time_zone(opts, c"GMT+2".as_ptr()));
        ok(tcc_options_set_site(opts, 1));
    }
    let client = client_from(opts);
    let got = fetch(client).unwrap();
    assert_eq!(got.addresses, data::ADDRESSES);
    unsafe { tcc_client_free(client) };

    assert_eq!(server.iam_domain_requests(), 0, "the domain id was given");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.header("x-domain-id"), Some(data::DOMAIN_ID));
    assert_eq!(request.header("x-auth-token"), None);
    assert_eq!(request.header("x-security-token"), None);
    let authorization = request.header("authorization").unwrap();
    assert!(
        authorization.starts_with(&format!(
            "SDK-HMAC-SHA256 Access={}, SignedHeaders=host;user-agent;x-domain-id;x-language;x-sdk-date;x-site;x-time-zone, Signature=",
            data::AK
        )),
        "{authorization}"
    );
    // Host and User-Agent are set by tcc, so ureq must not add a second one.
    for name in ["host", "user-agent", "x-sdk-date", "authorization"] {
        assert_eq!(
            header_count(request, name),
            1,
            "{name}: {:?}",
            request.headers
        );
    }
    assert_eq!(
        request.header("host").unwrap(),
        format!("127.0.0.1:{}", server.port())
    );
    let date = request.header("x-sdk-date").unwrap();
    assert_eq!(date.len(), 16, "{date}");
    assert!(date.ends_with('Z') && date.as_bytes()[8] == b'T', "{date}");
}

#[test]
fn a_path_prefix_is_signed_too() {
    let server = standin();
    let opts = aksk_options(&server, data::AK, data::SK, Some(data::DOMAIN_ID), None);
    unsafe {
        ok(tcc_options_set_endpoint(
            opts,
            cstring(&server.scenario_url("array")).as_ptr(),
        ))
    };
    let client = client_from(opts);
    let got = fetch(client).unwrap();
    assert_eq!(got.user_id.as_deref(), Some(data::USER_ID));
    unsafe { tcc_client_free(client) };
}

#[test]
fn a_wrong_secret_key_is_an_auth_error_that_never_shows_the_key() {
    let server = standin();
    let client = client_from(aksk_options(
        &server,
        data::AK,
        WRONG_SK,
        Some(data::DOMAIN_ID),
        None,
    ));
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_AUTH);
    assert_eq!(err.http_status, 401);
    assert_eq!(err.service_code.as_deref(), Some("APIGW.0301"));
    assert!(err.request_id.is_some());
    assert_no_secret(&format!("{err:?}"), &configured_secrets());
}

#[test]
fn a_temporary_key_needs_its_security_token() {
    let server = standin();
    let client = client_from(aksk_options(
        &server,
        data::TEMP_AK,
        data::TEMP_SK,
        Some(data::DOMAIN_ID),
        Some(data::SECURITY_TOKEN),
    ));
    fetch(client).unwrap();
    unsafe { tcc_client_free(client) };
    let request = &osm_requests(&server)[0];
    assert_eq!(
        request.header("x-security-token"),
        Some(data::SECURITY_TOKEN)
    );
    assert!(request
        .header("authorization")
        .unwrap()
        .contains("x-sdk-date;x-security-token"));

    let client = client_from(aksk_options(
        &server,
        data::TEMP_AK,
        data::TEMP_SK,
        Some(data::DOMAIN_ID),
        None,
    ));
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_AUTH);
    assert_eq!(err.service_code.as_deref(), Some("APIGW.0301"));
    assert!(
        err.service_message
            .as_deref()
            .unwrap()
            .contains("x-security-token"),
        "{err:?}"
    );
    assert_no_secret(&format!("{err:?}"), &configured_secrets());
}

#[test]
fn the_domain_id_is_looked_up_once_for_many_threads() {
    const THREADS: usize = 8;
    let server = standin();
    let client = SharedClient(client_from(aksk_options(
        &server,
        data::AK,
        data::SK,
        None,
        None,
    )));
    // Creating a client does no network I/O.
    assert_eq!(server.requests().len(), 0);

    let barrier = Barrier::new(THREADS);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                barrier.wait();
                assert_eq!(fetch(client.get()).unwrap().addresses, data::ADDRESSES);
            });
        }
    });
    assert_eq!(server.iam_domain_requests(), 1);
    for _ in 0..3 {
        fetch(client.0).unwrap();
    }
    unsafe { tcc_client_free(client.0) };
    assert_eq!(server.iam_domain_requests(), 1, "the domain id is cached");

    let lookups: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.target == "/v3/auth/domains")
        .collect();
    assert_eq!(lookups.len(), 1);
    assert_eq!(lookups[0].method, "GET");
    assert_eq!(lookups[0].header("x-domain-id"), None);
    assert!(lookups[0]
        .header("authorization")
        .unwrap()
        .contains("SignedHeaders=host;user-agent;x-sdk-date,"));
    let osm = osm_requests(&server);
    assert_eq!(osm.len(), THREADS + 3);
    assert!(osm
        .iter()
        .all(|r| r.header("x-domain-id") == Some(data::DOMAIN_ID)));
}

#[test]
fn a_failed_domain_lookup_fails_the_call_and_is_retried_by_the_next() {
    let server = standin();
    let client = client_from(aksk_options(&server, data::AK, WRONG_SK, None, None));
    for attempt in 1..=2 {
        let err = fetch(client).unwrap_err();
        assert_eq!(err.code, TCC_ERR_AUTH, "{err:?}");
        assert_eq!(err.http_status, 401);
        assert_eq!(err.service_code.as_deref(), Some("APIGW.0301"));
        assert!(
            err.message
                .starts_with("domain id lookup at IAM failed: HTTP 401: APIGW.0301"),
            "{err:?}"
        );
        assert_no_secret(&format!("{err:?}"), &configured_secrets());
        assert_eq!(server.iam_domain_requests(), attempt, "not cached");
    }
    unsafe { tcc_client_free(client) };
    assert!(
        osm_requests(&server).is_empty(),
        "OSM is not called without a domain id"
    );
}

#[test]
fn after_a_failed_lookup_a_later_call_can_succeed() {
    let server = standin();
    let client = client_from(aksk_options(&server, data::AK, data::SK, None, None));
    // The server's clock 20 minutes ahead: X-Sdk-Date is refused.
    server.set_clock_skew(20 * 60);
    let err = fetch(client).unwrap_err();
    assert_eq!(err.code, TCC_ERR_AUTH);
    assert!(
        err.message.starts_with("domain id lookup at IAM failed"),
        "{err:?}"
    );
    assert!(
        err.service_message
            .as_deref()
            .unwrap()
            .contains("x-sdk-date"),
        "{err:?}"
    );
    server.set_clock_skew(0);
    fetch(client).unwrap();
    fetch(client).unwrap();
    unsafe { tcc_client_free(client) };
    assert_eq!(server.iam_domain_requests(), 2);
}

#[test]
fn an_unreachable_iam_is_a_network_error_named_as_the_lookup() {
    let server = standin();
    let opts = aksk_options(&server, data::AK, data::SK, None, None);
    unsafe {
        ok(tcc_options_set_iam_endpoint(
            opts,
            c"http://127.0.0.1:1".as_ptr(),
        ))
    };
    let client = client_from(opts);
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_NETWORK, "{err:?}");
    assert!(
        err.message.starts_with("domain id lookup at IAM failed: "),
        "{err:?}"
    );
    assert!(osm_requests(&server).is_empty());
}
