//! Feeds arbitrary bytes to tcc's HTTP/1.1 response reader, as a hostile
//! server could send them.
//!
//! Input: the first byte picks the size of the pieces the rest arrives in
//! (1 to 256 bytes per read). Besides "never panics", it checks that an
//! answer keeps within the limits, and that how the bytes are cut changes
//! nothing: read whole, the same answer comes out, or the same kind of
//! error.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tcc::fuzzing::read_http1_response;

/// Small limits, so that the fuzzer reaches them with short inputs.
const MAX_HEAD: usize = 1024;
const MAX_BODY: u64 = 512;

fuzz_target!(|input: &[u8]| {
    let [size, bytes @ ..] = input else {
        return;
    };
    let piece = usize::from(*size) + 1;
    let cut = read_http1_response(bytes, piece, MAX_HEAD, MAX_BODY);
    let whole = read_http1_response(bytes, bytes.len(), MAX_HEAD, MAX_BODY);
    match (&cut, &whole) {
        (Ok((a, a_reusable)), Ok((b, b_reusable))) => {
            assert!(a.body.len() as u64 <= MAX_BODY);
            assert_eq!(
                (a.status, &a.body, &a.request_id, &a.content_type),
                (b.status, &b.body, &b.request_id, &b.content_type)
            );
            assert_eq!((&a.location, &a.retry_after), (&b.location, &b.retry_after));
            // Read whole, bytes after the answer are seen at once; in pieces
            // they may not have arrived yet (the pool's liveness check sees
            // them later). Anything else must agree.
            assert!(*a_reusable || !*b_reusable, "whole reusable, cut not");
        }
        (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{a:?} / {b:?}"),
        _ => panic!("in pieces of {piece}: {cut:?}; whole: {whole:?}"),
    }
});
