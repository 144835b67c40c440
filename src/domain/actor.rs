//! The parties to a process or a meeting: states and organisations.

use super::{Note, Slug};
use serde::{Deserialize, Serialize};

/// The continent a state belongs to, as the process groups its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Continent {
    /// African states.
    Africa,
    /// European states.
    Europe,
}

/// A state: a member, signatory, host or chair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Lower-case ISO 3166-1 alpha-2 code (`ke`).
    pub slug: Slug,
    /// The English short name.
    pub name: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub iso2: String,
    /// ISO 3166-1 alpha-3, upper case.
    pub iso3: String,
    /// Africa or Europe.
    pub continent: Continent,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks: inferences, conflicts, editorial notes.
    pub notes: Vec<Note>,
}

/// An international organisation or institution with a role in a process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Acronym-based key (`icmpd`, `auc`).
    pub slug: Slug,
    /// The full name.
    pub name: String,
    /// The acronym, where it has one.
    pub acronym: Option<String>,
    /// One sentence on what it is, in this dataset's words.
    pub description: Option<String>,
    /// The organisation it is a part of (a directorate-general of the European Commission).
    pub part_of: Option<Slug>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// Which kind of actor a slug names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// A [`State`].
    State,
    /// An [`Organization`].
    Organization,
}
