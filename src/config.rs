//! Everything a client is built from. Setters validate at once, so a wrong
//! value is reported where it was given; `Client::new` copies what it needs.

use std::path::PathBuf;
use std::time::Duration;

use crate::credentials::{Credentials, DEFAULT_IAM_ENDPOINT};
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::proxy::{ProxySetting, ProxyUrl};
use crate::trust::TrustStore;
use crate::validate::header_value;

/// Connect timeout unless set: long enough for a slow link, short enough to notice an outage.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Deadline for a whole call unless set: retries and IAM requests included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for the next bytes unless set: a healthy server answers in
/// well under a second, so a silent one is given up on (and retried) long
/// before the deadline.
pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest accepted response body unless set. A legal answer is a few KiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
/// Largest accepted response head (status line and headers) unless set.
/// IAM's token header is the largest legitimate one, a few KiB.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 64 * 1024;
/// Bounds of the response head limit.
pub const MIN_MAX_HEADER_BYTES: usize = 4 * 1024;
pub const MAX_MAX_HEADER_BYTES: usize = 1024 * 1024;
/// Attempts per request unless set: the first and two retries.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Most attempts that may be configured.
pub const MAX_ATTEMPTS: u32 = 10;
pub use crate::proxy::MAX_PROXY_URL_LEN;
pub use crate::redirect::MAX_REDIRECTS;
/// `X-Language` and `X-Time-Zone` are 1..32 characters.
pub const MAX_LANGUAGE_LEN: usize = 32;
pub const MAX_TIME_ZONE_LEN: usize = 32;
/// Longest CA file path.
pub const MAX_PATH_LEN: usize = 4096;
/// Upper bound for any timeout: one hour.
pub const MAX_TIMEOUT_MS: u64 = 3_600_000;

/// `X-Site`: which Huawei Cloud site the account belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Site {
    China = 0,
    International = 1,
}

impl Site {
    pub fn from_code(code: i64) -> Result<Self, Error> {
        match code {
            0 => Ok(Site::China),
            1 => Ok(Site::International),
            _ => Err(Error::invalid_argument(
                "site must be 0 (China) or 1 (international)",
            )),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub(crate) endpoint: Option<Endpoint>,
    pub(crate) credentials: Option<Credentials>,
    /// Where AK/SK domain ids and password tokens come from; `None`: the default.
    pub(crate) iam_endpoint: Option<Endpoint>,
    pub(crate) language: Option<String>,
    pub(crate) time_zone: Option<String>,
    pub(crate) site: Option<Site>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) stall_timeout: Duration,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) trust_store: TrustStore,
    pub(crate) max_response_bytes: u64,
    pub(crate) max_header_bytes: usize,
    pub(crate) max_attempts: u32,
    pub(crate) max_redirects: u32,
    pub(crate) proxy: ProxySetting,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            endpoint: None,
            credentials: None,
            iam_endpoint: None,
            language: None,
            time_zone: None,
            site: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            stall_timeout: DEFAULT_STALL_TIMEOUT,
            ca_file: None,
            trust_store: TrustStore::Bundled,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            max_redirects: 0,
            proxy: ProxySetting::FromEnvironment,
        }
    }
}

fn timeout_from_ms(what: &str, ms: u64) -> Result<Duration, Error> {
    if ms == 0 || ms > MAX_TIMEOUT_MS {
        return Err(Error::invalid_argument(format!(
            "{what} must be between 1 and {MAX_TIMEOUT_MS} ms"
        )));
    }
    Ok(Duration::from_millis(ms))
}

impl ClientOptions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Base URL, e.g. `https://osm.cn-south-1.myhuaweicloud.com`; replaces any region.
    pub fn set_endpoint(&mut self, url: &str) -> Result<(), Error> {
        self.endpoint = Some(Endpoint::parse(url)?);
        Ok(())
    }

    /// A known region such as `cn-south-1`; replaces any endpoint.
    pub fn set_region(&mut self, region: &str) -> Result<(), Error> {
        self.endpoint = Some(Endpoint::for_region(region)?);
        Ok(())
    }

    pub fn set_credentials(&mut self, credentials: Credentials) {
        self.credentials = Some(credentials);
    }

    /// Authenticate with a domain-scoped IAM token (`X-Auth-Token`).
    pub fn set_token(&mut self, token: &str) -> Result<(), Error> {
        self.credentials = Some(Credentials::token(token)?);
        Ok(())
    }

    /// Authenticate with AK/SK signatures. Replaces any credentials,
    /// including a domain id or security token set before.
    pub fn set_aksk(&mut self, ak: &str, sk: &str) -> Result<(), Error> {
        self.credentials = Some(Credentials::AkSk(Credentials::aksk(ak, sk)?));
        Ok(())
    }

    /// `X-Domain-Id` for the AK/SK set before; without one it is looked up
    /// from IAM on the first call.
    pub fn set_domain_id(&mut self, domain_id: &str) -> Result<(), Error> {
        self.aksk_mut("domain id")?.set_domain_id(domain_id)
    }

    /// `X-Security-Token` for the (temporary) AK/SK set before.
    pub fn set_security_token(&mut self, token: &str) -> Result<(), Error> {
        self.aksk_mut("security token")?.set_security_token(token)
    }

    /// Authenticate as an IAM user: the password is exchanged with IAM for
    /// a token scoped to the account `domain_name`. Replaces any credentials.
    pub fn set_password(
        &mut self,
        user: &str,
        password: &str,
        domain_name: &str,
    ) -> Result<(), Error> {
        self.credentials = Some(Credentials::Password(Credentials::password(
            user,
            password,
            domain_name,
        )?));
        Ok(())
    }

    /// IAM's base URL (default `https://iam.myhuaweicloud.com`).
    pub fn set_iam_endpoint(&mut self, url: &str) -> Result<(), Error> {
        self.iam_endpoint = Some(Endpoint::parse_named("IAM endpoint", url)?);
        Ok(())
    }

    fn aksk_mut(&mut self, what: &str) -> Result<&mut crate::credentials::AkSk, Error> {
        match &mut self.credentials {
            Some(Credentials::AkSk(aksk)) => Ok(aksk),
            _ => Err(Error::new(
                ErrorKind::Config,
                format!("a {what} goes with AK/SK credentials: set the AK/SK first"),
            )),
        }
    }

    /// `X-Language`, e.g. `en-us`. Not sent unless set.
    pub fn set_language(&mut self, language: &str) -> Result<(), Error> {
        header_value("language", language, MAX_LANGUAGE_LEN)?;
        self.language = Some(language.to_owned());
        Ok(())
    }

    /// `X-Time-Zone`, e.g. `GMT+8`. Not sent unless set.
    pub fn set_time_zone(&mut self, time_zone: &str) -> Result<(), Error> {
        header_value("time zone", time_zone, MAX_TIME_ZONE_LEN)?;
        self.time_zone = Some(time_zone.to_owned());
        Ok(())
    }

    /// `X-Site`: 0 China, 1 international. Not sent unless set.
    pub fn set_site(&mut self, site: i64) -> Result<(), Error> {
        self.site = Some(Site::from_code(site)?);
        Ok(())
    }

    pub fn set_connect_timeout_ms(&mut self, ms: u64) -> Result<(), Error> {
        self.connect_timeout = timeout_from_ms("connect timeout", ms)?;
        Ok(())
    }

    /// Deadline for a whole call, from connecting to the last body byte,
    /// retries, the waits between them and IAM requests included.
    pub fn set_timeout_ms(&mut self, ms: u64) -> Result<(), Error> {
        self.timeout = timeout_from_ms("timeout", ms)?;
        Ok(())
    }

    /// Longest wait for the next bytes while sending a request or reading
    /// a response. A request that stalls this long fails (and is retried
    /// while attempts and the deadline allow).
    pub fn set_stall_timeout_ms(&mut self, ms: u64) -> Result<(), Error> {
        self.stall_timeout = timeout_from_ms("stall timeout", ms)?;
        Ok(())
    }

    /// Attempts per request in total, 1..=10 (1: never retry). See
    /// `crate::retry` for what is retried.
    pub fn set_max_attempts(&mut self, attempts: u32) -> Result<(), Error> {
        if !(1..=MAX_ATTEMPTS).contains(&attempts) {
            return Err(Error::invalid_argument(format!(
                "max attempts must be between 1 and {MAX_ATTEMPTS}"
            )));
        }
        self.max_attempts = attempts;
        Ok(())
    }

    /// Same-origin redirects followed per request, 0..=10 (0, the default:
    /// none). Redirects to another origin are never followed.
    pub fn set_max_redirects(&mut self, redirects: u32) -> Result<(), Error> {
        if redirects > MAX_REDIRECTS {
            return Err(Error::invalid_argument(format!(
                "max redirects must be between 0 and {MAX_REDIRECTS}"
            )));
        }
        self.max_redirects = redirects;
        Ok(())
    }

    /// An `http://[user:password@]host[:port]` proxy for every request,
    /// instead of the proxy environment variables; `""`: no proxy at all,
    /// the environment ignored. See `crate::proxy`.
    pub fn set_proxy(&mut self, url: &str) -> Result<(), Error> {
        self.proxy = if url.is_empty() {
            ProxySetting::Off
        } else {
            ProxySetting::Explicit(ProxyUrl::parse("proxy URL", url)?)
        };
        Ok(())
    }

    /// Which roots HTTPS certificates are checked against (a CA file, if
    /// set, takes precedence). See `crate::trust`.
    pub fn set_trust_store(&mut self, store: TrustStore) {
        self.trust_store = store;
    }

    /// A PEM file of CA certificates to trust instead of the trust store.
    /// Read when the client is created.
    pub fn set_ca_file(&mut self, path: &str) -> Result<(), Error> {
        if path.is_empty() || path.len() > MAX_PATH_LEN {
            return Err(Error::invalid_argument(format!(
                "CA file path must be 1..{MAX_PATH_LEN} bytes"
            )));
        }
        self.ca_file = Some(PathBuf::from(path));
        Ok(())
    }

    /// Largest accepted response body, in bytes (at least 1 KiB).
    pub fn set_max_response_bytes(&mut self, bytes: u64) -> Result<(), Error> {
        if bytes < 1024 {
            return Err(Error::invalid_argument(
                "max response size must be at least 1024 bytes",
            ));
        }
        self.max_response_bytes = bytes;
        Ok(())
    }

    /// Largest accepted response head (status line and headers), in bytes,
    /// 4 KiB..=1 MiB.
    pub fn set_max_header_bytes(&mut self, bytes: u64) -> Result<(), Error> {
        let range = MIN_MAX_HEADER_BYTES as u64..=MAX_MAX_HEADER_BYTES as u64;
        if !range.contains(&bytes) {
            return Err(Error::invalid_argument(format!(
                "max header size must be between {MIN_MAX_HEADER_BYTES} and {MAX_MAX_HEADER_BYTES} bytes"
            )));
        }
        self.max_header_bytes = bytes as usize;
        Ok(())
    }

    pub(crate) fn require_endpoint(&self) -> Result<&Endpoint, Error> {
        self.endpoint.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                "no endpoint: set an endpoint URL or a region",
            )
        })
    }

    pub(crate) fn require_credentials(&self) -> Result<&Credentials, Error> {
        self.credentials.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                "no credentials: set a token, an AK/SK or an IAM user's password",
            )
        })
    }

    pub(crate) fn iam_endpoint(&self) -> Endpoint {
        self.iam_endpoint.clone().unwrap_or_else(|| {
            Endpoint::parse(DEFAULT_IAM_ENDPOINT).expect("the default IAM endpoint is valid")
        })
    }
}
