//! The benchmark baseline's stored answers: bytes and a media type under a name, which
//! `/bench/baseline/{name}` ([`crate::http::baseline`]) answers back so that `bench/run` can tell
//! what the GraphQL work costs from what the HTTP stack costs. Built only with the `bench-hooks`
//! feature, so a production binary holds neither the route nor this.

use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::RwLock;

/// The stored answers, when the baseline is on.
#[derive(Debug, Default)]
pub struct Baselines {
    /// `None` when the baseline is off (the default): every request then gets 404.
    answers: Option<RwLock<HashMap<String, Stored>>>,
}

/// One stored answer.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The media type the body was stored with, if any.
    pub content_type: Option<String>,
    /// The body, shared rather than copied on every request (`Bytes` clones are a refcount).
    pub body: Bytes,
}

impl Baselines {
    /// A baseline that answers: for a server started with `--bench-baseline`.
    pub fn on() -> Baselines {
        Baselines { answers: Some(RwLock::new(HashMap::new())) }
    }

    /// Whether the baseline answers.
    pub fn is_on(&self) -> bool {
        self.answers.is_some()
    }

    /// Stores an answer under a name; `false` when the baseline is off.
    pub fn put(&self, name: String, stored: Stored) -> bool {
        let Some(answers) = &self.answers else { return false };
        // A poisoned lock only means a writer panicked mid-insert of a whole value; the map is
        // still a map of complete entries, so it is safe to keep using.
        answers.write().unwrap_or_else(|e| e.into_inner()).insert(name, stored);
        true
    }

    /// The answer stored under a name, if the baseline is on and one was.
    pub fn get(&self, name: &str) -> Option<Stored> {
        // Poisoning is harmless here for the reason given in `put`.
        self.answers.as_ref()?.read().unwrap_or_else(|e| e.into_inner()).get(name).cloned()
    }
}
