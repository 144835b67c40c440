//! The `Meeting` type, the `Participation` edge and `MeetingRelation`.

use super::*;
use crate::domain::Collection;
use crate::domain::{self, PartialDate};
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::DateTime;
use async_graphql::{Object, ID};

/// A meeting of a process.
#[derive(Clone)]
pub struct Meeting(pub(crate) Rec);

impl Meeting {
    fn r(&self) -> &domain::Meeting {
        &self.0.cat.ds.meetings[self.0.ix]
    }

    /// The actors holding one role, in the order recorded.
    fn with_role(&self, role: domain::MeetingRole) -> Vec<Actor> {
        self.r()
            .participations
            .iter()
            .filter(|p| p.role == role)
            .filter_map(|p| self.0.actor(p.actor.as_str()))
            .collect()
    }
}

/// A meeting: a ministerial conference, a senior officials' or steering committee meeting, a
/// thematic meeting, workshop, training or webinar.
#[Object(serial)]
impl Meeting {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        self.id_value()
    }

    /// Stable key, e.g. '2021-11-geneva-return-reintegration'.
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

    /// The meeting's name.
    async fn title(&self) -> &str {
        self.title_value()
    }

    /// The meeting's format.
    async fn kind(&self) -> MeetingKind {
        self.kind_value()
    }

    /// The first day, at the precision the sources give ("2019", "2019-03" or "2019-03-07").
    async fn start_date(&self) -> PartialDate {
        self.start_date_value()
    }

    /// The last day, for a meeting of more than one day.
    async fn end_date(&self) -> Option<PartialDate> {
        self.end_date_value()
    }

    /// Whether the meeting was held online.
    async fn online(&self) -> bool {
        self.online_value()
    }

    /// The city, for a meeting held in person.
    async fn city(&self) -> Option<&str> {
        self.city_value()
    }

    /// The state the meeting was held in.
    async fn country(&self) -> Option<State> {
        self.country_value()
    }

    /// The processes the meeting belonged to.
    async fn processes(&self) -> Vec<Process> {
        self.processes_value()
    }

    /// Who hosted, co-hosted, chaired, co-chaired or organised the meeting.
    async fn participations(
        &self,
        #[graphql(desc = "Only these roles (all when omitted).")] roles: Option<Vec<MeetingRole>>,
    ) -> Vec<Participation> {
        self.participations_value(roles)
    }

    /// The hosts.
    async fn hosts(&self) -> Vec<Actor> {
        self.hosts_value()
    }

    /// The co-hosts.
    async fn co_hosts(&self) -> Vec<Actor> {
        self.co_hosts_value()
    }

    /// The chairs.
    async fn chairs(&self) -> Vec<Actor> {
        self.chairs_value()
    }

    /// The co-chairs.
    async fn co_chairs(&self) -> Vec<Actor> {
        self.co_chairs_value()
    }

    /// The organisers.
    async fn organisers(&self) -> Vec<Actor> {
        self.organisers_value()
    }

    /// The chair's term of each of the meeting's processes in which it took place. A meeting on a
    /// handover day, or one dated only to the month or year, lists every term it may fall in.
    async fn chairmanships(&self) -> Vec<Chairmanship> {
        self.chairmanships_value()
    }

    /// Approximate number of participants, where a source states one.
    async fn attendance(&self) -> Option<i32> {
        self.attendance_value()
    }

    /// A short summary written for this dataset.
    async fn summary(&self) -> Option<&str> {
        self.summary_value()
    }

    /// Editorial classification, not a statement of any source: the action-plan domains the
    /// meeting dealt with, as domains of the Cairo Action Plan (whose five domains line up with
    /// those of the Joint Valletta Action Plan).
    async fn domains(&self) -> Vec<Domain> {
        self.domains_value()
    }

    /// Meetings this one relates to: what it builds on or follows up, and what built on or
    /// followed it; chronological.
    async fn related(&self) -> Vec<MeetingRelation> {
        self.related_value()
    }

    /// Documents adopted at this meeting.
    async fn adopted_documents(&self) -> Vec<Document> {
        self.adopted_documents_value()
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.sources_value()
    }

    /// Remarks on the record: inferred values (a year missing from a source), conflicts between
    /// sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.notes_value()
    }
}

/// The value of each field of `Meeting`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl Meeting {
    fn id_value(&self) -> ID {
        NodeId::encode("Meeting", self.r().slug.as_str())
    }

    fn slug_value(&self) -> &str {
        self.r().slug.as_str()
    }

    fn created_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Meetings, self.r().slug.as_str()).created_at)
    }

    fn updated_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Meetings, self.r().slug.as_str()).updated_at)
    }

    fn title_value(&self) -> &str {
        &self.r().title
    }

    fn kind_value(&self) -> MeetingKind {
        self.r().kind.into()
    }

    fn start_date_value(&self) -> PartialDate {
        self.r().start_date
    }

    fn end_date_value(&self) -> Option<PartialDate> {
        self.r().end_date
    }

    fn online_value(&self) -> bool {
        self.r().online
    }

    fn city_value(&self) -> Option<&str> {
        self.r().city.as_deref()
    }

    fn country_value(&self) -> Option<State> {
        self.r().country.as_ref().and_then(|c| self.0.cat.state(c.as_str())).map(|i| State(self.0.at(i)))
    }

    fn processes_value(&self) -> Vec<Process> {
        self.r()
            .processes
            .iter()
            .filter_map(|p| self.0.cat.process(p.as_str()))
            .map(|i| Process(self.0.at(i)))
            .collect()
    }

    fn participations_value(&self, roles: Option<Vec<MeetingRole>>) -> Vec<Participation> {
        let roles: Vec<domain::MeetingRole> = roles.unwrap_or_default().into_iter().map(Into::into).collect();
        (0..self.r().participations.len())
            .filter(|&i| roles.is_empty() || roles.contains(&self.r().participations[i].role))
            .map(|i| Participation { meeting: self.0.clone(), index: i })
            .collect()
    }

    fn hosts_value(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::Host)
    }

    fn co_hosts_value(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::CoHost)
    }

    fn chairs_value(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::Chair)
    }

    fn co_chairs_value(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::CoChair)
    }

    fn organisers_value(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::Organiser)
    }

    fn chairmanships_value(&self) -> Vec<Chairmanship> {
        let (from, to) = self.0.cat.meeting_start_span(self.0.ix);
        self.r()
            .processes
            .iter()
            .flat_map(|p| self.0.cat.chairs_during(p.as_str(), from, to))
            .map(|t| Chairmanship(self.0.at(t)))
            .collect()
    }

    fn attendance_value(&self) -> Option<i32> {
        self.r().attendance.map(|a| i32::try_from(a).unwrap_or(i32::MAX))
    }

    fn summary_value(&self) -> Option<&str> {
        self.r().summary.as_deref()
    }

    fn domains_value(&self) -> Vec<Domain> {
        let Some(doc) = self.0.cat.document(REFERENCE_PLAN) else { return Vec::new() };
        self.r().domains.iter().map(|&number| Domain { doc: self.0.at(doc), number }).collect()
    }

    fn related_value(&self) -> Vec<MeetingRelation> {
        self.0
            .cat
            .relations_of(self.0.ix)
            .iter()
            .map(|&(kind, m)| MeetingRelation { kind: kind.into(), meeting: self.0.at(m) })
            .collect()
    }

    fn adopted_documents_value(&self) -> Vec<Document> {
        self.0.cat.adopted_at(self.0.ix).iter().map(|&d| Document(self.0.at(d))).collect()
    }

    fn sources_value(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    fn notes_value(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}

impl direct::Object for Meeting {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "id" => f.put(self.id_value()),
            "slug" => f.put(self.slug_value()),
            "createdAt" => f.put(self.created_at_value()),
            "updatedAt" => f.put(self.updated_at_value()),
            "title" => f.put(self.title_value()),
            "kind" => f.put(self.kind_value()),
            "startDate" => f.put(self.start_date_value()),
            "endDate" => f.put(self.end_date_value()),
            "online" => f.put(self.online_value()),
            "city" => f.put(self.city_value()),
            "country" => f.put(self.country_value()),
            "processes" => f.put(self.processes_value()),
            "participations" => f.put(self.participations_value(f.arg("roles")?)),
            "hosts" => f.put(self.hosts_value()),
            "coHosts" => f.put(self.co_hosts_value()),
            "chairs" => f.put(self.chairs_value()),
            "coChairs" => f.put(self.co_chairs_value()),
            "organisers" => f.put(self.organisers_value()),
            "chairmanships" => f.put(self.chairmanships_value()),
            "attendance" => f.put(self.attendance_value()),
            "summary" => f.put(self.summary_value()),
            "domains" => f.put(self.domains_value()),
            "related" => f.put(self.related_value()),
            "adoptedDocuments" => f.put(self.adopted_documents_value()),
            "sources" => f.put(self.sources_value()),
            "notes" => f.put(self.notes_value()),
            _ => f.uncovered(),
        }
    }
}

/// The action plan whose domains meetings are classified under.
pub const REFERENCE_PLAN: &str = "cairo-action-plan";

/// An actor's role at a meeting: the edge behind hosts, co-hosts and chairs.
pub struct Participation {
    meeting: Rec,
    index: usize,
}

impl Participation {
    fn r(&self) -> &domain::Participation {
        &self.meeting.cat.ds.meetings[self.meeting.ix].participations[self.index]
    }
}

/// An actor's role at a meeting: the edge behind hosts, co-hosts and chairs.
#[Object(serial)]
impl Participation {
    /// The state or organisation.
    async fn actor(&self) -> ApiResult<Actor> {
        self.actor_value()
    }

    /// The role held.
    async fn role(&self) -> MeetingRole {
        self.role_value()
    }

    /// The meeting.
    async fn meeting(&self) -> Meeting {
        self.meeting_value()
    }

    /// The person who acted for the actor, where a source names one.
    async fn person(&self) -> Option<&str> {
        self.person_value()
    }

    /// Whether the role is inferred rather than stated by a source; `note` gives the basis.
    async fn inferred(&self) -> bool {
        self.inferred_value()
    }

    /// A remark on this participation, such as the basis of an inference.
    async fn note(&self) -> Option<&str> {
        self.note_value()
    }

    /// Where this participation is stated: its own sources, or else the meeting's.
    async fn sources(&self) -> Vec<Source> {
        self.sources_value()
    }
}

/// The value of each field of `Participation`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl Participation {
    fn actor_value(&self) -> ApiResult<Actor> {
        let a = &self.r().actor;
        self.meeting.must(self.meeting.actor(a.as_str()), a.as_str())
    }

    fn role_value(&self) -> MeetingRole {
        self.r().role.into()
    }

    fn meeting_value(&self) -> Meeting {
        Meeting(self.meeting.clone())
    }

    fn person_value(&self) -> Option<&str> {
        self.r().person.as_deref()
    }

    fn inferred_value(&self) -> bool {
        self.r().inferred
    }

    fn note_value(&self) -> Option<&str> {
        self.r().note.as_deref()
    }

    fn sources_value(&self) -> Vec<Source> {
        let own = &self.r().sources;
        let meeting = &self.meeting.cat.ds.meetings[self.meeting.ix];
        self.meeting.sources(if own.is_empty() { &meeting.sources } else { own })
    }
}

impl direct::Object for Participation {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "actor" => f.put(self.actor_value()),
            "role" => f.put(self.role_value()),
            "meeting" => f.put(self.meeting_value()),
            "person" => f.put(self.person_value()),
            "inferred" => f.put(self.inferred_value()),
            "note" => f.put(self.note_value()),
            "sources" => f.put(self.sources_value()),
            _ => f.uncovered(),
        }
    }
}

/// A link from one meeting to another.
pub struct MeetingRelation {
    kind: MeetingRelationKind,
    meeting: Rec,
}

/// A link from one meeting to another.
#[Object(serial)]
impl MeetingRelation {
    /// How the meetings relate, seen from the meeting that lists this relation.
    async fn kind(&self) -> MeetingRelationKind {
        self.kind_value()
    }

    /// The other meeting.
    async fn meeting(&self) -> Meeting {
        self.meeting_value()
    }
}

/// The value of each field of `MeetingRelation`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl MeetingRelation {
    fn kind_value(&self) -> MeetingRelationKind {
        self.kind
    }

    fn meeting_value(&self) -> Meeting {
        Meeting(self.meeting.clone())
    }
}

impl direct::Object for MeetingRelation {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "kind" => f.put(self.kind_value()),
            "meeting" => f.put(self.meeting_value()),
            _ => f.uncovered(),
        }
    }
}

direct::object_output!(Meeting, Participation, MeetingRelation);
