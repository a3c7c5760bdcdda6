//! How a request proves who is calling, as the user configured it: an IAM
//! token, an AK/SK pair (permanent or temporary), or an IAM user's password.
//! Every value is validated here, so a bad one fails when it is set rather
//! than on the wire; `crate::auth` turns these into per-request headers.

use std::fmt;

use crate::error::Error;
use crate::secret::Secret;
use crate::validate::header_value;

/// IAM tokens are 1..5000 characters (API reference of `X-Auth-Token`).
pub const MAX_TOKEN_LEN: usize = 5000;
/// Access key ids are 20 characters; temporary ones a little longer.
pub const MAX_AK_LEN: usize = 128;
/// Secret keys are 40 characters; the cap only stops absurd input.
pub const MAX_SK_LEN: usize = 1024;
/// Temporary security tokens run to several KiB.
pub const MAX_SECURITY_TOKEN_LEN: usize = 16 * 1024;
/// Account (domain) ids are 32 hexadecimal characters.
pub const MAX_DOMAIN_ID_LEN: usize = 128;
/// IAM user and account names are at most 64 characters (of up to 4 bytes).
pub const MAX_NAME_LEN: usize = 256;
/// IAM passwords are at most 32 characters; the cap only stops absurd input.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// The global IAM endpoint the official SDKs default to.
pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";

#[derive(Clone, Debug)]
pub enum Credentials {
    /// A domain-scoped IAM token, sent as `X-Auth-Token`.
    Token(Secret),
    /// Requests signed with an access key (SDK-HMAC-SHA256).
    AkSk(AkSk),
    /// An IAM user's password, exchanged for a token with IAM.
    Password(Password),
}

/// An access key pair, as the official SDKs' `GlobalCredentials` hold it.
#[derive(Clone)]
pub struct AkSk {
    pub(crate) ak: String,
    pub(crate) sk: Secret,
    /// `X-Domain-Id`; looked up from IAM on first use when absent.
    pub(crate) domain_id: Option<String>,
    /// `X-Security-Token`: required with a temporary AK/SK.
    pub(crate) security_token: Option<Secret>,
}

/// An IAM user's password and account, for `POST /v3/auth/tokens`.
#[derive(Clone)]
pub struct Password {
    pub(crate) user: String,
    pub(crate) password: Secret,
    /// The account (domain) name, which also scopes the token.
    pub(crate) domain_name: String,
}

impl Credentials {
    /// Token credentials, validated so that a bad token fails here rather than on the wire.
    pub fn token(token: &str) -> Result<Self, Error> {
        header_value("token", token, MAX_TOKEN_LEN)?;
        Ok(Credentials::Token(Secret::new(token)))
    }

    /// AK/SK credentials without domain id or security token; add them with
    /// [`AkSk::set_domain_id`] and [`AkSk::set_security_token`].
    pub fn aksk(ak: &str, sk: &str) -> Result<AkSk, Error> {
        check_ak(ak)?;
        check_sk(sk)?;
        Ok(AkSk {
            ak: ak.to_owned(),
            sk: Secret::new(sk),
            domain_id: None,
            security_token: None,
        })
    }

    /// IAM password credentials: user name, password and account (domain) name.
    pub fn password(user: &str, password: &str, domain_name: &str) -> Result<Password, Error> {
        check_user(user)?;
        check_password(password)?;
        check_domain_name(domain_name)?;
        Ok(Password {
            user: user.to_owned(),
            password: Secret::new(password),
            domain_name: domain_name.to_owned(),
        })
    }
}

impl AkSk {
    /// `X-Domain-Id`, the account id. Without it the id is looked up once from IAM.
    pub fn set_domain_id(&mut self, domain_id: &str) -> Result<(), Error> {
        header_value("domain id", domain_id, MAX_DOMAIN_ID_LEN)?;
        self.domain_id = Some(domain_id.to_owned());
        Ok(())
    }

    /// `X-Security-Token`, which goes with a temporary AK/SK.
    pub fn set_security_token(&mut self, token: &str) -> Result<(), Error> {
        header_value("security token", token, MAX_SECURITY_TOKEN_LEN)?;
        self.security_token = Some(Secret::new(token));
        Ok(())
    }
}

pub(crate) fn check_ak(ak: &str) -> Result<(), Error> {
    header_value("access key (AK)", ak, MAX_AK_LEN)?;
    // The AK sits inside `Authorization: ... Access=<AK>, ...`.
    if ak.contains([' ', ',', '=']) {
        return Err(Error::invalid_argument(
            "access key (AK) contains a space, ',' or '='",
        ));
    }
    Ok(())
}

/// The SK never goes on the wire (it only keys the HMAC), so any text will do.
pub(crate) fn check_sk(sk: &str) -> Result<(), Error> {
    if sk.is_empty() || sk.len() > MAX_SK_LEN {
        return Err(Error::invalid_argument(format!(
            "secret key (SK) must be 1..{MAX_SK_LEN} bytes"
        )));
    }
    Ok(())
}

pub(crate) fn check_user(user: &str) -> Result<(), Error> {
    text("IAM user name", user, MAX_NAME_LEN)
}

pub(crate) fn check_password(password: &str) -> Result<(), Error> {
    text("IAM password", password, MAX_PASSWORD_LEN)
}

pub(crate) fn check_domain_name(domain_name: &str) -> Result<(), Error> {
    text("account (domain) name", domain_name, MAX_NAME_LEN)
}

/// JSON text (user and account names, passwords): any UTF-8, 1..=max bytes.
/// serde_json escapes what JSON needs; NUL cannot come from C at all.
fn text(what: &str, value: &str, max: usize) -> Result<(), Error> {
    if value.is_empty() || value.len() > max {
        return Err(Error::invalid_argument(format!(
            "{what} must be 1..{max} bytes"
        )));
    }
    if value.contains('\0') {
        return Err(Error::invalid_argument(format!(
            "{what} contains a NUL character"
        )));
    }
    Ok(())
}

// The AK identifies the key and travels in clear in every `Authorization`
// header, so it is shown; the SK and tokens print as `Secret(***)`.
impl fmt::Debug for AkSk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AkSk")
            .field("ak", &self.ak)
            .field("sk", &self.sk)
            .field("domain_id", &self.domain_id)
            .field("security_token", &self.security_token)
            .finish()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Password")
            .field("user", &self.user)
            .field("password", &self.password)
            .field("domain_name", &self.domain_name)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_redacts() {
        assert!(Credentials::aksk("", "sk").is_err());
        assert!(Credentials::aksk("AK EY", "sk").is_err());
        assert!(Credentials::aksk("AK,EY", "sk").is_err());
        assert!(Credentials::aksk("AKEY", "").is_err());
        let mut aksk = Credentials::aksk("AKEY", "sk-SECRET").unwrap();
        assert!(aksk.set_domain_id("a\r\nb").is_err());
        assert!(aksk.set_security_token("").is_err());
        aksk.set_security_token("st-SECRET").unwrap();
        let shown = format!("{aksk:?}");
        assert!(shown.contains("AKEY"), "{shown}");
        assert!(!shown.contains("SECRET"), "{shown}");

        assert!(Credentials::password("", "pw", "acct").is_err());
        assert!(Credentials::password("u", "", "acct").is_err());
        assert!(Credentials::password("u", "pw", "").is_err());
        assert!(Credentials::password("u", "p\0w", "acct").is_err());
        let pw = Credentials::password("üser", "pw-SECRET", "acct").unwrap();
        assert!(!format!("{pw:?}").contains("SECRET"));
    }
}
