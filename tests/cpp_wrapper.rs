//! include/tcc.hpp, the header-only C++17 wrapper: a program exercising it
//! (tests/c/tcc_hpp.cpp) built with strict warnings, and the C++ example
//! (examples-c/cc_emails.cpp) built with -std=c++17 -Wall -Wextra -Werror
//! -pedantic, both run against the stand-in. The wrapper's program covers
//! the network options (timeouts, attempts, redirects, proxy, trust store,
//! head limit) and `tcc::Error::attempts()` too.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use osm_standin::data;

fn with_endpoint(program: &Path, endpoint: &str, token: &str) -> Command {
    let mut command = clean_command(program);
    command
        .env("TCC_ENDPOINT", endpoint)
        .env("TCC_TOKEN", token);
    command
}

/// Warnings a C++ user may well build with: the header must stay clean under them.
const STRICT: &[&str] = &[
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-Wconversion",
    "-Wsign-conversion",
    "-Wshadow",
    "-Wold-style-cast",
    "-Wnon-virtual-dtor",
    "-Wzero-as-null-pointer-constant",
];

#[test]
fn the_wrapper_passes_its_checks_under_strict_warnings() {
    let exe = scratch_dir("tcc-hpp").join("tcc_hpp");
    let lib_dir = lib_dir();
    let out = run({
        let mut c = Command::new(std::env::var("CXX").unwrap_or_else(|_| "c++".to_owned()));
        c.args(STRICT)
            .arg(format!("-I{}", repo_root().join("include").display()))
            .arg(repo_root().join("tests/c/tcc_hpp.cpp"))
            .arg("-o")
            .arg(&exe)
            .arg(format!("-L{}", lib_dir.display()))
            .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
            .args(["-ltcc", "-pthread"]);
        c
    });
    assert_eq!(
        out.status, 0,
        "compiling tests/c/tcc_hpp.cpp:\n{}",
        out.stderr
    );

    let server = standin();
    let mut command = with_endpoint(&exe, &server.base_url(), TOKEN);
    command
        .env("TEST_AK", data::AK)
        .env("TEST_SK", data::SK)
        .env("TEST_TEMP_AK", data::TEMP_AK)
        .env("TEST_TEMP_SK", data::TEMP_SK)
        .env("TEST_SECURITY_TOKEN", data::SECURITY_TOKEN)
        .env("TEST_DOMAIN_ID", data::DOMAIN_ID)
        .env("TEST_DOMAIN_NAME", data::DOMAIN_NAME)
        .env("TEST_IAM_USER", data::IAM_USER)
        .env("TEST_IAM_PASSWORD", data::IAM_PASSWORD)
        // For set_trust_store(TCC_TRUST_SYSTEM): it must fail with TCC_ERR_CONFIG.
        .env(
            "SSL_CERT_FILE",
            scratch_dir("tcc-hpp-certs").join("missing-ca-bundle.pem"),
        );
    // Proxies are what set_proxy says, never the caller's environment.
    for variable in PROXY_VARIABLES {
        command.env_remove(variable);
    }
    let out = run(command);
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.ends_with("all passed\n"), "{}", out.stdout);
    assert!(!out.stdout.contains("FAIL"), "{}", out.stdout);
}

#[test]
fn the_header_refuses_pre_cpp17_with_a_clear_message() {
    let source = scratch_dir("tcc-hpp-cpp14").join("old.cpp");
    std::fs::write(&source, "#include \"tcc.hpp\"\nint main() { return 0; }\n").unwrap();
    let out = run({
        let mut c = Command::new(std::env::var("CXX").unwrap_or_else(|_| "c++".to_owned()));
        c.args(["-std=c++14", "-fsyntax-only"])
            .arg(format!("-I{}", repo_root().join("include").display()))
            .arg(&source);
        c
    });
    assert_ne!(out.status, 0);
    assert!(out.stderr.contains("tcc.hpp needs C++17"), "{}", out.stderr);
}

fn example() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        build_program(
            "cc_emails_cpp",
            &[repo_root().join("examples-c/cc_emails.cpp")],
            true,
        )
    })
}

#[test]
fn the_cpp_example_prints_what_the_c_example_prints() {
    let server = standin();
    let out = run(with_endpoint(example(), &server.base_url(), TOKEN));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "CC e-mail addresses (2):\n  {}\n  {}\nLast CC record:\n  user_id:     {}\n  customer_id: {}\n  cc_email:    {}\n",
            data::ADDRESSES[0],
            data::ADDRESSES[1],
            data::USER_ID,
            data::CUSTOMER_ID,
            data::CC_EMAIL
        )
    );
    assert_eq!(out.stderr, "");

    let mut command = with_endpoint(example(), &server.scenario_url("array"), TOKEN);
    command.env("TCC_OUTPUT", "json");
    let out = run(command);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["mc_email_infos"], serde_json::json!(data::ADDRESSES));
}

#[test]
fn the_cpp_example_prints_the_exception_detail() {
    let server = standin();
    let out = run(with_endpoint(
        example(),
        &server.base_url(),
        "not-the-token",
    ));
    assert_eq!(out.status, 1);
    assert_eq!(out.stdout, "");
    for needle in [
        "cc_emails_cpp: authentication or authorisation failed (code 20)",
        "  message:     HTTP 401: APIGW.0301",
        "  HTTP status: 401",
        "  error_code:  APIGW.0301",
        "  error_msg:   ",
        "  request id:  ",
    ] {
        assert!(
            out.stderr.contains(needle),
            "{needle:?} in:\n{}",
            out.stderr
        );
    }
    assert!(!out.stderr.contains("not-the-token"));

    let out = run(with_endpoint(
        example(),
        &server.scenario_url("business-error"),
        TOKEN,
    ));
    assert_eq!(out.status, 1);
    assert!(
        out.stderr.contains("  error_code:  OSM.01010002"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_cpp_example_reports_configuration_errors_with_status_2() {
    let out = run(clean_command(example()));
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("invalid configuration (code 2)"),
        "{}",
        out.stderr
    );
    let mut command = with_endpoint(example(), "ftp://nowhere", TOKEN);
    command.env_remove("TCC_REGION");
    let out = run(command);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("invalid argument (code 1)"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_readme_cpp_snippet_compiles_and_fails_cleanly_without_configuration() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let Some(start) = readme.find("```cpp\n").map(|i| i + "```cpp\n".len()) else {
        eprintln!("README.md has no C++ snippet yet: not checked");
        return;
    };
    let end = start + readme[start..].find("```").unwrap();
    let source = scratch_dir("readme-cpp").join("snippet.cpp");
    std::fs::write(&source, &readme[start..end]).unwrap();
    let exe = build_program("readme_cpp_snippet", &[source], true);
    // Without configuration it must report the error, not crash or call anywhere.
    let out = run(clean_command(&exe));
    assert_ne!(out.status, 0, "{}", out.stdout);
    assert!(out.stderr.contains("TCC_ENDPOINT"), "{}", out.stderr);
}
