//! The `Chairmanship` type.

use super::*;
use crate::domain::Collection;
use crate::domain::PartialDate;
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::DateTime;
use async_graphql::{Object, ID};

/// A state's term as chair of a process.
#[derive(Clone)]
pub struct Chairmanship(pub(crate) Rec);

impl Chairmanship {
    pub(super) fn r(&self) -> &crate::domain::Chairmanship {
        &self.0.cat.ds.chairmanships[self.0.ix]
    }

    /// The term `offset` places away in the process's chronological list.
    fn neighbour(&self, offset: isize) -> Option<Chairmanship> {
        let terms = self.0.cat.chairs_of_process(self.r().process.as_str());
        let pos = terms.iter().position(|&t| t == self.0.ix)?;
        let other = pos.checked_add_signed(offset)?;
        terms.get(other).map(|&t| Chairmanship(self.0.at(t)))
    }
}

/// A state's term as chair of a process. Terms of a process follow each other; where sources
/// disagree on a date, the term's notes say so.
#[Object(serial)]
impl Chairmanship {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeId::encode("Chairmanship", self.r().slug.as_str())
    }

    /// Stable key, e.g. 'khartoum-process-2019-eritrea'.
    async fn slug(&self) -> &str {
        self.r().slug.as_str()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Chairmanships, self.r().slug.as_str()).created_at)
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Chairmanships, self.r().slug.as_str()).updated_at)
    }

    /// The process chaired.
    async fn process(&self) -> ApiResult<Process> {
        let p = &self.r().process;
        self.0.must(self.0.cat.process(p.as_str()).map(|i| Process(self.0.at(i))), p.as_str())
    }

    /// The chairing state.
    async fn chair(&self) -> ApiResult<State> {
        let c = &self.r().chair;
        self.0.must(self.0.cat.state(c.as_str()).map(|i| State(self.0.at(i))), c.as_str())
    }

    /// When the term began, at the precision the sources give.
    async fn start(&self) -> Option<PartialDate> {
        self.r().start
    }

    /// When the term ended. Null while the term runs.
    async fn end(&self) -> Option<PartialDate> {
        self.r().end
    }

    /// Whether the term is running now (it has no end).
    async fn is_current(&self) -> bool {
        self.r().end.is_none()
    }

    /// The person who chaired on the state's behalf, where known.
    async fn chairperson(&self) -> Option<&str> {
        self.r().chairperson.as_deref()
    }

    /// The record of the person who chaired, with their posts and the meetings where they acted.
    async fn person(&self) -> ApiResult<Option<Person>> {
        let found = self.r().person.as_ref().map(|p| self.0.must(self.0.cat.person(p.as_str()), p.as_str()));
        Ok(found.transpose()?.map(|i| Person(self.0.at(i))))
    }

    /// The term before this one in the same process.
    async fn previous(&self) -> Option<Chairmanship> {
        self.neighbour(-1)
    }

    /// The term after this one in the same process.
    async fn next(&self) -> Option<Chairmanship> {
        self.neighbour(1)
    }

    /// Days between the end of the previous term and the start of this one in which no chair is
    /// known to have been in force: 0 for a handover on one day (or within the month or year a
    /// partial date gives), more for a gap a timeline should show. Null for the first term, or
    /// when a date is missing.
    async fn gap_before_days(&self) -> Option<i32> {
        self.0.cat.handover(self.0.ix).gap_days.map(|d| d as i32)
    }

    /// Whether a gap separates this term from the previous one (`gapBeforeDays` above 0).
    async fn gap_before(&self) -> bool {
        self.0.cat.handover(self.0.ix).gap_days.is_some_and(|d| d > 0)
    }

    /// Whether this term certainly began before the previous one ended (beyond the handover
    /// day). The seed rules refuse such an overlap unless a note on the dates explains it.
    async fn overlaps_previous(&self) -> bool {
        self.0.cat.handover(self.0.ix).overlaps
    }

    /// Meetings of the process held during this term, chronological. A meeting on a handover
    /// day, or one dated only to the month or year, belongs to every term it may fall in.
    async fn meetings(&self) -> Vec<Meeting> {
        self.0.cat.meetings_in_term(self.0.ix).into_iter().map(|m| Meeting(self.0.at(m))).collect()
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    /// Remarks on the record: inferred dates, conflicts between sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}
