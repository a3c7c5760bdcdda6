//! The deadline of one call. A call may make several requests (a domain id
//! lookup, a token refresh, a retry after 401 or after a failure) and may
//! wait for another thread's refresh or between retries; the configured
//! timeout bounds all of it together.

use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind};

#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    at: Instant,
    /// The timeout it was made from, for messages.
    timeout: Duration,
}

impl Deadline {
    pub fn after(timeout: Duration) -> Self {
        let now = Instant::now();
        Deadline {
            // Timeouts are capped at an hour, so this cannot overflow in practice.
            at: now.checked_add(timeout).unwrap_or(now),
            timeout,
        }
    }

    /// The time left, or a timeout error when none is.
    pub fn remaining(&self) -> Result<Duration, Error> {
        match self.at.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(left),
            _ => Err(self.passed()),
        }
    }

    /// The error for a call that ran out of time.
    pub fn passed(&self) -> Error {
        Error::new(
            ErrorKind::Timeout,
            format!(
                "timed out: the call's deadline ({} ms) passed",
                self.timeout.as_millis()
            ),
        )
    }
}
