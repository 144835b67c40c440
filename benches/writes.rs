//! The latency of one acknowledged write: a `createMeeting`, an `updateMeeting` and an
//! `updateState` (a write to one of the small collections, whose records the meetings name) sent
//! through the production router, each validated, committed in one sled transaction, flushed to disk and
//! swapped into the read model before it answers.
//!
//! Run on demand: `cargo bench --bench writes` (release build). `WRITES=<n>` sets the number of
//! writes of each kind (default 200); `WRITES_SCALE=<n>` runs them on the real record scaled
//! n× by [`khartoum_graphql::seed::synthetic`] (default 1: the real record). `WRITES_STORE=etcd`
//! runs them on a three-member etcd cluster on loopback ports instead of sled (each write one etcd
//! transaction, acknowledged once a majority committed it), with a second replica on the cluster:
//! it then prints, for each update, the time from sending it to the second replica serving it
//! (beside the time to the first replica's answer), and the time to seed the cluster and for each
//! replica to load it. It prints the latencies and the process's resident memory before and
//! after; it asserts nothing about time.

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
mod common;
// The cluster the replica tests start; the bench uses only part of it.
#[allow(dead_code)]
#[path = "../tests/support/etcd.rs"]
mod cluster;

use common::{memory, write_scaled_seed};
use khartoum_graphql::seed;
use khartoum_graphql::store::{Backend, Location};
use khartoum_graphql::{app::App, curation::Tokens, http::router};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

// The server's allocator, so that the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TOKEN: &str = "bench-token-0123456789abcdef";

async fn send(app: &Arc<App>, query: &str, variables: serde_json::Value) -> Duration {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::from(body))
        .expect("a request");
    let started = Instant::now();
    let res = router(Arc::clone(app)).oneshot(req).await.expect("an answer");
    let bytes = res.into_body().collect().await.expect("a body").to_bytes();
    let took = started.elapsed();
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    assert!(v.get("errors").is_none(), "the write failed: {v}");
    took
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{what:<16} n={:<5} mean={:>8.2?} p50={:>8.2?} p99={:>8.2?} max={:>8.2?}",
        times.len(),
        mean,
        pct(0.50),
        pct(0.99),
        times[times.len() - 1]
    );
}

/// This process's resident memory now and at its peak (VmRSS and VmHWM).
fn own_memory() -> String {
    let (rss_kb, hwm_kb) = memory(std::process::id());
    let mb = |kb: u64| kb as f64 / 1024.0;
    format!("resident {:.1} MB, peak {:.1} MB", mb(rss_kb), mb(hwm_kb))
}

#[tokio::main]
async fn main() {
    let env = |name: &str, default| std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default);
    let n = env("WRITES", 200) as usize;
    let scale = env("WRITES_SCALE", 1);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let real = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
    let seed = if scale == 1 {
        real
    } else {
        let ds = seed::load(&real).expect("the real seed loads").dataset;
        let dir = dir.path().join(format!("seed-{scale}"));
        write_scaled_seed(&ds, scale, &dir);
        dir
    };
    let tokens = || Tokens::load(Some(TOKEN), None).expect("a token");
    let (location, _cluster) = match std::env::var("WRITES_STORE").as_deref() {
        Ok("etcd") => {
            let cluster = cluster::Cluster::start(3);
            let location: Location = cluster.store().parse().expect("the cluster's store parses");
            let loaded = seed::load(&seed).expect("the seed loads");
            let seeding = Instant::now();
            Backend::open(&location)
                .and_then(|b| b.replace_all(&loaded.dataset, &loaded.version))
                .expect("the cluster is seeded");
            println!("seeded into the three-member cluster in {:.2?}", seeding.elapsed());
            (location, Some(cluster))
        }
        _ => (Location::Sled(dir.path().join("data")), None),
    };
    let opening = Instant::now();
    let app = Arc::new(App::open_at(&location, &seed, tokens()).expect("the app opens"));
    let opened = opening.elapsed();
    println!(
        "acknowledged writes on {location} at {scale}× the record ({} meetings), {n} writes of each kind",
        app.catalog().ds.meetings.len()
    );
    match location {
        Location::Sled(_) => println!("the first server seeded its store and loaded it in {opened:.2?}"),
        Location::Etcd(_) => println!("the first replica loaded the cluster's record in {opened:.2?}"),
    }
    // On etcd, a second replica, whose lag behind the first is measured.
    let follower = matches!(location, Location::Etcd(_)).then(|| {
        let opening = Instant::now();
        let follower = Arc::new(App::open_at(&location, &seed, tokens()).expect("the second replica opens"));
        println!("the second replica loaded it in {:.2?}", opening.elapsed());
        follower
    });
    println!("before the writes: {}", own_memory());

    let create = r#"mutation($slug: String!) {
      createMeeting(input: { slug: $slug, title: "Benchmark meeting", kind: WEBINAR, startDate: "2031-02-03", online: true,
        processes: ["khartoum-process"], participations: [{ actor: "ke", role: HOST }, { actor: "de", role: CO_HOST }],
        sources: [{ title: "Benchmark source", url: "https://example.org/bench" }] }) { slug }
    }"#;
    let mut created = Vec::with_capacity(n);
    for i in 0..n {
        created.push(send(&app, create, json!({ "slug": format!("2031-02-bench-{i}") })).await);
    }
    report("createMeeting", created);

    let update =
        r#"mutation($slug: String!, $a: Int!) { updateMeeting(slug: $slug, input: { attendance: $a }) { slug } }"#;
    let mut updated = Vec::with_capacity(n);
    let mut lags = Vec::with_capacity(n);
    for i in 0..n {
        let sent = Instant::now();
        updated.push(send(&app, update, json!({ "slug": "2025-aswan-legal-pathways", "a": i + 1 })).await);
        if let Some(follower) = &follower {
            // From the moment the write was sent, as for its own answer: the second replica
            // usually applies it while the first is still reading it back.
            let target = app.catalog().meta.revision;
            while follower.catalog().meta.revision < target {
                tokio::time::sleep(Duration::from_micros(100)).await;
            }
            lags.push(sent.elapsed());
        }
    }
    report("updateMeeting", updated);
    if !lags.is_empty() {
        report("on replica 2", lags);
    }

    let rename = r#"mutation($n: String!) { updateState(slug: "ke", input: { name: $n }) { slug } }"#;
    let mut renamed = Vec::with_capacity(n);
    for i in 0..n {
        renamed.push(send(&app, rename, json!({ "n": format!("Kenya {i}") })).await);
    }
    report("updateState", renamed);
    println!("after the writes: {}", own_memory());
    println!("store size on disk: {} bytes", app.store().sled().map_or(Ok(0), |s| s.size_on_disk()).unwrap_or(0));
}
