//! IAM as tcc uses it, on the wire: the account (domain) id of an AK/SK
//! (`GET /v3/auth/domains`) and a domain-scoped token for an IAM user's
//! password (`POST /v3/auth/tokens`). Requests bodies and answers only; who
//! calls them and when is `crate::auth`'s business.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::credentials::Password;
use crate::error::Error;
use crate::response::{bad_body, parse_object, status_error, HttpResponse};
use crate::secret::Secret;
use crate::timestamp::parse_rfc3339;
use crate::validate::header_value;

/// "Querying the list of accessible account": the domain of the caller's AK/SK.
pub const DOMAINS_PATH: &str = "/v3/auth/domains";
/// "Obtaining a user token through password authentication".
pub const TOKENS_PATH: &str = "/v3/auth/tokens";

/// Longest token accepted from IAM. Tokens are a few KiB; headers of
/// ureq's responses are capped well below this anyway.
const MAX_ISSUED_TOKEN_LEN: usize = 64 * 1024;
/// Longest domain id accepted from IAM (they are 32 hex characters).
const MAX_DOMAIN_ID_LEN: usize = crate::credentials::MAX_DOMAIN_ID_LEN;

/// The domain id from the answer to `GET /v3/auth/domains`: `domains[0].id`.
pub fn read_domain_id(resp: HttpResponse) -> Result<String, Error> {
    #[derive(Deserialize)]
    struct Domains {
        #[serde(default)]
        domains: Option<Vec<Domain>>,
    }
    #[derive(Deserialize)]
    struct Domain {
        #[serde(default)]
        id: Option<String>,
    }

    if !(200..300).contains(&resp.status) {
        return Err(status_error(&resp));
    }
    let domains: Domains = parse_object(&resp.body).map_err(|why| bad_body(&resp, &why))?;
    let id = domains
        .domains
        .and_then(|d| d.into_iter().next())
        .and_then(|d| d.id)
        .ok_or_else(|| bad_body(&resp, "no domains[0].id"))?;
    // It is sent back as `X-Domain-Id`.
    header_value("domain id", &id, MAX_DOMAIN_ID_LEN).map_err(|e| bad_body(&resp, e.message()))?;
    Ok(id)
}

/// The body of a password token request, scoped to the user's own account
/// (OSM is global: the token must be domain-scoped). Wiped when dropped.
pub fn password_token_request(credentials: &Password) -> Zeroizing<Vec<u8>> {
    #[derive(Serialize)]
    struct Body<'a> {
        auth: Auth<'a>,
    }
    #[derive(Serialize)]
    struct Auth<'a> {
        identity: Identity<'a>,
        scope: Scope<'a>,
    }
    #[derive(Serialize)]
    struct Identity<'a> {
        methods: [&'a str; 1],
        password: PasswordIdentity<'a>,
    }
    #[derive(Serialize)]
    struct PasswordIdentity<'a> {
        user: User<'a>,
    }
    #[derive(Serialize)]
    struct User<'a> {
        name: &'a str,
        password: &'a str,
        domain: Named<'a>,
    }
    #[derive(Serialize)]
    struct Scope<'a> {
        domain: Named<'a>,
    }
    #[derive(Serialize)]
    struct Named<'a> {
        name: &'a str,
    }

    let domain = Named {
        name: &credentials.domain_name,
    };
    let body = Body {
        auth: Auth {
            identity: Identity {
                methods: ["password"],
                password: PasswordIdentity {
                    user: User {
                        name: &credentials.user,
                        password: credentials.password.expose(),
                        domain: Named { name: domain.name },
                    },
                },
            },
            scope: Scope { domain },
        },
    };
    // Serialising borrowed strings into a Vec cannot fail; the only copy
    // of the password is inside the returned, self-wiping buffer.
    let mut out = Zeroizing::new(Vec::with_capacity(256));
    let _ = serde_json::to_writer(&mut *out, &body);
    out
}

/// A token IAM issued, with its validity as IAM states it. (`Debug` shows
/// the token as `Secret(***)`.)
#[derive(Debug)]
pub struct IssuedToken {
    pub token: Secret,
    pub expires_at: SystemTime,
    /// When IAM says it issued the token: with `expires_at`, the lifetime
    /// by IAM's own clock, whatever the local clock says.
    pub issued_at: Option<SystemTime>,
}

/// The token from the answer to `POST /v3/auth/tokens`: `X-Subject-Token`
/// header, `token.expires_at` (and `token.issued_at`) in the body.
pub fn read_issued_token(resp: HttpResponse) -> Result<IssuedToken, Error> {
    #[derive(Deserialize)]
    struct Body {
        token: Option<Token>,
    }
    #[derive(Deserialize)]
    struct Token {
        #[serde(default)]
        expires_at: Option<String>,
        #[serde(default)]
        issued_at: Option<String>,
    }

    if !(200..300).contains(&resp.status) {
        return Err(status_error(&resp));
    }
    let token = match &resp.subject_token {
        Some(token) => token.clone(),
        None => return Err(bad_body(&resp, "no X-Subject-Token header")),
    };
    if header_value("token", token.expose(), MAX_ISSUED_TOKEN_LEN).is_err() {
        // Never quote the token itself.
        return Err(bad_body(
            &resp,
            "X-Subject-Token is not a usable header value",
        ));
    }
    let body: Body = parse_object(&resp.body).map_err(|why| bad_body(&resp, &why))?;
    let times = body
        .token
        .ok_or_else(|| bad_body(&resp, "no token object"))?;
    let expires_at = times
        .expires_at
        .as_deref()
        .and_then(parse_rfc3339)
        .ok_or_else(|| bad_body(&resp, "token.expires_at is missing or not RFC 3339"))?;
    let issued_at = times.issued_at.as_deref().and_then(parse_rfc3339);
    Ok(IssuedToken {
        token,
        expires_at,
        issued_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::error::ErrorKind;

    fn resp(status: u16, token: Option<&str>, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            request_id: Some("rid".into()),
            content_type: Some("application/json".into()),
            subject_token: token.map(Secret::new),
            body: body.as_bytes().to_vec(),
            ..HttpResponse::default()
        }
    }

    #[test]
    fn domain_id() {
        let ok = r#"{"domains":[{"id":"d1","name":"acct","enabled":true},{"id":"d2"}],"links":{}}"#;
        assert_eq!(read_domain_id(resp(200, None, ok)).unwrap(), "d1");
        for body in [
            r#"{"domains":[]}"#,
            "{}",
            r#"{"domains":[{"id":"a\nb"}]}"#,
            "<html>",
        ] {
            let err = read_domain_id(resp(200, None, body)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadResponse, "{body}");
        }
        let err = read_domain_id(resp(
            401,
            None,
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
        ))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert_eq!(err.service_code(), Some("APIGW.0301"));
    }

    #[test]
    fn token_request_is_the_official_body() {
        let p = Credentials::password("alice", "pw\"SECRET", "acct").unwrap();
        let body: serde_json::Value = serde_json::from_slice(&password_token_request(&p)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"auth": {
                "identity": {"methods": ["password"], "password": {"user": {
                    "name": "alice", "password": "pw\"SECRET", "domain": {"name": "acct"}}}},
                "scope": {"domain": {"name": "acct"}}}})
        );
    }

    #[test]
    fn issued_token() {
        let body = r#"{"token":{"expires_at":"2026-12-05T20:00:00.000000Z","issued_at":"2026-12-04T20:00:00.000000Z","methods":["password"]}}"#;
        let t = read_issued_token(resp(201, Some("tok-SECRET"), body)).unwrap();
        assert_eq!(t.token.expose(), "tok-SECRET");
        assert_eq!(
            t.expires_at
                .duration_since(t.issued_at.unwrap())
                .unwrap()
                .as_secs(),
            86_400
        );
        for (token, body) in [
            (None, body),
            (Some("a\u{1}b-SECRET"), body),
            (Some("tok-SECRET"), r#"{"token":{}}"#),
            (Some("tok-SECRET"), r#"{"token":{"expires_at":"tomorrow"}}"#),
            (Some("tok-SECRET"), "not json"),
        ] {
            let err = read_issued_token(resp(201, token, body)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadResponse, "{body}");
            assert!(!err.message().contains("SECRET"), "{err}");
        }
        let err = read_issued_token(resp(
            401,
            None,
            r#"{"error":{"code":"IAM.0006","message":"Incorrect password"}}"#,
        ))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert_eq!(err.service_code(), Some("IAM.0006"));
    }
}
