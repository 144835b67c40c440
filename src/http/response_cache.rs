//! Whole answers to queries, kept by what determines them: the dataset version, the media type,
//! the operation name, the variables and the query text. A query the server has answered before,
//! on the same data, is answered from here without parsing, validating or executing anything.
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
}

impl Answer {
    /// An answer, tagged by what determines it: the key it is kept under (dataset version, media
    /// type, operation name, variables and query). Hashing the key rather than the body keeps
    /// a long answer from costing a digest of all its bytes.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes, key: &str) -> Answer {
        let mut hasher = std::hash::DefaultHasher::new();
        key.hash(&mut hasher);
        let etag = HeaderValue::from_str(&format!("W/\"{:016x}-{:x}\"", hasher.finish(), body.len()))
            .unwrap_or_else(|_| HeaderValue::from_static("W/\"\""));
        Answer { status, headers, body, etag }
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
            StatusCode::NOT_MODIFIED.into_response()
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

impl Weighter<String, Arc<Answer>> for Size {
    fn weight(&self, key: &String, answer: &Arc<Answer>) -> u64 {
        (key.len() + answer.body.len()) as u64 + 64
    }
}

/// The cache of answers. Shared by every request.
pub struct ResponseCache {
    entries: Cache<String, Arc<Answer>, Size>,
    /// The newest revision of the dataset seen; older ones are dropped when it changes.
    revision: AtomicU64,
}

impl Default for ResponseCache {
    fn default() -> Self {
        ResponseCache { entries: Cache::with_weighter(8192, RESPONSE_CACHE_BYTES, Size), revision: AtomicU64::new(0) }
    }
}

impl ResponseCache {
    /// The key of a query's answer.
    pub fn key(version: &str, media: &str, request: &async_graphql::Request) -> String {
        let variables = serde_json::to_string(&request.variables).unwrap_or_default();
        let name = request.operation_name.as_deref().unwrap_or("");
        // NUL cannot occur in the version or media type, and the query comes last, so two
        // different requests cannot make the same key.
        format!("{version}\0{media}\0{}\0{name}\0{variables}\0{}", name.len(), request.query)
    }

    /// Notes the revision of the dataset a request reads, and empties the cache when it is newer
    /// than any seen before.
    pub fn observe(&self, revision: u64) {
        if self.revision.fetch_max(revision, Ordering::AcqRel) < revision {
            self.entries.clear();
        }
    }

    /// The answer kept under a key.
    pub fn get(&self, key: &str) -> Option<Arc<Answer>> {
        self.entries.get(key)
    }

    /// Keeps an answer.
    pub fn insert(&self, key: String, answer: Arc<Answer>) {
        self.entries.insert(key, answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Answer {
        Answer::new(StatusCode::OK, HeaderMap::new(), Bytes::from(body.to_owned()), body)
    }

    #[test]
    fn keys_differ_with_every_part_of_a_request() {
        let r = |q: &str, name: Option<&str>, vars: serde_json::Value| {
            let mut r = async_graphql::Request::new(q).variables(async_graphql::Variables::from_json(vars));
            if let Some(n) = name {
                r = r.operation_name(n);
            }
            r
        };
        let base = ResponseCache::key("v1", "json", &r("{ a }", None, serde_json::json!({})));
        for other in [
            ResponseCache::key("v2", "json", &r("{ a }", None, serde_json::json!({}))),
            ResponseCache::key("v1", "gql", &r("{ a }", None, serde_json::json!({}))),
            ResponseCache::key("v1", "json", &r("{ a } ", None, serde_json::json!({}))),
            ResponseCache::key("v1", "json", &r("{ a }", Some("A"), serde_json::json!({}))),
            ResponseCache::key("v1", "json", &r("{ a }", None, serde_json::json!({"x": 1}))),
        ] {
            assert_ne!(base, other);
        }
        assert_eq!(base, ResponseCache::key("v1", "json", &r("{ a }", None, serde_json::json!({}))));
    }

    #[test]
    fn a_newer_revision_empties_the_cache_and_an_older_one_does_not() {
        let cache = ResponseCache::default();
        cache.observe(3);
        cache.insert("k".into(), Arc::new(answer("x")));
        cache.observe(2);
        assert!(cache.get("k").is_some());
        cache.observe(4);
        assert!(cache.get("k").is_none());
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
