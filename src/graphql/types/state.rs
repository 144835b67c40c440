//! The `State` type.

use super::actor::{actor_meetings, partners};
use super::localized_name::{name_in, names};
use super::*;
use crate::domain::Collection;
use crate::graphql::error::ApiResult;
use crate::graphql::pagination::{MeetingConnection, PageArgs};
use crate::graphql::scalars::DateTime;
use async_graphql::{Object, ID};

/// A state: a member, signatory, host or chair.
#[derive(Clone)]
pub struct State(pub(crate) Rec);

impl State {
    fn r(&self) -> &crate::domain::State {
        &self.0.cat.ds.states[self.0.ix]
    }
}

/// A state: a member of a process, a signatory, a host or a chair.
#[Object(serial)]
impl State {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeId::encode("State", self.r().slug.as_str())
    }

    /// Stable key: the lower-case ISO 3166-1 alpha-2 code ('ke').
    pub async fn slug(&self) -> &str {
        self.r().slug.as_str()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::States, self.r().slug.as_str()).created_at)
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::States, self.r().slug.as_str()).updated_at)
    }

    /// The short name ('Kenya'), in English unless `lang` asks for French or Arabic (from the
    /// ISO 3166 translations of Debian's iso-codes).
    pub async fn name(
        &self,
        #[graphql(
            default_with = "Some(Language::En)",
            desc = "The language; the English name where no source gives one in it."
        )]
        lang: Option<Language>,
    ) -> &str {
        name_in(Collection::States, self.r().slug.as_str(), &self.r().name, lang)
    }

    /// The short name in every language a source gives it in, English first, each with its
    /// sources.
    pub async fn names(&self) -> Vec<LocalizedName> {
        names(&self.0, Collection::States, self.r().slug.as_str(), &self.r().name, &self.r().sources)
    }

    /// ISO 3166-1 alpha-2 code, upper case ('KE').
    async fn iso2(&self) -> &str {
        &self.r().iso2
    }

    /// ISO 3166-1 alpha-3 code, upper case ('KEN').
    async fn iso3(&self) -> &str {
        &self.r().iso3
    }

    /// Africa or Europe.
    async fn continent(&self) -> Continent {
        self.r().continent.into()
    }

    /// The state's memberships in processes, over time.
    async fn memberships(&self) -> Vec<Membership> {
        self.0.cat.memberships_of_actor(self.r().slug.as_str()).iter().map(|&i| Membership(self.0.at(i))).collect()
    }

    /// The state's terms as chair of a process, chronological.
    async fn chairmanships(&self) -> Vec<Chairmanship> {
        self.0.cat.chairs_of_state(self.r().slug.as_str()).iter().map(|&i| Chairmanship(self.0.at(i))).collect()
    }

    /// Every meeting in which this state had one of the given roles (all roles when omitted).
    #[allow(clippy::too_many_arguments)]
    pub async fn meetings(
        &self,
        #[graphql(desc = "Only meetings where the state held one of these roles.")] roles: Option<Vec<MeetingRole>>,
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

    /// Actors this state organised meetings with (as host, co-host, chair or co-chair of the same
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
