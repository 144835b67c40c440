//! Text matching: folding for case- and accent-insensitive comparison, and the search terms of
//! a text (folded words reduced to their English stems).

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

/// Lower-cases a text and strips accents (NFKD, then combining marks removed), so that
/// "Côte d'Ivoire" and "cote d'ivoire" compare equal. In Arabic script the same removes the
/// diacritics (harakat, shadda) and the hamza and madda of the alef variants (أ إ آ), and
/// [`fold_arabic`] evens out the remaining spelling variants, so "السّودان" and "السودان" match.
pub fn fold(s: &str) -> String {
    // Most of the record is plain ASCII, where decomposition changes nothing and lower-casing is
    // a byte map: this path is the bulk of building the read model at 1000× the record.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    fold_unicode(s)
}

fn fold_unicode(s: &str) -> String {
    s.nfkd().filter(|c| !is_combining_mark(*c)).filter_map(fold_arabic).flat_map(char::to_lowercase).collect()
}

/// The usual normalisation of Arabic spelling variants that NFKD leaves: alef wasla to alef, taa
/// marbuta to haa, alef maksura to yaa, and the tatweel (a stretching stroke) dropped.
fn fold_arabic(c: char) -> Option<char> {
    match c {
        '\u{0671}' => Some('\u{0627}'),
        '\u{0629}' => Some('\u{0647}'),
        '\u{0649}' => Some('\u{064A}'),
        '\u{0640}' => None,
        c => Some(c),
    }
}

/// The first character of `s` that XML 1.0 and common JSON consumers cannot take, if any:
/// control characters other than tab, line feed and carriage return (C0, DEL and C1), and
/// Unicode noncharacters (U+FDD0 to U+FDEF, and the last two code points of every plane, such as
/// U+FFFE). Curated text goes into the GraphML and CSV exports, where one such character makes
/// the whole file unreadable. (A Rust string holds no lone surrogate.)
pub fn forbidden_char(s: &str) -> Option<char> {
    s.chars().find(|&c| {
        let n = c as u32;
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
    })
}

/// The search terms of a text: its words (Unicode word boundaries), folded, reduced to their
/// English stems by the Snowball stemmer, each once, in order of first appearance. "Trafficker"
/// and "trafficking" both give `traffick`.
pub fn terms(text: &str) -> Vec<String> {
    let stemmer = Stemmer::create(Algorithm::English);
    let folded = fold(text);
    let mut out: Vec<String> = Vec::new();
    for word in folded.unicode_words() {
        // "d'Ivoire" is one word to the segmenter; its parts are the terms people type.
        for part in word.split(['\'', '\u{2019}']).filter(|p| !p.is_empty()) {
            let term = stemmer.stem(part).into_owned();
            if !out.contains(&term) {
                out.push(term);
            }
        }
    }
    out
}

/// Where a search term was found in a record: its name or title weighs more than its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// A name, title, acronym or code.
    Title,
    /// A summary, description or text.
    Body,
}

/// A record a full-text search can find.
pub trait Searchable {
    /// The texts to index, with the field each belongs to.
    fn texts(&self) -> Vec<(Field, &str)>;

    /// Every distinct (term, field) pair of the record: a term found in both fields appears
    /// once, under `Title`.
    fn search_terms(&self) -> Vec<(String, Field)> {
        let mut out: Vec<(String, Field)> = Vec::new();
        let mut texts = self.texts();
        texts.sort_by_key(|(f, _)| *f);
        for (field, text) in texts {
            for t in terms(text) {
                if !out.iter().any(|(x, _)| *x == t) {
                    out.push((t, field));
                }
            }
        }
        out
    }
}

impl Searchable for super::State {
    fn texts(&self) -> Vec<(Field, &str)> {
        vec![(Field::Title, &self.name), (Field::Title, &self.iso3)]
    }
}

impl Searchable for super::Organization {
    fn texts(&self) -> Vec<(Field, &str)> {
        let mut v = vec![(Field::Title, self.name.as_str())];
        v.extend(self.acronym.as_deref().map(|a| (Field::Title, a)));
        v.extend(self.description.as_deref().map(|d| (Field::Body, d)));
        v
    }
}

impl Searchable for super::Process {
    fn texts(&self) -> Vec<(Field, &str)> {
        let mut v = vec![(Field::Title, self.name.as_str())];
        v.extend(self.alias.as_deref().map(|a| (Field::Title, a)));
        v.extend(self.description.as_deref().map(|d| (Field::Body, d)));
        v
    }
}

impl Searchable for super::Meeting {
    fn texts(&self) -> Vec<(Field, &str)> {
        let mut v = vec![(Field::Title, self.title.as_str())];
        v.extend(self.city.as_deref().map(|c| (Field::Body, c)));
        v.extend(self.summary.as_deref().map(|s| (Field::Body, s)));
        v
    }
}

impl Searchable for super::Document {
    fn texts(&self) -> Vec<(Field, &str)> {
        let mut v = vec![(Field::Title, self.title.as_str())];
        v.extend(self.summary.as_deref().map(|s| (Field::Body, s)));
        v
    }
}

impl Searchable for super::Commitment {
    fn texts(&self) -> Vec<(Field, &str)> {
        let mut v = vec![(Field::Title, self.code.as_str())];
        v.extend(self.title.as_deref().map(|t| (Field::Title, t)));
        v.push((Field::Body, &self.text));
        v
    }
}

impl Searchable for super::Person {
    fn texts(&self) -> Vec<(Field, &str)> {
        let mut v = vec![(Field::Title, self.name.as_str())];
        v.extend(self.posts.iter().map(|p| (Field::Body, p.title.as_str())));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_folded_english_stems() {
        assert_eq!(terms("Traffickers"), terms("trafficking"));
        assert_eq!(terms("Côte d'Ivoire"), ["cote", "d", "ivoir"]);
        assert_eq!(terms("Migration, migrants and MIGRATING"), ["migrat", "migrant", "and"]);
        assert!(terms("  --  ").is_empty());
    }

    #[test]
    fn text_that_xml_cannot_hold_is_found_and_everything_else_passes() {
        for bad in [
            "\u{0}",
            "a\u{1}b",
            "\u{b}",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{fdd0}",
            "\u{fdef}",
            "x\u{fffe}",
            "\u{ffff}",
            "\u{1fffe}",
            "\u{10ffff}",
        ] {
            assert!(forbidden_char(bad).is_some(), "{bad:?} passed");
        }
        for good in [
            "",
            "tab\there",
            "lines\r\nand\n",
            "Côte d'Ivoire",
            "السودان",
            "\u{fdcf}\u{fdf0}\u{fffd}\u{10000}\u{1f600}",
            "\u{a0}",
        ] {
            assert_eq!(forbidden_char(good), None, "{good:?} was refused");
        }
    }

    #[test]
    fn arabic_folding_evens_out_diacritics_alef_variants_and_taa_marbuta() {
        for (a, b) in [
            ("السّودان", "السودان"),
            ("إريتريا", "اريتريا"),
            ("أوروبا", "اوروبا"),
            ("آسيا", "اسيا"),
            ("مالطة", "مالطه"),
            ("مصـر", "مصر"),
            ("ٱلخرطوم", "الخرطوم"),
        ] {
            assert_eq!(fold(a), fold(b), "{a} / {b}");
        }
        assert_ne!(fold("مصر"), fold("السودان"));
    }

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Côte d'Ivoire"), "cote d'ivoire");
        assert_eq!(fold("SÃO TOMÉ"), "sao tome");
        assert_eq!(fold("Straße"), "straße");
        // The ASCII shortcut agrees with the general path on every ASCII character.
        let ascii: String = (0u8..128).map(char::from).collect();
        assert_eq!(fold(&ascii), fold_unicode(&ascii));
    }
}
