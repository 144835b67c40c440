//! A copy of the dataset that one write edits, with the lookups and rules edits share.

use super::CurationError;
use crate::catalog::fold;
use crate::domain::{
    self, Chairmanship, Collection, Commitment, Dataset, Document, Meeting, Membership, Organization, PartialDate,
    Person, Process, Record, Slug, Source, State, MAX_SLUG_LEN,
};
use serde::Serialize;
use std::sync::Arc;

/// A source as a write names it: reused when the dataset already has it, created otherwise.
#[derive(Debug, Clone, Default)]
pub struct SourceDraft {
    /// A short title of the document or page.
    pub title: String,
    /// The page's address.
    pub url: Option<String>,
    /// Who published it.
    pub publisher: Option<String>,
    /// When it was published.
    pub published: Option<PartialDate>,
    /// A file name or other reference.
    pub reference: Option<String>,
}

/// The dataset as one write edits it. Nothing here is stored until the whole edit has passed
/// validation.
pub struct Draft {
    ds: Dataset,
    deleted: Option<(Collection, String)>,
    /// The records this edit created, was handed to change or deleted, so that checks of what a
    /// write brings in, and the store's diff, look at those alone, not at the whole record.
    touched: Vec<(Collection, String)>,
}

impl Draft {
    pub(super) fn new(ds: Dataset) -> Draft {
        Draft { ds, deleted: None, touched: Vec::new() }
    }

    /// The dataset as edited so far.
    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }

    /// The edited dataset, once the edit is done.
    pub(super) fn into_dataset(self) -> Dataset {
        self.ds
    }

    /// Every record this edit may have changed: those it created, was handed to change or
    /// deleted. An edit changes records only through this type, and never changes a key, so no
    /// other record can differ from the dataset the draft began as.
    pub(super) fn touched(&self) -> &[(Collection, String)] {
        &self.touched
    }

    /// The record this edit deletes, if it deletes one.
    pub(super) fn deleted(&self) -> Option<(Collection, &str)> {
        self.deleted.as_ref().map(|(c, k)| (*c, k.as_str()))
    }

    /// Parses a slug given in the input field `field`.
    pub fn slug(field: &str, s: &str) -> Result<Slug, CurationError> {
        Slug::parse(s).map_err(|e| {
            CurationError::Invalid(format!("{field}: '{}' is not a slug: {e}", s.chars().take(60).collect::<String>()))
        })
    }

    /// The record of type `T` with key `key`.
    pub fn get<T: Record>(&self, key: &str) -> Result<&T, CurationError> {
        T::all(&self.ds).iter().find(|r| r.key() == key).map(|r| &**r).ok_or_else(|| not_found::<T>(key))
    }

    /// The record of type `T` with key `key`, to change.
    pub fn get_mut<T: Record>(&mut self, key: &str) -> Result<&mut T, CurationError> {
        let record = T::all_mut(&mut self.ds).iter_mut().find(|r| r.key() == key).ok_or_else(|| not_found::<T>(key))?;
        self.touched.push((T::COLLECTION, key.to_owned()));
        Ok(Arc::make_mut(record))
    }

    /// Whether a record of type `T` has this key.
    pub fn has<T: Record>(&self, key: &str) -> bool {
        T::all(&self.ds).iter().any(|r| r.key() == key)
    }

    /// Adds a new record; a record with the same key is a conflict.
    pub fn insert<T: Record>(&mut self, record: T) -> Result<(), CurationError> {
        if self.has::<T>(record.key()) {
            return Err(CurationError::Conflict(format!(
                "a {} with the key '{}' already exists",
                T::COLLECTION.noun(),
                record.key()
            )));
        }
        self.touched.push((T::COLLECTION, record.key().to_owned()));
        T::all_mut(&mut self.ds).push(Arc::new(record));
        Ok(())
    }

    /// Removes a record. Records that still refer to it make the write fail validation, which
    /// names them.
    pub fn remove<T: Record>(&mut self, key: &str) -> Result<T, CurationError> {
        let all = T::all_mut(&mut self.ds);
        let at = all.iter().position(|r| r.key() == key).ok_or_else(|| not_found::<T>(key))?;
        self.deleted = Some((T::COLLECTION, key.to_owned()));
        self.touched.push((T::COLLECTION, key.to_owned()));
        Ok(Arc::unwrap_or_clone(all.remove(at)))
    }

    /// The first free key of the form `base`, `base-2`, `base-3`, ... for a record of type `T`.
    pub fn free_key<T: Record>(&self, base: &Slug) -> Slug {
        (1..)
            .map(|n| if n == 1 { base.clone() } else { suffixed(base, n) })
            .find(|s| !self.has::<T>(s.as_str()))
            .unwrap_or_else(|| base.clone())
    }

    /// The slugs of the sources a write names, reusing a source the dataset already has (same
    /// address, or same title, publisher and date when there is no address) and creating the
    /// others. An empty list is refused: every record needs a source.
    pub fn cite(&mut self, drafts: Vec<SourceDraft>) -> Result<Vec<Slug>, CurationError> {
        if drafts.is_empty() {
            return Err(CurationError::Invalid("sources: every record needs at least one source".into()));
        }
        let mut out: Vec<Slug> = Vec::new();
        for (i, d) in drafts.into_iter().enumerate() {
            let slug = self.cite_one(i, d)?;
            if !out.contains(&slug) {
                out.push(slug);
            }
        }
        Ok(out)
    }

    fn cite_one(&mut self, i: usize, d: SourceDraft) -> Result<Slug, CurationError> {
        let title = d.title.trim().to_owned();
        if title.is_empty() {
            return Err(CurationError::Invalid(format!("sources[{i}].title: a source needs a title")));
        }
        let url = d.url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        if url.as_deref().is_some_and(|u| !domain::is_web_address(u)) {
            return Err(CurationError::Invalid(format!("sources[{i}].url: {}", domain::WEB_ADDRESS_RULE)));
        }
        let existing = self.ds.sources.iter().find(|s| match &url {
            Some(u) => s.url.as_deref() == Some(u.as_str()),
            None => s.url.is_none() && s.title == title && s.publisher == d.publisher && s.published == d.published,
        });
        if let Some(s) = existing {
            return Ok(s.slug.clone());
        }
        let base = source_slug(url.as_deref(), &title).ok_or_else(|| {
            CurationError::Invalid(format!("sources[{i}]: no key can be made from its title or address"))
        })?;
        let slug = self.free_key::<Source>(&base);
        self.insert(Source {
            slug: slug.clone(),
            title,
            url,
            publisher: d.publisher,
            published: d.published,
            reference: d.reference,
            archived: None,
            archived_at: None,
            not_archived: None,
        })?;
        Ok(slug)
    }

    /// Refuses text that XML 1.0 and JSON consumers cannot take (see [`domain::forbidden_char`])
    /// in any string of a record this edit created or changed: the exports must stay readable by
    /// every parser, whatever a curator sends.
    pub(super) fn check_text(&self) -> Result<(), CurationError> {
        fn check<T: Record + Serialize>(draft: &Draft) -> Result<(), CurationError> {
            for (_, key) in draft.touched.iter().filter(|(c, _)| *c == T::COLLECTION) {
                let Some(record) = T::all(&draft.ds).iter().find(|r| r.key() == key) else { continue };
                let value = serde_json::to_value(record)
                    .map_err(|e| CurationError::Internal(format!("a record could not be read back: {e}")))?;
                if let Some((path, c)) = forbidden_in(&value, String::new()) {
                    return Err(CurationError::Invalid(format!(
                        "{} '{key}': {path}: contains U+{:04X}, a character that XML and JSON consumers \
                         cannot take (control characters other than tab and line breaks, and noncharacters)",
                        T::COLLECTION.noun(),
                        c as u32
                    )));
                }
            }
            Ok(())
        }
        check::<Source>(self)?;
        check::<State>(self)?;
        check::<Organization>(self)?;
        check::<Process>(self)?;
        check::<Membership>(self)?;
        check::<Chairmanship>(self)?;
        check::<Meeting>(self)?;
        check::<Document>(self)?;
        check::<Commitment>(self)?;
        check::<Person>(self)
    }
}

/// The first forbidden character in any string (or object key) of `v`, with its field path.
fn forbidden_in(v: &serde_json::Value, path: String) -> Option<(String, char)> {
    use serde_json::Value;
    match v {
        Value::String(s) => domain::forbidden_char(s).map(|c| (path, c)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| forbidden_in(x, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, x)| {
            let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            domain::forbidden_char(k).map(|c| (here.clone(), c)).or_else(|| forbidden_in(x, here))
        }),
        _ => None,
    }
}

fn not_found<T: Record>(key: &str) -> CurationError {
    CurationError::NotFound(format!(
        "no {} has the key '{}'",
        T::COLLECTION.noun(),
        key.chars().take(100).collect::<String>()
    ))
}

/// `base-n`, shortened so that the suffix fits in a slug.
fn suffixed(base: &Slug, n: u32) -> Slug {
    let suffix = format!("-{n}");
    Slug::derive(&base.as_str()[..base.as_str().len().min(MAX_SLUG_LEN - suffix.len())], MAX_SLUG_LEN)
        .and_then(|b| Slug::parse(&format!("{b}{suffix}")).ok())
        .unwrap_or_else(|| base.clone())
}

/// The key of a new source, by the rule the seed files follow: the address without its scheme
/// and `www.`, folded to a slug of at most 90 characters; the title when there is no address.
pub fn source_slug(url: Option<&str>, title: &str) -> Option<Slug> {
    match url {
        Some(u) => {
            let u = u.trim().to_ascii_lowercase();
            let u = u.split_once("://").map_or(u.as_str(), |(_, rest)| rest);
            Slug::derive(u.strip_prefix("www.").unwrap_or(u), 90)
        }
        None => Slug::derive(&fold(title), 90),
    }
}

/// A key derived from names, such as a state's name in a chair term's slug.
pub fn name_slug(name: &str) -> Option<Slug> {
    Slug::derive(&fold(name), MAX_SLUG_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_keys_follow_the_seed_rule() {
        let s = source_slug(Some("https://www.khartoumprocess.net/about/"), "x").unwrap();
        assert_eq!(s.as_str(), "khartoumprocess-net-about");
        assert_eq!(source_slug(None, "Chair's Summary, Cairo").unwrap().as_str(), "chair-s-summary-cairo");
    }

    #[test]
    fn a_suffixed_key_stays_a_slug_within_the_length_limit() {
        let base = Slug::parse(&"a".repeat(MAX_SLUG_LEN)).unwrap();
        let s = suffixed(&base, 12);
        assert!(s.as_str().ends_with("-12") && s.as_str().len() == MAX_SLUG_LEN, "{s}");
    }
}
