//! Notes and sources: how every record says where its facts come from.

use super::{PartialDate, Slug};
use serde::{Deserialize, Serialize};

/// Where a fact comes from: one of the source documents, or a public web page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The key records cite it by.
    pub slug: Slug,
    /// A short title of the document or page.
    pub title: String,
    /// The page's public address, when it is a web page.
    pub url: Option<String>,
    /// Who published it.
    pub publisher: Option<String>,
    /// When it was published, where known.
    pub published: Option<PartialDate>,
    /// A file name of the source documents, or the page's address.
    pub reference: Option<String>,
    /// The path, in the repository, of the copy of its text that the record keeps, so that a
    /// reader can check a fact without the web (`sources/pages/<slug>.txt`).
    pub archived: Option<String>,
    /// When the archived text was read.
    pub archived_at: Option<PartialDate>,
    /// Why no copy of the text is kept, for a source that has none.
    pub not_archived: Option<String>,
}

/// What a [`Note`] says about its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NoteKind {
    /// A value that no source states outright, with the basis for inferring it.
    Inferred,
    /// Sources disagree: which value was kept and what the others say.
    Conflict,
    /// An editorial remark of this dataset's (a classification, a repair of the text).
    Editorial,
}

/// A remark attached to a record or one of its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// What kind of remark this is.
    pub kind: NoteKind,
    /// The field the note is about, as named in the seed files (`startDate`), if any.
    pub field: Option<String>,
    /// The remark, in this dataset's own words.
    pub text: String,
    /// Sources behind the remark, when they differ from the record's.
    pub sources: Vec<Slug>,
}
