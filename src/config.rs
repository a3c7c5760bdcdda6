//! Everything a client is built from. Setters validate at once, so a wrong
//! value is reported where it was given; `Client::new` copies what it needs.

use std::path::PathBuf;
use std::time::Duration;

use crate::credentials::{Credentials, DEFAULT_IAM_ENDPOINT};
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::validate::header_value;

/// Connect timeout unless set: long enough for a slow link, short enough to notice an outage.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Deadline for a whole call unless set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest accepted response body unless set. A legal answer is a few KiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
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
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) max_response_bytes: u64,
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
            ca_file: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
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

    /// Deadline for a whole call, from connecting to the last body byte.
    pub fn set_timeout_ms(&mut self, ms: u64) -> Result<(), Error> {
        self.timeout = timeout_from_ms("timeout", ms)?;
        Ok(())
    }

    /// A PEM file of CA certificates to trust instead of the bundled roots.
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
