//! Host name resolution for a client's new connections. ureq's default
//! resolver spawns a thread per lookup whenever a timeout is set: a thread
//! and a `getaddrinfo` for every connection made. This resolver keeps the
//! answers for the few hosts a client talks to: names for a short while, IP
//! literals (parsed, never looked up) for good.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up name is reused: short enough to follow DNS changes
/// (failover) within half a minute, long enough that a polling client does
/// one lookup per half minute instead of one per call.
const TTL: Duration = Duration::from_secs(30);

/// A client talks to a handful of hosts (OSM, IAM, a proxy): a bound on the
/// cache only guards against the unexpected.
const MAX_ENTRIES: usize = 16;

struct Entry {
    /// The URL's authority as written, with the scheme's default port: the
    /// key, compared without parsing the authority again.
    authority: String,
    default_port: Option<u16>,
    addrs: ResolvedSocketAddrs,
    /// `None` for an IP literal: its answer never changes.
    expires: Option<Instant>,
}

#[derive(Default)]
pub(crate) struct CachingResolver {
    /// A few entries, searched in order: cheaper than hashing the key.
    entries: Mutex<Vec<Entry>>,
    lookup: DefaultResolver,
}

impl fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CachingResolver")
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return self.lookup.resolve(uri, config, timeout);
        };
        let default_port = match scheme.as_str() {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        };
        let now = Instant::now();
        let same_key =
            |e: &Entry| e.default_port == default_port && e.authority == authority.as_str();
        if let Some(entry) = self
            .lock()
            .iter()
            .find(|e| same_key(e))
            .filter(|e| e.expires.is_none_or(|at| now < at))
        {
            return Ok(entry.addrs.clone());
        }

        let Some(port) = authority.port_u16().or(default_port) else {
            return self.lookup.resolve(uri, config, timeout);
        };
        // `[::1]` in a URL is the literal `::1`.
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let (addrs, expires) = match host.parse::<IpAddr>() {
            Ok(ip) => {
                let mut addrs = self.empty();
                addrs.push(SocketAddr::new(ip, port));
                (addrs, None)
            }
            // Looked up without the lock held: a slow DNS answer must not
            // block other threads' calls to hosts already known. Failures
            // are not cached.
            Err(_) => (self.lookup.resolve(uri, config, timeout)?, Some(now + TTL)),
        };
        let mut entries = self.lock();
        entries.retain(|e| !same_key(e));
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.push(Entry {
            authority: authority.as_str().to_owned(),
            default_port,
            addrs: addrs.clone(),
            expires,
        });
        Ok(addrs)
    }
}

impl CachingResolver {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        // The list is consistent after every operation: poison carries no meaning.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::time;

    fn resolve(resolver: &CachingResolver, url: &str) -> Vec<SocketAddr> {
        let uri: Uri = url.parse().unwrap();
        let timeout = NextTimeout {
            after: time::Duration::from(Duration::from_secs(5)),
            reason: ureq::Timeout::Resolve,
            per_read: None,
            per_write: None,
        };
        resolver
            .resolve(&uri, &Config::default(), timeout)
            .unwrap()
            .iter()
            .copied()
            .collect()
    }

    #[test]
    fn ip_literals_need_no_lookup_and_never_expire() {
        let r = CachingResolver::default();
        assert_eq!(
            resolve(&r, "http://127.0.0.1:8080/x"),
            ["127.0.0.1:8080".parse().unwrap()]
        );
        assert_eq!(
            resolve(&r, "https://[::1]/x"),
            ["[::1]:443".parse().unwrap()]
        );
        assert_eq!(
            resolve(&r, "http://10.1.2.3/"),
            ["10.1.2.3:80".parse().unwrap()]
        );
        let entries = r.lock();
        assert_eq!(entries.len(), 3);
        assert!(entries.iter().all(|e| e.expires.is_none()));
        drop(entries);
        // Answered from the list the second time, the same.
        assert_eq!(
            resolve(&r, "http://127.0.0.1:8080/y"),
            ["127.0.0.1:8080".parse().unwrap()]
        );
        assert_eq!(r.lock().len(), 3);
    }

    #[test]
    fn names_are_looked_up_once_within_the_ttl() {
        let r = CachingResolver::default();
        let first = resolve(&r, "http://localhost:8080/");
        assert!(r.lock()[0].expires.is_some());
        assert!(first
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 8080));
        assert_eq!(r.lock().len(), 1);
        assert_eq!(resolve(&r, "http://localhost:8080/other"), first);
        // Another port is another entry.
        resolve(&r, "http://localhost:9090/");
        assert_eq!(r.lock().len(), 2);
    }
}
