//! The `Membership` type.

use super::*;
use crate::domain::Collection;
use crate::domain::PartialDate;
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::DateTime;
use async_graphql::Object;

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
    /// Stable key: '<process>-<role>-<actor>', e.g. 'khartoum-process-member-de'.
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

    /// The process.
    async fn process(&self) -> ApiResult<Process> {
        self.process_value()
    }

    /// The state or organisation.
    async fn actor(&self) -> ApiResult<Actor> {
        self.actor_value()
    }

    /// The role held.
    async fn role(&self) -> MembershipRole {
        self.role_value()
    }

    /// From when, at the precision known; null when no source states it.
    async fn since(&self) -> Option<PartialDate> {
        self.since_value()
    }

    /// Until when; null while the membership lasts, or when no source states an end.
    async fn until(&self) -> Option<PartialDate> {
        self.until_value()
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.sources_value()
    }

    /// Remarks on the record: inferred values, conflicts between sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.notes_value()
    }
}

/// The value of each field of `Membership`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl Membership {
    fn slug_value(&self) -> &str {
        self.r().slug.as_str()
    }

    fn created_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Memberships, self.r().slug.as_str()).created_at)
    }

    fn updated_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Memberships, self.r().slug.as_str()).updated_at)
    }

    fn process_value(&self) -> ApiResult<Process> {
        let p = &self.r().process;
        self.0.must(self.0.cat.process(p.as_str()).map(|i| Process(self.0.at(i))), p.as_str())
    }

    fn actor_value(&self) -> ApiResult<Actor> {
        let a = &self.r().actor;
        self.0.must(self.0.actor(a.as_str()), a.as_str())
    }

    fn role_value(&self) -> MembershipRole {
        self.r().role.into()
    }

    fn since_value(&self) -> Option<PartialDate> {
        self.r().since
    }

    fn until_value(&self) -> Option<PartialDate> {
        self.r().until
    }

    fn sources_value(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    fn notes_value(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}

impl direct::Object for Membership {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "slug" => f.put(self.slug_value()),
            "createdAt" => f.put(self.created_at_value()),
            "updatedAt" => f.put(self.updated_at_value()),
            "process" => f.put(self.process_value()),
            "actor" => f.put(self.actor_value()),
            "role" => f.put(self.role_value()),
            "since" => f.put(self.since_value()),
            "until" => f.put(self.until_value()),
            "sources" => f.put(self.sources_value()),
            "notes" => f.put(self.notes_value()),
            _ => f.uncovered(),
        }
    }
}

direct::object_output!(Membership);
