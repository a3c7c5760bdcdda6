//! The deadline of one call. A call may make several requests (a domain id
//! lookup, a token refresh, a retry after 401) and may wait for another
//! thread's refresh; the configured timeout bounds all of it together.

use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind};

#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    at: Instant,
}

impl Deadline {
    pub fn after(timeout: Duration) -> Self {
        let now = Instant::now();
        Deadline {
            // Timeouts are capped at an hour, so this cannot overflow in practice.
            at: now.checked_add(timeout).unwrap_or(now),
        }
    }

    /// The time left, or a timeout error when none is.
    pub fn remaining(&self) -> Result<Duration, Error> {
        match self.at.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(left),
            _ => Err(Error::new(
                ErrorKind::Timeout,
                "timed out: the call's deadline passed",
            )),
        }
    }
}
