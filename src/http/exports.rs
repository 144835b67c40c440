//! `GET /export/{file}`: the bulk exports (CSV, JSON, JSONL, the data package, GeoJSON, GraphML)
//! and their manifest.
//!
//! The files are rendered by [`crate::export`] once per dataset version (on the blocking pool)
//! and kept in the app's [`ExportCache`](crate::export::ExportCache), so repeated downloads cost
//! a look-up. Each answer carries an `ETag` made of the file's SHA-256 (the digest the manifest
//! lists), and a request whose `If-None-Match` names it gets 304 with no body.
//! `Cache-Control: no-cache` makes clients ask again each time, because a write changes the data
//! at any moment; a URL that names the dataset version (`?v=<version>`, the version being
//! served) is immutable for a year instead, since that version's files never change. The ETag is weak (`W/"…"`): the compression layer may send the same file
//! gzipped, which is the same data but not the same bytes.

use super::graphql_http::{names_version, IMMUTABLE};
use crate::app::App;
use crate::export::{ExportFile, Format, GRAPHML_FILE, MANIFEST_FILE};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

/// GET /export/manifest.json: every export with its path, media type, rows, size and SHA-256.
pub async fn manifest(State(app): State<Arc<App>>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    serve(app, MANIFEST_FILE, query.as_deref(), &headers).await
}

/// GET /export/{file}: one export by file name (`meetings.csv`, `cohosts.graphml`, …); 404 with
/// the list of exports for any other name.
pub async fn file(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    serve(app, &name, query.as_deref(), &headers).await
}

async fn serve(app: Arc<App>, name: &str, query: Option<&str>, headers: &HeaderMap) -> Response {
    let catalog = app.catalog();
    let cache_control = match query {
        Some(query) if names_version(query, &catalog.meta.version) => IMMUTABLE,
        _ => "no-cache",
    };
    let set = match app.exports.cached(&catalog) {
        Some(set) => set,
        // Rendering takes milliseconds of CPU once per dataset version: off the async workers.
        None => match tokio::task::spawn_blocking(move || app.exports.get(&catalog)).await {
            Ok(set) => set,
            Err(e) => {
                tracing::error!(error = %e, "rendering the bulk exports failed");
                let body = serde_json::json!({ "error": "internal error" });
                return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
            }
        },
    };
    let Some(file) = set.file(name) else {
        let body = serde_json::json!({
            "error": format!("there is no export named '{name}'; the manifest at /export/{MANIFEST_FILE} lists them"),
            "exports": set.names(),
        });
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    };
    let etag = format!("W/\"{}\"", file.sha256);
    let mut response = if matches(headers, &file.sha256) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        // One copy of a file of at most a few hundred kilobytes, from the shared rendered set.
        let mut response = file.bytes.to_vec().into_response();
        set_header(&mut response, header::CONTENT_TYPE, file.media_type);
        if let Some(disposition) = disposition(file) {
            set_header(&mut response, header::CONTENT_DISPOSITION, &disposition);
        }
        response
    };
    set_header(&mut response, header::ETAG, &etag);
    set_header(&mut response, header::CACHE_CONTROL, cache_control);
    response
}

/// Whether `If-None-Match` names this file's digest (weak comparison, as RFC 9110 asks for
/// `If-None-Match`), or is `*`.
fn matches(headers: &HeaderMap, sha256: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == sha256
        },
    )
}

/// CSV and GraphML are downloads, opened in a spreadsheet or Gephi: a browser saves them under
/// their own name. JSON, JSONL, GeoJSON, the data package and the manifest are shown.
fn disposition(file: &ExportFile) -> Option<String> {
    let download = file.format == Some(Format::Csv) || file.name == GRAPHML_FILE;
    download.then(|| format!("attachment; filename=\"{}\"", file.name))
}

fn set_header(response: &mut Response, name: header::HeaderName, value: &str) {
    // Our values are ASCII (media types, hex digests, our own file names).
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}
