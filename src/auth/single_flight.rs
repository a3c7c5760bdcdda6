//! A cached value that at most one thread at a time fetches ("single
//! flight"): threads that need it while a fetch is under way wait for that
//! fetch and share its outcome, success or failure, instead of starting
//! their own. Used for the domain id and for IAM tokens.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::deadline::Deadline;
use crate::error::{Error, ErrorKind};

pub(crate) struct SingleFlight<T> {
    state: Mutex<State<T>>,
    landed: Condvar,
}

struct State<T> {
    value: Option<T>,
    in_flight: bool,
    /// Fetches finished so far: a waiter knows its fetch landed when this moves.
    flights: u64,
    /// The error of the last fetch, kept for the threads that waited on it.
    /// A failure is never cached for later callers: they fetch again.
    failure: Option<Error>,
}

impl<T: Clone> SingleFlight<T> {
    pub fn new(value: Option<T>) -> Self {
        SingleFlight {
            state: Mutex::new(State {
                value,
                in_flight: false,
                flights: 0,
                failure: None,
            }),
            landed: Condvar::new(),
        }
    }

    /// The cached value if `usable` accepts it; otherwise the outcome of one
    /// `fetch`, shared with every thread that asks while it runs. A value
    /// just fetched is returned even if `usable` would refuse it, so a
    /// value that is stale on arrival cannot make threads fetch in a loop.
    /// Waiting ends at `deadline` with a timeout error.
    pub fn get(
        &self,
        usable: impl Fn(&T) -> bool,
        fetch: impl FnOnce() -> Result<T, Error>,
        deadline: Deadline,
    ) -> Result<T, Error> {
        let mut state = self.lock();
        if let Some(value) = state.value.as_ref().filter(|v| usable(v)) {
            return Ok(value.clone());
        }
        if state.in_flight {
            let flight = state.flights;
            while state.flights == flight {
                let left = deadline.remaining()?;
                state = self
                    .landed
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            return match (&state.failure, &state.value) {
                (Some(error), _) => Err(error.clone()),
                (None, Some(value)) => Ok(value.clone()),
                (None, None) => Err(internal()),
            };
        }
        state.in_flight = true;
        drop(state);

        // Lands the flight even if `fetch` panics, so no waiter hangs.
        let mut landing = Landing {
            cell: self,
            outcome: Err(internal()),
        };
        landing.outcome = fetch();
        landing.outcome.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // The lock is never held while user code runs; poison carries no meaning.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Landing<'a, T: Clone> {
    cell: &'a SingleFlight<T>,
    outcome: Result<T, Error>,
}

impl<T: Clone> Drop for Landing<'_, T> {
    fn drop(&mut self) {
        let mut state = self.cell.lock();
        match &self.outcome {
            Ok(value) => {
                state.value = Some(value.clone());
                state.failure = None;
            }
            Err(error) => state.failure = Some(error.clone()),
        }
        state.in_flight = false;
        state.flights += 1;
        drop(state);
        self.cell.landed.notify_all();
    }
}

fn internal() -> Error {
    Error::new(
        ErrorKind::Internal,
        "internal error: a credential fetch did not finish; please report it",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Barrier;
    use std::time::Duration;

    fn deadline() -> Deadline {
        Deadline::after(Duration::from_secs(10))
    }

    #[test]
    fn one_fetch_for_many_threads_and_failures_are_shared_not_cached() {
        let cell = SingleFlight::<u32>::new(None);
        let fetches = AtomicUsize::new(0);
        let barrier = Barrier::new(8);
        let slow_fetch = |result: Result<u32, Error>| {
            fetches.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(200));
            result
        };
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    barrier.wait();
                    let got = cell.get(
                        |_| true,
                        || slow_fetch(Err(Error::new(ErrorKind::Auth, "no"))),
                        deadline(),
                    );
                    assert_eq!(got.unwrap_err().kind(), ErrorKind::Auth);
                });
            }
        });
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    barrier.wait();
                    assert_eq!(
                        cell.get(|_| true, || slow_fetch(Ok(7)), deadline())
                            .unwrap(),
                        7
                    );
                });
            }
        });
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        // Cached now; a refused value is fetched again.
        assert_eq!(
            cell.get(|_| true, || slow_fetch(Ok(8)), deadline())
                .unwrap(),
            7
        );
        assert_eq!(
            cell.get(|v| *v != 7, || slow_fetch(Ok(8)), deadline())
                .unwrap(),
            8
        );
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_panicking_fetch_releases_the_waiters() {
        let cell = SingleFlight::<u32>::new(None);
        let started = Barrier::new(2);
        std::thread::scope(|s| {
            let fetcher = s.spawn(|| {
                cell.get(
                    |_| true,
                    || {
                        started.wait();
                        std::thread::sleep(Duration::from_millis(100));
                        panic!("boom")
                    },
                    deadline(),
                )
            });
            started.wait();
            let got = cell.get(|_| true, || Ok(1), deadline());
            assert!(fetcher.join().is_err());
            // Either it waited for the panicking fetch, or that one had landed already.
            assert!(matches!(got, Ok(1)) || got.unwrap_err().kind() == ErrorKind::Internal);
        });
        assert_eq!(cell.get(|_| true, || Ok(2), deadline()).unwrap(), 2);
    }

    #[test]
    fn a_waiter_gives_up_at_its_deadline() {
        let cell = SingleFlight::<u32>::new(None);
        let started = Barrier::new(2);
        std::thread::scope(|s| {
            s.spawn(|| {
                cell.get(
                    |_| true,
                    || {
                        started.wait();
                        std::thread::sleep(Duration::from_millis(500));
                        Ok(1)
                    },
                    deadline(),
                )
            });
            started.wait();
            let err = cell
                .get(
                    |_| true,
                    || Ok(2),
                    Deadline::after(Duration::from_millis(50)),
                )
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Timeout);
        });
    }
}
