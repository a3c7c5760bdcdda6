//! The panic boundary. Since Rust 1.81 a panic unwinding out of an
//! `extern "C"` function aborts the host process; these wrappers catch it
//! and turn it into `TCC_ERR_INTERNAL` (or a neutral value) instead.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::last_error;
use super::result_codes::{code_for, tcc_result, TCC_OK};
use crate::error::{Error, ErrorKind};

/// Body of an exported function that returns a `tcc_result`: clears the
/// thread's last error, runs `body`, and records its error if it fails.
pub(crate) fn result_boundary(body: impl FnOnce() -> Result<(), Error>) -> tcc_result {
    last_error::clear();
    let error = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return TCC_OK,
        Ok(Err(error)) => error,
        Err(_) => Error::new(
            ErrorKind::Internal,
            "internal error: a panic was caught at the C boundary; please report it",
        ),
    };
    let code = code_for(error.kind());
    last_error::set(code, &error);
    code
}

/// Body of an exported function that returns a plain value (a getter or a
/// free): a panic yields `fallback`. The last error is left untouched.
pub(crate) fn value_boundary<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}
