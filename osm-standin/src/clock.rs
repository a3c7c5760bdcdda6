//! Calendar arithmetic for the two date formats the stand-in speaks:
//! `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`) and IAM's `expires_at` (RFC 3339, UTC,
//! microseconds). Proleptic Gregorian calendar, no leap seconds, no chrono.

use std::time::{SystemTime, UNIX_EPOCH};

const SECS_PER_DAY: i64 = 86_400;
const MICROS_PER_SEC: i64 = 1_000_000;

/// Days since 1970-01-01 of the civil date `y-m-d` (`m` 1..=12).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    // Years start in March, so the leap day is the last day of the year.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // 0..=399
    let mp = i64::from((m + 9) % 12); // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1; // 0..=365
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // 0..=146096
    era * 146_097 + doe - 719_468
}

/// The civil date `(y, m, d)` of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365
    let mp = (5 * doy + 2) / 153; // 0..=11
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `(date, hours, minutes, seconds)` of a Unix time in seconds.
fn split(unix_secs: i64) -> ((i64, u32, u32), i64, i64, i64) {
    let days = unix_secs.div_euclid(SECS_PER_DAY);
    let secs = unix_secs.rem_euclid(SECS_PER_DAY);
    (
        civil_from_days(days),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
    )
}

/// `X-Sdk-Date` for a Unix time, e.g. `20240229T120000Z`.
pub fn format_sdk_date(unix_secs: i64) -> String {
    let ((y, m, d), hh, mm, ss) = split(unix_secs);
    format!("{y:04}{m:02}{d:02}T{hh:02}{mm:02}{ss:02}Z")
}

/// Unix time of an `X-Sdk-Date` value; `None` unless it is exactly
/// `YYYYMMDDTHHMMSSZ` with a real date and time.
pub fn parse_sdk_date(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = &b[range];
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0')))
    };
    let (y, m, d) = (i64::from(num(0..4)?), num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    if hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let secs = i64::from(hh * 3600 + mm * 60 + ss);
    Some(days_from_civil(y, m, d) * SECS_PER_DAY + secs)
}

/// RFC 3339 in UTC with microseconds, as IAM writes `expires_at`:
/// `2026-12-05T20:00:00.000000Z`.
pub(crate) fn format_rfc3339_micros(unix_micros: i64) -> String {
    let secs = unix_micros.div_euclid(MICROS_PER_SEC);
    let micros = unix_micros.rem_euclid(MICROS_PER_SEC);
    let ((y, m, d), hh, mm, ss) = split(secs);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{micros:06}Z")
}

/// An HTTP date (RFC 9110 IMF-fixdate) for a Unix time, e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`, as in `Retry-After` or `Date`.
pub fn format_http_date(unix_secs: i64) -> String {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let ((y, m, d), hh, mm, ss) = split(unix_secs);
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[unix_secs.div_euclid(SECS_PER_DAY).rem_euclid(7) as usize];
    let month = MONTHS[(m - 1) as usize];
    format!("{weekday}, {d:02} {month} {y:04} {hh:02}:{mm:02}:{ss:02} GMT")
}

/// The machine's Unix time in microseconds (0 before 1970: not worth more).
pub(crate) fn system_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_over_a_wide_range() {
        for days in (-800_000..800_000).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(format_sdk_date(0), "19700101T000000Z");
        assert_eq!(format_sdk_date(2_147_483_648), "20380119T031408Z");
        assert_eq!(format_sdk_date(1_709_208_000), "20240229T120000Z");
        assert_eq!(format_sdk_date(-1), "19691231T235959Z");
    }

    #[test]
    fn sdk_dates_parse_strictly() {
        for t in [0, 1_709_208_000, 2_147_483_648, 4_102_444_799, 951_782_400] {
            assert_eq!(parse_sdk_date(&format_sdk_date(t)), Some(t));
        }
        for bad in [
            "",
            "20240229T120000",
            "20240229 120000Z",
            "20240229T120000z",
            "2024-02-29T12:00:00Z",
            "20230229T120000Z",
            "20241301T120000Z",
            "20240100T120000Z",
            "20240229T240000Z",
            "20240229T126000Z",
            "20240229T120060Z",
            "2024022+T120000Z",
            "20240229T120000ZZ",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates_are_imf_fixdate() {
        assert_eq!(
            format_http_date(784_111_777),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            format_http_date(1_709_208_000),
            "Thu, 29 Feb 2024 12:00:00 GMT"
        );
        assert_eq!(format_http_date(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
    }

    #[test]
    fn rfc3339_has_microseconds() {
        assert_eq!(format_rfc3339_micros(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_rfc3339_micros(1_796_500_800_000_042),
            "2026-12-05T20:00:00.000042Z"
        );
        assert_eq!(format_rfc3339_micros(-1), "1969-12-31T23:59:59.999999Z");
    }
}
