//! Bearer tokens for writes: where they come from and how they are compared.

use super::CurationError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use subtle::ConstantTimeEq;

/// The shortest token accepted: shorter ones are guessable.
pub const MIN_TOKEN_LEN: usize = 16;

/// The tokens that may write. Only their SHA-256 digests are kept, and a presented token is
/// compared with every one of them in constant time, so neither the content nor the length of a
/// token leaks through timing.
#[derive(Default)]
pub struct Tokens {
    digests: Vec<[u8; 32]>,
}

/// Why the configured tokens could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    /// The tokens file could not be read.
    #[error("cannot read the tokens file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A token is too short. The message never includes the token.
    #[error("a write token from {0} is shorter than {MIN_TOKEN_LEN} characters; use a long random one (for instance `openssl rand -hex 32`)")]
    TooShort(String),
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Tokens {
    /// Tokens from the comma-separated `KHARTOUM_GRAPHQL_TOKENS` value and from a file with one
    /// token per line (blank lines and lines starting with `#` are skipped).
    pub fn load(list: Option<&str>, file: Option<&Path>) -> Result<Tokens, TokensError> {
        let mut tokens: Vec<(String, String)> = Vec::new();
        for t in list.unwrap_or("").split(',') {
            tokens.push(("KHARTOUM_GRAPHQL_TOKENS".into(), t.trim().to_owned()));
        }
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).map_err(|source| TokensError::Io { path: path.to_owned(), source })?;
            for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
                tokens.push((path.display().to_string(), line.to_owned()));
            }
        }
        let mut out = Tokens::default();
        for (origin, t) in tokens.into_iter().filter(|(_, t)| !t.is_empty()) {
            if t.len() < MIN_TOKEN_LEN {
                return Err(TokensError::TooShort(origin));
            }
            out.digests.push(digest(&t));
        }
        Ok(out)
    }

    /// How many tokens are configured.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether no token is configured (then every write is refused).
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// Accepts a presented token if it is one of the configured ones.
    pub fn check(&self, presented: Option<&str>) -> Result<(), CurationError> {
        if self.digests.is_empty() {
            return Err(CurationError::Unauthenticated(
                "writes are disabled: no write token is configured on this server. Set \
                 KHARTOUM_GRAPHQL_TOKENS (comma-separated) or start it with --tokens-file FILE, then \
                 send `Authorization: Bearer <token>`"
                    .into(),
            ));
        }
        let Some(presented) = presented else {
            return Err(CurationError::Unauthenticated(
                "writes need a token: send the header `Authorization: Bearer <token>`".into(),
            ));
        };
        let d = digest(presented);
        // Compare with every token, without stopping at a match.
        let matched = self.digests.iter().fold(subtle::Choice::from(0), |acc, t| acc | t.ct_eq(&d));
        if bool::from(matched) {
            Ok(())
        } else {
            Err(CurationError::Unauthenticated("the bearer token is not valid".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_configured_token_is_accepted() {
        let t = Tokens::load(Some(" first-token-0123456789 , second-token-0123456789"), None).unwrap();
        assert_eq!(t.len(), 2);
        assert!(t.check(Some("second-token-0123456789")).is_ok());
        assert!(t.check(Some("second-token-012345678")).is_err());
        assert!(t.check(None).is_err());
    }

    #[test]
    fn with_no_token_configured_every_write_is_refused_with_how_to_configure_one() {
        let t = Tokens::load(None, None).unwrap();
        let Err(CurationError::Unauthenticated(m)) = t.check(Some("anything-at-all-0123")) else { panic!() };
        assert!(m.contains("KHARTOUM_GRAPHQL_TOKENS") && m.contains("--tokens-file"), "{m}");
    }

    #[test]
    fn a_short_token_is_refused_without_echoing_it() {
        // A token whose text could not appear in the message by chance.
        let Err(e) = Tokens::load(Some("q7Zx9kW"), None) else { panic!() };
        assert_eq!(
            e.to_string(),
            "a write token from KHARTOUM_GRAPHQL_TOKENS is shorter than 16 characters; use a long random one \
             (for instance `openssl rand -hex 32`)"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tokens");
        std::fs::write(&file, "long-enough-token-0123456789\nq7Zx9kW\n").unwrap();
        let Err(e) = Tokens::load(None, Some(&file)) else { panic!() };
        assert!(!e.to_string().contains("q7Zx9kW") && e.to_string().contains(&file.display().to_string()), "{e}");
    }
}
