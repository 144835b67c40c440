//! The HTTP transport: routes, GraphQL over HTTP, GraphiQL, the landing page, health, and the
//! middleware stack.
//!
//! Queries run on GET (`?query=`) and on POST with `Content-Type: application/json`; mutations
//! only on POST, with a bearer token. Any other POST body is refused with 415, because a
//! `text/plain` or form POST is a cross-site request that needs no preflight. [`graphql_http`]
//! holds the rest of the GraphQL-over-HTTP rules (media types, status codes); subscriptions run
//! over WebSocket on `/graphql/ws` (graphql-transport-ws, or the older graphql-ws); [`graphiql`]
//! serves GraphiQL from assets built into the binary; and [`landing`] draws the landing page at
//! `/`.

pub mod baseline;
pub mod examples;
pub mod exports;
pub mod graphiql;
pub mod graphql_http;
pub mod landing;

use crate::app::App;
use crate::graphql::{self, Bearer};
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{BatchRequest, BatchResponse, Data};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Most operations in one batched POST.
pub const MAX_BATCH: usize = 10;
/// Longest a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The application's router, with every route and layer production serves.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(landing::page))
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
        .route("/graphiql/assets/{version}/{file}", get(graphiql::asset))
        .route("/health", get(health))
        .route("/schema.graphql", get(schema_sdl))
        .route("/export/manifest.json", get(exports::manifest))
        .route("/export/{file}", get(exports::file))
        // Answers 404 unless the server runs with --bench-baseline (see `baseline`).
        .route("/bench/baseline/{name}", get(baseline::get).post(baseline::post).put(baseline::put))
        .with_state(app)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::POST]).allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::ACCEPT,
        ]))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(TraceLayer::new_for_http())
}

/// The bearer token of the `Authorization` header, if it has one.
fn bearer(headers: &HeaderMap) -> Bearer {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("").trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim().to_owned()),
        _ => None,
    };
    Bearer(token)
}

async fn execute(app: &App, batch: BatchRequest, bearer: Bearer) -> BatchResponse {
    let catalog = app.catalog();
    let with_data =
        |r: async_graphql::Request| r.data(Arc::clone(&catalog)).data(Arc::clone(&app.curator)).data(bearer.clone());
    let batch = match batch {
        BatchRequest::Single(r) => BatchRequest::Single(with_data(r)),
        BatchRequest::Batch(v) => BatchRequest::Batch(v.into_iter().map(with_data).collect()),
    };
    app.schema.execute_batch(batch).await
}

/// GET /graphql: GraphiQL for a browser, or a query from the `query`, `variables` and
/// `operationName` parameters.
async fn graphql_get(State(app): State<Arc<App>>, headers: HeaderMap, uri: Uri) -> Response {
    // A GET never writes (mutations are refused before execution), so no token is passed on.
    match graphql_http::get(&headers, &uri, |batch| execute(&app, batch, Bearer::default())).await {
        graphql_http::GetOutcome::Page => graphiql::page(),
        graphql_http::GetOutcome::Response(response) => response,
    }
}

/// GET /graphql/ws: subscriptions over WebSocket.
async fn graphql_ws(State(app): State<Arc<App>>, protocol: GraphQLProtocol, upgrade: WebSocketUpgrade) -> Response {
    let schema = app.schema.clone();
    let mut data = Data::default();
    data.insert(Arc::clone(&app.curator));
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| GraphQLWebSocket::new(stream, schema, protocol).with_data(data).serve())
}

/// POST /graphql: one request, or a batch of at most [`MAX_BATCH`], as `application/json`.
async fn graphql_post(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let token = bearer(&headers);
    graphql_http::post(&headers, &body, |batch| execute(&app, batch, token)).await
}

/// GET /health: liveness, and the version of the data being served.
async fn health(State(app): State<Arc<App>>) -> Response {
    let catalog = app.catalog();
    Json(serde_json::json!({
        "status": "ok",
        "datasetVersion": catalog.meta.version,
        "lastChange": catalog.meta.last_change,
    }))
    .into_response()
}

/// GET /schema.graphql: the schema in SDL.
async fn schema_sdl() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], graphql::sdl()).into_response()
}
