//! One client shared by several threads at once, as the header promises:
//! every call correct, connections reused rather than one per call.

mod common;

use std::sync::Barrier;

use common::*;
use osm_standin::{data, Standin};
use tcc::ffi::*;

/// A raw pointer that the test shares between threads, as C code would.
#[derive(Clone, Copy)]
struct Shared(*mut tcc_client);
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

const THREADS: usize = 8;
const CALLS_PER_THREAD: usize = 50;

#[test]
fn many_threads_share_one_client() {
    let server = Standin::start(standin_config()).unwrap();
    let client = Shared(client(&server.base_url(), TOKEN));
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let barrier = &barrier;
            s.spawn(move || {
                let client = client;
                barrier.wait();
                for i in 0..CALLS_PER_THREAD {
                    let got = if (t + i) % 2 == 0 {
                        fetch(client.0).map(|f| f.addresses)
                    } else {
                        let mut json = std::ptr::null_mut();
                        let code = unsafe { tcc_fetch_cc_emails_json(client.0, &mut json) };
                        assert_eq!(code, TCC_OK, "{:?}", last_error());
                        let value: serde_json::Value =
                            serde_json::from_str(&text(json).unwrap()).unwrap();
                        unsafe { tcc_free(json) };
                        Ok(value["mc_email_infos"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|v| v.as_str().unwrap().to_owned())
                            .collect())
                    };
                    assert_eq!(got.unwrap(), data::ADDRESSES, "thread {t} call {i}");
                }
            });
        }
    });
    unsafe { tcc_client_free(client.0) };
    assert_eq!(server.requests().len(), THREADS * CALLS_PER_THREAD);
    // The pool keeps connections alive: at most one per concurrent caller.
    let connections = server.connections_accepted();
    assert!(
        connections <= THREADS,
        "{connections} connections for {THREADS} threads"
    );
}

#[test]
fn errors_on_one_thread_do_not_leak_into_another() {
    let server = Standin::start(standin_config()).unwrap();
    let good = Shared(client(&server.base_url(), TOKEN));
    let bad = Shared(client(&server.scenario_url("forbidden"), TOKEN));
    std::thread::scope(|s| {
        for t in 0..4 {
            s.spawn(move || {
                let (good, bad) = (good, bad);
                for _ in 0..20 {
                    if t % 2 == 0 {
                        let err = fetch(bad.0).unwrap_err();
                        assert_eq!(err.code, TCC_ERR_AUTH);
                        assert_eq!(err.service_code.as_deref(), Some("OSM.0003"));
                    } else {
                        fetch(good.0).unwrap();
                        assert_eq!(last_error().code, TCC_OK);
                    }
                }
            });
        }
    });
    unsafe {
        tcc_client_free(good.0);
        tcc_client_free(bad.0);
    }
}
