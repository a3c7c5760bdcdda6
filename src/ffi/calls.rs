//! Non-blocking calls: `tcc_fetch_cc_emails_async` starts the call on a
//! thread of its own and returns at once; the result arrives through a C
//! callback on that thread. A `tcc_call` handle waits for, cancels or
//! joins it.
//!
//! One thread per call, no pool: the call blocks in synchronous I/O for up
//! to its deadline, so a pool would let a few hanging servers hold up every
//! call queued behind them, and would be global state to start, size and
//! shut down. A thread per call costs microseconds next to a request, ends
//! with its call, and leaves nothing running when no call is.
//!
//! Exactly once: the right to call back (`Delivery`) sits in the call's
//! state until one thread takes it under the lock: the worker when its
//! work ends, or the thread `tcc_call_cancel` starts. Whoever takes it
//! reads `cancelled` under the same lock, so the outcome reported is the
//! one decided at that instant.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use super::boundary::{result_boundary, value_boundary};
use super::cc_emails::tcc_cc_emails;
use super::client::tcc_client;
use super::cstr::{arg_ref, check_out, write_out};
use super::last_error;
use super::result_codes::{code_for, tcc_result, TCC_ERR_CANCELLED, TCC_OK};
use crate::client::Client;
use crate::error::{Error, ErrorKind};

/// The callback of `tcc_fetch_cc_emails_async`, called exactly once per
/// call that `tcc_fetch_cc_emails_async` started (returned `TCC_OK` for).
///
/// - `userdata`: the pointer given to `tcc_fetch_cc_emails_async`, as it was.
/// - `code`: `TCC_OK`, the code `tcc_fetch_cc_emails` would have returned,
///   or `TCC_ERR_CANCELLED` when `tcc_call_cancel` came first.
/// - `result`: on `TCC_OK`, a result the callback owns: free it with
///   `tcc_cc_emails_free`, now or later, on any thread. NULL otherwise.
///
/// While the callback runs, `tcc_last_error_*` on its thread describe the
/// failure (message, HTTP status, service code, request id, attempts), or
/// report `TCC_OK` after a success; they are valid until the callback
/// returns or calls a tcc function that returns `tcc_result`.
///
/// It runs on a thread tcc started (see `tcc_fetch_cc_emails_async`). It
/// may call any tcc function, including `tcc_fetch_cc_emails_async` (chain
/// another call), `tcc_call_free` on its own handle and `tcc_client_free`
/// on the call's client (when no other thread uses it). It must return: it
/// must not throw a C++ exception or `longjmp` out, and should not block
/// for long (it holds its call's `tcc_call_wait` callers, and its thread).
/// `tcc_call_wait` or `tcc_call_join` on its own call returns
/// `TCC_ERR_INVALID_ARGUMENT` instead of waiting for itself; waiting on
/// another call is allowed, with the usual care about two callbacks
/// waiting on each other.
#[allow(non_camel_case_types)]
pub type tcc_cc_emails_callback = Option<
    unsafe extern "C" fn(userdata: *mut c_void, code: tcc_result, result: *mut tcc_cc_emails),
>;

/// `tcc_call_wait`'s timeout meaning "no time limit".
pub const TCC_WAIT_FOREVER: u32 = u32::MAX;

/// A call started by `tcc_fetch_cc_emails_async`. Opaque; free with
/// `tcc_call_free`.
///
/// Thread safety: any number of threads may call `tcc_call_wait`,
/// `tcc_call_join` and `tcc_call_cancel` on one handle at once, callbacks
/// included. Only `tcc_call_free` must not run concurrently with other use
/// of the handle. The handle is independent of the call: freeing it
/// neither cancels nor waits for the call, which completes and calls back
/// anyway.
#[allow(non_camel_case_types)]
pub struct tcc_call {
    shared: Arc<Call>,
}

/// Starts "Querying Service Ticket CC", like `tcc_fetch_cc_emails`, on a
/// thread of its own, and returns at once. The outcome arrives through
/// `callback`.
///
/// - `client`: borrowed for this function only; not NULL. The call keeps a
///   reference to the client's state, so the client may be freed while the
///   call is in flight (`tcc_client_free` neither cancels nor waits for it).
/// - `callback`: not NULL; see `tcc_cc_emails_callback`.
/// - `userdata`: passed to `callback` as it is, never read by tcc; may be
///   NULL. It must stay valid until the callback has been called.
/// - `out_call`: on success receives a handle that the caller owns and must
///   free with `tcc_call_free` (at any time: it does not cancel the call).
///   It is written before the callback can start, so it may point into
///   `userdata`. Not written on failure.
///
/// On `TCC_OK` the callback is called exactly once, whatever happens: with
/// the result, the failure (the same codes as `tcc_fetch_cc_emails`), or
/// `TCC_ERR_CANCELLED`. On any other code it is never called and nothing
/// is sent: `TCC_ERR_INVALID_ARGUMENT` (NULL client, callback or out_call),
/// `TCC_ERR_INTERNAL` (the system refused a new thread; the message says so).
///
/// Threads. Each call runs on a new thread (named `tcc-call`) which sends
/// the request, calls back, and ends; a cancelled call's callback runs on
/// another new thread (`tcc-cancel`) so that it comes at once. So the
/// callback never runs on the thread that called this function or any
/// `tcc_call_*` function, nor inside any of them. New threads inherit the
/// signal mask of the thread starting them (block signals there if a
/// dedicated thread handles them). tcc keeps no thread when no call is in
/// flight: a call has at most two, the worker until the call's work ends
/// and the cancel thread until its callback returns. A cancelled call's
/// work is abandoned, not interrupted: its worker ends by the client's
/// deadline (`tcc_options_set_timeout_ms`, default 30 s) at the latest.
/// Bound the number of calls you start to bound the threads.
///
/// Ordering. Callbacks of different calls may run in any order and at the
/// same time as each other, so what they share needs locking. Everything
/// the callback did is visible to a thread whose `tcc_call_wait` returned
/// `TCC_OK`. Before unloading libtcc (`dlclose`) or leaving `main`, join
/// every call with `tcc_call_join` (a freed handle cannot be joined): a tcc
/// thread still running then would crash, or be cut off mid-call.
#[no_mangle]
pub unsafe extern "C" fn tcc_fetch_cc_emails_async(
    client: *const tcc_client,
    callback: tcc_cc_emails_callback,
    userdata: *mut c_void,
    out_call: *mut *mut tcc_call,
) -> tcc_result {
    result_boundary(|| {
        let client = arg_ref(client, "client")?;
        let callback = callback.ok_or_else(|| Error::invalid_argument("callback is NULL"))?;
        check_out(out_call)?;
        let call = Arc::new(Call::new(Delivery { callback, userdata }));
        // Opens the gate even if this function fails after the spawn.
        let publish = Publish(&call);
        let client = client.shared();
        Call::spawn(&call, "tcc-call", move |call| work(call, client)).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot start a thread for the call: {e}"),
            )
        })?;
        let handle = tcc_call {
            shared: Arc::clone(&call),
        };
        write_out(out_call, Box::into_raw(Box::new(handle)));
        drop(publish);
        Ok(())
    })
}

/// Waits until the call's callback has returned.
///
/// - `call`: borrowed; not NULL.
/// - `timeout_ms`: how long to wait at most; 0 only looks;
///   `TCC_WAIT_FOREVER` waits without limit.
///
/// Returns `TCC_OK` once the callback has returned (at once if it already
/// had; any number of times); `TCC_ERR_TIMEOUT` if it had not within
/// `timeout_ms`; `TCC_ERR_INVALID_ARGUMENT` for NULL, or when called from
/// inside this call's own callback (which cannot return while it waits).
/// Thread-safe: several threads may wait on one call.
///
/// After a `tcc_call_cancel` this returns as soon as the callback has, while
/// the abandoned work may still be running: see `tcc_call_join`.
#[no_mangle]
pub unsafe extern "C" fn tcc_call_wait(call: *const tcc_call, timeout_ms: u32) -> tcc_result {
    result_boundary(|| {
        let call = arg_ref(call, "call")?;
        drop(
            call.shared
                .wait_until(timeout_ms, "the call did not complete", |s| s.done)?,
        );
        Ok(())
    })
}

/// Waits until the call is entirely over: its callback has returned and
/// every thread it started has ended (`pthread_join`), including the
/// abandoned work of a cancelled call, which ends by the client's deadline
/// at the latest. After `TCC_OK`, the call runs no more code of libtcc: this
/// is what to do for every call before `dlclose` or leaving `main`.
///
/// Arguments and results as for `tcc_call_wait` (`TCC_OK` any number of
/// times, `TCC_ERR_TIMEOUT`, `TCC_ERR_INVALID_ARGUMENT` for NULL or from
/// inside this call's own callback). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tcc_call_join(call: *const tcc_call, timeout_ms: u32) -> tcc_result {
    result_boundary(|| arg_ref(call, "call")?.shared.join(timeout_ms))
}

/// Cancels the call, best effort: a call whose request is not sent yet is
/// not sent; one in flight is abandoned (its network work goes on in the
/// background until it ends or the client's deadline passes, and its result
/// is dropped). Either way its callback is called at once, on a new thread,
/// with `TCC_ERR_CANCELLED` and a NULL result, unless it has already been
/// called or is being called (then this does nothing).
///
/// Returns true when this cancel decided the outcome (the callback gets
/// `TCC_ERR_CANCELLED`), false for NULL, a call already completed or
/// completing, or one already cancelled. Never blocks on the callback.
/// Thread-safe; allowed inside any callback, its own call's included
/// (returns false there). If the system refuses the new thread, the
/// callback still gets `TCC_ERR_CANCELLED`, from the call's own thread when
/// its work ends.
#[no_mangle]
pub unsafe extern "C" fn tcc_call_cancel(call: *const tcc_call) -> bool {
    value_boundary(false, || {
        call.as_ref().is_some_and(|call| Call::cancel(&call.shared))
    })
}

/// Frees a call handle. NULL is accepted and ignored. Must not be called
/// twice, nor while another thread uses the handle.
///
/// Does not cancel, wait or join: the call goes on and calls back as usual
/// (call `tcc_call_cancel` first to cancel it), and its threads end by
/// themselves. So a call may be started and its handle freed at once when
/// only the callback matters ("fire and forget"), and a callback may free
/// its own call's handle.
#[no_mangle]
pub unsafe extern "C" fn tcc_call_free(call: *mut tcc_call) {
    value_boundary((), || {
        if !call.is_null() {
            drop(Box::from_raw(call));
        }
    })
}

// --- The machinery ---

/// The right to call back: the callback and its userdata.
struct Delivery {
    callback: unsafe extern "C" fn(*mut c_void, tcc_result, *mut tcc_cc_emails),
    userdata: *mut c_void,
}

// The userdata pointer is the caller's, handed to the callback on another
// thread as documented; tcc never dereferences it.
unsafe impl Send for Delivery {}

struct State {
    /// `out_call` is written: the callback may start.
    published: bool,
    /// Taken, exactly once, by the thread that calls back.
    delivery: Option<Delivery>,
    cancelled: bool,
    /// The thread running the callback, while it runs.
    calling_back_on: Option<ThreadId>,
    /// The callback has returned.
    done: bool,
    /// Threads of this call that have not ended yet.
    running: usize,
    /// Their handles, for `tcc_call_join`; detached if the call is dropped.
    threads: Vec<JoinHandle<()>>,
}

struct Call {
    state: Mutex<State>,
    changed: Condvar,
}

/// What the worker hands over: the result, or `None` when the call was
/// cancelled before it was sent.
type Outcome = Option<Result<Box<tcc_cc_emails>, Error>>;

impl Call {
    fn new(delivery: Delivery) -> Self {
        Call {
            state: Mutex::new(State {
                published: false,
                delivery: Some(delivery),
                cancelled: false,
                calling_back_on: None,
                done: false,
                running: 0,
                threads: Vec::new(),
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a thread of this call. Under the lock, so the thread's handle
    /// is recorded before the thread can end.
    fn spawn(
        this: &Arc<Call>,
        name: &str,
        body: impl FnOnce(Arc<Call>) + Send + 'static,
    ) -> std::io::Result<()> {
        let mut state = this.lock();
        let call = Arc::clone(this);
        let handle = thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let _ended = Ended(Arc::clone(&call));
                body(call);
            })?;
        state.running += 1;
        state.threads.push(handle);
        Ok(())
    }

    fn is_cancelled(&self) -> bool {
        self.lock().cancelled
    }

    fn cancel(this: &Arc<Call>) -> bool {
        {
            let mut state = this.lock();
            if state.cancelled || state.delivery.is_none() {
                return false;
            }
            state.cancelled = true;
        }
        // If no thread can be had, the worker calls back with
        // TCC_ERR_CANCELLED when its work ends: later, but exactly once.
        let _ = Call::spawn(this, "tcc-cancel", |call| call.deliver(None));
        true
    }

    /// Calls back if no other thread has: with the outcome, or with
    /// `TCC_ERR_CANCELLED` if the call was cancelled by now.
    fn deliver(&self, outcome: Outcome) {
        let (delivery, cancelled) = {
            let mut state = self.lock();
            while !state.published {
                state = self
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            let Some(delivery) = state.delivery.take() else {
                return;
            };
            state.calling_back_on = Some(thread::current().id());
            (delivery, state.cancelled)
        };
        // Marks the call done even if something below panics, so no waiter hangs.
        let _done = Done(self);
        let (code, result) = match outcome {
            Some(Ok(result)) if !cancelled => {
                last_error::clear();
                (TCC_OK, Box::into_raw(result))
            }
            Some(Err(error)) if !cancelled => {
                let code = code_for(error.kind());
                last_error::set(code, &error);
                (code, std::ptr::null_mut())
            }
            // Cancelled: a result that arrived meanwhile is dropped.
            _ => {
                let error = Error::new(
                    ErrorKind::Cancelled,
                    "cancelled: tcc_call_cancel was called before the call completed",
                );
                last_error::set(TCC_ERR_CANCELLED, &error);
                (TCC_ERR_CANCELLED, std::ptr::null_mut())
            }
        };
        // C cannot unwind into Rust; this only keeps a bug of ours (or a
        // foreign unwind, which aborts anyway) from skipping `Done`.
        let _ = catch_unwind(AssertUnwindSafe(|| unsafe {
            (delivery.callback)(delivery.userdata, code, result)
        }));
        last_error::clear();
    }

    /// Waits until `over` holds, at most `timeout_ms` (`TCC_WAIT_FOREVER`:
    /// no limit); refuses to wait inside the call's own callback.
    fn wait_until(
        &self,
        timeout_ms: u32,
        not_over: &str,
        over: impl Fn(&State) -> bool,
    ) -> Result<MutexGuard<'_, State>, Error> {
        let deadline = (timeout_ms != TCC_WAIT_FOREVER)
            .then(|| Instant::now() + Duration::from_millis(timeout_ms.into()));
        let mut state = self.lock();
        loop {
            if over(&state) {
                return Ok(state);
            }
            // Only a thread that is calling back can be this call's own.
            if state
                .calling_back_on
                .is_some_and(|on| on == thread::current().id())
            {
                return Err(Error::invalid_argument(
                    "call: waited for from inside its own callback, \
                     which cannot return while it waits",
                ));
            }
            state = match deadline {
                None => self
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline
                        .checked_duration_since(Instant::now())
                        .filter(|left| !left.is_zero())
                        .ok_or_else(|| {
                            Error::new(
                                ErrorKind::Timeout,
                                format!("timed out: {not_over} within {timeout_ms} ms"),
                            )
                        })?;
                    self.changed
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }

    fn join(&self, timeout_ms: u32) -> Result<(), Error> {
        let threads = {
            let mut state = self.wait_until(timeout_ms, "the call's threads did not end", |s| {
                s.done && s.running == 0
            })?;
            std::mem::take(&mut state.threads)
        };
        // Each has left its body: these return as soon as they are gone.
        for thread in threads {
            let _ = thread.join();
        }
        Ok(())
    }
}

/// The worker: runs the call unless it was cancelled first, lets go of the
/// client, then calls back (if the cancel thread has not).
fn work(call: Arc<Call>, client: Arc<Client>) {
    let outcome = (!call.is_cancelled()).then(|| {
        catch_unwind(AssertUnwindSafe(|| {
            client
                .fetch_cc_emails()
                .map(|data| Box::new(tcc_cc_emails::new(data)))
        }))
        .unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::Internal,
                "internal error: a panic was caught in the call's thread; please report it",
            ))
        })
    });
    // The last reference may be this one (the client was freed meanwhile):
    // its credentials are wiped now, not after the callback.
    drop(client);
    call.deliver(outcome);
}

/// Lets the callback start once `out_call` is written.
struct Publish<'a>(&'a Call);

impl Drop for Publish<'_> {
    fn drop(&mut self) {
        self.0.lock().published = true;
        self.0.changed.notify_all();
    }
}

/// Counts a thread of the call out when it leaves its body, panicking or not.
struct Ended(Arc<Call>);

impl Drop for Ended {
    fn drop(&mut self) {
        self.0.lock().running -= 1;
        self.0.changed.notify_all();
    }
}

/// Marks the call done when the callback has returned.
struct Done<'a>(&'a Call);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.done = true;
        state.calling_back_on = None;
        drop(state);
        self.0.changed.notify_all();
    }
}
