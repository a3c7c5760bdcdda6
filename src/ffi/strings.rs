//! Strings that tcc hands out with ownership (JSON): made by `CString` and
//! given back to `CString` by `tcc_free`, so one allocator serves both.

use std::ffi::{c_char, CString};

use super::boundary::value_boundary;

/// Converts a Rust string into a C string, replacing any NUL (which C
/// cannot hold) with U+FFFD so the text is never silently cut short.
pub(crate) fn to_c_string(s: &str) -> CString {
    CString::new(s)
        .unwrap_or_else(|_| CString::new(s.replace('\0', "\u{FFFD}")).unwrap_or_default())
}

/// Frees a string that tcc returned as an owned `char *` (for example by
/// `tcc_fetch_cc_emails_json` or `tcc_cc_emails_to_json`).
///
/// - `string`: owned; NULL is accepted and ignored. Must come from tcc and
///   must not be freed twice, nor passed to `free()`: tcc's allocator may
///   differ from yours.
/// - Thread-safe: may be called on any thread.
#[no_mangle]
pub unsafe extern "C" fn tcc_free(string: *mut c_char) {
    value_boundary((), || {
        if !string.is_null() {
            drop(CString::from_raw(string));
        }
    })
}
