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
        self.id_value()
    }

    /// Stable key, e.g. 'khartoum-process-2019-eritrea'.
    async fn slug(&self) -> &str {
        self.slug_value()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        self.created_at_value()
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        self.updated_at_value()
    }

    /// The process chaired.
    async fn process(&self) -> ApiResult<Process> {
        self.process_value()
    }

    /// The chairing state.
    async fn chair(&self) -> ApiResult<State> {
        self.chair_value()
    }

    /// When the term began, at the precision the sources give.
    async fn start(&self) -> Option<PartialDate> {
        self.start_value()
    }

    /// When the term ended. Null while the term runs.
    async fn end(&self) -> Option<PartialDate> {
        self.end_value()
    }

    /// Whether the term is running now (it has no end).
    async fn is_current(&self) -> bool {
        self.is_current_value()
    }

    /// The person who chaired on the state's behalf, where known.
    async fn chairperson(&self) -> Option<&str> {
        self.chairperson_value()
    }

    /// The term before this one in the same process.
    async fn previous(&self) -> Option<Chairmanship> {
        self.previous_value()
    }

    /// The term after this one in the same process.
    async fn next(&self) -> Option<Chairmanship> {
        self.next_value()
    }

    /// Days between the end of the previous term and the start of this one in which no chair is
    /// known to have been in force: 0 for a handover on one day (or within the month or year a
    /// partial date gives), more for a gap a timeline should show. Null for the first term, or
    /// when a date is missing.
    async fn gap_before_days(&self) -> Option<i32> {
        self.gap_before_days_value()
    }

    /// Whether a gap separates this term from the previous one (`gapBeforeDays` above 0).
    async fn gap_before(&self) -> bool {
        self.gap_before_value()
    }

    /// Whether this term certainly began before the previous one ended (beyond the handover
    /// day). The seed rules refuse such an overlap unless a note on the dates explains it.
    async fn overlaps_previous(&self) -> bool {
        self.overlaps_previous_value()
    }

    /// Meetings of the process held during this term, chronological. A meeting on a handover
    /// day, or one dated only to the month or year, belongs to every term it may fall in.
    async fn meetings(&self) -> Vec<Meeting> {
        self.meetings_value()
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.sources_value()
    }

    /// Remarks on the record: inferred dates, conflicts between sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.notes_value()
    }
}

/// The value of each field of `Chairmanship`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl Chairmanship {
    fn id_value(&self) -> ID {
        NodeId::encode("Chairmanship", self.r().slug.as_str())
    }

    fn slug_value(&self) -> &str {
        self.r().slug.as_str()
    }

    fn created_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Chairmanships, self.r().slug.as_str()).created_at)
    }

    fn updated_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Chairmanships, self.r().slug.as_str()).updated_at)
    }

    fn process_value(&self) -> ApiResult<Process> {
        let p = &self.r().process;
        self.0.must(self.0.cat.process(p.as_str()).map(|i| Process(self.0.at(i))), p.as_str())
    }

    fn chair_value(&self) -> ApiResult<State> {
        let c = &self.r().chair;
        self.0.must(self.0.cat.state(c.as_str()).map(|i| State(self.0.at(i))), c.as_str())
    }

    fn start_value(&self) -> Option<PartialDate> {
        self.r().start
    }

    fn end_value(&self) -> Option<PartialDate> {
        self.r().end
    }

    fn is_current_value(&self) -> bool {
        self.r().end.is_none()
    }

    fn chairperson_value(&self) -> Option<&str> {
        self.r().chairperson.as_deref()
    }

    fn previous_value(&self) -> Option<Chairmanship> {
        self.neighbour(-1)
    }

    fn next_value(&self) -> Option<Chairmanship> {
        self.neighbour(1)
    }

    fn gap_before_days_value(&self) -> Option<i32> {
        self.0.cat.handover(self.0.ix).gap_days.map(|d| d as i32)
    }

    fn gap_before_value(&self) -> bool {
        self.0.cat.handover(self.0.ix).gap_days.is_some_and(|d| d > 0)
    }

    fn overlaps_previous_value(&self) -> bool {
        self.0.cat.handover(self.0.ix).overlaps
    }

    fn meetings_value(&self) -> Vec<Meeting> {
        self.0.cat.meetings_in_term(self.0.ix).into_iter().map(|m| Meeting(self.0.at(m))).collect()
    }

    fn sources_value(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    fn notes_value(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}

impl direct::Object for Chairmanship {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "id" => f.put(self.id_value()),
            "slug" => f.put(self.slug_value()),
            "createdAt" => f.put(self.created_at_value()),
            "updatedAt" => f.put(self.updated_at_value()),
            "process" => f.put(self.process_value()),
            "chair" => f.put(self.chair_value()),
            "start" => f.put(self.start_value()),
            "end" => f.put(self.end_value()),
            "isCurrent" => f.put(self.is_current_value()),
            "chairperson" => f.put(self.chairperson_value()),
            "previous" => f.put(self.previous_value()),
            "next" => f.put(self.next_value()),
            "gapBeforeDays" => f.put(self.gap_before_days_value()),
            "gapBefore" => f.put(self.gap_before_value()),
            "overlapsPrevious" => f.put(self.overlaps_previous_value()),
            "meetings" => f.put(self.meetings_value()),
            "sources" => f.put(self.sources_value()),
            "notes" => f.put(self.notes_value()),
            _ => f.uncovered(),
        }
    }
}

direct::object_output!(Chairmanship);
