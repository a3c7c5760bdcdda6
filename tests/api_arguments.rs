//! Bad input from C for every exported function: NULL, invalid UTF-8,
//! over-long strings, control characters, out-of-range numbers. Each gives
//! a result code (or a neutral value), never a crash, and leaves outputs
//! and options untouched.

mod common;

use std::ffi::c_char;
use std::ptr;

use common::*;
use osm_standin::Standin;
use tcc::ffi::*;

/// A non-NULL value no function may write: a check that outputs are left alone on failure.
fn sentinel<T>() -> *mut T {
    ptr::NonNull::dangling().as_ptr()
}

type StringSetter = unsafe extern "C" fn(*mut tcc_options, *const c_char) -> tcc_result;

const STRING_SETTERS: &[(&str, StringSetter, &str)] = &[
    ("endpoint", tcc_options_set_endpoint, "http://127.0.0.1:1"),
    ("region", tcc_options_set_region, "cn-south-1"),
    ("token", tcc_options_set_token, "tok"),
    ("language", tcc_options_set_language, "en-us"),
    ("time_zone", tcc_options_set_time_zone, "GMT+8"),
    (
        "ca_file",
        tcc_options_set_ca_file,
        "/etc/ssl/certs/ca-certificates.crt",
    ),
];

fn new_options() -> *mut tcc_options {
    let mut opts = ptr::null_mut();
    assert_eq!(unsafe { tcc_options_new(&mut opts) }, TCC_OK);
    opts
}

fn assert_invalid(code: tcc_result, what: &str) {
    assert_eq!(code, TCC_ERR_INVALID_ARGUMENT, "{what}");
    let err = last_error();
    assert_eq!(err.code, TCC_ERR_INVALID_ARGUMENT, "{what}");
    assert!(!err.message.is_empty(), "{what}");
    assert_eq!(err.http_status, 0, "{what}");
}

#[test]
fn string_setters_refuse_null_bad_utf8_huge_and_control_characters() {
    let opts = new_options();
    let huge = cstring(&"a".repeat(1 << 20));
    let invalid_utf8: &[u8] = b"\xff\xfe\xfd\0";
    for &(name, setter, good) in STRING_SETTERS {
        unsafe {
            assert_eq!(
                setter(opts, cstring(good).as_ptr()),
                TCC_OK,
                "{name} good value"
            );
            assert_invalid(setter(ptr::null_mut(), cstring(good).as_ptr()), name);
            assert_invalid(setter(opts, ptr::null()), name);
            assert_invalid(setter(opts, invalid_utf8.as_ptr().cast()), name);
            assert_invalid(setter(opts, huge.as_ptr()), name);
            assert_invalid(setter(opts, c"".as_ptr()), name);
        }
    }
    // Header values: CR/LF (header injection), other controls, non-ASCII.
    for (name, setter) in [
        ("token", tcc_options_set_token as StringSetter),
        ("language", tcc_options_set_language),
        ("time_zone", tcc_options_set_time_zone),
    ] {
        for bad in ["en\r\nX-Evil: 1", "a\nb", "tab\tx", "bell\x07", "é"] {
            assert_invalid(unsafe { setter(opts, cstring(bad).as_ptr()) }, name);
        }
    }
    for bad in [
        "not a url",
        "ftp://x",
        "https://u:p@x",
        "http://x/?q=1",
        "http://x/\r\n",
    ] {
        assert_invalid(
            unsafe { tcc_options_set_endpoint(opts, cstring(bad).as_ptr()) },
            bad,
        );
    }
    assert_invalid(
        unsafe { tcc_options_set_region(opts, c"mars-1".as_ptr()) },
        "region",
    );
    assert!(last_error().message.contains("cn-south-1"));
    unsafe { tcc_options_free(opts) };
}

#[test]
fn numeric_setters_refuse_null_and_out_of_range() {
    let opts = new_options();
    unsafe {
        assert_eq!(tcc_options_set_site(opts, 0), TCC_OK);
        assert_eq!(tcc_options_set_site(opts, 1), TCC_OK);
        for bad in [-1, 2, i32::MIN, i32::MAX] {
            assert_invalid(tcc_options_set_site(opts, bad), "site");
        }
        assert_invalid(tcc_options_set_site(ptr::null_mut(), 0), "site NULL");

        type MsSetter = unsafe extern "C" fn(*mut tcc_options, u32) -> tcc_result;
        for setter in [
            tcc_options_set_connect_timeout_ms as MsSetter,
            tcc_options_set_timeout_ms,
        ] {
            assert_eq!(setter(opts, 1500), TCC_OK);
            assert_invalid(setter(opts, 0), "timeout 0");
            assert_invalid(setter(opts, u32::MAX), "timeout max");
            assert_invalid(setter(ptr::null_mut(), 1000), "timeout NULL");
        }

        assert_eq!(tcc_options_set_max_response_bytes(opts, 4096), TCC_OK);
        assert_eq!(tcc_options_set_max_response_bytes(opts, u64::MAX), TCC_OK);
        assert_invalid(tcc_options_set_max_response_bytes(opts, 0), "max 0");
        assert_invalid(tcc_options_set_max_response_bytes(opts, 1023), "max 1023");
        assert_invalid(
            tcc_options_set_max_response_bytes(ptr::null_mut(), 4096),
            "max NULL",
        );
        tcc_options_free(opts);
    }
}

#[test]
fn a_failed_setter_leaves_the_options_unchanged() {
    let server = Standin::start(standin_config()).unwrap();
    let opts = options(&server.base_url(), TOKEN);
    unsafe {
        assert_eq!(tcc_options_set_language(opts, c"en-us".as_ptr()), TCC_OK);
        assert_invalid(
            tcc_options_set_language(opts, c"en\r\nX: 1".as_ptr()),
            "language",
        );
        assert_invalid(tcc_options_set_endpoint(opts, c"nope".as_ptr()), "endpoint");
        assert_invalid(tcc_options_set_token(opts, c"".as_ptr()), "token");
        assert_invalid(tcc_options_set_site(opts, 5), "site");
    }
    let client = client_with(opts);
    fetch(client).unwrap();
    unsafe {
        tcc_client_free(client);
        tcc_options_free(opts);
    }
    let requests = server.requests();
    assert_eq!(requests[0].header("x-language"), Some("en-us"));
    assert_eq!(requests[0].header("x-auth-token"), Some(TOKEN));
    assert_eq!(requests[0].header("x-site"), None);
}

#[test]
fn constructors_refuse_null_and_leave_out_untouched() {
    unsafe {
        assert_invalid(tcc_options_new(ptr::null_mut()), "options_new NULL out");

        let mut client: *mut tcc_client = sentinel();
        assert_invalid(
            tcc_client_new(ptr::null(), &mut client),
            "client_new NULL options",
        );
        assert_eq!(client, sentinel());

        let opts = options("http://127.0.0.1:1", TOKEN);
        assert_invalid(tcc_client_new(opts, ptr::null_mut()), "client_new NULL out");
        tcc_options_free(opts);

        // Missing endpoint, missing credentials: configuration errors.
        let no_endpoint = new_options();
        assert_eq!(tcc_options_set_token(no_endpoint, c"t".as_ptr()), TCC_OK);
        assert_eq!(tcc_client_new(no_endpoint, &mut client), TCC_ERR_CONFIG);
        assert!(last_error().message.contains("endpoint"));
        assert_eq!(client, sentinel());
        tcc_options_free(no_endpoint);

        let no_credentials = new_options();
        assert_eq!(
            tcc_options_set_region(no_credentials, c"cn-south-1".as_ptr()),
            TCC_OK
        );
        assert_eq!(tcc_client_new(no_credentials, &mut client), TCC_ERR_CONFIG);
        assert!(last_error().message.contains("credentials"));
        assert_eq!(client, sentinel());
        tcc_options_free(no_credentials);
    }
}

#[test]
fn ca_file_problems_are_configuration_errors_at_client_creation() {
    let dir = scratch_dir("ca-files");
    let not_pem = dir.join("not-pem.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let missing = dir.join("missing.pem");
    for path in [&not_pem, &missing] {
        let opts = options("https://127.0.0.1:1", TOKEN);
        let mut client: *mut tcc_client = sentinel();
        unsafe {
            let p = cstring(path.to_str().unwrap());
            assert_eq!(tcc_options_set_ca_file(opts, p.as_ptr()), TCC_OK);
            assert_eq!(
                tcc_client_new(opts, &mut client),
                TCC_ERR_CONFIG,
                "{path:?}"
            );
            tcc_options_free(opts);
        }
        assert_eq!(client, sentinel());
        assert!(
            last_error().message.contains("CA file"),
            "{:?}",
            last_error()
        );
    }
}

#[test]
fn fetch_refuses_null_and_sends_nothing() {
    let server = Standin::start(standin_config()).unwrap();
    let client = client(&server.base_url(), TOKEN);
    unsafe {
        let mut result: *mut tcc_cc_emails = sentinel();
        assert_invalid(
            tcc_fetch_cc_emails(ptr::null(), &mut result),
            "fetch NULL client",
        );
        assert_eq!(result, sentinel());
        assert_invalid(
            tcc_fetch_cc_emails(client, ptr::null_mut()),
            "fetch NULL out",
        );

        let mut json: *mut c_char = sentinel();
        assert_invalid(
            tcc_fetch_cc_emails_json(ptr::null(), &mut json),
            "json NULL client",
        );
        assert_eq!(json, sentinel());
        assert_invalid(
            tcc_fetch_cc_emails_json(client, ptr::null_mut()),
            "json NULL out",
        );
        tcc_client_free(client);
    }
    assert!(server.requests().is_empty());
}

#[test]
fn result_accessors_accept_null_and_out_of_range() {
    unsafe {
        assert_eq!(tcc_cc_emails_count(ptr::null()), 0);
        assert!(tcc_cc_emails_address(ptr::null(), 0).is_null());
        assert!(!tcc_cc_emails_has_last_record(ptr::null()));
        assert!(tcc_cc_emails_last_user_id(ptr::null()).is_null());
        assert!(tcc_cc_emails_last_customer_id(ptr::null()).is_null());
        assert!(tcc_cc_emails_last_cc_email(ptr::null()).is_null());
        let mut json: *mut c_char = sentinel();
        assert_invalid(
            tcc_cc_emails_to_json(ptr::null(), &mut json),
            "to_json NULL",
        );
        assert_eq!(json, sentinel());
    }
    let server = Standin::start(standin_config()).unwrap();
    let client = client(&server.base_url(), TOKEN);
    unsafe {
        let mut result = ptr::null_mut();
        assert_eq!(tcc_fetch_cc_emails(client, &mut result), TCC_OK);
        assert_eq!(tcc_cc_emails_count(result), 2);
        assert!(tcc_cc_emails_address(result, 2).is_null());
        assert!(tcc_cc_emails_address(result, usize::MAX).is_null());
        assert_invalid(
            tcc_cc_emails_to_json(result, ptr::null_mut()),
            "to_json NULL out",
        );
        tcc_cc_emails_free(result);
        tcc_client_free(client);
    }
}

#[test]
fn frees_accept_null() {
    unsafe {
        tcc_options_free(ptr::null_mut());
        tcc_client_free(ptr::null_mut());
        tcc_cc_emails_free(ptr::null_mut());
        tcc_free(ptr::null_mut());
    }
    // Still alive, and the last error untouched by frees.
    assert_eq!(tcc_last_error_code(), TCC_OK);
}

#[test]
fn static_strings_and_unknown_codes() {
    assert_eq!(text(tcc_result_str(TCC_OK)).as_deref(), Some("success"));
    assert_eq!(
        text(tcc_result_str(TCC_ERR_TIMEOUT)).as_deref(),
        Some("timed out")
    );
    for unknown in [3, 98, 1000, u32::MAX] {
        assert_eq!(
            text(tcc_result_str(unknown)).as_deref(),
            Some("unknown result code")
        );
    }
    assert_eq!(
        text(tcc_version()).as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn error_detail_is_per_thread() {
    assert_invalid(unsafe { tcc_options_new(ptr::null_mut()) }, "here");
    let other = std::thread::spawn(last_error).join().unwrap();
    assert_eq!(other.code, TCC_OK);
    assert_eq!(other.message, "");
    assert_eq!(last_error().code, TCC_ERR_INVALID_ARGUMENT);
}
