//! Result codes: fixed-width integers, stable across versions, each with a
//! static description. A code is the class of failure; the last-error
//! functions give the detail.

use std::ffi::c_char;

use super::boundary::value_boundary;
use crate::error::ErrorKind;

/// The result of every fallible tcc function: `TCC_OK` (0) or a `TCC_ERR_*` code.
/// Codes are never renumbered; new ones may be added in minor versions, so
/// treat an unknown non-zero code as a generic failure.
#[allow(non_camel_case_types)]
pub type tcc_result = u32;

/// Success.
pub const TCC_OK: tcc_result = 0;
/// An argument is NULL, not valid UTF-8, too long, holds a control
/// character, or is out of range. Nothing was sent.
pub const TCC_ERR_INVALID_ARGUMENT: tcc_result = 1;
/// The options cannot make a client: no endpoint, no credentials, or an
/// unreadable CA file; or a required environment variable is missing
/// (`tcc_options_new_from_env`).
pub const TCC_ERR_CONFIG: tcc_result = 2;
/// Connecting, sending or receiving failed (DNS, refused, reset, closed
/// before the answer was complete), on every attempt made.
pub const TCC_ERR_NETWORK: tcc_result = 10;
/// The call's deadline passed, or the last attempt hit the connect or stall
/// timeout.
pub const TCC_ERR_TIMEOUT: tcc_result = 11;
/// TLS failed: handshake, or the server's certificate was not trusted or
/// does not match the host name.
pub const TCC_ERR_TLS: tcc_result = 12;
/// HTTP 401 or 403: credentials rejected (e.g. expired token, wrong
/// signature: `APIGW.0301`; wrong IAM password: `IAM.0006`) or not allowed
/// (`OSM.0003`).
pub const TCC_ERR_AUTH: tcc_result = 20;
/// HTTP 429: throttled by the API gateway (`APIGW.0308`); try again later.
pub const TCC_ERR_THROTTLED: tcc_result = 21;
/// HTTP 5xx: the service or a proxy in front of it failed.
pub const TCC_ERR_SERVER: tcc_result = 22;
/// The service reported an error code: a business error inside HTTP 200
/// (e.g. `OSM.01010002`), or a 4xx other than 401/403/429 with an error body.
pub const TCC_ERR_SERVICE: tcc_result = 23;
/// An unexpected HTTP status without an error body (e.g. a bare 404), a
/// redirect that was not followed (its `Location` is in the message), or a
/// proxy that refused the tunnel with a 4xx.
pub const TCC_ERR_HTTP: tcc_result = 24;
/// The response is not a valid answer: not JSON, truncated JSON, wrong
/// types, or not even valid HTTP.
pub const TCC_ERR_BAD_RESPONSE: tcc_result = 30;
/// The response body or head is larger than the configured limit.
pub const TCC_ERR_RESPONSE_TOO_LARGE: tcc_result = 31;
/// The call was cancelled with `tcc_call_cancel` before it completed (only
/// ever passed to a `tcc_cc_emails_callback`). Its request may or may not
/// have been sent.
pub const TCC_ERR_CANCELLED: tcc_result = 40;
/// A bug in tcc was caught before it could harm the process. Please report it.
pub const TCC_ERR_INTERNAL: tcc_result = 99;

pub(crate) fn code_for(kind: ErrorKind) -> tcc_result {
    match kind {
        ErrorKind::InvalidArgument => TCC_ERR_INVALID_ARGUMENT,
        ErrorKind::Config => TCC_ERR_CONFIG,
        ErrorKind::Network => TCC_ERR_NETWORK,
        ErrorKind::Timeout => TCC_ERR_TIMEOUT,
        ErrorKind::Tls => TCC_ERR_TLS,
        ErrorKind::Auth => TCC_ERR_AUTH,
        ErrorKind::Throttled => TCC_ERR_THROTTLED,
        ErrorKind::Server => TCC_ERR_SERVER,
        ErrorKind::Service => TCC_ERR_SERVICE,
        ErrorKind::Http => TCC_ERR_HTTP,
        ErrorKind::BadResponse => TCC_ERR_BAD_RESPONSE,
        ErrorKind::ResponseTooLarge => TCC_ERR_RESPONSE_TOO_LARGE,
        ErrorKind::Cancelled => TCC_ERR_CANCELLED,
        ErrorKind::Internal => TCC_ERR_INTERNAL,
    }
}

fn describe(code: tcc_result) -> &'static str {
    match code {
        TCC_OK => "success\0",
        TCC_ERR_INVALID_ARGUMENT => "invalid argument\0",
        TCC_ERR_CONFIG => "invalid configuration\0",
        TCC_ERR_NETWORK => "network failure\0",
        TCC_ERR_TIMEOUT => "timed out\0",
        TCC_ERR_TLS => "TLS failure\0",
        TCC_ERR_AUTH => "authentication or authorisation failed\0",
        TCC_ERR_THROTTLED => "throttled by the API gateway\0",
        TCC_ERR_SERVER => "server error\0",
        TCC_ERR_SERVICE => "the service reported an error\0",
        TCC_ERR_HTTP => "unexpected HTTP status\0",
        TCC_ERR_BAD_RESPONSE => "invalid response\0",
        TCC_ERR_RESPONSE_TOO_LARGE => "response too large\0",
        TCC_ERR_CANCELLED => "cancelled\0",
        TCC_ERR_INTERNAL => "internal error in tcc\0",
        _ => "unknown result code\0",
    }
}

/// A static, human-readable description of a result code, e.g. "timed out".
///
/// Any value is accepted; an unknown code gives "unknown result code".
/// The returned string is static: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn tcc_result_str(code: tcc_result) -> *const c_char {
    value_boundary(c"internal error in tcc".as_ptr(), || {
        describe(code).as_ptr().cast()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_description_is_nul_terminated_and_distinct() {
        let codes = [
            TCC_OK,
            TCC_ERR_INVALID_ARGUMENT,
            TCC_ERR_CONFIG,
            TCC_ERR_NETWORK,
            TCC_ERR_TIMEOUT,
            TCC_ERR_TLS,
            TCC_ERR_AUTH,
            TCC_ERR_THROTTLED,
            TCC_ERR_SERVER,
            TCC_ERR_SERVICE,
            TCC_ERR_HTTP,
            TCC_ERR_BAD_RESPONSE,
            TCC_ERR_RESPONSE_TOO_LARGE,
            TCC_ERR_CANCELLED,
            TCC_ERR_INTERNAL,
        ];
        let mut seen = std::collections::HashSet::new();
        for code in codes {
            let d = describe(code);
            assert!(d.ends_with('\0') && !d[..d.len() - 1].contains('\0'));
            assert!(seen.insert(d), "duplicate description {d}");
            assert_ne!(d, describe(12345), "code {code} has no description");
        }
    }
}
