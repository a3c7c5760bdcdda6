//! The API gateway's authentication: `X-Auth-Token` or an AK/SK signature.
//!
//! Every failure is `401 {"error_code":"APIGW.0301","error_msg":"Incorrect IAM
//! authentication information: <reason>"}`, the shape and code Huawei Cloud's
//! gateway uses; the reasons (checked in this order for AK/SK):
//!
//! | reason | when |
//! |---|---|
//! | `the token is invalid` | no credentials, or an unknown `X-Auth-Token` |
//! | `token expired` | an IAM-issued token past its expiry or revoked |
//! | `Authorization header is not a valid SDK-HMAC-SHA256 signature` | unparsable `Authorization` |
//! | `Get secretKey failed, err: ak not exist` | unknown AK |
//! | `x-security-token is required for temporary credentials` / `x-security-token is invalid` | temporary AK without / with a wrong `X-Security-Token` |
//! | `x-sdk-date is missing or malformed, expected YYYYMMDDTHHMMSSZ` | |
//! | `x-sdk-date is more than 15 minutes from the server time` | |
//! | `SignedHeaders must include host and x-sdk-date` | |
//! | `signed header is missing from the request` | a listed header was not sent |
//! | `x-sdk-content-sha256 does not match the body` | a non-empty body, and the header is neither `UNSIGNED-PAYLOAD` nor the body's hash |
//! | `verify aksk signature fail` | signature mismatch (the real gateway's wording) |
//! | `x-domain-id is required for global service` | OSM only: signed request without `X-Domain-Id` |
//! | `x-domain-id does not match the account of the AK` | OSM only: another account's id |
//!
//! No message ever contains a value that was sent or configured.

use crate::aksk;
use crate::http::{RequestHead, Response};
use crate::Shared;

/// What a request must prove besides a valid credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// A global service (OSM): signed requests need `X-Domain-Id`.
    Global,
    /// IAM's domain lookup: signed, no `X-Domain-Id` (that is what it finds).
    DomainLookup,
}

fn unauthorized(reason: &str) -> Response {
    Response::error(
        401,
        "APIGW.0301",
        &format!("Incorrect IAM authentication information: {reason}"),
    )
}

enum TokenCheck {
    Valid,
    Expired,
    Unknown,
}

fn check_token(shared: &Shared, token: &str) -> TokenCheck {
    if token == shared.config.token {
        return TokenCheck::Valid;
    }
    match shared.tokens().get(token) {
        Some(t) if !t.revoked && shared.now_micros() < t.expires_at_micros => TokenCheck::Valid,
        Some(_) => TokenCheck::Expired,
        None => TokenCheck::Unknown,
    }
}

/// `Ok` if the request carries a valid token or a valid signature. A valid
/// token wins; otherwise a signature, when present, decides the answer.
pub(crate) fn authenticate(
    shared: &Shared,
    req: &RequestHead,
    body: &[u8],
    service: Service,
) -> Result<(), Response> {
    let token = req.header("x-auth-token").map(|t| check_token(shared, t));
    if let Some(TokenCheck::Valid) = token {
        return Ok(());
    }
    if let Some(authorization) = req.header("authorization") {
        return verify_signed(shared, req, body, authorization, service);
    }
    Err(match token {
        Some(TokenCheck::Expired) => unauthorized("token expired"),
        _ => unauthorized("the token is invalid"),
    })
}

fn verify_signed(
    shared: &Shared,
    req: &RequestHead,
    body: &[u8],
    authorization: &str,
    service: Service,
) -> Result<(), Response> {
    let Some(auth) = aksk::parse_authorization(authorization) else {
        return Err(unauthorized(
            "Authorization header is not a valid SDK-HMAC-SHA256 signature",
        ));
    };
    let Some(key) = shared
        .config
        .access_keys
        .iter()
        .find(|k| k.ak == auth.access)
    else {
        return Err(unauthorized("Get secretKey failed, err: ak not exist"));
    };
    if let Some(expected) = &key.security_token {
        match req.header("x-security-token") {
            None => {
                return Err(unauthorized(
                    "x-security-token is required for temporary credentials",
                ))
            }
            Some(sent) if sent != expected => {
                return Err(unauthorized("x-security-token is invalid"))
            }
            Some(_) => {}
        }
    }

    let Some((sdk_date, signed_at)) = req
        .header("x-sdk-date")
        .and_then(|d| aksk::parse_sdk_date(d).map(|t| (d, t)))
    else {
        return Err(unauthorized(
            "x-sdk-date is missing or malformed, expected YYYYMMDDTHHMMSSZ",
        ));
    };
    if (signed_at - shared.now_secs()).abs() > aksk::MAX_DATE_SKEW_SECS {
        return Err(unauthorized(
            "x-sdk-date is more than 15 minutes from the server time",
        ));
    }

    let names: Vec<&str> = auth.signed_headers.split(';').collect();
    let listed = |name: &str| names.iter().any(|n| n.eq_ignore_ascii_case(name));
    if !listed("host") || !listed("x-sdk-date") {
        return Err(unauthorized(
            "SignedHeaders must include host and x-sdk-date",
        ));
    }
    if names
        .iter()
        .any(|n| n.is_empty() || req.header(n).is_none())
    {
        return Err(unauthorized("signed header is missing from the request"));
    }
    // Only a non-empty body is hashed via this header (see `aksk`).
    if let Some(claimed) = req
        .header("x-sdk-content-sha256")
        .filter(|_| !body.is_empty())
    {
        let claimed = claimed.trim();
        if !claimed.is_empty()
            && claimed != aksk::UNSIGNED_PAYLOAD
            && !claimed.eq_ignore_ascii_case(&aksk::sha256_hex(body))
        {
            return Err(unauthorized("x-sdk-content-sha256 does not match the body"));
        }
    }

    let canonical = aksk::canonical_request(
        req.method,
        req.target,
        &req.headers,
        auth.signed_headers,
        body,
    );
    let string_to_sign = aksk::string_to_sign(sdk_date, &canonical);
    if !aksk::verify_signature(key.sk.as_bytes(), &string_to_sign, auth.signature) {
        return Err(unauthorized("verify aksk signature fail"));
    }

    if service == Service::Global {
        match req.header("x-domain-id") {
            None => return Err(unauthorized("x-domain-id is required for global service")),
            Some(id) if id != shared.config.domain_id => {
                return Err(unauthorized(
                    "x-domain-id does not match the account of the AK",
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}
