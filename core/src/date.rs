//! Calendar dates as logged, and the year inference for year-less syslog stamps.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date (proleptic Gregorian), serialized as `YYYY-MM-DD`.
///
/// Ordering is chronological. Construction validates the day against the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. `2026`.
    pub year: i32,
    /// Month, `1..=12`.
    pub month: u8,
    /// Day of the month, `1..=31`.
    pub day: u8,
}

impl Date {
    /// A date, or `None` when the month or day is out of range for that month.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// The UTC calendar date of a Unix time in seconds, shifted by `offset_seconds` first
    /// (so `offset_seconds = 3600` gives the date in UTC+01:00).
    pub fn from_unix(seconds: i64, offset_seconds: i32) -> Self {
        let local = seconds + i64::from(offset_seconds);
        let days = local.div_euclid(86_400);
        civil_from_days(days)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `n` days later (earlier when negative).
    #[must_use]
    pub fn add_days(self, n: i64) -> Self {
        civil_from_days(self.days_since_epoch() + n)
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = s.get(0..4)?.parse().ok()?;
        let month = s.get(5..7)?.parse().ok()?;
        let day = s.get(8..10)?.parse().ok()?;
        Self::new(year, month, day)
    }

    /// Year inference for syslog stamps that carry only month and day: the latest year that
    /// puts `(month, day)` on or before `reference` (so no line is dated after the reference
    /// time, and a file running from December into January gets both years right).
    /// Returns `None` for an impossible day (Feb 30; Feb 29 of a non-leap year is moved back
    /// to the previous leap year within 8 years).
    pub fn infer_year(month: u8, day: u8, reference: Date) -> Option<Self> {
        let mut year = if (month, day) <= (reference.month, reference.day) {
            reference.year
        } else {
            reference.year - 1
        };
        for _ in 0..8 {
            if let Some(d) = Self::new(year, month, day) {
                return Some(d);
            }
            year -= 1;
        }
        None
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    Date {
        year: (y + i64::from(m <= 2)) as i32,
        month: m,
        day: d,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("invalid date {s:?}, expected YYYY-MM-DD"))
        })
    }
}

/// Month number (`1..=12`) of an English three-letter abbreviation (`Jan`, case-sensitive
/// as syslog writes it).
pub fn month_from_abbrev(s: &[u8]) -> Option<u8> {
    Some(match s {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_round_trip() {
        for days in [-800_000_i64, -1, 0, 1, 19_000, 20_788, 2_932_896] {
            let d = civil_from_days(days);
            assert_eq!(d.days_since_epoch(), days, "{d}");
        }
        assert_eq!(Date::from_unix(1_538_438_400, 0).to_string(), "2018-10-02");
        assert_eq!(Date::from_unix(1_538_438_399, 0).to_string(), "2018-10-01");
        assert_eq!(
            Date::from_unix(1_538_438_399, 3600).to_string(),
            "2018-10-02"
        );
    }

    #[test]
    fn year_inference_never_after_reference_and_rolls_over() {
        let reference = Date::new(2027, 1, 2).unwrap();
        assert_eq!(
            Date::infer_year(12, 31, reference).unwrap().to_string(),
            "2026-12-31"
        );
        assert_eq!(
            Date::infer_year(1, 2, reference).unwrap().to_string(),
            "2027-01-02"
        );
        assert_eq!(
            Date::infer_year(1, 3, reference).unwrap().to_string(),
            "2026-01-03"
        );
        assert_eq!(
            Date::infer_year(2, 29, reference).unwrap().to_string(),
            "2024-02-29"
        );
        assert!(Date::infer_year(2, 30, reference).is_none());
    }

    #[test]
    fn parse_and_display() {
        assert_eq!(Date::parse("2026-11-21").unwrap().to_string(), "2026-11-21");
        assert!(Date::parse("2026-02-30").is_none());
        assert!(Date::parse("2026-1-21").is_none());
    }
}
