//! The `Mutation` root: curation of the record. Every mutation needs `Authorization: Bearer
//! <token>`; each one is validated by the rules of the seed files, committed in one transaction
//! and flushed to disk before it answers.

use super::error::{ApiError, ApiResult};
use super::types::*;
use crate::catalog::Catalog;
use crate::curation::{CurationError, Draft};
use crate::domain::{self, Relation};
use async_graphql::{Context, Object};
use std::sync::Arc;

/// The bearer token of a request, as the HTTP layer found it in the `Authorization` header.
#[derive(Clone, Default)]
pub struct Bearer(pub Option<String>);

/// Curation of the record: create, update and delete records, and link them.
#[derive(Default)]
pub struct Mutation;

/// Runs an edit through the curator with the request's token, and returns the new read model
/// with the edit's result.
async fn write<T, F>(ctx: &Context<'_>, edit: F) -> ApiResult<(Arc<Catalog>, T)>
where
    T: Send + 'static,
    F: FnOnce(&mut Draft) -> Result<T, CurationError> + Clone + Send + 'static,
{
    let curator = super::curator(ctx)?;
    let token = ctx.data_opt::<Bearer>().and_then(|b| b.0.as_deref());
    Ok(curator.write(token, edit).await?)
}

/// The GraphQL object of a record the write has just made or changed.
fn found<T>(ix: Option<usize>, what: &str, key: &str, wrap: impl FnOnce(usize) -> T) -> ApiResult<T> {
    ix.map(wrap).ok_or_else(|| ApiError::Internal(format!("the {what} '{key}' just written is not in the read model")))
}

fn meeting(cat: &Arc<Catalog>, slug: &str) -> ApiResult<Meeting> {
    found(cat.meeting(slug), "meeting", slug, |i| Meeting(Rec::new(cat, i)))
}

fn chairmanship(cat: &Arc<Catalog>, slug: &str) -> ApiResult<Chairmanship> {
    found(cat.chairmanship(slug), "chairmanship", slug, |i| Chairmanship(Rec::new(cat, i)))
}

fn membership(cat: &Arc<Catalog>, slug: &str) -> ApiResult<Membership> {
    found(cat.membership(slug), "membership", slug, |i| Membership(Rec::new(cat, i)))
}

fn state(cat: &Arc<Catalog>, slug: &str) -> ApiResult<State> {
    found(cat.state(slug), "state", slug, |i| State(Rec::new(cat, i)))
}

fn organization(cat: &Arc<Catalog>, slug: &str) -> ApiResult<Organization> {
    found(cat.organization(slug), "organization", slug, |i| Organization(Rec::new(cat, i)))
}

fn person(cat: &Arc<Catalog>, slug: &str) -> ApiResult<Person> {
    found(cat.person(slug), "person", slug, |i| Person(Rec::new(cat, i)))
}

fn source(cat: &Arc<Catalog>, slug: &str) -> ApiResult<Source> {
    found(cat.source(slug), "source", slug, |i| Source(Rec::new(cat, i)))
}

/// Creates the record `build` makes and returns it, as `wrap` finds it in the new read model.
async fn create<T, W, B>(ctx: &Context<'_>, build: B, wrap: fn(&Arc<Catalog>, &str) -> ApiResult<W>) -> ApiResult<W>
where
    T: domain::Record,
    B: FnOnce(&mut Draft) -> Result<T, CurationError> + Clone + Send + 'static,
{
    let (cat, key) = write(ctx, move |d| {
        let record = build(d)?;
        let key = record.key().to_owned();
        d.insert(record)?;
        Ok(key)
    })
    .await?;
    wrap(&cat, &key)
}

/// Applies `edit` to the record `slug` and returns it, as `wrap` finds it in the new read model.
async fn update<W, E>(
    ctx: &Context<'_>,
    slug: String,
    edit: E,
    wrap: fn(&Arc<Catalog>, &str) -> ApiResult<W>,
) -> ApiResult<W>
where
    E: FnOnce(&mut Draft, &str) -> Result<(), CurationError> + Clone + Send + 'static,
{
    let key = slug.clone();
    let (cat, ()) = write(ctx, move |d| edit(d, &key)).await?;
    wrap(&cat, &slug)
}

/// Deletes the record of type `T` with key `slug`.
async fn delete<T: domain::Record>(ctx: &Context<'_>, slug: String) -> ApiResult<Deleted> {
    let key = slug.clone();
    write(ctx, move |d| d.remove::<T>(&key).map(|_| ())).await?;
    Ok(Deleted::of(T::COLLECTION, slug))
}

/// Curation of the record. Every mutation needs `Authorization: Bearer <token>` and is sent by
/// POST as `application/json`; reads stay public. A mutation is checked by the same rules as the
/// seed files and, once it answers, is on disk. Errors: `UNAUTHENTICATED` (no or wrong token),
/// `BAD_USER_INPUT` (a malformed value or an unknown reference), `NOT_FOUND` (the record to
/// change does not exist), `CONFLICT` (a duplicate key, overlapping chair terms, or a record
/// others still refer to). A failed mutation writes nothing.
#[Object(serial)]
impl Mutation {
    /// Creates a meeting, with its participations. Sources are reused when the record already
    /// cites them (same `url`) and created otherwise.
    async fn create_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateMeetingInput,
    ) -> ApiResult<Meeting> {
        create(ctx, move |d| input.into_meeting(d), meeting).await
    }

    /// Changes the fields given of a meeting.
    async fn update_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
        #[graphql(desc = "What to write.")] input: UpdateMeetingInput,
    ) -> ApiResult<Meeting> {
        update(ctx, slug, move |d, key| input.apply(d, key), meeting).await
    }

    /// Deletes a meeting with its participations. Refused with `CONFLICT` while other meetings
    /// link to it or a document names it as the place of adoption.
    async fn delete_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
    ) -> ApiResult<Deleted> {
        delete::<domain::Meeting>(ctx, slug).await
    }

    /// Adds a role of an actor at a meeting. The same actor in the same role twice is a
    /// `CONFLICT`.
    #[allow(clippy::too_many_arguments)]
    async fn add_participation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Meeting slug.")] meeting: String,
        #[graphql(desc = "Actor slug (a state or an organisation).")] actor: String,
        #[graphql(desc = "The role at the meeting.")] role: MeetingRole,
        #[graphql(desc = "The person who acted for the actor, where a source names one.")] person: Option<String>,
        #[graphql(desc = "The slugs of the people's records (`Query.people`).")] people: Option<Vec<String>>,
        #[graphql(desc = "Whether the role is inferred rather than stated by a source.")] inferred: Option<bool>,
        #[graphql(desc = "A remark, for instance the basis of an inference.")] note: Option<String>,
        #[graphql(desc = "Sources of this participation, when they differ from the meeting's.")] sources: Option<
            Vec<SourceInput>,
        >,
    ) -> ApiResult<Meeting> {
        let key = meeting.clone();
        let (cat, ()) = write(ctx, move |d| {
            let input = ParticipationInput { actor, role, person, people, inferred, note, sources };
            let p = participation(d, 0, input)?;
            let m = d.get_mut::<domain::Meeting>(&key)?;
            if m.participations.iter().any(|x| x.actor == p.actor && x.role == p.role) {
                return Err(CurationError::Conflict(format!(
                    "'{}' already holds that role at meeting '{key}'",
                    p.actor
                )));
            }
            m.participations.push(p);
            Ok(())
        })
        .await?;
        self::meeting(&cat, &meeting)
    }

    /// Removes a role of an actor at a meeting. `NOT_FOUND` if the actor did not hold it.
    async fn remove_participation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Meeting slug.")] meeting: String,
        #[graphql(desc = "Actor slug (a state or an organisation).")] actor: String,
        #[graphql(desc = "The role at the meeting.")] role: MeetingRole,
    ) -> ApiResult<Meeting> {
        let key = meeting.clone();
        let (cat, ()) = write(ctx, move |d| {
            let m = d.get_mut::<domain::Meeting>(&key)?;
            let role: domain::MeetingRole = role.into();
            let before = m.participations.len();
            m.participations.retain(|p| !(p.actor.as_str() == actor && p.role == role));
            if m.participations.len() == before {
                return Err(CurationError::NotFound(format!(
                    "'{}' holds no such role at meeting '{key}'",
                    actor.chars().take(100).collect::<String>()
                )));
            }
            Ok(())
        })
        .await?;
        self::meeting(&cat, &meeting)
    }

    /// Links a meeting to another: `kind` says how `meeting` relates to `other` (BUILDS_ON: it
    /// builds on the other). The link shows from both sides, the other side seeing the inverse.
    async fn link_meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Meeting slug.")] meeting: String,
        #[graphql(desc = "How `meeting` relates to `other`.")] kind: MeetingRelationKind,
        #[graphql(desc = "Slug of the other meeting.")] other: String,
    ) -> ApiResult<Meeting> {
        let key = meeting.clone();
        let (cat, ()) = write(ctx, move |d| {
            let kind: domain::RelationKind = kind.into();
            let other = Draft::slug("other", &other)?;
            if !d.has::<domain::Meeting>(other.as_str()) {
                return Err(CurationError::Invalid(format!("other: unknown meeting '{other}'")));
            }
            let linked_back = d
                .get::<domain::Meeting>(other.as_str())?
                .related
                .iter()
                .any(|r| r.meeting.as_str() == key && r.kind == kind.inverse());
            let m = d.get_mut::<domain::Meeting>(&key)?;
            if linked_back || m.related.iter().any(|r| r.meeting == other && r.kind == kind) {
                return Err(CurationError::Conflict(format!("'{key}' is already linked to '{other}' that way")));
            }
            m.related.push(Relation { kind, meeting: other });
            Ok(())
        })
        .await?;
        self::meeting(&cat, &meeting)
    }

    /// Removes a link between two meetings, whichever side recorded it. `NOT_FOUND` if there is
    /// no such link.
    async fn unlink_meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Meeting slug.")] meeting: String,
        #[graphql(desc = "How `meeting` relates to `other`.")] kind: MeetingRelationKind,
        #[graphql(desc = "Slug of the other meeting.")] other: String,
    ) -> ApiResult<Meeting> {
        let key = meeting.clone();
        let (cat, ()) = write(ctx, move |d| {
            let kind: domain::RelationKind = kind.into();
            let m = d.get_mut::<domain::Meeting>(&key)?;
            let before = m.related.len();
            m.related.retain(|r| !(r.meeting.as_str() == other && r.kind == kind));
            let mut removed = before - m.related.len();
            if let Ok(o) = d.get_mut::<domain::Meeting>(&other) {
                let before = o.related.len();
                o.related.retain(|r| !(r.meeting.as_str() == key && r.kind == kind.inverse()));
                removed += before - o.related.len();
            }
            if removed == 0 {
                return Err(CurationError::NotFound(format!("'{key}' has no such link to that meeting")));
            }
            Ok(())
        })
        .await?;
        self::meeting(&cat, &meeting)
    }

    /// Creates a chair term. Terms of one process must not overlap (a handover day aside)
    /// unless a note explains the disagreement of the sources: otherwise `CONFLICT`.
    async fn create_chairmanship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateChairmanshipInput,
    ) -> ApiResult<Chairmanship> {
        create(ctx, move |d| input.into_chairmanship(d), chairmanship).await
    }

    /// Changes the fields given of a chair term; ending a running term is `end: "2026-06"`.
    async fn update_chairmanship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
        #[graphql(desc = "What to write.")] input: UpdateChairmanshipInput,
    ) -> ApiResult<Chairmanship> {
        update(ctx, slug, move |d, key| input.apply(d, key), chairmanship).await
    }

    /// Deletes a chair term.
    async fn delete_chairmanship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
    ) -> ApiResult<Deleted> {
        delete::<domain::Chairmanship>(ctx, slug).await
    }

    /// Creates a membership of an actor in a process.
    async fn create_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateMembershipInput,
    ) -> ApiResult<Membership> {
        create(ctx, move |d| input.into_membership(d), membership).await
    }

    /// Changes the fields given of a membership; ending one is `until: "2026-06"`.
    async fn update_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
        #[graphql(desc = "What to write.")] input: UpdateMembershipInput,
    ) -> ApiResult<Membership> {
        update(ctx, slug, move |d, key| input.apply(d, key), membership).await
    }

    /// Deletes a membership.
    async fn delete_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
    ) -> ApiResult<Deleted> {
        delete::<domain::Membership>(ctx, slug).await
    }

    /// Creates a state.
    async fn create_state(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateStateInput,
    ) -> ApiResult<State> {
        create(ctx, move |d| input.into_state(d), state).await
    }

    /// Changes the fields given of a state.
    async fn update_state(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
        #[graphql(desc = "What to write.")] input: UpdateStateInput,
    ) -> ApiResult<State> {
        update(ctx, slug, move |d, key| input.apply(d, key), state).await
    }

    /// Deletes a state. Refused with `CONFLICT`, naming them, while meetings, memberships or
    /// chair terms refer to it.
    async fn delete_state(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
    ) -> ApiResult<Deleted> {
        delete::<domain::State>(ctx, slug).await
    }

    /// Creates an organisation.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateOrganizationInput,
    ) -> ApiResult<Organization> {
        create(ctx, move |d| input.into_organization(d), organization).await
    }

    /// Changes the fields given of an organisation.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
        #[graphql(desc = "What to write.")] input: UpdateOrganizationInput,
    ) -> ApiResult<Organization> {
        update(ctx, slug, move |d, key| input.apply(d, key), organization).await
    }

    /// Deletes an organisation. Refused with `CONFLICT`, naming them, while records refer to it.
    async fn delete_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
    ) -> ApiResult<Deleted> {
        delete::<domain::Organization>(ctx, slug).await
    }

    /// Creates a person, with the posts they held; the slug is the name in kebab case unless given.
    async fn create_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreatePersonInput,
    ) -> ApiResult<Person> {
        create(ctx, move |d| input.into_person(d), person).await
    }

    /// Changes the fields given of a person.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
        #[graphql(desc = "What to write.")] input: UpdatePersonInput,
    ) -> ApiResult<Person> {
        update(ctx, slug, move |d, key| input.apply(d, key), person).await
    }

    /// Deletes a person. Refused with `CONFLICT`, naming them, while participations or chair
    /// terms refer to the person.
    async fn delete_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
    ) -> ApiResult<Deleted> {
        delete::<domain::Person>(ctx, slug).await
    }

    /// Creates a source, to cite by slug in notes or to reuse by its `url` in other writes.
    async fn create_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to write.")] input: CreateSourceInput,
    ) -> ApiResult<Source> {
        create(ctx, move |d| input.into_source(d), source).await
    }

    /// Changes the fields given of a source.
    async fn update_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
        #[graphql(desc = "What to write.")] input: UpdateSourceInput,
    ) -> ApiResult<Source> {
        update(ctx, slug, move |d, key| input.apply(d, key), source).await
    }

    /// Deletes a source. Refused with `CONFLICT`, naming them, while records cite it.
    async fn delete_source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the record.")] slug: String,
    ) -> ApiResult<Deleted> {
        delete::<domain::Source>(ctx, slug).await
    }
}
