//! The benchmark baseline: `/bench/baseline/{name}`, a route that answers with bytes stored in
//! memory, so that `bench/run` can tell what the GraphQL work costs from what the HTTP stack,
//! the middleware and the load generator cost.
//!
//! It is off unless the server is started with the hidden flag `--bench-baseline` (or
//! `KHARTOUM_GRAPHQL_BENCH_BASELINE=true`); off, every method answers 404 like an unknown route,
//! so production never exposes it. On, `PUT` stores the request's body and `Content-Type` under a
//! name; `GET` and `POST` answer them back, byte for byte, with status 200 (a POST's body is read
//! and dropped, so that both paths receive what `/graphql` receives). It sits in the production
//! router, behind the same layers as `/graphql` (body limit, compression, CORS, timeout, tracing).
//! It holds what the benchmark puts in it and nothing else: no GraphQL, no store.

use crate::app::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The stored answers, when the baseline is on.
#[derive(Debug, Default)]
pub struct Baselines {
    /// `None` when the baseline is off (the default): every request then gets 404.
    answers: Option<RwLock<HashMap<String, Stored>>>,
}

/// One stored answer.
#[derive(Debug, Clone)]
struct Stored {
    /// The `Content-Type` the body was PUT with, if any.
    content_type: Option<HeaderValue>,
    /// The body, shared rather than copied on every request (`Bytes` clones are a refcount).
    body: Bytes,
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
}

/// PUT /bench/baseline/{name}: stores the body and its `Content-Type`; 204.
pub async fn put(State(app): State<Arc<App>>, Path(name): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(answers) = &app.bench_baseline.answers else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let stored = Stored { content_type: headers.get(header::CONTENT_TYPE).cloned(), body };
    // A poisoned lock only means a writer panicked mid-insert of a whole value; the map is still
    // a map of complete entries, so it is safe to keep using.
    answers.write().unwrap_or_else(|e| e.into_inner()).insert(name, stored);
    StatusCode::NO_CONTENT.into_response()
}

/// GET /bench/baseline/{name}: the stored body.
pub async fn get(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    answer(&app, &name)
}

/// POST /bench/baseline/{name}: the stored body; the request's body is read (by the extractor)
/// and dropped, as `/graphql` reads its own.
pub async fn post(State(app): State<Arc<App>>, Path(name): Path<String>, _body: Bytes) -> Response {
    answer(&app, &name)
}

fn answer(app: &App, name: &str) -> Response {
    let Some(answers) = &app.bench_baseline.answers else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Poisoning is harmless here for the reason given in `put`.
    let stored = answers.read().unwrap_or_else(|e| e.into_inner()).get(name).cloned();
    match stored {
        None => (StatusCode::NOT_FOUND, format!("no baseline named {name:?} has been PUT\n")).into_response(),
        Some(Stored { content_type, body }) => {
            let mut response = body.into_response();
            match content_type {
                Some(ct) => response.headers_mut().insert(header::CONTENT_TYPE, ct),
                None => response.headers_mut().remove(header::CONTENT_TYPE),
            };
            response
        }
    }
}
