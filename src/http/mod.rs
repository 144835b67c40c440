//! The HTTP transport: routes, GraphQL over HTTP, GraphiQL, the landing page, health, and the
//! middleware stack.
//!
//! Queries run on GET (`?query=`) and on POST with `Content-Type: application/json`; mutations
//! only on POST, with a bearer token. Any other POST body is refused with 415, because a
//! `text/plain` or form POST is a cross-site request that needs no preflight. [`graphql_http`]
//! holds the rest of the GraphQL-over-HTTP rules (media types, status codes); [`ws`] serves
//! queries, mutations and subscriptions over WebSocket on `/graphql/ws` (graphql-transport-ws,
//! or the older graphql-ws); [`graphiql`]
//! serves GraphiQL from assets built into the binary; and [`landing`] draws the landing page at
//! `/`.

#[cfg(feature = "bench-hooks")]
pub mod baseline;
pub mod dataset_version;
pub mod examples;
pub mod exports;
pub mod graphiql;
pub mod graphql_http;
pub mod landing;
pub mod metering;
pub mod metrics;
pub mod rate_limit;
pub mod response_cache;
pub mod server;
pub mod ws;

use crate::app::App;
use crate::graphql::engine::Session;
use crate::graphql::{self, codes, Bearer};
use axum::body::Bytes;
use axum::extract::{Extension, FromRef, State};
use axum::http::{header, HeaderMap, HeaderName, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metering::{Metering, RequestMeter};
use response_cache::ResponseCache;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Largest answer sent, in bytes: a bigger one is replaced by one error with the code
/// `RESPONSE_TOO_LARGE`, never cut short.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
/// Most operations in one batched POST.
pub const MAX_BATCH: usize = 10;
/// Longest a request may take before it is answered with 408, unless `--request-timeout` says
/// otherwise.
pub const REQUEST_TIMEOUT: Duration = crate::app::DEFAULT_REQUEST_TIMEOUT;
/// How long a browser may keep a CORS preflight's answer (`Access-Control-Max-Age`), so that a
/// page does not send an OPTIONS request before every POST. Browsers cap it lower (Chromium at
/// two hours); the answer only changes with a new release.
pub const CORS_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// The request headers a cross-origin page may send besides the CORS-safelisted ones: ours, and
/// those GraphQL clients and tracing libraries commonly add (Apollo Client's client name and
/// version and its CSRF-prevention header, W3C Trace Context and Baggage), which a browser would
/// otherwise refuse to send.
pub const CORS_ALLOWED_HEADERS: [&str; 11] = [
    "content-type",
    "authorization",
    "accept",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "traceparent",
    "tracestate",
    "baggage",
    "x-min-dataset-version",
];

/// What the handlers share, behind one pointer, since the router hands every request a copy.
/// Handlers that need only the service take `State<Arc<App>>`.
#[derive(Clone)]
struct Server(Arc<Shared>);

/// What [`Server`] points at: the service, the answers already given over HTTP (which belong to
/// the transport, since they are kept by the request's bytes), and the per-client budgets and
/// metrics.
struct Shared {
    app: Arc<App>,
    answers: ResponseCache,
    metering: Arc<Metering>,
}

impl std::ops::Deref for Server {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<Server> for Arc<App> {
    fn from_ref(server: &Server) -> Arc<App> {
        Arc::clone(&server.app)
    }
}

/// What the transport holds each client to, as the command line sets it: what one WebSocket and
/// one client address may hold (`--max-subscriptions-per-socket`, `--max-sockets-per-address`,
/// `--ws-init-timeout`), and each client address's budget with the proxies trusted to name the
/// client (`--rate-limit`, `--trusted-proxy`).
#[derive(Debug, Clone, Default)]
pub struct Policies {
    /// The WebSocket limits.
    pub websocket: ws::WsLimits,
    /// The per-client budgets.
    pub rate_limits: rate_limit::RateLimits,
}

/// The application's router, with every route and layer production serves, under the default
/// [`Policies`].
pub fn router(app: Arc<App>) -> Router {
    router_with(app, Policies::default())
}

/// [`router`] under `policies`.
pub fn router_with(app: Arc<App>, policies: Policies) -> Router {
    let metering = Arc::new(Metering {
        limiter: rate_limit::Limiter::new(&policies.rate_limits),
        metrics: Arc::new(metrics::Metrics::new()),
    });
    let router = Router::new()
        .route("/", get(landing::page))
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", ws::route(Arc::clone(&app), policies.websocket, Arc::clone(&metering.metrics)))
        .route("/graphiql/assets/{version}/{file}", get(graphiql::asset))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/schema.graphql", get(schema_sdl))
        .route("/export/manifest.json", get(exports::manifest))
        .route("/export/{file}", get(exports::file));
    // Answers 404 unless the server runs with --bench-baseline (see `baseline`).
    #[cfg(feature = "bench-hooks")]
    let router = router.route("/bench/baseline/{name}", get(baseline::get).post(baseline::post).put(baseline::put));
    let timeout = app.request_timeout;
    let refusal = move |response: Response| coded_refusal(response, timeout);
    let versioned = axum::middleware::from_fn_with_state(Arc::clone(&app), dataset_version::versioned);
    router
        .with_state(Server(Arc::new(Shared {
            app,
            answers: ResponseCache::default(),
            metering: Arc::clone(&metering),
        })))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(refusal))
        // Inside the meter, so that a request waiting for a version is charged like any other.
        .layer(versioned)
        // Inside CORS, so that a browser can read a 429; inside the timeout, which it notices
        // when its future is dropped.
        .layer(axum::middleware::from_fn_with_state(metering, metering::meter))
        .layer(CompressionLayer::new())
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers(CORS_ALLOWED_HEADERS.map(HeaderName::from_static))
                // So that a page's script can read where its budget stands and when to retry.
                .expose_headers([
                    rate_limit::RATELIMIT.clone(),
                    rate_limit::RATELIMIT_POLICY.clone(),
                    header::RETRY_AFTER,
                    dataset_version::DATASET_VERSION.clone(),
                ])
                .max_age(CORS_MAX_AGE),
        )
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(axum::middleware::map_response(refusal))
        .layer(TraceLayer::new_for_http())
}

/// Gives the refusals that the middleware answers (413 from the body limit, whether the length
/// was announced or not; 408 from the timeout) the JSON body and `extensions.code` every other
/// refusal has, instead of plain text or nothing. It runs twice in the stack, inside and outside
/// the timeout and body-limit layers, and leaves a body that is already JSON alone.
async fn coded_refusal(response: Response, timeout: Duration) -> Response {
    let (code, message) = match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            (codes::PAYLOAD_TOO_LARGE, format!("the request body is larger than {MAX_BODY_BYTES} bytes"))
        }
        StatusCode::REQUEST_TIMEOUT => {
            (codes::REQUEST_TIMEOUT, format!("the request took longer than {} s", timeout.as_secs_f64()))
        }
        _ => return response,
    };
    let is_json =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    if is_json {
        return response;
    }
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (response.status(), [(header::CONTENT_TYPE, graphql_http::MediaType::Json.content_type())], body.to_string())
        .into_response()
}

/// The bearer token of the `Authorization` header, if it has one.
fn bearer(headers: &HeaderMap) -> Bearer {
    bearer_of(headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or(""))
}

/// The bearer token of an `Authorization` value (`Bearer <token>`, the scheme in any case), if it
/// is one: from a header, or from a WebSocket's `connection_init` payload.
fn bearer_of(value: &str) -> Bearer {
    let value = value.trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim().to_owned()),
        _ => None,
    };
    Bearer(token)
}

impl Server {
    /// The GraphQL side of one request: the engine over the data as of now, with the request's
    /// token, the answers kept for that data, and the request's meter.
    fn exchange<'a>(&'a self, bearer: Bearer, meter: &'a RequestMeter) -> graphql_http::Exchange<'a, Session> {
        let catalog = self.app.catalog();
        self.answers.observe(catalog.meta.revision);
        let deadline = Some(std::time::Instant::now() + self.app.request_timeout);
        let session = Session {
            engine: self.app.engine.clone(),
            catalog,
            curator: Arc::clone(&self.app.curator),
            bearer,
            deadline,
            version_wait: self.app.min_version_wait,
        };
        graphql_http::Exchange { session, answers: &self.answers, meter }
    }
}

/// GET /graphql: GraphiQL for a browser, or a query from the `query` (or `documentId`),
/// `variables` and `operationName` parameters.
async fn graphql_get(
    State(server): State<Server>,
    Extension(meter): Extension<Arc<RequestMeter>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    // A GET never writes (mutations are refused before execution), so no token is passed on.
    match graphql_http::get(&headers, &uri, &server.exchange(Bearer::default(), &meter)).await {
        graphql_http::GetOutcome::Page => graphiql::page(),
        graphql_http::GetOutcome::Response(response) => response,
    }
}

/// POST /graphql: one request, or a batch of at most [`MAX_BATCH`], as `application/json`.
async fn graphql_post(
    State(server): State<Server>,
    Extension(meter): Extension<Arc<RequestMeter>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    graphql_http::post(&headers, &body, &server.exchange(bearer(&headers), &meter)).await
}

/// GET /metrics: the server's metrics in the Prometheus text format (see [`metrics`]).
async fn metrics(State(server): State<Server>) -> Response {
    let metrics = &server.metering.metrics;
    let (entries, bytes) = server.app.engine.cached_documents();
    metrics.held("documents", entries, bytes);
    // Answers to an older version of the data are dropped first, as the next query would.
    server.answers.observe(server.app.catalog().meta.revision);
    let (entries, bytes) = server.answers.held();
    metrics.held("answers", entries, bytes);
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics.render()).into_response()
}

/// GET /health: liveness, the version of the data being served, and whether the store can
/// write. It answers 200 as long as the server serves reads: `status` is `degraded` (and
/// `store.writable` false, with the reason) while writes are refused.
async fn health(State(app): State<Arc<App>>) -> Response {
    let catalog = app.catalog();
    let problem = app.store().write_problem();
    Json(serde_json::json!({
        "status": if problem.is_some() { "degraded" } else { "ok" },
        "datasetVersion": catalog.meta.version,
        "lastChange": catalog.meta.last_change,
        "store": { "writable": problem.is_none(), "problem": problem.map(|p| p.to_string()) },
    }))
    .into_response()
}

/// GET /ready: 200 when the server serves reads and the store can write, 503 with the reason
/// (and `Retry-After`) while the store cannot write, so that a load balancer sends writes
/// elsewhere. The read model is built before the server listens, so reads are always ready.
async fn ready(State(app): State<Arc<App>>) -> Response {
    match app.store().write_problem() {
        None => Json(serde_json::json!({ "ready": true })).into_response(),
        Some(p) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            Json(serde_json::json!({ "ready": false, "reason": p.to_string() })),
        )
            .into_response(),
    }
}

/// GET /schema.graphql: the schema in SDL.
async fn schema_sdl() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], graphql::sdl()).into_response()
}
