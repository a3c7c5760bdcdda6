//! A string that must never be shown: tokens, secret keys, passwords.
//! `Debug` prints a placeholder and the bytes are wiped on drop (zeroize),
//! so a freed client leaves no credential behind in the heap.

use std::fmt;

use bytes::Bytes;
use ureq::http::HeaderValue;
use zeroize::Zeroize;

use crate::error::Error;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value as a header value that is marked sensitive (http's `Debug`
    /// hides it) and that shares this secret's wiping: its bytes are owned
    /// by a copy of the secret, zeroized when the last clone is dropped.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, Error> {
        let bytes = Bytes::from_owner(Wiped(self.clone()));
        let mut value = HeaderValue::from_maybe_shared(bytes).map_err(|_| {
            Error::invalid_argument("a credential holds a character not allowed in a header")
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// The owner of a secret header value's bytes.
struct Wiped(Secret);

impl AsRef<[u8]> for Wiped {
    fn as_ref(&self) -> &[u8] {
        self.0 .0.as_bytes()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_value_is_sensitive_and_shares_the_bytes() {
        let secret = Secret::new("tok-SECRET");
        let value = secret.header_value().unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.to_str().unwrap(), "tok-SECRET");
        assert!(!format!("{value:?} {secret:?}").contains("SECRET"));
        assert!(Secret::new("a\nb").header_value().is_err());
    }
}
