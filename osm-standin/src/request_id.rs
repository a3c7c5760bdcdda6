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

pub(crate) fn next() -> String {
    let prefix = *PREFIX.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        mix(nanos ^ (u64::from(std::process::id()) << 32))
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:016x}{:016x}", prefix, mix(n.wrapping_add(prefix)))
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
}
