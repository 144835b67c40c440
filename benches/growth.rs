//! How the service grows with the record: the real seed scaled 1×, 100× and 1000× by
//! [`khartoum_graphql::seed::synthetic`], then, for each scale, what production would see with
//! the release binary:
//!
//! - seeding time (`khartoum-graphql seed` into a fresh data directory, wall clock);
//! - the store's size on disk (allocated blocks of the data directory) against the seed JSON;
//! - the server's start-up time (spawn to first answer) and its memory (VmRSS, VmHWM);
//! - p50 and p99 over sequential requests, after a warm-up, of the frontend list page (20 newest
//!   meetings with hosts, co-hosts and country), a filtered page (`actor` + `roles` + `from`/`to`;
//!   at most 20, as the real record has fewer)
//!   and a deep page (`after` the cursor of the 5,000th meeting; of a meeting 20 from the end when
//!   there are fewer). Each is measured twice: with one query text repeated ("same"), and with a
//!   unique text per request ("uniq", a trailing `# n` comment), which defeats any response or
//!   parsed-document cache and so measures the read model itself;
//! - the read model's build time (store load and `Catalog::new`), in-process, after the server
//!   has stopped: it bounds start-up and the swap after every write.
//!
//! Run on demand: `cargo bench --bench growth`. `GROWTH_SCALES=1,100,1000` picks the scales,
//! `GROWTH_REQUESTS=300` the measured requests per figure (after 30 of warm-up), and
//! `GROWTH_KEEP=<dir>` keeps the seed files and stores there (`<dir>/seed-<n>`, `<dir>/data-<n>`)
//! instead of in a temporary directory. It prints figures; it asserts nothing about time.

mod common;

use common::{memory, write_scaled_seed};
use khartoum_graphql::catalog::Catalog;
use khartoum_graphql::seed;
use khartoum_graphql::store::Store;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_khartoum-graphql");
const WARM_UP: usize = 30;

/// The frontend list page, the same query `bench/run` drives.
const LIST: &str = include_str!("../bench/workloads/list.graphql");
/// Where the filtered page narrows the list page: actor, roles and a date range.
const FILTER: &str =
    "after: $after, filter: { actor: \"eg\", roles: [HOST, CO_HOST, CHAIR], from: \"2015-01-01\", to: \"2025-12-31\" }";

const CURSORS: &str = "query Cursors($after: String) {
  meetings(first: 100, after: $after) { totalCount edges { cursor } }
}";

/// p50 and p99 of one page, in microseconds.
type Percentiles = (f64, f64);

/// One scale's figures.
struct Row {
    scale: u32,
    meetings: usize,
    seed_secs: f64,
    json_bytes: u64,
    store_bytes: u64,
    ready_secs: f64,
    rss_kb: u64,
    hwm_kb: u64,
    build_ms: (f64, f64),
    deep_at: usize,
    /// (name, with the same text, with a unique text per request).
    latencies: Vec<(&'static str, Percentiles, Percentiles)>,
}

fn main() {
    let scales: Vec<u32> = std::env::var("GROWTH_SCALES")
        .unwrap_or_else(|_| "1,100,1000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("GROWTH_SCALES is a comma-separated list of numbers"))
        .collect();
    let requests: usize = std::env::var("GROWTH_REQUESTS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let temp = tempfile::tempdir().expect("a temporary directory");
    let root = std::env::var_os("GROWTH_KEEP").map_or_else(|| temp.path().to_owned(), PathBuf::from);
    let real = seed::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")).expect("the real seed loads").dataset;
    println!(
        "growth benchmark: scales {scales:?}, {requests} requests per figure after {WARM_UP} of warm-up, in {}",
        root.display()
    );

    let mut rows = Vec::new();
    for &n in &scales {
        let started = Instant::now();
        let seed_dir = root.join(format!("seed-{n}"));
        let meetings = write_scaled_seed(&real, n, &seed_dir);
        println!("\n{n}×: generated {meetings} meetings in {:.1?}", started.elapsed());
        rows.push(measure(n, meetings, &seed_dir, &root.join(format!("data-{n}")), requests));
        print_table(&rows);
    }
}

fn measure(n: u32, meetings: usize, seed_dir: &Path, data: &Path, requests: usize) -> Row {
    let _ = std::fs::remove_dir_all(data);
    let json_bytes = dir_bytes(seed_dir, false);

    let started = Instant::now();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .arg("--seed-dir")
        .arg(seed_dir)
        .arg("seed")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    let seed_secs = started.elapsed().as_secs_f64();
    assert!(out.status.success(), "seed failed: {}", String::from_utf8_lossy(&out.stderr));
    let store_bytes = dir_bytes(data, true);
    println!("{n}×: seeded in {seed_secs:.2} s; store {store_bytes} bytes on disk for {json_bytes} bytes of JSON");

    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/graphql");
    let started = Instant::now();
    let mut server = Server(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(data)
            .arg("--seed-dir")
            .arg(seed_dir)
            .args(["--bind", &format!("127.0.0.1:{port}"), "serve"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts"),
    );
    let ready_secs = loop {
        if post(&url, "{ dataset { lastChange } }", &json!({})).is_ok() {
            break started.elapsed().as_secs_f64();
        }
        assert!(started.elapsed() < Duration::from_secs(300), "the server did not answer within 300 s");
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("the server exited: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };

    // The cursor of the 5,000th meeting, newest first, by paging the way a client would.
    let deep_at = 5000.min(meetings.saturating_sub(20)).max(1);
    let mut after = Value::Null;
    let mut seen = 0;
    let deep_cursor = loop {
        let v = post(&url, CURSORS, &json!({ "after": after })).expect("a page of cursors");
        let edges = v["data"]["meetings"]["edges"].as_array().expect("edges").clone();
        assert!(!edges.is_empty(), "ran out of meetings before {deep_at}");
        if seen + edges.len() >= deep_at {
            break edges[deep_at - seen - 1]["cursor"].clone();
        }
        seen += edges.len();
        after = edges[edges.len() - 1]["cursor"].clone();
    };

    let list_vars = json!({});
    let deep_vars = json!({ "after": deep_cursor });
    // The filtered page is the list page with a filter, so both select the same fields.
    let filtered = LIST.replacen("after: $after", FILTER, 1);
    assert_ne!(filtered, LIST, "the list page no longer pages with `after: $after`");
    let cases: [(&'static str, &str, &Value); 3] =
        [("list", LIST, &list_vars), ("filtered", &filtered, &list_vars), ("deep", LIST, &deep_vars)];
    let mut latencies = Vec::new();
    for (name, query, vars) in cases {
        let check = post(&url, query, vars).expect("the query answers");
        let page = &check["data"]["meetings"];
        // The real record is small: no actor has 20 meetings in the filter at 1×.
        let want = if name == "filtered" { 1..=20 } else { 20..=20 };
        let got = page["nodes"].as_array().map_or(0, Vec::len);
        assert!(want.contains(&got), "{name}: {got} meetings on the page: {check}");
        let same = time(requests, |_| post(&url, query, vars).map(drop));
        let uniq = time(requests, |i| post(&url, &format!("{query}\n# {i}"), vars).map(drop));
        println!("{n}×: {name}: totalCount {}", page["totalCount"]);
        latencies.push((name, same, uniq));
    }
    let (rss_kb, hwm_kb) = memory(server.0.id());
    drop(server);

    // The read model's build, in-process, on the store the server has released.
    let started = Instant::now();
    let store = Store::open(data).expect("the store opens");
    let ds = store.load().expect("the store loads");
    let meta = store.meta().expect("meta").expect("a seeded store");
    let stamps = store.stamps().expect("stamps");
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    // What the store holds besides the records: the index entries, by tree, and the sled keys
    // (posting lists) and value bytes that file them.
    let entries: Vec<String> = store
        .index_stats()
        .expect("the index statistics")
        .into_iter()
        .map(|(i, lists, entries, bytes)| format!("{} {entries} in {lists} lists ({bytes} bytes)", i.tree_name()))
        .collect();
    println!("{n}×: index entries: {}", entries.join(", "));
    let started = Instant::now();
    let cat = Catalog::new(ds, meta, stamps);
    let build_ms = started.elapsed().as_secs_f64() * 1e3;
    assert_eq!(cat.ds.meetings.len(), meetings);

    Row {
        scale: n,
        meetings,
        seed_secs,
        json_bytes,
        store_bytes,
        ready_secs,
        rss_kb,
        hwm_kb,
        build_ms: (load_ms, build_ms),
        deep_at,
        latencies,
    }
}

/// Kills the server when dropped, so a failed assertion leaves no process behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn post(url: &str, query: &str, variables: &Value) -> Result<Value, String> {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let text = ureq::post(url)
        .set("content-type", "application/json")
        .send_string(&body)
        .map_err(|e| e.to_string())?
        .into_string()
        .map_err(|e| e.to_string())?;
    let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    match v.get("errors") {
        Some(e) => panic!("the query failed: {e}"),
        None => Ok(v),
    }
}

/// p50 and p99, in microseconds, of `n` sequential calls after the warm-up.
fn time(n: usize, mut call: impl FnMut(usize) -> Result<(), String>) -> Percentiles {
    for i in 0..WARM_UP {
        call(usize::MAX - i).expect("a warm-up request");
    }
    let mut times: Vec<Duration> = (0..n)
        .map(|i| {
            let started = Instant::now();
            call(i).expect("a request");
            started.elapsed()
        })
        .collect();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e6;
    (pct(0.50), pct(0.99))
}

/// The bytes of the files under `dir`: allocated on disk (`allocated`) or their lengths.
fn dir_bytes(dir: &Path, allocated: bool) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        total += if meta.is_dir() {
            dir_bytes(&entry.path(), allocated)
        } else if allocated {
            meta.blocks() * 512
        } else {
            meta.len()
        };
    }
    total
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn print_table(rows: &[Row]) {
    let mb = |b: u64| b as f64 / 1e6;
    println!();
    println!(
        "| scale | meetings | seed s | JSON MB | store MB | store/JSON | ready s | RSS MB | HWM MB | load+build ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {}× | {} | {:.2} | {:.1} | {:.1} | {:.2} | {:.2} | {:.1} | {:.1} | {:.0}+{:.0} |",
            r.scale,
            r.meetings,
            r.seed_secs,
            mb(r.json_bytes),
            mb(r.store_bytes),
            r.store_bytes as f64 / r.json_bytes as f64,
            r.ready_secs,
            r.rss_kb as f64 / 1e3,
            r.hwm_kb as f64 / 1e3,
            r.build_ms.0,
            r.build_ms.1
        );
    }
    println!();
    println!("| scale | page | same text p50 / p99 µs | unique text p50 / p99 µs |");
    println!("|---|---|---|---|");
    for r in rows {
        for (name, same, uniq) in &r.latencies {
            let name = if *name == "deep" { format!("deep (after #{})", r.deep_at) } else { (*name).to_owned() };
            println!("| {}× | {name} | {:.0} / {:.0} | {:.0} / {:.0} |", r.scale, same.0, same.1, uniq.0, uniq.1);
        }
    }
}
