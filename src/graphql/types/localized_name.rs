//! The `Language` enum and the `LocalizedName` type: names of states, organisations, processes
//! and documents in the working languages of the process, and the one rule `name(lang:)` follows
//! on every type that has it.

use super::*;
use crate::domain::{self, Collection, Slug};
use crate::seed::reference;
use async_graphql::{Enum, Object};

/// A language names are given in: the working languages of the Khartoum Process.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Language {
    /// English, the language of the record.
    En,
    /// French.
    Fr,
    /// Arabic.
    Ar,
}

impl From<Language> for domain::Language {
    fn from(l: Language) -> Self {
        match l {
            Language::En => domain::Language::En,
            Language::Fr => domain::Language::Fr,
            Language::Ar => domain::Language::Ar,
        }
    }
}

impl From<domain::Language> for Language {
    fn from(l: domain::Language) -> Self {
        match l {
            domain::Language::En => Language::En,
            domain::Language::Fr => Language::Fr,
            domain::Language::Ar => Language::Ar,
        }
    }
}

/// A record's name in one language, with the sources that give it.
pub struct LocalizedName {
    rec: Rec,
    lang: Language,
    text: String,
    sources: Vec<Slug>,
}

/// A record's name in one language, with the sources that give it.
#[Object(serial)]
impl LocalizedName {
    /// The language.
    async fn lang(&self) -> Language {
        self.lang
    }

    /// The name, as the source writes it.
    async fn text(&self) -> &str {
        &self.text
    }

    /// Where the name comes from: the record's own sources for English; for French and Arabic,
    /// the page that writes it, or for states the ISO 3166 translations of Debian's iso-codes.
    async fn sources(&self) -> Vec<Source> {
        self.rec.sources(&self.sources)
    }
}

/// The name of record `key` of `collection` in `lang`: its English name for English, where
/// `lang` is null, and where no source gives one in that language.
pub fn name_in<'a>(collection: Collection, key: &str, english: &'a str, lang: Option<Language>) -> &'a str {
    reference::name_in(collection, key, english, lang.unwrap_or(Language::En).into())
}

/// Every name of a record that a source gives: English (the record's name, with its sources)
/// first, then French and Arabic where a source gives them.
pub fn names(rec: &Rec, collection: Collection, key: &str, english: &str, sources: &[Slug]) -> Vec<LocalizedName> {
    let own =
        LocalizedName { rec: rec.clone(), lang: Language::En, text: english.to_owned(), sources: sources.to_vec() };
    let mut out = vec![own];
    let mut others: Vec<&domain::LocalizedName> = reference::names_of(collection, key).iter().collect();
    others.sort_by_key(|n| match n.lang {
        domain::Language::En => 0,
        domain::Language::Fr => 1,
        domain::Language::Ar => 2,
    });
    out.extend(others.into_iter().map(|n| LocalizedName {
        rec: rec.clone(),
        lang: n.lang.into(),
        text: n.text.clone(),
        sources: n.sources.clone(),
    }));
    out
}
