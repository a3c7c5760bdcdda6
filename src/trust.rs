//! Which certificate authorities an HTTPS server's certificate is checked
//! against. Verification itself can never be turned off.
//!
//! - Bundled (default): the Mozilla root set compiled into tcc
//!   (webpki-roots): the same everywhere, independent of the machine.
//! - System: the PEM bundle the operating system maintains, found the way
//!   OpenSSL-based tools find it: `SSL_CERT_FILE`, else the first of the
//!   usual Linux/BSD paths that exists. It is read when the client is
//!   created. (ureq's "platform verifier" would need another crate and its
//!   platform code; a PEM file covers Linux, the BSDs and macOS's
//!   `/etc/ssl/cert.pem`, and keeps every platform on one code path.)
//! - A CA file (`set_ca_file`), when set, is the only trust anchor: private
//!   CAs, or pinning a bundle. The store choice is then ignored.
//!
//! Protocol versions: rustls implements only TLS 1.2 and 1.3, and tcc
//! never enables anything else, so older protocols cannot be negotiated.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use ureq::tls::{parse_pem, Certificate, PemItem, RootCerts, TlsConfig};

use crate::config::ClientOptions;
use crate::error::{Error, ErrorKind};

/// Where the trusted root certificates come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TrustStore {
    /// The Mozilla roots bundled in tcc.
    #[default]
    Bundled,
    /// The operating system's PEM bundle (`SSL_CERT_FILE` or a usual path).
    System,
}

/// Environment variable naming the system bundle, as OpenSSL reads it.
pub const SSL_CERT_FILE: &str = "SSL_CERT_FILE";

/// Where distributions keep their bundle, most common first.
pub const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch, Gentoo, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL, CentOS
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // RHEL 7+, CentOS 7+
    "/etc/ssl/ca-bundle.pem",             // openSUSE, SLES
    "/etc/pki/tls/cacert.pem",            // OpenELEC
    "/etc/ssl/cert.pem",                  // Alpine, macOS, the BSDs
];

/// The TLS settings for a client's options. Reads the CA file or the
/// system bundle if the options ask for one.
pub(crate) fn tls_config(options: &ClientOptions) -> Result<TlsConfig, Error> {
    tls_config_with(options, |name| std::env::var_os(name))
}

fn tls_config_with(
    options: &ClientOptions,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<TlsConfig, Error> {
    let builder = TlsConfig::builder();
    let certs = match (&options.ca_file, options.trust_store) {
        (Some(path), _) => read_certs(path, "CA file")?,
        (None, TrustStore::System) => {
            let path = system_bundle(env)?;
            read_certs(&path, "system CA bundle")?
        }
        (None, TrustStore::Bundled) => return Ok(builder.build()),
    };
    Ok(builder
        .root_certs(RootCerts::new_with_certs(&certs))
        .build())
}

/// The system bundle's path: `SSL_CERT_FILE` if set (even if unreadable,
/// which then fails: the user asked for that file), else the first usual
/// path that exists.
fn system_bundle(env: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, Error> {
    if let Some(path) = env(SSL_CERT_FILE).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    SYSTEM_BUNDLES
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                format!(
                    "no system CA bundle found: set {SSL_CERT_FILE}, or use a CA file or the bundled roots"
                ),
            )
        })
}

fn read_certs(path: &Path, what: &str) -> Result<Vec<Certificate<'static>>, Error> {
    let shown = path.display();
    let pem = fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::Config,
            format!("cannot read {what} {shown}: {e}"),
        )
    })?;
    let mut certs = Vec::new();
    for item in parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => {
                return Err(Error::new(
                    ErrorKind::Config,
                    format!("{what} {shown} is not valid PEM: {e}"),
                ))
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::new(
            ErrorKind::Config,
            format!("{what} {shown} holds no PEM certificate"),
        ));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustls_offers_only_tls_1_2_and_1_3() {
        let versions: Vec<_> = rustls::ALL_VERSIONS.iter().map(|v| v.version).collect();
        assert_eq!(
            versions,
            [
                rustls::ProtocolVersion::TLSv1_3,
                rustls::ProtocolVersion::TLSv1_2
            ]
        );
    }

    #[test]
    fn system_store_follows_ssl_cert_file() {
        let mut options = ClientOptions::new();
        options.set_trust_store(TrustStore::System);
        let missing = "/nonexistent/tcc-test-bundle.pem";
        let err = tls_config_with(&options, |name| {
            (name == SSL_CERT_FILE).then(|| OsString::from(missing))
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message()
                .starts_with(&format!("cannot read system CA bundle {missing}")),
            "{err}"
        );
        // A CA file wins over the store: the missing bundle is never read.
        options.set_ca_file(missing).unwrap();
        let err = tls_config_with(&options, |_| None).unwrap_err();
        assert!(err.message().starts_with("cannot read CA file"), "{err}");
    }

    #[test]
    fn bundled_store_reads_nothing() {
        let options = ClientOptions::new();
        let config = tls_config_with(&options, |_| panic!("no variable is read")).unwrap();
        assert!(matches!(config.root_certs(), RootCerts::WebPki));
    }
}
