//! The `Membership` type.

use super::*;
use crate::domain::Collection;
use crate::domain::PartialDate;
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::{Date, DateTime};
use async_graphql::{Object, ID};

/// An actor's place in a process over a span of time.
#[derive(Clone)]
pub struct Membership(pub(crate) Rec);

impl Membership {
    fn r(&self) -> &crate::domain::Membership {
        &self.0.cat.ds.memberships[self.0.ix]
    }
}

/// An actor's place in a process over a span of time: member, steering committee, secretariat,
/// partner or observer.
#[Object(serial)]
impl Membership {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeId::encode("Membership", self.r().slug.as_str())
    }

    /// Stable key: '<process>-<role>-<actor>', e.g. 'khartoum-process-member-de'.
    async fn slug(&self) -> &str {
        self.r().slug.as_str()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Memberships, self.r().slug.as_str()).created_at)
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Memberships, self.r().slug.as_str()).updated_at)
    }

    /// The process.
    async fn process(&self) -> ApiResult<Process> {
        let p = &self.r().process;
        self.0.must(self.0.cat.process(p.as_str()).map(|i| Process(self.0.at(i))), p.as_str())
    }

    /// The state or organisation.
    async fn actor(&self) -> ApiResult<Actor> {
        let a = &self.r().actor;
        self.0.must(self.0.actor(a.as_str()), a.as_str())
    }

    /// The role held.
    async fn role(&self) -> MembershipRole {
        self.r().role.into()
    }

    /// From when, at the precision known; null when no source states it. Read it with
    /// `sinceQualifier`: it may be a bound rather than the day the membership began.
    async fn since(&self) -> Option<PartialDate> {
        self.r().since
    }

    /// Null when `since` is the start itself; otherwise whether the membership began no later
    /// than `since` (the date of the first source that lists it) or no earlier than it.
    async fn since_qualifier(&self) -> Option<SinceQualifier> {
        self.r().since_qualifier.map(Into::into)
    }

    /// The latest the membership can have begun, where a source bounds the start from above
    /// while `since` bounds it only from below (`NO_EARLIER_THAN`) or not at all: the date of the
    /// first source that shows the actor in the process. Null when no such bound is recorded.
    async fn since_no_later_than(&self) -> Option<PartialDate> {
        self.r().since_no_later_than
    }

    /// Whether the sources make the membership certain on a date: it had begun by then (a start
    /// known, or bounded 'no later than' by `since` or `sinceNoLaterThan`, whose last possible day
    /// has passed) and had not ended (no end recorded, or one whose first possible day is still to
    /// come). False for a membership whose start is unknown or only bounded 'no earlier than':
    /// `asOf` lists a membership that may have been in force, and this says whether it certainly
    /// was.
    async fn certain_on(&self, #[graphql(desc = "The day asked about.")] date: Date) -> bool {
        self.r().certain_on(date.0)
    }

    /// Until when; null while the membership lasts, or when no source states an end.
    async fn until(&self) -> Option<PartialDate> {
        self.r().until
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    /// Remarks on the record: inferred values, conflicts between sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}
