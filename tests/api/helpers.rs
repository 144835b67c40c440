//! Test helpers: a fresh app on its own temporary store, driven through the production router.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use khartoum_graphql::{app::App, http::router};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;
use tower::ServiceExt;

/// The project's real seed directory.
pub fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")
}

/// A running app on a temporary store seeded from `seed/`.
pub struct TestApp {
    pub app: Arc<App>,
    pub dir: TempDir,
}

/// An HTTP response: status, headers and body text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
}

/// Starts an app on a fresh store seeded from the real seed files.
pub fn spawn_app() -> TestApp {
    spawn_app_with_seed(&seed_dir())
}

/// Starts an app on a fresh store seeded from `seed`.
pub fn spawn_app_with_seed(seed: &Path) -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let app = App::open(&dir.path().join("data"), seed).expect("the app opens on a fresh store");
    TestApp { app: Arc::new(app), dir }
}

impl TestApp {
    /// Sends a request through the production router.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = router(Arc::clone(&self.app)).oneshot(req).await.expect("the router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("a body").to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// GETs a path.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// POSTs a JSON body to /graphql.
    pub async fn post_json(&self, body: &Value) -> Reply {
        let req = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// Runs a query with variables and returns the whole response (`data` and `errors`).
    pub async fn run(&self, query: &str, variables: Value) -> Value {
        let reply = self.post_json(&json!({ "query": query, "variables": variables })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    /// Runs a query that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let resp = self.run(query, variables).await;
        assert!(resp.get("errors").is_none(), "unexpected errors: {}", resp["errors"]);
        resp["data"].clone()
    }

    /// Runs a query that must fail and returns its first error's `extensions.code` and message.
    pub async fn error(&self, query: &str, variables: Value) -> (String, String) {
        let resp = self.run(query, variables).await;
        let err = &resp["errors"][0];
        assert!(!err.is_null(), "expected an error, got {resp}");
        (err["extensions"]["code"].as_str().unwrap_or("").to_owned(), err["message"].as_str().unwrap_or("").to_owned())
    }
}

/// The slugs of a list of objects with a `slug` field, in order.
pub fn slugs(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["slug"].as_str().unwrap_or_else(|| panic!("no slug in {v}")).to_owned())
        .collect()
}
