//! The `Membership` type.

use super::*;
use crate::domain::Collection;
use crate::domain::PartialDate;
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::DateTime;
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

    /// From when, at the precision known; null when no source states it.
    async fn since(&self) -> Option<PartialDate> {
        self.r().since
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
