//! Names in the languages the process works in.

use super::Slug;

/// A language the record gives names in: the working languages of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// English, the language of the record itself.
    En,
    /// French.
    Fr,
    /// Arabic.
    Ar,
}

/// A record's name in one language, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedName {
    /// The language.
    pub lang: Language,
    /// The name, as the source writes it.
    pub text: String,
    /// The sources that give it.
    pub sources: Vec<Slug>,
}
