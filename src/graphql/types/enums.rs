//! GraphQL enums, each mirroring a domain enum (`remote`), with the descriptions users read.

use crate::domain;
use async_graphql::Enum;

/// The continent of a state.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::Continent")]
pub enum Continent {
    /// An African state.
    Africa,
    /// A European state.
    Europe,
}

/// An actor's role in a process.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::MembershipRole")]
pub enum MembershipRole {
    /// A member; for states, a participating state of the process.
    Member,
    /// A member of the steering committee, which steers the process between ministerial conferences.
    SteeringCommittee,
    /// In charge of the secretariat, or supporting it.
    Secretariat,
    /// A partner organisation that takes part in the dialogue regularly.
    Partner,
    /// An observer.
    Observer,
}

/// What a membership's `since` is when it is not the day the membership began.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::SinceQualifier")]
pub enum SinceQualifier {
    /// The membership began on or before `since`: the date of the first source that lists it.
    NoLaterThan,
    /// The membership began on or after `since`, at a time no source states.
    NoEarlierThan,
}

/// The format of a meeting.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::MeetingKind")]
pub enum MeetingKind {
    /// A conference of ministers; it adopts declarations and action plans.
    MinisterialConference,
    /// A senior officials' meeting (SOM); chairmanship handovers usually happen at one.
    SeniorOfficialsMeeting,
    /// A meeting of the steering committee.
    SteeringCommitteeMeeting,
    /// A technical meeting on one theme.
    ThematicMeeting,
    /// A smaller, hands-on workshop on one theme.
    ThematicWorkshop,
    /// A training for practitioners.
    Training,
    /// A webinar.
    Webinar,
    /// An online meeting that is not a webinar.
    VirtualMeeting,
    /// A roundtable discussion.
    Roundtable,
    /// A summit of heads of state or government.
    Summit,
}

/// An actor's role at a meeting.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::MeetingRole")]
pub enum MeetingRole {
    /// Hosted the meeting.
    Host,
    /// Co-hosted the meeting.
    CoHost,
    /// Chaired the meeting.
    Chair,
    /// Co-chaired the meeting.
    CoChair,
    /// Organised the meeting without hosting or chairing it (for instance an implementing organisation).
    Organiser,
    /// Took part in no other role, where a source lists the participants.
    Participant,
}

/// How a meeting relates to another.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::RelationKind")]
pub enum MeetingRelationKind {
    /// This meeting builds on the other one.
    BuildsOn,
    /// The other meeting builds on this one.
    BuiltUponBy,
    /// The other meeting followed up this one.
    FollowedBy,
    /// This meeting followed up the other one.
    PrecededBy,
    /// Both meetings belong to one series.
    PartOfSeries,
}

/// What kind of document.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::DocumentKind")]
pub enum DocumentKind {
    /// A political declaration.
    Declaration,
    /// An action plan, with domains and commitments.
    ActionPlan,
    /// A memorandum of understanding between organisations.
    MemorandumOfUnderstanding,
    /// A report a process wrote for a meeting: an analysis of its work, not adopted by anyone;
    /// `adopted` is then the month of the meeting it was written for.
    Report,
}

/// Whether an action-plan item is a cross-cutting approach or a numbered commitment.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::CommitmentKind")]
pub enum CommitmentKind {
    /// An approach that applies across all domains.
    CrossCuttingApproach,
    /// A numbered commitment within one domain.
    Commitment,
}

/// What a note says about its record.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "domain::NoteKind")]
pub enum NoteKind {
    /// The value is inferred, not stated by a source; the note gives the basis.
    Inferred,
    /// Sources disagree; the note says which value was kept and what the others say.
    Conflict,
    /// An editorial remark of this dataset (a classification, a repair of a text).
    Editorial,
}
