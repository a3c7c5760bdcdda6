//! HTTPS: certificates from a throwaway CA, rejected certificates, and a
//! server that keeps serving through failed handshakes.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use osm_standin::tls::{TestCa, TlsIdentity};
use osm_standin::{data, Standin, StandinConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, ProtocolVersion, RootCertStore, StreamOwned,
    SupportedProtocolVersion,
};

use crate::client::*;

pub(crate) type TlsReader = BufReader<StreamOwned<ClientConnection, TcpStream>>;

const WAIT: Duration = Duration::from_secs(5);

/// A client trusting exactly the certificates in `trusted_pem`.
fn client_config(
    trusted_pem: &str,
    versions: &[&'static SupportedProtocolVersion],
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(trusted_pem.as_bytes()) {
        roots.add(cert.expect("PEM certificate")).expect("root");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

pub(crate) fn trusting(trusted_pem: &str) -> Arc<ClientConfig> {
    client_config(trusted_pem, rustls::ALL_VERSIONS)
}

/// Connects to the stand-in's port on 127.0.0.1, verifying the certificate
/// for `server_name`, and completes the handshake.
pub(crate) fn tls_connect(
    standin: &Standin,
    config: &Arc<ClientConfig>,
    server_name: &str,
) -> Result<TlsReader, rustls::Error> {
    let sock = TcpStream::connect(("127.0.0.1", standin.port())).expect("connect");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let name = ServerName::try_from(server_name.to_owned()).expect("server name");
    let conn = ClientConnection::new(Arc::clone(config), name).expect("client connection");
    let mut tls = StreamOwned::new(conn, sock);
    while tls.conn.is_handshaking() {
        if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
            let tls_error = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .unwrap_or_else(|| panic!("handshake failed without a TLS error: {e}"));
            return Err(tls_error.clone());
        }
    }
    Ok(BufReader::new(tls))
}

fn send_tls(reader: &mut TlsReader, raw: &str) {
    reader.get_mut().write_all(raw.as_bytes()).expect("write");
}

fn get_request(target: &str, close: bool) -> String {
    format!(
        "GET {target} HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: {TOKEN}\r\n{}\r\n",
        if close { "Connection: close\r\n" } else { "" }
    )
}

/// A GET of the API with the token on a fresh TLS connection.
fn https_get(
    standin: &Standin,
    config: &Arc<ClientConfig>,
    server_name: &str,
    target: &str,
) -> Result<RawResponse, rustls::Error> {
    let mut conn = tls_connect(standin, config, server_name)?;
    send_tls(&mut conn, &get_request(target, true));
    Ok(read_response(&mut conn).expect("response"))
}

fn assert_ok_body(response: &RawResponse) {
    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    assert_eq!(body["cc_email_info"]["user_id"], data::USER_ID);
    assert_eq!(body["cc_email_info"]["customer_id"], data::CUSTOMER_ID);
    assert_eq!(body["cc_email_info"]["cc_email"], data::CC_EMAIL);
    assert_eq!(body["mc_email_infos"], serde_json::json!(data::ADDRESSES));
}

pub(crate) fn localhost_identity(ca: &TestCa) -> TlsIdentity {
    ca.server_identity(&["localhost", "127.0.0.1"])
}

fn start(identity: TlsIdentity) -> Standin {
    Standin::start_tls(StandinConfig::default(), identity).expect("start_tls")
}

#[test]
fn ca_issued_certificate_is_trusted_by_ip_and_by_name() {
    let ca = TestCa::new();
    let standin = start(localhost_identity(&ca));
    let client = trusting(&ca.ca_pem());

    for name in ["127.0.0.1", "localhost"] {
        let response = https_get(&standin, &client, name, API)
            .unwrap_or_else(|e| panic!("handshake as {name}: {e}"));
        assert_ok_body(&response);
    }
    let recorded = standin.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].target, API);
    assert_eq!(recorded[0].header("x-auth-token"), Some(TOKEN));
    assert_eq!(standin.tls_handshakes_failed(), 0);
    assert_eq!(standin.connections_accepted(), 2);
}

#[test]
fn the_token_is_still_checked_over_tls() {
    let ca = TestCa::new();
    let standin = start(localhost_identity(&ca));
    let mut conn = tls_connect(&standin, &trusting(&ca.ca_pem()), "localhost").unwrap();
    send_tls(
        &mut conn,
        &format!("GET {API} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(read_response(&mut conn).unwrap().status, 401);
}

#[test]
fn tls_1_2_and_1_3_are_both_served_with_http_1_1_alpn() {
    let ca = TestCa::new();
    let standin = start(localhost_identity(&ca));
    for (version, expected) in [
        (&rustls::version::TLS12, ProtocolVersion::TLSv1_2),
        (&rustls::version::TLS13, ProtocolVersion::TLSv1_3),
    ] {
        let client = client_config(&ca.ca_pem(), &[version]);
        let mut conn = tls_connect(&standin, &client, "localhost").unwrap();
        let session = &conn.get_ref().conn;
        assert_eq!(session.protocol_version(), Some(expected));
        assert_eq!(session.alpn_protocol(), Some(&b"http/1.1"[..]));
        send_tls(&mut conn, &get_request(API, true));
        assert_ok_body(&read_response(&mut conn).unwrap());
    }
}

#[test]
fn keep_alive_and_clean_close_over_tls() {
    let ca = TestCa::new();
    let standin = start(localhost_identity(&ca));
    let mut conn = tls_connect(&standin, &trusting(&ca.ca_pem()), "localhost").unwrap();

    send_tls(&mut conn, &get_request(API, false));
    assert_ok_body(&read_response(&mut conn).unwrap());
    // Pipelined, the second asking to close.
    send_tls(
        &mut conn,
        &(get_request(&scenario_target("null"), false) + &get_request(API, true)),
    );
    assert_eq!(read_response(&mut conn).unwrap().status, 200);
    let last = read_response(&mut conn).unwrap();
    assert_ok_body(&last);
    assert_eq!(last.header("connection"), Some("close"));
    // close_notify, then EOF: a clean end, not a truncation error.
    let mut rest = Vec::new();
    assert_eq!(conn.read_to_end(&mut rest).expect("clean TLS close"), 0);

    assert_eq!(standin.connections_accepted(), 1);
    assert_eq!(standin.requests().len(), 3);
}

#[test]
fn large_bodies_cross_many_tls_records() {
    let ca = TestCa::new();
    let standin = start(localhost_identity(&ca));
    let response = https_get(
        &standin,
        &trusting(&ca.ca_pem()),
        "localhost",
        &scenario_target("huge"),
    )
    .unwrap();
    assert_eq!(response.status, 200);
    assert!(response.body.len() > data::HUGE_PADDING_BYTES);
    response.json();
}

#[test]
fn self_signed_certificate_is_rejected_and_the_server_keeps_serving() {
    let ca = TestCa::new();
    let identity = TlsIdentity::self_signed(&["localhost", "127.0.0.1"]);
    let pinned = identity.cert_chain_pem.clone();
    let standin = start(identity);

    for name in ["localhost", "127.0.0.1"] {
        let err = https_get(&standin, &trusting(&ca.ca_pem()), name, API).unwrap_err();
        assert_eq!(
            err,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
            "as {name}"
        );
    }
    assert_eq!(standin.wait_tls_handshakes_failed(2, WAIT), 2);
    assert!(standin.requests().is_empty());

    // A client that pins this very certificate is served as usual.
    let response = https_get(&standin, &trusting(&pinned), "localhost", API).unwrap();
    assert_ok_body(&response);
    assert_eq!(standin.tls_handshakes_failed(), 2);
    assert_eq!(standin.requests().len(), 1);
}

#[test]
fn ca_issued_certificate_from_another_ca_is_rejected() {
    let standin = start(localhost_identity(&TestCa::new()));
    let err = https_get(
        &standin,
        &trusting(&TestCa::new().ca_pem()),
        "localhost",
        API,
    )
    .unwrap_err();
    assert_eq!(
        err,
        rustls::Error::InvalidCertificate(CertificateError::BadSignature),
        "same subject, different key"
    );
    assert_eq!(standin.wait_tls_handshakes_failed(1, WAIT), 1);
}

fn assert_wrong_name(err: &rustls::Error) {
    assert!(
        matches!(
            err,
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        ),
        "{err:?}"
    );
}

#[test]
fn names_not_in_the_certificate_are_rejected() {
    let ca = TestCa::new();
    let standin = start(localhost_identity(&ca));
    let client = trusting(&ca.ca_pem());

    assert_wrong_name(&https_get(&standin, &client, "other.example", API).unwrap_err());
    // IP addresses are matched against the IP SANs too.
    assert_wrong_name(&https_get(&standin, &client, "127.0.0.2", API).unwrap_err());
    assert_eq!(standin.wait_tls_handshakes_failed(2, WAIT), 2);
    assert!(standin.requests().is_empty());
}

#[test]
fn ip_addresses_go_into_ip_sans_only() {
    let ca = TestCa::new();
    let client = trusting(&ca.ca_pem());
    // Only a DNS name: connecting by IP must fail...
    let by_name = start(ca.server_identity(&["localhost"]));
    assert_wrong_name(&https_get(&by_name, &client, "127.0.0.1", API).unwrap_err());
    // ...and only an IP: connecting by name must fail, by IP succeed.
    let by_ip = start(ca.server_identity(&["127.0.0.1"]));
    assert_wrong_name(&https_get(&by_ip, &client, "localhost", API).unwrap_err());
    assert_ok_body(&https_get(&by_ip, &client, "127.0.0.1", API).unwrap());
}

#[test]
fn silent_and_plaintext_clients_do_not_block_others() {
    let ca = TestCa::new();
    let standin = start(localhost_identity(&ca));

    // Connects and never says anything: its handshake waits on its own thread.
    let _silent = TcpStream::connect(("127.0.0.1", standin.port())).unwrap();
    // Speaks plain HTTP to the HTTPS port: answered with a TLS alert or a close.
    let mut plain = connect(&standin);
    send(&mut plain, get_request(API, true).as_bytes());
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/"), "{answer:?}");

    let started = Instant::now();
    let response = https_get(&standin, &trusting(&ca.ca_pem()), "localhost", API).unwrap();
    assert_ok_body(&response);
    // Well under the 5 s read timeout the silent client's handshake waits for.
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // The plaintext client for sure; the silent one only once it timed out.
    let failed = standin.wait_tls_handshakes_failed(1, WAIT);
    assert!((1..=2).contains(&failed), "{failed}");
    assert_eq!(standin.requests().len(), 1);
}

#[test]
fn urls_use_the_https_scheme() {
    let ca = TestCa::new();
    let standin = start(localhost_identity(&ca));
    let port = standin.port();
    assert!(standin.is_tls());
    assert!(standin.base_url().starts_with("https://"));
    assert_eq!(standin.base_url(), format!("https://127.0.0.1:{port}"));
    assert_eq!(
        standin.base_url_with_host("localhost"),
        format!("https://localhost:{port}")
    );
    assert_eq!(
        standin.scenario_url("null"),
        format!("https://127.0.0.1:{port}/scenario/null")
    );

    let plain = Standin::start(StandinConfig::default()).unwrap();
    assert!(!plain.is_tls());
    assert_eq!(
        plain.base_url_with_host("localhost"),
        format!("http://localhost:{}", plain.port())
    );
    assert_eq!(
        plain.base_url_with_host("::1"),
        format!("http://[::1]:{}", plain.port())
    );
    assert_eq!(plain.tls_handshakes_failed(), 0);
}

#[test]
fn ca_pem_is_written_and_parses() {
    let ca = TestCa::new();
    let path = std::env::temp_dir().join(format!(
        "osm-standin-ca-{}-{:?}.pem",
        std::process::id(),
        std::thread::current().id()
    ));
    ca.write_ca_pem(&path).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(written, ca.ca_pem());
    let certs: Vec<_> = CertificateDer::pem_slice_iter(written.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(certs.len(), 1);
}

#[test]
fn unloadable_identity_fails_to_start() {
    let mut identity = TlsIdentity::self_signed(&["localhost"]);
    identity.key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".into();
    let err = Standin::start_tls(StandinConfig::default(), identity).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}
