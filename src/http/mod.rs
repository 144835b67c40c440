//! The HTTP transport: routes, GraphQL over HTTP, GraphiQL, health, and the middleware stack.
//!
//! Queries run on GET (`?query=`) and on POST with `Content-Type: application/json`; mutations
//! only on POST. Any other POST body is refused with 415, because a `text/plain` or form POST is
//! a cross-site request that needs no preflight. Subscriptions run over WebSocket on
//! `/graphql/ws` (graphql-transport-ws, or the older graphql-ws).

use crate::app::App;
use crate::graphql::{self, Bearer};
use async_graphql::http::{GraphiQLSource, ALL_WEBSOCKET_PROTOCOLS};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse, Data};
use async_graphql_axum::{GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::{RawQuery, State, WebSocketUpgrade};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
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
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
        .route("/health", get(health))
        .route("/schema.graphql", get(schema_sdl))
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

/// A GraphQL-shaped error body for requests refused before execution.
fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
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

async fn execute(app: &App, batch: BatchRequest, bearer: Bearer) -> Response {
    let catalog = app.catalog();
    let with_data =
        |r: async_graphql::Request| r.data(Arc::clone(&catalog)).data(Arc::clone(&app.curator)).data(bearer.clone());
    let batch = match batch {
        BatchRequest::Single(r) => BatchRequest::Single(with_data(r)),
        BatchRequest::Batch(v) => BatchRequest::Batch(v.into_iter().map(with_data).collect()),
    };
    let response: BatchResponse = app.schema.execute_batch(batch).await;
    GraphQLResponse::from(response).into_response()
}

/// GET /graphql: GraphiQL for a browser, or a query from the `query`, `variables` and
/// `operationName` parameters.
async fn graphql_get(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let Some(raw) = raw.filter(|q| !q.is_empty()) else {
        return Html(GraphiQLSource::build().endpoint("/graphql").title("Khartoum Process GraphQL API").finish())
            .into_response();
    };
    match async_graphql::http::parse_query_string(&raw) {
        Ok(request) if is_mutation(&request) => {
            let mut res = refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "mutations are accepted only by POST with `Content-Type: application/json`",
            );
            res.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("POST"));
            res
        }
        // A GET never writes, so it needs no token: none is passed on.
        Ok(request) => execute(&app, BatchRequest::Single(request), Bearer::default()).await,
        Err(e) => refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", &format!("invalid query parameters: {e}")),
    }
}

/// Whether the operation a request would run is a mutation. A document that does not parse is
/// left to execution, which reports the syntax error.
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else { return false };
    let is = |ty: OperationType| ty == OperationType::Mutation;
    match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => is(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).is_some_and(|op| is(op.node.ty)),
        // Several operations and no name: execution refuses to choose.
        (DocumentOperations::Multiple(_), None) => false,
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
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST /graphql takes a JSON body with `Content-Type: application/json`",
        );
    }
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("the body is not a GraphQL request in JSON: {e}"),
            )
        }
    };
    if let BatchRequest::Batch(v) = &batch {
        if v.len() > MAX_BATCH {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BATCH_TOO_LARGE",
                &format!("a batch has at most {MAX_BATCH} operations; this one has {}", v.len()),
            );
        }
    }
    execute(&app, batch, bearer(&headers)).await
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
