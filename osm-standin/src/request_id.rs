//! `X-Request-Id` values: 32 lowercase hex characters, unique per response.
//!
//! A process-wide counter (so ids stay unique across several stand-ins in one
//! test binary) is scrambled with a bijection, and prefixed with a value
//! derived from the process start, so ids from different runs differ too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);
static PREFIX: OnceLock<u64> = OnceLock::new();

/// SplitMix64's finaliser: a bijection on u64, so distinct inputs stay distinct.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An id's 32 ASCII characters, made without allocating.
pub(crate) struct RequestId([u8; 32]);

impl RequestId {
    pub fn as_str(&self) -> &str {
        // Only hex digits went in.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

fn push_hex(out: &mut [u8], value: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = DIGITS[((value >> (60 - 4 * i)) & 0xf) as usize];
    }
}

/// The next id (the same sequence as [`next`]).
pub(crate) fn next_id() -> RequestId {
    let prefix = *PREFIX.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        mix(nanos ^ (u64::from(std::process::id()) << 32))
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut id = [0u8; 32];
    push_hex(&mut id[..16], prefix);
    push_hex(&mut id[16..], mix(n.wrapping_add(prefix)));
    RequestId(id)
}

/// The next id as a `String`.
pub(crate) fn next() -> String {
    next_id().as_str().to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_32_lowercase_hex_and_distinct() {
        let a = super::next();
        let b = super::next();
        assert_ne!(a, b);
        for id in [a, b] {
            assert_eq!(id.len(), 32);
            assert!(
                id.bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
                "{id}"
            );
        }
    }

    #[test]
    fn hex_is_zero_padded_like_format() {
        for v in [0, 1, 0xabc, u64::MAX, 0x0123_4567_89ab_cdef] {
            let mut out = [0u8; 16];
            super::push_hex(&mut out, v);
            assert_eq!(std::str::from_utf8(&out).unwrap(), format!("{v:016x}"));
        }
    }
}
