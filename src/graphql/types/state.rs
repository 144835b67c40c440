//! The `State` type.

use super::actor::{actor_meetings, partners};
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
        self.id_value()
    }

    /// Stable key: the lower-case ISO 3166-1 alpha-2 code ('ke').
    pub async fn slug(&self) -> &str {
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

    /// The English short name ('Kenya').
    pub async fn name(&self) -> &str {
        self.name_value()
    }

    /// ISO 3166-1 alpha-2 code, upper case ('KE').
    async fn iso2(&self) -> &str {
        self.iso2_value()
    }

    /// ISO 3166-1 alpha-3 code, upper case ('KEN').
    async fn iso3(&self) -> &str {
        self.iso3_value()
    }

    /// Africa or Europe.
    async fn continent(&self) -> Continent {
        self.continent_value()
    }

    /// The state's memberships in processes, over time.
    async fn memberships(&self) -> Vec<Membership> {
        self.memberships_value()
    }

    /// The state's terms as chair of a process, chronological.
    async fn chairmanships(&self) -> Vec<Chairmanship> {
        self.chairmanships_value()
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
        self.meetings_value(roles, filter, order_by, PageArgs { first, after, last, before })
    }

    /// Actors this state organised meetings with (as host, co-host, chair or co-chair of the same
    /// meeting), most shared meetings first.
    pub async fn partners(&self) -> Vec<Partnership> {
        self.partners_value()
    }

    /// Where the record's facts come from.
    pub async fn sources(&self) -> Vec<Source> {
        self.sources_value()
    }

    /// Remarks on the record: inferred values, conflicts between sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.notes_value()
    }
}

/// The value of each field of `State`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl State {
    fn id_value(&self) -> ID {
        NodeId::encode("State", self.r().slug.as_str())
    }

    fn slug_value(&self) -> &str {
        self.r().slug.as_str()
    }

    fn created_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::States, self.r().slug.as_str()).created_at)
    }

    fn updated_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::States, self.r().slug.as_str()).updated_at)
    }

    fn name_value(&self) -> &str {
        &self.r().name
    }

    fn iso2_value(&self) -> &str {
        &self.r().iso2
    }

    fn iso3_value(&self) -> &str {
        &self.r().iso3
    }

    fn continent_value(&self) -> Continent {
        self.r().continent.into()
    }

    fn memberships_value(&self) -> Vec<Membership> {
        self.0.cat.memberships_of_actor(self.r().slug.as_str()).iter().map(|&i| Membership(self.0.at(i))).collect()
    }

    fn chairmanships_value(&self) -> Vec<Chairmanship> {
        self.0.cat.chairs_of_state(self.r().slug.as_str()).iter().map(|&i| Chairmanship(self.0.at(i))).collect()
    }

    fn meetings_value(
        &self,
        roles: Option<Vec<MeetingRole>>,
        filter: Option<MeetingFilter>,
        order_by: Option<MeetingOrder>,
        page: PageArgs,
    ) -> ApiResult<MeetingConnection> {
        actor_meetings(&self.0, self.r().slug.as_str(), roles, filter, order_by, page)
    }

    fn partners_value(&self) -> Vec<Partnership> {
        partners(&self.0, self.r().slug.as_str())
    }

    fn sources_value(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    fn notes_value(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}

impl direct::Object for State {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "id" => f.put(self.id_value()),
            "slug" => f.put(self.slug_value()),
            "createdAt" => f.put(self.created_at_value()),
            "updatedAt" => f.put(self.updated_at_value()),
            "name" => f.put(self.name_value()),
            "iso2" => f.put(self.iso2_value()),
            "iso3" => f.put(self.iso3_value()),
            "continent" => f.put(self.continent_value()),
            "memberships" => f.put(self.memberships_value()),
            "chairmanships" => f.put(self.chairmanships_value()),
            "meetings" => f.put(self.meetings_value(f.arg("roles")?, f.arg("filter")?, f.arg("orderBy")?, f.page()?)),
            "partners" => f.put(self.partners_value()),
            "sources" => f.put(self.sources_value()),
            "notes" => f.put(self.notes_value()),
            _ => f.uncovered(),
        }
    }
}

direct::object_output!(State);
