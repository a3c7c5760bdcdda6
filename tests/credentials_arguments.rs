//! Bad input from C for the credential setters: NULL, invalid UTF-8,
//! over-long, empty, control characters, calls in the wrong order. Each is
//! refused with a code, leaves the options as they were, and never quotes
//! the value it refused.

mod common;

use std::ffi::c_char;
use std::ptr;

use common::*;
use osm_standin::{data, Standin};
use tcc::ffi::*;

const INVALID_UTF8: &[u8] = b"\xff\xfe\xfd\0";

fn refused(code: tcc_result, expected: tcc_result, what: &str) {
    assert_eq!(code, expected, "{what}");
    let err = last_error();
    assert_eq!(err.code, expected, "{what}");
    assert!(!err.message.is_empty(), "{what}");
    assert_no_secret(&format!("{err:?}"), &configured_secrets());
}

/// Every way a string argument can be bad, for a setter taking one string.
fn bad_strings() -> Vec<(String, Vec<u8>)> {
    vec![
        ("empty".into(), b"\0".to_vec()),
        ("invalid UTF-8".into(), INVALID_UTF8.to_vec()),
        ("huge".into(), {
            let mut v = WRONG_SK.repeat(1 << 15).into_bytes();
            v.push(0);
            v
        }),
    ]
}

#[test]
fn aksk_and_password_refuse_null_bad_utf8_empty_and_huge() {
    let opts = options_for("http://127.0.0.1:1");
    let ak = cstring(data::AK);
    let sk = cstring(data::SK);
    unsafe {
        refused(
            tcc_options_set_aksk(ptr::null_mut(), ak.as_ptr(), sk.as_ptr()),
            TCC_ERR_INVALID_ARGUMENT,
            "NULL options",
        );
        refused(
            tcc_options_set_aksk(opts, ptr::null(), sk.as_ptr()),
            TCC_ERR_INVALID_ARGUMENT,
            "NULL ak",
        );
        refused(
            tcc_options_set_aksk(opts, ak.as_ptr(), ptr::null()),
            TCC_ERR_INVALID_ARGUMENT,
            "NULL sk",
        );
        for (what, bad) in bad_strings() {
            let bad: *const c_char = bad.as_ptr().cast();
            refused(
                tcc_options_set_aksk(opts, bad, sk.as_ptr()),
                TCC_ERR_INVALID_ARGUMENT,
                &format!("ak {what}"),
            );
            refused(
                tcc_options_set_aksk(opts, ak.as_ptr(), bad),
                TCC_ERR_INVALID_ARGUMENT,
                &format!("sk {what}"),
            );
        }
        for bad in ["A K", "A,K", "A=K", "A\r\nK", "AKé"] {
            refused(
                tcc_options_set_aksk(opts, cstring(bad).as_ptr(), sk.as_ptr()),
                TCC_ERR_INVALID_ARGUMENT,
                bad,
            );
        }

        let user = cstring(data::IAM_USER);
        let password = cstring(WRONG_PASSWORD);
        let domain = cstring(data::DOMAIN_NAME);
        refused(
            tcc_options_set_password(
                ptr::null_mut(),
                user.as_ptr(),
                password.as_ptr(),
                domain.as_ptr(),
            ),
            TCC_ERR_INVALID_ARGUMENT,
            "NULL options",
        );
        refused(
            tcc_options_set_password(opts, ptr::null(), password.as_ptr(), domain.as_ptr()),
            TCC_ERR_INVALID_ARGUMENT,
            "NULL user",
        );
        refused(
            tcc_options_set_password(opts, user.as_ptr(), ptr::null(), domain.as_ptr()),
            TCC_ERR_INVALID_ARGUMENT,
            "NULL password",
        );
        refused(
            tcc_options_set_password(opts, user.as_ptr(), password.as_ptr(), ptr::null()),
            TCC_ERR_INVALID_ARGUMENT,
            "NULL domain",
        );
        for (what, bad) in bad_strings() {
            let bad: *const c_char = bad.as_ptr().cast();
            refused(
                tcc_options_set_password(opts, bad, password.as_ptr(), domain.as_ptr()),
                TCC_ERR_INVALID_ARGUMENT,
                &format!("user {what}"),
            );
            refused(
                tcc_options_set_password(opts, user.as_ptr(), bad, domain.as_ptr()),
                TCC_ERR_INVALID_ARGUMENT,
                &format!("password {what}"),
            );
            refused(
                tcc_options_set_password(opts, user.as_ptr(), password.as_ptr(), bad),
                TCC_ERR_INVALID_ARGUMENT,
                &format!("domain {what}"),
            );
        }
        // Names and passwords are JSON text: any UTF-8 is fine.
        ok(tcc_options_set_password(
            opts,
            c"Zoë 用户".as_ptr(),
            c"p\"w\\d\n".as_ptr(),
            domain.as_ptr(),
        ));
        tcc_options_free(opts);
    }
}

#[test]
fn domain_id_and_security_token_go_with_aksk_only() {
    type Setter = unsafe extern "C" fn(*mut tcc_options, *const c_char) -> tcc_result;
    let setters: [(&str, Setter, &str); 2] = [
        ("domain id", tcc_options_set_domain_id, data::DOMAIN_ID),
        (
            "security token",
            tcc_options_set_security_token,
            data::SECURITY_TOKEN,
        ),
    ];
    for (name, setter, good) in setters {
        let good = cstring(good);
        unsafe {
            // No credentials yet, then token credentials: wrong order or mode.
            let opts = options_for("http://127.0.0.1:1");
            refused(setter(opts, good.as_ptr()), TCC_ERR_CONFIG, name);
            ok(tcc_options_set_token(opts, cstring(TOKEN).as_ptr()));
            refused(setter(opts, good.as_ptr()), TCC_ERR_CONFIG, name);
            assert!(
                last_error().message.contains("AK/SK first"),
                "{:?}",
                last_error()
            );

            ok(tcc_options_set_aksk(
                opts,
                cstring(data::AK).as_ptr(),
                cstring(data::SK).as_ptr(),
            ));
            ok(setter(opts, good.as_ptr()));
            refused(
                setter(ptr::null_mut(), good.as_ptr()),
                TCC_ERR_INVALID_ARGUMENT,
                name,
            );
            refused(setter(opts, ptr::null()), TCC_ERR_INVALID_ARGUMENT, name);
            for (what, bad) in bad_strings() {
                refused(
                    setter(opts, bad.as_ptr().cast()),
                    TCC_ERR_INVALID_ARGUMENT,
                    &format!("{name} {what}"),
                );
            }
            for bad in ["a\r\nX-Evil: 1", "tab\tx", "é"] {
                refused(
                    setter(opts, cstring(bad).as_ptr()),
                    TCC_ERR_INVALID_ARGUMENT,
                    bad,
                );
            }
            tcc_options_free(opts);
        }
    }
}

#[test]
fn iam_endpoint_is_checked_like_the_endpoint() {
    let opts = options_for("http://127.0.0.1:1");
    unsafe {
        ok(tcc_options_set_iam_endpoint(
            opts,
            c"https://iam.example.com:8443/prefix".as_ptr(),
        ));
        refused(
            tcc_options_set_iam_endpoint(ptr::null_mut(), c"https://iam.example.com".as_ptr()),
            TCC_ERR_INVALID_ARGUMENT,
            "NULL options",
        );
        refused(
            tcc_options_set_iam_endpoint(opts, ptr::null()),
            TCC_ERR_INVALID_ARGUMENT,
            "NULL url",
        );
        for bad in [
            "",
            "iam.example.com",
            "ftp://iam",
            "https://user:SECRET@iam.example.com",
            "https://iam/?q=1",
        ] {
            refused(
                tcc_options_set_iam_endpoint(opts, cstring(bad).as_ptr()),
                TCC_ERR_INVALID_ARGUMENT,
                bad,
            );
            let message = last_error().message;
            assert!(
                message.starts_with("IAM endpoint") || message.starts_with("IAM endpoint is"),
                "{message}"
            );
            assert!(!message.contains("SECRET"), "{message}");
        }
        tcc_options_free(opts);
    }
}

#[test]
fn a_failed_credential_setter_leaves_the_options_unchanged() {
    let server = Standin::start(standin_config()).unwrap();
    let opts = aksk_options(&server, data::AK, data::SK, Some(data::DOMAIN_ID), None);
    unsafe {
        refused(
            tcc_options_set_aksk(opts, cstring(data::AK).as_ptr(), c"".as_ptr()),
            TCC_ERR_INVALID_ARGUMENT,
            "empty sk",
        );
        refused(
            tcc_options_set_password(opts, c"u".as_ptr(), c"".as_ptr(), c"d".as_ptr()),
            TCC_ERR_INVALID_ARGUMENT,
            "empty password",
        );
        refused(
            tcc_options_set_domain_id(opts, c"bad\nid".as_ptr()),
            TCC_ERR_INVALID_ARGUMENT,
            "bad domain id",
        );
        refused(
            tcc_options_set_iam_endpoint(opts, c"nowhere".as_ptr()),
            TCC_ERR_INVALID_ARGUMENT,
            "bad IAM endpoint",
        );
    }
    let client = client_from(opts);
    fetch(client).unwrap();
    unsafe { tcc_client_free(client) };
    assert_eq!(server.iam_domain_requests(), 0, "the domain id was kept");
    assert!(osm_requests(&server)[0].header("authorization").is_some());
}

#[test]
fn setting_aksk_again_drops_the_domain_id_and_security_token() {
    let server = Standin::start(standin_config()).unwrap();
    let opts = aksk_options(
        &server,
        data::TEMP_AK,
        data::TEMP_SK,
        Some("not-our-domain"),
        Some("not-our-token"),
    );
    unsafe {
        ok(tcc_options_set_aksk(
            opts,
            cstring(data::AK).as_ptr(),
            cstring(data::SK).as_ptr(),
        ))
    };
    let client = client_from(opts);
    fetch(client).unwrap();
    unsafe { tcc_client_free(client) };
    assert_eq!(server.iam_domain_requests(), 1, "looked up, as none is set");
    let osm = &osm_requests(&server)[0];
    assert_eq!(osm.header("x-domain-id"), Some(data::DOMAIN_ID));
    assert_eq!(osm.header("x-security-token"), None);
}
