//! Whole answers to queries, kept by what determines them: the dataset version, the media type,
//! and the request exactly as it came (its method, then a POST's body or a GET's query string,
//! which hold the query text, the variables and the operation name). A query the server has
//! answered before, on the same data, is answered from here without reading its JSON, parsing,
//! validating or executing anything.
//!
//! Keying by the bytes rather than by the request they decode to costs nothing in correctness,
//! since equal bytes decode to the same request, and it saves decoding the JSON of every repeated
//! request, which was most of what one cost beyond HTTP itself. What it gives up: two requests
//! that mean the same but are spelt differently (other spacing, other key order) are kept as two
//! entries. A frontend sends the same bytes for the same query and variables, so that is rare,
//! and it costs memory, never a wrong answer.
//!
//! The read model changes only by a committed write, which gives the dataset a new version; the
//! version is part of every key, so a write can never let an old answer through. The cache is
//! also emptied when it first sees a newer revision, so that old answers do not sit in memory
//! until they are evicted. Mutations, subscriptions, batches and CSV tables are never cached.
//!
//! Each answer carries a weak `ETag` (a hash of its key, which includes the dataset version), so a
//! GET can be revalidated with `If-None-Match` and answered with 304.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How many bytes of answers (and their keys) the cache holds.
pub const RESPONSE_CACHE_BYTES: u64 = 8 * 1024 * 1024;

/// One answer as it goes on the wire.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: StatusCode,
    /// The headers (content type, cache control, and those the resolvers set).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The weak entity tag of the body.
    pub etag: HeaderValue,
    /// The name of the operation that ran for it (`None` when anonymous), for the metrics of
    /// the requests it answers.
    pub operation: Option<String>,
}

impl Answer {
    /// An answer, tagged by what determines it: the key it is kept under (see
    /// [`ResponseCache::key`]). Hashing the key rather than the body keeps a long answer from
    /// costing a digest of all its bytes.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes, key: &[u8]) -> Answer {
        let mut hasher = std::hash::DefaultHasher::new();
        key.hash(&mut hasher);
        let etag = HeaderValue::from_str(&format!("W/\"{:016x}-{:x}\"", hasher.finish(), body.len()))
            .unwrap_or_else(|_| HeaderValue::from_static("W/\"\""));
        Answer { status, headers, body, etag, operation: None }
    }

    /// The HTTP response: 304 with no body when `If-None-Match` names this answer's tag (GET
    /// only, as HTTP caches revalidate), the whole answer otherwise.
    pub fn respond(&self, if_none_match: Option<&HeaderValue>) -> Response {
        let matches = if_none_match.and_then(|v| v.to_str().ok()).is_some_and(|tags| {
            let ours = self.etag.to_str().unwrap_or_default();
            // Weak comparison (RFC 9110, 13.1.2): tags match with or without their W/ prefix.
            let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
            tags.split(',').any(|t| t.trim() == "*" || bare(t) == bare(ours))
        });
        let mut response = if matches && self.status == StatusCode::OK {
            // A 304 carries the caching headers the full answer would (RFC 9110, 15.4.5).
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            for name in [header::CACHE_CONTROL, header::VARY] {
                if let Some(value) = self.headers.get(&name) {
                    response.headers_mut().insert(name, value.clone());
                }
            }
            response
        } else {
            let mut response = (self.status, self.body.clone()).into_response();
            response.headers_mut().extend(self.headers.clone());
            response
        };
        response.headers_mut().insert(header::ETAG, self.etag.clone());
        response
    }
}

/// Weighs an entry by its key and body.
#[derive(Clone)]
struct Size;

impl Weighter<Vec<u8>, Arc<Answer>> for Size {
    fn weight(&self, key: &Vec<u8>, answer: &Arc<Answer>) -> u64 {
        (key.len() + answer.body.len()) as u64 + 64
    }
}

/// The cache of answers. Shared by every request.
pub struct ResponseCache {
    entries: Cache<Vec<u8>, Arc<Answer>, Size>,
    /// The newest revision of the dataset seen; older ones are dropped when it changes.
    revision: AtomicU64,
}

impl Default for ResponseCache {
    fn default() -> Self {
        ResponseCache { entries: Cache::with_weighter(8192, RESPONSE_CACHE_BYTES, Size), revision: AtomicU64::new(0) }
    }
}

impl ResponseCache {
    /// The key of a query's answer: the dataset version, the media type, the HTTP method, and
    /// the request as it came (a POST's body, a GET's query string).
    pub fn key(version: &str, media: &str, method: &str, request: &[u8]) -> Vec<u8> {
        let mut key = Vec::with_capacity(version.len() + media.len() + method.len() + 3 + request.len());
        // NUL cannot occur in the version, the media type or the method, and the request comes
        // last, so two different requests cannot make the same key.
        for part in [version, media, method] {
            key.extend_from_slice(part.as_bytes());
            key.push(0);
        }
        key.extend_from_slice(request);
        key
    }

    /// Notes the revision of the dataset a request reads, and empties the cache when it is newer
    /// than any seen before.
    pub fn observe(&self, revision: u64) {
        if self.revision.fetch_max(revision, Ordering::AcqRel) < revision {
            self.entries.clear();
        }
    }

    /// The answer kept under a key.
    pub fn get(&self, key: &[u8]) -> Option<Arc<Answer>> {
        self.entries.get(key)
    }

    /// What the cache holds: its entries, and their bytes as counted against
    /// [`RESPONSE_CACHE_BYTES`].
    pub fn held(&self) -> (usize, u64) {
        (self.entries.len(), self.entries.weight())
    }

    /// Keeps an answer.
    pub fn insert(&self, key: Vec<u8>, answer: Arc<Answer>) {
        self.entries.insert(key, answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Answer {
        Answer::new(StatusCode::OK, HeaderMap::new(), Bytes::from(body.to_owned()), body.as_bytes())
    }

    #[test]
    fn keys_differ_with_every_part_of_a_request() {
        let base = ResponseCache::key("v1", "json", "POST", br#"{"query":"{ a }"}"#);
        for other in [
            ResponseCache::key("v2", "json", "POST", br#"{"query":"{ a }"}"#),
            ResponseCache::key("v1", "gql", "POST", br#"{"query":"{ a }"}"#),
            ResponseCache::key("v1", "json", "GET", br#"{"query":"{ a }"}"#),
            ResponseCache::key("v1", "json", "POST", br#"{"query":"{ a } "}"#),
            ResponseCache::key("v1", "json", "POST", br#"{"query":"{ a }","operationName":"A"}"#),
            ResponseCache::key("v1", "json", "POST", br#"{"query":"{ a }","variables":{"x":1}}"#),
            // A part cannot spill into the next: the separators keep "v1" + "json" apart from "v" + "1json".
            ResponseCache::key("v", "1json", "POST", br#"{"query":"{ a }"}"#),
        ] {
            assert_ne!(base, other);
        }
        assert_eq!(base, ResponseCache::key("v1", "json", "POST", br#"{"query":"{ a }"}"#));
    }

    #[test]
    fn a_newer_revision_empties_the_cache_and_an_older_one_does_not() {
        let cache = ResponseCache::default();
        cache.observe(3);
        cache.insert(b"k".to_vec(), Arc::new(answer("x")));
        cache.observe(2);
        assert!(cache.get(b"k").is_some());
        cache.observe(4);
        assert!(cache.get(b"k").is_none());
    }

    #[test]
    fn a_matching_if_none_match_gets_304_and_any_other_the_answer() {
        let a = answer("{\"data\":{}}");
        let tag = a.etag.clone();
        assert_eq!(a.respond(Some(&tag)).status(), StatusCode::NOT_MODIFIED);
        let strong = HeaderValue::from_str(tag.to_str().unwrap().trim_start_matches("W/")).unwrap();
        assert_eq!(a.respond(Some(&strong)).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(a.respond(Some(&HeaderValue::from_static("W/\"other\", *"))).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(a.respond(Some(&HeaderValue::from_static("W/\"other\""))).status(), StatusCode::OK);
        assert_eq!(a.respond(None).status(), StatusCode::OK);
        assert_eq!(a.respond(None).headers().get(header::ETAG), Some(&tag));
        assert_ne!(answer("{\"data\":{\"a\":1}}").etag, tag);
    }
}
