//! Declarations and action plans, their domains and their commitments.

use super::{Note, PartialDate, Slug};
use serde::{Deserialize, Serialize};

/// What kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentKind {
    /// A political declaration.
    Declaration,
    /// An action plan with domains and commitments.
    ActionPlan,
    /// A memorandum of understanding between organisations.
    MemorandumOfUnderstanding,
    /// A report a process wrote for a meeting: an analysis of its work, not adopted by anyone.
    Report,
}

/// A numbered domain of an action plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// 1 to 5.
    pub number: u8,
    /// The domain's title as the document gives it.
    pub title: String,
}

/// A declaration or action plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// `rome-declaration`, `cairo-action-plan`, …
    pub slug: Slug,
    /// The document's title.
    pub title: String,
    /// Declaration or action plan.
    pub kind: DocumentKind,
    /// When it was adopted, signed (a memorandum) or presented (a report).
    pub adopted: Option<PartialDate>,
    /// The meeting that adopted it (slug).
    pub adopted_at: Option<Slug>,
    /// The processes it belongs to.
    pub processes: Vec<Slug>,
    /// Its numbered domains (action plans).
    pub domains: Vec<Domain>,
    /// A short summary in this dataset's words.
    pub summary: Option<String>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}

/// Whether an item of an action plan is a cross-cutting approach or a numbered commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CommitmentKind {
    /// One of the approaches that apply across all domains.
    CrossCuttingApproach,
    /// A numbered commitment within a domain.
    Commitment,
}

/// An item of an action plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    /// `cap-4.2` or `cap-approach-3`.
    pub code: String,
    /// Approach or commitment.
    pub kind: CommitmentKind,
    /// The document (slug).
    pub document: Slug,
    /// The domain number, for a commitment.
    pub domain: Option<u8>,
    /// Its number within the domain, or among the approaches.
    pub number: Option<u8>,
    /// A short title, where the document gives one.
    pub title: Option<String>,
    /// The adopted text.
    pub text: String,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}
