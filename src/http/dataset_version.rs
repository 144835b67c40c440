//! The dataset version on every answer, and the wait for a version a request asks for.
//!
//! Every answer carries `X-Dataset-Version`: for a GraphQL answer, the version it was served
//! from (the same as its `extensions.datasetVersion`; after a mutation, the version the write
//! made); for any other, the version being served when it was answered.
//!
//! A request may send `X-Min-Dataset-Version: <version>` (a version a previous answer named), to
//! read its own writes on a server that may be behind: the request waits until the server
//! serves that version or a later one, for at most `--min-version-wait`
//! ([`crate::app::DEFAULT_MIN_VERSION_WAIT`]), and is then answered 503 with `Retry-After` and
//! the code `DATASET_VERSION_NOT_REACHED` (its `X-Dataset-Version` names the version it has). A
//! version that is not one of this dataset (another seed, or mistyped) is refused at once with
//! 400 and the code `BAD_REQUEST`.

use super::graphql_http::Refusal;
use crate::app::App;
use crate::graphql::codes;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The response header that names the dataset version an answer was served from.
pub static DATASET_VERSION: HeaderName = HeaderName::from_static("x-dataset-version");
/// The request header that asks for at least a dataset version.
pub static MIN_DATASET_VERSION: HeaderName = HeaderName::from_static("x-min-dataset-version");
/// Seconds a client is told to wait (`Retry-After`) when the version it asked for was not reached.
pub const RETRY_AFTER_SECS: u64 = 1;

/// The middleware: see the module comment.
pub async fn versioned(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if let Some(wanted) = request.headers().get(&MIN_DATASET_VERSION) {
        let wanted = wanted.to_str().unwrap_or_default().trim().to_owned();
        let meta = app.catalog().meta.clone();
        let Some(revision) = meta.revision_of(&wanted) else {
            let shown: String = wanted.chars().take(100).collect();
            let refusal = Refusal::new(
                StatusCode::BAD_REQUEST,
                codes::BAD_REQUEST,
                format!(
                    "{MIN_DATASET_VERSION} '{shown}' is not a version of this dataset; send a version an answer named"
                ),
            );
            return stamped(refusal.into_response(None), &app);
        };
        if !app.curator.wait_for_revision(revision, app.min_version_wait).await {
            let current = app.catalog().meta.version.clone();
            let refusal = Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::DATASET_VERSION_NOT_REACHED,
                format!(
                    "this server did not reach dataset version '{wanted}' within {} s; it serves '{current}'",
                    app.min_version_wait.as_secs_f64()
                ),
            );
            // `stamped` names the version it serves in the header.
            return stamped(refusal.retry_after(RETRY_AFTER_SECS).into_response(None), &app);
        }
    }
    let response = next.run(request).await;
    stamped(response, &app)
}

/// Gives an answer that does not name its version yet the version being served now.
fn stamped(mut response: Response, app: &App) -> Response {
    if !response.headers().contains_key(&DATASET_VERSION) {
        if let Ok(value) = HeaderValue::from_str(&app.catalog().meta.version) {
            response.headers_mut().insert(DATASET_VERSION.clone(), value);
        }
    }
    response
}
