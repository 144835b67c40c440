//! Meetings, who took part in what role, and how meetings relate to each other.

use super::{Note, PartialDate, Slug};
use serde::{Deserialize, Serialize};

/// The format of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MeetingKind {
    /// A conference of ministers.
    MinisterialConference,
    /// A senior officials' meeting (SOM).
    SeniorOfficialsMeeting,
    /// A meeting of the steering committee.
    SteeringCommitteeMeeting,
    /// A thematic meeting.
    ThematicMeeting,
    /// A thematic workshop.
    ThematicWorkshop,
    /// A training.
    Training,
    /// A webinar.
    Webinar,
    /// An online meeting that is not a webinar.
    VirtualMeeting,
    /// A roundtable.
    Roundtable,
    /// A summit of heads of state or government.
    Summit,
}

/// An actor's role at a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MeetingRole {
    /// Hosted the meeting.
    Host,
    /// Co-hosted it.
    CoHost,
    /// Chaired it.
    Chair,
    /// Co-chaired it.
    CoChair,
    /// Organised it (for instance a secretariat or an implementing organisation).
    Organiser,
    /// Took part, as a source listing the participants says, in no other role.
    Participant,
}

impl MeetingRole {
    /// Every role, in a fixed order.
    pub const ALL: [MeetingRole; 6] = [
        MeetingRole::Host,
        MeetingRole::CoHost,
        MeetingRole::Chair,
        MeetingRole::CoChair,
        MeetingRole::Organiser,
        MeetingRole::Participant,
    ];

    /// The roles that make actors partners of each other: they organised the meeting together.
    pub fn is_organising(self) -> bool {
        matches!(self, MeetingRole::Host | MeetingRole::CoHost | MeetingRole::Chair | MeetingRole::CoChair)
    }
}

/// An actor's role at one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    /// The state or organisation.
    pub actor: Slug,
    /// The role held.
    pub role: MeetingRole,
    /// The person who acted for the actor, as the sources name them, where a source does.
    pub person: Option<String>,
    /// The people (slugs) who acted for the actor: the records behind `person`.
    pub people: Vec<Slug>,
    /// Whether the role is inferred rather than stated.
    pub inferred: bool,
    /// A remark, for instance the basis of an inference.
    pub note: Option<String>,
    /// Sources of this participation; empty means the meeting's own.
    pub sources: Vec<Slug>,
}

/// How one meeting relates to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RelationKind {
    /// This meeting builds on the other.
    BuildsOn,
    /// The other meeting built on this one (the inverse of `BuildsOn`).
    BuiltUponBy,
    /// The other meeting followed up this one.
    FollowedBy,
    /// This meeting followed up the other.
    PrecededBy,
    /// Both belong to one series.
    PartOfSeries,
}

impl RelationKind {
    /// The relation as seen from the other meeting.
    pub fn inverse(self) -> Self {
        match self {
            RelationKind::BuildsOn => RelationKind::BuiltUponBy,
            RelationKind::BuiltUponBy => RelationKind::BuildsOn,
            RelationKind::FollowedBy => RelationKind::PrecededBy,
            RelationKind::PrecededBy => RelationKind::FollowedBy,
            RelationKind::PartOfSeries => RelationKind::PartOfSeries,
        }
    }
}

/// A link from one meeting to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// How they relate.
    pub kind: RelationKind,
    /// The other meeting.
    pub meeting: Slug,
}

/// The most participations (hosts, chairs, organisers, ...) one meeting may list. The read model
/// pairs every two organisers of a meeting (the co-host network), so the work a meeting costs
/// grows with the square of this; the largest gathering the record knows of lists far fewer.
pub const MAX_PARTICIPATIONS: usize = 200;

/// A meeting of a process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// `<yyyy>-<mm>-<place>-<topic>`.
    pub slug: Slug,
    /// The meeting's name.
    pub title: String,
    /// Its format.
    pub kind: MeetingKind,
    /// First day, at the precision known.
    pub start_date: PartialDate,
    /// Last day, for meetings of more than one day.
    pub end_date: Option<PartialDate>,
    /// Held online.
    pub online: bool,
    /// The city, for a meeting in person.
    pub city: Option<String>,
    /// The state it was held in (slug).
    pub country: Option<Slug>,
    /// The processes it belonged to.
    pub processes: Vec<Slug>,
    /// Hosts, co-hosts, chairs, co-chairs and organisers.
    pub participations: Vec<Participation>,
    /// Approximate number of participants, where a source states one.
    pub attendance: Option<u32>,
    /// A short summary in this dataset's words.
    pub summary: Option<String>,
    /// Editorial classification: the action-plan domains (1-5) it dealt with.
    pub domains: Vec<u8>,
    /// Links to other meetings, as recorded on this one.
    pub related: Vec<Relation>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}

impl Meeting {
    /// The days the meeting may have spanned: from the first day of its start to the last day of
    /// its end (or of its start, when it has no end).
    pub fn interval(&self) -> (chrono::NaiveDate, chrono::NaiveDate) {
        (self.start_date.first_day(), self.end_date.unwrap_or(self.start_date).last_day())
    }
}
