//! The detail of the last failure on the calling thread (libgit2 style):
//! a result code says what class of failure, these say what exactly.
//!
//! Strings returned here live in thread-local storage: valid until the next
//! call, on the same thread, of a tcc function that returns `tcc_result`
//! (each such call clears the last error), or until the thread exits.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::ptr;

use super::boundary::value_boundary;
use super::result_codes::{tcc_result, TCC_OK};
use super::strings::to_c_string;
use crate::error::Error;

struct LastError {
    code: tcc_result,
    message: CString,
    http_status: u16,
    service_code: Option<CString>,
    service_message: Option<CString>,
    request_id: Option<CString>,
    attempts: u32,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

pub(crate) fn clear() {
    // `try_with`: during thread exit the slot may already be gone; nothing to clear then.
    let _ = LAST_ERROR.try_with(|slot| slot.borrow_mut().take());
}

pub(crate) fn set(code: tcc_result, error: &Error) {
    let detail = LastError {
        code,
        message: to_c_string(error.message()),
        http_status: error.http_status().unwrap_or(0),
        service_code: error.service_code().map(to_c_string),
        service_message: error.service_message().map(to_c_string),
        request_id: error.request_id().map(to_c_string),
        attempts: error.attempts(),
    };
    let _ = LAST_ERROR.try_with(|slot| *slot.borrow_mut() = Some(detail));
}

/// Reads the last error inside the panic boundary; `fallback` when there is none.
fn read<T: Copy>(fallback: T, f: impl FnOnce(&LastError) -> T) -> T {
    value_boundary(fallback, || {
        LAST_ERROR
            .try_with(|slot| slot.borrow().as_ref().map(f))
            .ok()
            .flatten()
            .unwrap_or(fallback)
    })
}

fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

/// The result code of the last failed call on this thread, or `TCC_OK`
/// when the last fallible call succeeded (or none was made).
///
/// Thread-safe; reads only the calling thread's state. Never fails.
#[no_mangle]
pub extern "C" fn tcc_last_error_code() -> tcc_result {
    read(TCC_OK, |e| e.code)
}

/// A one-line English description of the last failure on this thread,
/// e.g. `HTTP 401: APIGW.0301: Incorrect IAM authentication information`.
/// Never contains a credential.
///
/// Returns "" (never NULL) when there is no error. The string is borrowed:
/// do not free it; it stays valid until the next call on this thread of a
/// tcc function that returns `tcc_result`. Copy it to keep it.
#[no_mangle]
pub extern "C" fn tcc_last_error_message() -> *const c_char {
    read(c"".as_ptr(), |e| e.message.as_ptr())
}

/// The HTTP status of the response behind the last failure on this thread,
/// or 0 when there was none (argument errors, network failures, timeouts).
#[no_mangle]
pub extern "C" fn tcc_last_error_http_status() -> u16 {
    read(0, |e| e.http_status)
}

/// The service's `error_code` behind the last failure on this thread (e.g.
/// `OSM.0002`, `APIGW.0301`, `OSM.01010002`), or NULL when the server sent none.
/// Borrowed, with the same lifetime as `tcc_last_error_message`.
#[no_mangle]
pub extern "C" fn tcc_last_error_service_code() -> *const c_char {
    read(ptr::null(), |e| opt_ptr(&e.service_code))
}

/// The service's `error_msg` behind the last failure on this thread, or NULL.
/// Borrowed, with the same lifetime as `tcc_last_error_message`.
#[no_mangle]
pub extern "C" fn tcc_last_error_service_message() -> *const c_char {
    read(ptr::null(), |e| opt_ptr(&e.service_message))
}

/// The `X-Request-Id` of the response behind the last failure on this
/// thread, or NULL when there was no response. Quote it to Huawei Cloud
/// support. Borrowed, with the same lifetime as `tcc_last_error_message`.
#[no_mangle]
pub extern "C" fn tcc_last_error_request_id() -> *const c_char {
    read(ptr::null(), |e| opt_ptr(&e.request_id))
}

/// How many times the request behind the last failure on this thread was
/// sent: 1 when it was not retried, up to the configured maximum
/// (`tcc_options_set_max_attempts`) when it was, 0 when no request was sent
/// (argument and configuration errors, a deadline that passed first) or
/// there is no error. For a failed IAM request, its own count.
#[no_mangle]
pub extern "C" fn tcc_last_error_attempts() -> u32 {
    read(0, |e| e.attempts)
}
