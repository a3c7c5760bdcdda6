//! `tcc_cc_emails`: an immutable result with accessors. Strings are
//! converted to C once, when the result is made, so accessors only lend.

use std::ffi::c_char;
use std::ptr;

use super::boundary::{result_boundary, value_boundary};
use super::cstr::{arg_ref, check_out, write_out};
use super::result_codes::tcc_result;
use super::strings::to_c_string;
use crate::model::{CcEmails, CcRecord};

/// The result of `tcc_fetch_cc_emails`. Opaque; free with `tcc_cc_emails_free`.
///
/// Thread safety: immutable; any number of threads may read one result at
/// once. Strings it lends stay valid until it is freed.
#[allow(non_camel_case_types)]
pub struct tcc_cc_emails {
    addresses: Vec<CText>,
    /// `None` when the server sent no last record.
    last_record: Option<CRecord>,
}

struct CRecord {
    user_id: Option<CText>,
    customer_id: Option<CText>,
    cc_email: Option<CText>,
}

/// A decoded string made a C string where it lies: a NUL is appended to its
/// own buffer, which the decoder sized for it, so making a result copies and
/// reallocates nothing (this runs on every call). Holds exactly one NUL, at
/// the end.
struct CText(String);

impl CText {
    fn new(mut text: String) -> Self {
        // The decoder refuses strings holding a NUL; should one come anyway,
        // C must not see it cut short.
        if text.contains('\0') {
            text = text.replace('\0', "\u{FFFD}");
        }
        text.push('\0');
        CText(text)
    }

    fn as_ptr(&self) -> *const c_char {
        self.0.as_ptr().cast()
    }

    fn text(&self) -> &str {
        &self.0[..self.0.len() - 1]
    }
}

impl tcc_cc_emails {
    /// Takes the decoded strings over as C strings (see [`CText`]).
    pub(crate) fn new(data: CcEmails) -> Self {
        let c = |s: Option<String>| s.map(CText::new);
        tcc_cc_emails {
            addresses: data.addresses.into_iter().map(CText::new).collect(),
            last_record: data.last_record.map(|r| CRecord {
                user_id: c(r.user_id),
                customer_id: c(r.customer_id),
                cc_email: c(r.cc_email),
            }),
        }
    }

    /// The result as the core's model again, for the JSON form (rarely
    /// asked for, so it copies rather than every call keeping both forms).
    fn to_model(&self) -> CcEmails {
        let text = |s: &CText| s.text().to_owned();
        let opt = |s: &Option<CText>| s.as_ref().map(text);
        CcEmails {
            addresses: self.addresses.iter().map(text).collect(),
            last_record: self.last_record.as_ref().map(|r| CcRecord {
                user_id: opt(&r.user_id),
                customer_id: opt(&r.customer_id),
                cc_email: opt(&r.cc_email),
            }),
        }
    }

    fn record_field(&self, field: fn(&CRecord) -> &Option<CText>) -> *const c_char {
        self.last_record
            .as_ref()
            .map_or(ptr::null(), |r| lend(field(r)))
    }
}

fn lend(s: &Option<CText>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), CText::as_ptr)
}

/// Frees a result. NULL is accepted and ignored. Must not be called twice.
/// Every string borrowed from the result becomes invalid.
#[no_mangle]
pub unsafe extern "C" fn tcc_cc_emails_free(result: *mut tcc_cc_emails) {
    value_boundary((), || {
        if !result.is_null() {
            drop(Box::from_raw(result));
        }
    })
}

/// The number of CC e-mail addresses (`mc_email_infos`), 0 when the server
/// sent none. Returns 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcc_cc_emails_count(result: *const tcc_cc_emails) -> usize {
    value_boundary(0, || result.as_ref().map_or(0, |r| r.addresses.len()))
}

/// Address number `index` (0-based), as NUL-terminated UTF-8.
///
/// Returns NULL when `result` is NULL or `index >= tcc_cc_emails_count(result)`.
/// The string is borrowed from `result`: do not free it; valid until
/// `tcc_cc_emails_free(result)`.
#[no_mangle]
pub unsafe extern "C" fn tcc_cc_emails_address(
    result: *const tcc_cc_emails,
    index: usize,
) -> *const c_char {
    value_boundary(ptr::null(), || {
        result
            .as_ref()
            .and_then(|r| r.addresses.get(index))
            .map_or(ptr::null(), |a| a.as_ptr())
    })
}

/// Whether the server sent a last CC record (`cc_email_info` as an object,
/// or a non-empty array). False for NULL.
#[no_mangle]
pub unsafe extern "C" fn tcc_cc_emails_has_last_record(result: *const tcc_cc_emails) -> bool {
    value_boundary(false, || {
        result.as_ref().is_some_and(|r| r.last_record.is_some())
    })
}

/// `cc_email_info.user_id` of the last CC record. NULL when `result` is
/// NULL, there is no record, or the field was absent or null. Borrowed from
/// `result`, valid until `tcc_cc_emails_free(result)`.
#[no_mangle]
pub unsafe extern "C" fn tcc_cc_emails_last_user_id(result: *const tcc_cc_emails) -> *const c_char {
    value_boundary(ptr::null(), || {
        result
            .as_ref()
            .map_or(ptr::null(), |r| r.record_field(|c| &c.user_id))
    })
}

/// `cc_email_info.customer_id` of the last CC record; NULL and lifetime as
/// for `tcc_cc_emails_last_user_id`.
#[no_mangle]
pub unsafe extern "C" fn tcc_cc_emails_last_customer_id(
    result: *const tcc_cc_emails,
) -> *const c_char {
    value_boundary(ptr::null(), || {
        result
            .as_ref()
            .map_or(ptr::null(), |r| r.record_field(|c| &c.customer_id))
    })
}

/// `cc_email_info.cc_email` of the last CC record (may list several
/// addresses in one string, as the service stores them); NULL and lifetime
/// as for `tcc_cc_emails_last_user_id`.
#[no_mangle]
pub unsafe extern "C" fn tcc_cc_emails_last_cc_email(
    result: *const tcc_cc_emails,
) -> *const c_char {
    value_boundary(ptr::null(), || {
        result
            .as_ref()
            .map_or(ptr::null(), |r| r.record_field(|c| &c.cc_email))
    })
}

/// The result as normalised JSON (same form as `tcc_fetch_cc_emails_json`).
///
/// - `result`: borrowed; not NULL.
/// - `out_json`: on success receives a string the caller owns and must free
///   with `tcc_free`. Not written on failure.
#[no_mangle]
pub unsafe extern "C" fn tcc_cc_emails_to_json(
    result: *const tcc_cc_emails,
    out_json: *mut *mut c_char,
) -> tcc_result {
    result_boundary(|| {
        let result = arg_ref(result, "result")?;
        check_out(out_json)?;
        write_out(
            out_json,
            to_c_string(&result.to_model().to_json()).into_raw(),
        );
        Ok(())
    })
}
