//! Test helpers: a fresh app on its own temporary store, driven through the production router.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use khartoum_graphql::store::{Backend, Location};
use khartoum_graphql::{app::App, curation::Tokens, http::router};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;
use tower::ServiceExt;

/// The write token every test app accepts.
pub const TOKEN: &str = "test-token-0123456789abcdef";

/// The project's real seed directory.
pub fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")
}

/// The README and every page of `docs/` (by file name), read now: the manual whose examples the
/// tests run and the server shows.
pub fn manual() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("docs/ can be listed").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    let mut text = std::fs::read_to_string(root.join("README.md")).expect("README.md exists");
    for page in pages {
        text.push('\n');
        text.push_str(&std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display())));
    }
    text
}

/// A running app on a temporary store seeded from `seed/`.
pub struct TestApp {
    pub app: Arc<App>,
    pub dir: TempDir,
    /// The etcd cluster the app's store is in, when [`STORE_ENV`] says etcd; stopped after the app.
    pub etcd: Option<cluster::Cluster>,
}

/// The environment variable that chooses the store of [`spawn_app`]: `sled` (the default) or
/// `etcd` (a one-member cluster per app), so that the behaviour tests run on both stores:
/// `replicas::the_curation_tests_pass_on_etcd_as_on_the_embedded_store` runs the curation tests
/// a second time with `etcd`.
pub const STORE_ENV: &str = "KHARTOUM_TEST_STORE";

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

/// A benchmark workload of `bench/workloads/`: its query, and its variables with `__N__` (which
/// `bench/run` replaces by a counter, and its probe by "probe") made "probe".
pub fn workload(name: &str) -> (String, Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/workloads");
    let read = |file: String| {
        std::fs::read_to_string(dir.join(&file)).unwrap_or_else(|e| panic!("bench/workloads/{file}: {e}"))
    };
    let variables = read(format!("{name}.variables.json")).replace("__N__", "probe");
    let variables =
        serde_json::from_str(&variables).unwrap_or_else(|e| panic!("bench/workloads/{name}.variables.json: {e}"));
    (read(format!("{name}.graphql")), variables)
}

/// Starts an app on a fresh store seeded from the real seed files.
pub fn spawn_app() -> TestApp {
    spawn_app_with_seed(&seed_dir())
}

/// Starts an app on a fresh store seeded from `seed`: the embedded store, or an etcd cluster of
/// its own when [`STORE_ENV`] says so.
pub fn spawn_app_with_seed(seed: &Path) -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let tokens = Tokens::load(Some(TOKEN), None).expect("the test token is long enough");
    let (location, etcd) = match std::env::var(STORE_ENV).as_deref() {
        Err(_) | Ok("sled") => (Location::Sled(dir.path().join("data")), None),
        Ok("etcd") => {
            let cluster = cluster::Cluster::start(1);
            let location: Location = cluster.store().parse().expect("the cluster's --store value parses");
            let loaded = khartoum_graphql::seed::load(seed).expect("the seed files load");
            Backend::open(&location)
                .and_then(|b| b.replace_all(&loaded.dataset, &loaded.version))
                .expect("the cluster is seeded");
            (location, Some(cluster))
        }
        Ok(other) => panic!("{STORE_ENV}={other}: write sled or etcd"),
    };
    let app = App::open_at(&location, seed, tokens).expect("the app opens on a fresh store");
    TestApp { app: Arc::new(app), dir, etcd }
}

impl TestApp {
    /// Stops the app and starts another on the same store (without write tokens), as a server
    /// restarted does.
    pub fn restarted(self) -> TestApp {
        let TestApp { app, dir, etcd } = self;
        drop(app); // releases the embedded store's lock
        let location = match &etcd {
            Some(cluster) => cluster.store().parse().expect("the cluster's --store value parses"),
            None => Location::Sled(dir.path().join("data")),
        };
        let app = App::open_at(&location, &seed_dir(), Tokens::default()).expect("the app opens again on its store");
        TestApp { app: Arc::new(app), dir, etcd }
    }

    /// Sends a request through the production router.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = router(Arc::clone(&self.app)).oneshot(req).await.expect("the router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("a body").to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// Serves the production router on a real port of 127.0.0.1, for clients outside this process
    /// (node, Chromium), and returns its base URL. The server runs until the test's runtime ends.
    pub async fn serve(&self) -> String {
        self.serve_with(Default::default()).await
    }

    /// [`TestApp::serve`] under the transport's `policies`.
    pub async fn serve_with(&self, policies: khartoum_graphql::http::Policies) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port on 127.0.0.1");
        let addr = listener.local_addr().expect("the listener's address");
        // With each connection's address, as the production server loop gives it to the router.
        let app = khartoum_graphql::http::router_with(Arc::clone(&self.app), policies)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.expect("the server runs") });
        format!("http://{addr}")
    }

    /// GETs a path.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// POSTs a JSON body to /graphql.
    pub async fn post_json(&self, body: &Value) -> Reply {
        self.post_json_as(body, None).await
    }

    /// POSTs a JSON body to /graphql with `Authorization: Bearer <token>` when a token is given.
    pub async fn post_json_as(&self, body: &Value, token: Option<&str>) -> Reply {
        let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::from(body.to_string())).unwrap()).await
    }

    /// Runs a mutation with the test token and returns the whole response.
    pub async fn write(&self, query: &str, variables: Value) -> Value {
        let reply = self.post_json_as(&json!({ "query": query, "variables": variables }), Some(TOKEN)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    /// Runs a mutation with the test token that must succeed and returns its `data`.
    pub async fn write_data(&self, query: &str, variables: Value) -> Value {
        let resp = self.write(query, variables).await;
        assert!(resp.get("errors").is_none(), "unexpected errors: {}", resp["errors"]);
        resp["data"].clone()
    }

    /// Runs a mutation with the test token that must fail; returns its first error's code and
    /// message.
    pub async fn write_error(&self, query: &str, variables: Value) -> (String, String) {
        let resp = self.write(query, variables).await;
        let err = &resp["errors"][0];
        assert!(!err.is_null(), "expected an error, got {resp}");
        (err["extensions"]["code"].as_str().unwrap_or("").to_owned(), err["message"].as_str().unwrap_or("").to_owned())
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

    /// Every node of the root connection `field`, each with `selection`, fetched `first` at a
    /// time.
    pub async fn all_nodes(&self, field: &str, selection: &str, first: u64) -> Vec<Value> {
        let query = format!(
            "query Every($first: Int, $after: String) {{ {field}(first: $first, after: $after) {{ \
             pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} }} }} }}"
        );
        let mut nodes = Vec::new();
        let mut after = Value::Null;
        loop {
            let data = self.data(&query, json!({ "first": first, "after": after })).await;
            let page = &data[field];
            nodes.extend(
                page["nodes"].as_array().unwrap_or_else(|| panic!("{field} has nodes: {data}")).iter().cloned(),
            );
            if page["pageInfo"]["hasNextPage"] != true {
                return nodes;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
    }

    /// Runs a query that must fail and returns its first error's `extensions.code` and message.
    pub async fn error(&self, query: &str, variables: Value) -> (String, String) {
        let resp = self.run(query, variables).await;
        let err = &resp["errors"][0];
        assert!(!err.is_null(), "expected an error, got {resp}");
        (err["extensions"]["code"].as_str().unwrap_or("").to_owned(), err["message"].as_str().unwrap_or("").to_owned())
    }
}

/// The slugs of the actors of a list of memberships or participations, in order.
pub fn actor_slugs(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["actor"]["slug"].as_str().unwrap_or_else(|| panic!("no actor slug in {v}")).to_owned())
        .collect()
}

/// The list, sorted.
pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Owned copies of string slices, for comparing with lists read from JSON.
pub fn owned(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// The slugs of a list of objects with a `slug` field, in order.
pub fn slugs(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["slug"].as_str().unwrap_or_else(|| panic!("no slug in {v}")).to_owned())
        .collect()
}

// ----- the seed files, read independently of the API, for expected answers -----

/// The records of one seed file, as JSON.
pub fn seed_file(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(seed_dir().join(file)).unwrap_or_else(|e| panic!("seed/{file}: {e}"));
    let mut records: Vec<Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("seed/{file} is not JSON: {e}"));
    // The seed format leaves empty lists out; put them back so tests can read every list.
    for r in &mut records {
        for list in OPTIONAL_LISTS {
            if let Some(obj) = r.as_object_mut() {
                obj.entry(list).or_insert_with(|| json!([]));
            }
        }
        for p in r.get_mut("participations").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(obj) = p.as_object_mut() {
                obj.entry("sources").or_insert_with(|| json!([]));
                obj.entry("inferred").or_insert(json!(false));
            }
        }
    }
    records
}

/// The list fields a seed record may leave out when they are empty.
const OPTIONAL_LISTS: [&str; 5] = ["participations", "domains", "related", "notes", "processes"];

/// The string at `key` of every object in a list, in order.
pub fn pluck(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v[key].as_str().unwrap_or_else(|| panic!("no string `{key}` in {v}")).to_owned())
        .collect()
}

/// A string field of a record, if present.
pub fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A string field of a record, which must be present.
pub fn must<'a>(v: &'a Value, key: &str) -> &'a str {
    text(v, key).unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// A field of the seed as the API shows it: the value, or null when absent.
pub fn or_null(v: &Value, key: &str) -> Value {
    v.get(key).cloned().unwrap_or(Value::Null)
}

/// The string items of an array field (empty when absent).
pub fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map_or_else(Vec::new, |a| a.iter().map(|s| s.as_str().expect("a string").to_owned()).collect())
}

/// The first day a partial date ("2023", "2023-11", "2023-11-14") may mean, as "YYYY-MM-DD".
/// Written apart from the crate's own date code, so that tests check it rather than repeat it.
pub fn first_day(d: &str) -> String {
    match d.len() {
        4 => format!("{d}-01-01"),
        7 => format!("{d}-01"),
        10 => d.to_owned(),
        _ => panic!("not a partial date: {d}"),
    }
}

/// The last day a partial date may mean, as "YYYY-MM-DD".
pub fn last_day(d: &str) -> String {
    match d.len() {
        4 => format!("{d}-12-31"),
        7 => format!("{d}-{:02}", days_in_month(d[..4].parse().unwrap(), d[5..].parse().unwrap())),
        10 => d.to_owned(),
        _ => panic!("not a partial date: {d}"),
    }
}

/// The number of days in a month of the Gregorian calendar.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => panic!("no month {month}"),
    }
}

#[path = "../support/rng.rs"]
mod rng;

#[path = "../support/etcd.rs"]
pub mod cluster;
pub use rng::Rng;

/// Whether the tests run as root (the effective uid, from /proc rather than through a libc
/// dependency).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0")))
        .unwrap_or(false)
}

/// The virtualenv `target/<name>` with the packages of `requirements` (a pip requirements file),
/// created with pip if it is missing or the requirements changed since it was made; returns its
/// directory. `.ci/run` creates the same ones up front.
pub fn virtualenv(name: &str, requirements: &Path) -> PathBuf {
    // Tests run in parallel threads of one process: one install at a time.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join(name);
    let stamp = venv.join("requirements.txt");
    let wanted = std::fs::read(requirements).unwrap_or_else(|e| panic!("{}: {e}", requirements.display()));
    if std::fs::read(&stamp).ok().as_ref() != Some(&wanted) {
        let status =
            std::process::Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 runs");
        assert!(status.success(), "python3 -m venv target/{name} failed (Debian: apt-get install python3-venv)");
        let status = std::process::Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(requirements)
            .status()
            .expect("pip runs");
        assert!(status.success(), "pip install -r {} failed", requirements.display());
        std::fs::write(&stamp, &wanted).expect("the requirements stamp is written");
    }
    venv
}
