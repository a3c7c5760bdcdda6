//! HTTP proxies: an explicit one (`tcc_options_set_proxy`), in absolute form
//! for http:// endpoints and through a CONNECT tunnel for https:// ones,
//! with an optional login that never shows up in a message; and the usual
//! environment variables (read the way curl reads them), tested in child
//! processes running the C example so this process's environment is left
//! alone.

mod common;

use std::process::Command;

use common::*;
use osm_standin::tls::TestCa;
use osm_standin::{data, Standin};
use tcc::ffi::*;

const API_PATH: &str = "/v2/servicerequest/carbon-copy-emails";

fn via_proxy(proxy: &str) -> Net {
    Net {
        proxy: Some(proxy.to_owned()),
        ..Net::default()
    }
}

#[test]
fn an_http_endpoint_is_reached_through_the_proxy_in_absolute_form() {
    let proxy = standin();
    let (got, _) = timed_fetch("http://osm.invalid", &via_proxy(&proxy.base_url()));
    assert_eq!(got.unwrap().addresses, data::ADDRESSES);
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].target, format!("http://osm.invalid{API_PATH}"));
    assert_eq!(requests[0].header("host"), Some("osm.invalid"));
    assert_eq!(requests[0].header("x-auth-token"), Some(TOKEN));
    assert_eq!(requests[0].header("proxy-authorization"), None);
}

#[test]
fn aksk_signatures_and_iam_work_through_the_proxy() {
    let proxy = standin();
    // OSM and IAM both behind the proxy; the domain id is looked up.
    let opts = aksk_options(&proxy, data::AK, data::SK, None, None);
    unsafe {
        ok(tcc_options_set_endpoint(
            opts,
            cstring("http://osm.invalid:8080").as_ptr(),
        ));
        ok(tcc_options_set_iam_endpoint(
            opts,
            cstring("http://iam.invalid").as_ptr(),
        ));
        ok(tcc_options_set_proxy(
            opts,
            cstring(&proxy.base_url()).as_ptr(),
        ));
    }
    let client = client_from(opts);
    let got = fetch(client);
    unsafe { tcc_client_free(client) };
    assert_eq!(got.unwrap().addresses, data::ADDRESSES);
    let targets: Vec<String> = proxy.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "http://iam.invalid/v3/auth/domains".to_owned(),
            format!("http://osm.invalid:8080{API_PATH}")
        ]
    );
}

#[test]
fn the_proxy_login_is_sent_and_never_shown() {
    let proxy = standin();
    let password = "proxy-Pa55-SECRET";
    let url = format!("http://tcc%20user:{password}@127.0.0.1:{}", proxy.port());
    let (got, _) = timed_fetch("http://osm.invalid", &via_proxy(&url));
    assert!(got.is_ok(), "{got:?}");
    // base64("tcc user:proxy-Pa55-SECRET")
    assert_eq!(
        proxy.requests()[0].header("proxy-authorization"),
        Some("Basic dGNjIHVzZXI6cHJveHktUGE1NS1TRUNSRVQ=")
    );

    // A proxy that is not there: the error names no password.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://user:{password}@127.0.0.1:{closed}");
    let net = Net {
        proxy: Some(url),
        max_attempts: Some(1),
        ..Net::default()
    };
    let (got, _) = timed_fetch("http://osm.invalid", &net);
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_NETWORK, "{err:?}");
    assert!(!format!("{err:?}").contains(password), "{err:?}");
}

#[test]
fn an_https_endpoint_is_reached_through_a_connect_tunnel() {
    let proxy = standin();
    let ca = TestCa::new();
    let server = Standin::start_tls(
        standin_config(),
        ca.server_identity(&["127.0.0.1", "localhost"]),
    )
    .unwrap();
    let ca_file = scratch_dir("proxy").join("ca.pem");
    ca.write_ca_pem(&ca_file).unwrap();
    let net = Net {
        proxy: Some(format!("http://u:tunnel-SECRET@127.0.0.1:{}", proxy.port())),
        ca_file: Some(ca_file),
        ..Net::default()
    };
    let (got, _) = timed_fetch(&server.base_url(), &net);
    assert_eq!(got.unwrap().addresses, data::ADDRESSES);
    assert_eq!(proxy.connect_tunnels(), 1);
    let connects = proxy.requests();
    assert_eq!(connects.len(), 1);
    assert_eq!(connects[0].method, "CONNECT");
    assert_eq!(connects[0].target, format!("127.0.0.1:{}", server.port()));
    assert!(connects[0].header("proxy-authorization").is_some());
    // The proxy saw only the tunnel: the request itself went to the server, in TLS.
    assert_eq!(connects[0].header("x-auth-token"), None);
    assert_eq!(osm_requests(&server).len(), 1);
}

#[test]
fn a_proxy_that_refuses_the_tunnel_is_an_http_error_not_retried() {
    let proxy = standin();
    // The stand-in tunnels to this machine only: 403 for another host.
    let (got, _) = timed_fetch("https://osm.invalid", &via_proxy(&proxy.base_url()));
    let err = got.unwrap_err();
    assert_eq!(err.code, TCC_ERR_HTTP, "{err:?}");
    assert_eq!((err.http_status, err.attempts), (403, 1));
    assert!(
        err.message.starts_with("the proxy refused the tunnel: "),
        "{err:?}"
    );
}

#[test]
fn an_empty_proxy_turns_proxies_off() {
    let server = standin();
    let (got, _) = timed_fetch(&server.base_url(), &via_proxy(""));
    assert!(got.is_ok(), "{got:?}");
}

#[test]
fn bad_proxy_urls_are_refused_without_being_quoted() {
    let opts = options_for("http://127.0.0.1:1");
    unsafe {
        for bad in [
            "https://u:pw-SECRET@proxy:443",
            "socks5://u:pw-SECRET@proxy:1080",
            "http://u:pw-SECRET@proxy:3128/path",
            "http://u:pw-SECRET@proxy:70000",
        ] {
            assert_eq!(
                tcc_options_set_proxy(opts, cstring(bad).as_ptr()),
                TCC_ERR_INVALID_ARGUMENT,
                "{bad}"
            );
            let err = last_error();
            assert!(err.message.starts_with("proxy URL "), "{err:?}");
            assert!(!err.message.contains("SECRET"), "{err:?}");
        }
        assert_eq!(
            tcc_options_set_proxy(opts, std::ptr::null()),
            TCC_ERR_INVALID_ARGUMENT
        );
        tcc_options_free(opts);
    }
}

// --- The environment, in child processes ---

/// The C example with a clean environment (no TCC_*, HUAWEICLOUD_* or
/// proxy variable of ours), a token, `endpoint`, and `vars`.
fn example(endpoint: &str, vars: &[(&str, &str)]) -> Run {
    let mut command: Command = clean_command(example_program());
    for name in PROXY_VARIABLES.iter().chain(&["SSL_CERT_FILE"]) {
        command.env_remove(name);
    }
    command
        .env("TCC_ENDPOINT", endpoint)
        .env("TCC_TOKEN", TOKEN);
    command.env("TCC_MAX_ATTEMPTS", "1");
    for (name, value) in vars {
        command.env(name, value);
    }
    run(command)
}

#[test]
fn environment_proxies_apply_as_curl_reads_them() {
    let proxy = standin();
    let url = proxy.base_url();
    let through = |vars: &[(&str, &str)]| {
        let before = proxy.requests().len();
        let out = example("http://osm.invalid", vars);
        let after = proxy.requests().len();
        (out, after - before)
    };

    for vars in [
        &[("http_proxy", url.as_str())][..],
        &[("ALL_PROXY", url.as_str())],
        &[("all_proxy", url.as_str()), ("NO_PROXY", "other.invalid")],
        // TCC_PROXY is an explicit proxy: NO_PROXY does not apply to it.
        &[("TCC_PROXY", url.as_str()), ("NO_PROXY", "*")],
    ] {
        let (out, requests) = through(vars);
        assert_eq!(out.status, 0, "{vars:?}: {}", out.stderr);
        assert!(out.stdout.contains(data::ADDRESSES[0]), "{vars:?}");
        assert_eq!(requests, 1, "{vars:?}");
    }

    // Direct, so osm.invalid does not resolve: a network failure, and the
    // proxy never hears of it.
    for vars in [
        &[("http_proxy", url.as_str()), ("NO_PROXY", "osm.invalid")][..],
        &[("http_proxy", url.as_str()), ("no_proxy", ".invalid")],
        &[("ALL_PROXY", url.as_str()), ("NO_PROXY", "*")],
        // Upper-case HTTP_PROXY can come from a CGI request's Proxy header.
        &[("HTTP_PROXY", url.as_str())],
        // An https proxy variable does not apply to http URLs.
        &[("HTTPS_PROXY", url.as_str())],
    ] {
        let (out, requests) = through(vars);
        assert_eq!(out.status, 1, "{vars:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("network failure"),
            "{vars:?}: {}",
            out.stderr
        );
        assert_eq!(requests, 0, "{vars:?}");
    }
}

#[test]
fn an_https_proxy_variable_tunnels_https_requests() {
    let proxy = standin();
    let ca = TestCa::new();
    let server = Standin::start_tls(standin_config(), ca.server_identity(&["127.0.0.1"])).unwrap();
    let ca_file = scratch_dir("proxy-env").join("ca.pem");
    ca.write_ca_pem(&ca_file).unwrap();
    let ca_path = ca_file.to_str().unwrap();
    let out = example(
        &server.base_url(),
        &[("HTTPS_PROXY", &proxy.base_url()), ("TCC_CA_FILE", ca_path)],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(proxy.connect_tunnels(), 1);
    // NO_PROXY by address: straight to the server.
    let out = example(
        &server.base_url(),
        &[
            ("https_proxy", &proxy.base_url()),
            ("no_proxy", "127.0.0.1"),
            ("TCC_CA_FILE", ca_path),
        ],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(proxy.connect_tunnels(), 1);
    assert_eq!(osm_requests(&server).len(), 2);
}

#[test]
fn a_malformed_proxy_variable_is_a_configuration_error_naming_it() {
    let out = example(
        "https://osm.invalid",
        &[("HTTPS_PROXY", "socks5://user:pw-SECRET@proxy.corp:1080")],
    );
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("HTTPS_PROXY: proxy URL must be an http:// proxy"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("SECRET"), "{}", out.stderr);
}
