//! AK/SK request signing at work: each request gets `X-Sdk-Date` (now, UTC)
//! and an `Authorization` signature over every header it carries.

use std::time::SystemTime;

use ureq::http::{HeaderName, HeaderValue};

use crate::credentials::AkSk;
use crate::endpoint::Target;
use crate::error::{Error, ErrorKind};
use crate::secret::Secret;
use crate::signing::{self, SigningKey, SigningRequest};

const X_SDK_DATE: HeaderName = HeaderName::from_static("x-sdk-date");
const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");

/// An access key ready to sign. Built once per client: the HMAC key state
/// and the header values that never change (the security token) are made
/// here, not per call.
pub(crate) struct Signer {
    ak: String,
    key: SigningKey,
    security_token: Option<HeaderValue>,
}

impl Signer {
    pub fn new(credentials: &AkSk) -> Result<Self, Error> {
        Ok(Signer {
            ak: credentials.ak.clone(),
            key: SigningKey::new(credentials.sk.expose().as_bytes()),
            security_token: credentials
                .security_token
                .as_ref()
                .map(Secret::header_value)
                .transpose()?,
        })
    }

    /// Completes a GET: appends `X-Security-Token` (temporary keys), then
    /// `X-Sdk-Date` for `now` and the `Authorization` that signs every
    /// header in `headers` (which must already hold all others, `Host` and
    /// `User-Agent` included, exactly as they will be sent).
    pub fn sign_get(
        &self,
        target: &Target,
        headers: &mut Vec<(HeaderName, HeaderValue)>,
        now: SystemTime,
    ) -> Result<(), Error> {
        if let Some(token) = &self.security_token {
            headers.push((X_SECURITY_TOKEN, token.clone()));
        }
        let date = signing::sdk_date(now);
        headers.push((X_SDK_DATE, HeaderValue::from_str(&date).map_err(bug)?));

        let mut signed: Vec<(&str, &str)> = Vec::with_capacity(headers.len());
        for (name, value) in headers.iter() {
            signed.push((name.as_str(), value.to_str().map_err(bug)?));
        }
        let query: Vec<(&str, &str)> = target
            .query
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let request = SigningRequest {
            method: "GET",
            path: &target.path,
            query: &query,
            headers: &signed,
            body: b"",
        };
        let authorization = signing::authorization_at(
            &self.ak,
            &self.key,
            &date,
            &target.signing_resource,
            &request,
        );
        // The signature is no secret (it is good for this request only), but
        // marking it keeps it out of Debug output all the same.
        let mut authorization = HeaderValue::from_str(&authorization).map_err(bug)?;
        authorization.set_sensitive(true);
        headers.push((ureq::http::header::AUTHORIZATION, authorization));
        Ok(())
    }
}

/// Every header value was validated as printable ASCII when it was set.
fn bug(_: impl std::error::Error) -> Error {
    Error::new(
        ErrorKind::Internal,
        "internal error: a signed header is not printable ASCII; please report it",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::endpoint::Endpoint;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn signs_every_header_it_sends() {
        let mut aksk = Credentials::aksk("AKEY", "sk-SECRET").unwrap();
        aksk.set_security_token("st-SECRET").unwrap();
        let signer = Signer::new(&aksk).unwrap();
        let target = Endpoint::parse("http://127.0.0.1:8080/p")
            .unwrap()
            .target("/v2/x")
            .unwrap();
        let mut headers = vec![
            (ureq::http::header::HOST, target.host_header.clone()),
            (
                HeaderName::from_static("x-domain-id"),
                HeaderValue::from_static("dom"),
            ),
        ];
        let now = UNIX_EPOCH + Duration::from_secs(1_709_208_000);
        signer.sign_get(&target, &mut headers, now).unwrap();
        let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "host",
                "x-domain-id",
                "x-security-token",
                "x-sdk-date",
                "authorization"
            ]
        );
        assert_eq!(headers[3].1, "20240229T120000Z");
        let auth = headers[4].1.to_str().unwrap();
        assert!(
            auth.starts_with(
                "SDK-HMAC-SHA256 Access=AKEY, SignedHeaders=host;x-domain-id;x-sdk-date;x-security-token, Signature="
            ),
            "{auth}"
        );
        // The same inputs through the signer module directly.
        let expected = signing::authorization(
            "AKEY",
            b"sk-SECRET",
            "20240229T120000Z",
            &SigningRequest {
                method: "GET",
                path: "/p/v2/x",
                query: &[],
                headers: &[
                    ("host", "127.0.0.1:8080"),
                    ("x-domain-id", "dom"),
                    ("x-security-token", "st-SECRET"),
                    ("x-sdk-date", "20240229T120000Z"),
                ],
                body: b"",
            },
        );
        assert_eq!(auth, expected);
        assert!(!format!("{headers:?}").contains("SECRET"));
    }
}
