//! IAM password credentials through the C ABI, against the stand-in's IAM
//! and gateway over real HTTP: the token request, caching, refresh before
//! expiry, refresh and retry after 401, single flight, wrong passwords.

mod common;

use std::sync::Barrier;
use std::time::Duration;

use common::*;
use osm_standin::{data, Standin};
use tcc::ffi::*;

fn password_client(server: &Standin) -> *mut tcc_client {
    client_from(password_options(
        server,
        data::IAM_USER,
        data::IAM_PASSWORD,
        data::DOMAIN_NAME,
    ))
}

#[test]
fn the_token_is_requested_once_and_reused() {
    let server = standin();
    let client = password_client(&server);
    assert_eq!(server.requests().len(), 0, "no I/O at client creation");
    for _ in 0..10 {
        assert_eq!(fetch(client).unwrap().addresses, data::ADDRESSES);
    }
    unsafe { tcc_client_free(client) };
    assert_eq!(server.iam_token_requests(), 1);

    let requests = server.requests();
    let token_request = &requests[0];
    assert_eq!(token_request.method, "POST");
    assert_eq!(token_request.target, "/v3/auth/tokens");
    assert_eq!(
        token_request.header("content-type"),
        Some("application/json")
    );
    let body: serde_json::Value = serde_json::from_slice(&token_request.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": data::IAM_USER,
                "password": data::IAM_PASSWORD,
                "domain": {"name": data::DOMAIN_NAME}}}},
            "scope": {"domain": {"name": data::DOMAIN_NAME}}}})
    );
    let tokens = issued_tokens(&server);
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    let osm = osm_requests(&server);
    assert_eq!(osm.len(), 10);
    assert!(osm
        .iter()
        .all(|r| r.header("x-auth-token") == Some(tokens[0].as_str())
            && r.header("authorization").is_none()));
}

#[test]
fn a_short_lived_token_is_refreshed_before_it_expires() {
    let server = standin();
    // Refreshed once less than a quarter of the lifetime remains: at 1.5 s.
    server.set_token_lifetime(Duration::from_secs(2));
    let client = password_client(&server);
    fetch(client).unwrap();
    assert_eq!(server.iam_token_requests(), 1);
    std::thread::sleep(Duration::from_millis(1600));
    // The first token is still valid for another 0.4 s, but due for refresh.
    fetch(client).unwrap();
    assert_eq!(server.iam_token_requests(), 2);
    fetch(client).unwrap();
    unsafe { tcc_client_free(client) };
    assert_eq!(server.iam_token_requests(), 2, "the new token is cached");
    assert_eq!(
        osm_requests(&server).len(),
        3,
        "no call was refused and retried"
    );
    assert_eq!(issued_tokens(&server).len(), 2);
}

#[test]
fn a_rejected_token_is_refreshed_once_and_the_call_retried() {
    let server = standin();
    let client = password_client(&server);
    fetch(client).unwrap();
    server.expire_issued_tokens();
    assert_eq!(fetch(client).unwrap().addresses, data::ADDRESSES);
    fetch(client).unwrap();
    unsafe { tcc_client_free(client) };
    assert_eq!(server.iam_token_requests(), 2);
    let osm = osm_requests(&server);
    assert_eq!(osm.len(), 4, "call 2 was sent twice");
    let token = |i: usize| osm[i].header("x-auth-token").unwrap().to_owned();
    assert_eq!(token(0), token(1), "the expired token was tried first");
    assert_ne!(token(1), token(2), "then a new one");
    assert_eq!(token(2), token(3), "which is kept");
}

#[test]
fn a_token_refused_again_after_refresh_fails_without_a_third_try() {
    let server = standin();
    let client = password_client(&server);
    fetch(client).unwrap();
    server.expire_issued_tokens();
    // Tokens issued from now on are already expired as well.
    server.set_token_lifetime(Duration::from_micros(1));
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_AUTH, "{err:?}");
    assert_eq!(err.service_code.as_deref(), Some("APIGW.0301"));
    assert_eq!(server.iam_token_requests(), 2, "one refresh per call");
    assert_eq!(osm_requests(&server).len(), 3, "one retry per call");
}

#[test]
fn many_threads_share_one_token_request() {
    const THREADS: usize = 8;
    let server = standin();
    let client = SharedClient(password_client(&server));
    let barrier = Barrier::new(THREADS);
    let all_fetch = || {
        std::thread::scope(|s| {
            for _ in 0..THREADS {
                s.spawn(|| {
                    barrier.wait();
                    assert_eq!(fetch(client.get()).unwrap().addresses, data::ADDRESSES);
                });
            }
        })
    };
    // First use: one token for everyone.
    all_fetch();
    assert_eq!(server.iam_token_requests(), 1);
    // Every thread is refused with the same token: still one refresh.
    server.expire_issued_tokens();
    all_fetch();
    unsafe { tcc_client_free(client.0) };
    assert_eq!(server.iam_token_requests(), 2);
    assert_eq!(issued_tokens(&server).len(), 2);
}

#[test]
fn a_wrong_password_is_an_auth_error_with_iam_code() {
    let server = standin();
    let client = client_from(password_options(
        &server,
        data::IAM_USER,
        WRONG_PASSWORD,
        data::DOMAIN_NAME,
    ));
    for attempt in 1..=2 {
        let err = fetch(client).unwrap_err();
        assert_eq!(err.code, TCC_ERR_AUTH, "{err:?}");
        assert_eq!(err.http_status, 401);
        assert_eq!(err.service_code.as_deref(), Some("IAM.0006"));
        assert!(
            err.message
                .starts_with("IAM token request failed: HTTP 401: IAM.0006: "),
            "{err:?}"
        );
        assert_no_secret(&format!("{err:?}"), &configured_secrets());
        assert_eq!(
            server.iam_token_requests(),
            attempt,
            "failures are not cached"
        );
    }
    unsafe { tcc_client_free(client) };
    assert!(osm_requests(&server).is_empty());

    // A wrong account name is refused the same way.
    let client = client_from(password_options(
        &server,
        data::IAM_USER,
        data::IAM_PASSWORD,
        "another-account",
    ));
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.service_code.as_deref(), Some("IAM.0006"));
}

#[test]
fn the_timeout_bounds_the_token_request_too() {
    // Nothing answers here: the connect succeeds (the listener exists) but
    // no response ever comes, so only the call's deadline ends it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = standin();
    let opts = password_options(
        &server,
        data::IAM_USER,
        data::IAM_PASSWORD,
        data::DOMAIN_NAME,
    );
    let iam = format!("http://{}", silent.local_addr().unwrap());
    unsafe {
        ok(tcc_options_set_iam_endpoint(opts, cstring(&iam).as_ptr()));
        ok(tcc_options_set_timeout_ms(opts, 300));
    }
    let client = client_from(opts);
    let started = std::time::Instant::now();
    let err = fetch(client).unwrap_err();
    unsafe { tcc_client_free(client) };
    assert_eq!(err.code, TCC_ERR_TIMEOUT, "{err:?}");
    assert!(
        err.message.starts_with("IAM token request failed: "),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
