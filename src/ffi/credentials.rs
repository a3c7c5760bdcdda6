//! Credential setters on `tcc_options` beyond the plain token: AK/SK (with
//! domain id and security token), IAM password, and the IAM endpoint.

use std::ffi::c_char;

use super::boundary::result_boundary;
use super::cstr::{arg_mut, arg_str};
use super::options::{set_str, tcc_options};
use super::result_codes::tcc_result;
use crate::config::ClientOptions;
use crate::credentials::{
    MAX_AK_LEN, MAX_DOMAIN_ID_LEN, MAX_NAME_LEN, MAX_PASSWORD_LEN, MAX_SECURITY_TOKEN_LEN,
    MAX_SK_LEN,
};
use crate::endpoint::MAX_ENDPOINT_LEN;

/// Authenticates by signing every request with an access key
/// (SDK-HMAC-SHA256, as the official SDKs do by default). Replaces
/// credentials set before, including a domain id or security token: set
/// those after this call.
///
/// - `options`: borrowed, not NULL.
/// - `ak`: the access key id; borrowed and copied; 1..128 printable ASCII
///   characters without space, `,` or `=`.
/// - `sk`: the secret key; borrowed and copied (the copy is wiped when the
///   options and the clients made from them are freed); 1..1024 bytes of
///   UTF-8. It never leaves the process: it only keys the signature.
///
/// OSM is a global service: signed requests carry the account id as
/// `X-Domain-Id`. Set it with `tcc_options_set_domain_id`, or leave it
/// unset and the client looks it up once from IAM (`GET /v3/auth/domains`
/// at the IAM endpoint, see `tcc_options_set_iam_endpoint`) on its first
/// call, and keeps it. A temporary AK/SK also needs
/// `tcc_options_set_security_token`.
///
/// Returns `TCC_ERR_INVALID_ARGUMENT` (options unchanged) for NULL or a
/// value out of bounds. Neither key appears in any message tcc produces
/// (the AK, which travels in clear in every request, may appear in debug
/// output of the Rust API).
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_aksk(
    options: *mut tcc_options,
    ak: *const c_char,
    sk: *const c_char,
) -> tcc_result {
    result_boundary(|| {
        let options = arg_mut(options, "options")?;
        let ak = arg_str(ak, "ak", MAX_AK_LEN)?;
        let sk = arg_str(sk, "sk", MAX_SK_LEN)?;
        options.inner_mut().set_aksk(ak, sk)
    })
}

/// Sets the account (domain) id sent as `X-Domain-Id` with AK/SK
/// credentials, so the client never has to look it up from IAM.
///
/// - `domain_id`: borrowed and copied; 1..128 printable ASCII characters
///   (IAM's ids are 32 hexadecimal characters).
///
/// Call after `tcc_options_set_aksk`: without AK/SK credentials in the
/// options it returns `TCC_ERR_CONFIG`. NULL or a bad value:
/// `TCC_ERR_INVALID_ARGUMENT`. Options unchanged on any failure.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_domain_id(
    options: *mut tcc_options,
    domain_id: *const c_char,
) -> tcc_result {
    set_str(
        options,
        domain_id,
        "domain id",
        MAX_DOMAIN_ID_LEN,
        ClientOptions::set_domain_id,
    )
}

/// Sets the security token of a temporary AK/SK, sent as
/// `X-Security-Token` with every signed request (the gateway refuses a
/// temporary AK without it).
///
/// - `security_token`: borrowed and copied (the copy is wiped when the
///   options and the clients holding it are freed); 1..16384 printable
///   ASCII characters.
///
/// Call after `tcc_options_set_aksk`: without AK/SK credentials in the
/// options it returns `TCC_ERR_CONFIG`. NULL or a bad value:
/// `TCC_ERR_INVALID_ARGUMENT`. Options unchanged on any failure. The token
/// never appears in any message tcc produces.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_security_token(
    options: *mut tcc_options,
    security_token: *const c_char,
) -> tcc_result {
    set_str(
        options,
        security_token,
        "security token",
        MAX_SECURITY_TOKEN_LEN,
        ClientOptions::set_security_token,
    )
}

/// Authenticates as an IAM user: the client exchanges the password for a
/// domain-scoped token with IAM (`POST /v3/auth/tokens` at the IAM
/// endpoint) when a call first needs one, and sends that as `X-Auth-Token`.
/// Replaces credentials set before.
///
/// The token is cached in the client and shared by all threads. It is
/// refreshed before it expires: once less than a quarter of its lifetime,
/// and at most 5 minutes, remains (IAM tokens live 24 h, so normally 5
/// minutes before expiry). If OSM answers 401 anyway (e.g. the token was
/// revoked), the call gets a new token and is retried once. At most one
/// token request is in flight per client; other calls wait for it. All of
/// this counts against the call's timeout.
///
/// - `user`: the IAM user name; borrowed and copied; 1..256 bytes of UTF-8.
/// - `password`: borrowed and copied (the copy is wiped when the options
///   and the clients holding it are freed); 1..1024 bytes of UTF-8.
/// - `domain_name`: the account (domain) name the user belongs to, which
///   also scopes the token; borrowed and copied; 1..256 bytes of UTF-8.
///
/// Returns `TCC_ERR_INVALID_ARGUMENT` (options unchanged) for NULL or a
/// value out of bounds. A wrong password is reported by the first call:
/// `TCC_ERR_AUTH` with IAM's code (`IAM.0006`) in `tcc_last_error_service_code`.
/// The password and the tokens never appear in any message tcc produces.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_password(
    options: *mut tcc_options,
    user: *const c_char,
    password: *const c_char,
    domain_name: *const c_char,
) -> tcc_result {
    result_boundary(|| {
        let options = arg_mut(options, "options")?;
        let user = arg_str(user, "user", MAX_NAME_LEN)?;
        let password = arg_str(password, "password", MAX_PASSWORD_LEN)?;
        let domain_name = arg_str(domain_name, "domain name", MAX_NAME_LEN)?;
        options
            .inner_mut()
            .set_password(user, password, domain_name)
    })
}

/// Sets IAM's base URL, used for the domain id lookup of AK/SK credentials
/// and for the tokens of password credentials. Default:
/// `https://iam.myhuaweicloud.com` (the official SDKs' default too).
///
/// - `url`: borrowed and copied; `https://host[:port][/path-prefix]`
///   (`http://` accepted for stand-ins), at most 2048 bytes.
///
/// Returns `TCC_ERR_INVALID_ARGUMENT` (options unchanged) for NULL or a bad URL.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_iam_endpoint(
    options: *mut tcc_options,
    url: *const c_char,
) -> tcc_result {
    set_str(
        options,
        url,
        "IAM endpoint",
        MAX_ENDPOINT_LEN,
        ClientOptions::set_iam_endpoint,
    )
}
