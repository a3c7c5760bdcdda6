//! tcc-cc-emails, the command-line front for shell scripts
//! (examples-c/tcc_cc_emails.c), compiled with -std=c99 -Wall -Wextra
//! -Werror -pedantic, linked with libtcc.so and run against the stand-in:
//! its stdout, stderr and documented exit statuses.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use osm_standin::tls::TlsIdentity;
use osm_standin::{data, Standin};
use tcc::ffi::*;

fn program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        build_program(
            "tcc-cc-emails",
            &[repo_root().join("examples-c/tcc_cc_emails.c")],
            false,
        )
    })
}

fn cli(endpoint: &str, token: &str, args: &[&str]) -> Run {
    let mut command = clean_command(program());
    command
        .args(args)
        .env("TCC_ENDPOINT", endpoint)
        .env("TCC_TOKEN", token);
    run(command)
}

#[test]
fn prints_one_address_per_line() {
    let server = standin();
    let out = cli(&server.base_url(), TOKEN, &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("{}\n{}\n", data::ADDRESSES[0], data::ADDRESSES[1])
    );
    assert_eq!(out.stderr, "");

    let out = cli(&server.scenario_url("non-ascii"), TOKEN, &[]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "{}\n{}\n",
            data::NON_ASCII_ADDRESSES[0],
            data::NON_ASCII_ADDRESSES[1]
        )
    );
}

#[test]
fn reads_access_keys_and_iam_users_from_the_environment() {
    let server = standin();
    let url = server.base_url();
    let cases: [&[(&str, &str)]; 2] = [
        &[
            ("HUAWEICLOUD_SDK_AK", data::AK),
            ("HUAWEICLOUD_SDK_SK", data::SK),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &url),
        ],
        &[
            ("TCC_IAM_USER", data::IAM_USER),
            ("TCC_IAM_PASSWORD", data::IAM_PASSWORD),
            ("TCC_IAM_DOMAIN", data::DOMAIN_NAME),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", &url),
        ],
    ];
    for variables in cases {
        let mut command = clean_command(program());
        command
            .env("TCC_ENDPOINT", &url)
            .envs(variables.iter().copied());
        let out = run(command);
        assert_eq!(out.status, 0, "{variables:?}: {}", out.stderr);
        assert_eq!(
            out.stdout,
            format!("{}\n{}\n", data::ADDRESSES[0], data::ADDRESSES[1])
        );
    }

    // A wrong secret key: exit status 20, and the key in no message.
    let mut command = clean_command(program());
    command
        .env("TCC_ENDPOINT", &url)
        .env("HUAWEICLOUD_SDK_AK", data::AK)
        .env("HUAWEICLOUD_SDK_SK", "not-the-secret-key")
        .env("HUAWEICLOUD_SDK_DOMAIN_ID", data::DOMAIN_ID);
    let out = run(command);
    assert_eq!(out.status, 20, "{}", out.stderr);
    assert!(!out.stderr.contains("not-the-secret-key"));

    // Half a key pair is a configuration error.
    let mut command = clean_command(program());
    command
        .env("TCC_ENDPOINT", &url)
        .env("HUAWEICLOUD_SDK_AK", data::AK);
    let out = run(command);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("HUAWEICLOUD_SDK_SK"), "{}", out.stderr);
}

#[test]
fn no_addresses_is_success_with_empty_output() {
    let server = standin();
    for scenario in ["null", "absent"] {
        let out = cli(&server.scenario_url(scenario), TOKEN, &[]);
        assert_eq!((out.status, out.stdout.as_str()), (0, ""), "{scenario}");
    }
}

#[test]
fn json_prints_the_normalised_form_on_one_line() {
    let server = standin();
    let out = cli(&server.scenario_url("array"), TOKEN, &["--json"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with('\n'));
    assert_eq!(out.stdout.lines().count(), 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["cc_email_info"]["user_id"], data::USER_ID);
    assert_eq!(json["cc_email_info"]["cc_email"], data::CC_EMAIL);
    assert_eq!(json["mc_email_infos"], serde_json::json!(data::ADDRESSES));

    let out = cli(&server.scenario_url("null"), TOKEN, &["--json"]);
    assert_eq!(
        out.stdout,
        "{\"cc_email_info\":null,\"mc_email_infos\":[]}\n"
    );
}

#[test]
fn help_and_version() {
    let out = run({
        let mut c = clean_command(program());
        c.arg("--help");
        c
    });
    assert_eq!(out.status, 0);
    for needle in [
        "usage: tcc-cc-emails [--json]",
        "TCC_ENDPOINT",
        "HUAWEICLOUD_SDK_AK",
        "TCC_TOKEN",
        "Exit status:",
        " 2 usage or configuration",
        " 3 invalid environment value",
        "10 network",
        "20 authentication",
        "21 throttled",
        "22 server error",
        "23 service error",
        "30 bad response",
    ] {
        assert!(
            out.stdout.contains(needle),
            "{needle:?} in:\n{}",
            out.stdout
        );
    }
    let out = run({
        let mut c = clean_command(program());
        c.arg("--version");
        c
    });
    assert_eq!(out.status, 0);
    assert_eq!(
        out.stdout,
        format!(
            "tcc-cc-emails {0} (libtcc {0})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn usage_and_configuration_errors_exit_2_and_bad_values_3() {
    let out = cli("http://127.0.0.1:1", TOKEN, &["--bogus"]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("unknown argument: --bogus"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");

    // Nothing configured.
    let out = run(clean_command(program()));
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("tcc-cc-emails: invalid configuration: "),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("TCC_ENDPOINT"), "{}", out.stderr);

    // A value tcc refuses.
    let mut command = clean_command(program());
    command
        .env("TCC_ENDPOINT", "http://127.0.0.1:1")
        .env("TCC_TOKEN", TOKEN)
        .env("TCC_SITE", "7");
    let out = run(command);
    assert_eq!(out.status, 3, "{}", out.stderr);
    assert!(out.stderr.contains("TCC_SITE"), "{}", out.stderr);
}

#[test]
fn a_rejected_token_exits_20_with_the_detail_on_stderr() {
    let server = standin();
    let out = cli(&server.base_url(), "not-the-token", &[]);
    assert_eq!(out.status, 20, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines[0].starts_with(
            "tcc-cc-emails: authentication or authorisation failed: HTTP 401: APIGW.0301"
        ),
        "{}",
        out.stderr
    );
    assert!(lines.contains(&"tcc-cc-emails: http_status=401"));
    assert!(lines.contains(&"tcc-cc-emails: error_code=APIGW.0301"));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("tcc-cc-emails: error_msg=")));
    let request_id = lines
        .iter()
        .find_map(|l| l.strip_prefix("tcc-cc-emails: request_id="))
        .expect("request id line");
    assert!(!request_id.is_empty());
    assert!(!out.stderr.contains("not-the-token"));
}

#[test]
fn service_errors_exit_23_with_the_service_code() {
    let server = standin();
    let out = cli(&server.scenario_url("business-error"), TOKEN, &["--json"]);
    assert_eq!(out.status, 23, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out
        .stderr
        .contains("tcc-cc-emails: error_code=OSM.01010002\n"));
    assert!(out
        .stderr
        .contains("tcc-cc-emails: error_msg=No operation permission\n"));
}

#[test]
fn a_refused_connection_exits_10() {
    // A port that was free a moment ago: nothing listens there now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = cli(&format!("http://127.0.0.1:{port}"), TOKEN, &[]);
    assert_eq!(out.status, 10, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("tcc-cc-emails: network failure: "),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("http_status="), "{}", out.stderr);
}

#[test]
fn an_untrusted_certificate_exits_12() {
    let identity = TlsIdentity::self_signed(&["localhost", "127.0.0.1"]);
    let server = Standin::start_tls(standin_config(), identity).unwrap();
    let out = cli(&server.base_url(), TOKEN, &[]);
    assert_eq!(out.status, 12, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("tcc-cc-emails: TLS failure: "),
        "{}",
        out.stderr
    );
}

/// The code the C ABI itself gives for a scenario.
fn result_code(endpoint: &str) -> tcc_result {
    let client = client(endpoint, TOKEN);
    let code = match fetch(client) {
        Ok(_) => TCC_OK,
        Err(e) => e.code,
    };
    unsafe { tcc_client_free(client) };
    code
}

#[test]
fn every_failure_class_has_its_documented_exit_status() {
    let server = standin();
    // (scenario, tcc_result, exit status): from 10 on, the status is the code.
    let cases = [
        ("forbidden", TCC_ERR_AUTH, 20),
        ("throttled", TCC_ERR_THROTTLED, 21),
        ("internal-error", TCC_ERR_SERVER, 22),
        ("html-502", TCC_ERR_SERVER, 22),
        ("empty-503", TCC_ERR_SERVER, 22),
        ("bad-request", TCC_ERR_SERVICE, 23),
        ("not-json", TCC_ERR_BAD_RESPONSE, 30),
        ("truncated-json", TCC_ERR_BAD_RESPONSE, 30),
        ("huge", TCC_ERR_RESPONSE_TOO_LARGE, 31),
    ];
    for (scenario, code, status) in cases {
        let endpoint = server.scenario_url(scenario);
        assert_eq!(result_code(&endpoint), code, "{scenario}");
        for args in [&[][..], &["--json"][..]] {
            let out = cli(&endpoint, TOKEN, args);
            assert_eq!(out.status, status, "{scenario} {args:?}: {}", out.stderr);
            assert_eq!(out.stdout, "", "{scenario}");
            assert!(
                out.stderr.starts_with("tcc-cc-emails: "),
                "{scenario}: {}",
                out.stderr
            );
        }
    }
}

#[test]
fn output_goes_to_a_pipe_like_any_filter() {
    let server = standin();
    let mut command = clean_command(Path::new("sh"));
    command
        .arg("-c")
        .arg("\"$0\" | sort")
        .arg(program())
        .env("TCC_ENDPOINT", server.base_url())
        .env("TCC_TOKEN", TOKEN);
    let out = run(command);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let mut expected = data::ADDRESSES.to_vec();
    expected.sort();
    assert_eq!(out.stdout, format!("{}\n{}\n", expected[0], expected[1]));
}

/// valgrind is installed by .ci/run; without it this test says so and passes
/// only outside CI.
#[test]
fn no_leak_and_no_memory_error_under_valgrind() {
    let server = standin();
    let cases = [
        (server.base_url(), TOKEN, "--json", 0),
        (server.base_url(), "wrong-token", "--json", 20),
        (server.scenario_url("non-ascii"), TOKEN, "", 0),
    ];
    for (endpoint, token, arg, expected) in cases {
        let Some(mut command) = valgrind() else {
            return;
        };
        command
            .arg(program())
            .args((!arg.is_empty()).then_some(arg))
            .env("TCC_ENDPOINT", &endpoint)
            .env("TCC_TOKEN", token);
        let out = run(command);
        assert_eq!(out.status, expected, "{endpoint}: {}", out.stderr);
    }
}
