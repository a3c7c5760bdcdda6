//! Request → reply: recording, routing, the gateway's checks (auth, header
//! rules), then the scenario; or one of the IAM routes; or a proxy's
//! `CONNECT`.

use serde_json::json;

use crate::auth::{self, Service};
use crate::http::{RequestHead, Response};
use crate::misbehave::Misbehaviour;
use crate::{iam, scenarios, RecordedRequest, Shared};

/// What the connection does with a request.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Send this response (keep-alive rules apply).
    Respond(Response),
    /// Misbehave as a network scenario asks; the connection ends after it.
    Misbehave(Misbehaviour),
    /// Answer `200 Connection established` and tunnel to `127.0.0.1:<port>`.
    Tunnel(u16),
}

impl From<Response> for Reply {
    fn from(response: Response) -> Reply {
        Reply::Respond(response)
    }
}

pub(crate) const API_PATH: &str = "/v2/servicerequest/carbon-copy-emails";
const SCENARIO_PREFIX: &str = "/scenario/";
const CONTROL_PREFIX: &str = "/_standin/";
const IAM_TOKENS_PATH: &str = "/v3/auth/tokens";
const IAM_DOMAINS_PATH: &str = "/v3/auth/domains";

#[derive(Debug)]
enum Route<'a> {
    /// The OSM operation, with the scenario name.
    Api(&'a str),
    /// `POST /v3/auth/tokens`.
    IamTokens,
    /// `GET /v3/auth/domains`.
    IamDomains,
    /// `GET /_standin/requests`.
    RecordedRequests,
    NotFound,
}

/// Path part of a request target: no query or fragment; absolute-form
/// (`http://host/path`, as sent to proxies) reduced to its path.
fn path_of(target: &str) -> &str {
    let mut path = target;
    for scheme in ["http://", "https://"] {
        if let Some(rest) = target.strip_prefix(scheme) {
            path = rest.find('/').map_or("/", |i| &rest[i..]);
        }
    }
    let end = path.find(['?', '#']).unwrap_or(path.len());
    &path[..end]
}

/// `path` without a `/scenario/<name>` prefix (IAM ignores scenarios).
fn without_scenario(path: &str) -> &str {
    path.strip_prefix(SCENARIO_PREFIX)
        .and_then(|rest| rest.find('/').filter(|&i| i > 0).map(|i| &rest[i..]))
        .unwrap_or(path)
}

fn route<'a>(method: &str, path: &'a str) -> Route<'a> {
    match (method, without_scenario(path)) {
        ("POST", IAM_TOKENS_PATH) => return Route::IamTokens,
        ("GET", IAM_DOMAINS_PATH) => return Route::IamDomains,
        _ => {}
    }
    if method != "GET" {
        return Route::NotFound;
    }
    if path == API_PATH {
        return Route::Api("ok");
    }
    if path == "/_standin/requests" {
        return Route::RecordedRequests;
    }
    match path
        .strip_prefix(SCENARIO_PREFIX)
        .and_then(|rest| rest.strip_suffix(API_PATH))
    {
        Some(name) if !name.is_empty() && !name.contains('/') => Route::Api(name),
        _ => Route::NotFound,
    }
}

fn not_found() -> Response {
    Response::error(
        404,
        "APIGW.0101",
        "The API does not exist or has not been published in the environment",
    )
}

/// The optional headers' rules from the API reference.
fn headers_valid(req: &RequestHead) -> bool {
    let length_ok = |name: &str| {
        req.header(name)
            .is_none_or(|v| (1..=32).contains(&v.chars().count()))
    };
    let site_ok = req.header("x-site").is_none_or(|v| v == "0" || v == "1");
    site_ok && length_ok("x-language") && length_ok("x-time-zone")
}

fn recorded_requests_json(shared: &Shared) -> Response {
    if !shared.config.record_requests {
        return Response::error(
            404,
            "STANDIN.0004",
            "request recording is off (osm-standin --no-record)",
        );
    }
    let list: Vec<_> = shared
        .recorded()
        .iter()
        .map(|r| {
            json!({
                "method": r.method,
                "target": r.target,
                "headers": r.headers,
                "body": r.body_text(),
            })
        })
        .collect();
    Response::json(200, &serde_json::Value::Array(list))
}

/// Where a `CONNECT host:port` may go: only this machine, by address or by
/// the name `localhost` (never resolved: always 127.0.0.1).
fn connect_target(target: &str) -> Result<u16, Response> {
    let Some((host, port)) = target.rsplit_once(':') else {
        return Err(Response::error(
            400,
            "STANDIN.0001",
            "CONNECT needs host:port",
        ));
    };
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|&p| p != 0 && port.bytes().all(|b| b.is_ascii_digit()));
    let Some(port) = port else {
        return Err(Response::error(
            400,
            "STANDIN.0001",
            "CONNECT needs host:port",
        ));
    };
    if host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost") {
        Ok(port)
    } else {
        Err(Response::error(
            403,
            "STANDIN.0002",
            "the stand-in only tunnels to 127.0.0.1 and localhost",
        ))
    }
}

pub(crate) fn handle(shared: &Shared, req: &RequestHead, body: &[u8]) -> Reply {
    let path = path_of(req.target);
    // Recorded before answering, so a test that has its response also sees the record.
    if shared.config.record_requests && !path.starts_with(CONTROL_PREFIX) {
        shared.record(RecordedRequest {
            method: req.method.to_owned(),
            target: req.target.to_owned(),
            headers: req
                .headers
                .iter()
                .map(|&(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
            body: body.to_vec(),
        });
    }

    // A proxy's tunnel: no gateway in front of it.
    if req.method == "CONNECT" {
        return match connect_target(req.target) {
            Ok(port) => Reply::Tunnel(port),
            Err(response) => response.into(),
        };
    }

    let scenario = match route(req.method, path) {
        Route::NotFound => return not_found().into(),
        Route::RecordedRequests => return recorded_requests_json(shared).into(),
        Route::IamTokens => return iam::issue_token(shared, body).into(),
        Route::IamDomains => return iam::list_domains(shared, req, body).into(),
        Route::Api(name) => name,
    };
    if !scenarios::is_scenario(scenario) {
        return not_found().into();
    }
    // The gateway authenticates before OSM sees the request.
    if let Err(response) = auth::authenticate(shared, req, body, Service::Global) {
        return response.into();
    }
    if !headers_valid(req) {
        return Response::error(400, "OSM.0001", "parameter check failed").into();
    }
    let hit = shared.count_scenario_hit(scenario);
    scenarios::respond(scenario, hit, shared.now_micros()).unwrap_or_else(|| not_found().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_drop_query_fragment_and_authority() {
        assert_eq!(path_of("/a/b?c=d"), "/a/b");
        assert_eq!(path_of("/a#frag"), "/a");
        assert_eq!(path_of("http://h:1/a?x"), "/a");
        assert_eq!(path_of("http://h:1"), "/");
    }

    #[test]
    fn routes() {
        assert!(matches!(route("GET", API_PATH), Route::Api("ok")));
        assert!(matches!(
            route("GET", "/scenario/null/v2/servicerequest/carbon-copy-emails"),
            Route::Api("null")
        ));
        assert!(matches!(route("POST", API_PATH), Route::NotFound));
        assert!(matches!(
            route("GET", "/scenario//v2/servicerequest/carbon-copy-emails"),
            Route::NotFound
        ));
        assert!(matches!(
            route("GET", "/scenario/a/b/v2/servicerequest/carbon-copy-emails"),
            Route::NotFound
        ));
        assert!(matches!(
            route("GET", "/v2/servicerequest/carbon-copy-emails/"),
            Route::NotFound
        ));
        assert!(matches!(
            route("GET", "/_standin/requests"),
            Route::RecordedRequests
        ));
    }

    #[test]
    fn connect_targets() {
        assert_eq!(connect_target("127.0.0.1:443").unwrap(), 443);
        assert_eq!(connect_target("LocalHost:8080").unwrap(), 8080);
        for (target, status) in [
            ("example.com:443", 403),
            ("127.0.0.2:443", 403),
            ("[::1]:443", 403),
            ("localhost.example.com:443", 403),
            ("127.0.0.1", 400),
            ("127.0.0.1:0", 400),
            ("127.0.0.1:+80", 400),
            ("127.0.0.1:70000", 400),
        ] {
            assert_eq!(
                connect_target(target).unwrap_err().status,
                status,
                "{target}"
            );
        }
    }

    #[test]
    fn iam_routes_with_and_without_scenario_prefix() {
        assert!(matches!(route("POST", "/v3/auth/tokens"), Route::IamTokens));
        assert!(matches!(
            route("POST", "/scenario/ok/v3/auth/tokens"),
            Route::IamTokens
        ));
        assert!(matches!(
            route("GET", "/v3/auth/domains"),
            Route::IamDomains
        ));
        assert!(matches!(
            route("GET", "/scenario/null/v3/auth/domains"),
            Route::IamDomains
        ));
        assert!(matches!(route("GET", "/v3/auth/tokens"), Route::NotFound));
        assert!(matches!(route("POST", "/v3/auth/domains"), Route::NotFound));
        assert!(matches!(
            route("POST", "/scenario//v3/auth/tokens"),
            Route::NotFound
        ));
        assert!(matches!(route("POST", "/v3/auth/tokens/"), Route::NotFound));
    }
}
