//! Load and memory: one client under many threads, and a C program that
//! hammers the library with pthreads, run as it is, under valgrind, and
//! built with AddressSanitizer.
//!
//! Everything talks to stand-ins on 127.0.0.1. Each call has a deadline,
//! and each test one too: a stuck call fails the test with a message
//! instead of hanging it. The heavy tests take turns (`HEAVY`), so they do
//! not starve each other's deadlines on a 2-core machine.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex, OnceLock};
use std::time::{Duration, Instant};

use common::*;
use osm_standin::{data, Standin};
use tcc::ffi::*;

/// One heavy test at a time.
static HEAVY: Mutex<()> = Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

/// The normalised JSON of the stand-in's normal answer, byte for byte as
/// tcc writes it (keys in the documented order).
fn expected_json() -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap();
    format!(
        r#"{{"cc_email_info":{{"user_id":{},"customer_id":{},"cc_email":{}}},"mc_email_infos":[{}]}}"#,
        q(data::USER_ID),
        q(data::CUSTOMER_ID),
        q(data::CC_EMAIL),
        data::ADDRESSES.map(q).join(",")
    )
}

/// Network settings for load: a deadline on every call, no retry (a
/// failure must show, not be papered over), no proxy from the environment.
fn load_net(timeout_ms: u32) -> Net {
    Net {
        timeout_ms: Some(timeout_ms),
        connect_timeout_ms: Some(2_000),
        stall_timeout_ms: Some(timeout_ms.min(10_000)),
        max_attempts: Some(1),
        proxy: Some(String::new()),
        ..Net::default()
    }
}

const THREADS: usize = 16;
const CALLS_PER_THREAD: usize = 512;
/// Every this many calls, a thread also fetches a business error from a
/// second shared client, and checks its own error detail.
const ERROR_EVERY: usize = 16;
/// The whole load test; far above what it needs (a few seconds).
const LOAD_DEADLINE: Duration = Duration::from_secs(120);

#[test]
fn sixteen_threads_share_one_client_under_load() {
    let _turn = heavy();
    let server = Standin::start(standin_config()).unwrap();
    let errors = Standin::start(standin_config()).unwrap();
    let client = SharedClient(client_net(&server.base_url(), &load_net(10_000)));
    let error_client = SharedClient(client_net(
        &errors.scenario_url("business-error"),
        &load_net(10_000),
    ));
    let expected = expected_json();
    let stop = AtomicBool::new(false);
    let ok_calls = AtomicUsize::new(0);
    let error_calls = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::<String>::new());
    let barrier = Barrier::new(THREADS);
    let started = Instant::now();
    let deadline = started + LOAD_DEADLINE;
    let fail = |what: String| {
        stop.store(true, Ordering::SeqCst);
        failures.lock().unwrap().push(what);
    };

    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (barrier, expected, stop, fail) = (&barrier, &expected, &stop, &fail);
            let (ok_calls, error_calls) = (&ok_calls, &error_calls);
            s.spawn(move || {
                barrier.wait();
                for i in 0..CALLS_PER_THREAD {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    if Instant::now() > deadline {
                        return fail(format!("thread {t}: out of time at call {i}"));
                    }
                    let got = if (t + i) % 2 == 0 {
                        fetch(client.get()).map(|f| {
                            let record = (f.user_id, f.customer_id, f.cc_email);
                            (f.addresses, Some(record), f.json)
                        })
                    } else {
                        fetch_json(client.get()).map(|json| (Vec::new(), None, json))
                    };
                    match got {
                        Ok((addresses, record, json)) => {
                            if record.is_some() && addresses != data::ADDRESSES {
                                return fail(format!("thread {t} call {i}: {addresses:?}"));
                            }
                            let want = (
                                Some(data::USER_ID.to_owned()),
                                Some(data::CUSTOMER_ID.to_owned()),
                                Some(data::CC_EMAIL.to_owned()),
                            );
                            if record.is_some_and(|r| r != want) {
                                return fail(format!("thread {t} call {i}: wrong record"));
                            }
                            if json != *expected {
                                return fail(format!("thread {t} call {i}: {json}"));
                            }
                            ok_calls.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => return fail(format!("thread {t} call {i}: {e:?}")),
                    }
                    if i % ERROR_EVERY == 0 {
                        match fetch(error_client.get()) {
                            Err(e)
                                if e.code == TCC_ERR_SERVICE
                                    && e.service_code.as_deref() == Some("OSM.01010002")
                                    && e.http_status == 200
                                    && e.attempts == 1
                                    && e.request_id.is_some() =>
                            {
                                error_calls.fetch_add(1, Ordering::SeqCst);
                            }
                            other => {
                                return fail(format!("thread {t} call {i}: error case {other:?}"))
                            }
                        }
                        // The next success clears this thread's error, and only this thread's.
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed();
    unsafe {
        tcc_client_free(client.get());
        tcc_client_free(error_client.get());
    }
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let calls = THREADS * CALLS_PER_THREAD;
    let error_count = THREADS * CALLS_PER_THREAD.div_ceil(ERROR_EVERY);
    assert_eq!(ok_calls.load(Ordering::SeqCst), calls);
    assert_eq!(error_calls.load(Ordering::SeqCst), error_count);
    // One request per call: nothing retried, nothing lost, nothing doubled.
    let requests = server.requests();
    assert_eq!(requests.len(), calls);
    assert!(requests
        .iter()
        .all(|r| r.header("x-auth-token") == Some(TOKEN)
            && r.target == "/v2/servicerequest/carbon-copy-emails"));
    assert_eq!(errors.requests().len(), error_count);
    // Keep-alive: about one connection per thread, not one per call.
    let slack = 4;
    let connections = server.connections_accepted();
    assert!(
        connections <= THREADS + slack,
        "{connections} connections for {THREADS} threads and {calls} calls"
    );
    let connections = errors.connections_accepted();
    assert!(
        connections <= THREADS + slack,
        "{connections} connections to the error stand-in"
    );
    // Freeing the clients closed their pooled connections.
    assert_eq!(
        server.wait_open_connections_at_most(0, Duration::from_secs(5)),
        0
    );
    assert_eq!(
        errors.wait_open_connections_at_most(0, Duration::from_secs(5)),
        0
    );
    eprintln!(
        "{calls} calls + {error_count} error calls on {THREADS} threads in {elapsed:.2?} \
         ({:.0} calls/s), {} connections",
        (calls + error_count) as f64 / elapsed.as_secs_f64(),
        server.connections_accepted()
    );
}

/// `tcc_fetch_cc_emails_json`, its string checked as UTF-8 and freed.
fn fetch_json(client: *const tcc_client) -> Result<String, LastError> {
    let mut json = std::ptr::null_mut();
    let code = unsafe { tcc_fetch_cc_emails_json(client, &mut json) };
    if code != TCC_OK {
        assert!(json.is_null(), "out written on failure");
        return Err(last_error());
    }
    let text = text(json).unwrap();
    unsafe { tcc_free(json) };
    Ok(text)
}

// --- The C stress program ---

fn stress_program() -> &'static PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_program("stress", &[repo_root().join("tests/c/stress.c")], false))
}

/// Counts for one run of the stress program.
struct Load {
    threads: usize,
    calls: usize,
    cycles: usize,
    timeout_ms: u32,
}

impl Load {
    fn ok_requests(&self) -> usize {
        self.threads * (self.calls + self.cycles)
    }

    fn error_requests(&self) -> usize {
        self.threads * self.calls.div_ceil(8)
    }
}

/// The stress program's arguments against `server`.
fn stress_args(command: &mut Command, server: &Standin, load: &Load) {
    command
        .arg(server.base_url())
        .arg(server.scenario_url("business-error"))
        .arg(TOKEN)
        .arg(load.timeout_ms.to_string())
        .arg(load.threads.to_string())
        .arg(load.calls.to_string())
        .arg(load.cycles.to_string())
        .arg(expected_json())
        .arg(data::USER_ID)
        .args(data::ADDRESSES);
    for (key, _) in std::env::vars() {
        let lower = key.to_ascii_lowercase();
        if key.starts_with("TCC_") || key.starts_with("HUAWEICLOUD_") || lower.ends_with("_proxy") {
            command.env_remove(key);
        }
    }
}

/// Runs `command` (the stress program, possibly wrapped) and checks its
/// outcome and what the stand-in saw.
fn check_stress_run(command: Command, server: &Standin, load: &Load, what: &str) -> Duration {
    let started = Instant::now();
    let out = run(command);
    let elapsed = started.elapsed();
    assert_eq!(
        out.status, 0,
        "{what}: exit {}\nstdout:\n{}\nstderr:\n{}",
        out.status, out.stdout, out.stderr
    );
    assert_eq!(
        out.stdout,
        format!(
            "stress: ok {}, service errors {}\n",
            load.ok_requests(),
            load.error_requests()
        ),
        "{what}: {}",
        out.stderr
    );
    assert_eq!(server.scenario_hits("ok"), load.ok_requests(), "{what}");
    assert_eq!(
        server.scenario_hits("business-error"),
        load.error_requests(),
        "{what}"
    );
    // Two shared clients keep about a connection per thread each; every
    // short-lived client opens its own.
    let bound = 2 * load.threads + load.threads * load.cycles + 4;
    let connections = server.connections_accepted();
    assert!(
        connections <= bound,
        "{what}: {connections} connections, bound {bound}"
    );
    assert_eq!(
        server.wait_open_connections_at_most(0, Duration::from_secs(5)),
        0,
        "{what}: connections left open after the program ended"
    );
    elapsed
}

#[test]
fn c_stress_program_with_many_threads() {
    let exe = stress_program();
    let _turn = heavy();
    let server = Standin::start(standin_config()).unwrap();
    let load = Load {
        threads: 16,
        calls: 1000,
        cycles: 50,
        timeout_ms: 20_000,
    };
    let mut command = Command::new(exe);
    stress_args(&mut command, &server, &load);
    let elapsed = check_stress_run(command, &server, &load, "stress");
    eprintln!(
        "C stress: {} ok + {} error requests in {elapsed:.2?}",
        load.ok_requests(),
        load.error_requests()
    );
}

#[test]
fn c_stress_program_under_valgrind() {
    let exe = stress_program();
    let Some(mut command) = valgrind() else {
        return;
    };
    let _turn = heavy();
    let server = Standin::start(standin_config()).unwrap();
    let load = Load {
        threads: 8,
        calls: 48,
        cycles: 5,
        timeout_ms: 60_000,
    };
    command.arg(exe);
    stress_args(&mut command, &server, &load);
    let elapsed = check_stress_run(command, &server, &load, "valgrind");
    eprintln!("C stress under valgrind: {elapsed:.2?}");
}

/// The stress program built with AddressSanitizer (and LeakSanitizer),
/// linked with the uninstrumented libtcc. It checks the C side: its own
/// memory errors, double frees (ASan intercepts every `free`, Rust's too),
/// and leaks of anything tcc hands out (Rust allocates with the same
/// `malloc`). A read of freed tcc memory happens inside the uninstrumented
/// library and is valgrind's to catch (`c_stress_program_under_valgrind`).
/// Skipped, saying so, where the compiler cannot build with
/// `-fsanitize=address` (required in CI).
#[test]
fn c_stress_program_with_address_sanitizer() {
    let Some(exe) = asan_stress_program() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "gcc with libasan (Debian: libasan8, with gcc) is required in CI"
        );
        eprintln!("-fsanitize=address does not work here: skipping");
        return;
    };
    let _turn = heavy();
    let server = Standin::start(standin_config()).unwrap();
    let load = Load {
        threads: 8,
        calls: 200,
        cycles: 10,
        timeout_ms: 30_000,
    };
    let mut command = Command::new(exe);
    stress_args(&mut command, &server, &load);
    command.env(
        "ASAN_OPTIONS",
        "detect_leaks=1:abort_on_error=0:exitcode=98:detect_stack_use_after_return=0",
    );
    command.env(
        "LSAN_OPTIONS",
        format!(
            "exitcode=97:suppressions={}",
            repo_root().join("tests/lsan.supp").display()
        ),
    );
    let elapsed = check_stress_run(command, &server, &load, "asan");
    eprintln!("C stress with ASan: {elapsed:.2?}");
}

/// stress.c compiled and linked with `-fsanitize=address`, or `None` when
/// the toolchain cannot (no libasan).
fn asan_stress_program() -> Option<PathBuf> {
    let out_dir = scratch_dir("build-stress-asan");
    let exe = out_dir.join("stress-asan");
    let compiler = cc::Build::new()
        .target(env!("TCC_BUILD_TARGET"))
        .host(env!("TCC_BUILD_HOST"))
        .opt_level(1)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .emit_rerun_if_env_changed(false)
        .get_compiler();
    let probe = out_dir.join("probe.c");
    std::fs::write(&probe, "int main(void) { return 0; }\n").unwrap();
    let probe_ok = compiler
        .to_command()
        .args(["-fsanitize=address", "-o"])
        .arg(out_dir.join("probe"))
        .arg(&probe)
        .output()
        .is_ok_and(|o| o.status.success())
        && Command::new(out_dir.join("probe"))
            .status()
            .is_ok_and(|s| s.success());
    if !probe_ok {
        return None;
    }
    let lib_dir = lib_dir();
    let out = compiler
        .to_command()
        .args([
            "-std=c99",
            "-pedantic",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-g",
            "-fsanitize=address",
            "-fno-omit-frame-pointer",
        ])
        .arg(format!("-I{}", repo_root().join("include").display()))
        .arg(repo_root().join("tests/c/stress.c"))
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", lib_dir.display()))
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .args(["-ltcc", "-lpthread"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "building stress.c with ASan failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(exe)
}
