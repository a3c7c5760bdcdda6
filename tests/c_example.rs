//! The C example, compiled with -std=c99 -Wall -Wextra -Werror -pedantic
//! against include/tcc.h, linked with libtcc.so, and run against the local
//! OSM stand-in: its output and exit status are what a user would see.

mod common;

use std::process::Command;

use common::*;
use osm_standin::data;

fn example(endpoint: &str, token: &str) -> Command {
    let mut command = clean_command(example_program());
    command
        .env("TCC_ENDPOINT", endpoint)
        .env("TCC_TOKEN", token);
    command
}

#[test]
fn prints_the_addresses_and_the_last_record() {
    let server = standin();
    let out = run(example(&server.base_url(), TOKEN));
    assert_eq!(out.status, 0, "{}", out.stderr);
    let expected = format!(
        "CC e-mail addresses (2):\n  {}\n  {}\nLast CC record:\n  user_id:     {}\n  customer_id: {}\n  cc_email:    {}\n",
        data::ADDRESSES[0],
        data::ADDRESSES[1],
        data::USER_ID,
        data::CUSTOMER_ID,
        data::CC_EMAIL
    );
    assert_eq!(out.stdout, expected);
    assert_eq!(out.stderr, "");
}

#[test]
fn prints_non_ascii_and_missing_records() {
    let server = standin();
    let out = run(example(&server.scenario_url("non-ascii"), TOKEN));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.contains(data::NON_ASCII_ADDRESSES[0]));
    assert!(out.stdout.contains(data::NON_ASCII_CC_EMAIL));

    let out = run(example(&server.scenario_url("null"), TOKEN));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "CC e-mail addresses (0):\nLast CC record: (none)\n"
    );
}

#[test]
fn prints_normalised_json() {
    let server = standin();
    let mut command = example(&server.scenario_url("array"), TOKEN);
    command.env("TCC_OUTPUT", "json");
    let out = run(command);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["cc_email_info"]["user_id"], data::USER_ID);
    assert_eq!(json["mc_email_infos"], serde_json::json!(data::ADDRESSES));
}

#[test]
fn sends_optional_headers_from_the_environment() {
    let server = standin();
    let mut command = example(&server.base_url(), TOKEN);
    command
        .env("TCC_LANGUAGE", "en-us")
        .env("TCC_TIME_ZONE", "GMT+2")
        .env("TCC_SITE", "1");
    assert_eq!(run(command).status, 0);
    let request = &server.requests()[0];
    assert_eq!(request.header("x-language"), Some("en-us"));
    assert_eq!(request.header("x-time-zone"), Some("GMT+2"));
    assert_eq!(request.header("x-site"), Some("1"));
}

#[test]
fn a_wrong_token_prints_the_whole_error_detail() {
    let server = standin();
    let out = run(example(&server.base_url(), "not-the-token"));
    assert_eq!(out.status, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains(
            "tcc_fetch_cc_emails failed: authentication or authorisation failed (code 20)"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("HTTP status: 401"), "{}", out.stderr);
    assert!(
        out.stderr.contains("error_code:  APIGW.0301"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("request id:  "), "{}", out.stderr);
    assert!(!out.stderr.contains("not-the-token"));
}

#[test]
fn a_business_error_in_http_200_fails() {
    let server = standin();
    let out = run(example(&server.scenario_url("business-error"), TOKEN));
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("error_code:  OSM.01010002"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("error_msg:   No operation permission"),
        "{}",
        out.stderr
    );
}

#[test]
fn configuration_problems_exit_2() {
    let out = run(clean_command(example_program()));
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("TCC_ENDPOINT"), "{}", out.stderr);

    let mut command = example("http://127.0.0.1:1", TOKEN);
    command.env("TCC_SITE", "7");
    let out = run(command);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("TCC_SITE failed: invalid argument"),
        "{}",
        out.stderr
    );

    let mut command = example("http://127.0.0.1:1", TOKEN);
    command.env("TCC_LANGUAGE", "en\r\nX-Evil: 1");
    let out = run(command);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("TCC_LANGUAGE failed: invalid argument"),
        "{}",
        out.stderr
    );
}

/// The example with exactly these variables set (and no other TCC_* or
/// HUAWEICLOUD_* from the caller's environment).
fn example_with(vars: &[(&str, &str)]) -> Command {
    let mut command = clean_command(example_program());
    command.envs(vars.iter().copied());
    command
}

fn expected_text() -> String {
    format!(
        "CC e-mail addresses (2):\n  {}\n  {}\nLast CC record:\n  user_id:     {}\n  customer_id: {}\n  cc_email:    {}\n",
        data::ADDRESSES[0],
        data::ADDRESSES[1],
        data::USER_ID,
        data::CUSTOMER_ID,
        data::CC_EMAIL
    )
}

#[test]
fn aksk_from_the_environment_with_the_domain_id_looked_up() {
    let server = standin();
    let base = server.base_url();
    let out = run(example_with(&[
        ("TCC_ENDPOINT", &base),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &base),
        ("HUAWEICLOUD_SDK_AK", data::AK),
        ("HUAWEICLOUD_SDK_SK", data::SK),
        // Lower in precedence than AK/SK, so never used.
        ("TCC_TOKEN", "not-the-token"),
        ("TCC_IAM_USER", data::IAM_USER),
    ]));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, expected_text());
    assert_eq!(out.stderr, "");
    assert_eq!(server.iam_domain_requests(), 1);
    assert_eq!(server.iam_token_requests(), 0);
    let last = server.requests().pop().unwrap();
    assert_eq!(last.header("x-domain-id"), Some(data::DOMAIN_ID));
    assert_eq!(last.header("x-auth-token"), None);
    assert!(last.header("authorization").is_some());
}

#[test]
fn temporary_aksk_from_the_environment() {
    let server = standin();
    let base = server.base_url();
    let vars = [
        ("TCC_ENDPOINT", base.as_str()),
        ("HUAWEICLOUD_SDK_AK", data::TEMP_AK),
        ("HUAWEICLOUD_SDK_SK", data::TEMP_SK),
        ("HUAWEICLOUD_SDK_DOMAIN_ID", data::DOMAIN_ID),
        ("HUAWEICLOUD_SDK_SECURITY_TOKEN", data::SECURITY_TOKEN),
        ("TCC_OUTPUT", "json"),
    ];
    let out = run(example_with(&vars));
    assert_eq!(out.status, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["mc_email_infos"], serde_json::json!(data::ADDRESSES));
    assert_eq!(server.iam_domain_requests(), 0, "the domain id was given");
    let request = &server.requests()[0];
    assert_eq!(
        request.header("x-security-token"),
        Some(data::SECURITY_TOKEN)
    );

    // Without the security token the gateway refuses the temporary key.
    let out = run(example_with(&vars[..4]));
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("error_code:  APIGW.0301"),
        "{}",
        out.stderr
    );
    assert_no_secret(&out.stderr, &configured_secrets());
}

#[test]
fn password_credentials_from_the_environment() {
    let server = standin();
    let base = server.base_url();
    let out = run(example_with(&[
        ("TCC_ENDPOINT", &base),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &base),
        ("TCC_IAM_USER", data::IAM_USER),
        ("TCC_IAM_PASSWORD", data::IAM_PASSWORD),
        ("TCC_IAM_DOMAIN", data::DOMAIN_NAME),
        ("TCC_TOKEN", "not-the-token"),
        ("TCC_LANGUAGE", "en-us"),
    ]));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, expected_text());
    assert_eq!(server.iam_token_requests(), 1);
    let last = server.requests().pop().unwrap();
    assert_eq!(last.header("x-language"), Some("en-us"));
    assert_ne!(last.header("x-auth-token"), Some("not-the-token"));
    assert_eq!(issued_tokens(&server).len(), 1);
}

#[test]
fn failed_iam_requests_print_their_detail_and_exit_1() {
    let server = standin();
    let base = server.base_url();
    let out = run(example_with(&[
        ("TCC_ENDPOINT", &base),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &base),
        ("TCC_IAM_USER", data::IAM_USER),
        ("TCC_IAM_PASSWORD", WRONG_PASSWORD),
        ("TCC_IAM_DOMAIN", data::DOMAIN_NAME),
    ]));
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("message:     IAM token request failed: HTTP 401: IAM.0006"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("error_code:  IAM.0006"),
        "{}",
        out.stderr
    );
    assert_no_secret(&out.stderr, &configured_secrets());

    let out = run(example_with(&[
        ("TCC_ENDPOINT", &base),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &base),
        ("HUAWEICLOUD_SDK_AK", data::AK),
        ("HUAWEICLOUD_SDK_SK", WRONG_SK),
    ]));
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("message:     domain id lookup at IAM failed: HTTP 401: APIGW.0301"),
        "{}",
        out.stderr
    );
    assert_no_secret(&out.stderr, &configured_secrets());
}

#[test]
fn each_missing_or_bad_variable_is_named_and_exits_2() {
    let e = ("TCC_ENDPOINT", "http://127.0.0.1:1");
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("TCC_TOKEN", TOKEN)],
            "TCC_ENDPOINT failed: invalid configuration",
        ),
        (&[e], "TCC_TOKEN failed: invalid configuration"),
        (
            &[e, ("HUAWEICLOUD_SDK_AK", data::AK)],
            "HUAWEICLOUD_SDK_SK failed: invalid configuration",
        ),
        (
            &[e, ("HUAWEICLOUD_SDK_SK", data::SK), ("TCC_TOKEN", TOKEN)],
            "HUAWEICLOUD_SDK_AK failed: invalid configuration",
        ),
        (
            &[e, ("TCC_IAM_USER", data::IAM_USER)],
            "TCC_IAM_PASSWORD, TCC_IAM_DOMAIN failed: invalid configuration",
        ),
        (
            &[
                e,
                ("TCC_IAM_PASSWORD", data::IAM_PASSWORD),
                ("TCC_IAM_DOMAIN", data::DOMAIN_NAME),
            ],
            "TCC_IAM_USER failed: invalid configuration",
        ),
        (
            &[
                e,
                ("HUAWEICLOUD_SDK_AK", "A K"),
                ("HUAWEICLOUD_SDK_SK", data::SK),
            ],
            "HUAWEICLOUD_SDK_AK failed: invalid argument",
        ),
        (
            &[
                e,
                ("HUAWEICLOUD_SDK_AK", data::AK),
                ("HUAWEICLOUD_SDK_SK", data::SK),
                ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "bad\u{1}token"),
            ],
            "HUAWEICLOUD_SDK_SECURITY_TOKEN failed: invalid argument",
        ),
        (
            &[
                e,
                ("TCC_TOKEN", TOKEN),
                ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "iam.example.com"),
            ],
            "HUAWEICLOUD_SDK_IAM_ENDPOINT failed: invalid argument",
        ),
        (
            &[("TCC_REGION", "mars-1"), ("TCC_TOKEN", TOKEN)],
            "TCC_REGION failed: invalid argument",
        ),
    ];
    for (vars, expected) in cases {
        let out = run(example_with(vars));
        assert_eq!(out.status, 2, "{vars:?}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{vars:?}: {}", out.stderr);
        assert_eq!(out.stdout, "");
        assert_no_secret(&out.stderr, &configured_secrets());
    }
    // Client creation failures are configuration problems too.
    let out = run(example_with(&[
        e,
        ("TCC_TOKEN", TOKEN),
        ("TCC_CA_FILE", "/nonexistent/ca.pem"),
    ]));
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("tcc_client_new failed: invalid configuration"),
        "{}",
        out.stderr
    );
}

#[test]
fn no_leak_and_no_memory_error_under_valgrind_with_iam_credentials() {
    let server = standin();
    let base = server.base_url();
    let iam = ("HUAWEICLOUD_SDK_IAM_ENDPOINT", base.as_str());
    let endpoint = ("TCC_ENDPOINT", base.as_str());
    let cases: [(&[(&str, &str)], i32); 5] = [
        (
            &[
                endpoint,
                iam,
                ("HUAWEICLOUD_SDK_AK", data::AK),
                ("HUAWEICLOUD_SDK_SK", data::SK),
            ],
            0,
        ),
        (
            &[
                endpoint,
                iam,
                ("HUAWEICLOUD_SDK_AK", data::AK),
                ("HUAWEICLOUD_SDK_SK", WRONG_SK),
            ],
            1,
        ),
        (
            &[
                endpoint,
                iam,
                ("TCC_IAM_USER", data::IAM_USER),
                ("TCC_IAM_PASSWORD", data::IAM_PASSWORD),
                ("TCC_IAM_DOMAIN", data::DOMAIN_NAME),
            ],
            0,
        ),
        (
            &[
                endpoint,
                iam,
                ("TCC_IAM_USER", data::IAM_USER),
                ("TCC_IAM_PASSWORD", WRONG_PASSWORD),
                ("TCC_IAM_DOMAIN", data::DOMAIN_NAME),
            ],
            1,
        ),
        (&[endpoint, ("HUAWEICLOUD_SDK_AK", data::AK)], 2),
    ];
    for (vars, expected) in cases {
        let Some(mut command) = valgrind() else {
            return;
        };
        command.arg(example_program());
        for (key, _) in std::env::vars() {
            if key.starts_with("TCC_") || key.starts_with("HUAWEICLOUD_") {
                command.env_remove(key);
            }
        }
        command.envs(vars.iter().copied());
        let out = run(command);
        assert_eq!(
            out.status, expected,
            "{vars:?}: valgrind said:\n{}",
            out.stderr
        );
        assert!(!out.stderr.contains("definitely lost"), "{}", out.stderr);
    }
    assert_eq!(server.iam_domain_requests(), 2);
    assert_eq!(server.iam_token_requests(), 2);
}

#[test]
fn no_leak_and_no_memory_error_under_valgrind() {
    let server = standin();
    let cases = [
        (server.base_url(), TOKEN, 0, None),
        (server.scenario_url("array"), TOKEN, 0, Some("json")),
        (server.base_url(), "wrong-token", 1, None),
        (server.scenario_url("html-502"), TOKEN, 1, None),
    ];
    for (endpoint, token, expected, output) in cases {
        let Some(mut command) = valgrind() else {
            return;
        };
        command.arg(example_program());
        command
            .env("TCC_ENDPOINT", &endpoint)
            .env("TCC_TOKEN", token);
        if let Some(output) = output {
            command.env("TCC_OUTPUT", output);
        }
        let out = run(command);
        assert_eq!(
            out.status, expected,
            "{endpoint}: valgrind said:\n{}",
            out.stderr
        );
        assert!(!out.stderr.contains("definitely lost"), "{}", out.stderr);
    }
}
