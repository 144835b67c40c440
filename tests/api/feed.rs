//! The change feed that loses nothing: `changes(after:)` resumes from the change history,
//! `deleted(since:)` lists deletions, every answer names its dataset version, and a request may
//! ask for at least a version.

use crate::curation::{new_meeting, next_changes, read, start, subscribe, Ws, CREATE_MEETING};
use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use khartoum_graphql::graphql::engine::Session;
use khartoum_graphql::graphql::persisted::DocumentRef;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

pub(crate) const VERSION: &str = "{ dataset { version lastChange } }";
pub(crate) const FIELDS: &str = "operation typename slug version";

/// The subscription to every change after `version`.
pub(crate) fn changes_after(version: &str) -> String {
    format!(r#"subscription {{ changes(after: "{version}") {{ {FIELDS} }} }}"#)
}

pub(crate) async fn version(app: &TestApp) -> String {
    must(&app.data(VERSION, json!({})).await["dataset"], "version").to_owned()
}

/// The `i`th of a run of writes that creates a meeting, updates it twice and deletes it, over and
/// over, so that every fourth write is a deletion: the versions after each.
pub(crate) async fn writes(app: &TestApp, from: usize, count: usize) -> Vec<String> {
    let mut versions = Vec::new();
    for i in from..from + count {
        let slug = format!("2026-10-feed-{}", i / 4);
        let (query, variables) = match i % 4 {
            0 => (CREATE_MEETING.to_owned(), json!({ "input": new_meeting(&slug) })),
            1 | 2 => (
                format!(r#"mutation {{ updateMeeting(slug: "{slug}", input: {{ attendance: {i} }}) {{ slug }} }}"#),
                json!({}),
            ),
            _ => (format!(r#"mutation {{ deleteMeeting(slug: "{slug}") {{ slug }} }}"#), json!({})),
        };
        app.write_data(&query, variables).await;
        versions.push(version(app).await);
    }
    versions
}

/// The changes a subscription sends until (and with) the first one of version `last`, which the
/// caller knows to be a write of one record.
pub(crate) async fn changes_until(ws: &mut Ws, kind: &str, last: &str) -> Vec<Value> {
    let mut changes = Vec::new();
    loop {
        let change = next_changes(ws, kind, 1).await.remove(0);
        changes.push(change.clone());
        if change["version"] == last {
            return changes;
        }
    }
}

/// Waits until the server has dropped a subscription the client closed, so that counting
/// subscribers tells when the next one is registered.
pub(crate) async fn closed(app: &TestApp, mut ws: Ws, before: usize) {
    ws.close(None).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app.app.curator.subscribers() >= before {
        assert!(std::time::Instant::now() < deadline, "the closed subscription was not dropped within 10 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_subscriber_away_for_100_writes_resumes_with_after_and_gets_every_change_once_deletions_included() {
    let app = spawn_app();
    let live_query = format!("subscription {{ changes {{ {FIELDS} }} }}");
    let mut live = subscribe(&app, "graphql-transport-ws", &live_query).await;
    let mut away = subscribe(&app, "graphql-transport-ws", &live_query).await;
    // One write seen by both; then the second subscriber goes away with the last version it saw.
    let seeded = seed_file("meetings.json")[0]["slug"].as_str().unwrap().to_owned();
    let update = format!(r#"mutation {{ updateMeeting(slug: "{seeded}", input: {{ attendance: 7 }}) {{ slug }} }}"#);
    app.write_data(&update, json!({})).await;
    let first = version(&app).await;
    let seen = next_changes(&mut away, "next", 1).await.remove(0);
    let last_seen = must(&seen, "version").to_owned();
    assert_eq!(last_seen, first);
    let subscribed = app.app.curator.subscribers();
    closed(&app, away, subscribed).await;

    // 100 writes; the last deletes, so it is one change.
    let versions = writes(&app, 0, 100).await;
    let last = versions.last().unwrap().clone();
    let mut reference = changes_until(&mut live, "next", &last).await;
    assert_eq!(reference.remove(0)["version"], first.as_str());

    let mut resumed = subscribe(&app, "graphql-transport-ws", &changes_after(&last_seen)).await;
    let got = changes_until(&mut resumed, "next", &last).await;
    assert_eq!(got, reference, "the resumed feed is the live feed of the writes it missed");
    // Every write it missed is there, each change once, and every deletion.
    let got_versions: HashSet<&str> = got.iter().map(|c| must(c, "version")).collect();
    assert_eq!(got_versions, versions.iter().map(String::as_str).collect::<HashSet<_>>());
    let distinct: HashSet<String> = got.iter().map(Value::to_string).collect();
    assert_eq!(distinct.len(), got.len(), "a change came twice: {got:?}");
    let deleted: Vec<&str> = got
        .iter()
        .filter(|c| c["operation"] == "DELETED" && c["typename"] == "Meeting")
        .map(|c| must(c, "slug"))
        .collect();
    let expected: Vec<String> = (0..25).map(|n| format!("2026-10-feed-{n}")).collect();
    assert_eq!(deleted, expected);

    // Then it goes on live, with nothing sent again.
    let next = writes(&app, 100, 1).await.remove(0);
    let after_resume = next_changes(&mut resumed, "next", 1).await.remove(0);
    assert_eq!(after_resume["version"], next.as_str(), "{after_resume}");
}

/// Opens a subscription that the server refuses, and returns the error it sends.
pub(crate) async fn refused(app: &TestApp, protocol: &str, query: &str) -> Value {
    let mut ws = start(app, protocol, query).await;
    let msg = read(&mut ws).await;
    let errors = if msg["type"] == "error" { msg["payload"].clone() } else { msg["payload"]["errors"].clone() };
    assert!(errors[0].is_object(), "an error: {msg}");
    errors[0].clone()
}

#[tokio::test]
async fn after_a_version_older_than_the_history_the_feed_is_refused_with_the_oldest_version_and_the_log_keeps_its_bound(
) {
    let app = spawn_app();
    app.app.store().set_history_limit(3);
    let seeded = version(&app).await;
    let versions = writes(&app, 0, 6).await;
    assert_eq!(sled(&app).history_len().unwrap(), 3, "the log holds the last 3 writes");

    let error = refused(&app, "graphql-transport-ws", &changes_after(&seeded)).await;
    assert_eq!(error["extensions"]["code"], "HISTORY_EXPIRED", "{error}");
    // The log holds writes 4 to 6: it resumes from the version after write 3.
    assert_eq!(error["extensions"]["oldestVersion"], versions[2].as_str(), "{error}");
    assert!(must(&error, "message").contains(&versions[2]), "{error}");
    let mistyped = refused(&app, "graphql-transport-ws", &changes_after("not-a-version")).await;
    assert_eq!(mistyped["extensions"]["code"], "HISTORY_EXPIRED", "{mistyped}");

    // From the oldest version it names, the feed resumes: writes 4 to 6, in order.
    let mut ws = subscribe(&app, "graphql-transport-ws", &changes_after(&versions[2])).await;
    let got = changes_until(&mut ws, "next", &versions[5]).await;
    let got_versions: Vec<&str> = got.iter().map(|c| must(c, "version")).collect();
    assert_eq!(got_versions, &versions[3..]);
}

#[tokio::test]
async fn the_older_graphql_ws_protocol_resumes_with_after_too() {
    let app = spawn_app();
    let seeded = version(&app).await;
    let versions = writes(&app, 0, 4).await;
    let mut ws = subscribe(&app, "graphql-ws", &changes_after(&seeded)).await;
    let got = changes_until(&mut ws, "data", &versions[3]).await;
    let deleted: Vec<&Value> = got.iter().filter(|c| c["operation"] == "DELETED").collect();
    assert_eq!(
        deleted,
        [&json!({ "operation": "DELETED", "typename": "Meeting", "slug": "2026-10-feed-0", "version": versions[3] })]
    );
}

/// A subscription to every change from now on, run by the engine as the WebSocket runs it, for
/// a test to poll when it chooses.
fn live_stream(app: &TestApp) -> BoxStream<'static, async_graphql::Response> {
    let session = Session {
        engine: app.app.engine.clone(),
        catalog: app.app.catalog(),
        curator: Arc::clone(&app.app.curator),
        bearer: Default::default(),
        deadline: None,
        version_wait: app.app.min_version_wait,
    };
    let query = format!("subscription {{ changes {{ {FIELDS} }} }}");
    let prepared = session.prepare(async_graphql::Request::new(query.clone()), DocumentRef::text(query)).unwrap();
    session.stream(prepared)
}

/// Polls a stream once, so that its subscription runs and registers, and checks that it has
/// nothing to send yet.
async fn registered(app: &TestApp, stream: &mut BoxStream<'static, async_graphql::Response>) {
    let before = app.app.curator.subscribers();
    assert!(tokio::time::timeout(Duration::from_millis(100), stream.next()).await.is_err(), "no change yet");
    assert!(app.app.curator.subscribers() > before, "the subscription registered");
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_the_history_gets_one_history_expired_error_and_its_stream_ends() {
    let app = spawn_app();
    app.app.store().set_history_limit(10);
    let mut slow = live_stream(&app);
    registered(&app, &mut slow).await;
    // More changes than the live buffer holds, and more writes than the history keeps.
    let versions = writes(&app, 0, 300).await;
    let first = tokio::time::timeout(Duration::from_secs(10), slow.next()).await.unwrap().unwrap();
    let error = &first.errors[0];
    assert_eq!(error.extensions.as_ref().and_then(|e| e.get("code")), Some(&"HISTORY_EXPIRED".into()), "{error:?}");
    let oldest = error.extensions.as_ref().and_then(|e| e.get("oldestVersion")).cloned();
    assert_eq!(oldest, Some(versions[289].as_str().into()), "the history holds the last 10 writes");
    assert!(tokio::time::timeout(Duration::from_secs(10), slow.next()).await.unwrap().is_none(), "the stream ends");
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_the_live_buffer_reads_on_from_the_history_without_a_gap() {
    let app = spawn_app();
    let open = || live_stream(&app);
    // The reference is read as the writes go; the slow one is polled once, to subscribe, and then
    // not until every write is done.
    let (tx, mut reference) = tokio::sync::mpsc::unbounded_channel();
    let mut fast = open();
    let subscribed = app.app.curator.subscribers();
    tokio::spawn(async move {
        while let Some(r) = fast.next().await {
            let _ = tx.send(r.data.into_json().unwrap()["changes"].clone());
        }
    });
    let mut slow = open();
    registered(&app, &mut slow).await;
    while app.app.curator.subscribers() < subscribed + 2 {
        tokio::task::yield_now().await;
    }
    // More changes than the live buffer holds (each of these writes is one change but the first).
    let versions = writes(&app, 0, 300).await;
    let last = versions.last().unwrap();
    let mut expected = Vec::new();
    while expected.last().is_none_or(|c: &Value| c["version"] != last.as_str()) {
        expected.push(reference.recv().await.unwrap());
    }
    let mut got = Vec::new();
    while got.len() < expected.len() {
        let r = tokio::time::timeout(Duration::from_secs(10), slow.next()).await.unwrap().unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        got.push(r.data.into_json().unwrap()["changes"].clone());
    }
    assert_eq!(got, expected);
}

#[tokio::test]
async fn deleted_since_lists_the_deletions_that_updated_since_cannot_and_refuses_a_time_older_than_the_history() {
    let app = spawn_app();
    let before = must(&app.data(VERSION, json!({})).await["dataset"], "lastChange").to_owned();
    let mut versions = writes(&app, 0, 1).await;
    let id = app.data(r#"{ meeting(slug: "2026-10-feed-0") { id } }"#, json!({})).await["meeting"]["id"].clone();
    versions.extend(writes(&app, 1, 7).await);
    let q = "query($since: DateTime!) { deleted(since: $since, first: 100) { totalCount nodes { typename slug id version deletedAt } } }";
    let data = app.data(q, json!({ "since": before })).await;
    let nodes = data["deleted"]["nodes"].as_array().unwrap();
    let got: Vec<(&str, &str, &str)> =
        nodes.iter().map(|n| (must(n, "typename"), must(n, "slug"), must(n, "version"))).collect();
    assert_eq!(
        got,
        [("Meeting", "2026-10-feed-0", versions[3].as_str()), ("Meeting", "2026-10-feed-1", versions[7].as_str())]
    );
    // The id is the one the meeting had; updatedSince no longer lists it.
    assert_eq!(nodes[0]["id"], id);
    assert!(must(&nodes[0], "deletedAt") >= before.as_str());
    let q_updated = r#"{ meetings(filter: { updatedSince: "2000-01-01T00:00:00Z" }, first: 100) { nodes { slug } } }"#;
    let listed = app.data(q_updated, json!({})).await;
    assert!(!pluck(&listed["meetings"]["nodes"], "slug").contains(&"2026-10-feed-0".to_owned()));
    // After the second deletion's time, none.
    let later = app.data(VERSION, json!({})).await;
    let none = app.data(q, json!({ "since": must(&later["dataset"], "lastChange") })).await;
    assert_eq!(none["deleted"]["totalCount"], 1, "the last write was the deletion at lastChange: {none}");

    // With a history of 2 writes, a time before them is refused with the earliest it answers from.
    app.app.store().set_history_limit(2);
    writes(&app, 8, 2).await;
    let (code, message) = app.error(q, json!({ "since": before })).await;
    assert_eq!(code, "HISTORY_EXPIRED", "{message}");
    let resp = app.run(q, json!({ "since": before })).await;
    let oldest = must(&resp["errors"][0]["extensions"], "oldestTime").to_owned();
    let from_oldest = app.data(q, json!({ "since": oldest })).await;
    assert_eq!(from_oldest["deleted"]["totalCount"], 0);
}

#[tokio::test]
async fn every_answer_names_the_dataset_version_it_was_served_from_in_a_header_and_in_extensions() {
    let app = spawn_app();
    let seeded = version(&app).await;
    let reply = app.post_json(&json!({ "query": VERSION })).await;
    assert_eq!(reply.headers["x-dataset-version"], seeded.as_str());
    assert_eq!(reply.json()["extensions"]["datasetVersion"], seeded.as_str());
    let get = app.get("/graphql?query=%7B%20dataset%20%7B%20version%20%7D%20%7D").await;
    assert_eq!(get.headers["x-dataset-version"], seeded.as_str());
    // Answered again from the kept answers, the same.
    let again = app.get("/graphql?query=%7B%20dataset%20%7B%20version%20%7D%20%7D").await;
    assert_eq!(again.headers["x-dataset-version"], seeded.as_str());

    // A mutation's answer names the version its write made.
    let reply = app
        .post_json_as(
            &json!({ "query": CREATE_MEETING, "variables": { "input": new_meeting("2026-10-feed-x") } }),
            Some(TOKEN),
        )
        .await;
    let written = version(&app).await;
    assert_ne!(written, seeded);
    assert_eq!(reply.headers["x-dataset-version"], written.as_str());
    assert_eq!(reply.json()["extensions"]["datasetVersion"], written.as_str());
    // Answers that are not GraphQL's name it too, and a browser may read it.
    assert_eq!(app.get("/health").await.headers["x-dataset-version"], written.as_str());
    let cors = app
        .send(Request::get("/health").header(header::ORIGIN, "https://example.org").body(Body::empty()).unwrap())
        .await;
    let exposed = cors.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("x-dataset-version"), "{exposed}");
}

/// A POST of `query` asking for at least `version`, through the production router.
fn at_least(version: &str) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-min-dataset-version", version)
        .body(Body::from(json!({ "query": VERSION }).to_string()))
        .unwrap()
}

#[tokio::test]
async fn a_request_for_a_version_not_reached_waits_up_to_the_limit_then_is_answered_503_with_retry_after() {
    let mut app = spawn_app();
    let wait = Duration::from_millis(300);
    Arc::get_mut(&mut app.app).expect("no other handle yet").min_version_wait = wait;
    let meta = app.app.catalog().meta.clone();
    let future = meta.version_at(meta.revision + 5);
    let started = std::time::Instant::now();
    let reply = app.send(at_least(&future)).await;
    assert!(started.elapsed() >= wait, "answered after {:?}", started.elapsed());
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.body);
    assert_eq!(reply.headers[header::RETRY_AFTER], "1");
    let body = reply.json();
    assert_eq!(body["errors"][0]["extensions"]["code"], "DATASET_VERSION_NOT_REACHED");
    assert_eq!(reply.headers["x-dataset-version"], meta.version.as_str());
    // A version reached already is answered at once; one of no dataset is a bad request.
    assert_eq!(app.send(at_least(&meta.version)).await.status, StatusCode::OK);
    let bad = app.send(at_least("another-seed-r3")).await;
    assert_eq!(
        (bad.status, bad.json()["errors"][0]["extensions"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("BAD_REQUEST"))
    );
}

#[tokio::test]
async fn a_request_for_the_next_version_is_answered_once_a_write_during_its_wait_reaches_it() {
    let app = spawn_app();
    let meta = app.app.catalog().meta.clone();
    let next = meta.version_at(meta.revision + 1);
    let router = khartoum_graphql::http::router(Arc::clone(&app.app));
    let waiting = tokio::spawn(tower::ServiceExt::oneshot(router, at_least(&next)));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the request waits for the version");
    writes(&app, 0, 1).await;
    let response = waiting.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-dataset-version"], next.as_str());
    let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["data"]["dataset"]["version"], next.as_str());
}

#[test]
fn the_history_bound_and_the_version_wait_in_code_are_those_the_docs_and_the_schema_publish() {
    use khartoum_graphql::app::DEFAULT_MIN_VERSION_WAIT;
    use khartoum_graphql::http::dataset_version::RETRY_AFTER_SECS;
    use khartoum_graphql::store::DEFAULT_HISTORY_LIMIT;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let operations = read("docs/operations.md");
    let row = |flag: &str| {
        operations.lines().find(|l| l.starts_with(&format!("| `{flag}` |"))).unwrap_or_default().to_owned()
    };
    let wait = DEFAULT_MIN_VERSION_WAIT.as_secs();
    assert!(row("--change-history").contains(&format!("| `{DEFAULT_HISTORY_LIMIT}`:")), "{}", row("--change-history"));
    assert!(row("--min-version-wait").contains(&format!("| `{wait}` seconds")), "{}", row("--min-version-wait"));
    assert!(row("--min-version-wait").contains(&format!("`Retry-After: {RETRY_AFTER_SECS}`")));
    let readme = words(&read("README.md"));
    assert!(readme.contains(&format!("keeps the last {DEFAULT_HISTORY_LIMIT} writes (`--change-history`)")));
    assert!(readme.contains(&format!("waits at most {wait} s (`--min-version-wait`)")));
    let curation = words(&read("docs/curation.md"));
    // The manual and the schema write the number with a thousands separator.
    let n = DEFAULT_HISTORY_LIMIT.to_string();
    let (high, low) = n.split_at(n.len() - 3);
    let spelled = format!("{high},{low}");
    assert!(curation.contains(&format!("a log of the last {spelled} writes")));
    assert!(curation.contains(&format!("up to `--min-version-wait` ({wait} s)")));
    let sdl = words(&khartoum_graphql::graphql::sdl());
    assert_eq!(
        sdl.matches(&format!("its last {spelled} writes unless configured otherwise")).count(),
        2,
        "changes and deleted"
    );
}

#[tokio::test]
async fn the_change_history_survives_a_restart_and_a_reseed_empties_it() {
    let app = spawn_app();
    let seeded = version(&app).await;
    let versions = writes(&app, 0, 4).await;
    let app = app.restarted();
    let mut ws = subscribe(&app, "graphql-transport-ws", &changes_after(&seeded)).await;
    let got = changes_until(&mut ws, "next", &versions[3]).await;
    let got_versions: Vec<&str> = got.iter().map(|c| must(c, "version")).collect();
    let mut expected: Vec<&str> = versions.iter().map(String::as_str).collect();
    // The first write created the meeting's source too.
    expected.insert(0, &versions[0]);
    assert_eq!(got_versions, expected);

    // The same seed files again: the versions start over, and none from before means anything.
    let seed = khartoum_graphql::seed::load(&seed_dir()).unwrap();
    app.app.store().replace_all(&seed.dataset, &seed.version).unwrap();
    app.app.reload().unwrap();
    assert_eq!(sled(&app).history_len().unwrap(), 0);
    assert_eq!(version(&app).await, seeded);
    let error = refused(&app, "graphql-transport-ws", &changes_after(&versions[3])).await;
    assert_eq!(error["extensions"]["code"], "HISTORY_EXPIRED", "{error}");
    assert_eq!(error["extensions"]["oldestVersion"], seeded.as_str(), "{error}");
}

#[tokio::test]
async fn the_consistency_check_finds_a_write_missing_from_the_change_history() {
    let app = spawn_app();
    writes(&app, 0, 3).await;
    let store = sled(&app);
    assert_eq!(store.check().unwrap(), Vec::<String>::new());
    store.remove_history_entry_for_test(2).unwrap();
    assert_eq!(store.check().unwrap(), ["history: the writes between revisions 1 and 3 are missing"]);
    store.remove_history_entry_for_test(3).unwrap();
    assert_eq!(store.check().unwrap(), ["history: the last entry is of revision 1, short of the store's 3"]);
}

/// The embedded store of a test app: the change log these tests read is the sled store's.
fn sled(app: &TestApp) -> &khartoum_graphql::store::Store {
    app.app.store().sled().expect("the change log is the embedded store's")
}
