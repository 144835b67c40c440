//! Persisted documents: a query named by the SHA-256 of its text instead of sent whole.
//!
//! Three ways in, all resolved here to the text the engine parses:
//! - Apollo's automatic persisted queries (APQ): `extensions.persistedQuery.sha256Hash`. A request
//!   with the hash alone runs the document registered under it, or is answered
//!   `PERSISTED_QUERY_NOT_FOUND` (message `PersistedQueryNotFound`, as Apollo's link expects), and
//!   the client sends it again with the text. A text whose SHA-256 is not the hash is refused
//!   (`PERSISTED_QUERY_HASH_MISMATCH`); one that matches is registered once it has parsed and
//!   passed the limits.
//! - `documentId: "sha256:<hex>"` (the GraphQL-over-HTTP persisted documents proposal), on GET and
//!   POST: a trusted document, or one registered by APQ.
//! - Trusted documents: a JSON object from hash to text, read at start-up from the file
//!   graphql-codegen's client preset writes (`persisted-documents.json`). With `trusted_only`,
//!   no other document runs (`TRUSTED_DOCUMENTS_ONLY`), and APQ registers nothing.
//!
//! The APQ registry holds texts that clients sent: it is bounded by count and by bytes, so a
//! flood of new documents cannot grow it, and its eviction (quick_cache's, which favours entries
//! that are read again over those inserted once) keeps documents in use answering through such a
//! flood; a test floods it with ten times its capacity. A text is at most the published text
//! limit, so one entry cannot fill it.

use super::codes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Most documents the APQ registry holds.
pub const REGISTRY_ENTRIES: usize = 2_048;
/// Most bytes of text (and hashes) the APQ registry holds.
pub const REGISTRY_BYTES: u64 = 4 * 1024 * 1024;

/// Why a request's document could not be found or was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersistedError {
    /// APQ: a hash alone, for a document the server does not hold. The message is the one
    /// Apollo's persisted-query link looks for.
    #[error("PersistedQueryNotFound")]
    NotFound,
    /// A text whose SHA-256 is not the hash sent with it.
    #[error("the query's SHA-256 is {actual}, not the hash sent with it")]
    HashMismatch {
        /// The text's hash.
        actual: String,
    },
    /// A hash or `documentId` that is not a SHA-256 in hex.
    #[error("{0} must be 64 hexadecimal digits (with `sha256:` before them in a documentId)")]
    Malformed(&'static str),
    /// A `documentId` that names no document the server holds.
    #[error("no trusted or persisted document has the id {0}")]
    UnknownDocument(String),
    /// A document that is not trusted, on a server that runs only trusted ones.
    #[error("this server runs only its trusted documents: send one by its documentId")]
    NotTrusted,
}

impl PersistedError {
    /// The `extensions.code` of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            PersistedError::NotFound => codes::PERSISTED_QUERY_NOT_FOUND,
            PersistedError::HashMismatch { .. } | PersistedError::Malformed(_) => codes::PERSISTED_QUERY_HASH_MISMATCH,
            PersistedError::UnknownDocument(_) => codes::PERSISTED_DOCUMENT_NOT_FOUND,
            PersistedError::NotTrusted => codes::TRUSTED_DOCUMENTS_ONLY,
        }
    }
}

/// Why the trusted documents could not be loaded (the server does not start).
#[derive(Debug, thiserror::Error)]
pub enum TrustedDocumentsError {
    /// The file could not be read.
    #[error("cannot read the trusted documents {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a JSON object of strings.
    #[error("the trusted documents {path} are not a JSON object from hash to document text: {source}")]
    Json {
        /// The file.
        path: String,
        /// Why.
        source: serde_json::Error,
    },
    /// A key is not the SHA-256 of its text.
    #[error("in the trusted documents {path}, {key} is not the SHA-256 of its document (that is {actual})")]
    Hash {
        /// The file.
        path: String,
        /// The key as written.
        key: String,
        /// The text's hash.
        actual: String,
    },
}

/// How a request names its document, as the transport read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentRef {
    /// The text, when the request carries one.
    pub query: Option<String>,
    /// `documentId`, as sent.
    pub document_id: Option<String>,
    /// `extensions.persistedQuery.sha256Hash`, as sent.
    pub sha256_hash: Option<String>,
}

impl DocumentRef {
    /// A request that sends its text and nothing else.
    pub fn text(query: impl Into<String>) -> DocumentRef {
        DocumentRef { query: Some(query.into()), ..DocumentRef::default() }
    }

    /// Whether the request names a document at all.
    pub fn is_empty(&self) -> bool {
        self.query.is_none() && self.document_id.is_none() && self.sha256_hash.is_none()
    }
}

/// The text a request runs, and the hash to register it under once it has been prepared.
#[derive(Debug)]
pub struct Resolved {
    /// The document's text.
    pub text: Arc<str>,
    /// Set for an APQ text the registry does not hold yet.
    pub register: Option<String>,
}

/// Weighs a registry entry by its hash and text, and at least a share of the registry's bytes
/// for one of its entries, so that the one bound on weight bounds both bytes and count.
#[derive(Clone)]
struct Size;

impl Weighter<String, Arc<str>> for Size {
    fn weight(&self, key: &String, text: &Arc<str>) -> u64 {
        ((key.len() + text.len()) as u64 + 32).max(REGISTRY_BYTES / REGISTRY_ENTRIES as u64)
    }
}

/// The trusted documents and the APQ registry. Shared by every request.
pub struct Persisted {
    trusted: HashMap<String, Arc<str>>,
    trusted_only: bool,
    registry: Cache<String, Arc<str>, Size>,
}

impl Default for Persisted {
    fn default() -> Self {
        Persisted::new(HashMap::new(), false)
    }
}

/// The SHA-256 of a text, in lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A hash as sent, if it is 64 hex digits: in lower case.
fn hash(sent: &str) -> Option<String> {
    (sent.len() == 64 && sent.bytes().all(|b| b.is_ascii_hexdigit())).then(|| sent.to_ascii_lowercase())
}

impl Persisted {
    /// Trusted documents by hash (lower-case hex), and whether they are the only ones that run.
    pub fn new(trusted: HashMap<String, Arc<str>>, trusted_only: bool) -> Persisted {
        Persisted { trusted, trusted_only, registry: Cache::with_weighter(REGISTRY_ENTRIES, REGISTRY_BYTES, Size) }
    }

    /// Reads trusted documents from a JSON object from hash to text (graphql-codegen's
    /// `persisted-documents.json`; a `sha256:` before a hash is allowed). Every key must be the
    /// SHA-256 of its text: a stale file would otherwise answer with the wrong document.
    pub fn load(path: &Path, trusted_only: bool) -> Result<Persisted, TrustedDocumentsError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| TrustedDocumentsError::Read { path: name.clone(), source })?;
        let map: HashMap<String, String> = serde_json::from_slice(&bytes)
            .map_err(|source| TrustedDocumentsError::Json { path: name.clone(), source })?;
        let mut trusted = HashMap::with_capacity(map.len());
        for (key, text) in map {
            let actual = sha256_hex(&text);
            if hash(key.strip_prefix("sha256:").unwrap_or(&key)).as_deref() != Some(actual.as_str()) {
                return Err(TrustedDocumentsError::Hash { path: name, key, actual });
            }
            trusted.insert(actual, Arc::from(text));
        }
        Ok(Persisted::new(trusted, trusted_only))
    }

    /// How many trusted documents there are.
    pub fn trusted_count(&self) -> usize {
        self.trusted.len()
    }

    /// The document held under a hash: trusted, or (unless only trusted ones run) registered.
    fn held(&self, hash: &str) -> Option<Arc<str>> {
        match self.trusted.get(hash) {
            Some(text) => Some(Arc::clone(text)),
            None if self.trusted_only => None,
            None => self.registry.get(hash),
        }
    }

    /// The text a request runs, from its text, its `documentId` or its APQ hash. The caller
    /// has checked that it names a document at all ([`DocumentRef::is_empty`]).
    pub fn resolve(&self, reference: DocumentRef) -> Result<Resolved, PersistedError> {
        let DocumentRef { query, document_id, sha256_hash } = reference;
        let sent = match (&document_id, &sha256_hash) {
            (Some(id), _) => {
                Some(id.strip_prefix("sha256:").and_then(hash).ok_or(PersistedError::Malformed("documentId"))?)
            }
            (None, Some(h)) => Some(hash(h).ok_or(PersistedError::Malformed("sha256Hash"))?),
            (None, None) => None,
        };
        match (query, sent) {
            (Some(text), None) => {
                if self.trusted_only && !self.trusted.contains_key(&sha256_hex(&text)) {
                    return Err(PersistedError::NotTrusted);
                }
                Ok(Resolved { text: Arc::from(text), register: None })
            }
            (Some(text), Some(sent)) => {
                let actual = sha256_hex(&text);
                if actual != sent {
                    return Err(PersistedError::HashMismatch { actual });
                }
                if let Some(held) = self.held(&sent) {
                    return Ok(Resolved { text: held, register: None });
                }
                if self.trusted_only {
                    return Err(PersistedError::NotTrusted);
                }
                Ok(Resolved { text: Arc::from(text), register: Some(sent) })
            }
            (None, Some(sent)) => match self.held(&sent) {
                Some(text) => Ok(Resolved { text, register: None }),
                None if document_id.is_some() => Err(PersistedError::UnknownDocument(format!("sha256:{sent}"))),
                None => Err(PersistedError::NotFound),
            },
            // Nothing names a document: the transport refuses that before it gets here.
            (None, None) => Err(PersistedError::UnknownDocument(String::new())),
        }
    }

    /// Registers an APQ text under its hash, once it has parsed and passed the limits.
    pub fn register(&self, hash: String, text: Arc<str>) {
        if !self.trusted_only {
            self.registry.insert(hash, text);
        }
    }

    /// How many documents, and how many bytes of text, the APQ registry holds.
    pub fn registry_size(&self) -> (usize, u64) {
        let mut bytes = 0;
        for (hash, text) in self.registry.iter() {
            bytes += (hash.len() + text.len()) as u64;
        }
        (self.registry.len(), bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{ dataset { version } }";

    fn apq(query: Option<&str>, hash: &str) -> DocumentRef {
        DocumentRef { query: query.map(str::to_owned), sha256_hash: Some(hash.to_owned()), document_id: None }
    }

    #[test]
    fn a_hash_alone_is_not_found_until_its_text_is_registered() {
        let persisted = Persisted::default();
        let hash = sha256_hex(TEXT);
        assert_eq!(persisted.resolve(apq(None, &hash)).unwrap_err(), PersistedError::NotFound);
        let resolved = persisted.resolve(apq(Some(TEXT), &hash)).expect("the text matches its hash");
        assert_eq!(resolved.register.as_deref(), Some(hash.as_str()));
        persisted.register(hash.clone(), resolved.text);
        assert_eq!(&*persisted.resolve(apq(None, &hash.to_uppercase())).expect("registered").text, TEXT);
        let id = DocumentRef { document_id: Some(format!("sha256:{hash}")), ..DocumentRef::default() };
        assert_eq!(&*persisted.resolve(id).expect("by documentId too").text, TEXT);
    }

    #[test]
    fn a_text_that_does_not_match_its_hash_or_a_malformed_hash_is_refused() {
        let persisted = Persisted::default();
        let other = sha256_hex("{ __typename }");
        assert_eq!(
            persisted.resolve(apq(Some(TEXT), &other)).unwrap_err(),
            PersistedError::HashMismatch { actual: sha256_hex(TEXT) }
        );
        assert_eq!(persisted.resolve(apq(None, "abc")).unwrap_err(), PersistedError::Malformed("sha256Hash"));
        let id = DocumentRef { document_id: Some(other.clone()), ..DocumentRef::default() };
        assert_eq!(persisted.resolve(id).unwrap_err(), PersistedError::Malformed("documentId"));
        let id = DocumentRef { document_id: Some(format!("sha256:{other}")), ..DocumentRef::default() };
        assert_eq!(persisted.resolve(id).unwrap_err(), PersistedError::UnknownDocument(format!("sha256:{other}")));
    }

    #[test]
    fn a_flood_of_new_documents_stays_within_the_bounds_and_keeps_the_one_in_use() {
        let persisted = Persisted::default();
        let hot = sha256_hex(TEXT);
        persisted.register(hot.clone(), Arc::from(TEXT));
        for i in 0..REGISTRY_ENTRIES * 10 {
            // The document in use keeps being asked for while the flood arrives.
            if i % 64 == 0 {
                assert!(persisted.resolve(apq(None, &hot)).is_ok(), "the document in use was evicted after {i}");
            }
            let text = format!("{{ dataset {{ version }} }} # {i} {}", "x".repeat(i % 4000));
            persisted.register(sha256_hex(&text), Arc::from(text));
        }
        let (count, bytes) = persisted.registry_size();
        assert!(count <= REGISTRY_ENTRIES && bytes <= REGISTRY_BYTES, "{count} documents, {bytes} bytes");
        assert!(persisted.resolve(apq(None, &hot)).is_ok(), "the document in use survived the flood");
    }

    #[test]
    fn only_trusted_documents_run_when_only_they_may() {
        let trusted: HashMap<String, Arc<str>> = [(sha256_hex(TEXT), Arc::from(TEXT))].into_iter().collect();
        let persisted = Persisted::new(trusted, true);
        assert!(persisted.resolve(DocumentRef::text(TEXT)).is_ok(), "a trusted text may be sent whole");
        assert_eq!(persisted.resolve(DocumentRef::text("{ __typename }")).unwrap_err(), PersistedError::NotTrusted);
        let other = "{ __typename }";
        assert_eq!(persisted.resolve(apq(Some(other), &sha256_hex(other))).unwrap_err(), PersistedError::NotTrusted);
        persisted.register(sha256_hex(other), Arc::from(other));
        assert_eq!(persisted.resolve(apq(None, &sha256_hex(other))).unwrap_err(), PersistedError::NotFound);
    }

    #[test]
    fn trusted_documents_load_from_the_client_presets_file_and_a_wrong_hash_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("persisted-documents.json");
        let good = serde_json::json!({ sha256_hex(TEXT): TEXT, format!("sha256:{}", sha256_hex("{ a }")): "{ a }" });
        std::fs::write(&path, good.to_string()).expect("written");
        assert_eq!(Persisted::load(&path, false).expect("it loads").trusted_count(), 2);
        std::fs::write(&path, serde_json::json!({ sha256_hex("{ a }"): TEXT }).to_string()).expect("written");
        assert!(matches!(Persisted::load(&path, false), Err(TrustedDocumentsError::Hash { .. })));
        std::fs::write(&path, "[]").expect("written");
        assert!(matches!(Persisted::load(&path, false), Err(TrustedDocumentsError::Json { .. })));
    }
}
