//! Retrying a request that failed for a reason that may pass.
//!
//! Every request tcc makes is safe to repeat: the OSM call and IAM's domain
//! lookup are GETs, and IAM's token request only issues one more token. So
//! one policy serves them all, bounded twice: by the number of attempts
//! (default 3 in total, 1 turns retrying off) and by the call's deadline,
//! which no wait may pass.
//!
//! Retried: failures below HTTP (refused, reset, closed without an answer,
//! a connect or stall timeout while the deadline still has time) and the
//! statuses that say "try again": 429, 500, 502, 503, 504. Never retried:
//! other statuses (a 4xx will not change; a 200 carrying a business error
//! is an answer), TLS failures (a certificate will not become trusted),
//! bad or oversized responses.
//!
//! Between attempts tcc waits what the server asked in `Retry-After`
//! (seconds or an HTTP date) or else an exponential backoff with full
//! jitter (a random wait between 0 and 250 ms, 500 ms, 1 s, … capped at
//! 4 s), so that clients that failed together do not retry together. A
//! `Retry-After` longer than 10 s, or any wait that would end past the
//! deadline, ends the retries at once: the last answer is returned rather
//! than sleeping for nothing or hammering a server that asked for a pause.

use std::time::{Duration, SystemTime};

use crate::deadline::Deadline;
use crate::error::{Error, ErrorKind};
use crate::jitter;
use crate::response::HttpResponse;
use crate::timestamp::parse_http_date;

/// The longest `Retry-After` that is honoured; a longer one ends retrying.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
/// The backoff ceiling before the first retry; it doubles for each retry.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The backoff ceiling never grows beyond this.
const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// Statuses worth another attempt.
const RETRIED_STATUSES: [u16; 5] = [429, 500, 502, 503, 504];

#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryPolicy {
    /// Attempts in total, the first one included (1: no retries).
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// Runs `attempt` until it gives an answer that is not retried, the
    /// attempts are used up, or the deadline leaves no room for another.
    /// The outcome records how many attempts were made.
    pub fn run(
        &self,
        deadline: Deadline,
        mut attempt: impl FnMut() -> Result<HttpResponse, Error>,
    ) -> Result<HttpResponse, Error> {
        let mut made = 0;
        loop {
            // Nothing is sent once the deadline has passed.
            if let Err(e) = deadline.remaining() {
                return Err(e.with_attempts(made));
            }
            made += 1;
            let outcome = attempt();
            let wait = if made < self.max_attempts {
                wait_before_retry(&outcome, made, deadline, SystemTime::now())
            } else {
                None
            };
            match wait {
                Some(wait) => std::thread::sleep(wait),
                None => {
                    return match outcome {
                        Ok(mut response) => {
                            response.attempts = made;
                            Ok(response)
                        }
                        Err(e) => Err(e.with_attempts(made)),
                    }
                }
            }
        }
    }
}

/// How long to wait before attempt `made + 1` after `outcome`, or `None`
/// when there is to be no further attempt.
fn wait_before_retry(
    outcome: &Result<HttpResponse, Error>,
    made: u32,
    deadline: Deadline,
    now: SystemTime,
) -> Option<Duration> {
    let wait = match outcome {
        Ok(response) if RETRIED_STATUSES.contains(&response.status) => {
            match response
                .retry_after
                .as_deref()
                .and_then(|v| retry_after(v, now))
            {
                Some(asked) if asked > MAX_RETRY_AFTER => return None,
                Some(asked) => asked,
                None => backoff(made),
            }
        }
        Ok(_) => return None,
        Err(e) if is_transient(e) => backoff(made),
        Err(_) => return None,
    };
    // An attempt needs time after the wait: never sleep into the deadline.
    let left = deadline.remaining().ok()?;
    (wait < left).then_some(wait)
}

/// Failures that another attempt may not meet. A timeout counts only while
/// the deadline has time left, which the caller checks.
fn is_transient(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout)
}

/// Full jitter: a random wait up to a ceiling that doubles with each retry.
fn backoff(made: u32) -> Duration {
    let doublings = made.saturating_sub(1).min(16);
    let ceiling = FIRST_BACKOFF
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF);
    ceiling.mul_f64(jitter::fraction())
}

/// `Retry-After`: delay seconds, or an HTTP date (a date already past
/// means "now"). `None` when malformed.
fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // An absurdly long number saturates: it is only ever "too long".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::time::{Instant, UNIX_EPOCH};

    fn response(status: u16, retry_after: Option<&str>) -> HttpResponse {
        HttpResponse {
            status,
            retry_after: retry_after.map(str::to_owned),
            ..HttpResponse::default()
        }
    }

    fn long() -> Deadline {
        Deadline::after(Duration::from_secs(60))
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "-1", "1.5", "soon", "2 s"] {
            assert_eq!(retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn what_is_retried() {
        let now = SystemTime::now();
        for status in RETRIED_STATUSES {
            let wait = wait_before_retry(&Ok(response(status, None)), 1, long(), now).unwrap();
            assert!(wait < FIRST_BACKOFF, "{status}");
        }
        for status in [200, 201, 301, 302, 400, 401, 403, 404, 409, 501, 505] {
            assert_eq!(
                wait_before_retry(&Ok(response(status, None)), 1, long(), now),
                None,
                "{status}"
            );
        }
        for kind in [ErrorKind::Network, ErrorKind::Timeout] {
            let outcome = Err(Error::new(kind, "x"));
            assert!(
                wait_before_retry(&outcome, 1, long(), now).is_some(),
                "{kind:?}"
            );
        }
        for kind in [
            ErrorKind::Tls,
            ErrorKind::BadResponse,
            ErrorKind::ResponseTooLarge,
            ErrorKind::Http,
            ErrorKind::Config,
            ErrorKind::Internal,
        ] {
            let outcome = Err(Error::new(kind, "x"));
            assert_eq!(
                wait_before_retry(&outcome, 1, long(), now),
                None,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_within_limits() {
        let now = SystemTime::now();
        let wait = |after: &str, deadline: Deadline| {
            wait_before_retry(&Ok(response(429, Some(after))), 1, deadline, now)
        };
        assert_eq!(wait("2", long()), Some(Duration::from_secs(2)));
        assert_eq!(wait("10", long()), Some(Duration::from_secs(10)));
        // Longer than the cap, or past the deadline: no retry.
        assert_eq!(wait("11", long()), None);
        assert_eq!(wait("3600", long()), None);
        assert_eq!(wait("5", Deadline::after(Duration::from_secs(4))), None);
        // Malformed: the backoff applies.
        assert!(wait("later", long()).unwrap() < FIRST_BACKOFF);
    }

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        for made in 1..40 {
            let ceiling = FIRST_BACKOFF
                .saturating_mul(1 << (made - 1).min(16))
                .min(MAX_BACKOFF);
            for _ in 0..50 {
                assert!(backoff(made) < ceiling, "{made}");
            }
        }
        assert_eq!(MAX_BACKOFF, FIRST_BACKOFF * 16);
    }

    #[test]
    fn run_counts_attempts_and_stops_when_told() {
        let policy = RetryPolicy { max_attempts: 3 };
        let calls = Cell::new(0);
        let got = policy.run(long(), || {
            calls.set(calls.get() + 1);
            Ok(response(if calls.get() < 3 { 503 } else { 200 }, Some("0")))
        });
        assert_eq!(got.unwrap().attempts, 3);

        calls.set(0);
        let got = policy.run(long(), || {
            calls.set(calls.get() + 1);
            Err(Error::new(ErrorKind::Network, "reset"))
        });
        let err = got.unwrap_err();
        assert_eq!((calls.get(), err.attempts()), (3, 3));
        assert_eq!(err.message(), "reset (after 3 attempts)");

        calls.set(0);
        let got = policy.run(long(), || {
            calls.set(calls.get() + 1);
            Ok(response(404, None))
        });
        assert_eq!((calls.get(), got.unwrap().attempts), (1, 1));

        let off = RetryPolicy { max_attempts: 1 };
        calls.set(0);
        let err = off
            .run(long(), || {
                calls.set(calls.get() + 1);
                Err(Error::new(ErrorKind::Network, "refused"))
            })
            .unwrap_err();
        assert_eq!(
            (calls.get(), err.attempts(), err.message()),
            (1, 1, "refused")
        );
    }

    #[test]
    fn run_never_starts_past_the_deadline() {
        let policy = RetryPolicy { max_attempts: 3 };
        let deadline = Deadline::after(Duration::from_millis(1));
        std::thread::sleep(Duration::from_millis(5));
        let err = policy
            .run(deadline, || panic!("nothing may be sent"))
            .unwrap_err();
        assert_eq!((err.kind(), err.attempts()), (ErrorKind::Timeout, 0));

        // A server that asks for more time than is left gets no retry.
        let started = Instant::now();
        let deadline = Deadline::after(Duration::from_secs(2));
        let got = policy.run(deadline, || Ok(response(429, Some("5"))));
        assert_eq!(got.unwrap().attempts, 1);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
