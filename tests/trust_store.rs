//! The trust store: bundled Mozilla roots by default, the system's PEM
//! bundle on request (found through `SSL_CERT_FILE` or the usual paths).
//! The system bundle is faked with `SSL_CERT_FILE` in child processes
//! running the C example, so this process's environment is left alone.

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use common::*;
use osm_standin::tls::TestCa;
use osm_standin::{data, Standin};
use tcc::ffi::*;
use tcc::trust::SYSTEM_BUNDLES;

/// A TLS stand-in whose certificate comes from a fresh test CA, and a
/// "system bundle" that is the machine's own (if any) plus that CA.
fn server_and_bundle(name: &str) -> (Standin, PathBuf, TestCa) {
    let ca = TestCa::new();
    let server = Standin::start_tls(standin_config(), ca.server_identity(&["127.0.0.1"])).unwrap();
    let mut bundle = SYSTEM_BUNDLES
        .iter()
        .find_map(|p| fs::read_to_string(p).ok())
        .unwrap_or_default();
    if !bundle.is_empty() && !bundle.ends_with('\n') {
        bundle.push('\n');
    }
    bundle.push_str(&ca.ca_pem());
    let path = scratch_dir("trust-store").join(name);
    fs::write(&path, bundle).unwrap();
    (server, path, ca)
}

fn example(endpoint: &str, vars: &[(&str, &str)]) -> Run {
    let mut command: Command = clean_command(example_program());
    command.env_remove("SSL_CERT_FILE");
    for name in ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
        command.env_remove(name);
    }
    command
        .env("TCC_ENDPOINT", endpoint)
        .env("TCC_TOKEN", TOKEN);
    for (name, value) in vars {
        command.env(name, value);
    }
    run(command)
}

#[test]
fn the_system_store_trusts_what_the_system_bundle_holds() {
    let (server, bundle, _ca) = server_and_bundle("system.pem");
    let bundle = bundle.to_str().unwrap();
    let out = example(
        &server.base_url(),
        &[("TCC_TRUST_STORE", "system"), ("SSL_CERT_FILE", bundle)],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.contains(data::ADDRESSES[0]), "{}", out.stdout);
    assert_eq!(osm_requests(&server).len(), 1);
}

#[test]
fn the_bundled_store_ignores_the_system_bundle() {
    let (server, bundle, _ca) = server_and_bundle("ignored.pem");
    let bundle = bundle.to_str().unwrap();
    for store in [None, Some("bundled")] {
        let mut vars = vec![("SSL_CERT_FILE", bundle)];
        vars.extend(store.map(|s| ("TCC_TRUST_STORE", s)));
        let out = example(&server.base_url(), &vars);
        assert_eq!(out.status, 1, "{store:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("TLS failure"),
            "{store:?}: {}",
            out.stderr
        );
    }
    // Nothing was ever sent to it.
    assert!(osm_requests(&server).is_empty());
}

#[test]
fn an_unreadable_ssl_cert_file_is_a_configuration_error() {
    let missing = scratch_dir("trust-store").join("missing.pem");
    let missing = missing.to_str().unwrap();
    let out = example(
        "https://127.0.0.1:1",
        &[("TCC_TRUST_STORE", "system"), ("SSL_CERT_FILE", missing)],
    );
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("cannot read system CA bundle {missing}")),
        "{}",
        out.stderr
    );
    let out = example("https://127.0.0.1:1", &[("TCC_TRUST_STORE", "nss")]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("TCC_TRUST_STORE: must be `bundled` or `system`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_ca_file_takes_precedence_over_the_store() {
    let (server, bundle, ca) = server_and_bundle("precedence.pem");
    let ca_file = scratch_dir("trust-store").join("ca-only.pem");
    ca.write_ca_pem(&ca_file).unwrap();
    // The system store would trust it too, but the other CA file wins.
    let other = TestCa::new();
    let other_file = scratch_dir("trust-store").join("other-ca.pem");
    other.write_ca_pem(&other_file).unwrap();
    let out = example(
        &server.base_url(),
        &[
            ("TCC_TRUST_STORE", "system"),
            ("SSL_CERT_FILE", bundle.to_str().unwrap()),
            ("TCC_CA_FILE", other_file.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains("TLS failure"), "{}", out.stderr);
    let out = example(
        &server.base_url(),
        &[("TCC_CA_FILE", ca_file.to_str().unwrap())],
    );
    assert_eq!(out.status, 0, "{}", out.stderr);
}

#[test]
fn the_trust_store_setter_takes_only_the_two_stores() {
    let opts = options_for("https://127.0.0.1:1");
    unsafe {
        for bad in [0, 3, u32::MAX] {
            assert_eq!(
                tcc_options_set_trust_store(opts, bad),
                TCC_ERR_INVALID_ARGUMENT
            );
            assert_eq!(
                last_error().message,
                "trust store must be TCC_TRUST_BUNDLED or TCC_TRUST_SYSTEM"
            );
        }
        ok(tcc_options_set_trust_store(opts, TCC_TRUST_SYSTEM));
        ok(tcc_options_set_trust_store(opts, TCC_TRUST_BUNDLED));
        assert_eq!(
            tcc_options_set_trust_store(std::ptr::null_mut(), TCC_TRUST_BUNDLED),
            TCC_ERR_INVALID_ARGUMENT
        );
        tcc_options_free(opts);
    }
}
