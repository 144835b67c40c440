//! The benchmark baseline: `/bench/baseline/{name}`, a route that answers with bytes stored in
//! memory, so that `bench/run` can tell what the GraphQL work costs from what the HTTP stack,
//! the middleware and the load generator cost.
//!
//! It exists only in a build with the `bench-hooks` feature (`bench/run` builds one; the tests
//! turn it on), and even there it is off unless the server is started with the hidden flag
//! `--bench-baseline` (or `KHARTOUM_GRAPHQL_BENCH_BASELINE=true`); off, every method answers 404
//! like an unknown route. On, `PUT` stores the request's body and `Content-Type` under a
//! name; `GET` and `POST` answer them back, byte for byte, with status 200 (a POST's body is read
//! and dropped, so that both paths receive what `/graphql` receives). It sits in the same
//! router, behind the same layers as `/graphql` (body limit, compression, CORS, timeout, tracing).
//! It holds what the benchmark puts in it and nothing else: no GraphQL, no store.

use crate::app::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub use crate::baseline::Baselines;
use crate::baseline::Stored;

/// PUT /bench/baseline/{name}: stores the body and its `Content-Type`; 204.
pub async fn put(State(app): State<Arc<App>>, Path(name): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if app.bench_baseline.put(name, Stored { content_type, body }) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
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
    if !app.bench_baseline.is_on() {
        return StatusCode::NOT_FOUND.into_response();
    }
    match app.bench_baseline.get(name) {
        None => (StatusCode::NOT_FOUND, format!("no baseline named {name:?} has been PUT\n")).into_response(),
        Some(Stored { content_type, body }) => {
            let mut response = body.into_response();
            match content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
                Some(ct) => response.headers_mut().insert(header::CONTENT_TYPE, ct),
                None => response.headers_mut().remove(header::CONTENT_TYPE),
            };
            response
        }
    }
}
