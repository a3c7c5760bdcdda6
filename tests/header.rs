//! The header users compile against: never stale, valid C and C++, with
//! version macros that match the crate, and a library that exports exactly
//! the functions it declares, each behind the panic boundary.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

use common::*;

fn committed_header() -> String {
    fs::read_to_string(repo_root().join("include/tcc.h")).unwrap()
}

#[test]
fn header_is_up_to_date() {
    let generated = fs::read_to_string(env!("TCC_GENERATED_HEADER")).unwrap();
    assert!(
        committed_header() == generated,
        "include/tcc.h is stale: run `TCC_BLESS_HEADER=1 cargo build` and commit it"
    );
}

fn cargo_version() -> String {
    let manifest = fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.starts_with("version = "))
        .unwrap();
    line.trim_start_matches("version = ")
        .trim_matches('"')
        .to_owned()
}

fn macro_value(header: &str, name: &str) -> String {
    let prefix = format!("#define {name} ");
    let line = header
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{name} missing"));
    line[prefix.len()..].trim().to_owned()
}

#[test]
fn version_macros_agree_with_cargo_toml_and_the_library() {
    let version = cargo_version();
    let header = committed_header();
    assert_eq!(
        macro_value(&header, "TCC_VERSION_STRING"),
        format!("\"{version}\"")
    );
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(
        macro_value(&header, "TCC_VERSION_MAJOR"),
        parts[0].to_string()
    );
    assert_eq!(
        macro_value(&header, "TCC_VERSION_MINOR"),
        parts[1].to_string()
    );
    assert_eq!(
        macro_value(&header, "TCC_VERSION_PATCH"),
        parts[2].to_string()
    );
    let number = parts[0] * 1_000_000 + parts[1] * 1_000 + parts[2];
    assert_eq!(
        macro_value(&header, "TCC_VERSION_NUMBER"),
        number.to_string()
    );

    // And from C: the macros against tcc_version() / tcc_version_number().
    let exe = build_program(
        "version_check",
        &[repo_root().join("tests/c/version_check.c")],
        false,
    );
    let out = run(Command::new(exe));
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, format!("{version} {number}\n"));
}

#[test]
fn header_compiles_and_links_as_cpp() {
    let exe = build_program(
        "header_in_cpp",
        &[repo_root().join("tests/c/header_in_cpp.cpp")],
        true,
    );
    let out = run(Command::new(exe));
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with("invalid configuration: no endpoint"),
        "{}",
        out.stdout
    );
}

/// Functions declared in the header. cbindgen wraps a long declaration
/// over several lines, the continuation lines indented. A `typedef` (of a
/// callback's function pointer type) declares no function.
fn declared_functions() -> BTreeSet<String> {
    let header = committed_header();
    let mut declarations = Vec::new();
    let mut current: Option<String> = None;
    for line in header.lines() {
        if let Some(declaration) = current.as_mut() {
            declaration.push_str(line.trim());
        } else if !line.starts_with([' ', '#', '*', '/'])
            && !line.starts_with("typedef")
            && line.contains("tcc_")
            && line.contains('(')
        {
            current = Some(line.to_owned());
        }
        if current.as_ref().is_some_and(|d| d.ends_with(");")) {
            declarations.extend(current.take());
        }
    }
    declarations
        .iter()
        .map(|l| {
            let before_paren = &l[..l.find('(').unwrap()];
            before_paren.rsplit([' ', '*']).next().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn the_library_exports_exactly_the_declared_functions() {
    let lib = lib_dir().join("libtcc.so");
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&lib)
        .output()
        .expect("nm (binutils) is needed");
    assert!(out.status.success());
    let symbols: BTreeSet<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_owned))
        .collect();
    let declared = declared_functions();
    for required in [
        "tcc_client_new",
        "tcc_fetch_cc_emails",
        "tcc_free",
        "tcc_client_free",
        "tcc_cc_emails_free",
    ] {
        assert!(declared.contains(required), "{required} not declared");
    }
    assert_eq!(
        symbols, declared,
        "exported symbols differ from the header's functions"
    );
}

/// Entry points of the boundary: an export's body must begin with one of them.
const BOUNDARY_CALLS: &[&str] = &["result_boundary(", "value_boundary(", "read(", "set_str("];

#[test]
fn every_export_runs_inside_the_panic_boundary() {
    let mut exports = 0;
    for entry in fs::read_dir(repo_root().join("src/ffi")).unwrap() {
        let path = entry.unwrap().path();
        let source = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = source.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim() != "#[no_mangle]" {
                continue;
            }
            exports += 1;
            let signature = lines[i + 1];
            assert!(
                signature.contains("extern \"C\" fn tcc_"),
                "{path:?}:{}: {signature}",
                i + 2
            );
            // The first statement after the signature's opening brace.
            let open = lines[i + 1..]
                .iter()
                .position(|l| l.trim_end().ends_with('{'))
                .unwrap()
                + i
                + 1;
            let body = lines[open + 1].trim();
            assert!(
                BOUNDARY_CALLS.iter().any(|call| body.starts_with(call)),
                "{path:?}:{}: export without the panic boundary: {body}",
                open + 2
            );
        }
    }
    assert_eq!(
        exports,
        declared_functions().len(),
        "every declared function is an export in src/ffi"
    );
}
