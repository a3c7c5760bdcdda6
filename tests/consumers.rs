//! libtcc as C and C++ programs consume it once installed: `make install`
//! into a scratch prefix, then the README's pkg-config and CMake recipes,
//! shared and static, compiled, linked and run against the local stand-in;
//! the SONAME, the symlinks, the .pc file, and a Libs.private list that must
//! stay exactly what rustc reports for the staticlib.
//!
//! The install uses `make install-prebuilt`, from the library this `cargo
//! test` built: running cargo from a test could rebuild (with other
//! features) the very library the other tests are loading.
//!
//! Needs make, pkg-config, readelf, ldd and cmake. Outside CI (env CI unset)
//! a test whose tool is missing says so and passes; in CI it fails.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use common::*;
use osm_standin::{data, Standin};

/// libtcc.so.MAJOR, or libtcc.so.0.MINOR during 0.x (see the Makefile).
fn expected_soname() -> String {
    let (major, minor) = (
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
    );
    if major == "0" {
        format!("libtcc.so.0.{minor}")
    } else {
        format!("libtcc.so.{major}")
    }
}

/// Whether `tool` runs; when it does not, fails in CI and skips elsewhere.
fn have(tool: &str) -> bool {
    static CHECKED: Mutex<Vec<(String, bool)>> = Mutex::new(Vec::new());
    let mut checked = CHECKED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, found)) = checked.iter().find(|(t, _)| t == tool) {
        return *found;
    }
    let found = have_tool(tool);
    checked.push((tool.to_owned(), found));
    found
}

fn have_all(tools: &[&str]) -> bool {
    tools.iter().all(|t| have(t))
}

/// The cargo target directory and profile directory name of this build
/// (the libraries themselves are in `lib_dir()`, its `deps`).
fn target_and_profile() -> (PathBuf, String) {
    let profile_dir = lib_dir().parent().unwrap().to_path_buf();
    let profile = profile_dir
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    (profile_dir.parent().unwrap().to_path_buf(), profile)
}

/// Runs the top-level Makefile; one make at a time, since `install-prebuilt`
/// (re)builds tcc-cc-emails in the shared target directory.
fn make(args: &[&str]) -> Run {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (target_dir, profile) = target_and_profile();
    let mut command = Command::new("make");
    command
        .arg("--no-print-directory")
        .arg("-C")
        .arg(repo_root())
        .args(args)
        .arg(format!("PROFILE={profile}"))
        .arg(format!("TARGET_DIR={}", target_dir.display()))
        .arg(format!("BUILD_DIR={}", lib_dir().display()));
    for var in ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DESTDIR", "PREFIX"] {
        command.env_remove(var);
    }
    let out = run(command);
    assert_eq!(
        out.status, 0,
        "make {args:?} failed:\n{}\n{}",
        out.stdout, out.stderr
    );
    out
}

/// A fresh scratch directory; removes those left by earlier runs whose
/// process is gone (an install holds a copy of the debug libtcc.a, a
/// statically linked program most of it).
fn fresh_scratch(name: &str) -> PathBuf {
    let tmp = std::env::temp_dir();
    let prefix = format!("tcc-consumers-{name}-");
    if let Ok(entries) = fs::read_dir(&tmp) {
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some(pid) = file_name
                .to_str()
                .and_then(|n| n.strip_prefix(&prefix))
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = tmp.join(format!("{prefix}{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The prefix that `make install-prebuilt PREFIX=...` filled, once per test binary.
fn prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let prefix = fresh_scratch("prefix");
        make(&["install-prebuilt", &format!("PREFIX={}", prefix.display())]);
        prefix
    })
}

fn pkg_config_path() -> String {
    prefix().join("lib/pkgconfig").display().to_string()
}

/// `sh -c script` in `dir`, with the installed prefix on PKG_CONFIG_PATH, and
/// without cargo's LD_LIBRARY_PATH (which would find target/<profile>).
fn shell(dir: &Path, script: &str) -> Run {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PKG_CONFIG_PATH", pkg_config_path())
        .env_remove("LD_LIBRARY_PATH");
    run(command)
}

fn shell_ok(dir: &Path, script: &str) -> String {
    let out = shell(dir, script);
    assert_eq!(out.status, 0, "`{script}` failed:\n{}", out.stderr);
    out.stdout
}

fn pkg_config(args: &str) -> String {
    shell_ok(Path::new("."), &format!("pkg-config {args} tcc"))
        .trim()
        .to_owned()
}

/// `readelf -d`: (NEEDED entries, SONAME).
fn dynamic_section(file: &Path) -> (Vec<String>, Option<String>) {
    let out = run({
        let mut c = Command::new("readelf");
        c.arg("-d").arg(file);
        c
    });
    assert_eq!(out.status, 0, "readelf {}: {}", file.display(), out.stderr);
    let bracketed = |line: &str| {
        let start = line.find('[')? + 1;
        let end = line.rfind(']')?;
        Some(line[start..end].to_owned())
    };
    let needed = out
        .stdout
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(bracketed)
        .collect();
    let soname = out
        .stdout
        .lines()
        .find(|l| l.contains("(SONAME)"))
        .and_then(bracketed);
    (needed, soname)
}

/// The C example with the stand-in's endpoint and token, outside cargo's library path.
fn example_command(program: &Path, endpoint: &str, token: &str) -> Command {
    let mut command = clean_command(program);
    command
        .env("TCC_ENDPOINT", endpoint)
        .env("TCC_TOKEN", token)
        .env_remove("LD_LIBRARY_PATH");
    command
}

fn expected_example_output() -> String {
    format!(
        "CC e-mail addresses (2):\n  {}\n  {}\nLast CC record:\n  user_id:     {}\n  customer_id: {}\n  cc_email:    {}\n",
        data::ADDRESSES[0],
        data::ADDRESSES[1],
        data::USER_ID,
        data::CUSTOMER_ID,
        data::CC_EMAIL
    )
}

/// Runs the C (or C++) example: success, then a wrong token (exit status 1).
fn assert_example_works(program: &Path) {
    let server = Standin::start(standin_config()).unwrap();
    let out = run(example_command(program, &server.base_url(), TOKEN));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stdout, expected_example_output());
    let out = run(example_command(program, &server.base_url(), "wrong-token"));
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(out.stderr.contains("APIGW.0301"), "{}", out.stderr);
}

/// A working directory holding the C example as `my_program.c`, as in the README.
fn project_dir(name: &str) -> PathBuf {
    let dir = fresh_scratch(name);
    fs::copy(
        repo_root().join("examples-c/cc_emails.c"),
        dir.join("my_program.c"),
    )
    .unwrap();
    fs::copy(
        repo_root().join("examples-c/cc_emails.cpp"),
        dir.join("my_program.cpp"),
    )
    .unwrap();
    dir
}

#[test]
fn install_puts_a_versioned_library_headers_and_a_pc_file_in_place() {
    if !have_all(&["make", "readelf"]) {
        return;
    }
    let lib = prefix().join("lib");
    let version = env!("CARGO_PKG_VERSION");
    let real = lib.join(format!("libtcc.so.{version}"));
    let soname = expected_soname();
    assert!(real.is_file(), "{} missing", real.display());
    assert_eq!(
        fs::read_link(lib.join(&soname)).unwrap(),
        PathBuf::from(format!("libtcc.so.{version}"))
    );
    assert_eq!(
        fs::read_link(lib.join("libtcc.so")).unwrap(),
        PathBuf::from(&soname)
    );
    assert!(lib.join("libtcc.a").is_file());
    assert_eq!(dynamic_section(&real).1, Some(soname));
    for header in ["tcc.h", "tcc.hpp"] {
        assert_eq!(
            fs::read(prefix().join("include").join(header)).unwrap(),
            fs::read(repo_root().join("include").join(header)).unwrap(),
            "{header}"
        );
    }
    assert!(prefix().join("bin/tcc-cc-emails").is_file());

    let pc = fs::read_to_string(lib.join("pkgconfig/tcc.pc")).unwrap();
    assert!(pc.contains(&format!("\nVersion: {version}\n")), "{pc}");
    assert!(pc.contains("\nName: tcc\n"), "{pc}");
    assert!(pc.contains("\nDescription: C ABI client"), "{pc}");
    assert!(!pc.contains('@'), "unreplaced placeholder:\n{pc}");
}

#[test]
fn the_build_tree_has_the_soname_link_too() {
    if !have("readelf") {
        return;
    }
    // Programs linked with -Ltarget/<profile> -ltcc need libtcc.so.<SOVERSION> there.
    let soname = expected_soname();
    assert_eq!(
        dynamic_section(&lib_dir().join("libtcc.so")).1,
        Some(soname.clone())
    );
    assert_eq!(
        fs::read_link(lib_dir().join(&soname)).unwrap(),
        PathBuf::from("libtcc.so")
    );
}

#[test]
fn pkg_config_gives_the_flags_of_the_installed_prefix() {
    if !have_all(&["make", "pkg-config"]) {
        return;
    }
    let p = prefix().display().to_string();
    assert_eq!(pkg_config("--modversion"), env!("CARGO_PKG_VERSION"));
    assert_eq!(pkg_config("--cflags"), format!("-I{p}/include"));
    assert_eq!(pkg_config("--libs"), format!("-L{p}/lib -ltcc"));
    assert_eq!(pkg_config("--variable=libdir"), format!("{p}/lib"));
}

/// What rustc says linking tcc's staticlib needs, from a build of the
/// staticlib in a target directory of its own (the first run compiles the
/// dependencies once more; later runs are instant).
fn rustc_native_static_libs() -> String {
    let (target_dir, _) = target_and_profile();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = run({
        let mut c = Command::new(cargo);
        c.current_dir(repo_root())
            .args(["rustc", "-p", "tcc", "--lib", "--crate-type", "staticlib"])
            .arg("--target-dir")
            .arg(target_dir.join("native-static-libs"))
            .args(["--", "--print", "native-static-libs"])
            .env("CARGO_PROFILE_DEV_DEBUG", "false")
            .env("CARGO_TERM_COLOR", "never");
        c
    });
    assert_eq!(out.status, 0, "cargo rustc failed:\n{}", out.stderr);
    let line = out
        .stderr
        .lines()
        .find_map(|l| l.split_once("native-static-libs: ").map(|(_, libs)| libs))
        .unwrap_or_else(|| panic!("no native-static-libs line in:\n{}", out.stderr));
    line.trim().to_owned()
}

#[test]
fn libs_private_is_exactly_what_rustc_reports_for_the_staticlib() {
    if !have_all(&["make", "pkg-config"]) {
        return;
    }
    let rustc = rustc_native_static_libs();
    assert_eq!(
        pkg_config("--variable=static_libs"),
        rustc,
        "tcc.pc.in's static_libs is out of date: set it to what rustc reports \
         (and update the README's static linking section)"
    );
    assert_eq!(
        pkg_config("--static --libs"),
        format!("-L{}/lib -ltcc {rustc}", prefix().display())
    );
    // The README lists them too, once its static linking section is there.
    let readme = fs::read_to_string(repo_root().join("README.md")).unwrap();
    if let Some(line) = readme.lines().find(|l| l.starts_with("Libs.private: ")) {
        assert_eq!(line, format!("Libs.private: {rustc}"), "README.md");
    } else {
        eprintln!("README.md has no `Libs.private: ` line yet: not checked");
    }
}

/// The README's recipe for a program against a prefix outside the loader's path.
const SHARED_RECIPE: &str = "cc -std=c99 -Wall -Wextra -Werror -pedantic my_program.c \
     $(pkg-config --cflags --libs tcc) -Wl,-rpath,$(pkg-config --variable=libdir tcc) -o my_program";

/// The README's recipe for static linking.
const STATIC_RECIPE: &str = "cc -std=c99 -Wall -Wextra -Werror -pedantic my_program.c \
     $(pkg-config --cflags tcc) \"$(pkg-config --variable=libdir tcc)/libtcc.a\" \
     $(pkg-config --variable=static_libs tcc) -o my_program";

/// The README's recipe for C++.
const CPP_RECIPE: &str = "c++ -std=c++17 -Wall -Wextra -Werror -pedantic my_program.cpp \
     $(pkg-config --cflags --libs tcc) -Wl,-rpath,$(pkg-config --variable=libdir tcc) -o my_program_cpp";

#[test]
fn a_c_program_built_with_pkg_config_loads_the_installed_shared_library() {
    if !have_all(&["make", "pkg-config", "readelf", "ldd"]) {
        return;
    }
    let dir = project_dir("pkg-config-shared");
    shell_ok(&dir, SHARED_RECIPE);
    let program = dir.join("my_program");

    let (needed, _) = dynamic_section(&program);
    assert!(
        needed.contains(&expected_soname()),
        "NEEDED {needed:?} lacks {}",
        expected_soname()
    );
    assert!(!needed.contains(&"libtcc.so".to_owned()), "{needed:?}");
    // The loader picks the installed copy, not the build tree's.
    let ldd = shell_ok(&dir, "ldd ./my_program");
    let line = ldd
        .lines()
        .find(|l| l.contains("libtcc"))
        .expect("ldd lists libtcc");
    assert!(
        line.contains(&format!(
            "=> {}/lib/{}",
            prefix().display(),
            expected_soname()
        )),
        "{line}"
    );
    assert_example_works(&program);
}

#[test]
fn a_c_program_linked_statically_needs_no_libtcc_at_run_time() {
    if !have_all(&["make", "pkg-config", "readelf"]) {
        return;
    }
    let dir = project_dir("pkg-config-static");
    shell_ok(&dir, STATIC_RECIPE);
    let program = dir.join("my_program");
    let (needed, _) = dynamic_section(&program);
    assert!(
        needed.iter().all(|n| !n.contains("libtcc")),
        "NEEDED {needed:?}"
    );
    assert_example_works(&program);
}

#[test]
fn a_cpp_program_built_with_pkg_config_runs() {
    if !have_all(&["make", "pkg-config", "c++"]) {
        return;
    }
    let dir = project_dir("pkg-config-cpp");
    shell_ok(&dir, CPP_RECIPE);
    assert_example_works(&dir.join("my_program_cpp"));
}

#[test]
fn the_installed_command_line_front_runs_without_a_library_path() {
    if !have_all(&["make", "readelf"]) {
        return;
    }
    let program = prefix().join("bin/tcc-cc-emails");
    // Linked with libtcc.a: it runs wherever the prefix is.
    let (needed, _) = dynamic_section(&program);
    assert!(
        needed.iter().all(|n| !n.contains("libtcc")),
        "NEEDED {needed:?}"
    );
    let server = Standin::start(standin_config()).unwrap();
    let out = run(example_command(&program, &server.base_url(), TOKEN));
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("{}\n{}\n", data::ADDRESSES[0], data::ADDRESSES[1])
    );
}

#[test]
fn the_cmake_project_finds_tcc_with_pkg_config_and_builds_the_examples() {
    if !have_all(&["make", "pkg-config", "readelf", "cmake"]) {
        return;
    }
    let build = fresh_scratch("cmake-build");
    let source = repo_root().join("examples-c");
    let strict = "-Wall -Wextra -Werror -pedantic";
    let configure = format!(
        "cmake -S '{}' -B '{}' -DCMAKE_C_FLAGS='{strict}' -DCMAKE_CXX_FLAGS='{strict}'",
        source.display(),
        build.display()
    );
    let out = shell_ok(&build, &configure);
    assert!(
        out.contains(&format!(
            "libtcc {} from {}/lib",
            env!("CARGO_PKG_VERSION"),
            prefix().display()
        )),
        "{out}"
    );
    shell_ok(&build, &format!("cmake --build '{}'", build.display()));

    let program = build.join("cc_emails");
    assert!(dynamic_section(&program).0.contains(&expected_soname()));
    // CMake's build-tree RPATH finds the installed library without LD_LIBRARY_PATH.
    assert_example_works(&program);
    if build.join("cc_emails_cpp").exists() {
        assert_example_works(&build.join("cc_emails_cpp"));
    }
    let server = Standin::start(standin_config()).unwrap();
    let out = run(example_command(
        &build.join("tcc-cc-emails"),
        &server.base_url(),
        TOKEN,
    ));
    assert_eq!(out.status, 0, "{}", out.stderr);
}

/// Every file and symlink under `dir`, relative to it.
fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().flatten() {
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(entry.path());
            } else {
                found.insert(entry.path().strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found
}

#[test]
fn destdir_staging_and_uninstall() {
    if !have_all(&["make", "pkg-config"]) {
        return;
    }
    let stage = fresh_scratch("stage");
    let vars = [
        format!("DESTDIR={}", stage.display()),
        "PREFIX=/usr".to_owned(),
        "LIBDIR=/usr/lib/x86_64-linux-gnu".to_owned(),
    ];
    let args = |target: &'static str| {
        let mut args = vec![target];
        args.extend(vars.iter().map(String::as_str));
        args
    };
    make(&args("install-prebuilt"));
    let version = env!("CARGO_PKG_VERSION");
    let soname = expected_soname();
    let expected: BTreeSet<PathBuf> = [
        format!("usr/lib/x86_64-linux-gnu/libtcc.so.{version}"),
        format!("usr/lib/x86_64-linux-gnu/{soname}"),
        "usr/lib/x86_64-linux-gnu/libtcc.so".to_owned(),
        "usr/lib/x86_64-linux-gnu/libtcc.a".to_owned(),
        "usr/lib/x86_64-linux-gnu/pkgconfig/tcc.pc".to_owned(),
        "usr/include/tcc.h".to_owned(),
        "usr/include/tcc.hpp".to_owned(),
        "usr/bin/tcc-cc-emails".to_owned(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(files_under(&stage), expected);
    // The .pc file names the final location, not the staging directory.
    let pc = fs::read_to_string(stage.join("usr/lib/x86_64-linux-gnu/pkgconfig/tcc.pc")).unwrap();
    assert!(pc.starts_with("prefix=/usr\n"), "{pc}");
    assert!(
        pc.contains("\nlibdir=${prefix}/lib/x86_64-linux-gnu\n"),
        "{pc}"
    );
    assert!(pc.contains("\nincludedir=${prefix}/include\n"), "{pc}");
    assert!(!pc.contains(&stage.display().to_string()), "{pc}");

    make(&args("uninstall"));
    assert_eq!(files_under(&stage), BTreeSet::new());
    let _ = fs::remove_dir_all(&stage);
}
