//! A well-behaved client beside an abusive one: what the per-client budget leaves of the
//! well-behaved client's latency when another address sends 100 times its budget.
//!
//! Run on demand: `cargo bench --bench rate_limit` (release build). It serves the real record
//! through the production server loop on 127.0.0.1, on a tokio runtime of its own, with a budget of `RL_BUDGET` points a minute
//! (default 60000). The well-behaved client connects from 127.0.0.2 and sends `RL_RATE` queries a
//! second (default 20; each costs 41, within the budget), each made distinct so that none comes
//! from the response cache. It runs for `RL_SECONDS` (default 20) alone, then as long again while
//! the abuser, from 127.0.0.1 on 8 connections, offers 100 times the budget in queries of the
//! same cost; the second phase starts once the abuser has spent the minute's burst its budget
//! holds and is being refused. It prints the well-behaved client's p50 and p99 in both phases, their ratio, and
//! what the abuser achieved; it asserts nothing about time.

mod common;

use common::{report_neighbour, serve_in_background, well_behaved, Client};
use khartoum_graphql::http::{rate_limit::RateLimits, Policies};
use khartoum_graphql::{app::App, curation::Tokens};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

// The server's allocator, so that the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The cost of [`request`]'s query, as the engine measures it.
const COST: u64 = 41;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A query of cost [`COST`], distinct for each `(who, i)`.
fn request(who: &str, i: u64) -> String {
    serde_json::json!({ "query": format!("{{ meetings(first: 20) {{ nodes {{ slug }} }} }} # {who} {i}") }).to_string()
}

#[tokio::main]
async fn main() {
    let budget = env("RL_BUDGET", 60_000);
    let rate = env("RL_RATE", 20);
    let seconds = env("RL_SECONDS", 20);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
    let app = App::open(&dir.path().join("data"), &seed, Tokens::default()).expect("the store opens");
    let rate_limits = RateLimits { points_per_minute: budget as u32, trusted_proxies: Vec::new() };
    let (server_runtime, to) = serve_in_background(app, Policies { rate_limits, ..Default::default() });

    println!(
        "budget {budget} points/min per client; well-behaved client: {rate} queries/s of cost {COST} \
         ({} points/min), {seconds} s per phase",
        rate * COST * 60
    );
    // Warm-up: the first queries pay for parsing and the read model's first touches.
    well_behaved(to, rate, 2, "warm", request).await;
    let (alone, failed_alone) = well_behaved(to, rate, seconds, "alone", request).await;

    let offered = budget * 100 / 60 / COST; // queries a second for 100x the budget
    let stop = Arc::new(AtomicBool::new(false));
    let (sent, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let connections = 8;
    let mut abusers = Vec::new();
    for c in 0..connections {
        let (stop, sent, refused) = (Arc::clone(&stop), Arc::clone(&sent), Arc::clone(&refused));
        abusers.push(tokio::spawn(async move {
            let mut client = Client::connect("127.0.0.1".parse().unwrap(), to).await;
            let per_connection = (offered / connections).max(1);
            let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / per_connection));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                i += 1;
                if client.send(&request(&format!("abuser{c}"), i)).await == 429 {
                    refused.fetch_add(1, Ordering::Relaxed);
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // The budget holds a minute's worth, which the abuser spends in a burst first: measure once
    // it is spent and the abuser is refused, in the steady state of abuse.
    let draining = Instant::now();
    while refused.load(Ordering::Relaxed) == 0 && draining.elapsed() < Duration::from_secs(180) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("the abuser spent its burst in {:.1} s", draining.elapsed().as_secs_f64());
    let sent_before = sent.load(Ordering::Relaxed);
    let refused_before = refused.load(Ordering::Relaxed);
    let started = Instant::now();
    let (beside, failed_beside) = well_behaved(to, rate, seconds, "beside", request).await;
    let abuse_time = started.elapsed();
    let sent_during = sent.load(Ordering::Relaxed) - sent_before;
    let refused_during = refused.load(Ordering::Relaxed) - refused_before;
    stop.store(true, Ordering::Relaxed);
    for abuser in abusers {
        let _ = abuser.await;
    }

    let (sent, refused) = (sent_during, refused_during);
    let achieved = sent as f64 / abuse_time.as_secs_f64();
    println!(
        "abuser: offered {offered} queries/s (100x the budget); sent {achieved:.0}/s ({:.0}x the budget), {:.1}% refused with 429",
        achieved * COST as f64 * 60.0 / budget as f64,
        100.0 * refused as f64 / sent.max(1) as f64
    );
    report_neighbour((&alone, failed_alone), (&beside, failed_beside), "the abuser", 1.5);
    server_runtime.shutdown_background();
}
