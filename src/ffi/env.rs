//! `tcc_options_new_from_env`: options from the environment variables, with
//! the official SDKs' names for credentials.

use super::boundary::result_boundary;
use super::cstr::{check_out, write_out};
use super::options::tcc_options;
use super::result_codes::tcc_result;
use crate::config::ClientOptions;

/// Creates options from the environment: a complete configuration (endpoint
/// and credentials) that `tcc_client_new` can use at once, and that the
/// setters can still change.
///
/// Variables (an empty one counts as unset; each value is checked as the
/// corresponding setter checks it):
/// - `TCC_ENDPOINT` (base URL) or `TCC_REGION` (`cn-south-1`,
///   `ap-southeast-3`): one is required; if both are set, the endpoint wins.
/// - Credentials, first match wins (variables of the other modes are ignored):
///   1. `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` (if either is set,
///      both are required), with the optional `HUAWEICLOUD_SDK_DOMAIN_ID`
///      and, for temporary keys, `HUAWEICLOUD_SDK_SECURITY_TOKEN`;
///   2. `TCC_IAM_USER`, `TCC_IAM_PASSWORD` and `TCC_IAM_DOMAIN` (the
///      account name): if any is set, all three are required;
///   3. `TCC_TOKEN`, a domain-scoped IAM token.
/// - Optional: `HUAWEICLOUD_SDK_IAM_ENDPOINT`, `TCC_LANGUAGE`,
///   `TCC_TIME_ZONE`, `TCC_SITE` (`0` or `1`), `TCC_CA_FILE`,
///   `TCC_TRUST_STORE` (`bundled` or `system`), and for the network
///   `TCC_CONNECT_TIMEOUT_MS`, `TCC_TIMEOUT_MS`, `TCC_STALL_TIMEOUT_MS`,
///   `TCC_MAX_ATTEMPTS`, `TCC_MAX_REDIRECTS` (whole decimal numbers, in the
///   ranges of the corresponding setters) and `TCC_PROXY` (an explicit
///   proxy, see `tcc_options_set_proxy`). Read later, by `tcc_client_new`:
///   the standard proxy variables (`https_proxy`, `http_proxy`,
///   `ALL_PROXY`, `NO_PROXY`, ...) unless a proxy is set, and
///   `SSL_CERT_FILE` when the system trust store is chosen.
///
/// - `out`: on success receives new options that the caller owns and must
///   free with `tcc_options_free`. Not written on failure. NULL:
///   `TCC_ERR_INVALID_ARGUMENT`.
///
/// Errors: `TCC_ERR_CONFIG` when something required is missing,
/// `TCC_ERR_INVALID_ARGUMENT` when a value is bad. The message from
/// `tcc_last_error_message` then starts with the name of the variable at
/// fault (or the names, comma-separated) and `": "`, e.g.
/// `HUAWEICLOUD_SDK_SK: not set, but HUAWEICLOUD_SDK_AK is (...)`; it never
/// quotes a value.
///
/// Thread safety: reads the process environment like `getenv`, so it must
/// not run while another thread changes it (`setenv`, `putenv`).
#[no_mangle]
pub unsafe extern "C" fn tcc_options_new_from_env(out: *mut *mut tcc_options) -> tcc_result {
    result_boundary(|| {
        check_out(out)?;
        let options = ClientOptions::from_env()?;
        write_out(out, Box::into_raw(Box::new(tcc_options::new(options))));
        Ok(())
    })
}
