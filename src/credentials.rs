//! How a request proves who is calling. Only an IAM token exists so far; the
//! enum is where AK/SK and IAM-password credentials join, each deciding which
//! headers a request carries.

use crate::error::Error;
use crate::secret::Secret;
use crate::validate::header_value;

/// IAM tokens are 1..5000 characters (API reference of `X-Auth-Token`).
pub const MAX_TOKEN_LEN: usize = 5000;

#[derive(Clone, Debug)]
pub enum Credentials {
    /// A domain-scoped IAM token, sent as `X-Auth-Token`.
    Token(Secret),
}

impl Credentials {
    /// Token credentials, validated so that a bad token fails here rather than on the wire.
    pub fn token(token: &str) -> Result<Self, Error> {
        header_value("token", token, MAX_TOKEN_LEN)?;
        Ok(Credentials::Token(Secret::new(token)))
    }
}
