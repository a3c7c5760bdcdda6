//! Timestamps parsed without a date crate: RFC 3339 as IAM writes them
//! (`2026-12-05T20:00:00.000000Z`) for token expiry, and HTTP dates
//! (`Sun, 06 Nov 1994 08:49:37 GMT`) for `Retry-After`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t`/`z` and a space
/// for `T` accepted, as RFC 3339 allows). Fractions beyond nanoseconds are
/// cut; a leap second (`:60`) counts as the next second. `None` if malformed.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let Some((b'.', fraction)) = rest.split_first() {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        for (i, &c) in fraction[..len].iter().enumerate().take(9) {
            nanos += u32::from(c - b'0') * 10u32.pow(8 - i as u32);
        }
        rest = &fraction[len..];
    }
    let offset_seconds = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            if *sign == b'-' {
                -offset
            } else {
                offset
            }
        }
        _ => return None,
    };

    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    let since_epoch = Duration::new(seconds.unsigned_abs(), 0);
    let whole = if seconds >= 0 {
        UNIX_EPOCH.checked_add(since_epoch)?
    } else {
        UNIX_EPOCH.checked_sub(since_epoch)?
    };
    whole.checked_add(Duration::from_nanos(u64::from(nanos)))
}

/// Parses an HTTP date (RFC 9110 section 5.6.7) in any of its three forms:
/// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete RFC 850
/// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
/// The weekday is not checked. `None` if malformed.
pub fn parse_http_date(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let (day, month, year, time) = match text.split_once(',') {
        Some((_weekday, rest)) => {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            match fields.as_slice() {
                [day, month, year, time, "GMT"] => (*day, *month, parse_year(year)?, *time),
                [date, time, "GMT"] => {
                    let mut parts = date.split('-');
                    let (day, month, yy) = (parts.next()?, parts.next()?, parts.next()?);
                    if parts.next().is_some() || yy.len() != 2 {
                        return None;
                    }
                    // RFC 9110: a two-digit year is taken in the century
                    // that puts it at most 50 years in the future.
                    let yy = digits(yy.as_bytes())?;
                    (
                        day,
                        month,
                        if yy < 70 { 2000 + yy } else { 1900 + yy },
                        *time,
                    )
                }
                _ => return None,
            }
        }
        None => {
            let fields: Vec<&str> = text.split_whitespace().collect();
            match fields.as_slice() {
                [_weekday, month, day, time, year] => (*day, *month, parse_year(year)?, *time),
                _ => return None,
            }
        }
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    if day.is_empty() || day.len() > 2 {
        return None;
    }
    let day = digits(day.as_bytes())?;
    let t = time.as_bytes();
    if t.len() != 8 || t[2] != b':' || t[5] != b':' {
        return None;
    }
    let (hour, minute, second) = (digits(&t[0..2])?, digits(&t[3..5])?, digits(&t[6..8])?);
    if day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(seconds).ok()?))
}

fn parse_year(text: &str) -> Option<i64> {
    (text.len() == 4).then(|| digits(text.as_bytes())).flatten()
}

fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`, the inverse of the one in `signing::date`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Option<(i128, u32)> {
        parse_rfc3339(text).map(|t| match t.duration_since(UNIX_EPOCH) {
            Ok(d) => (d.as_secs() as i128, d.subsec_nanos()),
            Err(e) => (
                -(e.duration().as_secs() as i128),
                e.duration().subsec_nanos(),
            ),
        })
    }

    #[test]
    fn iam_and_rfc3339_forms() {
        assert_eq!(secs("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            secs("2026-12-05T20:00:00.000000Z"),
            Some((1_796_500_800, 0))
        );
        assert_eq!(
            secs("2024-02-29T12:00:00.123456Z"),
            Some((1_709_208_000, 123_456_000))
        );
        assert_eq!(
            secs("2024-02-29T12:00:00.1234567891Z"),
            Some((1_709_208_000, 123_456_789))
        );
        assert_eq!(secs("2024-02-29t20:00:00+08:00"), Some((1_709_208_000, 0)));
        assert_eq!(secs("2024-02-29 04:30:00-07:30"), Some((1_709_208_000, 0)));
        assert_eq!(secs("2000-02-29T23:59:59Z"), Some((951_868_799, 0)));
        assert_eq!(secs("2100-03-01T00:00:00Z"), Some((4_107_542_400, 0)));
        assert_eq!(secs("1969-12-31T23:59:59Z"), Some((-1, 0)));
        assert_eq!(secs("2016-12-31T23:59:60Z"), secs("2017-01-01T00:00:00Z"));
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "2026-12-05",
            "2026-12-05T20:00:00",
            "2026-12-05T20:00:00.Z",
            "2026-12-05T20:00:00ZZ",
            "2026-13-05T20:00:00Z",
            "2026-02-29T20:00:00Z",
            "2100-02-29T20:00:00Z",
            "2026-12-00T20:00:00Z",
            "2026-12-05T24:00:00Z",
            "2026-12-05T20:60:00Z",
            "2026-12-05T20:00:00+8:00",
            "2026-12-05T20:00:00+24:00",
            "2026-12-05X20:00:00Z",
            "+026-12-05T20:00:00Z",
            "2026-12-05T20:00:00.0000000Zjunk",
            "２０26-12-05T20:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    fn http(text: &str) -> Option<u64> {
        parse_http_date(text).map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_secs())
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(http(form), Some(784_111_777), "{form}");
        }
        assert_eq!(http("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http("Thursday, 29-Feb-24 12:00:00 GMT"),
            Some(1_709_208_000)
        );
        for bad in [
            "",
            "3600",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov  6 08:49:37",
            "Wed, 31 Dec 1969 23:59:59 GMT",
        ] {
            assert_eq!(http(bad), None, "{bad}");
        }
    }
}
