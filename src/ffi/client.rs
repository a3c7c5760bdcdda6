//! `tcc_client`: a thread-safe client, and the calls it makes.

use std::ffi::c_char;
use std::sync::Arc;

use super::boundary::{result_boundary, value_boundary};
use super::cc_emails::tcc_cc_emails;
use super::cstr::{arg_ref, check_out, write_out};
use super::options::tcc_options;
use super::result_codes::tcc_result;
use super::strings::to_c_string;
use crate::client::Client;

/// A client for OSM. Opaque; create with `tcc_client_new`, free with
/// `tcc_client_free`.
///
/// Thread safety: a client's configuration is immutable once created; its
/// only changing state, the credentials it obtains from IAM (a looked-up
/// domain id, a password token), is cached behind locks. Any number of
/// threads may call `tcc_fetch_cc_emails` / `tcc_fetch_cc_emails_json` on
/// the same client at once; they share its pool of keep-alive connections
/// and its IAM results (one IAM request serves all threads waiting for it).
/// Only `tcc_client_free` must not run concurrently with any other use.
/// Calls started with `tcc_fetch_cc_emails_async` hold on to what they need,
/// so the client may be freed while they are in flight.
#[allow(non_camel_case_types)]
pub struct tcc_client {
    /// Shared with the calls in flight of `tcc_fetch_cc_emails_async`: the
    /// client's state lives until the handle and every such call are gone.
    inner: Arc<Client>,
}

impl tcc_client {
    /// The client for a call that may outlive this handle.
    pub(crate) fn shared(&self) -> Arc<Client> {
        Arc::clone(&self.inner)
    }
}

/// Creates a client from options. Everything needed is copied, so the
/// options may be changed or freed right after. Reads the CA file if one is
/// set; sends nothing over the network (IAM is asked, when the credentials
/// need it, by the first call).
///
/// - `options`: borrowed; not NULL. Must have an endpoint (or region) and
///   credentials, else `TCC_ERR_CONFIG`.
/// - `out`: on success receives a new client that the caller owns and must
///   free with `tcc_client_free`. Not written on failure.
///
/// Errors: `TCC_ERR_INVALID_ARGUMENT` (NULL), `TCC_ERR_CONFIG` (missing
/// endpoint or credentials, unreadable or empty CA file).
#[no_mangle]
pub unsafe extern "C" fn tcc_client_new(
    options: *const tcc_options,
    out: *mut *mut tcc_client,
) -> tcc_result {
    result_boundary(|| {
        let options = arg_ref(options, "options")?;
        check_out(out)?;
        let client = Client::new(options.inner())?;
        let client = tcc_client {
            inner: Arc::new(client),
        };
        write_out(out, Box::into_raw(Box::new(client)));
        Ok(())
    })
}

/// Frees a client and wipes the credentials it holds. NULL is accepted and
/// ignored. Must not be called twice, nor while another thread is using the
/// client. Results already fetched stay valid.
///
/// Calls started with `tcc_fetch_cc_emails_async` and still in flight are
/// neither cancelled nor waited for: each keeps its own reference to the
/// client's state (connections, credentials), completes and calls back as
/// usual; the credentials are wiped when the last of them ends. Freeing
/// the client from inside such a callback is allowed.
#[no_mangle]
pub unsafe extern "C" fn tcc_client_free(client: *mut tcc_client) {
    value_boundary((), || {
        if !client.is_null() {
            drop(Box::from_raw(client));
        }
    })
}

/// Calls "Querying Service Ticket CC" (`GET /v2/servicerequest/carbon-copy-emails`)
/// and returns the result as a handle with accessors.
///
/// Blocks the calling thread for at most the configured deadline
/// (`tcc_options_set_timeout_ms`, default 30 s). That bounds the whole call,
/// including any IAM request it needs first (the domain id lookup of AK/SK
/// credentials without a domain id, a token for password credentials), the
/// one retry after a 401 with a refreshed IAM token, the retries after a
/// transient failure (`tcc_options_set_max_attempts`) and the waits between
/// them, and followed redirects (`tcc_options_set_max_redirects`).
///
/// - `client`: borrowed; not NULL. May be shared with other threads calling at once.
/// - `out`: on success receives a result that the caller owns and must free
///   with `tcc_cc_emails_free`. Not written on failure.
///
/// On failure the code gives the class (`TCC_ERR_AUTH`, `TCC_ERR_SERVICE`,
/// `TCC_ERR_TIMEOUT`, ...) and `tcc_last_error_*` on this thread give the
/// message, HTTP status, service `error_code`/`error_msg` and request id.
/// A response with HTTP 200 whose body has an `error_code` is a failure
/// (`TCC_ERR_SERVICE`). A failed IAM request fails the call with the same
/// detail, the message starting with `domain id lookup at IAM failed: ` or
/// `IAM token request failed: `; it is not cached, so the next call asks
/// IAM again. `tcc_last_error_attempts()` says how many times the failed
/// request was sent.
#[no_mangle]
pub unsafe extern "C" fn tcc_fetch_cc_emails(
    client: *const tcc_client,
    out: *mut *mut tcc_cc_emails,
) -> tcc_result {
    result_boundary(|| {
        let client = arg_ref(client, "client")?;
        check_out(out)?;
        let data = client.inner.fetch_cc_emails()?;
        write_out(out, Box::into_raw(Box::new(tcc_cc_emails::new(data))));
        Ok(())
    })
}

/// Like `tcc_fetch_cc_emails`, but returns the result as normalised JSON:
/// `{"cc_email_info": {"user_id": ..., "customer_id": ..., "cc_email": ...} | null,
///   "mc_email_infos": [ ... ]}` where each record field is a string or null,
/// whatever shape the server used.
///
/// - `out_json`: on success receives a NUL-terminated UTF-8 string that the
///   caller owns and must free with `tcc_free`. Not written on failure.
#[no_mangle]
pub unsafe extern "C" fn tcc_fetch_cc_emails_json(
    client: *const tcc_client,
    out_json: *mut *mut c_char,
) -> tcc_result {
    result_boundary(|| {
        let client = arg_ref(client, "client")?;
        check_out(out_json)?;
        let data = client.inner.fetch_cc_emails()?;
        write_out(out_json, to_c_string(&data.to_json()).into_raw());
        Ok(())
    })
}
