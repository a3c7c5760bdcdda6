//! Where requests go: a base URL given by the user, or the URL of a known
//! region. A base URL may carry a path prefix (gateways, private links); the
//! API path is appended to it.

use crate::error::{Error, ErrorKind};
use crate::signing::{canonical_query_string, CanonicalResource};
use ureq::http::{HeaderValue, Uri};

/// Longest accepted endpoint URL.
pub const MAX_ENDPOINT_LEN: usize = 2048;

/// Regions where OSM is published, with their endpoints (Huawei Cloud API reference).
pub const KNOWN_REGIONS: &[(&str, &str)] = &[
    ("cn-south-1", "https://osm.cn-south-1.myhuaweicloud.com"),
    (
        "ap-southeast-3",
        "https://osm.ap-southeast-3.myhuaweicloud.com",
    ),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Scheme, authority and optional path prefix, without a trailing `/`.
    base: String,
}

impl Endpoint {
    /// Parses `http[s]://host[:port][/prefix]`. User info, query and fragment are
    /// refused: user info would put a secret in every log line that shows the URL.
    pub fn parse(url: &str) -> Result<Self, Error> {
        Self::parse_named("endpoint", url)
    }

    /// [`Endpoint::parse`], with `what` (e.g. "IAM endpoint") naming it in errors.
    pub fn parse_named(what: &str, url: &str) -> Result<Self, Error> {
        if url.len() > MAX_ENDPOINT_LEN {
            return Err(Error::invalid_argument(format!(
                "{what} is longer than {MAX_ENDPOINT_LEN} bytes"
            )));
        }
        let bad = |why: &str| Error::invalid_argument(format!("{what} {why}"));
        let uri: Uri = url
            .parse()
            .map_err(|_| bad("is not a valid URL (expected https://host[:port][/prefix])"))?;
        match uri.scheme_str() {
            Some("https") | Some("http") => {}
            _ => return Err(bad("must start with https:// or http://")),
        }
        let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("must not contain user info (user:password@)"));
        }
        if authority.host().is_empty() {
            return Err(bad("has no host"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(bad("must not contain a query or fragment"));
        }
        let path = uri.path().trim_end_matches('/');
        let base = format!(
            "{}://{}{}",
            uri.scheme_str().unwrap_or("https"),
            authority,
            path
        );
        Ok(Endpoint { base })
    }

    /// The endpoint of a known region, e.g. `cn-south-1`.
    pub fn for_region(region: &str) -> Result<Self, Error> {
        KNOWN_REGIONS
            .iter()
            .find(|(id, _)| *id == region)
            .map(|(_, url)| Endpoint {
                base: (*url).to_owned(),
            })
            .ok_or_else(|| {
                let known: Vec<&str> = KNOWN_REGIONS.iter().map(|(id, _)| *id).collect();
                Error::invalid_argument(format!(
                    "unknown region (known: {}); set an endpoint URL instead",
                    known.join(", ")
                ))
            })
    }

    /// The full URL of an API path such as `/v2/servicerequest/carbon-copy-emails`.
    pub fn url_for(&self, api_path: &str) -> String {
        format!("{}{}", self.base, api_path)
    }

    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// Everything a request to `api_path` needs about where it goes, worked
    /// out once: the URI, the path that gets signed, and the `Host` header.
    pub(crate) fn target(&self, api_path: &str) -> Result<Target, Error> {
        let url = self.url_for(api_path);
        let invalid = || {
            Error::new(
                ErrorKind::Config,
                format!("endpoint gives an invalid URL: {url}"),
            )
        };
        let uri: Uri = url.parse().map_err(|_| invalid())?;
        Target::new(uri, Vec::new()).ok_or_else(invalid)
    }
}

/// One request's destination. tcc sets `Host` itself (so ureq adds none)
/// because an AK/SK signature must cover the exact value sent.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub uri: Uri,
    /// The path as sent, prefix included: what the signature covers.
    pub path: String,
    /// The decoded query parameters, sent in canonical form (only a
    /// followed redirect can bring any: endpoints have no query).
    pub query: Vec<(String, String)>,
    /// `Host`: `host[:port]`, the port only when not the scheme's default.
    pub host_header: HeaderValue,
    /// The path and query as an AK/SK signature covers them, made once.
    pub signing_resource: CanonicalResource,
}

impl Target {
    /// A target at `uri` (scheme, authority and path; its own query is
    /// replaced by `query`, in the canonical form the signature covers).
    /// `None` if the URI has no authority or cannot carry the query.
    pub(crate) fn new(uri: Uri, query: Vec<(String, String)>) -> Option<Target> {
        let authority = uri.authority()?.clone();
        let scheme = uri.scheme_str()?.to_owned();
        let path = uri.path().to_owned();
        let pairs: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let signing_resource = CanonicalResource::new(&path, &pairs);
        let uri = if query.is_empty() && uri.query().is_none() {
            uri
        } else {
            let encoded = canonical_query_string(&pairs);
            let separator = if encoded.is_empty() { "" } else { "?" };
            format!("{scheme}://{authority}{path}{separator}{encoded}")
                .parse()
                .ok()?
        };
        // What ureq would send: the port only when it is not the scheme's default.
        let host = match authority.port_u16() {
            Some(port) if port != default_port(&scheme) => format!("{}:{port}", authority.host()),
            _ => authority.host().to_owned(),
        };
        Some(Target {
            host_header: HeaderValue::from_str(&host).ok()?,
            uri,
            path,
            query,
            signing_resource,
        })
    }

    /// Scheme, host and port, with the port made explicit: two targets with
    /// the same origin are the same server, for credentials' sake.
    pub(crate) fn origin(&self) -> (String, String, u16) {
        let scheme = self.uri.scheme_str().unwrap_or("").to_ascii_lowercase();
        let authority = self.uri.authority();
        let host = authority.map_or("", |a| a.host()).to_ascii_lowercase();
        let port = authority
            .and_then(|a| a.port_u16())
            .unwrap_or_else(|| default_port(&scheme));
        (scheme, host, port)
    }
}

fn default_port(scheme: &str) -> u16 {
    if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        80
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_prefix_and_port_and_drops_trailing_slash() {
        let e = Endpoint::parse("http://127.0.0.1:8080/scenario/ok/").unwrap();
        assert_eq!(e.url_for("/v2/x"), "http://127.0.0.1:8080/scenario/ok/v2/x");
        let e = Endpoint::parse("https://osm.cn-south-1.myhuaweicloud.com").unwrap();
        assert_eq!(e.as_str(), "https://osm.cn-south-1.myhuaweicloud.com");
    }

    #[test]
    fn refuses_what_cannot_be_an_endpoint() {
        for bad in [
            "",
            "osm.example.com",
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://example.com/?a=b",
            "https://example.com/#frag",
            "https://exa mple.com",
            "https://",
        ] {
            let err = Endpoint::parse(bad).unwrap_err();
            assert!(!err.message().contains("pw"), "{err:?}");
        }
        assert!(Endpoint::parse(&format!("https://e.com/{}", "a".repeat(3000))).is_err());
    }

    #[test]
    fn target_host_has_the_port_only_when_not_default() {
        let host = |url: &str| {
            let target = Endpoint::parse(url).unwrap().target("/v3/x").unwrap();
            target.host_header.to_str().unwrap().to_owned()
        };
        assert_eq!(host("https://iam.example.com"), "iam.example.com");
        assert_eq!(host("https://iam.example.com:443"), "iam.example.com");
        assert_eq!(host("http://127.0.0.1:80/p"), "127.0.0.1");
        assert_eq!(host("http://127.0.0.1:8080/p"), "127.0.0.1:8080");
        assert_eq!(host("https://[::1]:8443"), "[::1]:8443");
        let t = Endpoint::parse("http://h:1/pre/")
            .unwrap()
            .target("/v3/x")
            .unwrap();
        assert_eq!(t.path, "/pre/v3/x");
        assert_eq!(t.uri.to_string(), "http://h:1/pre/v3/x");
    }

    #[test]
    fn regions() {
        assert_eq!(
            Endpoint::for_region("ap-southeast-3").unwrap().as_str(),
            "https://osm.ap-southeast-3.myhuaweicloud.com"
        );
        let err = Endpoint::for_region("mars-1").unwrap_err();
        assert!(err.message().contains("cn-south-1"));
    }
}
