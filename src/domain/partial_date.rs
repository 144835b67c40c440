//! Partial dates: a date known to the day, the month or only the year.
//!
//! A partial date stands for the interval of days it could mean: `2023` is 1 January to
//! 31 December 2023, `2023-11` is the whole of November. Filters match intervals that intersect,
//! and ordering puts a partial date at the start of its interval (ties: the coarser one first).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A date at year, month or day precision. Constructed only through [`PartialDate::parse`] or
/// [`PartialDate::from_date`], so it always names real days; deserialising checks the same
/// (through [`StoredDate`], whose encoding is the same three numbers), so that a date read back
/// from damaged bytes cannot make [`PartialDate::first_day`] panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "StoredDate")]
pub struct PartialDate {
    year: u16,
    /// 1-12, or 0 when only the year is known.
    month: u8,
    /// 1-31, or 0 when the day is not known.
    day: u8,
}

/// A [`PartialDate`]'s fields as they are serialised, before they are checked.
#[derive(Deserialize)]
struct StoredDate {
    year: u16,
    month: u8,
    day: u8,
}

impl TryFrom<StoredDate> for PartialDate {
    type Error = PartialDateError;

    fn try_from(d: StoredDate) -> Result<Self, PartialDateError> {
        let text = match (d.month, d.day) {
            (0, 0) => format!("{:04}", d.year),
            (m, 0) => format!("{:04}-{m:02}", d.year),
            (m, day) => format!("{:04}-{m:02}-{day:02}", d.year),
        };
        // The one definition of a valid date is `parse`'s; a month 0 with a day, or a year of
        // more than four digits, gives text it refuses.
        PartialDate::parse(&text)
    }
}

/// Why a string is not a partial date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD (years 1000-9999)")]
pub struct PartialDateError {
    input: String,
}

/// How precisely a [`PartialDate`] is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// Only the year.
    Year,
    /// The year and month.
    Month,
    /// The exact day.
    Day,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with exactly those digit counts and a real day.
    pub fn parse(s: &str) -> Result<Self, PartialDateError> {
        let err = || PartialDateError { input: s.chars().take(40).collect() };
        let parts: Vec<&str> = s.split('-').collect();
        let widths_ok = match parts.len() {
            1..=3 => parts.iter().zip([4, 2, 2]).all(|(p, w)| p.len() == w && p.bytes().all(|b| b.is_ascii_digit())),
            _ => false,
        };
        if !widths_ok {
            return Err(err());
        }
        let year: u16 = parts[0].parse().map_err(|_| err())?;
        let month: u8 = parts.get(1).map_or(Ok(0), |m| m.parse()).map_err(|_| err())?;
        let day: u8 = parts.get(2).map_or(Ok(0), |d| d.parse()).map_err(|_| err())?;
        // 0 stands for "not known" internally, so an explicit "00" month or day is malformed.
        if year < 1000 || (parts.len() >= 2 && month == 0) || (parts.len() == 3 && day == 0) {
            return Err(err());
        }
        let date = PartialDate { year, month, day };
        // Month 1-12, and the day must exist in that month (leap years included).
        let valid = match (month, day) {
            (0, _) => true,
            (1..=12, 0) => true,
            (1..=12, d) => NaiveDate::from_ymd_opt(year.into(), month.into(), d.into()).is_some(),
            _ => false,
        };
        if valid {
            Ok(date)
        } else {
            Err(err())
        }
    }

    /// A day-precision partial date for a calendar date.
    pub fn from_date(d: NaiveDate) -> Self {
        PartialDate { year: d.year() as u16, month: d.month() as u8, day: d.day() as u8 }
    }

    /// How precisely this date is known.
    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (0, _) => Precision::Year,
            (_, 0) => Precision::Month,
            _ => Precision::Day,
        }
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year.into()
    }

    /// The first day of the interval this date stands for.
    pub fn first_day(&self) -> NaiveDate {
        let (m, d) = match self.precision() {
            Precision::Year => (1, 1),
            Precision::Month => (self.month.into(), 1),
            Precision::Day => (self.month.into(), self.day.into()),
        };
        // Invariant: parse() only builds dates that exist.
        NaiveDate::from_ymd_opt(self.year(), m, d).expect("partial dates are validated on construction")
    }

    /// The last day of the interval this date stands for.
    pub fn last_day(&self) -> NaiveDate {
        match self.precision() {
            Precision::Year => NaiveDate::from_ymd_opt(self.year(), 12, 31),
            Precision::Month => {
                let (y, m) =
                    if self.month == 12 { (self.year() + 1, 1) } else { (self.year(), u32::from(self.month) + 1) };
                NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt())
            }
            Precision::Day => Some(self.first_day()),
        }
        .expect("partial dates are validated on construction")
    }
}

impl Ord for PartialDate {
    /// At the start of the interval; on the same first day, the coarser date comes first.
    fn cmp(&self, other: &Self) -> Ordering {
        self.first_day().cmp(&other.first_day()).then(self.precision().cmp(&other.precision()))
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.precision() {
            Precision::Year => write!(f, "{:04}", self.year),
            Precision::Month => write!(f, "{:04}-{:02}", self.year, self.month),
            Precision::Day => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

/// Whether the closed intervals `[a_start, a_end]` and `[b_start, b_end]` share a day;
/// `None` on either side of a bound means unbounded.
pub fn intervals_intersect(a: (NaiveDate, NaiveDate), from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    from.is_none_or(|f| a.1 >= f) && to.is_none_or(|t| a.0 <= t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn partial_date_round_trips_at_each_precision() {
        for s in ["2023", "2023-11", "2023-11-14", "2024-02-29"] {
            assert_eq!(PartialDate::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn partial_date_rejects_malformed_and_impossible_dates() {
        for s in [
            "",
            "23",
            "2023-1",
            "2023-11-1",
            "2023-13",
            "2023-00",
            "2023-02-29",
            "2023-11-31",
            "0999",
            "2023/11",
            "2023-11-14-01",
            "+023",
            "２０２３",
        ] {
            assert!(PartialDate::parse(s).is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn partial_date_stands_for_the_interval_it_could_mean() {
        let y = PartialDate::parse("2024").unwrap();
        assert_eq!((y.first_day(), y.last_day()), (d(2024, 1, 1), d(2024, 12, 31)));
        let m = PartialDate::parse("2024-02").unwrap();
        assert_eq!((m.first_day(), m.last_day()), (d(2024, 2, 1), d(2024, 2, 29)));
        let dec = PartialDate::parse("2023-12").unwrap();
        assert_eq!(dec.last_day(), d(2023, 12, 31));
    }

    #[test]
    fn partial_dates_order_by_start_of_interval_coarser_first() {
        let mut v: Vec<PartialDate> =
            ["2019-03-07", "2019", "2019-03", "2018-12-31"].iter().map(|s| PartialDate::parse(s).unwrap()).collect();
        v.sort();
        let out: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(out, ["2018-12-31", "2019", "2019-03", "2019-03-07"]);
    }

    #[test]
    fn intervals_intersect_when_they_share_a_day() {
        let nov = (d(2021, 11, 1), d(2021, 11, 30));
        assert!(intervals_intersect(nov, Some(d(2021, 11, 30)), None));
        assert!(!intervals_intersect(nov, Some(d(2021, 12, 1)), None));
        assert!(intervals_intersect(nov, None, Some(d(2021, 11, 1))));
        assert!(!intervals_intersect(nov, None, Some(d(2021, 10, 31))));
        assert!(intervals_intersect(nov, None, None));
    }
}
