//! Slugs: the stable, human-readable keys of every record.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest slug we accept; long enough for any title-derived key, short enough to log.
pub const MAX_SLUG_LEN: usize = 100;

/// A validated slug: lower-case ASCII letters and digits in groups joined by single hyphens
/// (`2021-11-geneva-return`, `khartoum-process`, `ke`).
///
/// Constructed only through [`Slug::parse`], so a `Slug` in hand is always well-formed.
///
/// Deserialising goes through [`Slug::parse`] too (the encoding is the plain string's), so a
/// slug read back from the store or from JSON cannot hold what `parse` refuses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Slug(String);

impl TryFrom<String> for Slug {
    type Error = SlugError;

    fn try_from(s: String) -> Result<Self, SlugError> {
        Slug::parse(&s)
    }
}

/// Why a string is not a slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    /// The string is empty.
    #[error("a slug cannot be empty")]
    Empty,
    /// The string is longer than [`MAX_SLUG_LEN`].
    #[error("a slug has at most {MAX_SLUG_LEN} characters")]
    TooLong,
    /// The string has a character or hyphen placement a slug cannot have.
    #[error("a slug has only lower-case letters a-z, digits and single hyphens between them")]
    Malformed,
}

impl Slug {
    /// Parses a slug, rejecting anything but `^[a-z0-9]+(-[a-z0-9]+)*$` of at most 100 characters.
    pub fn parse(s: &str) -> Result<Self, SlugError> {
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if s.len() > MAX_SLUG_LEN {
            return Err(SlugError::TooLong);
        }
        let well_formed = s
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        if !well_formed {
            return Err(SlugError::Malformed);
        }
        Ok(Slug(s.to_owned()))
    }

    /// Derives a slug from text already folded to lower case without accents: every run of
    /// other characters becomes one hyphen, and the result is cut to `max` characters at most
    /// (never more than [`MAX_SLUG_LEN`]). `None` if nothing usable is left.
    pub fn derive(text: &str, max: usize) -> Option<Slug> {
        let mut out = String::new();
        for c in text.chars() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        out.truncate(max.min(MAX_SLUG_LEN));
        Slug::parse(out.trim_end_matches('-')).ok()
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for Slug {
    fn borrow(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_slugs_are_well_formed_and_bounded() {
        let d = |s: &str, max| Slug::derive(s, max).map(|s| s.to_string());
        assert_eq!(d("https://www.example.org/a b/?x=1", 100).as_deref(), Some("https-www-example-org-a-b-x-1"));
        assert_eq!(d("  --united kingdom--  ", 100).as_deref(), Some("united-kingdom"));
        assert_eq!(d("abc-def", 4).as_deref(), Some("abc"));
        assert_eq!(d("---", 100), None);
        assert_eq!(d(&"a".repeat(300), 500).map(|s| s.len()), Some(MAX_SLUG_LEN));
    }

    #[test]
    fn slug_accepts_lower_case_words_joined_by_hyphens() {
        for ok in ["ke", "khartoum-process", "2021-11-geneva-return", "a1-b2-c3"] {
            assert_eq!(Slug::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn slug_rejects_bad_shapes_with_the_reason() {
        let cases = [
            ("", SlugError::Empty),
            ("Kenya", SlugError::Malformed),
            ("-ke", SlugError::Malformed),
            ("ke-", SlugError::Malformed),
            ("k--e", SlugError::Malformed),
            ("k e", SlugError::Malformed),
            ("ké", SlugError::Malformed),
            ("a\u{0}b", SlugError::Malformed),
        ];
        for (input, err) in cases {
            assert_eq!(Slug::parse(input), Err(err), "{input:?}");
        }
        assert_eq!(Slug::parse(&"a".repeat(101)), Err(SlugError::TooLong));
    }
}
