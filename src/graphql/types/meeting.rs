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
        NodeId::encode("Meeting", self.r().slug.as_str())
    }

    /// Stable key, e.g. '2021-11-geneva-return-reintegration'.
    async fn slug(&self) -> &str {
        self.r().slug.as_str()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Meetings, self.r().slug.as_str()).created_at)
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Meetings, self.r().slug.as_str()).updated_at)
    }

    /// The meeting's name.
    async fn title(&self) -> &str {
        &self.r().title
    }

    /// The meeting's format.
    async fn kind(&self) -> MeetingKind {
        self.r().kind.into()
    }

    /// The first day, at the precision the sources give ("2019", "2019-03" or "2019-03-07").
    async fn start_date(&self) -> PartialDate {
        self.r().start_date
    }

    /// The last day, for a meeting of more than one day.
    async fn end_date(&self) -> Option<PartialDate> {
        self.r().end_date
    }

    /// Whether the meeting was held online.
    async fn online(&self) -> bool {
        self.r().online
    }

    /// The city, for a meeting held in person.
    async fn city(&self) -> Option<&str> {
        self.r().city.as_deref()
    }

    /// Where the meeting was held, on a map: the GeoNames record of its city. Null for a meeting
    /// held online or without a city.
    async fn coordinates(&self) -> Option<Coordinates> {
        self.0.cat.place_of(self.0.ix).map(|place| Coordinates { rec: self.0.clone(), place })
    }

    /// The state the meeting was held in.
    async fn country(&self) -> Option<State> {
        self.r().country.as_ref().and_then(|c| self.0.cat.state(c.as_str())).map(|i| State(self.0.at(i)))
    }

    /// The processes the meeting belonged to.
    async fn processes(&self) -> Vec<Process> {
        self.0.processes(&self.r().processes)
    }

    /// Who hosted, co-hosted, chaired, co-chaired or organised the meeting.
    async fn participations(
        &self,
        #[graphql(desc = "Only these roles (all when omitted).")] roles: Option<Vec<MeetingRole>>,
    ) -> Vec<Participation> {
        let roles: Vec<domain::MeetingRole> = roles.unwrap_or_default().into_iter().map(Into::into).collect();
        (0..self.r().participations.len())
            .filter(|&i| roles.is_empty() || roles.contains(&self.r().participations[i].role))
            .map(|i| Participation { meeting: self.0.clone(), index: i })
            .collect()
    }

    /// The hosts.
    async fn hosts(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::Host)
    }

    /// The co-hosts.
    async fn co_hosts(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::CoHost)
    }

    /// The chairs.
    async fn chairs(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::Chair)
    }

    /// The co-chairs.
    async fn co_chairs(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::CoChair)
    }

    /// The organisers.
    async fn organisers(&self) -> Vec<Actor> {
        self.with_role(domain::MeetingRole::Organiser)
    }

    /// The chair's term of each of the meeting's processes in which it took place. A meeting on a
    /// handover day, or one dated only to the month or year, lists every term it may fall in.
    async fn chairmanships(&self) -> Vec<Chairmanship> {
        let (from, to) = self.0.cat.meeting_start_span(self.0.ix);
        self.r()
            .processes
            .iter()
            .flat_map(|p| self.0.cat.chairs_during(p.as_str(), from, to))
            .map(|t| Chairmanship(self.0.at(t)))
            .collect()
    }

    /// Approximate number of participants, where a source states one.
    async fn attendance(&self) -> Option<i32> {
        self.r().attendance.map(|a| i32::try_from(a).unwrap_or(i32::MAX))
    }

    /// A short summary written for this dataset.
    async fn summary(&self) -> Option<&str> {
        self.r().summary.as_deref()
    }

    /// Editorial classification, not a statement of any source: the action-plan domains the
    /// meeting dealt with, as domains of the Cairo Action Plan (whose five domains line up with
    /// those of the Joint Valletta Action Plan).
    async fn domains(&self) -> Vec<Domain> {
        let Some(doc) = self.0.cat.document(REFERENCE_PLAN) else { return Vec::new() };
        self.r().domains.iter().map(|&number| Domain { doc: self.0.at(doc), number }).collect()
    }

    /// Meetings this one relates to: what it builds on or follows up, and what built on or
    /// followed it; chronological.
    async fn related(&self) -> Vec<MeetingRelation> {
        self.0
            .cat
            .relations_of(self.0.ix)
            .iter()
            .map(|&(kind, m)| MeetingRelation { kind: kind.into(), meeting: self.0.at(m) })
            .collect()
    }

    /// Documents adopted at this meeting.
    async fn adopted_documents(&self) -> Vec<Document> {
        self.0.cat.adopted_at(self.0.ix).iter().map(|&d| Document(self.0.at(d))).collect()
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    /// Remarks on the record: inferred values (a year missing from a source), conflicts between
    /// sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
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
    /// Participation `index` of the meeting `meeting`.
    pub(crate) fn new(meeting: Rec, index: usize) -> Participation {
        Participation { meeting, index }
    }

    fn r(&self) -> &domain::Participation {
        &self.meeting.cat.ds.meetings[self.meeting.ix].participations[self.index]
    }
}

/// An actor's role at a meeting: the edge behind hosts, co-hosts and chairs.
#[Object(serial)]
impl Participation {
    /// The state or organisation.
    async fn actor(&self) -> ApiResult<Actor> {
        let a = &self.r().actor;
        self.meeting.must(self.meeting.actor(a.as_str()), a.as_str())
    }

    /// The role held.
    async fn role(&self) -> MeetingRole {
        self.r().role.into()
    }

    /// The meeting.
    async fn meeting(&self) -> Meeting {
        Meeting(self.meeting.clone())
    }

    /// The person who acted for the actor, where a source names one: the name as the sources
    /// give it (two names are separated by a semicolon). `people` gives their records.
    async fn person(&self) -> Option<&str> {
        self.r().person.as_deref()
    }

    /// The records of the people who acted for the actor, with their posts.
    async fn people(&self) -> ApiResult<Vec<Person>> {
        let cat = &self.meeting.cat;
        let found = self.r().people.iter().map(|p| self.meeting.must(cat.person(p.as_str()), p.as_str()));
        found.map(|i| Ok(Person(self.meeting.at(i?)))).collect()
    }

    /// Whether the role is inferred rather than stated by a source; `note` gives the basis.
    async fn inferred(&self) -> bool {
        self.r().inferred
    }

    /// A remark on this participation, such as the basis of an inference.
    async fn note(&self) -> Option<&str> {
        self.r().note.as_deref()
    }

    /// Where this participation is stated: its own sources, or else the meeting's.
    async fn sources(&self) -> Vec<Source> {
        let own = &self.r().sources;
        let meeting = &self.meeting.cat.ds.meetings[self.meeting.ix];
        self.meeting.sources(if own.is_empty() { &meeting.sources } else { own })
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
        self.kind
    }

    /// The other meeting.
    async fn meeting(&self) -> Meeting {
        Meeting(self.meeting.clone())
    }
}
