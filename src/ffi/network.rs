//! `tcc_options` settings for how requests travel: timeouts, retries,
//! redirects, proxy, trusted roots and size limits.
//!
//! Each setter validates its value at once: out of range gives
//! `TCC_ERR_INVALID_ARGUMENT` and leaves the options unchanged. They all
//! borrow `options` (not NULL) for the call only.

use super::boundary::result_boundary;
use super::cstr::arg_mut;
use super::options::{set_str, tcc_options};
use super::result_codes::tcc_result;
use crate::config::{ClientOptions, MAX_PATH_LEN, MAX_PROXY_URL_LEN};
use crate::error::Error;
use crate::trust::TrustStore;

/// Which root certificates HTTPS servers are checked against; see
/// `tcc_options_set_trust_store`.
#[allow(non_camel_case_types)]
pub type tcc_trust_store = u32;

/// The Mozilla roots bundled in tcc (the default): the same on every machine.
pub const TCC_TRUST_BUNDLED: tcc_trust_store = 1;
/// The operating system's PEM bundle: the file named by `SSL_CERT_FILE`,
/// else the first that exists of `/etc/ssl/certs/ca-certificates.crt`,
/// `/etc/pki/tls/certs/ca-bundle.crt`,
/// `/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem`,
/// `/etc/ssl/ca-bundle.pem`, `/etc/pki/tls/cacert.pem`, `/etc/ssl/cert.pem`.
pub const TCC_TRUST_SYSTEM: tcc_trust_store = 2;

/// The options behind a handle, refusing NULL.
unsafe fn inner<'a>(options: *mut tcc_options) -> Result<&'a mut ClientOptions, Error> {
    arg_mut(options, "options").map(tcc_options::inner_mut)
}

/// Sets the connect timeout in milliseconds, 1..3600000 (default 10000):
/// the TCP connection and the TLS handshake (through a proxy: reaching it
/// and its tunnel). A connect timeout fails the attempt with
/// `TCC_ERR_TIMEOUT`; it is retried while attempts and the deadline allow.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_connect_timeout_ms(
    options: *mut tcc_options,
    ms: u32,
) -> tcc_result {
    result_boundary(|| inner(options)?.set_connect_timeout_ms(ms.into()))
}

/// Sets the deadline of a whole call in milliseconds, 1..3600000 (default
/// 30000). It bounds everything `tcc_fetch_cc_emails` does: IAM requests,
/// every attempt, the waits between retries, redirects, reading the body.
/// A server that sends a byte a second still ends at the deadline. When it
/// passes, the call fails with `TCC_ERR_TIMEOUT`, unless a retry was given
/// up because its wait would have passed it: then the last answer's error
/// is returned.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_timeout_ms(
    options: *mut tcc_options,
    ms: u32,
) -> tcc_result {
    result_boundary(|| inner(options)?.set_timeout_ms(ms.into()))
}

/// Sets the stall timeout in milliseconds, 1..3600000 (default 10000): the
/// longest wait for the next bytes while sending a request or receiving a
/// response. A server that accepts the connection and then says nothing
/// fails the attempt with `TCC_ERR_TIMEOUT` after this long, and the request
/// is retried while attempts and the deadline allow.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_stall_timeout_ms(
    options: *mut tcc_options,
    ms: u32,
) -> tcc_result {
    result_boundary(|| inner(options)?.set_stall_timeout_ms(ms.into()))
}

/// Sets how many times a request may be sent in total, 1..10 (default 3;
/// 1 turns retrying off). Applies to the OSM request and to each IAM request.
///
/// Retried: connection refused, reset or closed without a complete answer,
/// connect and stall timeouts, HTTP 429, 500, 502, 503 and 504. Never
/// retried: other statuses, business errors in HTTP 200, TLS failures,
/// malformed or oversized responses. Between attempts tcc waits what a
/// `Retry-After` header asks (seconds or an HTTP date), else a random time
/// up to 250 ms, 500 ms, 1 s, ... (at most 4 s). A `Retry-After` over 10 s,
/// or a wait that would pass the deadline, ends the retries: the last
/// answer's error is returned at once.
///
/// After a failure, `tcc_last_error_attempts()` says how many times the
/// request was sent, and a message of a retried request ends with
/// `(after N attempts)`.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_max_attempts(
    options: *mut tcc_options,
    attempts: u32,
) -> tcc_result {
    result_boundary(|| inner(options)?.set_max_attempts(attempts))
}

/// Sets how many redirects a request may follow, 0..10 (default 0: a 3xx
/// fails with `TCC_ERR_HTTP`, its status and `Location` in the message).
///
/// Only redirects within the endpoint's origin (same scheme, host and port)
/// are followed, with the same credentials; AK/SK requests are signed again
/// for the new path. A redirect to another origin is never followed: it
/// fails with `TCC_ERR_HTTP`, and nothing is sent there. tcc never hands
/// credentials (`X-Auth-Token`, `Authorization`, `X-Security-Token`,
/// `X-Domain-Id`) to a host you did not configure, and an answer from a host
/// that did not check them could not be trusted as your account's data.
/// IAM's token request (a POST) never follows redirects.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_max_redirects(
    options: *mut tcc_options,
    redirects: u32,
) -> tcc_result {
    result_boundary(|| inner(options)?.set_max_redirects(redirects))
}

/// Sets the HTTP proxy for every request (OSM and IAM), in place of the
/// proxy environment variables: `http://[user:password@]host[:port]`
/// (`http://` may be left out; the port defaults to 1080; the user and
/// password are percent-decoded and sent as `Proxy-Authorization: Basic`).
/// An empty string turns proxies off, the environment included.
///
/// Without this setting, the environment is read when the client is created,
/// as curl reads it: `https_proxy`/`HTTPS_PROXY` for https URLs,
/// `http_proxy` (lower case only: `HTTP_PROXY` can be set by a CGI request)
/// for http URLs, `all_proxy`/`ALL_PROXY` when those are unset, and
/// `no_proxy`/`NO_PROXY` (host names that also cover their subdomains, IP
/// addresses, or `*`) for hosts reached directly. `NO_PROXY` does not apply
/// to a proxy set here. A malformed proxy variable makes `tcc_client_new`
/// fail with `TCC_ERR_CONFIG` naming it.
///
/// https requests go through a `CONNECT` tunnel (TLS stays end to end);
/// http requests are sent to the proxy in absolute form.
///
/// - `url`: borrowed and copied; at most 2048 bytes. The password is
///   treated as a secret: never in any message, and tcc's copies are wiped
///   when freed (the HTTP library keeps one more for `CONNECT` tunnels,
///   freed with the client but not wiped).
///
/// Errors: `TCC_ERR_INVALID_ARGUMENT` for NULL, or a URL that is malformed
/// or not `http://` (HTTPS and SOCKS proxies are not supported).
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_proxy(
    options: *mut tcc_options,
    url: *const std::ffi::c_char,
) -> tcc_result {
    set_str(
        options,
        url,
        "proxy URL",
        MAX_PROXY_URL_LEN,
        ClientOptions::set_proxy,
    )
}

/// Chooses the root certificates that HTTPS servers are checked against:
/// `TCC_TRUST_BUNDLED` (default) or `TCC_TRUST_SYSTEM`. The system bundle is
/// read by `tcc_client_new`; none found, or an unreadable `SSL_CERT_FILE`,
/// gives `TCC_ERR_CONFIG`. A CA file (`tcc_options_set_ca_file`) takes
/// precedence over either. Verification can never be turned off, and only
/// TLS 1.2 and 1.3 are ever negotiated.
///
/// Any other value: `TCC_ERR_INVALID_ARGUMENT`, options unchanged.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_trust_store(
    options: *mut tcc_options,
    store: tcc_trust_store,
) -> tcc_result {
    result_boundary(|| {
        let store = match store {
            TCC_TRUST_BUNDLED => TrustStore::Bundled,
            TCC_TRUST_SYSTEM => TrustStore::System,
            _ => {
                return Err(Error::invalid_argument(
                    "trust store must be TCC_TRUST_BUNDLED or TCC_TRUST_SYSTEM",
                ))
            }
        };
        inner(options)?.set_trust_store(store);
        Ok(())
    })
}

/// Trusts only the CA certificates in a PEM file, instead of the trust
/// store (`tcc_options_set_trust_store`). The file is read by
/// `tcc_client_new`; certificate verification itself can never be turned
/// off.
///
/// - `path`: borrowed and copied; UTF-8, 1..4096 bytes.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_ca_file(
    options: *mut tcc_options,
    path: *const std::ffi::c_char,
) -> tcc_result {
    set_str(
        options,
        path,
        "CA file path",
        MAX_PATH_LEN,
        ClientOptions::set_ca_file,
    )
}

/// Sets the largest accepted response body in bytes (default 1 MiB, at
/// least 1024). A larger body fails with `TCC_ERR_RESPONSE_TOO_LARGE`
/// without being read into memory: at once when its `Content-Length` says
/// so, else as soon as the limit is passed. Not retried.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_max_response_bytes(
    options: *mut tcc_options,
    bytes: u64,
) -> tcc_result {
    result_boundary(|| inner(options)?.set_max_response_bytes(bytes))
}

/// Sets the largest accepted response head (status line and headers) in
/// bytes, 4096..1048576 (default 65536). A larger head, or one with more
/// than 128 header fields, fails with `TCC_ERR_RESPONSE_TOO_LARGE`. Not
/// retried.
#[no_mangle]
pub unsafe extern "C" fn tcc_options_set_max_header_bytes(
    options: *mut tcc_options,
    bytes: u32,
) -> tcc_result {
    result_boundary(|| inner(options)?.set_max_header_bytes(bytes.into()))
}
