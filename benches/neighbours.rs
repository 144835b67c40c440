//! A well-behaved client beside two hostile requests: what two CPU-bound queries, each as heavy as
//! the limits let one query be, leave of another client's latency.
//!
//! Run on demand: `cargo bench --bench neighbours` (release build). It serves the record scaled
//! `NB_SCALE` times (default 100) through the production server loop on 127.0.0.1, with the
//! production request time limit (`NB_TIMEOUT` seconds, default 10) and no per-client budget (the
//! budget would refuse the hostile client after its first minute, and this measures what the time
//! limit and the execution slices alone leave). The well-behaved client, from 127.0.0.2, sends
//! `NB_RATE` list-page queries a second (default 20), each made distinct so that none comes from
//! the response cache. It runs for `NB_SECONDS` (default 20) alone, then as long again while two
//! connections each send, one after the other without pause, the heaviest query the limits admit:
//! fifty aliases (the alias limit) of the co-host aggregate, which reads every meeting. It prints
//! the well-behaved client's p50 and p99 in both phases and their ratio, and how the hostile
//! requests were answered (200 or 408) and how long each took; it asserts nothing about time.

mod common;

use common::{ms, percentile, report_neighbour, serve_in_background, well_behaved, write_scaled_seed, Client};
use khartoum_graphql::graphql::limits::MAX_ALIASES;
use khartoum_graphql::{
    app::App,
    curation::Tokens,
    http::{rate_limit::RateLimits, Policies},
};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// The server's allocator, so that the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A list page, distinct for each `(phase, i)`.
fn request(phase: &str, i: u64) -> String {
    serde_json::json!({
        "query": format!("{{ meetings(first: 20) {{ edges {{ node {{ slug title }} }} }} }} # {phase} {i}")
    })
    .to_string()
}

/// The hostile query: as many co-host aggregates as the alias limit admits, each reading every
/// meeting; distinct for each `i`, so that no answer comes from the cache.
fn hostile(i: u64) -> String {
    let aliases: Vec<String> = (0..MAX_ALIASES).map(|a| format!("a{a}: coHostPairs(first: 1) {{ count }}")).collect();
    serde_json::json!({ "query": format!("{{ {} }} # hostile {i}", aliases.join(" ")) }).to_string()
}

#[tokio::main]
async fn main() {
    let scale = env("NB_SCALE", 100) as u32;
    let timeout = env("NB_TIMEOUT", 10);
    let rate = env("NB_RATE", 20);
    let seconds = env("NB_SECONDS", 20);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let real =
        khartoum_graphql::seed::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")).expect("the seed").dataset;
    let seed = dir.path().join("seed");
    let meetings = write_scaled_seed(&real, scale, &seed);
    let mut app = App::open(&dir.path().join("data"), &seed, Tokens::default()).expect("the store opens");
    app.request_timeout = Duration::from_secs(timeout);
    let rate_limits = RateLimits { points_per_minute: 0, trusted_proxies: Vec::new() };
    let (server_runtime, to) = serve_in_background(app, Policies { rate_limits, ..Default::default() });
    println!(
        "record {scale}x ({meetings} meetings), request time limit {timeout} s; well-behaved client: {rate} list \
         pages/s, {seconds} s per phase; hostile: 2 connections of {MAX_ALIASES} co-host aggregates each"
    );

    // The hostile query must be one the server runs: a refused one would measure nothing.
    let (status, answer) = Client::connect("127.0.0.1".parse().unwrap(), to).await.answer(&hostile(0)).await;
    let answer: serde_json::Value = serde_json::from_slice(&answer).expect("a JSON answer");
    assert!(
        (status == 200 && answer.get("errors").is_none()) || status == 408,
        "the hostile query must run (or time out): {status} {answer}"
    );

    // Warm-up: the first queries pay for parsing and for measuring the read model's lists.
    well_behaved(to, rate, 2, "warm", request).await;
    let (alone, failed_alone) = well_behaved(to, rate, seconds, "alone", request).await;

    let stop = Arc::new(AtomicBool::new(false));
    // (status, time) of every hostile request answered.
    let answered: Arc<Mutex<Vec<(u16, Duration)>>> = Arc::default();
    let mut hostiles = Vec::new();
    for c in 0..2u64 {
        let (stop, answered) = (Arc::clone(&stop), Arc::clone(&answered));
        hostiles.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                // A fresh connection each time: a 408 may close the one it was sent on.
                let mut client = Client::connect("127.0.0.1".parse().unwrap(), to).await;
                let started = Instant::now();
                let status = client.send(&hostile(c * 1_000_000 + i)).await;
                answered.lock().unwrap().push((status, started.elapsed()));
            }
        }));
    }
    // Let both hostile requests get under way before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (beside, failed_beside) = well_behaved(to, rate, seconds, "beside", request).await;
    stop.store(true, Ordering::Relaxed);
    for hostile in hostiles {
        let _ = hostile.await;
    }

    let answered = answered.lock().unwrap().clone();
    for status in [200, 408] {
        let mut times: Vec<Duration> = answered.iter().filter(|(s, _)| *s == status).map(|(_, t)| *t).collect();
        times.sort();
        if times.is_empty() {
            println!("hostile requests answered {status}: none");
        } else {
            println!(
                "hostile requests answered {status}: {}, p50 {:.0} ms, max {:.0} ms",
                times.len(),
                ms(percentile(&times, 0.5)),
                ms(*times.last().unwrap())
            );
        }
    }
    let others = answered.iter().filter(|(s, _)| *s != 200 && *s != 408).count();
    println!("hostile requests answered otherwise (0: a 200 with errors): {others}");
    report_neighbour((&alone, failed_alone), (&beside, failed_beside), "two hostile requests", 2.0);
    server_runtime.shutdown_background();
}
