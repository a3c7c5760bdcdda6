//! Shared by the integration tests: calling the C ABI from Rust as a C
//! program would, and compiling real C programs against include/tcc.h and
//! the freshly built libtcc.
#![allow(dead_code)]

use std::ffi::{c_char, CStr, CString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr;
use std::sync::OnceLock;

use tcc::ffi::*;

pub const TOKEN: &str = "test-token-c0ffee-SECRET";

pub fn cstring(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// Borrowed C string → owned Rust string (`None` for NULL).
pub fn text(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        Some(unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
    }
}

/// Everything `tcc_last_error_*` reports on this thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastError {
    pub code: tcc_result,
    pub message: String,
    pub http_status: u16,
    pub service_code: Option<String>,
    pub service_message: Option<String>,
    pub request_id: Option<String>,
    /// `tcc_last_error_attempts()`: how many times the failed request was sent.
    pub attempts: u32,
}

pub fn last_error() -> LastError {
    LastError {
        code: tcc_last_error_code(),
        message: text(tcc_last_error_message()).expect("message is never NULL"),
        http_status: tcc_last_error_http_status(),
        service_code: text(tcc_last_error_service_code()),
        service_message: text(tcc_last_error_service_message()),
        request_id: text(tcc_last_error_request_id()),
        attempts: tcc_last_error_attempts(),
    }
}

/// Options handle with the given endpoint and token; panics on failure.
pub fn options(endpoint: &str, token: &str) -> *mut tcc_options {
    let mut opts = ptr::null_mut();
    unsafe {
        assert_eq!(tcc_options_new(&mut opts), TCC_OK);
        assert_eq!(
            tcc_options_set_endpoint(opts, cstring(endpoint).as_ptr()),
            TCC_OK,
            "{:?}",
            last_error()
        );
        assert_eq!(tcc_options_set_token(opts, cstring(token).as_ptr()), TCC_OK);
    }
    opts
}

/// A client built through the C ABI; free it with `tcc_client_free`.
pub fn client_with(opts: *mut tcc_options) -> *mut tcc_client {
    let mut client = ptr::null_mut();
    let code = unsafe { tcc_client_new(opts, &mut client) };
    assert_eq!(code, TCC_OK, "{:?}", last_error());
    assert!(!client.is_null());
    client
}

pub fn client(endpoint: &str, token: &str) -> *mut tcc_client {
    let opts = options(endpoint, token);
    let client = client_with(opts);
    unsafe { tcc_options_free(opts) };
    client
}

/// A fetched result, read entirely through the accessors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub addresses: Vec<String>,
    pub has_last_record: bool,
    pub user_id: Option<String>,
    pub customer_id: Option<String>,
    pub cc_email: Option<String>,
    pub json: String,
}

pub fn fetch(client: *const tcc_client) -> Result<Fetched, LastError> {
    let mut result = ptr::null_mut();
    let code = unsafe { tcc_fetch_cc_emails(client, &mut result) };
    if code != TCC_OK {
        assert!(result.is_null(), "out written on failure");
        let err = last_error();
        assert_eq!(err.code, code);
        return Err(err);
    }
    unsafe {
        let count = tcc_cc_emails_count(result);
        let addresses = (0..count)
            .map(|i| text(tcc_cc_emails_address(result, i)).unwrap())
            .collect();
        assert!(tcc_cc_emails_address(result, count).is_null());
        let mut json = ptr::null_mut();
        assert_eq!(tcc_cc_emails_to_json(result, &mut json), TCC_OK);
        let json_text = text(json).unwrap();
        tcc_free(json);
        let fetched = Fetched {
            addresses,
            has_last_record: tcc_cc_emails_has_last_record(result),
            user_id: text(tcc_cc_emails_last_user_id(result)),
            customer_id: text(tcc_cc_emails_last_customer_id(result)),
            cc_email: text(tcc_cc_emails_last_cc_email(result)),
            json: json_text,
        };
        tcc_cc_emails_free(result);
        Ok(fetched)
    }
}

/// The directory holding libtcc.so / libtcc.a of this build: the `deps`
/// directory the test binary runs from. cargo copies the libraries up to
/// target/<profile> only when the library itself is a requested target, which
/// `cargo test` on a fresh checkout does not do; `deps` always has them, and
/// build.rs puts the SONAME link there too.
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().to_path_buf();
    assert!(
        dir.join("libtcc.so").exists(),
        "libtcc.so not found in {}",
        dir.display()
    );
    dir
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory unique to this test process and `name`.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tcc-tests-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cc_build(out_dir: &Path) -> cc::Build {
    let mut build = cc::Build::new();
    build
        .target(env!("TCC_BUILD_TARGET"))
        .host(env!("TCC_BUILD_HOST"))
        .opt_level(0)
        .debug(true)
        .out_dir(out_dir)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .emit_rerun_if_env_changed(false)
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .include(repo_root().join("include"));
    build
}

/// Compiles C (`-std=c99 -pedantic`, all warnings as errors) or C++ (C++17)
/// sources with the `cc` crate, against include/tcc.h, and links them with the
/// shared libtcc. Returns the executable.
pub fn build_program(name: &str, sources: &[PathBuf], cpp: bool) -> PathBuf {
    let out_dir = scratch_dir(&format!("build-{name}"));
    let mut build = cc_build(&out_dir);
    build
        .cpp(cpp)
        .flag(if cpp { "-std=c++17" } else { "-std=c99" })
        .flag("-pedantic");
    for src in sources {
        build.file(src);
    }
    let objects = build.compile_intermediates();
    let exe = out_dir.join(name);
    let lib_dir = lib_dir();
    let status = build
        .get_compiler()
        .to_command()
        .args(&objects)
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib_dir.display()))
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-ltcc")
        .arg("-lpthread")
        .status()
        .unwrap();
    assert!(status.success(), "linking {name} failed");
    exe
}

/// The C example, compiled once per test binary.
pub fn example_program() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        build_program(
            "cc_emails",
            &[repo_root().join("examples-c/cc_emails.c")],
            false,
        )
    })
}

/// Output of a program run to completion.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(mut command: Command) -> Run {
    let out = command.output().unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every proxy variable libtcc reads.
pub const PROXY_VARIABLES: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// A command with the TCC_*, HUAWEICLOUD_* and proxy variables cleared, so
/// the caller's environment cannot leak into a test.
pub fn clean_command(program: &Path) -> Command {
    let mut command = Command::new(program);
    for (key, _) in std::env::vars() {
        if key.starts_with("TCC_") || key.starts_with("HUAWEICLOUD_") {
            command.env_remove(key);
        }
    }
    for key in PROXY_VARIABLES {
        command.env_remove(key);
    }
    command
}

/// A stand-in of its own for one test, accepting `TOKEN`.
pub fn standin() -> osm_standin::Standin {
    osm_standin::Standin::start(standin_config()).unwrap()
}

/// The stand-in's configuration for these tests: it accepts `TOKEN`.
pub fn standin_config() -> osm_standin::StandinConfig {
    osm_standin::StandinConfig {
        token: TOKEN.into(),
        ..Default::default()
    }
}

// --- Credentials (AK/SK, IAM password) ---

/// A secret key the stand-in does not know; it must never show up anywhere.
pub const WRONG_SK: &str = "wrongSecretKey-0000000000000000000SECRET";
/// A password the stand-in refuses; it must never show up anywhere.
pub const WRONG_PASSWORD: &str = "Wrong-Passw0rd-SECRET";

/// Every secret the tests configure; none may appear in any message.
pub fn configured_secrets() -> Vec<String> {
    use osm_standin::data;
    [
        TOKEN,
        data::SK,
        data::TEMP_SK,
        data::SECURITY_TOKEN,
        data::IAM_PASSWORD,
        WRONG_SK,
        WRONG_PASSWORD,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The distinct IAM tokens the stand-in issued, as seen in requests to
/// it, in the order first seen.
pub fn issued_tokens(server: &osm_standin::Standin) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    for request in server.requests() {
        if let Some(token) = request.header("x-auth-token") {
            if token != TOKEN && !tokens.iter().any(|t| t == token) {
                tokens.push(token.to_owned());
            }
        }
    }
    tokens
}

/// The first of `secrets` that `text` contains.
pub fn leaked<'a>(text: &str, secrets: &'a [String]) -> Option<&'a str> {
    secrets
        .iter()
        .map(String::as_str)
        .find(|secret| text.contains(secret))
}

/// Panics if `text` contains any of `secrets`.
pub fn assert_no_secret(text: &str, secrets: &[String]) {
    if let Some(secret) = leaked(text, secrets) {
        panic!(
            "secret #{} leaked into: {text}",
            secrets.iter().position(|s| s == secret).unwrap()
        );
    }
}

/// Asserts a setter succeeded, showing the error detail otherwise.
pub fn ok(code: tcc_result) {
    assert_eq!(code, TCC_OK, "{:?}", last_error());
}

/// Options with an endpoint and nothing else.
pub fn options_for(endpoint: &str) -> *mut tcc_options {
    let mut opts = ptr::null_mut();
    unsafe {
        ok(tcc_options_new(&mut opts));
        ok(tcc_options_set_endpoint(opts, cstring(endpoint).as_ptr()));
    }
    opts
}

/// AK/SK options against the stand-in (which also serves IAM).
pub fn aksk_options(
    server: &osm_standin::Standin,
    ak: &str,
    sk: &str,
    domain_id: Option<&str>,
    security_token: Option<&str>,
) -> *mut tcc_options {
    let opts = options_for(&server.base_url());
    unsafe {
        ok(tcc_options_set_iam_endpoint(
            opts,
            cstring(&server.base_url()).as_ptr(),
        ));
        ok(tcc_options_set_aksk(
            opts,
            cstring(ak).as_ptr(),
            cstring(sk).as_ptr(),
        ));
        if let Some(id) = domain_id {
            ok(tcc_options_set_domain_id(opts, cstring(id).as_ptr()));
        }
        if let Some(token) = security_token {
            ok(tcc_options_set_security_token(
                opts,
                cstring(token).as_ptr(),
            ));
        }
    }
    opts
}

/// IAM password options against the stand-in.
pub fn password_options(
    server: &osm_standin::Standin,
    user: &str,
    password: &str,
    domain_name: &str,
) -> *mut tcc_options {
    let opts = options_for(&server.base_url());
    unsafe {
        ok(tcc_options_set_iam_endpoint(
            opts,
            cstring(&server.base_url()).as_ptr(),
        ));
        ok(tcc_options_set_password(
            opts,
            cstring(user).as_ptr(),
            cstring(password).as_ptr(),
            cstring(domain_name).as_ptr(),
        ));
    }
    opts
}

/// A client from options, which are freed.
pub fn client_from(opts: *mut tcc_options) -> *mut tcc_client {
    let client = client_with(opts);
    unsafe { tcc_options_free(opts) };
    client
}

/// Requests the stand-in received for the OSM operation (not IAM).
pub fn osm_requests(server: &osm_standin::Standin) -> Vec<osm_standin::RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.target.ends_with("/v2/servicerequest/carbon-copy-emails"))
        .collect()
}

/// A raw pointer that a test shares between threads, as C code would.
#[derive(Clone, Copy)]
pub struct SharedClient(pub *mut tcc_client);
unsafe impl Send for SharedClient {}
unsafe impl Sync for SharedClient {}

impl SharedClient {
    /// Through a method, so closures capture the whole (Sync) wrapper.
    pub fn get(&self) -> *mut tcc_client {
        self.0
    }
}

// --- Network settings (timeouts, retries, redirects, proxy) ---

/// Network settings for a test client, applied with the C setters; `None`
/// keeps tcc's default.
#[derive(Clone, Debug, Default)]
pub struct Net {
    pub timeout_ms: Option<u32>,
    pub connect_timeout_ms: Option<u32>,
    pub stall_timeout_ms: Option<u32>,
    pub max_attempts: Option<u32>,
    pub max_redirects: Option<u32>,
    pub max_header_bytes: Option<u32>,
    /// `""` turns proxies off (the test process's environment included).
    pub proxy: Option<String>,
    pub ca_file: Option<PathBuf>,
}

impl Net {
    pub fn apply(&self, opts: *mut tcc_options) {
        unsafe {
            if let Some(ms) = self.timeout_ms {
                ok(tcc_options_set_timeout_ms(opts, ms));
            }
            if let Some(ms) = self.connect_timeout_ms {
                ok(tcc_options_set_connect_timeout_ms(opts, ms));
            }
            if let Some(ms) = self.stall_timeout_ms {
                ok(tcc_options_set_stall_timeout_ms(opts, ms));
            }
            if let Some(n) = self.max_attempts {
                ok(tcc_options_set_max_attempts(opts, n));
            }
            if let Some(n) = self.max_redirects {
                ok(tcc_options_set_max_redirects(opts, n));
            }
            if let Some(n) = self.max_header_bytes {
                ok(tcc_options_set_max_header_bytes(opts, n));
            }
            if let Some(url) = &self.proxy {
                ok(tcc_options_set_proxy(opts, cstring(url).as_ptr()));
            }
            if let Some(path) = &self.ca_file {
                let path = cstring(path.to_str().unwrap());
                ok(tcc_options_set_ca_file(opts, path.as_ptr()));
            }
        }
    }
}

/// A token client for `endpoint` with `net` applied.
pub fn client_net(endpoint: &str, net: &Net) -> *mut tcc_client {
    let opts = options(endpoint, TOKEN);
    net.apply(opts);
    client_from(opts)
}

/// One fetch with a fresh client, timed.
pub fn timed_fetch(endpoint: &str, net: &Net) -> (Result<Fetched, LastError>, std::time::Duration) {
    let client = client_net(endpoint, net);
    let started = std::time::Instant::now();
    let got = fetch(client);
    let elapsed = started.elapsed();
    unsafe { tcc_client_free(client) };
    (got, elapsed)
}

/// Asserts `elapsed` is within `[min, max]`: generous bounds that only
/// catch a wait that did not happen, or one that was not bounded.
#[track_caller]
pub fn assert_elapsed(elapsed: std::time::Duration, min_ms: u64, max_ms: u64) {
    let ms = elapsed.as_millis() as u64;
    assert!(
        (min_ms..=max_ms).contains(&ms),
        "took {ms} ms, expected {min_ms}..={max_ms} ms"
    );
}

/// Whether `tool` runs (`tool --version`). The tools the tests need are
/// installed by .ci/run: one missing in CI fails the test; elsewhere the
/// test says so and passes.
pub fn have_tool(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required in CI (Debian: see the packages .ci/run installs)"
        );
        eprintln!("{tool} not installed: skipping this check");
    }
    found
}

/// valgrind with the project's leak check (definite and possible leaks are
/// errors, exit status 99) and suppressions, with the TCC_* environment
/// cleared; `None` when valgrind is missing (see `have_tool`).
pub fn valgrind() -> Option<Command> {
    if !have_tool("valgrind") {
        return None;
    }
    let mut command = clean_command(Path::new("valgrind"));
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
