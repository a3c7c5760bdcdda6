//! Non-blocking calls (`tcc_fetch_cc_emails_async`, `tcc_call_*`): a C
//! program with several calls in flight, run as it is and under valgrind;
//! and, through the C ABI from Rust, argument checks, exactly-once delivery
//! when cancel races completion, and the end of an abandoned call's work.

mod common;

use std::ffi::c_void;
use std::process::Command;
use std::ptr;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use common::*;
use osm_standin::{data, Standin};
use tcc::ffi::*;

// --- The C program ---

fn async_program() -> &'static std::path::Path {
    static EXE: OnceLock<std::path::PathBuf> = OnceLock::new();
    EXE.get_or_init(|| build_program("async", &[repo_root().join("tests/c/async.c")], false))
}

fn async_args(command: &mut Command, server: &Standin) {
    command
        .arg(server.base_url())
        .arg(server.scenario_url("hang"))
        .arg(server.scenario_url("forbidden"))
        .arg(TOKEN)
        .arg(data::ADDRESSES[0])
        .arg(data::ADDRESSES.len().to_string());
}

#[test]
fn c_program_with_calls_in_flight() {
    let server = Standin::start(standin_config()).unwrap();
    let mut command = clean_command(async_program());
    async_args(&mut command, &server);
    let started = Instant::now();
    let out = run(command);
    assert_eq!(out.status, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.ends_with("async: ok\n"), "{}", out.stdout);
    // It joins the abandoned call, whose deadline is 4 s, and no more.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    // 8 + 1 + 1 + 4 + 1 + 1 + 1 calls, the cancelled one sent before it was.
    assert_eq!(osm_requests(&server).len(), 17);
}

/// valgrind is installed by .ci/run; without it this test says so and passes.
#[test]
fn c_program_under_valgrind() {
    let server = Standin::start(standin_config()).unwrap();
    let Some(mut command) = valgrind() else {
        return;
    };
    command.arg(async_program());
    async_args(&mut command, &server);
    let out = run(command);
    assert_eq!(
        out.status, 0,
        "valgrind said:\n{}{}",
        out.stdout, out.stderr
    );
    assert!(out.stdout.ends_with("async: ok\n"), "{}", out.stdout);
    assert!(!out.stderr.contains("definitely lost"), "{}", out.stderr);
}

// --- Through the C ABI from Rust ---

/// What a callback saw; shared with the test through `userdata`.
#[derive(Default)]
struct Record {
    calls: AtomicU32,
    code: AtomicU32,
    addresses: AtomicUsize,
    detail: Mutex<Option<(LastError, ThreadId)>>,
}

impl Record {
    fn userdata(&self) -> *mut c_void {
        ptr::from_ref(self).cast_mut().cast()
    }

    fn code(&self) -> tcc_result {
        self.code.load(Ordering::SeqCst)
    }

    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

/// Must not panic: a panic cannot unwind out of an `extern "C"` function.
unsafe extern "C" fn on_done(userdata: *mut c_void, code: tcc_result, result: *mut tcc_cc_emails) {
    let record = &*userdata.cast::<Record>();
    if let Ok(mut detail) = record.detail.lock() {
        *detail = Some((last_error(), thread::current().id()));
    }
    record.code.store(code, Ordering::SeqCst);
    if !result.is_null() {
        record
            .addresses
            .store(tcc_cc_emails_count(result), Ordering::SeqCst);
        tcc_cc_emails_free(result);
    }
    record.calls.fetch_add(1, Ordering::SeqCst);
}

/// A call handle shared between test threads, as C code would.
#[derive(Clone, Copy)]
struct SharedCall(*mut tcc_call);
unsafe impl Send for SharedCall {}
unsafe impl Sync for SharedCall {}

impl SharedCall {
    fn get(&self) -> *mut tcc_call {
        self.0
    }
}

fn start(client: *const tcc_client, record: &Record) -> *mut tcc_call {
    let mut call = ptr::null_mut();
    let code =
        unsafe { tcc_fetch_cc_emails_async(client, Some(on_done), record.userdata(), &mut call) };
    assert_eq!(code, TCC_OK, "{:?}", last_error());
    assert!(!call.is_null());
    call
}

/// A non-NULL value no function may write: outputs are left alone on failure.
fn sentinel<T>() -> *mut T {
    ptr::NonNull::dangling().as_ptr()
}

#[test]
fn null_arguments_are_refused_and_never_call_back() {
    let server = Standin::start(standin_config()).unwrap();
    let client = client(&server.base_url(), TOKEN);
    let record = Record::default();
    let mut call: *mut tcc_call = sentinel();
    unsafe {
        for (what, code) in [
            (
                "client",
                tcc_fetch_cc_emails_async(ptr::null(), Some(on_done), record.userdata(), &mut call),
            ),
            (
                "callback",
                tcc_fetch_cc_emails_async(client, None, record.userdata(), &mut call),
            ),
            (
                "out",
                tcc_fetch_cc_emails_async(
                    client,
                    Some(on_done),
                    record.userdata(),
                    ptr::null_mut(),
                ),
            ),
        ] {
            assert_eq!(code, TCC_ERR_INVALID_ARGUMENT, "{what}");
            let err = last_error();
            assert_eq!(err.code, TCC_ERR_INVALID_ARGUMENT);
            assert!(err.message.contains("NULL"), "{what}: {}", err.message);
            assert_eq!(call, sentinel(), "{what}: out written on failure");
        }
        assert_eq!(tcc_call_wait(ptr::null(), 0), TCC_ERR_INVALID_ARGUMENT);
        assert_eq!(
            tcc_call_wait(ptr::null(), TCC_WAIT_FOREVER),
            TCC_ERR_INVALID_ARGUMENT
        );
        assert!(!tcc_call_cancel(ptr::null()));
        tcc_call_free(ptr::null_mut());
    }
    thread::sleep(Duration::from_millis(200));
    assert_eq!(record.calls(), 0, "a refused call called back");
    assert!(
        server.requests().is_empty(),
        "a refused call sent a request"
    );
    unsafe { tcc_client_free(client) };
}

#[test]
fn a_call_completes_on_another_thread_with_its_result() {
    let server = Standin::start(standin_config()).unwrap();
    let client = client(&server.base_url(), TOKEN);
    let record = Record::default();
    let call = start(client, &record);
    unsafe {
        assert_eq!(tcc_call_wait(call, TCC_WAIT_FOREVER), TCC_OK);
        assert_eq!(last_error().code, TCC_OK);
        // Done: any number of waits return at once; cancel does nothing.
        assert_eq!(tcc_call_wait(call, 0), TCC_OK);
        assert!(!tcc_call_cancel(call));
        tcc_call_free(call);
        tcc_client_free(client);
    }
    assert_eq!(record.calls(), 1);
    assert_eq!(record.code(), TCC_OK);
    assert_eq!(
        record.addresses.load(Ordering::SeqCst),
        data::ADDRESSES.len()
    );
    let (detail, thread) = record.detail.lock().unwrap().clone().unwrap();
    assert_eq!(detail.code, TCC_OK, "{detail:?}");
    assert_ne!(thread, thread::current().id());
}

#[test]
fn failures_arrive_with_their_detail_on_the_callback_thread() {
    let server = Standin::start(standin_config()).unwrap();
    let client = client(&server.base_url(), "wrong-token");
    let record = Record::default();
    let call = start(client, &record);
    unsafe {
        assert_eq!(tcc_call_wait(call, 30_000), TCC_OK);
        tcc_call_free(call);
        tcc_client_free(client);
    }
    assert_eq!(record.code(), TCC_ERR_AUTH);
    let (detail, _) = record.detail.lock().unwrap().clone().unwrap();
    assert_eq!(detail.code, TCC_ERR_AUTH);
    assert_eq!(detail.http_status, 401);
    assert_eq!(detail.service_code.as_deref(), Some("APIGW.0301"));
    assert!(detail.request_id.is_some());
    assert_eq!(detail.attempts, 1);
    assert!(
        !detail.message.contains("wrong-token"),
        "{}",
        detail.message
    );
    // The waiting thread's own detail is untouched by the call's failure.
    assert_eq!(last_error().code, TCC_OK);
}

/// Cancel races completion, from another thread, while two threads wait:
/// the callback comes exactly once, with `TCC_ERR_CANCELLED` exactly when
/// `tcc_call_cancel` said it decided the outcome.
#[test]
fn cancel_racing_completion_calls_back_exactly_once() {
    const ROUNDS: usize = 300;
    let server = Standin::start(standin_config()).unwrap();
    let client = SharedClient(client(&server.base_url(), TOKEN));
    let records: Vec<Record> = (0..ROUNDS).map(|_| Record::default()).collect();
    let mut cancelled = 0;
    let started = Instant::now();
    for (i, record) in records.iter().enumerate() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "out of time at round {i}"
        );
        let call = SharedCall(start(client.get(), record));
        // From "before the thread starts" to "long after the answer".
        let delay = match i % 10 {
            9 => Duration::from_millis(50),
            n => Duration::from_micros(n as u64 * 150),
        };
        let won = thread::scope(|s| {
            let canceller = s.spawn(move || {
                thread::sleep(delay);
                unsafe { tcc_call_cancel(call.get()) }
            });
            let waiter = s.spawn(move || unsafe { tcc_call_wait(call.get(), 10_000) });
            assert_eq!(
                unsafe { tcc_call_wait(call.get(), 10_000) },
                TCC_OK,
                "round {i}"
            );
            assert_eq!(waiter.join().unwrap(), TCC_OK, "round {i}");
            canceller.join().unwrap()
        });
        // Whatever the order, a second cancel never takes effect.
        assert!(!unsafe { tcc_call_cancel(call.get()) }, "round {i}");
        assert_eq!(
            unsafe { tcc_call_join(call.get(), 10_000) },
            TCC_OK,
            "round {i}"
        );
        unsafe { tcc_call_free(call.get()) };
        assert_eq!(record.calls(), 1, "round {i}");
        let expected = if won { TCC_ERR_CANCELLED } else { TCC_OK };
        assert_eq!(record.code(), expected, "round {i}");
        cancelled += usize::from(won);
    }
    // No late second delivery from an abandoned worker.
    thread::sleep(Duration::from_millis(300));
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record.calls(), 1, "round {i} called back again");
    }
    eprintln!("{cancelled} of {ROUNDS} calls cancelled before they completed");
    assert!(cancelled > 0, "cancel never won");
    assert!(cancelled < ROUNDS, "completion never won");
    let sent = osm_requests(&server).len();
    assert!(
        sent >= ROUNDS - cancelled && sent <= ROUNDS,
        "{sent} requests for {ROUNDS} calls, {cancelled} cancelled"
    );
    unsafe { tcc_client_free(client.get()) };
}

/// A cancelled call's callback comes at once, and its abandoned network
/// work still ends by the client's deadline: the connection is closed.
#[test]
fn an_abandoned_call_ends_by_its_deadline() {
    let server = Standin::start(standin_config()).unwrap();
    let net = Net {
        timeout_ms: Some(1_500),
        max_attempts: Some(1),
        proxy: Some(String::new()),
        ..Net::default()
    };
    let client = client_net(&server.scenario_url("hang"), &net);
    let record = Record::default();
    let started = Instant::now();
    let call = start(client, &record);
    unsafe {
        assert_eq!(tcc_call_wait(call, 200), TCC_ERR_TIMEOUT);
        let err = last_error();
        assert_eq!(err.code, TCC_ERR_TIMEOUT);
        assert!(err.message.contains("200 ms"), "{}", err.message);
        assert_eq!(osm_requests(&server).len(), 1, "the request was not sent");
        let cancelled_at = Instant::now();
        assert!(tcc_call_cancel(call));
        assert_eq!(tcc_call_wait(call, 2_000), TCC_OK);
        assert_elapsed(cancelled_at.elapsed(), 0, 1_000);
        tcc_client_free(client);
        // The abandoned work goes on until the deadline; joining waits for it.
        assert_eq!(tcc_call_join(call, 0), TCC_ERR_TIMEOUT);
        assert!(last_error().message.contains("threads did not end"));
        assert_eq!(tcc_call_join(call, 10_000), TCC_OK);
        assert_elapsed(started.elapsed(), 1_400, 8_000);
        tcc_call_free(call);
    }
    assert_eq!(record.code(), TCC_ERR_CANCELLED);
    let (detail, _) = record.detail.lock().unwrap().clone().unwrap();
    assert_eq!(detail.code, TCC_ERR_CANCELLED);
    assert!(
        detail.message.starts_with("cancelled"),
        "{}",
        detail.message
    );
    assert_eq!(
        server.wait_open_connections_at_most(0, Duration::from_secs(10)),
        0,
        "the abandoned call kept its connection past its deadline"
    );
    thread::sleep(Duration::from_millis(200));
    assert_eq!(record.calls(), 1);
}

/// A call cancelled before its thread sends anything sends nothing. Its
/// thread is started before `tcc_fetch_cc_emails_async` returns, so the
/// race is tight; over many calls, some must win it.
#[test]
fn a_call_cancelled_before_it_is_sent_is_not_sent() {
    const CALLS: usize = 100;
    let server = Standin::start(standin_config()).unwrap();
    let net = Net {
        timeout_ms: Some(1_000),
        max_attempts: Some(1),
        proxy: Some(String::new()),
        ..Net::default()
    };
    let client = client_net(&server.scenario_url("hang"), &net);
    let records: Vec<Record> = (0..CALLS).map(|_| Record::default()).collect();
    let mut calls = Vec::new();
    for record in &records {
        let call = start(client, record);
        unsafe {
            assert!(tcc_call_cancel(call));
            assert_eq!(tcc_call_wait(call, 5_000), TCC_OK);
        }
        assert_eq!(record.code(), TCC_ERR_CANCELLED);
        calls.push(call);
    }
    // The calls that were sent end by their 1 s deadline.
    for call in calls {
        unsafe {
            assert_eq!(tcc_call_join(call, 10_000), TCC_OK);
            tcc_call_free(call);
        }
    }
    let sent = osm_requests(&server).len();
    eprintln!("{sent} of {CALLS} cancelled calls were sent");
    assert!(sent < CALLS, "every cancelled call was sent anyway");
    unsafe { tcc_client_free(client) };
}
