//! Random fractions for retry jitter. Jitter only spreads out the retries
//! of many clients that failed at the same moment, so it needs to differ
//! between clients and calls, not to be unpredictable: a xorshift generator
//! seeded from the clock and a process-wide counter is enough, and spares a
//! dependency on a random-number crate. Never use it for anything secret.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Makes seeds taken in the same clock tick (other threads) differ.
static CALLS: AtomicU64 = AtomicU64::new(0);

/// A fraction in `[0, 1)`, different on every call.
pub(crate) fn fraction() -> f64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let count = CALLS.fetch_add(1, Ordering::Relaxed);
    // splitmix64's increment spreads consecutive counts far apart.
    let mut x = nanos ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x2545_F491_4F6C_DD1D;
    // Never zero, the one state a xorshift generator cannot leave.
    if x == 0 {
        x = 0x9E37_79B9_7F4A_7C15;
    }
    // A few rounds of xorshift64 mix the seed's bits.
    for _ in 0..4 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    // The top 53 bits fill an f64's mantissa exactly.
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_in_range_and_spread_out() {
        let values: Vec<f64> = (0..1000).map(|_| fraction()).collect();
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        let low = values.iter().filter(|v| **v < 0.5).count();
        assert!((300..700).contains(&low), "{low} of 1000 below 0.5");
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        assert!(sorted.len() > 990, "too many repeats");
    }
}
