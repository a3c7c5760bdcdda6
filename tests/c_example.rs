//! The C example, compiled with -std=c99 -Wall -Wextra -Werror -pedantic
//! against include/tcc.h, linked with libtcc.so, and run against the local
//! OSM stand-in: its output and exit status are what a user would see.

mod common;

use std::process::Command;

use common::*;
use osm_standin::{data, Standin};

fn standin() -> Standin {
    Standin::start(standin_config()).unwrap()
}

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

/// valgrind is installed by .ci/run; on a machine without it this test
/// says so and passes only outside CI.
fn valgrind() -> Option<Command> {
    let found = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "valgrind is required in CI"
        );
        eprintln!("valgrind not installed: skipping the memory check");
        return None;
    }
    let mut command = Command::new("valgrind");
    command
        .args([
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,possible",
            "--error-exitcode=99",
            "--quiet",
        ])
        .arg(format!(
            "--suppressions={}",
            repo_root().join("tests/valgrind.supp").display()
        ));
    Some(command)
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
