//! `tcc_options`: a mutable builder that the client is made from. New
//! settings arrive as new setter functions, so the ABI never breaks.

use std::ffi::c_char;

use super::boundary::{result_boundary, value_boundary};
use super::cstr::{arg_mut, arg_str, check_out, write_out};
use super::result_codes::tcc_result;
use crate::config::{ClientOptions, MAX_LANGUAGE_LEN, MAX_TIME_ZONE_LEN};
use crate::credentials::MAX_TOKEN_LEN;
use crate::endpoint::MAX_ENDPOINT_LEN;

/// Longest region id accepted.
const MAX_REGION_LEN: usize = 64;

/// Options for a client. Opaque; create with `tcc_options_new`, free with
/// `tcc_options_free`.
///
/// Thread safety: not thread-safe. Use one `tcc_options` from one thread at
/// a time (it may move between threads).
#[allow(non_camel_case_types)]
pub struct tcc_options {
    inner: ClientOptions,
}

/// Creates options with defaults: no endpoint, no credentials, IAM at
/// `https://iam.myhuaweicloud.com`, no optional header (`X-Language`,
/// `X-Time-Zone`, `X-Site` are sent only when set), and for the network:
/// connect timeout 10 s, stall timeout 10 s, call deadline 30 s, 3 attempts
/// per request, redirects not followed, proxies from the environment,
/// bundled CA roots, response head limit 64 KiB and body limit 1 MiB (see
/// the `tcc_options_set_*` functions below for each). To start from the
/// environment variables instead, see `tcc_options_new_from_env`.
///
/// - `out`: on success receives a new `tcc_options` that the caller owns and
///   must free with `tcc_options_free`. Not written on failure. NULL:
///   `TCC_ERR_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_new(out: *mut *mut tcc_options) -> tcc_result {
    result_boundary(|| {
        check_out(out)?;
        let options = Box::new(tcc_options {
            inner: ClientOptions::new(),
        });
        write_out(out, Box::into_raw(options));
        Ok(())
    })
}

/// Frees options. NULL is accepted and ignored. Must not be called twice on
/// the same pointer. Clients already made from these options are unaffected.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_free(options: *mut tcc_options) {
    value_boundary((), || {
        if !options.is_null() {
            drop(Box::from_raw(options));
        }
    })
}

/// Applies a string setting: shared argument checks, one place.
pub(super) unsafe fn set_str(
    options: *mut tcc_options,
    value: *const c_char,
    name: &str,
    max: usize,
    apply: impl FnOnce(&mut ClientOptions, &str) -> Result<(), crate::Error>,
) -> tcc_result {
    result_boundary(|| {
        let options = arg_mut(options, "options")?;
        let value = arg_str(value, name, max)?;
        apply(&mut options.inner, value)
    })
}

/// Sets the endpoint: `https://host[:port][/path-prefix]` (`http://` is
/// accepted for local stand-ins and private links). Replaces a region set
/// before. User info, query and fragment are refused.
///
/// - `options`: borrowed, not NULL.
/// - `url`: borrowed and copied; NUL-terminated UTF-8, at most 2048 bytes.
///
/// Returns `TCC_ERR_INVALID_ARGUMENT` (options unchanged) for NULL or a bad URL.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_endpoint(
    options: *mut tcc_options,
    url: *const c_char,
) -> tcc_result {
    set_str(
        options,
        url,
        "endpoint",
        MAX_ENDPOINT_LEN,
        ClientOptions::set_endpoint,
    )
}

/// Sets the endpoint from a known region id: `cn-south-1` or
/// `ap-southeast-3`. Replaces an endpoint set before.
///
/// - `region`: borrowed and copied; not NULL.
///
/// Returns `TCC_ERR_INVALID_ARGUMENT` (options unchanged) for NULL or an
/// unknown region; the last error message lists the known ones.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_region(
    options: *mut tcc_options,
    region: *const c_char,
) -> tcc_result {
    set_str(
        options,
        region,
        "region",
        MAX_REGION_LEN,
        ClientOptions::set_region,
    )
}

/// Authenticates with an IAM token (sent as `X-Auth-Token`). OSM is a global
/// service: the token must be domain-scoped. Replaces credentials set before.
/// tcc cannot renew such a token: for long-running programs prefer
/// `tcc_options_set_aksk` or `tcc_options_set_password`.
///
/// - `token`: borrowed and copied (the copy is wiped when the options and
///   clients holding it are freed); 1..5000 printable ASCII characters.
///
/// The token never appears in any message tcc produces.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_token(
    options: *mut tcc_options,
    token: *const c_char,
) -> tcc_result {
    set_str(
        options,
        token,
        "token",
        MAX_TOKEN_LEN,
        ClientOptions::set_token,
    )
}

/// Sets `X-Language`, e.g. `en-us` or `zh-cn` (server default `zh-cn`).
///
/// - `language`: borrowed and copied; 1..32 printable ASCII characters.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_language(
    options: *mut tcc_options,
    language: *const c_char,
) -> tcc_result {
    set_str(
        options,
        language,
        "language",
        MAX_LANGUAGE_LEN,
        ClientOptions::set_language,
    )
}

/// Sets `X-Time-Zone`, e.g. `GMT+8` (the server's default).
///
/// - `time_zone`: borrowed and copied; 1..32 printable ASCII characters.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_time_zone(
    options: *mut tcc_options,
    time_zone: *const c_char,
) -> tcc_result {
    set_str(
        options,
        time_zone,
        "time zone",
        MAX_TIME_ZONE_LEN,
        ClientOptions::set_time_zone,
    )
}

/// Sets `X-Site`: 0 for the China site, 1 for the international site.
/// Any other value: `TCC_ERR_INVALID_ARGUMENT`, options unchanged.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_site(options: *mut tcc_options, site: i32) -> tcc_result {
    result_boundary(|| arg_mut(options, "options")?.inner.set_site(site.into()))
}

impl tcc_options {
    pub(crate) fn new(inner: ClientOptions) -> Self {
        tcc_options { inner }
    }

    pub(crate) fn inner(&self) -> &ClientOptions {
        &self.inner
    }

    pub(crate) fn inner_mut(&mut self) -> &mut ClientOptions {
        &mut self.inner
    }
}
