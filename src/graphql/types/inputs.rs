//! Filter and order inputs, and their conversion into read-model queries.

use super::enums::{CommitmentKind, Continent, MeetingKind, MeetingRole, MembershipRole};
use crate::catalog::{filter_words, Catalog, MeetingQuery};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::scalars::{Date, DateTime};
use async_graphql::{Enum, InputObject};

/// Narrows a list of meetings. Every field given must hold; omitted fields do not filter.
#[derive(InputObject, Default, Clone)]
pub struct MeetingFilter {
    /// Only meetings of these kinds.
    pub kinds: Option<Vec<MeetingKind>>,
    /// Process slug: only meetings of this process ('khartoum-process').
    pub process: Option<String>,
    /// Actor slug ('de', 'auc'); with `roles`, only meetings where it held one of them.
    pub actor: Option<String>,
    /// With `actor`: the roles that count (all roles when omitted).
    pub roles: Option<Vec<MeetingRole>>,
    /// State slug of the meeting's country ('ke').
    pub country: Option<String>,
    /// The city, as the record spells it ('Cairo'), in any case (at most 200 bytes): only
    /// meetings held there.
    pub city: Option<String>,
    /// Only online (true) or in-person (false) meetings.
    pub online: Option<bool>,
    /// Meetings on or after this date. A meeting known only to the month or year matches if any
    /// day it may have taken place is on or after it.
    pub from: Option<Date>,
    /// Meetings on or before this date, with the same rule for partial dates.
    pub to: Option<Date>,
    /// Only meetings classified under this action-plan domain (1-5).
    pub domain: Option<i32>,
    /// Case- and accent-insensitive words that must all appear in the title or summary.
    pub text: Option<String>,
    /// Only meetings created or changed at or after this time (inclusive): pass the
    /// `dataset.lastChange` of your previous sync to fetch only what changed since. Deletions
    /// are not records any more: `deleted(since:)` lists them.
    pub updated_since: Option<DateTime>,
}

/// The longest text a filter accepts.
const MAX_TEXT: usize = 200;

impl MeetingFilter {
    /// Checks the filter against the catalog and turns it into a read-model query.
    pub fn to_query(&self, cat: &Catalog) -> ApiResult<MeetingQuery> {
        let known = |kind: &str, slug: &str, found: bool| {
            if found {
                Ok(slug.to_owned())
            } else {
                Err(ApiError::BadUserInput(format!("unknown {kind} '{}'", slug.chars().take(100).collect::<String>())))
            }
        };
        let mut actors = Vec::new();
        if let Some(a) = &self.actor {
            let roles = self.roles.clone().unwrap_or_default().into_iter().map(Into::into).collect();
            actors.push((known("actor", a, cat.actor(a).is_some())?, roles));
        } else if self.roles.as_ref().is_some_and(|r| !r.is_empty()) {
            return Err(ApiError::BadUserInput("`roles` needs an `actor` to apply to".into()));
        }
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if f.0 > t.0 {
                return Err(ApiError::BadUserInput(format!("`from` {} is after `to` {}", f.0, t.0)));
            }
        }
        let domain = domain_number(self.domain)?;
        let text = self.text.as_deref().unwrap_or("");
        if text.len() > MAX_TEXT {
            return Err(ApiError::BadUserInput(format!("`text` has at most {MAX_TEXT} bytes")));
        }
        if self.city.as_ref().is_some_and(|c| c.len() > MAX_TEXT) {
            return Err(ApiError::BadUserInput(format!("`city` has at most {MAX_TEXT} bytes")));
        }
        Ok(MeetingQuery {
            kinds: self.kinds.clone().unwrap_or_default().into_iter().map(Into::into).collect(),
            processes: self
                .process
                .as_deref()
                .map(|p| known("process", p, cat.process(p).is_some()))
                .transpose()?
                .into_iter()
                .collect(),
            country: self.country.as_deref().map(|c| known("state", c, cat.state(c).is_some())).transpose()?,
            city: self.city.as_deref().map(str::to_lowercase),
            online: self.online,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
            domain,
            words: filter_words(text),
            updated_since: self.updated_since.map(|t| t.0),
            actors,
        })
    }
}

/// Checks a domain argument: action plans number their domains 1 to 5.
pub fn domain_number(domain: Option<i32>) -> ApiResult<Option<u8>> {
    match domain {
        None => Ok(None),
        Some(d @ 1..=5) => Ok(Some(d as u8)),
        Some(d) => Err(ApiError::BadUserInput(format!("there is no domain {d}; domains are numbered 1 to 5"))),
    }
}

/// The order of a list of meetings. Meetings known only to the month or year sort at the start
/// of their interval; ties are broken by slug.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum MeetingOrder {
    /// Oldest first.
    StartDateAsc,
    /// Newest first.
    StartDateDesc,
}

/// Narrows a list of states.
#[derive(InputObject, Default)]
pub struct StateFilter {
    /// Only states on this continent.
    pub continent: Option<Continent>,
    /// Process slug: only states with a membership in it.
    pub process: Option<String>,
    /// With or without `process`: only states holding a membership of this role.
    pub membership_role: Option<MembershipRole>,
    /// Case- and accent-insensitive substring of the name.
    pub name: Option<String>,
}

/// Narrows a list of commitments.
#[derive(InputObject, Default)]
pub struct CommitmentFilter {
    /// Document slug ('cairo-action-plan').
    pub document: Option<String>,
    /// Only commitments of this domain number.
    pub domain: Option<i32>,
    /// Only approaches or only commitments.
    pub kind: Option<CommitmentKind>,
    /// Case- and accent-insensitive words that must all appear in the title or text.
    pub text: Option<String>,
}
