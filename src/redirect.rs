//! Redirects, which tcc follows itself (ureq's own following is off) so
//! that credentials are handled on purpose:
//!
//! - Off by default: a 3xx is an error (`ErrorKind::Http`) naming its
//!   `Location`. OSM does not redirect; a redirect usually means a wrong
//!   endpoint, or a gateway in the way, and the user should know.
//! - When enabled (up to a limit), a redirect within the same origin
//!   (scheme, host and port) is followed with the same credentials, the
//!   request rebuilt for its new path: an AK/SK signature covers the path
//!   and query, so it is signed again.
//! - A redirect to another origin is never followed: tcc stops with an error
//!   instead. Following it with the credentials would hand them to a server
//!   the user never named; following it without them would, for an API that
//!   always needs them, either fail anyway or, worse, accept an answer from
//!   an unauthenticated stranger as the account's data. A scheme change
//!   (`https` to `http`) is another origin too, so TLS is never dropped.
//! - Only GETs follow redirects; IAM's token POST carries a password in its
//!   body and is never sent anywhere but where it was configured to go.

use ureq::http::Uri;

use crate::deadline::Deadline;
use crate::endpoint::Target;
use crate::error::{Error, ErrorKind};
use crate::percent_decode::percent_decode;
use crate::response::{shown_location, HttpResponse};
use crate::transport::{HeadersFor, Request, Transport};

/// The largest redirect limit that may be configured.
pub const MAX_REDIRECTS: u32 = 10;

/// Sends a request to `first` and follows up to `max_redirects` same-origin
/// redirects. `headers_for` builds the headers for a target, credentials and
/// signature included; it is called again for each redirect.
pub(crate) fn send_following(
    transport: &Transport,
    first: &Target,
    body: Option<&[u8]>,
    max_redirects: u32,
    deadline: Deadline,
    headers_for: &HeadersFor<'_>,
) -> Result<HttpResponse, Error> {
    let mut current: Option<Target> = None;
    let mut followed = 0;
    loop {
        let target = current.as_ref().unwrap_or(first);
        let request = Request {
            target,
            headers: headers_for(target)?,
            body,
        };
        let response = transport.send(request, deadline)?;
        let location = match &response.location {
            Some(location) if is_redirect(response.status) => location,
            // Not a redirect (or one without a Location, an error later on).
            _ => return Ok(response),
        };
        if max_redirects == 0 || body.is_some() {
            return Ok(response);
        }
        let refuse = |why: &str| {
            Err(Error::new(
                ErrorKind::Http,
                format!(
                    "HTTP {}: redirect to {} not followed: {why}",
                    response.status,
                    shown_location(location)
                ),
            )
            .with_http_status(response.status)
            .with_request_id(response.request_id.clone()))
        };
        if followed == max_redirects {
            return refuse(&format!(
                "{followed} redirects followed already, the configured limit"
            ));
        }
        let Some(next) = resolve(&target.uri, location) else {
            return refuse("the Location is not a usable http(s) URL");
        };
        if next.origin() != target.origin() {
            return refuse(
                "it leads to another origin (scheme, host or port), \
                 and credentials are only ever sent to the configured endpoint",
            );
        }
        followed += 1;
        current = Some(next);
    }
}

/// The statuses whose `Location` says where the resource is now.
fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The target a `Location` leads to from `base` (RFC 3986 reference
/// resolution; the fragment is dropped, the query decoded for signing).
/// `None` if it is not a valid http(s) URL.
fn resolve(base: &Uri, location: &str) -> Option<Target> {
    let location = location.split('#').next().unwrap_or_default();
    let scheme = base.scheme_str()?;
    let authority = base.authority()?.as_str();
    let absolute = if location.starts_with("//") {
        format!("{scheme}:{location}")
    } else if has_scheme(location) {
        location.to_owned()
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else if location.is_empty() || location.starts_with('?') {
        format!("{scheme}://{authority}{}{location}", base.path())
    } else {
        let path = base.path();
        let directory = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        format!("{scheme}://{authority}{directory}{location}")
    };
    let uri: Uri = absolute.parse().ok()?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return None;
    }
    let authority = uri.authority()?;
    if authority.as_str().contains('@') || authority.host().is_empty() {
        return None;
    }
    let path = remove_dot_segments(uri.path());
    let query = match uri.query() {
        Some(query) => decode_query(query)?,
        None => Vec::new(),
    };
    let bare: Uri = format!("{}://{}{}", uri.scheme_str()?, authority, path)
        .parse()
        .ok()?;
    Target::new(bare, query)
}

/// `scheme:` at the start, as RFC 3986 spells a scheme.
fn has_scheme(reference: &str) -> bool {
    match reference.split_once(':') {
        Some((scheme, _)) => {
            let mut chars = scheme.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// RFC 3986 section 5.2.4: resolves `.` and `..` segments.
fn remove_dot_segments(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    for (i, segment) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match *segment {
            "." => {
                if last {
                    segments.push("");
                }
            }
            ".." => {
                segments.pop();
                if last {
                    segments.push("");
                }
            }
            other => segments.push(other),
        }
    }
    format!("/{}", segments.join("/"))
}

/// `a=1&b=%2F` into decoded pairs (`+` stays a plus, as the signer reads
/// it); `None` if an escape is malformed or the result is not UTF-8.
fn decode_query(query: &str) -> Option<Vec<(String, String)>> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(name)?, percent_decode(value)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Uri {
        "http://127.0.0.1:8080/scenario/redirect-same/v2/servicerequest/carbon-copy-emails"
            .parse()
            .unwrap()
    }

    fn resolved(location: &str) -> Option<String> {
        resolve(&base(), location).map(|t| t.uri.to_string())
    }

    #[test]
    fn resolves_every_kind_of_reference() {
        let cases = [
            ("/v2/x", "http://127.0.0.1:8080/v2/x"),
            (
                "emails2",
                "http://127.0.0.1:8080/scenario/redirect-same/v2/servicerequest/emails2",
            ),
            (
                "../../v3/y",
                "http://127.0.0.1:8080/scenario/redirect-same/v3/y",
            ),
            (
                "./z#frag",
                "http://127.0.0.1:8080/scenario/redirect-same/v2/servicerequest/z",
            ),
            ("//localhost:9/p", "http://localhost:9/p"),
            (
                "https://osm.example.com/v2/x",
                "https://osm.example.com/v2/x",
            ),
            ("/a/b/../c/./d", "http://127.0.0.1:8080/a/c/d"),
            ("/a?b=%2F&a=1+2", "http://127.0.0.1:8080/a?a=1%2B2&b=%2F"),
        ];
        for (location, expected) in cases {
            assert_eq!(resolved(location).as_deref(), Some(expected), "{location}");
        }
        let t = resolve(&base(), "/a?x=%E4%B8%AD&flag").unwrap();
        assert_eq!(t.path, "/a");
        assert_eq!(
            t.query,
            [
                ("x".to_owned(), "中".to_owned()),
                ("flag".to_owned(), String::new())
            ]
        );
        assert_eq!(t.host_header, "127.0.0.1:8080");
        for bad in [
            "ftp://example.com/x",
            "http://user:pw@example.com/x",
            "/a?x=%zz",
            "/a?x=%ff",
            "http:///x",
            "/bad path",
        ] {
            assert_eq!(resolved(bad), None, "{bad}");
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_effective_port() {
        let origin = |url: &str| {
            Target::new(url.parse().unwrap(), Vec::new())
                .unwrap()
                .origin()
        };
        assert_eq!(
            origin("https://OSM.example.com/a"),
            origin("https://osm.example.com:443/b")
        );
        assert_ne!(
            origin("https://osm.example.com/a"),
            origin("http://osm.example.com/a")
        );
        assert_ne!(
            origin("http://127.0.0.1:80/a"),
            origin("http://localhost:80/a")
        );
        assert_ne!(origin("http://h:1/a"), origin("http://h:2/a"));
    }

    #[test]
    fn dot_segments() {
        assert_eq!(remove_dot_segments("/a/b/c/./../../g"), "/a/g");
        assert_eq!(remove_dot_segments("/.."), "/");
        assert_eq!(remove_dot_segments("/a/."), "/a/");
        assert_eq!(remove_dot_segments("/a/b/.."), "/a/");
    }
}
