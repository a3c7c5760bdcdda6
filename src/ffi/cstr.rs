//! Reading what C hands in: strings that may be NULL, unterminated within a
//! sane length, or not UTF-8; handles that may be NULL; out-pointers.

use std::ffi::c_char;

use crate::error::Error;

/// Borrows a C string as `&str`, scanning at most `max + 1` bytes so a huge
/// or unterminated-looking buffer is refused without reading it all.
///
/// # Safety
/// `ptr` is NULL or points to memory readable up to its NUL or `max + 1` bytes.
pub(crate) unsafe fn arg_str<'a>(
    ptr: *const c_char,
    name: &str,
    max: usize,
) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::invalid_argument(format!("{name} is NULL")));
    }
    let len = libc::strnlen(ptr, max + 1);
    if len > max {
        return Err(Error::invalid_argument(format!(
            "{name} is longer than {max} bytes"
        )));
    }
    let bytes = std::slice::from_raw_parts(ptr.cast::<u8>(), len);
    std::str::from_utf8(bytes)
        .map_err(|_| Error::invalid_argument(format!("{name} is not valid UTF-8")))
}

/// Borrows a handle, refusing NULL.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` created by tcc.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Error> {
    ptr.as_ref()
        .ok_or_else(|| Error::invalid_argument(format!("{name} is NULL")))
}

/// Borrows a handle mutably, refusing NULL.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` created by tcc, not in use elsewhere.
pub(crate) unsafe fn arg_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Error> {
    ptr.as_mut()
        .ok_or_else(|| Error::invalid_argument(format!("{name} is NULL")))
}

/// Checks an out-pointer before any work is done, so a NULL one fails early.
pub(crate) fn check_out<T>(out: *mut T) -> Result<(), Error> {
    if out.is_null() {
        return Err(Error::invalid_argument("out is NULL"));
    }
    Ok(())
}

/// Hands a result to the caller: the only place an out-pointer is written,
/// and only on success.
///
/// # Safety
/// `out` was accepted by `check_out` and points to writable memory for a `T`.
pub(crate) unsafe fn write_out<T>(out: *mut T, value: T) {
    out.write(value);
}
