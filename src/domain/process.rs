//! Processes, the memberships in them, and their chairmanships.

use super::{Note, PartialDate, Slug};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A regional migration dialogue: the Khartoum Process, the Rabat Process, or the AU-Horn of
/// Africa Initiative that some pages confuse with the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    /// `khartoum-process`, `rabat-process`, `au-horn-of-africa-initiative`.
    pub slug: Slug,
    /// The usual name.
    pub name: String,
    /// The official or alternative name.
    pub alias: Option<String>,
    /// When it was established.
    pub established: Option<PartialDate>,
    /// A short description in this dataset's words.
    pub description: Option<String>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// An actor's role in a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MembershipRole {
    /// A member (for states: a participating state).
    Member,
    /// A member of the steering committee.
    SteeringCommittee,
    /// In charge of, or supporting, the secretariat.
    Secretariat,
    /// A partner organisation that takes part in the dialogue.
    Partner,
    /// An observer.
    Observer,
}

/// An actor's place in a process over a span of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// `<process>-<role>-<actor>`, with a numeric suffix for a later span.
    pub slug: Slug,
    /// The process.
    pub process: Slug,
    /// The state or organisation.
    pub actor: Slug,
    /// The role held.
    pub role: MembershipRole,
    /// From when, where known.
    pub since: Option<PartialDate>,
    /// Whether `since` is a bound rather than the day the membership began.
    pub since_qualifier: Option<SinceQualifier>,
    /// The latest day the membership can have begun, where a source bounds the start from above
    /// while `since` bounds it only from below ("no earlier than") or not at all: the date of the
    /// first source that shows the actor in the process.
    pub since_no_later_than: Option<PartialDate>,
    /// Until when, where known; `None` while it lasts or when unknown.
    pub until: Option<PartialDate>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// What a membership's `since` is when it is not the day the membership began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SinceQualifier {
    /// The membership began on or before `since`: the date of the first source that lists it.
    NoLaterThan,
    /// The membership began on or after `since`, at a time no source states.
    NoEarlierThan,
}

impl Membership {
    /// Whether the membership may have been in force on a day, by its recorded bounds: from the
    /// first day `since` may mean (from the beginning when no start is known) to the last day
    /// `until` may mean. A start recorded as "no later than" is counted from that date too: no
    /// source places the membership before it.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.since.is_none_or(|s| s.first_day() <= day) && self.until.is_none_or(|u| u.last_day() >= day)
    }

    /// Whether the sources make the membership certain on a day: it had begun by then (a start
    /// known, or bounded "no later than" by `since` or by `since_no_later_than`, whose last
    /// possible day has passed) and had not yet ended (no end recorded, or an end whose first
    /// possible day is still to come). A membership whose start is unknown, or only bounded "no
    /// earlier than", with no upper bound, is never certain.
    pub fn certain_on(&self, day: NaiveDate) -> bool {
        let begun = match (self.since, self.since_qualifier) {
            (Some(s), None | Some(SinceQualifier::NoLaterThan)) => s.last_day() <= day,
            _ => false,
        } || self.since_no_later_than.is_some_and(|l| l.last_day() <= day);
        begun && self.until.is_none_or(|u| day < u.first_day())
    }
}

/// A state's term as chair of a process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chairmanship {
    /// `<process>-<start year>-<state>`.
    pub slug: Slug,
    /// The process chaired.
    pub process: Slug,
    /// The chairing state.
    pub chair: Slug,
    /// When the term began.
    pub start: Option<PartialDate>,
    /// When it ended; `None` while it runs.
    pub end: Option<PartialDate>,
    /// The person who chaired on the state's behalf, where named.
    pub chairperson: Option<String>,
    /// The record (slug) of that person.
    pub person: Option<Slug>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn membership(since: Option<&str>, qualifier: Option<SinceQualifier>, until: Option<&str>) -> Membership {
        let slug = |s: &str| Slug::parse(s).unwrap();
        Membership {
            slug: slug("kp-member-ug"),
            process: slug("kp"),
            actor: slug("ug"),
            role: MembershipRole::Member,
            since: since.map(|s| PartialDate::parse(s).unwrap()),
            since_qualifier: qualifier,
            since_no_later_than: None,
            until: until.map(|s| PartialDate::parse(s).unwrap()),
            sources: vec![],
            notes: vec![],
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_membership_is_certain_only_where_its_bounds_allow() {
        use SinceQualifier::*;
        // (since, qualifier, until, day, in force by its bounds, certain)
        let table = [
            (Some("2014-11-28"), None, None, "2014-11-28", true, true),
            (Some("2014-11-28"), None, None, "2014-11-27", false, false),
            (Some("2016-11"), None, None, "2016-11-15", true, false),
            (Some("2016-11"), None, None, "2016-11-30", true, true),
            (Some("2016-11-21"), Some(NoLaterThan), None, "2016-11-21", true, true),
            (Some("2016-11-21"), Some(NoLaterThan), None, "2016-11-20", false, false),
            (Some("2017-05-18"), Some(NoEarlierThan), None, "2017-05-17", false, false),
            (Some("2017-05-18"), Some(NoEarlierThan), None, "2025-04-09", true, false),
            (None, None, None, "2015-01-01", true, false),
            (Some("2014-11-28"), None, Some("2024-04"), "2024-03-31", true, true),
            (Some("2014-11-28"), None, Some("2024-04"), "2024-04-15", true, false),
            (Some("2014-11-28"), None, Some("2024-04"), "2024-05-01", false, false),
        ];
        for (since, q, until, d, in_force, certain) in table {
            let m = membership(since, q, until);
            assert_eq!(m.in_force(day(d)), in_force, "{since:?} {q:?} {until:?} in force on {d}");
            assert_eq!(m.certain_on(day(d)), certain, "{since:?} {q:?} {until:?} certain on {d}");
        }
    }

    #[test]
    fn a_start_bounded_on_both_sides_is_certain_from_its_upper_bound_on() {
        let bounded = |until: Option<&str>| Membership {
            since_no_later_than: Some(PartialDate::parse("2020-03").unwrap()),
            ..membership(Some("2014-11-28"), Some(SinceQualifier::NoEarlierThan), until)
        };
        // (until, day, in force by its bounds, certain)
        let table = [
            (None, "2014-11-27", false, false),
            (None, "2017-05-18", true, false),
            (None, "2020-03-15", true, false),
            (None, "2020-03-31", true, true),
            (None, "2025-04-09", true, true),
            (Some("2024"), "2023-06-01", true, true),
            (Some("2024"), "2024-06-01", true, false),
        ];
        for (until, d, in_force, certain) in table {
            let m = bounded(until);
            assert_eq!(m.in_force(day(d)), in_force, "until {until:?}, in force on {d}");
            assert_eq!(m.certain_on(day(d)), certain, "until {until:?}, certain on {d}");
        }
        // The lower bound alone never makes it certain.
        let open = Membership { since_no_later_than: None, ..bounded(None) };
        assert!(!open.certain_on(day("2025-04-09")));
    }
}
