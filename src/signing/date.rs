//! `X-Sdk-Date` formatting: `YYYYMMDDTHHMMSSZ` in UTC, without a date crate.

use std::time::{SystemTime, UNIX_EPOCH};

/// The `X-Sdk-Date` value for `t`: `YYYYMMDDTHHMMSSZ`, UTC, the fraction of
/// a second dropped (as the SDK's `strftime` does). Instants before 1970 are
/// handled; years past 9999 print with more digits (the gateway accepts only
/// a date within about 15 minutes of its clock anyway).
#[must_use]
pub fn sdk_date(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            // floor: 0.5 s before the epoch is 23:59:59 on 1969-12-31
            if before.subsec_nanos() > 0 {
                -whole - 1
            } else {
                -whole
            }
        }
    };
    format_unix_seconds(secs)
}

fn format_unix_seconds(secs: i64) -> String {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let second_of_day = secs.rem_euclid(86_400);
    let (hour, minute, second) = (
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
    );
    if !(0..=9999).contains(&year) {
        return format!("{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z");
    }
    // By hand rather than `format!`: this runs on every signed request.
    let mut text = *b"YYYYMMDDTHHMMSSZ";
    for (at, width, n) in [
        (0, 4, year),
        (4, 2, month),
        (6, 2, day),
        (9, 2, hour),
        (11, 2, minute),
        (13, 2, second),
    ] {
        let mut rest = n;
        for digit in text[at..at + width].iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
    }
    String::from_utf8_lossy(&text).into_owned()
}

/// Proleptic Gregorian (year, month, day) of a count of days since
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097); // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153; // month from March = 0
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: i64) -> String {
        let t = if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        };
        sdk_date(t)
    }

    #[test]
    fn known_instants() {
        assert_eq!(at(0), "19700101T000000Z");
        assert_eq!(at(1_709_208_000), "20240229T120000Z"); // leap day
        assert_eq!(at(951_868_799), "20000229T235959Z"); // leap day of a /400 year
        assert_eq!(at(4_107_542_399), "21000228T235959Z"); // 2100 is not leap...
        assert_eq!(at(4_107_542_400), "21000301T000000Z"); // ...so March follows
        assert_eq!(at(13_574_563_200), "24000229T000000Z");
        assert_eq!(at(2_147_483_647), "20380119T031407Z"); // i32 time_t max
        assert_eq!(at(2_147_483_648), "20380119T031408Z"); // and one past it
        assert_eq!(at(4_294_967_296), "21060207T062816Z"); // u32 overflow
        assert_eq!(at(253_402_300_799), "99991231T235959Z");
        assert_eq!(at(-1), "19691231T235959Z");
        assert_eq!(at(-2_208_988_800), "19000101T000000Z");
    }

    #[test]
    fn fractions_are_floored() {
        let t = UNIX_EPOCH + Duration::from_millis(1_709_208_000_999);
        assert_eq!(sdk_date(t), "20240229T120000Z");
        assert_eq!(
            sdk_date(UNIX_EPOCH - Duration::from_nanos(1)),
            "19691231T235959Z"
        );
        assert_eq!(
            sdk_date(UNIX_EPOCH - Duration::from_millis(86_400_500)),
            "19691230T235959Z"
        );
    }

    #[test]
    fn every_day_1900_to_2500_matches_a_naive_calendar() {
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let (mut y, mut m, mut d) = (1900i64, 1i64, 1i64);
        let mut days = -25_567i64; // 1900-01-01
        while y < 2500 {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            let month_len = match m {
                2 if leap(y) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            d += 1;
            if d > month_len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
            days += 1;
        }
    }

    #[test]
    fn now_has_the_sdk_shape() {
        let s = sdk_date(SystemTime::now());
        assert_eq!(s.len(), 16);
        assert_eq!(&s[8..9], "T");
        assert!(s.ends_with('Z'));
        assert_eq!(s.chars().filter(char::is_ascii_digit).count(), 14);
    }
}
