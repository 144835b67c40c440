//! The kill test: a real server, a stream of writes, SIGKILL at random points, and a restart that
//! must find every acknowledged write, none half-applied, and a consistent store.

use crate::binary::*;
use crate::helpers::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Kills per test run. Each kill lands at a random point of a stream of writes.
const KILLS: usize = 6;
/// Concurrent writers, so that kills also land while one write waits for another.
const WRITERS: usize = 2;

/// Why a request got no GraphQL answer.
#[derive(Debug, PartialEq)]
pub(crate) enum Failure {
    /// The server answered with an HTTP error status: it is alive, and refused.
    Status(u16, String),
    /// No answer at all: the connection failed or broke, as when the server is killed.
    Transport(String),
}

/// Sends a GraphQL request with the write token.
pub(crate) fn post(base: &str, query: &str, variables: Value) -> Result<Value, Failure> {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let resp = ureq::post(&format!("{base}/graphql"))
        .set("Content-Type", "application/json")
        .set("Authorization", &format!("Bearer {TOKEN}"))
        .timeout(Duration::from_secs(10))
        .send_string(&body)
        .map_err(|e| match e {
            ureq::Error::Status(code, resp) => Failure::Status(code, resp.into_string().unwrap_or_default()),
            ureq::Error::Transport(t) => Failure::Transport(t.to_string()),
        })?;
    // A body cut short is a server killed while it answered.
    let text = resp.into_string().map_err(|e| Failure::Transport(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| Failure::Transport(format!("{e}: {text}")))
}

const CREATE: &str = r#"mutation($slug: String!, $url: String!) {
  createMeeting(input: { slug: $slug, title: "Kill test meeting", kind: WEBINAR, startDate: "2030-01-15", online: true,
    processes: ["khartoum-process"],
    participations: [{ actor: "ke", role: HOST }, { actor: "icmpd", role: ORGANISER }],
    sources: [{ title: "Kill test source", url: $url }] }) { slug }
}"#;

/// The address a kill-test meeting cites: its own, so that a half-applied write shows.
pub(crate) fn source_url(slug: &str) -> String {
    format!("https://example.org/kill/{slug}")
}

/// Creates the kill-test meeting `slug`: Kenya hosts, ICMPD organises, it cites [`source_url`].
pub(crate) fn create_meeting(base: &str, slug: &str) -> Result<Value, Failure> {
    post(base, CREATE, json!({ "slug": slug, "url": source_url(slug) }))
}

/// Every meeting of the kill test in the store, with what a complete record holds.
pub(crate) fn kill_test_meetings(base: &str) -> Vec<Value> {
    let q = r#"query($after: String) { meetings(filter: { from: "2030-01-01" }, first: 100, after: $after, orderBy: START_DATE_ASC) {
      nodes { slug hosts { slug } organisers { slug } sources { url } } pageInfo { hasNextPage endCursor } } }"#;
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let resp = post(base, q, json!({ "after": after })).expect("the restarted server answers");
        assert!(resp["errors"].is_null(), "the restarted server answers without errors: {resp}");
        let page = &resp["data"]["meetings"];
        out.extend(page["nodes"].as_array().unwrap().iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[test]
fn acknowledged_writes_survive_sigkill_at_random_points_and_the_store_stays_consistent() {
    let seed = std::env::var("KILL_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    println!("kill test: seed {seed} (set KILL_TEST_SEED to repeat it)");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut attempted = 0usize;

    for run in 0..=KILLS {
        let (mut server, base, _) = serve_env(&data, &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
        // What the previous runs acknowledged is all there, complete.
        let found = kill_test_meetings(&base);
        let by_slug: std::collections::HashMap<&str, &Value> =
            found.iter().map(|m| (m["slug"].as_str().unwrap(), m)).collect();
        for slug in acknowledged.lock().unwrap().iter() {
            let m = by_slug
                .get(slug.as_str())
                .unwrap_or_else(|| panic!("run {run}: acknowledged write {slug} is lost (seed {seed})"));
            assert_eq!(m["hosts"], json!([{ "slug": "ke" }]), "{slug} half-applied");
            assert_eq!(m["organisers"], json!([{ "slug": "icmpd" }]), "{slug} half-applied");
            assert_eq!(m["sources"][0]["url"], json!(source_url(slug)), "{slug} half-applied");
        }
        for m in &found {
            assert!(
                m["hosts"] == json!([{ "slug": "ke" }]) && m["sources"].as_array().unwrap().len() == 1,
                "half-applied: {m}"
            );
        }
        if run == KILLS {
            let _ = server.kill();
            let _ = server.wait();
            break;
        }

        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (base, stop, acknowledged) = (base.clone(), Arc::clone(&stop), Arc::clone(&acknowledged));
                std::thread::spawn(move || {
                    let mut sent = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let slug = format!("2030-01-kill-r{run}-w{w}-{sent}");
                        sent += 1;
                        match create_meeting(&base, &slug) {
                            Ok(v) if v["errors"].is_null() => acknowledged.lock().unwrap().push(slug),
                            Ok(v) => panic!("a write was refused: {v}"),
                            Err(Failure::Status(code, body)) => panic!("a write was answered {code}: {body}"),
                            // The server is gone: this write was not acknowledged.
                            Err(Failure::Transport(_)) => break,
                        }
                    }
                    sent
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100 + rng.next() % 400));
        server.kill().expect("SIGKILL"); // std's kill() sends SIGKILL on Unix
        let _ = server.wait();
        stop.store(true, Ordering::Relaxed);
        attempted += writers.into_iter().map(|w| w.join().expect("a writer thread")).sum::<usize>();
    }

    let total = acknowledged.lock().unwrap().len();
    println!("kill test: {KILLS} kills, {attempted} writes sent, {total} acknowledged, all present after restart");
    assert!(total >= KILLS, "too few writes were acknowledged ({total}) for the test to mean anything");
    let check = cli(&data, &["check-store"]);
    assert!(check.status.success(), "check-store after the kills: {}", String::from_utf8_lossy(&check.stdout));
}
