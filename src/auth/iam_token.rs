//! IAM password credentials at work: a domain-scoped token from
//! `POST /v3/auth/tokens`, cached and refreshed before it expires.
//!
//! Refresh policy: a token is refreshed once less than a quarter of its
//! lifetime, capped at five minutes, remains (a 24 h token at 23 h 55 min,
//! a 2 s one at 1.5 s), so calls never race the expiry; the lifetime is
//! `expires_at - issued_at` by IAM's own clock, counted from when the
//! request was sent, so a wrong local clock does not matter. After a 401
//! from the service the token is refreshed once (the caller then retries).
//! At most one refresh is in flight: other threads wait and share it.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use ureq::http::header::{CONTENT_TYPE, HOST, USER_AGENT};
use ureq::http::{HeaderName, HeaderValue};
use zeroize::Zeroizing;

use super::single_flight::SingleFlight;
use crate::credentials::Password;
use crate::deadline::Deadline;
use crate::endpoint::Target;
use crate::error::{Error, ErrorKind};
use crate::iam::{self, IssuedToken};
use crate::transport::Transport;

/// The longest margin before expiry at which a token is refreshed.
pub const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A token in use, as an `X-Auth-Token` value (sensitive, wiped on drop).
pub(crate) struct IamToken {
    pub header: HeaderValue,
    refresh_at: Instant,
}

pub(crate) struct TokenSource {
    tokens: Target,
    /// The token request, built once: method, headers and body never change.
    headers: [(HeaderName, HeaderValue); 3],
    body: Zeroizing<Vec<u8>>,
    cache: SingleFlight<Arc<IamToken>>,
}

impl TokenSource {
    pub fn new(credentials: &Password, tokens: Target, user_agent: HeaderValue) -> Self {
        TokenSource {
            headers: [
                (HOST, tokens.host_header.clone()),
                (USER_AGENT, user_agent),
                (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            ],
            tokens,
            body: iam::password_token_request(credentials),
            cache: SingleFlight::new(None),
        }
    }

    /// A token that is not due for refresh, and is not `rejected` (the one
    /// the service just refused): the cached one, or a new one from IAM.
    pub fn token(
        &self,
        transport: &Transport,
        rejected: Option<&Arc<IamToken>>,
        deadline: Deadline,
    ) -> Result<Arc<IamToken>, Error> {
        self.cache.get(
            |t| Instant::now() < t.refresh_at && !rejected.is_some_and(|r| Arc::ptr_eq(r, t)),
            || {
                self.issue(transport, deadline)
                    .map_err(|e| e.context("IAM token request failed"))
            },
            deadline,
        )
    }

    fn issue(&self, transport: &Transport, deadline: Deadline) -> Result<Arc<IamToken>, Error> {
        // Taken before the first attempt: after retries the token is
        // refreshed a little early, never late.
        let sent_at = Instant::now();
        // The same request every time: a POST is never redirected.
        let headers = |_: &Target| Ok(self.headers.to_vec());
        let response = transport.request(&self.tokens, Some(&self.body), deadline, &headers)?;
        let issued = iam::read_issued_token(response)?;
        let lifetime = lifetime(&issued, SystemTime::now())?;
        Ok(Arc::new(IamToken {
            header: issued.token.header_value()?,
            refresh_at: sent_at + lifetime - refresh_margin(lifetime),
        }))
    }
}

/// How long a token is valid: by IAM's clock when it says when it issued
/// the token, else by comparing `expires_at` with the local clock.
fn lifetime(issued: &IssuedToken, now: SystemTime) -> Result<Duration, Error> {
    let from = issued.issued_at.unwrap_or(now);
    match issued.expires_at.duration_since(from) {
        Ok(lifetime) if !lifetime.is_zero() => Ok(lifetime.min(Duration::from_secs(366 * 86_400))),
        _ => Err(Error::new(
            ErrorKind::BadResponse,
            "IAM issued a token whose expires_at is not after its issue time (is the local clock right?)",
        )),
    }
}

/// A quarter of the lifetime, at most [`MAX_REFRESH_MARGIN`].
fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 4).min(MAX_REFRESH_MARGIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use std::time::UNIX_EPOCH;

    #[test]
    fn margin_is_a_quarter_capped_at_five_minutes() {
        assert_eq!(
            refresh_margin(Duration::from_secs(86_400)),
            MAX_REFRESH_MARGIN
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(900)),
            Duration::from_secs(225)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(2)),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn lifetime_prefers_iam_clock() {
        let at = |s| UNIX_EPOCH + Duration::from_secs(s);
        let token = |issued: Option<u64>| IssuedToken {
            token: Secret::new("t"),
            expires_at: at(1_000),
            issued_at: issued.map(at),
        };
        // The local clock is an hour ahead: IAM's own times still give 1000 s.
        assert_eq!(
            lifetime(&token(Some(0)), at(4_600)).unwrap(),
            Duration::from_secs(1_000)
        );
        assert_eq!(
            lifetime(&token(None), at(400)).unwrap(),
            Duration::from_secs(600)
        );
        assert_eq!(
            lifetime(&token(None), at(4_600)).unwrap_err().kind(),
            ErrorKind::BadResponse
        );
        assert!(lifetime(&token(Some(1_000)), at(0)).is_err());
    }
}
