//! GraphQL over HTTP, as the specification gives it
//! (<https://graphql.github.io/graphql-over-http/draft/>): reading a request from a GET query
//! string or a POST body, choosing the response's media type from `Accept`, and the status code of
//! each outcome.
//!
//! It owns the transport rules only. A request passes through once: the handler in the parent
//! module hands over an [`Exchange`] (the GraphQL layer's [`Session`] for this request, and the
//! answers kept for its data), and this module reads the request, asks the session to prepare and
//! run it, and writes the answer. It never sees the store, the catalog or a token itself.
//!
//! The rules, in the order they are checked:
//! - `Accept` must allow `application/graphql-response+json` or `application/json` (`*/*` and
//!   an absent header mean `application/json`, the legacy default the specification allows);
//!   otherwise 406.
//! - A POST body must be `application/json` (415 otherwise: a `text/plain` or form POST needs no
//!   CORS preflight) and a JSON object, or a batch of at most [`MAX_BATCH`] objects (400).
//! - `query` must be a string; `operationName` a string or null; `variables` and `extensions`
//!   objects or null (400 otherwise). Instead of `query`, a request may name a persisted document
//!   by `documentId` (`"sha256:<hex>"`) or by `extensions.persistedQuery.sha256Hash` (Apollo's
//!   APQ); [`crate::graphql::persisted`] resolves both.
//! - GET runs queries only: a mutation or a subscription gets 405 with `Allow: POST`.
//! - With `application/graphql-response+json`, a request that fails before execution (parse,
//!   validation, variable coercion, limits) gets 400 and no `data` entry; anything that ran gets
//!   200. With `application/json`, every well-formed request gets 200.
//!
//! One extension of ours: `text/csv`, for data journalists. When `Accept` prefers it to both JSON
//! types (by quality, or as the only one acceptable), a single query's first list of objects is
//! answered as a CSV table ([`crate::export::flatten`]). CSV carries no errors, so everything else
//! is JSON (`application/json`): a batch, a mutation or a subscription is refused with 406 before
//! anything runs; a response with errors is sent as JSON, with 400 when nothing ran and 200 when
//! the errors come from execution; and a result with no list in it gets 406.

use super::metering::{operation_name, RequestMeter};
use super::response_cache::{Answer, ResponseCache};
use super::{MAX_BATCH, MAX_RESPONSE_BYTES};
use crate::graphql::codes;
use crate::graphql::engine::{is_request_error, Prepared, Session, DATASET_VERSION_EXTENSION};
use crate::graphql::persisted::DocumentRef;
use async_graphql::parser::types::OperationType;
use async_graphql::{BatchResponse, Request, Response as GqlResponse, ServerError};
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use std::future::Future;
use std::sync::Arc;

/// The media type the specification defines for GraphQL responses.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// The legacy media type, which every client understands.
pub const APPLICATION_JSON: &str = "application/json";
/// The media type of a query's result as a table, an extension of ours.
pub const TEXT_CSV: &str = "text/csv";

/// The media type of a GraphQL response, chosen from the request's `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: the status code tells a request error from a result.
    GraphQLResponseJson,
    /// `application/json`: 200 for every well-formed request, whatever its errors.
    Json,
    /// `text/csv`: the result's first list of objects as a table (an extension of ours).
    Csv,
}

impl MediaType {
    /// The `Content-Type` header value.
    pub fn content_type(self) -> &'static str {
        match self {
            MediaType::GraphQLResponseJson => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
            MediaType::Csv => "text/csv; charset=utf-8; header=present",
        }
    }
}

/// One media range of an `Accept` header, reduced to what negotiation needs.
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    q: f32,
}

/// Reads the ranges of an `Accept` header. Parameters other than `q` (a charset, say) do not
/// change which of our two media types a range names, so they are dropped.
fn ranges(accept: &str) -> Vec<Range<'_>> {
    accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let (kind, subtype) = parts.next()?.trim().split_once('/')?;
            let q = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
                .map_or(1.0, |(_, v)| v.trim().parse::<f32>().unwrap_or(0.0));
            Some(Range { kind: kind.trim(), subtype: subtype.trim(), q })
        })
        .collect()
}

/// How well a range names a media type: 2 exactly, 1 as `type/*`, 0 as `*/*`; `None` if not.
fn specificity(range: &Range<'_>, kind: &str, subtype: &str) -> Option<u8> {
    if range.kind.eq_ignore_ascii_case(kind) && range.subtype.eq_ignore_ascii_case(subtype) {
        Some(2)
    } else if range.kind.eq_ignore_ascii_case(kind) && range.subtype == "*" {
        Some(1)
    } else if range.kind == "*" && range.subtype == "*" {
        Some(0)
    } else {
        None
    }
}

/// The quality a client gives a media type: that of the most specific range naming it (RFC 9110,
/// 12.5.1), with that specificity.
fn quality(ranges: &[Range<'_>], kind: &str, subtype: &str) -> Option<(f32, u8)> {
    ranges
        .iter()
        .filter_map(|r| specificity(r, kind, subtype).map(|s| (s, r.q)))
        .max_by_key(|&(s, _)| s)
        .map(|(s, q)| (q, s))
}

/// The `Accept` header, all its lines joined; `None` when absent or blank.
fn accept_header(headers: &HeaderMap) -> Option<String> {
    let joined = headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",");
    (!joined.trim().is_empty()).then_some(joined)
}

/// The media type to answer in, or `None` when the client accepts none of ours (406).
///
/// The higher quality wins. On a tie, an exact mention of `application/graphql-response+json`
/// beats everything, because the specification asks clients that understand it to list it;
/// a tie between wildcards (`*/*`) goes to `application/json`, which every client reads.
/// `text/csv` must be named as such (`text/*` and `*/*` do not ask for a table), and wins only
/// with a higher quality than both JSON types, or when neither is acceptable.
pub fn negotiate(accept: Option<&str>) -> Option<MediaType> {
    let Some(accept) = accept else { return Some(MediaType::Json) };
    let ranges = ranges(accept);
    let graphql = quality(&ranges, "application", "graphql-response+json").filter(|(q, _)| *q > 0.0);
    let json = quality(&ranges, "application", "json").filter(|(q, _)| *q > 0.0);
    let csv = quality(&ranges, "text", "csv").filter(|&(q, s)| q > 0.0 && s == 2);
    let best_json = match (graphql, json) {
        (None, None) => None,
        (Some((gq, _)), None) => Some((MediaType::GraphQLResponseJson, gq)),
        (None, Some((jq, _))) => Some((MediaType::Json, jq)),
        (Some((gq, gs)), Some((jq, js))) => {
            if gq > jq || (gq == jq && gs == 2 && gs >= js) {
                Some((MediaType::GraphQLResponseJson, gq))
            } else {
                Some((MediaType::Json, jq))
            }
        }
    };
    match (best_json, csv) {
        (Some((_, jq)), Some((cq, _))) if cq > jq => Some(MediaType::Csv),
        (None, Some(_)) => Some(MediaType::Csv),
        (best, _) => best.map(|(media, _)| media),
    }
}

/// Whether a browser asked for a page: `Accept` allows `text/html` (or is absent).
pub fn accepts_html(headers: &HeaderMap) -> bool {
    match accept_header(headers) {
        None => true,
        Some(accept) => quality(&ranges(&accept), "text", "html").is_some_and(|(q, _)| q > 0.0),
    }
}

/// A request refused before anything ran: a status, a code for `extensions.code`, and why.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Seconds for `Retry-After`, when waiting helps.
    retry_after: Option<u64>,
}

impl Refusal {
    /// A refusal with its status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal { status, code, message: message.into(), retry_after: None }
    }

    /// The same refusal, telling the client to retry after so many seconds (`Retry-After`).
    pub fn retry_after(self, secs: u64) -> Refusal {
        Refusal { retry_after: Some(secs), ..self }
    }

    /// The refusal as a GraphQL request error with its code, for one operation of a batch or
    /// for a transport that answers with GraphQL errors only (the WebSocket).
    pub fn into_server_error(self) -> ServerError {
        crate::graphql::engine::coded(self.message, self.code)
    }

    fn bad_request(message: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }

    /// A GraphQL-shaped error body (no `data`: nothing ran) in the negotiated media type, or in
    /// `application/json` when there is none.
    pub fn into_response(self, media: Option<MediaType>) -> Response {
        let body = serde_json::json!({ "errors": [{ "message": self.message, "extensions": { "code": self.code } }] });
        let mut response = (self.status, body.to_string()).into_response();
        // Errors are never CSV: a client that asked for a table gets them as plain JSON.
        let content_type = media.filter(|m| *m != MediaType::Csv).unwrap_or(MediaType::Json).content_type();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The parameters of a GET request, as the query string carries them.
#[derive(Debug, Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    #[serde(rename = "documentId")]
    document_id: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// Reads a GET request's parameters: `variables` and `extensions` are JSON-encoded strings.
fn get_params(uri: &Uri) -> Result<Map<String, Json>, Refusal> {
    let Query(params) = Query::<GetParams>::try_from_uri(uri)
        .map_err(|e| Refusal::bad_request(format!("invalid query parameters: {}", e.body_text())))?;
    let mut map = Map::new();
    if let Some(query) = params.query {
        map.insert("query".into(), Json::String(query));
    }
    if let Some(name) = params.operation_name.filter(|n| !n.is_empty()) {
        map.insert("operationName".into(), Json::String(name));
    }
    if let Some(id) = params.document_id {
        map.insert("documentId".into(), Json::String(id));
    }
    for (key, text) in [("variables", params.variables), ("extensions", params.extensions)] {
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            let value: Json =
                serde_json::from_str(&text).map_err(|e| Refusal::bad_request(format!("`{key}` is not JSON: {e}")))?;
            map.insert(key.into(), value);
        }
    }
    Ok(map)
}

/// Checks the parameters of one request and builds it, with how it names its document (its
/// text, a `documentId` or an APQ hash). Nulls are dropped first, because the specification allows
/// a null `operationName`, `variables` or `extensions` and async-graphql does not read every one
/// of them.
pub(super) fn request(params: Map<String, Json>) -> Result<(Request, DocumentRef), Refusal> {
    let mut params: Map<String, Json> = params.into_iter().filter(|(_, v)| !v.is_null()).collect();
    let query = match params.remove("query") {
        Some(Json::String(query)) => Some(query),
        Some(_) => return Err(Refusal::bad_request("`query` must be a string")),
        None => None,
    };
    let document_id = match params.remove("documentId") {
        Some(Json::String(id)) => Some(id),
        Some(_) => return Err(Refusal::bad_request("`documentId` must be a string or null")),
        None => None,
    };
    if params.get("operationName").is_some_and(|v| !v.is_string()) {
        return Err(Refusal::bad_request("`operationName` must be a string or null"));
    }
    for key in ["variables", "extensions"] {
        if params.get(key).is_some_and(|v| !v.is_object()) {
            return Err(Refusal::bad_request(format!("`{key}` must be an object or null")));
        }
    }
    let sha256_hash = match params.get("extensions").and_then(|e| e.get("persistedQuery")).map(|p| p.get("sha256Hash"))
    {
        None => None,
        Some(Some(Json::String(hash))) => Some(hash.clone()),
        Some(_) => return Err(Refusal::bad_request("`extensions.persistedQuery.sha256Hash` must be a string")),
    };
    let reference = DocumentRef { query, document_id, sha256_hash };
    if reference.is_empty() {
        return Err(Refusal::bad_request("the request has no `query` (nor a `documentId`)"));
    }
    // Keys the specification does not define are reserved; they are ignored, not refused.
    params.retain(|k, _| ["operationName", "variables", "extensions"].contains(&k.as_str()));
    let request = serde_json::from_value(Json::Object(params))
        .map_err(|e| Refusal::bad_request(format!("the body is not a GraphQL request: {e}")))?;
    Ok((request, reference))
}

/// A POST body: one request, or a batch of them.
enum Body {
    Single(Box<(Request, DocumentRef)>),
    Batch(Vec<(Request, DocumentRef)>),
}

/// Reads a POST body: one request object, or a batch of at most [`MAX_BATCH`] of them.
fn post_body(body: &[u8]) -> Result<Body, Refusal> {
    let value: Json = serde_json::from_slice(body)
        .map_err(|e| Refusal::bad_request(format!("the body is not a GraphQL request in JSON: {e}")))?;
    match value {
        Json::Object(params) => Ok(Body::Single(Box::new(request(params)?))),
        Json::Array(items) => {
            if items.is_empty() {
                return Err(Refusal::bad_request("a batch holds at least one operation"));
            }
            if items.len() > MAX_BATCH {
                return Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    codes::BATCH_TOO_LARGE,
                    format!("a batch has at most {MAX_BATCH} operations; this one has {}", items.len()),
                ));
            }
            let requests = items
                .into_iter()
                .map(|item| match item {
                    Json::Object(params) => request(params),
                    _ => Err(Refusal::bad_request("each operation of a batch must be a JSON object")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Body::Batch(requests))
        }
        _ => Err(Refusal::bad_request("the body must be a JSON object (or an array of them for a batch)")),
    }
}

/// What runs GraphQL for the transport: the GraphQL layer's [`Session`] (a stand-in in the unit
/// tests). The transport calls it; it never calls back.
pub trait Execute {
    /// Resolves a request's document, parses it (or finds it parsed), chooses its operation and
    /// checks it against the limits; the error is a request error with its code.
    fn prepare(&self, request: Request, reference: DocumentRef) -> Result<Prepared, ServerError>;
    /// Runs a prepared operation.
    fn run(&self, prepared: Prepared) -> impl Future<Output = GqlResponse> + Send;
    /// The version of the data the operations read, which the kept answers are keyed by.
    fn version(&self) -> &str;
}

impl Execute for Session {
    fn prepare(&self, request: Request, reference: DocumentRef) -> Result<Prepared, ServerError> {
        Session::prepare(self, request, reference)
    }

    fn run(&self, prepared: Prepared) -> impl Future<Output = GqlResponse> + Send {
        Session::run(self, prepared)
    }

    fn version(&self) -> &str {
        Session::version(self)
    }
}

/// One HTTP request's GraphQL side, as the handler sets it up: what runs its operations, the
/// answers already given on the same data, and the request's meter.
pub struct Exchange<'a, E> {
    /// Prepares and runs the operations.
    pub session: E,
    /// The answers kept by the request's bytes.
    pub answers: &'a ResponseCache,
    /// The client's budget, charged each operation's cost before it runs, and the request's
    /// record for the metrics.
    pub meter: &'a RequestMeter,
}

impl<E: Execute> Exchange<'_, E> {
    /// Prepares and runs one request of a batch; a request refused while preparing, or over the
    /// client's budget, gets its error as a response.
    async fn run_one(&self, (request, reference): (Request, DocumentRef)) -> GqlResponse {
        let response = match self.session.prepare(request, reference) {
            Ok(prepared) => match self.meter.charge(&prepared) {
                Ok(()) => self.session.run(prepared).await,
                Err(refusal) => GqlResponse::from_errors(vec![refusal.into_server_error()]),
            },
            Err(error) => GqlResponse::from_errors(vec![error]),
        };
        self.meter.answered(&response);
        response
    }

    /// Prepares a request and charges its cost; the response to send when it must not run.
    fn prepare_charged(
        &self,
        request: Request,
        reference: DocumentRef,
        media: MediaType,
    ) -> Result<Prepared, Box<Response>> {
        let prepared = self.session.prepare(request, reference).map_err(|error| {
            let response = GqlResponse::from_errors(vec![error]);
            self.meter.answered(&response);
            Box::new(respond_error(response, media))
        })?;
        self.meter.charge(&prepared).map_err(|refusal| Box::new(refusal.into_response(Some(media))))?;
        Ok(prepared)
    }

    /// Runs a prepared request that is not kept, noting how it ended.
    async fn run_noted(&self, prepared: Prepared) -> GqlResponse {
        let response = self.session.run(prepared).await;
        self.meter.answered(&response);
        response
    }

    /// The key of a query's answer, for a request by `method` whose bytes are `raw`.
    fn key(&self, media: MediaType, method: &str, raw: &[u8]) -> Vec<u8> {
        ResponseCache::key(self.session.version(), media.content_type(), method, raw)
    }

    /// Runs a query and keeps its answer, for the next time the same query meets the same data.
    /// An answer to a GET (`get_query` holds its query string) that ran without errors may be
    /// kept by shared caches too ([`cache_control`]).
    async fn answer_query(
        &self,
        prepared: Prepared,
        key: Vec<u8>,
        media: MediaType,
        get_query: Option<&str>,
    ) -> Arc<Answer> {
        self.meter.cache_miss();
        let operation = operation_name(&prepared);
        let response = self.run_noted(prepared).await;
        let cacheable = response.errors.is_empty();
        let (status, mut headers, body) = parts(&BatchResponse::Single(response), media);
        if let (Some(query), true) = (get_query, cacheable && status == StatusCode::OK) {
            headers.insert(header::CACHE_CONTROL, cache_control(query, self.session.version()));
            headers.insert(header::VARY, HeaderValue::from_static("Accept"));
        }
        let answer = Arc::new(Answer { operation, ..Answer::new(status, headers, body, &key) });
        self.answers.insert(key, Arc::clone(&answer));
        answer
    }
}

/// How long a shared cache (a CDN, nginx) may serve an answer to a GET without asking again, in
/// seconds: a write shows through such a cache within this time.
pub const MAX_AGE: u64 = 5;
/// How long after [`MAX_AGE`] a shared cache may still serve the answer while it fetches a fresh
/// one in the background, in seconds.
pub const STALE_WHILE_REVALIDATE: u64 = 60;
/// How long an answer at a URL that names the dataset version it reads (`v=<version>`) may be
/// kept: a year, since that version's data never changes.
pub const IMMUTABLE_MAX_AGE: u64 = 365 * 24 * 60 * 60;

/// Whether a query string's `v` parameter is `version`: the URL names the data it reads.
pub fn names_version(query: &str, version: &str) -> bool {
    query.split('&').any(|pair| pair.strip_prefix("v=") == Some(version))
}

/// The `Cache-Control` of an answer at a URL that names the dataset version it reads (a unit
/// test ties its max-age to [`IMMUTABLE_MAX_AGE`]).
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The `Cache-Control` of an answer to a GET whose query string is `query`, on data of `version`.
/// A query string whose `v` parameter is the version names data that never changes, so the
/// answer is immutable; any other may change with the next write, so it is cached briefly.
pub fn cache_control(query: &str, version: &str) -> HeaderValue {
    let value = if names_version(query, version) {
        IMMUTABLE.to_owned()
    } else {
        format!("public, max-age={MAX_AGE}, stale-while-revalidate={STALE_WHILE_REVALIDATE}")
    };
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("no-cache"))
}

/// One response as JSON; with `application/graphql-response+json`, a request error has no `data`.
fn response_json(response: &GqlResponse, media: MediaType) -> Json {
    let mut json = serde_json::to_value(response).unwrap_or_else(|e| internal_error(&e));
    if media == MediaType::GraphQLResponseJson && is_request_error(response) {
        if let Some(object) = json.as_object_mut() {
            object.remove("data");
        }
    }
    json
}

/// The body that stands for a response that could not be serialised (our fault, logged).
fn internal_error(e: &serde_json::Error) -> Json {
    tracing::error!(error = %e, "a GraphQL response could not be serialised");
    serde_json::json!({ "errors": [{ "message": "internal error", "extensions": { "code": codes::INTERNAL_SERVER_ERROR } }] })
}

/// One response's bytes. A response that ran is written straight from async-graphql's value
/// tree, without an intermediate JSON tree: that copy cost a tenth of a small query's time.
fn response_bytes(response: &GqlResponse, media: MediaType) -> Vec<u8> {
    if media == MediaType::GraphQLResponseJson && is_request_error(response) {
        return response_json(response, media).to_string().into_bytes();
    }
    serde_json::to_vec(response).unwrap_or_else(|e| internal_error(&e).to_string().into_bytes())
}

/// The status of a single response: 408 for a request stopped at its time limit, whatever the
/// media type (as for one still being read at the limit); 400 for any other request error under
/// `application/graphql-response+json`; 200 otherwise.
fn single_status(response: &GqlResponse, media: MediaType) -> StatusCode {
    let request_error = is_request_error(response);
    let code = |e: &async_graphql::ServerError| e.extensions.as_ref().and_then(|x| x.get("code")).cloned();
    if request_error && response.errors.iter().any(|e| code(e) == Some(codes::REQUEST_TIMEOUT.into())) {
        StatusCode::REQUEST_TIMEOUT
    } else if request_error && media == MediaType::GraphQLResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

/// What ran, as it goes on the wire: the status the specification gives, the negotiated media
/// type, and the cache and extra headers async-graphql collected.
fn parts(batch: &BatchResponse, media: MediaType) -> (StatusCode, HeaderMap, Bytes) {
    let (status, body) = match batch {
        BatchResponse::Single(response) => (single_status(response, media), response_bytes(response, media)),
        // Batches are outside the specification: each item says how it went, the whole is 200.
        BatchResponse::Batch(items) => (
            StatusCode::OK,
            Json::Array(items.iter().map(|r| response_json(r, media)).collect()).to_string().into_bytes(),
        ),
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    if body.len() > MAX_RESPONSE_BYTES {
        tracing::warn!(bytes = body.len(), max = MAX_RESPONSE_BYTES, "an answer over the size limit was refused");
        return (StatusCode::OK, headers, Bytes::from(too_large(body.len()).to_string()));
    }
    if batch.is_ok() {
        if let Some(value) = batch.cache_control().value().and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(header::CACHE_CONTROL, value);
        }
    }
    headers.extend(batch.http_headers());
    // The version the answer was served from; in a batch, which runs in order, the last one's.
    let responses: &[GqlResponse] = match batch {
        BatchResponse::Single(response) => std::slice::from_ref(response),
        BatchResponse::Batch(items) => items,
    };
    let version = responses.iter().rev().find_map(|r| match r.extensions.get(DATASET_VERSION_EXTENSION) {
        Some(async_graphql::Value::String(v)) => HeaderValue::from_str(v).ok(),
        _ => None,
    });
    if let Some(version) = version {
        headers.insert(super::dataset_version::DATASET_VERSION.clone(), version);
    }
    (status, headers, Bytes::from(body))
}

/// The answer that stands for one of `bytes` bytes, over [`MAX_RESPONSE_BYTES`]: one error with
/// the code `RESPONSE_TOO_LARGE`, sent instead of an answer cut short.
pub(super) fn too_large(bytes: usize) -> Json {
    serde_json::json!({ "data": null, "errors": [{
        "message": format!(
            "the answer is {bytes} bytes, over the limit of {MAX_RESPONSE_BYTES}; ask for smaller pages (`first`) or fewer nested lists"
        ),
        "extensions": { "code": codes::RESPONSE_TOO_LARGE },
    }] })
}

/// The HTTP response for what ran, when it is not kept: a mutation, a batch, an error. It has no
/// `ETag`: nothing could revalidate it.
fn respond(batch: BatchResponse, media: MediaType) -> Response {
    let (status, headers, body) = parts(&batch, media);
    let mut response = (status, body).into_response();
    response.headers_mut().extend(headers);
    response
}

/// The media type for a request, or the 406 refusal.
fn media_type(headers: &HeaderMap) -> Result<MediaType, Refusal> {
    negotiate(accept_header(headers).as_deref()).ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            codes::NOT_ACCEPTABLE,
            format!(
                "GraphQL responses are sent as {GRAPHQL_RESPONSE_JSON} or {APPLICATION_JSON} (or {TEXT_CSV} for a \
                 query's table); Accept allows none of them"
            ),
        )
    })
}

/// What a GET on the GraphQL endpoint asks for.
pub enum GetOutcome {
    /// No parameters, from a browser: the caller serves GraphiQL.
    Page,
    /// A response to send.
    Response(Response),
}

/// GET: a query from `?query=&variables=&operationName=&extensions=` (or `documentId=` instead of
/// `query=`), run by the exchange's session; or
/// [`GetOutcome::Page`] when a browser asks for the endpoint without parameters. A query's answer
/// carries an `ETag`, and `If-None-Match` with it gets 304.
pub async fn get(headers: &HeaderMap, uri: &Uri, ex: &Exchange<'_, impl Execute>) -> GetOutcome {
    if uri.query().is_none_or(str::is_empty) && accepts_html(headers) {
        return GetOutcome::Page;
    }
    let media = match media_type(headers) {
        Ok(media) => media,
        Err(refusal) => return GetOutcome::Response(refusal.into_response(None)),
    };
    let if_none_match = headers.get(header::IF_NONE_MATCH);
    // Only queries are ever kept, so a kept answer is a query's: no need to read or prepare the
    // request again. The key is the query string as it came (see `response_cache`).
    let raw = uri.query().unwrap_or_default().as_bytes();
    let key = (media != MediaType::Csv).then(|| ex.key(media, "GET", raw));
    if let Some(answer) = key.as_deref().and_then(|k| ex.answers.get(k)) {
        ex.meter.cache_hit(&answer);
        return GetOutcome::Response(answer.respond(if_none_match));
    }
    let (request, reference) = match get_params(uri).and_then(request) {
        Ok(request) => request,
        Err(refusal) => return GetOutcome::Response(refusal.into_response(Some(media))),
    };
    let prepared = match ex.prepare_charged(request, reference, media) {
        Ok(prepared) => prepared,
        Err(response) => return GetOutcome::Response(*response),
    };
    if let ty @ (OperationType::Mutation | OperationType::Subscription) = prepared.operation {
        let what = if ty == OperationType::Mutation { "a mutation" } else { "a subscription" };
        let refusal = Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::METHOD_NOT_ALLOWED,
            format!("GET runs queries only; send {what} as a POST"),
        );
        return GetOutcome::Response(refusal.into_response(Some(media)));
    }
    GetOutcome::Response(match key {
        None => respond_csv(ex.run_noted(prepared).await),
        Some(key) => ex.answer_query(prepared, key, media, uri.query()).await.respond(if_none_match),
    })
}

/// A request error from preparing, in the negotiated media type (for a CSV client, as
/// `respond_csv` answers errors).
fn respond_error(response: GqlResponse, media: MediaType) -> Response {
    if media == MediaType::Csv {
        return respond_csv(response);
    }
    respond(BatchResponse::Single(response), media)
}

/// POST: one request, or a batch of at most [`MAX_BATCH`], as `application/json`, run by the
/// exchange's session.
pub async fn post(headers: &HeaderMap, body: &[u8], ex: &Exchange<'_, impl Execute>) -> Response {
    let media = match media_type(headers) {
        Ok(media) => media,
        Err(refusal) => return refusal.into_response(None),
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case(APPLICATION_JSON) {
        return Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "POST /graphql takes a JSON body with `Content-Type: application/json`",
        )
        .into_response(Some(media));
    }
    // As for GET: a kept answer is found by the body's bytes, before its JSON is read.
    let key = (media != MediaType::Csv).then(|| ex.key(media, "POST", body));
    if let Some(answer) = key.as_deref().and_then(|k| ex.answers.get(k)) {
        ex.meter.cache_hit(&answer);
        return answer.respond(None);
    }
    let request = match post_body(body) {
        Ok(Body::Single(request)) => *request,
        Ok(Body::Batch(_)) if media == MediaType::Csv => return csv_refusal("a batch").into_response(Some(media)),
        Ok(Body::Batch(requests)) => {
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                responses.push(ex.run_one(request).await);
            }
            return respond(BatchResponse::Batch(responses), media);
        }
        Err(refusal) => return refusal.into_response(Some(media)),
    };
    let (request, reference) = request;
    let prepared = match ex.prepare_charged(request, reference, media) {
        Ok(prepared) => prepared,
        Err(response) => return *response,
    };
    match (prepared.operation, key) {
        (OperationType::Mutation, None) => csv_refusal("a mutation").into_response(Some(media)),
        (OperationType::Subscription, None) => csv_refusal("a subscription").into_response(Some(media)),
        (OperationType::Query, None) => respond_csv(ex.run_noted(prepared).await),
        (OperationType::Query, Some(key)) => ex.answer_query(prepared, key, media, None).await.respond(None),
        (_, Some(_)) => respond(BatchResponse::Single(ex.run_noted(prepared).await), media),
    }
}

/// A CSV table answers one query: a batch would be several tables, and a mutation must not run
/// only to be refused afterwards for having no list. Both are refused before anything runs.
fn csv_refusal(what: &str) -> Refusal {
    Refusal::new(
        StatusCode::NOT_ACCEPTABLE,
        codes::NOT_ACCEPTABLE,
        format!("{TEXT_CSV} answers a single query; send {what} with Accept: {APPLICATION_JSON}"),
    )
}

/// The answer to a query run for `text/csv`: its first list of objects as an RFC 4180 table, or
/// JSON when there were errors (400 when nothing ran, 200 otherwise) or when the result holds no
/// list (406).
fn respond_csv(response: GqlResponse) -> Response {
    if !response.errors.is_empty() {
        // The client may not read JSON, so a request error gets a 4xx it cannot mistake for a
        // table; errors from execution keep the 200 of `application/json`, as today.
        let status = if is_request_error(&response) { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        let mut json = respond(BatchResponse::Single(response), MediaType::Json);
        *json.status_mut() = status;
        return json;
    }
    let Some(table) = crate::export::flatten::table(&response.data) else {
        return Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            codes::NOT_ACCEPTABLE,
            "the result holds no list of objects to answer as CSV rows: ask for a list \
             (`meetings { nodes { … } }`), or send Accept: application/json",
        )
        .into_response(Some(MediaType::Csv));
    };
    let mut http = crate::export::csv(&table).into_response();
    http.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(MediaType::Csv.content_type()));
    http
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::engine::Engine;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A session that counts what it runs and answers with that count, so that an answer taken
    /// from the cache shows an older count than one that ran.
    struct Counting {
        engine: Engine,
        runs: AtomicUsize,
    }

    impl Execute for Counting {
        fn prepare(&self, request: Request, reference: DocumentRef) -> Result<Prepared, ServerError> {
            self.engine.prepare_document(request, reference, &crate::graphql::limits::UnknownLists)
        }

        async fn run(&self, _prepared: Prepared) -> GqlResponse {
            let n = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            GqlResponse::new(async_graphql::Value::from_json(serde_json::json!({ "run": n })).unwrap())
        }

        fn version(&self) -> &str {
            "v1"
        }
    }

    #[test]
    fn an_answer_over_the_size_limit_is_refused_whole_with_its_code_and_one_within_it_is_sent() {
        let answer = |n: usize| {
            let value = async_graphql::Value::from_json(serde_json::json!({ "text": "x".repeat(n) })).unwrap();
            parts(&BatchResponse::Single(GqlResponse::new(value)), MediaType::Json)
        };
        let (status, _, body) = answer(MAX_RESPONSE_BYTES);
        let refused: Json = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(refused["data"], Json::Null, "{refused}");
        assert_eq!(refused["errors"][0]["extensions"]["code"], codes::RESPONSE_TOO_LARGE, "{refused}");
        assert!(body.len() < 1024, "the refusal is short, not the answer cut: {} bytes", body.len());
        let (_, _, body) = answer(MAX_RESPONSE_BYTES - 1024);
        let sent: Json = serde_json::from_slice(&body).unwrap();
        assert_eq!(sent["data"]["text"].as_str().map(str::len), Some(MAX_RESPONSE_BYTES - 1024));
    }

    /// The body of a response, as text.
    async fn text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    fn headers(accept: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(APPLICATION_JSON));
        headers.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
        headers
    }

    #[tokio::test]
    async fn only_the_same_query_bytes_for_the_same_media_type_are_answered_from_the_cache() {
        let answers = ResponseCache::default();
        let meter = RequestMeter::unmetered();
        let ex = Exchange {
            session: Counting { engine: Engine::new(), runs: AtomicUsize::new(0) },
            answers: &answers,
            meter: &meter,
        };
        let json = headers(APPLICATION_JSON);
        let post = |headers: &HeaderMap, body: &str| {
            let (headers, body) = (headers.clone(), body.to_owned());
            let ex = &ex;
            async move { text(super::post(&headers, body.as_bytes(), ex).await).await }
        };
        let query = r#"{"query":"{ __typename }"}"#;
        assert_eq!(post(&json, query).await, r#"{"data":{"run":1}}"#);
        assert_eq!(post(&json, query).await, r#"{"data":{"run":1}}"#, "the same bytes again: the kept answer");
        // Each of these differs from the first in a byte or in the media type, so it runs.
        assert_eq!(post(&json, r#"{"query":"{ __typename }" }"#).await, r#"{"data":{"run":2}}"#);
        assert_eq!(post(&json, r#"{"query":"{ __typename }","variables":{"x":1}}"#).await, r#"{"data":{"run":3}}"#);
        assert_eq!(post(&headers(GRAPHQL_RESPONSE_JSON), query).await, r#"{"data":{"run":4}}"#);
        // A mutation, a batch and a request that fails to prepare are never kept.
        let mutation = r#"{"query":"mutation { deleteSource(slug: \"x\") { slug } }"}"#;
        assert_eq!(post(&json, mutation).await, r#"{"data":{"run":5}}"#);
        assert_eq!(post(&json, mutation).await, r#"{"data":{"run":6}}"#);
        let batch = format!("[{query}]");
        assert_eq!(post(&json, &batch).await, r#"[{"data":{"run":7}}]"#);
        assert_eq!(post(&json, &batch).await, r#"[{"data":{"run":8}}]"#);
        let invalid = r#"{"query":"{ __typename "}"#;
        assert!(post(&json, invalid).await.contains("GRAPHQL_PARSE_FAILED"));
        assert!(answers
            .get(&ResponseCache::key("v1", MediaType::Json.content_type(), "POST", invalid.as_bytes()))
            .is_none());

        // GET keeps its own answers, by the query string.
        let uri: Uri = "/graphql?query=%7B__typename%7D".parse().unwrap();
        let get = || async {
            match super::get(&json, &uri, &ex).await {
                GetOutcome::Response(response) => text(response).await,
                GetOutcome::Page => panic!("a query string is not a page"),
            }
        };
        assert_eq!(get().await, r#"{"data":{"run":9}}"#);
        assert_eq!(get().await, r#"{"data":{"run":9}}"#);
        assert_eq!(ex.session.runs.load(Ordering::SeqCst), 9);
    }

    #[tokio::test]
    async fn a_get_answer_may_be_kept_by_shared_caches_and_a_post_answer_may_not() {
        let answers = ResponseCache::default();
        let meter = RequestMeter::unmetered();
        let ex = Exchange {
            session: Counting { engine: Engine::new(), runs: AtomicUsize::new(0) },
            answers: &answers,
            meter: &meter,
        };
        let json = headers(APPLICATION_JSON);
        let uri: Uri = "/graphql?query=%7B__typename%7D".parse().unwrap();
        let GetOutcome::Response(got) = super::get(&json, &uri, &ex).await else { panic!("a query is not a page") };
        assert_eq!(got.headers()[header::CACHE_CONTROL], cache_control("query=%7B__typename%7D", "v1"));
        assert_eq!(got.headers()[header::VARY], "Accept");
        let posted = super::post(&json, br#"{"query":"{ __typename }"}"#, &ex).await;
        assert!(posted.headers().get(header::CACHE_CONTROL).is_none(), "{:?}", posted.headers());
    }

    #[test]
    fn a_get_answer_is_cached_briefly_or_for_a_year_when_its_url_names_the_dataset_version() {
        let brief = format!("public, max-age={MAX_AGE}, stale-while-revalidate={STALE_WHILE_REVALIDATE}");
        assert_eq!(cache_control("query=%7Ba%7D", "abc"), brief.as_str());
        assert_eq!(cache_control("query=%7Ba%7D&v=abc", "abc"), "public, max-age=31536000, immutable");
        assert_eq!(IMMUTABLE, format!("public, max-age={IMMUTABLE_MAX_AGE}, immutable"));
        assert_eq!(cache_control("v=abc&documentId=sha256%3A00", "abc"), "public, max-age=31536000, immutable");
        // Another version, or `v` as the end of another parameter's name, is not this data's.
        assert_eq!(cache_control("query=%7Ba%7D&v=abd", "abc"), brief.as_str());
        assert_eq!(cache_control("xv=abc", "abc"), brief.as_str());
    }

    #[test]
    fn negotiation_follows_the_accept_header() {
        let cases: &[(Option<&str>, Option<MediaType>)] = &[
            (None, Some(MediaType::Json)),
            (Some("*/*"), Some(MediaType::Json)),
            (Some("application/*"), Some(MediaType::Json)),
            (Some("application/json"), Some(MediaType::Json)),
            (Some("application/json; charset=utf-8"), Some(MediaType::Json)),
            (Some("application/graphql-response+json"), Some(MediaType::GraphQLResponseJson)),
            (Some("application/graphql-response+json, application/json"), Some(MediaType::GraphQLResponseJson)),
            (Some("application/json, application/graphql-response+json"), Some(MediaType::GraphQLResponseJson)),
            (Some("application/graphql-response+json, application/json;q=0.9"), Some(MediaType::GraphQLResponseJson)),
            (Some("application/graphql-response+json;q=0.5, application/json"), Some(MediaType::Json)),
            (Some("application/graphql-response+json, */*;q=0.1"), Some(MediaType::GraphQLResponseJson)),
            (Some("application/json, multipart/mixed"), Some(MediaType::Json)),
            (Some("text/html,application/xhtml+xml,*/*;q=0.8"), Some(MediaType::Json)),
            (Some("APPLICATION/GRAPHQL-RESPONSE+JSON"), Some(MediaType::GraphQLResponseJson)),
            (Some("text/html"), None),
            (Some("application/xml, image/png"), None),
            (Some("application/json;q=0"), None),
            (Some("*/*;q=0, application/graphql-response+json"), Some(MediaType::GraphQLResponseJson)),
            (Some("text/csv"), Some(MediaType::Csv)),
            (Some("text/csv, application/json;q=0.9"), Some(MediaType::Csv)),
            (Some("text/csv, */*;q=0.1"), Some(MediaType::Csv)),
            (Some("text/csv, application/json"), Some(MediaType::Json)),
            (Some("text/csv;q=0.5, application/graphql-response+json"), Some(MediaType::GraphQLResponseJson)),
            (Some("text/*"), None),
            (Some("text/csv;q=0"), None),
        ];
        for (accept, expected) in cases {
            assert_eq!(negotiate(*accept), *expected, "Accept: {accept:?}");
        }
    }

    #[test]
    fn a_request_needs_a_string_query_and_well_typed_parameters() {
        let ok = |v: Json| request(v.as_object().cloned().unwrap_or_default()).is_ok();
        assert!(ok(serde_json::json!({"documentId": "sha256:00"})), "a documentId stands for the query");
        assert!(ok(serde_json::json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}})));
        assert!(ok(serde_json::json!({"query": "{ a }"})));
        assert!(ok(
            serde_json::json!({"query": "{ a }", "operationName": null, "variables": null, "extensions": null})
        ));
        assert!(ok(serde_json::json!({"query": "{ a }", "variables": {"x": 1}, "extensions": {"y": 2}})));
        assert!(ok(serde_json::json!({"query": "{ a }", "unknown": 1})));
        for bad in [
            serde_json::json!({}),
            serde_json::json!({"query": 0}),
            serde_json::json!({"query": ["{ a }"]}),
            serde_json::json!({"query": "{ a }", "operationName": 1}),
            serde_json::json!({"query": "{ a }", "variables": "x"}),
            serde_json::json!({"query": "{ a }", "variables": [1]}),
            serde_json::json!({"query": "{ a }", "extensions": false}),
            serde_json::json!({"documentId": 1}),
            serde_json::json!({"extensions": {"persistedQuery": {"sha256Hash": 1}}}),
            serde_json::json!({"extensions": {"persistedQuery": {"version": 1}}}),
        ] {
            assert!(!ok(bad.clone()), "{bad}");
        }
    }
}
