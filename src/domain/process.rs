//! Processes, the memberships in them, and their chairmanships.

use super::{Note, PartialDate, Slug};
use serde::{Deserialize, Serialize};

/// A regional migration dialogue: the Khartoum Process, the Rabat Process, or the AU-Horn of
/// Africa Initiative that some pages confuse with the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    /// `khartoum-process`, `rabat-process`, `au-horn-of-africa-initiative`.
    pub slug: Slug,
    /// The usual name.
    pub name: String,
    /// The official or alternative name.
    pub alias: Option<String>,
    /// When it was established.
    pub established: Option<PartialDate>,
    /// A short description in this dataset's words.
    pub description: Option<String>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// An actor's role in a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MembershipRole {
    /// A member (for states: a participating state).
    Member,
    /// A member of the steering committee.
    SteeringCommittee,
    /// In charge of, or supporting, the secretariat.
    Secretariat,
    /// A partner organisation that takes part in the dialogue.
    Partner,
    /// An observer.
    Observer,
}

/// An actor's place in a process over a span of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// `<process>-<role>-<actor>`, with a numeric suffix for a later span.
    pub slug: Slug,
    /// The process.
    pub process: Slug,
    /// The state or organisation.
    pub actor: Slug,
    /// The role held.
    pub role: MembershipRole,
    /// From when, where known.
    pub since: Option<PartialDate>,
    /// Until when, where known; `None` while it lasts or when unknown.
    pub until: Option<PartialDate>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// A state's term as chair of a process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chairmanship {
    /// `<process>-<start year>-<state>`.
    pub slug: Slug,
    /// The process chaired.
    pub process: Slug,
    /// The chairing state.
    pub chair: Slug,
    /// When the term began.
    pub start: Option<PartialDate>,
    /// When it ended; `None` while it runs.
    pub end: Option<PartialDate>,
    /// The person who chaired on the state's behalf, where named.
    pub chairperson: Option<String>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}
