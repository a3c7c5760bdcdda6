//! The README's C snippet is real code: it compiles with the strict flags
//! and links against the library.

mod common;

use std::fs;

use common::*;

#[test]
fn the_readme_c_snippet_compiles_and_links() {
    let readme = fs::read_to_string(repo_root().join("README.md")).unwrap();
    let start = readme.find("```c\n").expect("README has a C snippet") + 5;
    let end = start + readme[start..].find("```").unwrap();
    let source = scratch_dir("readme").join("snippet.c");
    fs::write(&source, &readme[start..end]).unwrap();
    let exe = build_program("readme_snippet", &[source], false);
    // Without TCC_TOKEN the snippet must fail cleanly at client creation, not crash.
    let out = run(clean_command(&exe));
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("credentials"), "{}", out.stderr);
}
