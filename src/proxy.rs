//! Which HTTP proxy, if any, a request goes through.
//!
//! - An explicit proxy (`ClientOptions::set_proxy`) carries every request,
//!   OSM's and IAM's alike; `NO_PROXY` does not apply to it.
//! - Without one, the environment decides, the way curl reads it:
//!   `https_proxy`/`HTTPS_PROXY` for `https://` URLs, `http_proxy` (lower
//!   case only) for `http://` URLs, `all_proxy`/`ALL_PROXY` for both when
//!   the specific one is unset, and `no_proxy`/`NO_PROXY` lists the hosts
//!   reached directly. The upper-case `HTTP_PROXY` is ignored on purpose: a
//!   CGI program gets it from the client's `Proxy:` request header
//!   ("httpoxy"), so it cannot be trusted.
//! - `set_proxy("")` turns proxies off, the environment included.
//!
//! The environment is read once, when the client is created. `https://`
//! requests go through a `CONNECT` tunnel, so TLS runs end to end and the
//! proxy sees only the host name; `http://` requests are sent to the proxy
//! in absolute form (`GET http://host/path`), as proxies expect.
//!
//! A proxy URL may hold `user:password@` (sent as `Proxy-Authorization:
//! Basic`); the password is a secret like any credential: tcc's copies are
//! wiped on drop, and it never appears in a message or in `Debug` output,
//! nor does the URL it came in. (ureq keeps its own copy for `CONNECT`
//! tunnels, in a plain `String` freed with the client.)

use std::fmt;

use ureq::http::{HeaderValue, Uri};

use crate::error::{Error, ErrorKind};
use crate::percent_decode::percent_decode;
use crate::secret::Secret;

/// Longest proxy URL accepted.
pub const MAX_PROXY_URL_LEN: usize = 2048;

/// What `ClientOptions` says about proxies.
#[derive(Clone, Debug, Default)]
pub(crate) enum ProxySetting {
    /// Whatever the environment says when the client is created.
    #[default]
    FromEnvironment,
    /// This proxy for every request.
    Explicit(ProxyUrl),
    /// No proxy at all, whatever the environment says.
    Off,
}

/// An `http://` proxy: where it is and how to log in to it.
#[derive(Clone)]
pub(crate) struct ProxyUrl {
    /// The host as written in a URL (an IPv6 address keeps its brackets).
    host: String,
    port: u16,
    user: Option<String>,
    password: Option<Secret>,
}

impl ProxyUrl {
    /// Parses `[http://][user[:password]@]host[:port][/]`; the port defaults
    /// to 1080 as in curl. `what` names the setting in errors (the option, or
    /// an environment variable); no error ever quotes the URL, which may
    /// hold a password.
    pub fn parse(what: &str, url: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::invalid_argument(format!("{what} {why}"));
        if url.len() > MAX_PROXY_URL_LEN {
            return Err(bad(&format!("is longer than {MAX_PROXY_URL_LEN} bytes")));
        }
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some(_) => {
                return Err(bad(
                    "must be an http:// proxy (HTTPS and SOCKS proxies are not supported)",
                ))
            }
            None => url,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(bad("must not have a path, query or fragment"));
        }
        let (userinfo, host_port) = match rest.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, rest),
        };
        let uri: Uri = format!("http://{host_port}")
            .parse()
            .map_err(|_| bad("is not a valid proxy URL (expected http://host:port)"))?;
        let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
        if authority.host().is_empty() {
            return Err(bad("has no host"));
        }
        // Read from the text: `Authority` turns a port over 65535 into none.
        let port = match host_port.rsplit_once(':') {
            Some((_, port)) if !host_port.ends_with(']') => port
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad("has an invalid port"))?,
            _ => 1080,
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(userinfo) => {
                let (user, password) = match userinfo.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (userinfo, None),
                };
                let decode = |part: &str, name: &str| {
                    percent_decode(part)
                        .ok_or_else(|| bad(&format!("has a badly percent-encoded {name}")))
                };
                let user = decode(user, "user name")?;
                let password = password.map(|p| decode(p, "password")).transpose()?;
                (Some(user), password.map(Secret::new))
            }
        };
        Ok(ProxyUrl {
            host: authority.host().to_owned(),
            port,
            user,
            password,
        })
    }

    /// `http://host:port`: where to connect, without any credential.
    fn origin(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// The proxy as ureq takes it for `CONNECT` tunnels (it logs in with
    /// Basic authentication itself).
    fn for_ureq(&self) -> Result<ureq::Proxy, Error> {
        let mut builder = ureq::Proxy::builder(ureq::ProxyProtocol::Http)
            .host(&self.host)
            .port(self.port);
        if let Some(user) = &self.user {
            builder = builder.username(user);
        }
        if let Some(password) = &self.password {
            builder = builder.password(password.expose());
        }
        builder.build().map_err(|_| {
            Error::new(
                ErrorKind::Config,
                "the proxy's host is not usable; check the proxy URL",
            )
        })
    }

    /// `Proxy-Authorization` for requests sent in absolute form, when the
    /// URL has a user; a sensitive header value, wiped on drop.
    fn authorization(&self) -> Result<Option<HeaderValue>, Error> {
        let Some(user) = &self.user else {
            return Ok(None);
        };
        let password = self.password.as_ref().map_or("", Secret::expose);
        let mut plain =
            zeroize::Zeroizing::new(String::with_capacity(user.len() + 1 + password.len()));
        plain.push_str(user);
        plain.push(':');
        plain.push_str(password);
        let header = Secret::new(format!("Basic {}", base64(plain.as_bytes())));
        header.header_value().map(Some)
    }
}

/// Shows where the proxy is, never who logs in to it.
impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let login = if self.user.is_some() { "***@" } else { "" };
        write!(f, "ProxyUrl(http://{login}{}:{})", self.host, self.port)
    }
}

/// A proxy in use, with what requests through it need, made once per
/// client: the proxy as ureq takes it for tunnels, and the login header
/// for absolute-form requests.
pub(crate) struct ActiveProxy {
    url: ProxyUrl,
    tunnel: ureq::Proxy,
    login: Option<HeaderValue>,
}

impl ActiveProxy {
    fn new(url: ProxyUrl) -> Result<Self, Error> {
        Ok(ActiveProxy {
            tunnel: url.for_ureq()?,
            login: url.authorization()?,
            url,
        })
    }

    /// `http://host:port`, without any credential.
    pub fn origin(&self) -> String {
        self.url.origin()
    }

    /// For `CONNECT` tunnels (ureq logs in with Basic authentication).
    pub fn tunnel(&self) -> &ureq::Proxy {
        &self.tunnel
    }

    /// `Proxy-Authorization` for absolute-form requests, when there is a login.
    pub fn login(&self) -> Option<&HeaderValue> {
        self.login.as_ref()
    }
}

/// Only the URL, whose `Debug` hides the login.
impl fmt::Debug for ActiveProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.url.fmt(f)
    }
}

/// The proxies a client uses, settled when it is created.
#[derive(Debug, Default)]
pub(crate) struct Proxies {
    explicit: Option<ActiveProxy>,
    http: Option<ActiveProxy>,
    https: Option<ActiveProxy>,
    no_proxy: NoProxy,
}

/// The proxy variables, in the order curl reads them (lower case first).
pub const HTTPS_PROXY_VARS: [&str; 2] = ["https_proxy", "HTTPS_PROXY"];
pub const HTTP_PROXY_VARS: [&str; 1] = ["http_proxy"];
pub const ALL_PROXY_VARS: [&str; 2] = ["all_proxy", "ALL_PROXY"];
pub const NO_PROXY_VARS: [&str; 2] = ["no_proxy", "NO_PROXY"];

impl Proxies {
    /// Settles `setting`, reading the environment through `env` (an unset
    /// or empty variable is `None`) when it says so. A malformed proxy
    /// variable is a configuration error naming it: silently going direct
    /// could break a network that only works through the proxy.
    pub fn new(
        setting: &ProxySetting,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        match setting {
            ProxySetting::Off => Ok(Proxies::default()),
            ProxySetting::Explicit(url) => Ok(Proxies {
                explicit: Some(ActiveProxy::new(url.clone())?),
                ..Proxies::default()
            }),
            ProxySetting::FromEnvironment => {
                let first = |names: &[&'static str]| {
                    names
                        .iter()
                        .find_map(|name| env(name).filter(|v| !v.is_empty()).map(|v| (*name, v)))
                };
                let parse = |found: Option<(&str, String)>| {
                    found
                        .map(|(name, value)| {
                            ProxyUrl::parse("proxy URL", &value)
                                .and_then(ActiveProxy::new)
                                .map_err(|e| {
                                    Error::new(
                                        ErrorKind::Config,
                                        format!("{name}: {}", e.message()),
                                    )
                                })
                        })
                        .transpose()
                };
                let all = first(&ALL_PROXY_VARS);
                let https = first(&HTTPS_PROXY_VARS).or_else(|| all.clone());
                let http = first(&HTTP_PROXY_VARS).or(all);
                Ok(Proxies {
                    explicit: None,
                    https: parse(https)?,
                    http: parse(http)?,
                    no_proxy: NoProxy::parse(
                        &first(&NO_PROXY_VARS).map(|(_, v)| v).unwrap_or_default(),
                    ),
                })
            }
        }
    }

    /// The proxy for a request to `uri`, or `None` to connect directly.
    pub fn for_uri(&self, uri: &Uri) -> Option<&ActiveProxy> {
        if let Some(explicit) = &self.explicit {
            return Some(explicit);
        }
        let proxy = match uri.scheme_str() {
            Some("https") => self.https.as_ref(),
            _ => self.http.as_ref(),
        }?;
        match uri.host() {
            Some(host) if self.no_proxy.matches(host) => None,
            _ => Some(proxy),
        }
    }
}

/// `NO_PROXY` as curl reads it: comma- or space-separated host names or
/// IP addresses; a name also covers its subdomains (`example.com` and
/// `.example.com` both match `api.example.com`); `*` alone matches every
/// host. Ports and CIDR ranges are not supported.
#[derive(Debug, Default)]
struct NoProxy {
    all: bool,
    hosts: Vec<String>,
}

impl NoProxy {
    fn parse(value: &str) -> Self {
        let entries = value
            .split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|e| !e.is_empty());
        let mut no_proxy = NoProxy::default();
        for entry in entries {
            if entry == "*" {
                no_proxy.all = true;
            }
            let host = entry.trim_start_matches('.');
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if !host.is_empty() {
                no_proxy.hosts.push(host.to_ascii_lowercase());
            }
        }
        no_proxy
    }

    fn matches(&self, host: &str) -> bool {
        if self.all {
            return true;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.iter().any(|entry| {
            host == *entry
                || host
                    .strip_suffix(entry.as_str())
                    .is_some_and(|prefix| prefix.ends_with('.'))
        })
    }
}

/// Standard base64 with padding, for the one Basic credential.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn uri(text: &str) -> Uri {
        text.parse().unwrap()
    }

    fn chosen(proxies: &Proxies, url: &str) -> Option<String> {
        proxies.for_uri(&uri(url)).map(ActiveProxy::origin)
    }

    #[test]
    fn parses_the_usual_forms_and_hides_the_password() {
        let p = ProxyUrl::parse("proxy", "http://proxy.corp:3128/").unwrap();
        assert_eq!(p.origin(), "http://proxy.corp:3128");
        assert_eq!(p.authorization().unwrap(), None);
        let p = ProxyUrl::parse("proxy", "proxy.corp").unwrap();
        assert_eq!(p.origin(), "http://proxy.corp:1080");
        let p = ProxyUrl::parse("proxy", "http://[::1]:8080").unwrap();
        assert_eq!(p.origin(), "http://[::1]:8080");
        assert!(p.for_ureq().is_ok());

        let p = ProxyUrl::parse("proxy", "http://al%40ice:pw-SECRET%3A1@127.0.0.1:8080").unwrap();
        assert_eq!(p.origin(), "http://127.0.0.1:8080");
        let auth = p.authorization().unwrap().unwrap();
        assert!(auth.is_sensitive());
        // base64("al@ice:pw-SECRET:1")
        assert_eq!(auth.to_str().unwrap(), "Basic YWxAaWNlOnB3LVNFQ1JFVDox");
        assert!(!format!("{p:?} {auth:?}").contains("SECRET"), "{p:?}");
        assert_eq!(format!("{p:?}"), "ProxyUrl(http://***@127.0.0.1:8080)");
    }

    #[test]
    fn refuses_what_it_cannot_use_without_quoting_it() {
        for bad in [
            "https://u:pw-SECRET@proxy:443",
            "socks5://pw-SECRET@proxy",
            "http://u:pw-SECRET@proxy:99999",
            "http://u:pw-SECRET@proxy:0",
            "http://u:pw-SECRET@proxy:3128/path",
            "http://u:pw-SECRET@proxy:3128?q",
            "http://u:pw-SECRET%zz@proxy:3128",
            "http://u:pw-SECRET@",
            "http://u:pw-SECRET@pro xy",
            "",
        ] {
            let err = ProxyUrl::parse("proxy URL", bad).expect_err(bad);
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad}");
            assert!(err.message().starts_with("proxy URL "), "{err}");
            assert!(!err.message().contains("SECRET"), "{err}");
        }
    }

    #[test]
    fn environment_like_curl() {
        let vars = [
            ("https_proxy", "http://secure:1"),
            ("HTTP_PROXY", "http://httpoxy:2"),
            ("ALL_PROXY", "http://all:3"),
            ("NO_PROXY", "internal.corp, .lan,10.0.0.1 [::1]"),
        ];
        let p = Proxies::new(&ProxySetting::FromEnvironment, env(&vars)).unwrap();
        assert_eq!(
            chosen(&p, "https://osm.example.com/x").as_deref(),
            Some("http://secure:1")
        );
        // Upper-case HTTP_PROXY is not trusted: ALL_PROXY applies.
        assert_eq!(
            chosen(&p, "http://osm.example.com/x").as_deref(),
            Some("http://all:3")
        );
        for direct in [
            "https://internal.corp/x",
            "https://api.INTERNAL.corp/x",
            "https://host.lan/x",
            "http://10.0.0.1:8080/x",
            "http://[::1]:8080/x",
        ] {
            assert_eq!(chosen(&p, direct), None, "{direct}");
        }
        assert!(chosen(&p, "https://notinternal.corp/x").is_some());
        assert!(chosen(&p, "http://10.0.0.10/x").is_some());

        let p = Proxies::new(
            &ProxySetting::FromEnvironment,
            env(&[("http_proxy", "http://plain:4"), ("no_proxy", "*")]),
        )
        .unwrap();
        assert_eq!(chosen(&p, "http://osm.example.com/x"), None);
        let p = Proxies::new(
            &ProxySetting::FromEnvironment,
            env(&[("http_proxy", "http://plain:4")]),
        )
        .unwrap();
        assert_eq!(chosen(&p, "http://a/x").as_deref(), Some("http://plain:4"));
        assert_eq!(chosen(&p, "https://a/x"), None);

        let err = Proxies::new(
            &ProxySetting::FromEnvironment,
            env(&[("HTTPS_PROXY", "socks5://u:pw-SECRET@x")]),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message()
                .starts_with("HTTPS_PROXY: proxy URL must be an http://"),
            "{err}"
        );
        assert!(!err.message().contains("SECRET"));
    }

    #[test]
    fn explicit_and_off_ignore_the_environment() {
        let vars = [("https_proxy", "http://env:1"), ("no_proxy", "*")];
        let explicit = ProxySetting::Explicit(ProxyUrl::parse("proxy", "http://mine:2").unwrap());
        let p = Proxies::new(&explicit, env(&vars)).unwrap();
        assert_eq!(chosen(&p, "https://a/x").as_deref(), Some("http://mine:2"));
        assert_eq!(chosen(&p, "http://a/x").as_deref(), Some("http://mine:2"));
        let p = Proxies::new(&ProxySetting::Off, env(&vars)).unwrap();
        assert_eq!(chosen(&p, "https://a/x"), None);
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
    }
}
