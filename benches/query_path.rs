//! Where the time of one small query (the frontend list page) goes, in process and on one
//! thread: the router with a kept answer and with a new text each time, the engine with a parsed
//! document, the bare schema from text and from a parsed document, parsing alone, and the JSON
//! encoding of the answer; then parsing the larger detail page. It prints mean microseconds per
//! request; it asserts nothing about time.
//!
//! Run on demand: `cargo bench --bench query_path`. `ITERATIONS=<n>` sets the requests per line
//! (default 20,000).

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use khartoum_graphql::{app::App, curation::Tokens, graphql::Bearer, http::router};
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

const LIST_PAGE: &str = "query ListPage { meetings(first: 20) { totalCount pageInfo { endCursor hasNextPage } \
    nodes { id slug title kind startDate endDate online country { name } hosts { name } coHosts { name } } } }";

fn line(what: &str, n: usize, started: Instant) {
    let per = started.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("{what:<44} {per:>9.1} µs/request  ({:>7.0} requests/s)", 1e6 / per);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: usize = std::env::var("ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
    let app = Arc::new(App::open(&dir.path().join("data"), &seed, Tokens::default()).expect("the app opens"));
    let request = |doc: Option<async_graphql::parser::types::ExecutableDocument>| {
        let mut r = async_graphql::Request::new(LIST_PAGE)
            .data(app.catalog())
            .data(Arc::clone(&app.curator))
            .data(Bearer::default());
        if let Some(doc) = doc {
            r.set_parsed_query(doc);
        }
        r
    };
    let schema = app.engine.schema();
    let first = schema.execute(request(None)).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    println!("list page, {} bytes of JSON, {n} requests per line", serde_json::to_vec(&first).map_or(0, |v| v.len()));

    let router = router(Arc::clone(&app));
    let post = |query: String| {
        Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::json!({ "query": query }).to_string()))
            .expect("a request")
    };
    for (what, unique) in [("router, the same text (answer kept)", false), ("router, a new text each time", true)] {
        let started = Instant::now();
        for i in 0..n {
            let query = if unique { format!("{LIST_PAGE} # {i}") } else { LIST_PAGE.to_owned() };
            let res = router.clone().oneshot(post(query)).await.expect("an answer");
            let _ = res.into_body().collect().await.expect("a body");
        }
        line(what, n, started);
    }

    let catalog = app.catalog();
    let lists = khartoum_graphql::graphql::lists::CatalogLists(&catalog);
    let started = Instant::now();
    for _ in 0..n {
        let prepared = app.engine.prepare(request(None), &lists).expect("within the limits");
        let _ = app.engine.run(prepared, None).await;
    }
    line("engine: limits and a parsed document, then run", n, started);

    let started = Instant::now();
    for _ in 0..n {
        let _ = schema.execute(request(None)).await;
    }
    line("bare schema from text (no limits, no caches)", n, started);

    let doc = async_graphql::parser::parse_query(LIST_PAGE).expect("it parses");
    let started = Instant::now();
    for _ in 0..n {
        let _ = schema.execute(request(Some(doc.clone()))).await;
    }
    line("bare schema from a parsed document", n, started);

    let fast = async_graphql::Schema::build(
        khartoum_graphql::graphql::Query,
        khartoum_graphql::graphql::Mutation,
        khartoum_graphql::graphql::Subscription,
    )
    .validation_mode(async_graphql::ValidationMode::Fast)
    .finish();
    let started = Instant::now();
    for _ in 0..n {
        let _ = fast.execute(request(Some(doc.clone()))).await;
    }
    line("  same, with fast validation", n, started);

    let started = Instant::now();
    for _ in 0..n {
        let _ = async_graphql::parser::parse_query(LIST_PAGE);
    }
    line("parse alone", n, started);

    let started = Instant::now();
    for _ in 0..n {
        let _ = serde_json::to_vec(&first);
    }
    line("JSON encoding of the answer", n, started);

    // The detail page: a larger text, with variables and three connections.
    let detail = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/workloads/detail.graphql"))
        .expect("the detail workload reads");
    println!("detail page, {} bytes of query", detail.len());
    let started = Instant::now();
    for _ in 0..n {
        let _ = async_graphql::parser::parse_query(&detail);
    }
    line("parse", n, started);
}
