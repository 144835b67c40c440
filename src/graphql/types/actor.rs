//! The `Actor` interface (states and organisations) and the partnerships between actors.

use super::*;
use crate::catalog::MeetingQuery;
use crate::graphql::error::ApiResult;
use crate::graphql::pagination::{page_by, MeetingConnection, PageArgs};
use async_graphql::{Interface, Object, ID};

/// A party to a process or a meeting: a state or an organisation.
// The interface macro's repeated `ty = ...` keys are separate fields, not duplicates.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    field(name = "id", ty = "ID", desc = "A global id, opaque and stable: pass it to `node(id:)`."),
    field(
        name = "slug",
        ty = "&str",
        desc = "Stable, human-readable key: lower-case ISO 3166-1 alpha-2 for states ('ke'), an acronym-based slug for organisations ('icmpd', 'auc')."
    ),
    field(
        name = "name",
        ty = "&str",
        desc = "The actor's name, in English unless `lang` asks for French or Arabic and a source gives it in that language.",
        arg(
            name = "lang",
            ty = "Option<Language>",
            default_with = "Some(Language::En)",
            desc = "The language; the English name where no source gives one in it."
        )
    ),
    field(
        name = "names",
        ty = "Vec<LocalizedName>",
        desc = "The actor's name in every language a source gives it in, English first, each with its sources."
    ),
    field(
        name = "meetings",
        ty = "ApiResult<MeetingConnection>",
        desc = "Every meeting in which this actor had one of the given roles (all roles when omitted).",
        arg(
            name = "roles",
            ty = "Option<Vec<MeetingRole>>",
            desc = "Only meetings where the actor held one of these roles."
        ),
        arg(name = "filter", ty = "Option<MeetingFilter>", desc = "Further conditions on the meetings."),
        arg(
            name = "order_by",
            ty = "Option<MeetingOrder>",
            default_with = "Some(MeetingOrder::StartDateDesc)",
            desc = "Newest or oldest first."
        ),
        arg(name = "first", ty = "Option<i32>", desc = "Page size from the start (default 20, at most 100)."),
        arg(name = "after", ty = "Option<String>", desc = "Cursor to continue after."),
        arg(name = "last", ty = "Option<i32>", desc = "Page size from the end (at most 100)."),
        arg(name = "before", ty = "Option<String>", desc = "Cursor to continue before.")
    ),
    field(
        name = "partners",
        ty = "Vec<Partnership>",
        desc = "Actors this one organised meetings with (as host, co-host, chair or co-chair of the same meeting), most shared meetings first."
    ),
    field(name = "sources", ty = "Vec<Source>", desc = "Where the record's facts come from.")
)]
pub enum Actor {
    /// A state.
    State(State),
    /// An organisation.
    Organization(Organization),
}

/// One side of a partnership: another actor and the meetings both organised.
pub struct Partnership {
    pub(super) rec: Rec,
    pub(super) partner: crate::catalog::Partner,
}

/// Another actor that organised meetings with this one.
#[Object(serial)]
impl Partnership {
    /// The other actor.
    async fn actor(&self) -> Actor {
        self.rec.actor_ref(self.partner.actor)
    }

    /// Number of meetings both organised.
    async fn count(&self) -> i32 {
        self.partner.meetings.len() as i32
    }

    /// The meetings both organised, chronological.
    async fn meetings(&self) -> Vec<Meeting> {
        self.partner.meetings.iter().map(|&m| Meeting(self.rec.at(m))).collect()
    }
}

/// The partners of an actor.
pub(super) fn partners(rec: &Rec, slug: &str) -> Vec<Partnership> {
    rec.cat.partners_of(slug).iter().map(|p| Partnership { rec: rec.clone(), partner: p.clone() }).collect()
}

/// The meetings of an actor. `State.meetings` and `Organization.meetings` both call this, with the
/// contract's argument order, so the interface path and the type's own path behave the same.
pub(super) fn actor_meetings(
    rec: &Rec,
    slug: &str,
    roles: Option<Vec<MeetingRole>>,
    filter: Option<MeetingFilter>,
    order_by: Option<MeetingOrder>,
    page: PageArgs,
) -> ApiResult<MeetingConnection> {
    let mut query = filter.unwrap_or_default().to_query(&rec.cat)?;
    let roles = roles.unwrap_or_default().into_iter().map(Into::into).collect();
    // The field's own actor goes first: the read model starts from the first actor's index.
    query.actors.insert(0, (slug.to_owned(), roles));
    meetings_page(rec, &query, order_by, page)
}

/// A page of the meetings a query selects, in the order asked for.
pub fn meetings_page(
    rec: &Rec,
    query: &MeetingQuery,
    order_by: Option<MeetingOrder>,
    args: PageArgs,
) -> ApiResult<MeetingConnection> {
    let cat = &rec.cat;
    // The selection is not copied or reversed: a page reads its positions through an accessor,
    // and an unfiltered list is only a range of positions.
    let items = cat.select(query);
    let len = items.len();
    // An explicit null means the default order too.
    let descending = order_by.unwrap_or(MeetingOrder::StartDateDesc) == MeetingOrder::StartDateDesc;
    let at = |i: usize| if descending { items.get(len - 1 - i) } else { items.get(i) };
    page_by(len, at, |m| cat.meeting_key(m), descending, args, |m| Meeting(rec.at(m))).map(Into::into)
}
