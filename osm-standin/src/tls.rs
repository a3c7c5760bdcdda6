//! Certificates for the HTTPS stand-in, generated in memory: a throwaway CA,
//! server certificates it issues, and self-signed ones no client trusts.
//!
//! Everything here is for tests: failures to generate a certificate panic.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Common name of every [`TestCa`].
pub const CA_COMMON_NAME: &str = "tcc test CA";

/// A throwaway certificate authority, generated in memory.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    /// A self-signed CA ("tcc test CA") with a fresh ECDSA P-256 key.
    pub fn new() -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.distinguished_name = common_name(CA_COMMON_NAME);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("CA key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("CA certificate");
        TestCa { issuer }
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes [`TestCa::ca_pem`] to `path` (e.g. for a client's CA-file option).
    pub fn write_ca_pem(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.ca_pem())
    }

    /// A server certificate signed by this CA for the given DNS names and/or
    /// IP addresses (e.g. `&["localhost", "127.0.0.1"]`): IP addresses go into
    /// IP SANs, everything else into DNS SANs. The first name is also the
    /// subject's common name.
    ///
    /// Panics if a name is not a valid DNS name (IA5 string) or `names` is empty.
    pub fn server_identity(&self, names: &[&str]) -> TlsIdentity {
        let params = server_params(names);
        let key = KeyPair::generate().expect("server key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("server certificate");
        TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

impl Default for TestCa {
    /// Same as [`TestCa::new`]: a fresh CA.
    fn default() -> Self {
        TestCa::new()
    }
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

/// A server's certificate chain (leaf first) and private key, both PEM.
#[derive(Clone)]
pub struct TlsIdentity {
    pub cert_chain_pem: String,
    pub key_pem: String,
}

impl TlsIdentity {
    /// A self-signed server certificate, not issued by any CA the client
    /// knows. Same names rule as [`TestCa::server_identity`].
    pub fn self_signed(names: &[&str]) -> TlsIdentity {
        let params = server_params(names);
        let key = KeyPair::generate().expect("server key");
        let cert = params.self_signed(&key).expect("self-signed certificate");
        TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// The rustls server configuration serving this identity: TLS 1.2 and
    /// 1.3, ring provider (never the process-wide default), ALPN `http/1.1`.
    pub(crate) fn server_config(&self) -> io::Result<Arc<rustls::ServerConfig>> {
        let invalid = |what: &str, e: &dyn std::fmt::Display| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {e}"))
        };
        let chain = CertificateDer::pem_slice_iter(self.cert_chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid("certificate chain PEM", &e))?;
        if chain.is_empty() {
            return Err(invalid("certificate chain PEM", &"no certificate"));
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|e| invalid("private key PEM", &e))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid("TLS versions", &e))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| invalid("certificate/key", &e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

// Hand-written so private keys never end up in test logs.
impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("cert_chain_pem", &self.cert_chain_pem)
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

fn common_name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}

fn server_params(names: &[&str]) -> CertificateParams {
    assert!(!names.is_empty(), "a server certificate needs a name");
    // rcgen puts names that parse as IP addresses into IP SANs, the rest into DNS SANs.
    let sans: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let mut params = CertificateParams::new(sans)
        .unwrap_or_else(|e| panic!("invalid server name in {names:?}: {e}"));
    params.distinguished_name = common_name(names[0]);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_load_into_a_server_config() {
        let ca = TestCa::new();
        assert!(ca.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        let issued = ca.server_identity(&["localhost", "127.0.0.1", "::1"]);
        assert!(issued.key_pem.contains("PRIVATE KEY"));
        issued.server_config().unwrap();
        TlsIdentity::self_signed(&["localhost"])
            .server_config()
            .unwrap();
    }

    #[test]
    fn each_ca_is_fresh() {
        assert_ne!(TestCa::new().ca_pem(), TestCa::new().ca_pem());
    }

    #[test]
    fn broken_pem_is_an_error_not_a_panic() {
        let mut id = TlsIdentity::self_signed(&["localhost"]);
        id.key_pem = "not a key".to_owned();
        assert_eq!(
            id.server_config().unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        let mut id = TlsIdentity::self_signed(&["localhost"]);
        id.cert_chain_pem.clear();
        assert!(id.server_config().is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        let id = TlsIdentity::self_signed(&["localhost"]);
        let shown = format!("{id:?}");
        assert!(!shown.contains(id.key_pem.trim()));
        assert!(shown.contains("<redacted>"));
    }
}
