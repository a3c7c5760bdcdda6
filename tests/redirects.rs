//! Redirects: not followed by default (TCC_ERR_HTTP with the status and the
//! Location); when enabled, followed within the endpoint's origin with the
//! same credentials (AK/SK signed again for the new path); never followed
//! to another origin, which receives nothing at all, credentials least.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::*;
use osm_standin::{data, Standin};
use tcc::ffi::*;

const OK_PATH: &str = "/scenario/ok/v2/servicerequest/carbon-copy-emails";

fn redirects(n: u32) -> Net {
    Net {
        max_redirects: Some(n),
        ..Net::default()
    }
}

#[test]
fn redirects_are_not_followed_by_default() {
    let server = standin();
    let (got, _) = timed_fetch(&server.scenario_url("redirect-same"), &Net::default());
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_HTTP, "{err:?}");
    assert_eq!((err.http_status, err.attempts), (302, 1));
    assert_eq!(
        err.message,
        format!("HTTP 302: redirect to {OK_PATH} not followed")
    );
    assert!(err.request_id.is_some());
    assert_eq!(server.scenario_hits("redirect-same"), 1);
    assert_eq!(server.scenario_hits("ok"), 0);
}

#[test]
fn a_same_origin_redirect_is_followed_with_the_token_when_enabled() {
    let server = standin();
    let (got, _) = timed_fetch(&server.scenario_url("redirect-same"), &redirects(1));
    assert_eq!(got.unwrap().addresses, data::ADDRESSES);
    let requests = osm_requests(&server);
    let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/scenario/redirect-same/v2/servicerequest/carbon-copy-emails",
            OK_PATH
        ]
    );
    for r in &requests {
        assert_eq!(r.header("x-auth-token"), Some(TOKEN));
        assert_eq!(
            r.header("host"),
            Some(format!("127.0.0.1:{}", server.port()).as_str())
        );
    }
}

#[test]
fn a_same_origin_redirect_is_signed_again_for_aksk() {
    let server = standin();
    // Without a domain id: the IAM lookup and the OSM call both follow policy.
    let opts = aksk_options(
        &server,
        data::TEMP_AK,
        data::TEMP_SK,
        None,
        Some(data::SECURITY_TOKEN),
    );
    unsafe {
        ok(tcc_options_set_endpoint(
            opts,
            cstring(&server.scenario_url("redirect-same")).as_ptr(),
        ));
        ok(tcc_options_set_max_redirects(opts, 3));
    }
    let client = client_from(opts);
    let got = fetch(client);
    unsafe { tcc_client_free(client) };
    // The stand-in checks the signature against the path it received.
    assert_eq!(got.unwrap().addresses, data::ADDRESSES);
    let requests = osm_requests(&server);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].target, OK_PATH);
    let signatures: Vec<&str> = requests
        .iter()
        .map(|r| r.header("authorization").unwrap())
        .collect();
    assert_ne!(
        signatures[0], signatures[1],
        "the new path needs a new signature"
    );
    for r in &requests {
        assert_eq!(r.header("x-domain-id"), Some(data::DOMAIN_ID));
        assert_eq!(r.header("x-security-token"), Some(data::SECURITY_TOKEN));
    }
}

/// Every way of authenticating, against `endpoint`, with redirects enabled.
fn clients_of_every_kind(server: &Standin, endpoint: &str) -> Vec<*mut tcc_client> {
    let with_endpoint = |opts: *mut tcc_options| {
        unsafe {
            ok(tcc_options_set_endpoint(opts, cstring(endpoint).as_ptr()));
            ok(tcc_options_set_max_redirects(opts, 5));
        }
        client_from(opts)
    };
    vec![
        with_endpoint(options(endpoint, TOKEN)),
        with_endpoint(aksk_options(server, data::AK, data::SK, None, None)),
        with_endpoint(aksk_options(
            server,
            data::TEMP_AK,
            data::TEMP_SK,
            Some(data::DOMAIN_ID),
            Some(data::SECURITY_TOKEN),
        )),
        with_endpoint(password_options(
            server,
            data::IAM_USER,
            data::IAM_PASSWORD,
            data::DOMAIN_NAME,
        )),
    ]
}

#[test]
fn a_redirect_to_another_host_is_refused_and_that_host_gets_nothing() {
    let server = standin();
    let other = standin();
    let scenario = format!("redirect-{}", other.port());
    for client in clients_of_every_kind(&server, &server.scenario_url(&scenario)) {
        let err = fetch(client).unwrap_err();
        unsafe { tcc_client_free(client) };
        assert_eq!(err.code, TCC_ERR_HTTP, "{err:?}");
        assert_eq!((err.http_status, err.attempts), (302, 1));
        assert_eq!(
            err.message,
            format!(
                "HTTP 302: redirect to http://localhost:{}/v2/servicerequest/carbon-copy-emails \
                 not followed: it leads to another origin (scheme, host or port), \
                 and credentials are only ever sent to the configured endpoint",
                other.port()
            )
        );
        assert_no_secret(&err.message, &configured_secrets());
    }
    assert_eq!(server.scenario_hits(&scenario), 4);
    // The other host was never even connected to, so none of its
    // credentials (X-Auth-Token, Authorization, X-Security-Token,
    // X-Domain-Id, X-Sdk-Date) can have reached it.
    assert_eq!(other.connections_accepted(), 0);
    assert!(other.requests().is_empty());
}

#[test]
fn a_redirect_to_https_elsewhere_is_refused_too() {
    let server = standin();
    let other = standin();
    let scenario = format!("redirect-https-{}", other.port());
    let (got, _) = timed_fetch(&server.scenario_url(&scenario), &redirects(10));
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_HTTP, "{err:?}");
    assert!(
        err.message.contains("it leads to another origin"),
        "{err:?}"
    );
    assert_eq!(other.connections_accepted(), 0);
}

/// A server that answers every request with `302 Location: <location>`.
fn always_redirecting(
    location: &'static str,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    std::thread::spawn(move || {
        for mut socket in listener.incoming().flatten() {
            let mut buf = [0u8; 8192];
            if socket.read(&mut buf).unwrap_or(0) == 0 {
                continue;
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let answer = format!(
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = socket.write_all(answer.as_bytes());
        }
    });
    (url, hits)
}

#[test]
fn redirects_stop_at_the_limit() {
    let (url, hits) = always_redirecting("/again");
    let (got, _) = timed_fetch(&url, &redirects(2));
    let err = got.unwrap_err();
    assert_eq!((err.code, err.http_status), (TCC_ERR_HTTP, 302), "{err:?}");
    assert_eq!(
        err.message,
        "HTTP 302: redirect to /again not followed: 2 redirects followed already, the configured limit"
    );
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[test]
fn a_location_that_is_not_an_http_url_is_refused() {
    let (url, _) = always_redirecting("ftp://example.com/file");
    let (got, _) = timed_fetch(&url, &redirects(2));
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_HTTP, "{err:?}");
    assert_eq!(
        err.message,
        "HTTP 302: redirect to ftp://example.com/file not followed: the Location is not a usable http(s) URL"
    );
}

#[test]
fn max_redirects_is_checked() {
    let opts = options_for("http://127.0.0.1:1");
    unsafe {
        for bad in [11, u32::MAX] {
            assert_eq!(
                tcc_options_set_max_redirects(opts, bad),
                TCC_ERR_INVALID_ARGUMENT
            );
            assert_eq!(
                last_error().message,
                "max redirects must be between 0 and 10"
            );
        }
        for good in [0, 1, 10] {
            ok(tcc_options_set_max_redirects(opts, good));
        }
        tcc_options_free(opts);
    }
}
