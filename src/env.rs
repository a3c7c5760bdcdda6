//! Options from the environment: the official SDKs' variable names for
//! AK/SK credentials and the IAM endpoint, tcc's own `TCC_*` names for the
//! rest.
//!
//! Credentials, first match wins (as in the SDKs, AK/SK comes first):
//! 1. AK/SK, if `HUAWEICLOUD_SDK_AK` or `HUAWEICLOUD_SDK_SK` is set (then
//!    both must be), with the optional `HUAWEICLOUD_SDK_DOMAIN_ID` and
//!    `HUAWEICLOUD_SDK_SECURITY_TOKEN`;
//! 2. an IAM user's password, if any `TCC_IAM_*` is set (then all three:
//!    `TCC_IAM_USER`, `TCC_IAM_PASSWORD`, `TCC_IAM_DOMAIN`);
//! 3. `TCC_TOKEN`.
//!
//! Optional, besides: `HUAWEICLOUD_SDK_IAM_ENDPOINT`, `TCC_LANGUAGE`,
//! `TCC_TIME_ZONE`, `TCC_SITE`, `TCC_CA_FILE`, `TCC_TRUST_STORE`
//! (`bundled` or `system`), `TCC_CONNECT_TIMEOUT_MS`, `TCC_TIMEOUT_MS`,
//! `TCC_STALL_TIMEOUT_MS`, `TCC_MAX_ATTEMPTS`, `TCC_MAX_REDIRECTS` (whole
//! numbers, each checked as its setter checks it) and `TCC_PROXY` (an
//! explicit proxy; the standard proxy variables apply without it, when the
//! client is created).
//!
//! Variables of a mode that is not chosen are ignored. An empty variable
//! counts as unset, as in the SDKs. Every error message starts with the
//! name of the variable at fault and `": "`; a missing piece is
//! `ErrorKind::Config`, a bad value `ErrorKind::InvalidArgument` (the same
//! kind as the corresponding setter gives).

use std::ffi::OsString;

use zeroize::Zeroizing;

use crate::config::ClientOptions;
use crate::credentials::{self, check_ak, check_sk};
use crate::error::{Error, ErrorKind};
use crate::trust::TrustStore;

pub const AK: &str = "HUAWEICLOUD_SDK_AK";
pub const SK: &str = "HUAWEICLOUD_SDK_SK";
pub const DOMAIN_ID: &str = "HUAWEICLOUD_SDK_DOMAIN_ID";
pub const SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
pub const IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
pub const ENDPOINT: &str = "TCC_ENDPOINT";
pub const REGION: &str = "TCC_REGION";
pub const TOKEN: &str = "TCC_TOKEN";
pub const IAM_USER: &str = "TCC_IAM_USER";
pub const IAM_PASSWORD: &str = "TCC_IAM_PASSWORD";
pub const IAM_DOMAIN: &str = "TCC_IAM_DOMAIN";
pub const LANGUAGE: &str = "TCC_LANGUAGE";
pub const TIME_ZONE: &str = "TCC_TIME_ZONE";
pub const SITE: &str = "TCC_SITE";
pub const CA_FILE: &str = "TCC_CA_FILE";
pub const TRUST_STORE: &str = "TCC_TRUST_STORE";
pub const CONNECT_TIMEOUT_MS: &str = "TCC_CONNECT_TIMEOUT_MS";
pub const TIMEOUT_MS: &str = "TCC_TIMEOUT_MS";
pub const STALL_TIMEOUT_MS: &str = "TCC_STALL_TIMEOUT_MS";
pub const MAX_ATTEMPTS: &str = "TCC_MAX_ATTEMPTS";
pub const MAX_REDIRECTS: &str = "TCC_MAX_REDIRECTS";
pub const PROXY: &str = "TCC_PROXY";

/// Every variable read, in the order they are documented.
pub const ALL: &[&str] = &[
    AK,
    SK,
    DOMAIN_ID,
    SECURITY_TOKEN,
    IAM_ENDPOINT,
    ENDPOINT,
    REGION,
    TOKEN,
    IAM_USER,
    IAM_PASSWORD,
    IAM_DOMAIN,
    LANGUAGE,
    TIME_ZONE,
    SITE,
    CA_FILE,
    TRUST_STORE,
    CONNECT_TIMEOUT_MS,
    TIMEOUT_MS,
    STALL_TIMEOUT_MS,
    MAX_ATTEMPTS,
    MAX_REDIRECTS,
    PROXY,
];

const HOW_TO_AUTHENTICATE: &str = "set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, \
     or TCC_IAM_USER, TCC_IAM_PASSWORD and TCC_IAM_DOMAIN, or TCC_TOKEN";

impl ClientOptions {
    /// Options from the process environment (see the module docs of
    /// `tcc::env` for the variables and their precedence). The result has
    /// an endpoint and credentials; change anything with the setters.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(|name| std::env::var_os(name))
    }

    /// [`ClientOptions::from_env`] with `lookup` in place of the process
    /// environment (for tests, or configuration kept elsewhere).
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Self, Error> {
        let env = Env(lookup);
        let mut options = ClientOptions::new();

        let region = env.get(REGION)?;
        let endpoint = env.get(ENDPOINT)?;
        if region.is_none() && endpoint.is_none() {
            let also = if env.any_credentials()? {
                String::new()
            } else {
                format!("; credentials are missing too: {HOW_TO_AUTHENTICATE}")
            };
            return Err(missing(
                ENDPOINT,
                &format!("not set, nor TCC_REGION: set one of them{also}"),
            ));
        }
        // Both set: the endpoint is the more specific, so it wins.
        if let Some(region) = &region {
            options.set_region(region).map_err(at(REGION))?;
        }
        if let Some(endpoint) = &endpoint {
            options.set_endpoint(endpoint).map_err(at(ENDPOINT))?;
        }

        env.credentials(&mut options)?;

        if let Some(url) = env.get(IAM_ENDPOINT)? {
            options.set_iam_endpoint(&url).map_err(at(IAM_ENDPOINT))?;
        }
        if let Some(language) = env.get(LANGUAGE)? {
            options.set_language(&language).map_err(at(LANGUAGE))?;
        }
        if let Some(time_zone) = env.get(TIME_ZONE)? {
            options.set_time_zone(&time_zone).map_err(at(TIME_ZONE))?;
        }
        if let Some(site) = env.get(SITE)? {
            let code = match site.as_str() {
                "0" => 0,
                "1" => 1,
                _ => -1,
            };
            options.set_site(code).map_err(at(SITE))?;
        }
        if let Some(path) = env.get(CA_FILE)? {
            options.set_ca_file(&path).map_err(at(CA_FILE))?;
        }
        if let Some(store) = env.get(TRUST_STORE)? {
            let store = match store.as_str() {
                "bundled" => TrustStore::Bundled,
                "system" => TrustStore::System,
                _ => {
                    return Err(Error::invalid_argument(format!(
                        "{TRUST_STORE}: must be `bundled` or `system`"
                    )))
                }
            };
            options.set_trust_store(store);
        }
        if let Some(ms) = env.number(CONNECT_TIMEOUT_MS)? {
            options
                .set_connect_timeout_ms(ms)
                .map_err(at(CONNECT_TIMEOUT_MS))?;
        }
        if let Some(ms) = env.number(TIMEOUT_MS)? {
            options.set_timeout_ms(ms).map_err(at(TIMEOUT_MS))?;
        }
        if let Some(ms) = env.number(STALL_TIMEOUT_MS)? {
            options
                .set_stall_timeout_ms(ms)
                .map_err(at(STALL_TIMEOUT_MS))?;
        }
        if let Some(n) = env.number(MAX_ATTEMPTS)? {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            options.set_max_attempts(n).map_err(at(MAX_ATTEMPTS))?;
        }
        if let Some(n) = env.number(MAX_REDIRECTS)? {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            options.set_max_redirects(n).map_err(at(MAX_REDIRECTS))?;
        }
        if let Some(url) = env.get(PROXY)? {
            options.set_proxy(&url).map_err(at(PROXY))?;
        }
        Ok(options)
    }
}

struct Env<F>(F);

impl<F: Fn(&str) -> Option<OsString>> Env<F> {
    /// The value of `name`; `None` when unset or empty. Held in a buffer
    /// that is wiped on drop, since it may be a credential.
    fn get(&self, name: &str) -> Result<Option<Zeroizing<String>>, Error> {
        match (self.0)(name) {
            None => Ok(None),
            Some(value) if value.is_empty() => Ok(None),
            Some(value) => value
                .into_string()
                .map(|s| Some(Zeroizing::new(s)))
                .map_err(|raw| {
                    // Wipe the raw bytes as well before reporting.
                    let _wiped = Zeroizing::new(raw.into_encoded_bytes());
                    Error::invalid_argument(format!("{name}: not valid UTF-8"))
                }),
        }
    }

    /// A whole decimal number, for a count or milliseconds; a number too
    /// large for `u64` saturates (and is then out of any setter's range).
    fn number(&self, name: &str) -> Result<Option<u64>, Error> {
        let Some(text) = self.get(name)? else {
            return Ok(None);
        };
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_argument(format!(
                "{name}: must be a whole decimal number"
            )));
        }
        Ok(Some(text.parse().unwrap_or(u64::MAX)))
    }

    fn is_set(&self, name: &str) -> bool {
        (self.0)(name).is_some_and(|v| !v.is_empty())
    }

    fn any_credentials(&self) -> Result<bool, Error> {
        Ok([AK, SK, IAM_USER, IAM_PASSWORD, IAM_DOMAIN, TOKEN]
            .iter()
            .any(|name| self.is_set(name)))
    }

    fn credentials(&self, options: &mut ClientOptions) -> Result<(), Error> {
        let (ak, sk) = (self.get(AK)?, self.get(SK)?);
        if ak.is_some() || sk.is_some() {
            let (ak, sk) = match (ak, sk) {
                (Some(ak), Some(sk)) => (ak, sk),
                (Some(_), None) => {
                    return Err(missing(
                        SK,
                        "not set, but HUAWEICLOUD_SDK_AK is (AK/SK credentials need both)",
                    ))
                }
                _ => {
                    return Err(missing(
                        AK,
                        "not set, but HUAWEICLOUD_SDK_SK is (AK/SK credentials need both)",
                    ))
                }
            };
            check_ak(&ak).map_err(at(AK))?;
            check_sk(&sk).map_err(at(SK))?;
            options.set_aksk(&ak, &sk)?;
            if let Some(id) = self.get(DOMAIN_ID)? {
                options.set_domain_id(&id).map_err(at(DOMAIN_ID))?;
            }
            if let Some(token) = self.get(SECURITY_TOKEN)? {
                options
                    .set_security_token(&token)
                    .map_err(at(SECURITY_TOKEN))?;
            }
            return Ok(());
        }

        let names = [IAM_USER, IAM_PASSWORD, IAM_DOMAIN];
        let values = [
            self.get(IAM_USER)?,
            self.get(IAM_PASSWORD)?,
            self.get(IAM_DOMAIN)?,
        ];
        if values.iter().any(Option::is_some) {
            let unset: Vec<&str> = names
                .iter()
                .zip(&values)
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| *n)
                .collect();
            if let Some(first_set) = names.iter().zip(&values).find(|(_, v)| v.is_some()) {
                if !unset.is_empty() {
                    return Err(missing(
                        &unset.join(", "),
                        &format!(
                            "not set, but {} is (IAM password credentials need TCC_IAM_USER, TCC_IAM_PASSWORD and TCC_IAM_DOMAIN)",
                            first_set.0
                        ),
                    ));
                }
            }
            let [Some(user), Some(password), Some(domain)] = &values else {
                unreachable!("checked above that all three are set");
            };
            credentials::check_user(user).map_err(at(IAM_USER))?;
            credentials::check_password(password).map_err(at(IAM_PASSWORD))?;
            credentials::check_domain_name(domain).map_err(at(IAM_DOMAIN))?;
            return options.set_password(user, password, domain);
        }

        match self.get(TOKEN)? {
            Some(token) => options.set_token(&token).map_err(at(TOKEN)),
            None => Err(missing(
                TOKEN,
                &format!("not set, nor any other credentials: {HOW_TO_AUTHENTICATE}"),
            )),
        }
    }
}

fn missing(name: &str, what: &str) -> Error {
    Error::new(ErrorKind::Config, format!("{name}: {what}"))
}

/// Names the variable whose value a setter refused; the kind stays.
fn at(name: &'static str) -> impl Fn(Error) -> Error {
    move |e| e.context(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;

    fn from(vars: &[(&str, &str)]) -> Result<ClientOptions, Error> {
        ClientOptions::from_env_with(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    fn err(vars: &[(&str, &str)]) -> Error {
        from(vars).unwrap_err()
    }

    const E: (&str, &str) = (ENDPOINT, "http://127.0.0.1:1");

    #[test]
    fn each_mode_and_its_precedence() {
        let o = from(&[E, (TOKEN, "tok-SECRET")]).unwrap();
        assert!(matches!(o.credentials, Some(Credentials::Token(_))));

        let o = from(&[
            E,
            (IAM_USER, "u"),
            (IAM_PASSWORD, "pw-SECRET"),
            (IAM_DOMAIN, "acct"),
            (TOKEN, "tok-SECRET"),
        ])
        .unwrap();
        assert!(matches!(o.credentials, Some(Credentials::Password(_))));

        let o = from(&[
            E,
            (AK, "AKEY"),
            (SK, "sk-SECRET"),
            (DOMAIN_ID, "dom"),
            (SECURITY_TOKEN, "st-SECRET"),
            (IAM_USER, "u"),
            (TOKEN, "tok-SECRET"),
            (IAM_ENDPOINT, "http://127.0.0.1:2"),
            (LANGUAGE, "en-us"),
            (TIME_ZONE, "GMT+2"),
            (SITE, "1"),
            (CA_FILE, "/tmp/ca.pem"),
            (TRUST_STORE, "system"),
            (CONNECT_TIMEOUT_MS, "1500"),
            (TIMEOUT_MS, "7000"),
            (STALL_TIMEOUT_MS, "2500"),
            (MAX_ATTEMPTS, "5"),
            (MAX_REDIRECTS, "2"),
            (PROXY, "http://u:proxy-SECRET@proxy.corp:3128"),
        ])
        .unwrap();
        assert_eq!(o.trust_store, TrustStore::System);
        assert_eq!(o.connect_timeout.as_millis(), 1500);
        assert_eq!(o.timeout.as_millis(), 7000);
        assert_eq!(o.stall_timeout.as_millis(), 2500);
        assert_eq!((o.max_attempts, o.max_redirects), (5, 2));
        assert!(matches!(o.proxy, crate::proxy::ProxySetting::Explicit(_)));
        let Some(Credentials::AkSk(aksk)) = &o.credentials else {
            panic!("{o:?}")
        };
        assert_eq!(aksk.domain_id.as_deref(), Some("dom"));
        assert_eq!(
            aksk.security_token.as_ref().map(|t| t.expose()),
            Some("st-SECRET")
        );
        assert_eq!(o.iam_endpoint().as_str(), "http://127.0.0.1:2");
        assert_eq!(o.language.as_deref(), Some("en-us"));
        assert_eq!(o.site, Some(crate::config::Site::International));
        assert!(!format!("{o:?}").contains("SECRET"));

        // Region, and an empty variable counts as unset.
        let o = from(&[(REGION, "cn-south-1"), (TOKEN, "t"), (AK, ""), (SITE, "")]).unwrap();
        assert_eq!(
            o.endpoint.unwrap().as_str(),
            "https://osm.cn-south-1.myhuaweicloud.com"
        );
        assert!(matches!(o.credentials, Some(Credentials::Token(_))));
        assert_eq!(o.site, None);
    }

    #[test]
    fn missing_pieces_are_named() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[],
                "TCC_ENDPOINT: not set, nor TCC_REGION: set one of them; credentials are missing too: set HUAWEICLOUD_SDK_AK",
            ),
            (&[(TOKEN, "t")], "TCC_ENDPOINT: not set, nor TCC_REGION: set one of them"),
            (
                &[E],
                "TCC_TOKEN: not set, nor any other credentials: set HUAWEICLOUD_SDK_AK",
            ),
            (
                &[E, (AK, "AKEY")],
                "HUAWEICLOUD_SDK_SK: not set, but HUAWEICLOUD_SDK_AK is",
            ),
            (
                &[E, (SK, "s")],
                "HUAWEICLOUD_SDK_AK: not set, but HUAWEICLOUD_SDK_SK is",
            ),
            (
                &[E, (IAM_USER, "u")],
                "TCC_IAM_PASSWORD, TCC_IAM_DOMAIN: not set, but TCC_IAM_USER is",
            ),
            (
                &[E, (IAM_PASSWORD, "p"), (IAM_USER, "u")],
                "TCC_IAM_DOMAIN: not set, but TCC_IAM_USER is",
            ),
            (
                &[E, (IAM_DOMAIN, "d"), (TOKEN, "t")],
                "TCC_IAM_USER, TCC_IAM_PASSWORD: not set, but TCC_IAM_DOMAIN is",
            ),
        ];
        for (vars, expected) in cases {
            let e = err(vars);
            assert_eq!(e.kind(), ErrorKind::Config, "{vars:?}");
            assert!(e.message().starts_with(expected), "{vars:?}: {e}");
        }
    }

    #[test]
    fn bad_values_are_named_and_never_quoted() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[(ENDPOINT, "ftp://x"), (TOKEN, "t")], "TCC_ENDPOINT: "),
            (&[(REGION, "mars-1"), (TOKEN, "t")], "TCC_REGION: "),
            (&[E, (TOKEN, "t\nSECRET")], "TCC_TOKEN: "),
            (&[E, (AK, "A K"), (SK, "SECRET")], "HUAWEICLOUD_SDK_AK: "),
            (
                &[E, (AK, "AKEY"), (SK, &"SECRET".repeat(200))],
                "HUAWEICLOUD_SDK_SK: ",
            ),
            (
                &[E, (AK, "AKEY"), (SK, "s"), (DOMAIN_ID, "d\r\n")],
                "HUAWEICLOUD_SDK_DOMAIN_ID: ",
            ),
            (
                &[E, (AK, "AKEY"), (SK, "s"), (SECURITY_TOKEN, "SECRET\u{1}")],
                "HUAWEICLOUD_SDK_SECURITY_TOKEN: ",
            ),
            (
                &[E, (TOKEN, "t"), (IAM_ENDPOINT, "iam")],
                "HUAWEICLOUD_SDK_IAM_ENDPOINT: IAM endpoint",
            ),
            (
                &[
                    E,
                    (IAM_USER, "u"),
                    (IAM_PASSWORD, &"SECRET".repeat(200)),
                    (IAM_DOMAIN, "d"),
                ],
                "TCC_IAM_PASSWORD: ",
            ),
            (
                &[E, (TOKEN, "t"), (LANGUAGE, "en\r\nX-Evil: 1")],
                "TCC_LANGUAGE: ",
            ),
            (
                &[E, (TOKEN, "t"), (TIME_ZONE, &"x".repeat(40))],
                "TCC_TIME_ZONE: ",
            ),
            (&[E, (TOKEN, "t"), (SITE, "7")], "TCC_SITE: site must be 0"),
            (&[E, (TOKEN, "t"), (SITE, "1x")], "TCC_SITE: site must be 0"),
            (
                &[E, (TOKEN, "t"), (TIMEOUT_MS, "5s")],
                "TCC_TIMEOUT_MS: must be a whole decimal number",
            ),
            (
                &[E, (TOKEN, "t"), (TIMEOUT_MS, "0")],
                "TCC_TIMEOUT_MS: timeout must be between 1 and",
            ),
            (
                &[E, (TOKEN, "t"), (CONNECT_TIMEOUT_MS, "-1")],
                "TCC_CONNECT_TIMEOUT_MS: must be a whole",
            ),
            (
                &[
                    E,
                    (TOKEN, "t"),
                    (STALL_TIMEOUT_MS, "99999999999999999999999"),
                ],
                "TCC_STALL_TIMEOUT_MS: stall timeout must be between",
            ),
            (
                &[E, (TOKEN, "t"), (MAX_ATTEMPTS, "0")],
                "TCC_MAX_ATTEMPTS: max attempts must be between 1 and 10",
            ),
            (
                &[E, (TOKEN, "t"), (MAX_REDIRECTS, "11")],
                "TCC_MAX_REDIRECTS: max redirects must be between 0 and 10",
            ),
            (
                &[E, (TOKEN, "t"), (PROXY, "socks5://u:SECRET@proxy")],
                "TCC_PROXY: proxy URL must be an http://",
            ),
            (
                &[E, (TOKEN, "t"), (TRUST_STORE, "mine")],
                "TCC_TRUST_STORE: must be `bundled` or `system`",
            ),
        ];
        for (vars, expected) in cases {
            let e = err(vars);
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{vars:?}");
            assert!(e.message().starts_with(expected), "{vars:?}: {e}");
            assert!(!format!("{e} {e:?}").contains("SECRET"), "{e:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_is_refused() {
        use std::os::unix::ffi::OsStringExt;
        let e = ClientOptions::from_env_with(|name| match name {
            ENDPOINT => Some(OsString::from("http://h")),
            TOKEN => Some(OsString::from_vec(vec![b't', 0xff])),
            _ => None,
        })
        .unwrap_err();
        assert_eq!(e.message(), "TCC_TOKEN: not valid UTF-8");
    }
}
