//! Several servers over one etcd cluster (`--store etcd:…`): seeding, a write through one replica
//! read on the other, two replicas writing one meeting at once, a replica restarted, and etcd
//! members killed while both replicas write, and the curation tests run again on etcd (the store
//! matrix); the change feed and `deleted(since:)` answered from etcd's history, before and after
//! a compaction; `/health` and `/ready` without a quorum; a write too large for one etcd
//! transaction. Each test starts a three-member cluster on loopback ports (tests/support/etcd.rs);
//! they skip only when KHARTOUM_SKIP_ETCD_TESTS is set.

use crate::binary::cli;
use crate::curation::{new_meeting, next_changes, read, subscribe, CREATE_MEETING};
use crate::feed::{changes_after, changes_until, closed, refused, version, writes, VERSION};
use crate::helpers::*;
use khartoum_graphql::app::App;
use khartoum_graphql::curation::Tokens;
use khartoum_graphql::store::{Backend, Location};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::cluster::{self, Cluster};

/// Longest a replica may take to show another replica's write in these tests.
const CATCH_UP: Duration = Duration::from_secs(10);

const MEETING: &str = "2025-aswan-legal-pathways";

/// A cluster, and its location as `--store` names it.
fn started(test: &str) -> Option<(Cluster, Location)> {
    if cluster::skipped(test) {
        return None;
    }
    let c = Cluster::start(3);
    let location = c.store().parse().expect("the cluster's --store value parses");
    Some((c, location))
}

/// Seeds the cluster from `seed/`, as `khartoum-graphql seed --store etcd:…` does.
fn seed(location: &Location) {
    let seed = khartoum_graphql::seed::load(&seed_dir()).expect("seed/ loads");
    Backend::open(location).and_then(|b| b.replace_all(&seed.dataset, &seed.version)).expect("the cluster is seeded");
}

/// A replica: a server on the cluster, with the test token.
fn replica(location: &Location) -> Arc<TestApp> {
    let tokens = Tokens::load(Some(TOKEN), None).expect("the test token is long enough");
    let app = App::open_at(location, &seed_dir(), tokens).expect("a replica starts on the seeded cluster");
    Arc::new(TestApp { app: Arc::new(app), dir: tempfile::tempdir().expect("a temporary directory"), etcd: None })
}

/// The revision of the dataset a replica serves.
fn revision(r: &TestApp) -> u64 {
    r.app.catalog().meta.revision
}

/// Waits until `r` serves at least `target`, up to [`CATCH_UP`].
async fn caught_up(r: &TestApp, target: u64) {
    let started = Instant::now();
    while revision(r) < target {
        assert!(started.elapsed() < CATCH_UP, "the replica is at {} after {CATCH_UP:?}, not {target}", revision(r));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

const DATASET: &str = "{ dataset { version meetings } }";
const ATTENDANCE: &str = "query($m: String!) { meeting(slug: $m) { attendance } }";
const SET_ATTENDANCE: &str =
    "mutation($m: String!, $n: Int!) { updateMeeting(slug: $m, input: { attendance: $n }) { attendance } }";

/// The meeting's attendance in seed/.
fn seeded_attendance() -> i64 {
    let meeting =
        seed_file("meetings.json").into_iter().find(|m| m["slug"] == MEETING).expect("the meeting is in seed/");
    meeting["attendance"].as_i64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_is_served_once_seeded_and_a_write_through_one_replica_is_read_on_the_other() {
    let Some((_cluster, location)) = started("a_cluster_is_served_once_seeded") else { return };
    let refused =
        App::open_at(&location, &seed_dir(), Tokens::default()).err().expect("no replica serves an unseeded cluster");
    assert!(refused.to_string().contains("holds no dataset"), "{refused}");
    seed(&location);
    let (a, b) = (replica(&location), replica(&location));
    let (on_a, on_b) = (a.data(DATASET, json!({})).await, b.data(DATASET, json!({})).await);
    assert_eq!(on_a, on_b, "both replicas serve one version");
    assert_eq!(on_a["dataset"]["meetings"], seed_file("meetings.json").len());
    let problems = Backend::open_existing(&location).and_then(|s| s.check()).expect("the cluster is checked");
    assert_eq!(problems, Vec::<String>::new());

    let attendance = seeded_attendance() + 1;
    let written = a.write_data(SET_ATTENDANCE, json!({ "m": MEETING, "n": attendance })).await;
    assert_eq!(written["updateMeeting"]["attendance"], attendance);
    assert_eq!(
        a.data(ATTENDANCE, json!({ "m": MEETING })).await["meeting"]["attendance"],
        attendance,
        "read your write"
    );
    caught_up(&b, revision(&a)).await;
    assert_eq!(b.data(ATTENDANCE, json!({ "m": MEETING })).await["meeting"]["attendance"], attendance);
    assert_eq!(a.data(DATASET, json!({})).await, b.data(DATASET, json!({})).await);
}

/// Two states that take no part in the meeting, from seed/.
fn outsiders() -> (String, String) {
    let meeting =
        seed_file("meetings.json").into_iter().find(|m| m["slug"] == MEETING).expect("the meeting is in seed/");
    let taking_part: Vec<&str> =
        meeting["participations"].as_array().into_iter().flatten().filter_map(|p| p["actor"].as_str()).collect();
    let mut states = seed_file("states.json")
        .into_iter()
        .filter_map(|s| s["slug"].as_str().map(str::to_owned))
        .filter(|s| !taking_part.contains(&s.as_str()));
    (states.next().expect("a state outside the meeting"), states.next().expect("a second one"))
}

const ADD: &str =
    r#"mutation($m: String!, $a: String!) { addParticipation(meeting: $m, actor: $a, role: CO_HOST) { slug } }"#;
const REMOVE: &str =
    r#"mutation($m: String!, $a: String!) { removeParticipation(meeting: $m, actor: $a, role: CO_HOST) { slug } }"#;
const CO_HOSTS: &str = r#"query($m: String!) { meeting(slug: $m) { coHosts { slug } } }"#;

/// The meeting's co-hosts, as `r` serves it.
async fn co_hosts(r: &TestApp) -> Vec<String> {
    sorted(slugs(&r.data(CO_HOSTS, json!({ "m": MEETING })).await["meeting"]["coHosts"]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_changing_the_same_meeting_at_once_lose_no_update() {
    let Some((_cluster, location)) = started("two_replicas_changing_the_same_meeting_at_once") else { return };
    seed(&location);
    let (a, b) = (replica(&location), replica(&location));
    let (x, y) = outsiders();
    let before = co_hosts(&a).await;
    for round in 0..100 {
        for (query, present) in [(ADD, true), (REMOVE, false)] {
            let (on_a, on_b) = tokio::join!(
                a.write(query, json!({ "m": MEETING, "a": x })),
                b.write(query, json!({ "m": MEETING, "a": y }))
            );
            for reply in [&on_a, &on_b] {
                assert!(reply["errors"].is_null(), "round {round}: each write is acknowledged: {reply}");
            }
            caught_up(&a, revision(&b)).await;
            caught_up(&b, revision(&a)).await;
            let mut want = before.clone();
            if present {
                want.extend([x.clone(), y.clone()]);
            }
            let want = sorted(want);
            assert_eq!(co_hosts(&a).await, want, "round {round}: replica A has both writes");
            assert_eq!(co_hosts(&b).await, want, "round {round}: replica B has both writes");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_stopped_and_started_again_serves_what_was_written_meanwhile() {
    let Some((_cluster, location)) = started("a_replica_stopped_and_started_again") else { return };
    seed(&location);
    let a = replica(&location);
    let b = replica(&location);
    drop(b);
    let first = seeded_attendance();
    for n in 1..=5 {
        a.write_data(SET_ATTENDANCE, json!({ "m": MEETING, "n": first + n })).await;
    }
    let b = replica(&location);
    assert_eq!(revision(&b), revision(&a), "the restarted replica starts at the cluster's revision");
    assert_eq!(b.data(ATTENDANCE, json!({ "m": MEETING })).await["meeting"]["attendance"], first + 5);
    assert_eq!(a.data(DATASET, json!({})).await, b.data(DATASET, json!({})).await);
}

const CREATE_SOURCE: &str =
    r#"mutation($t: String!, $u: String!) { createSource(input: { title: $t, url: $u }) { slug } }"#;
const SOURCE: &str = r#"query($s: String!) { source(slug: $s) { slug } }"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_etcd_members_killed_during_writes_reads_go_on_and_every_acknowledged_write_is_on_both_replicas() {
    let Some((mut cluster, location)) = started("with_etcd_members_killed_during_writes") else { return };
    seed(&location);
    let replicas = [replica(&location), replica(&location)];
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for (w, r) in replicas.iter().enumerate() {
        let (r, stop, acknowledged) = (Arc::clone(r), Arc::clone(&stop), Arc::clone(&acknowledged));
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let vars = json!({ "t": format!("Failover page {w}-{i}"), "u": format!("https://example.org/failover/{w}/{i}") });
                let reply = r.write(CREATE_SOURCE, vars).await;
                match reply["data"]["createSource"]["slug"].as_str() {
                    Some(slug) => acknowledged.lock().unwrap().push(slug.to_owned()),
                    None => {
                        let code = &reply["errors"][0]["extensions"]["code"];
                        assert!(code == "STORE_UNAVAILABLE" || code == "CONFLICT", "a write fails only as unavailable: {reply}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }));
    }
    let reads = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for r in &replicas {
        let (r, stop, reads) = (Arc::clone(r), Arc::clone(&stop), Arc::clone(&reads));
        readers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let reply = r.post_json(&json!({ "query": DATASET })).await;
                assert_eq!(reply.status, 200, "{}", reply.body);
                assert!(reply.json()["data"]["dataset"]["version"].is_string(), "{}", reply.body);
                assert!(started.elapsed() < Duration::from_secs(1), "a read took {:?}", started.elapsed());
                reads.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }));
    }
    let count = || acknowledged.lock().unwrap().len();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let leader = cluster.leader();
    let follower = (leader + 1) % 3;
    cluster.kill(follower);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let with_two = count();
    cluster.kill(leader);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let reads_without_quorum = reads.load(Ordering::Relaxed);
    cluster.restart(follower);
    cluster.restart(leader);
    cluster.wait_healthy();
    let back = count();
    let resumed = Instant::now();
    while count() < back + 10 {
        assert!(resumed.elapsed() < Duration::from_secs(30), "writes did not resume once a quorum was back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in writers.into_iter().chain(readers) {
        task.await.expect("no writer or reader failed");
    }
    assert!(with_two > 0, "writes went on with one member down");
    assert!(reads.load(Ordering::Relaxed) > reads_without_quorum, "reads went on");

    let [a, b] = &replicas;
    let target = revision(a).max(revision(b));
    caught_up(a, target).await;
    caught_up(b, target).await;
    let written = acknowledged.lock().unwrap().clone();
    for r in [a, b] {
        for slug in &written {
            let found: Value = r.data(SOURCE, json!({ "s": slug })).await;
            assert_eq!(found["source"]["slug"], slug.as_str(), "acknowledged source {slug} is on both replicas");
        }
    }
    assert_eq!(a.data(DATASET, json!({})).await, b.data(DATASET, json!({})).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_in_front_of_two_replicas_sends_reads_and_writes_to_either_and_a_write_reads_back() {
    let Some((_cluster, location)) = started("nginx_in_front_of_two_replicas") else { return };
    seed(&location);
    let (a, b) = (replica(&location), replica(&location));
    let (on_a, on_b) = (a.serve().await, b.serve().await);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let host = |url: &str| url.trim_start_matches("http://").to_owned();
    let (_nginx, base) = crate::nginx::start_site(
        dir.path(),
        "nginx-replicas.conf",
        &[("replica1:8000", host(&on_a)), ("replica2:8000", host(&on_b))],
    );
    let post = |body: Value| {
        let url = format!("{base}/graphql");
        async move {
            tokio::task::spawn_blocking(move || {
                ureq::post(&url)
                    .set("Content-Type", "application/json")
                    .set("Authorization", &format!("Bearer {TOKEN}"))
                    .send_string(&body.to_string())
                    .expect("nginx answers")
                    .into_string()
                    .ok()
                    .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                    .expect("a JSON body")
            })
            .await
            .expect("the request runs")
        }
    };
    let first = seeded_attendance();
    for n in 1..=10 {
        let written = post(json!({ "query": SET_ATTENDANCE, "variables": { "m": MEETING, "n": first + n } })).await;
        assert_eq!(written["data"]["updateMeeting"]["attendance"], first + n, "{written}");
    }
    caught_up(&a, revision(&b)).await;
    caught_up(&b, revision(&a)).await;
    let read = post(json!({ "query": ATTENDANCE, "variables": { "m": MEETING } })).await;
    assert_eq!(read["data"]["meeting"]["attendance"], first + 10, "{read}");
    assert_eq!(a.data(DATASET, json!({})).await, b.data(DATASET, json!({})).await);
}

#[test]
fn seed_check_store_and_export_work_on_a_cluster_and_a_second_seed_is_refused() {
    let Some((cluster, _)) = started("seed_check_store_and_export_work_on_a_cluster") else { return };
    let store = cluster.store();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let run = |args: &[&str]| {
        let out = cli(dir.path(), &[args, &["--store", &store]].concat());
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, said) = run(&["check-store"]);
    assert!(!ok && said.contains("no complete dataset"), "an unseeded cluster: {said}");
    let (ok, said) = run(&["seed"]);
    assert!(ok && said.contains(&format!("seeded {store}")), "{said}");
    let (ok, said) = run(&["seed"]);
    assert!(!ok && said.contains("already seeded"), "a second seed is refused: {said}");
    let (ok, said) = run(&["check-store"]);
    assert!(ok && said.contains("consistent"), "{said}");
    let out_dir = dir.path().join("out");
    let (ok, said) = run(&["export", "--out", out_dir.to_str().expect("a UTF-8 path")]);
    assert!(ok, "{said}");
    crate::seed_export::assert_the_seed_files_are_in(&out_dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dataset_seeded_again_reaches_running_replicas_whole() {
    let Some((_cluster, location)) = started("a_dataset_seeded_again_reaches_running_replicas") else { return };
    seed(&location);
    let (a, b) = (replica(&location), replica(&location));
    let first = seeded_attendance();
    a.write_data(SET_ATTENDANCE, json!({ "m": MEETING, "n": first + 1 })).await;
    caught_up(&b, revision(&a)).await;
    // The marker goes first and comes back last: the replicas lose their watch, wait for it and
    // load the new dataset at one revision.
    let loaded = khartoum_graphql::seed::load(&seed_dir()).expect("seed/ loads");
    let meta = Backend::open(&location)
        .and_then(|s| s.replace_all(&loaded.dataset, &loaded.version))
        .expect("the cluster is seeded again");
    for r in [&a, &b] {
        caught_up(r, meta.revision).await;
        assert_eq!(r.data(DATASET, json!({})).await["dataset"]["version"], meta.version.as_str());
        assert_eq!(r.data(ATTENDANCE, json!({ "m": MEETING })).await["meeting"]["attendance"], first);
    }
}

/// The store matrix inside the one test command: this test binary runs its own curation tests
/// again in a child process with [`STORE_ENV`] set to `etcd`, so that every behaviour they pin
/// holds on both stores.
#[test]
fn the_curation_tests_pass_on_etcd_as_on_the_embedded_store() {
    if cluster::skipped("the curation tests on etcd") {
        return;
    }
    let on_sled = std::env::var(STORE_ENV).unwrap_or_default();
    assert!(on_sled.is_empty() || on_sled == "sled", "this run is already on {on_sled}");
    let out = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args(["curation::", "--test-threads", "2"])
        .env(STORE_ENV, "etcd")
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout.lines().find(|l| l.starts_with("test result:")).unwrap_or_default().to_owned();
    assert!(
        out.status.success(),
        "the curation tests failed on etcd: {summary}\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let passed: usize = summary
        .split("ok. ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of passed tests: {summary}"));
    let listed = stdout.lines().filter(|l| l.starts_with("test curation::") && l.ends_with(" ... ok")).count();
    assert!(passed >= 20 && passed == listed, "{passed} passed, {listed} curation tests listed as ok: {summary}");
    println!("on etcd: {summary}");
}

const LIVE: &str = "subscription { changes { operation typename slug version } }";
const DELETED: &str =
    "query($since: DateTime!) { deleted(since: $since, first: 100) { totalCount nodes { typename slug version } } }";

/// The revision a version of `r`'s dataset names.
fn revision_of(r: &TestApp, version: &str) -> u64 {
    r.app.catalog().meta.revision_of(version).unwrap_or_else(|| panic!("{version} is a version of the dataset"))
}

/// The dataset's `lastChange` as `r` serves it.
async fn last_change(r: &TestApp) -> String {
    must(&r.data(VERSION, json!({})).await["dataset"], "lastChange").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_away_from_one_replica_resumes_on_another_with_after_and_gets_every_change_once_deletions_included(
) {
    let Some((_cluster, location)) = started("a_subscriber_away_from_one_replica_resumes_on_another") else { return };
    seed(&location);
    let (a, b) = (replica(&location), replica(&location));
    let mut live = subscribe(&a, "graphql-transport-ws", LIVE).await;
    let mut live_on_b = subscribe(&b, "graphql-transport-ws", LIVE).await;
    let mut away = subscribe(&a, "graphql-transport-ws", LIVE).await;
    // One write seen by all three; then one subscriber goes away with the version it saw.
    a.write_data(SET_ATTENDANCE, json!({ "m": MEETING, "n": seeded_attendance() + 1 })).await;
    let first = version(&a).await;
    let seen = next_changes(&mut away, "next", 1).await.remove(0);
    assert_eq!(seen["version"], first.as_str());
    closed(&a, away, a.app.curator.subscribers()).await;

    // 100 writes on A: the first creates a source and a meeting (two changes of one write), the
    // last deletes, so it is one change.
    let versions = writes(&a, 0, 100).await;
    let last = versions.last().expect("100 versions").clone();
    let mut reference = changes_until(&mut live, "next", &last).await;
    assert_eq!(reference.remove(0)["version"], first.as_str());
    let mut seen_on_b = changes_until(&mut live_on_b, "next", &last).await;
    seen_on_b.remove(0);
    assert_eq!(seen_on_b, reference, "B's live subscribers are told A's writes as A's are");

    caught_up(&b, revision(&a)).await;
    let mut resumed = subscribe(&b, "graphql-transport-ws", &changes_after(&first)).await;
    let got = changes_until(&mut resumed, "next", &last).await;
    assert_eq!(got, reference, "the feed resumed on B is A's live feed of the writes it missed");
    let got_versions: HashSet<&str> = got.iter().map(|c| must(c, "version")).collect();
    assert_eq!(got_versions, versions.iter().map(String::as_str).collect::<HashSet<_>>());
    assert_eq!(got.iter().map(Value::to_string).collect::<HashSet<_>>().len(), got.len(), "a change came twice");
    let deleted: Vec<&str> = got.iter().filter(|c| c["operation"] == "DELETED").map(|c| must(c, "slug")).collect();
    assert_eq!(deleted, (0..25).map(|n| format!("2026-10-feed-{n}")).collect::<Vec<_>>());

    // Then it goes on live, with nothing sent again.
    let next = writes(&a, 100, 1).await.remove(0);
    assert_eq!(next_changes(&mut resumed, "next", 1).await.remove(0)["version"], next.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_after_a_version_a_replica_has_not_reached_waits_for_it_and_past_the_limit_is_refused_with_a_code() {
    let Some((_cluster, location)) = started("a_resume_after_a_version_a_replica_has_not_reached") else { return };
    seed(&location);
    let a = replica(&location);
    let mut b = replica(&location);
    let wait = Duration::from_secs(3);
    let app = Arc::get_mut(&mut b).and_then(|b| Arc::get_mut(&mut b.app)).expect("no other handle yet");
    app.min_version_wait = wait;
    // The version the cluster's next write will make, which no replica serves yet.
    let next = a.app.catalog().meta.version_at(revision(&a) + 1);

    let started = Instant::now();
    let error = refused(&b, "graphql-transport-ws", &changes_after(&next)).await;
    assert_eq!(error["extensions"]["code"], "DATASET_VERSION_NOT_REACHED", "{error}");
    assert!(started.elapsed() >= wait, "refused after waiting, not at once: {:?}", started.elapsed());
    assert!(must(&error, "message").contains(&next), "{error}");

    // Made through A while B's subscriber waits: B follows, and the feed starts after it.
    let mut resumed = subscribe(&b, "graphql-transport-ws", &changes_after(&next)).await;
    let versions = writes(&a, 0, 2).await;
    assert_eq!(versions[0], next);
    let got = changes_until(&mut resumed, "next", &versions[1]).await;
    let got_versions: Vec<&str> = got.iter().map(|c| must(c, "version")).collect();
    assert_eq!(got_versions, [versions[1].as_str()], "only the changes after the version it resumed from");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_cluster_is_compacted_a_resume_from_before_it_is_refused_naming_the_oldest_version_still_held() {
    let Some((cluster, location)) = started("after_the_cluster_is_compacted_a_resume") else { return };
    seed(&location);
    let a = replica(&location);
    let seeded = version(&a).await;
    let mut versions = writes(&a, 0, 6).await;
    // etcd keeps the events of the revision it compacts at: the third write is still held, so
    // the oldest version the feed resumes from is the second's.
    cluster.compact(revision_of(&a, &versions[2]));
    versions.extend(writes(&a, 6, 2).await);
    for from in [&seeded, &versions[0]] {
        let error = refused(&a, "graphql-transport-ws", &changes_after(from)).await;
        assert_eq!(error["extensions"]["code"], "HISTORY_EXPIRED", "from {from}: {error}");
        assert_eq!(error["extensions"]["oldestVersion"], versions[1].as_str(), "from {from}: {error}");
    }
    // From the oldest version it names, the feed resumes with every write after it.
    let mut resumed = subscribe(&a, "graphql-transport-ws", &changes_after(&versions[1])).await;
    let got = changes_until(&mut resumed, "next", &versions[7]).await;
    let got_versions: Vec<&str> = got.iter().map(|c| must(c, "version")).collect();
    assert_eq!(got_versions, versions[2..].iter().map(String::as_str).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_since_on_a_cluster_reads_its_history_from_that_time_only_and_refuses_a_time_before_its_compaction() {
    let Some((cluster, location)) = started("deleted_since_on_a_cluster") else { return };
    seed(&location);
    let (a, b) = (replica(&location), replica(&location));
    let before = last_change(&a).await;
    // Deletions at the fourth and the eighth write.
    let mut versions = writes(&a, 0, 6).await;
    let kept_from = last_change(&a).await;
    versions.extend(writes(&a, 6, 2).await);
    caught_up(&b, revision(&a)).await;
    let listed = |data: &Value| -> Vec<(String, String, String)> {
        data["deleted"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| (must(n, "typename").to_owned(), must(n, "slug").to_owned(), must(n, "version").to_owned()))
            .collect()
    };
    let deletion = |n: usize, v: &str| ("Meeting".to_owned(), format!("2026-10-feed-{n}"), v.to_owned());
    let history_read = || b.app.store().etcd().expect("a cluster").history_events();
    let read_before = history_read();
    let all = b.data(DELETED, json!({ "since": before })).await;
    assert_eq!(listed(&all), [deletion(0, &versions[3]), deletion(1, &versions[7])]);
    let read_for_all = history_read() - read_before;
    let since_kept = b.data(DELETED, json!({ "since": kept_from })).await;
    assert_eq!(listed(&since_kept), [deletion(1, &versions[7])]);
    let read_for_kept = history_read() - read_before - read_for_all;
    // Only the writes from the sixth on are read for a time of the sixth.
    assert!(
        read_for_kept * 2 < read_for_all,
        "{read_for_kept} events read for the last 3 writes, {read_for_all} for all 8"
    );

    // Compacted at the sixth write: a time before it is refused, naming that write's time.
    cluster.compact(revision_of(&b, &versions[5]));
    let too_early = b.run(DELETED, json!({ "since": before })).await;
    assert_eq!(too_early["errors"][0]["extensions"]["code"], "HISTORY_EXPIRED", "{too_early}");
    assert_eq!(too_early["errors"][0]["extensions"]["oldestTime"], kept_from.as_str(), "{too_early}");
    let answered = b.data(DELETED, json!({ "since": kept_from })).await;
    assert_eq!(listed(&answered), [deletion(1, &versions[7])]);
}

/// `r`'s `/health` body and `/ready` status.
async fn probes(r: &TestApp) -> (Value, Reply) {
    (r.get("/health").await.json(), r.get("/ready").await)
}

/// Waits, up to `limit`, until `r`'s `/health` says the store is writable or not, as `writable`.
async fn health_says(r: &TestApp, writable: bool, limit: Duration) -> (Value, Reply) {
    let started = Instant::now();
    loop {
        let (health, ready) = probes(r).await;
        if health["store"]["writable"] == writable {
            return (health, ready);
        }
        assert!(started.elapsed() < limit, "/health did not say writable: {writable} within {limit:?}: {health}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_of_three_members_stopped_health_and_ready_say_writes_are_unavailable_until_a_quorum_is_back() {
    let Some((mut cluster, location)) = started("with_two_of_three_members_stopped_health") else { return };
    seed(&location);
    let a = replica(&location);
    let (health, ready) = probes(&a).await;
    assert_eq!((&health["status"], &health["store"]["writable"]), (&json!("ok"), &json!(true)), "{health}");
    assert_eq!(ready.status, 200, "{}", ready.body);

    cluster.kill(0);
    cluster.kill(1);
    let (health, ready) = health_says(&a, false, Duration::from_secs(20)).await;
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(must(&health["store"], "problem").contains("etcd cluster"), "{health}");
    assert!(health["datasetVersion"].is_string(), "reads go on: {health}");
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert!(ready.headers.contains_key("retry-after"));
    let (code, _) = a.write_error(SET_ATTENDANCE, json!({ "m": MEETING, "n": 1 })).await;
    assert_eq!(code, "STORE_UNAVAILABLE", "a write is refused as /health says");

    cluster.restart(0);
    cluster.restart(1);
    cluster.wait_healthy();
    let (health, ready) = health_says(&a, true, Duration::from_secs(30)).await;
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(ready.status, 200, "{}", ready.body);
}

/// A new meeting's input that cites `n` new sources: a write of `n + 1` records.
fn citing(slug: &str, n: usize) -> Value {
    citing_titled(slug, n, "Page")
}

/// [`citing`], each source's title starting with `title`.
fn citing_titled(slug: &str, n: usize, title: &str) -> Value {
    let mut input = new_meeting(slug);
    input["sources"] = (0..n)
        .map(|i| json!({ "title": format!("{title} {i}"), "url": format!("https://example.org/{slug}/{i}") }))
        .collect();
    input
}

/// The most records one write holds on a cluster with etcd's default `--max-txn-ops` (128): two
/// operations a record (it and its stamp) and the dataset's marker.
const RECORDS_PER_WRITE: usize = 63;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_larger_than_one_etcd_transaction_is_refused_with_write_too_large_until_the_cluster_allows_more() {
    let Some((_cluster, location)) = started("a_write_larger_than_one_etcd_transaction") else { return };
    seed(&location);
    let a = replica(&location);
    let before = a.data(DATASET, json!({})).await;
    let too_large = json!({ "input": citing("2026-10-too-large", RECORDS_PER_WRITE) });
    let reply = a.write(CREATE_MEETING, too_large.clone()).await;
    assert_eq!(reply["errors"][0]["extensions"]["code"], "WRITE_TOO_LARGE", "{reply}");
    let message = must(&reply["errors"][0], "message");
    assert!(message.contains(&format!("{} records", RECORDS_PER_WRITE + 1)), "{message}");
    assert_eq!(a.data(DATASET, json!({})).await, before, "nothing was written");
    let (health, _) = probes(&a).await;
    assert_eq!(health["store"]["writable"], true, "a write too large says nothing of the cluster: {health}");
    let within =
        a.write_data(CREATE_MEETING, json!({ "input": citing("2026-10-within", RECORDS_PER_WRITE - 1) })).await;
    assert_eq!(within["createMeeting"]["sources"].as_array().map(Vec::len), Some(RECORDS_PER_WRITE - 1));

    // A cluster whose members allow more operations a transaction takes the same write: the
    // server holds no limit of its own.
    let larger = Cluster::start_with(3, &["--max-txn-ops", "512"]);
    let location: Location = larger.store().parse().expect("the cluster's --store value parses");
    seed(&location);
    let b = replica(&location);
    let written = b.write_data(CREATE_MEETING, too_large).await;
    assert_eq!(written["createMeeting"]["sources"].as_array().map(Vec::len), Some(RECORDS_PER_WRITE));
}

/// A replica that reaches the cluster through member `i` alone, so that stopping that member
/// cuts it off while the others write on.
fn replica_through(cluster: &Cluster, i: usize) -> Arc<TestApp> {
    replica(&Location::Etcd(vec![cluster.endpoints()[i].clone()]))
}

/// A replica that reaches the cluster through every member but `i`.
fn replica_without(cluster: &Cluster, i: usize) -> Arc<TestApp> {
    let mut endpoints = cluster.endpoints();
    endpoints.remove(i);
    replica(&Location::Etcd(endpoints))
}

const EVERYTHING: &str =
    "{ dataset { version lastChange meetings sources } meetings(first: 100) { nodes { slug attendance updatedAt } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_cut_off_from_the_cluster_reloads_at_its_revision_and_tells_its_subscribers_every_change_made_meanwhile(
) {
    let Some((mut cluster, location)) = started("a_replica_cut_off_from_the_cluster_reloads") else { return };
    seed(&location);
    let member = (cluster.leader() + 1) % 3;
    let (a, b) = (replica_without(&cluster, member), replica_through(&cluster, member));
    let mut live = subscribe(&a, "graphql-transport-ws", LIVE).await;
    let mut on_b = subscribe(&b, "graphql-transport-ws", LIVE).await;
    cluster.kill(member);
    let held = b.data(EVERYTHING, json!({})).await;
    let versions = writes(&a, 0, 8).await;
    let last = versions.last().expect("8 versions").clone();
    assert_eq!(b.data(EVERYTHING, json!({})).await, held, "cut off, B serves what it had");

    cluster.restart(member);
    cluster.wait_healthy();
    caught_up(&b, revision(&a)).await;
    assert_eq!(b.data(EVERYTHING, json!({})).await, a.data(EVERYTHING, json!({})).await);
    let reference = changes_until(&mut live, "next", &last).await;
    let got = changes_until(&mut on_b, "next", &last).await;
    assert_eq!(got, reference, "B's subscriber is told every change B's reload went past, once, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_whose_missed_writes_were_compacted_away_reloads_whole_and_ends_its_subscribers_streams_with_history_expired(
) {
    let Some((mut cluster, location)) = started("a_replica_whose_missed_writes_were_compacted_away") else { return };
    seed(&location);
    let member = (cluster.leader() + 1) % 3;
    let (a, b) = (replica_without(&cluster, member), replica_through(&cluster, member));
    let mut live = subscribe(&b, "graphql-transport-ws", LIVE).await;
    cluster.kill(member);
    let held = b.data(EVERYTHING, json!({})).await;
    writes(&a, 0, 8).await;
    // The history B would resume from is gone: only a reload of the whole dataset brings it on.
    cluster.compact(revision(&a));
    writes(&a, 8, 2).await;
    assert_eq!(b.data(EVERYTHING, json!({})).await, held, "cut off, B serves what it had");

    cluster.restart(member);
    cluster.wait_healthy();
    caught_up(&b, revision(&a)).await;
    assert_eq!(revision(&b), revision(&a), "B serves the cluster's revision");
    assert_eq!(b.data(EVERYTHING, json!({})).await, a.data(EVERYTHING, json!({})).await, "and all of it");
    // B's subscriber cannot be told the writes it missed: its stream ends with the code that
    // says to reload.
    let ended = read(&mut live).await;
    assert_eq!(ended["type"], "next", "{ended}");
    assert_eq!(ended["payload"]["errors"][0]["extensions"]["code"], "HISTORY_EXPIRED", "{ended}");
    assert_eq!(read(&mut live).await["type"], "complete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_resumed_over_writes_of_more_than_4_mib_gets_every_change() {
    let Some((_cluster, location)) = started("a_feed_resumed_over_writes_of_more_than_4_mib") else { return };
    seed(&location);
    let a = replica(&location);
    let from = version(&a).await;
    // 30 writes of 61 records each, with sources of 3,000-byte titles: about 5.5 MiB, which etcd
    // sends a watch from the past in one message, beyond gRPC's default of 4 MiB.
    let (writes, sources) = (30, 60);
    let title = "t".repeat(3_000);
    for w in 0..writes {
        a.write_data(CREATE_MEETING, json!({ "input": citing_titled(&format!("2026-10-large-{w}"), sources, &title) }))
            .await;
    }
    let last = version(&a).await;
    let mut resumed = subscribe(&a, "graphql-transport-ws", &changes_after(&from)).await;
    let got = next_changes(&mut resumed, "next", writes * (sources + 1)).await;
    assert_eq!(got.last().map(|c| &c["version"]), Some(&json!(last)));
    assert_eq!(got.iter().filter(|c| c["typename"] == "Source").count(), writes * sources);
    assert_eq!(got.iter().map(Value::to_string).collect::<HashSet<_>>().len(), got.len(), "a change came twice");
}
