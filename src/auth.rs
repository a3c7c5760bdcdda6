//! Credentials at work: what each request carries to prove who is calling.
//!
//! - Token: `X-Auth-Token`, fixed.
//! - AK/SK: `X-Domain-Id` (configured, or looked up once from IAM),
//!   `X-Security-Token` for temporary keys, `X-Sdk-Date` and a signature.
//! - IAM password: `X-Auth-Token` with a token from IAM, cached, refreshed
//!   before expiry, and refreshed once more when the service answers 401.

mod aksk;
mod domain_id;
mod iam_token;
mod single_flight;

use std::time::SystemTime;

use ureq::http::header::{HOST, USER_AGENT};
use ureq::http::{HeaderName, HeaderValue};

use crate::credentials::Credentials;
use crate::deadline::Deadline;
use crate::endpoint::{Endpoint, Target};
use crate::error::Error;
use crate::iam;
use crate::response::HttpResponse;
use crate::transport::{Transport, USER_AGENT as USER_AGENT_TEXT};

use aksk::Signer;
use domain_id::DomainId;
use iam_token::TokenSource;

const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");
const X_DOMAIN_ID: HeaderName = HeaderName::from_static("x-domain-id");

pub(crate) struct Auth {
    user_agent: HeaderValue,
    method: Method,
}

enum Method {
    Token(HeaderValue),
    AkSk {
        signer: Signer,
        domain_id: DomainId,
    },
    /// Boxed: far larger than the other variants (cache, prebuilt request).
    Password(Box<TokenSource>),
}

impl Auth {
    /// Prepares everything that does not change between calls. No I/O:
    /// IAM is asked only when a call needs it.
    pub fn new(credentials: &Credentials, iam_endpoint: &Endpoint) -> Result<Self, Error> {
        let user_agent = HeaderValue::from_static(USER_AGENT_TEXT);
        let method = match credentials {
            Credentials::Token(token) => Method::Token(token.header_value()?),
            Credentials::AkSk(aksk) => Method::AkSk {
                signer: Signer::new(aksk)?,
                domain_id: match &aksk.domain_id {
                    Some(id) => DomainId::fixed(id)?,
                    None => DomainId::lookup(iam_endpoint.target(iam::DOMAINS_PATH)?),
                },
            },
            Credentials::Password(password) => {
                let tokens = iam_endpoint.target(iam::TOKENS_PATH)?;
                Method::Password(Box::new(TokenSource::new(
                    password,
                    tokens,
                    user_agent.clone(),
                )))
            }
        };
        Ok(Auth { user_agent, method })
    }

    /// Sends an authenticated GET to `target` with `extra` headers (the
    /// optional `X-Language`, `X-Time-Zone`, `X-Site`).
    pub fn get(
        &self,
        transport: &Transport,
        target: &Target,
        extra: &[(HeaderName, HeaderValue)],
        deadline: Deadline,
    ) -> Result<HttpResponse, Error> {
        // Built anew for each attempt and redirect: an AK/SK signature covers
        // the date and the path, which change.
        let send = |credential: Option<(HeaderName, HeaderValue)>,
                    signer: Option<&Signer>|
         -> Result<HttpResponse, Error> {
            let headers_for = |target: &Target| {
                let mut headers = Vec::with_capacity(extra.len() + 6);
                headers.push((HOST, target.host_header.clone()));
                headers.push((USER_AGENT, self.user_agent.clone()));
                headers.extend(credential.clone());
                headers.extend_from_slice(extra);
                if let Some(signer) = signer {
                    signer.sign_get(target, &mut headers, SystemTime::now())?;
                }
                Ok(headers)
            };
            transport.request(target, None, deadline, &headers_for)
        };

        match &self.method {
            Method::Token(token) => send(Some((X_AUTH_TOKEN, token.clone())), None),
            Method::AkSk { signer, domain_id } => {
                let id = domain_id.get(signer, transport, &self.user_agent, deadline)?;
                send(Some((X_DOMAIN_ID, id)), Some(signer))
            }
            Method::Password(source) => {
                let token = source.token(transport, None, deadline)?;
                let response = send(Some((X_AUTH_TOKEN, token.header.clone())), None)?;
                if response.status != 401 {
                    return Ok(response);
                }
                // Revoked, or expired early: one fresh token, one more try.
                let fresh = source.token(transport, Some(&token), deadline)?;
                send(Some((X_AUTH_TOKEN, fresh.header.clone())), None)
            }
        }
    }
}
