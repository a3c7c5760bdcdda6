//! The README's C snippets are real code: the minimal program compiles with
//! the strict flags and links against the library, and the non-blocking
//! example also runs against the stand-in.

mod common;

use std::fs;

use common::*;
use osm_standin::Standin;

fn readme() -> String {
    fs::read_to_string(repo_root().join("README.md")).unwrap()
}

/// Every ```c block of `markdown`, in order.
fn c_blocks(markdown: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("```c\n") {
        let body = &rest[start + 5..];
        let end = body.find("```").expect("an unterminated ```c block");
        blocks.push(&body[..end]);
        rest = &body[end + 3..];
    }
    blocks
}

#[test]
fn c_blocks_are_found_in_order() {
    let sample = "# x\n```c\nint a;\n```\ntext\n```sh\nls\n```\n```c\nint b;\n```\n";
    assert_eq!(c_blocks(sample), ["int a;\n", "int b;\n"]);
}

#[test]
fn the_readme_c_snippet_compiles_and_links() {
    let readme = readme();
    let first = c_blocks(&readme)[0];
    let source = scratch_dir("readme").join("snippet.c");
    fs::write(&source, first).unwrap();
    let exe = build_program("readme_snippet", &[source], false);
    // Without TCC_TOKEN the snippet must fail cleanly at client creation, not crash.
    let out = run(clean_command(&exe));
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("credentials"), "{}", out.stderr);
}

/// The example of the "Non-blocking calls" section: three calls in flight
/// on a client freed at once, a callback each, then wait, join and free.
#[test]
fn the_readme_non_blocking_example_runs() {
    let readme = readme();
    let example = c_blocks(&readme)
        .into_iter()
        .find(|block| block.contains("tcc_fetch_cc_emails_async"))
        .expect(
            "README.md has no ```c example using tcc_fetch_cc_emails_async \
             (the \"Non-blocking calls\" section)",
        );
    let source = scratch_dir("readme").join("non_blocking.c");
    fs::write(&source, example).unwrap();
    let exe = build_program("readme_non_blocking", &[source], false);
    let server = Standin::start(standin_config()).unwrap();

    let mut command = clean_command(&exe);
    command
        .env("TCC_ENDPOINT", server.base_url())
        .env("TCC_TOKEN", TOKEN);
    let out = run(command);
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stderr, "");
    let mut lines: Vec<&str> = out.stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "first: 2 addresses",
            "second: 2 addresses",
            "third: 2 addresses"
        ]
    );
    assert_eq!(osm_requests(&server).len(), 3);

    // Failures come to the callbacks with their detail.
    let mut command = clean_command(&exe);
    command
        .env("TCC_ENDPOINT", server.base_url())
        .env("TCC_TOKEN", "wrong-token");
    let out = run(command);
    assert_eq!(out.status, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stderr.matches("APIGW.0301").count(),
        3,
        "{}",
        out.stderr
    );
}
