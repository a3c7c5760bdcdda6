//! `X-Domain-Id` for AK/SK requests to a global service: as configured, or
//! looked up once from IAM (`GET /v3/auth/domains`, signed with the same
//! key) the first time a call needs it, as the official SDKs do. Never at
//! client creation, which does no network I/O.

use std::time::SystemTime;

use ureq::http::header::{HOST, USER_AGENT};
use ureq::http::HeaderValue;

use super::aksk::Signer;
use super::single_flight::SingleFlight;
use crate::deadline::Deadline;
use crate::endpoint::Target;
use crate::error::Error;
use crate::iam;
use crate::transport::Transport;

pub(crate) enum DomainId {
    Fixed(HeaderValue),
    /// Cached after the first successful lookup; a failed one is retried
    /// by the next call. Concurrent first calls share a single lookup.
    Lookup(Box<Lookup>),
}

pub(crate) struct Lookup {
    domains: Target,
    cache: SingleFlight<HeaderValue>,
}

impl DomainId {
    pub fn fixed(id: &str) -> Result<Self, Error> {
        HeaderValue::from_str(id)
            .map(DomainId::Fixed)
            .map_err(|_| Error::invalid_argument("domain id is not a header value"))
    }

    /// Looked up at `domains` (IAM's `/v3/auth/domains`) when first needed.
    pub fn lookup(domains: Target) -> Self {
        DomainId::Lookup(Box::new(Lookup {
            domains,
            cache: SingleFlight::new(None),
        }))
    }

    pub fn get(
        &self,
        signer: &Signer,
        transport: &Transport,
        user_agent: &HeaderValue,
        deadline: Deadline,
    ) -> Result<HeaderValue, Error> {
        match self {
            DomainId::Fixed(id) => Ok(id.clone()),
            DomainId::Lookup(lookup_state) => lookup_state.cache.get(
                |_| true,
                || {
                    lookup(
                        signer,
                        transport,
                        &lookup_state.domains,
                        user_agent,
                        deadline,
                    )
                    .map_err(|e| e.context("domain id lookup at IAM failed"))
                },
                deadline,
            ),
        }
    }
}

fn lookup(
    signer: &Signer,
    transport: &Transport,
    domains: &Target,
    user_agent: &HeaderValue,
    deadline: Deadline,
) -> Result<HeaderValue, Error> {
    // No X-Domain-Id here: that is what is being asked for. Signed anew for
    // each attempt and each redirect (the date and path change).
    let headers = |target: &Target| {
        let mut headers = vec![
            (HOST, target.host_header.clone()),
            (USER_AGENT, user_agent.clone()),
        ];
        signer.sign_get(target, &mut headers, SystemTime::now())?;
        Ok(headers)
    };
    let id = iam::read_domain_id(transport.request(domains, None, deadline, &headers)?)?;
    HeaderValue::from_str(&id)
        .map_err(|_| Error::invalid_argument("domain id is not a header value"))
}
