//! `tcc_options_new_from_env` called in this process. The environment is
//! process-wide, so this binary holds a single test that changes it (the
//! child-process tests in c_example.rs cover the same through the C example).

mod common;

use std::ptr;

use common::*;
use osm_standin::{data, Standin};
use tcc::ffi::*;

/// Replaces every TCC_* and HUAWEICLOUD_* variable with `vars`.
fn set_env(vars: &[(&str, &str)]) {
    for (key, _) in std::env::vars() {
        if key.starts_with("TCC_") || key.starts_with("HUAWEICLOUD_") {
            std::env::remove_var(key);
        }
    }
    for (key, value) in vars {
        std::env::set_var(key, value);
    }
}

fn from_env(vars: &[(&str, &str)]) -> Result<*mut tcc_options, LastError> {
    set_env(vars);
    let mut out = ptr::NonNull::dangling().as_ptr();
    let sentinel = out;
    let code = unsafe { tcc_options_new_from_env(&mut out) };
    if code == TCC_OK {
        Ok(out)
    } else {
        assert_eq!(out, sentinel, "out written on failure");
        Err(last_error())
    }
}

#[test]
fn options_from_the_environment() {
    let server = Standin::start(standin_config()).unwrap();
    let base = server.base_url();
    let endpoint = ("TCC_ENDPOINT", base.as_str());
    let iam = ("HUAWEICLOUD_SDK_IAM_ENDPOINT", base.as_str());

    // Each mode makes a working client, chosen by precedence.
    let modes: [(&[(&str, &str)], &str); 3] = [
        (&[endpoint, ("TCC_TOKEN", TOKEN)], "x-auth-token"),
        (
            &[
                endpoint,
                iam,
                ("TCC_IAM_USER", data::IAM_USER),
                ("TCC_IAM_PASSWORD", data::IAM_PASSWORD),
                ("TCC_IAM_DOMAIN", data::DOMAIN_NAME),
                ("TCC_TOKEN", "not-the-token"),
            ],
            "x-auth-token",
        ),
        (
            &[
                endpoint,
                iam,
                ("HUAWEICLOUD_SDK_AK", data::AK),
                ("HUAWEICLOUD_SDK_SK", data::SK),
                ("HUAWEICLOUD_SDK_DOMAIN_ID", data::DOMAIN_ID),
                ("TCC_IAM_USER", data::IAM_USER),
                ("TCC_TOKEN", "not-the-token"),
            ],
            "authorization",
        ),
    ];
    for (vars, credential_header) in modes {
        let opts = from_env(vars).unwrap_or_else(|e| panic!("{vars:?}: {e:?}"));
        let client = client_from(opts);
        fetch(client).unwrap_or_else(|e| panic!("{vars:?}: {e:?}"));
        unsafe { tcc_client_free(client) };
        let last = server.requests().pop().unwrap();
        assert!(last.header(credential_header).is_some(), "{vars:?}");
        assert_ne!(last.header("x-auth-token"), Some("not-the-token"));
    }
    assert_eq!(server.iam_token_requests(), 1);
    assert_eq!(server.iam_domain_requests(), 0);

    // The setters still apply afterwards.
    let opts = from_env(&[("TCC_REGION", "cn-south-1"), ("TCC_TOKEN", TOKEN)]).unwrap();
    unsafe { ok(tcc_options_set_endpoint(opts, cstring(&base).as_ptr())) };
    let client = client_from(opts);
    fetch(client).unwrap();
    unsafe { tcc_client_free(client) };

    // Missing pieces: TCC_ERR_CONFIG, the variable named first.
    let missing: [(&[(&str, &str)], &str); 5] = [
        (&[], "TCC_ENDPOINT: "),
        (&[endpoint], "TCC_TOKEN: "),
        (
            &[endpoint, ("HUAWEICLOUD_SDK_AK", data::AK)],
            "HUAWEICLOUD_SDK_SK: not set, but HUAWEICLOUD_SDK_AK is",
        ),
        (
            &[endpoint, ("HUAWEICLOUD_SDK_SK", data::SK)],
            "HUAWEICLOUD_SDK_AK: not set, but HUAWEICLOUD_SDK_SK is",
        ),
        (
            &[endpoint, ("TCC_IAM_DOMAIN", data::DOMAIN_NAME)],
            "TCC_IAM_USER, TCC_IAM_PASSWORD: not set",
        ),
    ];
    for (vars, expected) in missing {
        let err = from_env(vars).unwrap_err();
        assert_eq!(err.code, TCC_ERR_CONFIG, "{vars:?}: {err:?}");
        assert!(err.message.starts_with(expected), "{vars:?}: {err:?}");
        assert_no_secret(&format!("{err:?}"), &configured_secrets());
    }
    // Bad values: TCC_ERR_INVALID_ARGUMENT, never quoted.
    let err = from_env(&[endpoint, ("TCC_TOKEN", &format!("{TOKEN}\r\nX: 1"))]).unwrap_err();
    assert_eq!(err.code, TCC_ERR_INVALID_ARGUMENT);
    assert!(err.message.starts_with("TCC_TOKEN: "), "{err:?}");
    assert_no_secret(&format!("{err:?}"), &configured_secrets());

    assert_eq!(
        unsafe { tcc_options_new_from_env(ptr::null_mut()) },
        TCC_ERR_INVALID_ARGUMENT
    );
    set_env(&[]);
}
