//! The `Organization` type.

use super::actor::{actor_meetings, partners};
use super::localized_name::{name_in, names};
use super::*;
use crate::domain::Collection;
use crate::graphql::error::ApiResult;
use crate::graphql::pagination::{MeetingConnection, PageArgs};
use crate::graphql::scalars::DateTime;
use async_graphql::{Object, ID};

/// An international organisation or institution.
#[derive(Clone)]
pub struct Organization(pub(crate) Rec);

impl Organization {
    fn r(&self) -> &crate::domain::Organization {
        &self.0.cat.ds.organizations[self.0.ix]
    }
}

/// An international organisation or institution with a role in a process: a secretariat, a
/// steering-committee member, a partner, or a host or organiser of meetings.
#[Object(serial)]
impl Organization {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeId::encode("Organization", self.r().slug.as_str())
    }

    /// Stable key based on the acronym ('icmpd', 'auc').
    pub async fn slug(&self) -> &str {
        self.r().slug.as_str()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Organizations, self.r().slug.as_str()).created_at)
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Organizations, self.r().slug.as_str()).updated_at)
    }

    /// The full name ('International Centre for Migration Policy Development'), in English
    /// unless `lang` asks for French or Arabic and a source gives the name in it.
    pub async fn name(
        &self,
        #[graphql(
            default_with = "Some(Language::En)",
            desc = "The language; the English name where no source gives one in it."
        )]
        lang: Option<Language>,
    ) -> &str {
        name_in(Collection::Organizations, self.r().slug.as_str(), &self.r().name, lang)
    }

    /// The full name in every language a source gives it in, English first, each with its
    /// sources.
    pub async fn names(&self) -> Vec<LocalizedName> {
        names(&self.0, Collection::Organizations, self.r().slug.as_str(), &self.r().name, &self.r().sources)
    }

    /// The acronym, where it has one ('ICMPD').
    async fn acronym(&self) -> Option<&str> {
        self.r().acronym.as_deref()
    }

    /// What the organisation is, in a sentence.
    async fn description(&self) -> Option<&str> {
        self.r().description.as_deref()
    }

    /// The organisation this one is a part of (the European Commission, for one of its
    /// directorates-general).
    async fn part_of(&self) -> ApiResult<Option<Organization>> {
        let found = self.r().part_of.as_ref().map(|p| self.0.must(self.0.cat.organization(p.as_str()), p.as_str()));
        Ok(found.transpose()?.map(|i| Organization(self.0.at(i))))
    }

    /// The organisations that are part of this one, by slug.
    async fn parts(&self) -> Vec<Organization> {
        self.0.cat.parts_of(self.r().slug.as_str()).iter().map(|&i| Organization(self.0.at(i))).collect()
    }

    /// The organisation's memberships in processes, over time.
    async fn memberships(&self) -> Vec<Membership> {
        self.0.cat.memberships_of_actor(self.r().slug.as_str()).iter().map(|&i| Membership(self.0.at(i))).collect()
    }

    /// Every meeting in which this organisation had one of the given roles (all roles when omitted).
    #[allow(clippy::too_many_arguments)]
    pub async fn meetings(
        &self,
        #[graphql(desc = "Only meetings where the organisation held one of these roles.")] roles: Option<
            Vec<MeetingRole>,
        >,
        #[graphql(desc = "Further conditions on the meetings.")] filter: Option<MeetingFilter>,
        #[graphql(desc = "Newest or oldest first.", default_with = "Some(MeetingOrder::StartDateDesc)")]
        order_by: Option<MeetingOrder>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> ApiResult<MeetingConnection> {
        let page = PageArgs { first, after, last, before };
        actor_meetings(&self.0, self.r().slug.as_str(), roles, filter, order_by, page)
    }

    /// Actors this organisation organised meetings with (as host, co-host, chair or co-chair of the same
    /// meeting), most shared meetings first.
    pub async fn partners(&self) -> Vec<Partnership> {
        partners(&self.0, self.r().slug.as_str())
    }

    /// Where the record's facts come from.
    pub async fn sources(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    /// Remarks on the record: inferred values, conflicts between sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}
