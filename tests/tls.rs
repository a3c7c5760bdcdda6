//! HTTPS with real certificates from a throwaway CA: verification is on by
//! default, a CA file makes a private CA trusted, and a certificate that
//! does not match the host name or was not issued by a trusted CA fails
//! with TCC_ERR_TLS before anything is sent.

mod common;

use std::time::Duration;

use common::*;
use osm_standin::tls::{TestCa, TlsIdentity};
use osm_standin::{data, Standin};
use tcc::ffi::*;

fn tls_standin(identity: TlsIdentity) -> Standin {
    Standin::start_tls(standin_config(), identity).unwrap()
}

fn client_trusting(endpoint: &str, ca_file: Option<&std::path::Path>) -> *mut tcc_client {
    let opts = options(endpoint, TOKEN);
    if let Some(path) = ca_file {
        let path = cstring(path.to_str().unwrap());
        assert_eq!(
            unsafe { tcc_options_set_ca_file(opts, path.as_ptr()) },
            TCC_OK
        );
    }
    let client = client_with(opts);
    unsafe { tcc_options_free(opts) };
    client
}

fn fetch_once(endpoint: &str, ca_file: Option<&std::path::Path>) -> Result<Fetched, LastError> {
    let client = client_trusting(endpoint, ca_file);
    let got = fetch(client);
    unsafe { tcc_client_free(client) };
    got
}

fn ca_file(ca: &TestCa, name: &str) -> std::path::PathBuf {
    let path = scratch_dir("tls").join(name);
    ca.write_ca_pem(&path).unwrap();
    path
}

#[test]
fn a_trusted_ca_file_makes_https_work() {
    let ca = TestCa::new();
    let server = tls_standin(ca.server_identity(&["localhost", "127.0.0.1"]));
    let pem = ca_file(&ca, "trusted.pem");
    for endpoint in [server.base_url(), server.base_url_with_host("localhost")] {
        assert!(endpoint.starts_with("https://"));
        let got = fetch_once(&endpoint, Some(&pem)).unwrap();
        assert_eq!(got.addresses, data::ADDRESSES);
    }
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn https_connections_are_kept_alive_and_reused() {
    let ca = TestCa::new();
    let server = tls_standin(ca.server_identity(&["127.0.0.1"]));
    let pem = ca_file(&ca, "reuse.pem");
    let client = client_trusting(&server.base_url(), Some(&pem));
    for _ in 0..5 {
        assert_eq!(fetch(client).unwrap().addresses, data::ADDRESSES);
    }
    unsafe { tcc_client_free(client) };
    assert_eq!(server.requests().len(), 5);
    // One handshake for five calls: after TLS 1.3's session tickets and each
    // response, the pool's check still finds the connection fit for reuse.
    assert_eq!(server.connections_accepted(), 1);
}

#[test]
fn verification_is_on_by_default() {
    let ca = TestCa::new();
    let server = tls_standin(ca.server_identity(&["localhost", "127.0.0.1"]));
    // The bundled roots do not include a throwaway CA.
    let err = fetch_once(&server.base_url(), None).unwrap_err();
    assert_eq!(err.code, TCC_ERR_TLS, "{err:?}");
    assert!(err.message.contains("TLS"), "{}", err.message);
    assert_eq!(err.http_status, 0);
    assert!(server.wait_tls_handshakes_failed(1, Duration::from_secs(5)) >= 1);
    assert!(
        server.requests().is_empty(),
        "nothing may be sent over an untrusted connection"
    );
}

#[test]
fn a_certificate_from_another_issuer_is_refused() {
    let ca = TestCa::new();
    let pem = ca_file(&ca, "issuer.pem");
    let server = tls_standin(TlsIdentity::self_signed(&["localhost", "127.0.0.1"]));
    let err = fetch_once(&server.base_url(), Some(&pem)).unwrap_err();
    assert_eq!(err.code, TCC_ERR_TLS, "{err:?}");
    assert!(server.requests().is_empty());
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let ca = TestCa::new();
    let pem = ca_file(&ca, "names.pem");
    let server = tls_standin(ca.server_identity(&["osm.example.com"]));
    for endpoint in [server.base_url(), server.base_url_with_host("localhost")] {
        let err = fetch_once(&endpoint, Some(&pem)).unwrap_err();
        assert_eq!(err.code, TCC_ERR_TLS, "{endpoint}: {err:?}");
        assert!(
            err.message.to_lowercase().contains("name") || err.message.contains("NotValidFor"),
            "{}",
            err.message
        );
    }
    assert!(server.requests().is_empty());
}

#[test]
fn plain_http_to_a_tls_port_fails_cleanly() {
    let ca = TestCa::new();
    let server = tls_standin(ca.server_identity(&["127.0.0.1"]));
    let opts = options(&format!("http://127.0.0.1:{}", server.port()), TOKEN);
    assert_eq!(unsafe { tcc_options_set_timeout_ms(opts, 3000) }, TCC_OK);
    let client = client_with(opts);
    let err = fetch(client).unwrap_err();
    unsafe {
        tcc_client_free(client);
        tcc_options_free(opts);
    }
    assert!(
        [TCC_ERR_NETWORK, TCC_ERR_BAD_RESPONSE, TCC_ERR_TIMEOUT].contains(&err.code),
        "{err:?}"
    );
}
