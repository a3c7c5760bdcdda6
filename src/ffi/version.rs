//! The library's version at run time, to compare with the header's
//! `TCC_VERSION_*` macros (a program built against one header may load
//! another `libtcc`).

use std::ffi::c_char;

use super::boundary::value_boundary;

const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

const fn parse(s: &str) -> u32 {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut n = 0u32;
    while i < bytes.len() {
        n = n * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    n
}

/// `MAJOR * 1000000 + MINOR * 1000 + PATCH`, as `TCC_VERSION_NUMBER`.
pub const VERSION_NUMBER: u32 = parse(env!("CARGO_PKG_VERSION_MAJOR")) * 1_000_000
    + parse(env!("CARGO_PKG_VERSION_MINOR")) * 1_000
    + parse(env!("CARGO_PKG_VERSION_PATCH"));

/// The library's version as "MAJOR.MINOR.PATCH", e.g. "0.1.0". Static: do
/// not free. Thread-safe.
#[no_mangle]
pub extern "C" fn tcc_version() -> *const c_char {
    value_boundary(c"".as_ptr(), || VERSION.as_ptr().cast())
}

/// The library's version as `MAJOR * 1000000 + MINOR * 1000 + PATCH`; compare
/// with `TCC_VERSION_NUMBER` from the header you compiled against. Thread-safe.
#[no_mangle]
pub extern "C" fn tcc_version_number() -> u32 {
    value_boundary(0, || VERSION_NUMBER)
}
