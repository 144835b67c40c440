//! Folding text for case- and accent-insensitive matching.

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Lower-cases a text and strips accents (NFKD, then combining marks removed), so that
/// "Côte d'Ivoire" and "cote d'ivoire" compare equal.
pub fn fold(s: &str) -> String {
    s.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Côte d'Ivoire"), "cote d'ivoire");
        assert_eq!(fold("SÃO TOMÉ"), "sao tome");
        assert_eq!(fold("Straße"), "straße");
    }
}
