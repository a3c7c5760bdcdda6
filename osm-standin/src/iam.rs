//! The IAM stand-in: "obtain a user token" (`POST /v3/auth/tokens`, password
//! method, domain scope) and the domain lookup SDKs do for global services
//! (`GET /v3/auth/domains`).
//!
//! IAM's errors have their own shape: `{"error":{"code":..,"message":..,"title":..}}`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

use crate::auth::{self, Service};
use crate::http::{RequestHead, Response};
use crate::{aksk, clock, request_id, IssuedToken, Shared};

/// Where the domain's `links.self` points (the real IAM's global endpoint).
const IAM_BASE: &str = "https://iam.myhuaweicloud.com";

fn iam_error(status: u16, code: &str, message: &str, title: &str) -> Response {
    Response::json(
        status,
        &json!({ "error": { "code": code, "message": message, "title": title } }),
    )
}

fn bad_request(message: &str) -> Response {
    iam_error(400, "IAM.0001", message, "Bad Request")
}

fn wrong_credentials() -> Response {
    iam_error(
        401,
        "IAM.0006",
        "The username or password is wrong.",
        "Unauthorized",
    )
}

/// A domain named by `name` or `id` in a token request.
fn domain_of(v: &Value) -> Option<(Option<&str>, Option<&str>)> {
    let name = v.get("name").and_then(Value::as_str);
    let id = v.get("id").and_then(Value::as_str);
    (name.is_some() || id.is_some()).then_some((name, id))
}

enum Scope<'a> {
    Domain(Option<&'a str>, Option<&'a str>),
    /// Project-scoped or unscoped: OSM, a global service, needs domain scope.
    NotDomain,
}

struct PasswordAuth<'a> {
    user: &'a str,
    password: &'a str,
    user_domain: (Option<&'a str>, Option<&'a str>),
    scope: Scope<'a>,
}

/// The fields of IAM's password token request; `None` if the shape is wrong.
fn parse_password_auth(body: &Value) -> Option<PasswordAuth<'_>> {
    let auth = body.get("auth")?;
    let identity = auth.get("identity")?;
    let methods = identity.get("methods")?.as_array()?;
    if !methods.iter().any(|m| m == "password") {
        return None;
    }
    let user = identity.get("password")?.get("user")?;
    let scope = match auth.get("scope") {
        Some(scope) => match scope.get("domain") {
            Some(domain) => {
                let (name, id) = domain_of(domain)?;
                Scope::Domain(name, id)
            }
            None if scope.get("project").is_some() => Scope::NotDomain,
            None => return None,
        },
        None => Scope::NotDomain,
    };
    Some(PasswordAuth {
        user: user.get("name")?.as_str()?,
        password: user.get("password")?.as_str()?,
        user_domain: domain_of(user.get("domain")?)?,
        scope,
    })
}

/// Whether a domain given by name and/or id is the configured account.
fn is_our_domain(shared: &Shared, (name, id): (Option<&str>, Option<&str>)) -> bool {
    name.is_none_or(|n| n == shared.config.domain_name)
        && id.is_none_or(|i| i == shared.config.domain_id)
}

/// A fresh token: `MII` and 64 hex digits, unpredictable enough for tests.
fn new_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let seed = format!(
        "{}:{n}:{}:{}",
        request_id::next(),
        clock::system_micros(),
        std::process::id()
    );
    format!("MII{}", aksk::sha256_hex(seed.as_bytes()))
}

/// A stable user id for a user name (32 hex digits, like IAM's).
fn user_id(shared: &Shared, name: &str) -> String {
    aksk::sha256_hex(format!("{}/{name}", shared.config.domain_id).as_bytes())[..32].to_owned()
}

/// `POST /v3/auth/tokens`.
pub(crate) fn issue_token(shared: &Shared, body: &[u8]) -> Response {
    shared.iam_token_requests.fetch_add(1, Ordering::SeqCst);
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return bad_request("The request you have made requires authentication.");
    };
    let Some(request) = parse_password_auth(&json) else {
        return bad_request("The request you have made requires authentication.");
    };
    let Scope::Domain(scope_name, scope_id) = request.scope else {
        return bad_request(
            "This stand-in issues domain-scoped tokens only (OSM is a global service): \
             set auth.scope.domain.",
        );
    };
    let known_user = shared
        .config
        .users
        .iter()
        .any(|u| u.name == request.user && u.password == request.password);
    if !known_user
        || !is_our_domain(shared, request.user_domain)
        || !is_our_domain(shared, (scope_name, scope_id))
    {
        return wrong_credentials();
    }

    let token = new_token();
    let issued = shared.now_micros();
    let lifetime = i64::try_from(shared.token_lifetime().as_micros()).unwrap_or(i64::MAX);
    let expires = issued.saturating_add(lifetime);
    shared.tokens().insert(
        token.clone(),
        IssuedToken {
            expires_at_micros: expires,
            revoked: false,
        },
    );
    let domain = json!({ "id": shared.config.domain_id, "name": shared.config.domain_name });
    let body = json!({
        "token": {
            "expires_at": clock::format_rfc3339_micros(expires),
            "issued_at": clock::format_rfc3339_micros(issued),
            "methods": ["password"],
            "domain": domain,
            "user": {
                "id": user_id(shared, request.user),
                "name": request.user,
                "domain": domain,
                "password_expires_at": "",
            },
            "catalog": [],
        }
    });
    Response::json(201, &body).with_header("X-Subject-Token", token)
}

/// `GET /v3/auth/domains`: AK/SK signed (or a valid token), no `X-Domain-Id`.
pub(crate) fn list_domains(shared: &Shared, req: &RequestHead, body: &[u8]) -> Response {
    shared.iam_domain_requests.fetch_add(1, Ordering::SeqCst);
    if let Err(response) = auth::authenticate(shared, req, body, Service::DomainLookup) {
        return response;
    }
    let id = &shared.config.domain_id;
    Response::json(
        200,
        &json!({
            "domains": [{
                "id": id,
                "name": shared.config.domain_name,
                "enabled": true,
                "description": "",
                "links": { "self": format!("{IAM_BASE}/v3/domains/{id}") },
            }],
            "links": { "self": format!("{IAM_BASE}/v3/auth/domains"), "previous": null, "next": null },
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(scope: Value) -> Value {
        json!({ "auth": {
            "identity": { "methods": ["password"], "password": { "user": {
                "name": "u", "password": "p", "domain": { "name": "d" } } } },
            "scope": scope,
        }})
    }

    #[test]
    fn password_auth_shapes() {
        let ok = body(json!({ "domain": { "name": "d" } }));
        let parsed = parse_password_auth(&ok).unwrap();
        assert_eq!((parsed.user, parsed.password), ("u", "p"));
        assert!(matches!(parsed.scope, Scope::Domain(Some("d"), None)));

        let by_id = body(json!({ "domain": { "id": "x" } }));
        assert!(matches!(
            parse_password_auth(&by_id).unwrap().scope,
            Scope::Domain(None, Some("x"))
        ));
        let project = body(json!({ "project": { "name": "cn-north-4" } }));
        assert!(matches!(
            parse_password_auth(&project).unwrap().scope,
            Scope::NotDomain
        ));
        assert!(parse_password_auth(&body(json!({}))).is_none());
        assert!(parse_password_auth(&body(json!({ "domain": {} }))).is_none());
        assert!(parse_password_auth(&json!({})).is_none());
        assert!(parse_password_auth(&json!({ "auth": { "identity": {
            "methods": ["token"], "password": { "user": {
                "name": "u", "password": "p", "domain": { "name": "d" } } } } } }))
        .is_none());
    }

    #[test]
    fn tokens_look_like_iam_tokens_and_differ() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        for t in [a, b] {
            assert_eq!(t.len(), 67);
            assert!(t.starts_with("MII"));
            assert!(t[3..].bytes().all(|c| c.is_ascii_hexdigit()));
        }
    }
}
