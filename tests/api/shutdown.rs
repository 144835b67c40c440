//! SIGTERM: under a load of writes and reads, the server finishes the requests it is handling,
//! flushes the store and exits with success, and nothing it acknowledged is lost; an open
//! WebSocket subscription does not keep it from stopping.

use crate::binary::*;
use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Concurrent writers: writes are serialised in the server, so most of them wait there, being
/// handled, at any moment.
const WRITERS: usize = 6;
/// Concurrent readers.
const READERS: usize = 2;
/// How long the load runs before the signal.
const LOAD_BEFORE_SIGNAL: Duration = Duration::from_millis(1500);
/// How long the server may take to stop after SIGTERM.
const STOP_WITHIN: Duration = Duration::from_secs(20);

const MEETING: &str = "2022-07-mombasa-skills-mobility";

const CREATE: &str = r#"mutation($slug: String!, $url: String!) {
  createMeeting(input: { slug: $slug, title: "Shutdown test meeting", kind: WEBINAR, startDate: "2031-03-15", online: true,
    processes: ["khartoum-process"], participations: [{ actor: "ke", role: HOST }],
    sources: [{ title: "Shutdown test source", url: $url }] }) { slug hosts { slug } }
}"#;

const READ: &str =
    r#"query($slug: String!) { meeting(slug: $slug) { slug title hosts { slug } } dataset { meetings } }"#;

/// One request of the load and what became of it.
struct Sent {
    /// Whether it was a write.
    write: bool,
    /// The slug a write created.
    slug: String,
    /// The response, or the transport error.
    outcome: Result<(u16, String), String>,
}

fn post(agent: &ureq::Agent, base: &str, query: &str, variables: Value, token: bool) -> Result<(u16, String), String> {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let mut req = agent.post(&format!("{base}/graphql")).set("Content-Type", "application/json");
    if token {
        req = req.set("Authorization", &format!("Bearer {TOKEN}"));
    }
    match req.send_string(&body) {
        Ok(resp) => {
            let status = resp.status();
            resp.into_string().map(|b| (status, b)).map_err(|e| format!("reading the body: {e}"))
        }
        Err(ureq::Error::Status(status, resp)) => Ok((status, resp.into_string().unwrap_or_default())),
        Err(e) => Err(e.to_string()),
    }
}

/// Whether a response to the load is complete and correct; the reason if not.
fn check(s: &Sent, title: &str) -> Result<(), String> {
    let (status, body) = s.outcome.as_ref().map_err(Clone::clone)?;
    let v: Value = serde_json::from_str(body).map_err(|e| format!("status {status}, body not JSON ({e}): {body}"))?;
    if *status != 200 || v.get("errors").is_some() {
        return Err(format!("status {status}: {body}"));
    }
    if s.write {
        let m = &v["data"]["createMeeting"];
        if m["slug"] != json!(s.slug) || m["hosts"] != json!([{ "slug": "ke" }]) {
            return Err(format!("a write answered with something else: {body}"));
        }
    } else {
        let m = &v["data"]["meeting"];
        if m["slug"] != json!(MEETING) || m["title"] != json!(title) || !v["data"]["dataset"]["meetings"].is_u64() {
            return Err(format!("a read answered with something else: {body}"));
        }
    }
    Ok(())
}

/// The slugs of the meetings the shutdown test created, as the server now holds them.
fn shutdown_test_meetings(base: &str) -> Vec<String> {
    let agent = ureq::agent();
    let q = r#"query($after: String) { meetings(filter: { from: "2031-03-01", to: "2031-03-31" }, first: 100, after: $after) {
      nodes { slug title hosts { slug } } pageInfo { hasNextPage endCursor } } }"#;
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let (_, body) = post(&agent, base, q, json!({ "after": after }), false).expect("the restarted server answers");
        let v: Value = serde_json::from_str(&body).unwrap();
        let page = &v["data"]["meetings"];
        for m in page["nodes"].as_array().unwrap_or_else(|| panic!("{body}")) {
            assert_eq!(m["hosts"], json!([{ "slug": "ke" }]), "half-applied: {m}");
            out.push(m["slug"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[test]
fn sigterm_under_load_finishes_the_requests_in_flight_and_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let env = [("KHARTOUM_GRAPHQL_TOKENS", TOKEN)];
    let (mut server, base, _) = serve_env(&data, &seed_dir(), &env);
    let title = {
        let (_, body) = post(&ureq::agent(), &base, READ, json!({ "slug": MEETING }), false).unwrap();
        serde_json::from_str::<Value>(&body).unwrap()["data"]["meeting"]["title"].as_str().unwrap().to_owned()
    };

    let log: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..WRITERS + READERS)
        .map(|c| {
            let (base, log, stop) = (base.clone(), Arc::clone(&log), Arc::clone(&stop));
            std::thread::spawn(move || {
                // One keep-alive connection per client, as a real client would hold.
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
                let write = c < WRITERS;
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let slug = format!("2031-03-shutdown-c{c}-{n}");
                    let outcome = if write {
                        let url = format!("https://example.org/shutdown/{slug}");
                        post(&agent, &base, CREATE, json!({ "slug": slug, "url": url }), true)
                    } else {
                        post(&agent, &base, READ, json!({ "slug": MEETING }), false)
                    };
                    let failed = outcome.is_err();
                    log.lock().unwrap().push(Sent { write, slug, outcome });
                    if failed {
                        break; // the server is gone, or going
                    }
                }
            })
        })
        .collect();

    std::thread::sleep(LOAD_BEFORE_SIGNAL);
    send_signal(&server, "TERM");
    let (status, took) = wait_for_exit(&mut server, STOP_WITHIN, "SIGTERM");
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("a client thread");
    }
    assert!(status.success(), "the server exited with {status:?} after SIGTERM");
    // What the server says it did is the judge: which requests it took on, and which writes it
    // committed; the clients' clocks play no part.
    let server_log = server.finish();
    let shutting_down = server_log
        .iter()
        .position(|l| l.contains("shutting down"))
        .unwrap_or_else(|| panic!("the server did not log its shutdown: {server_log:#?}"));
    let count = |lines: &[String], what: &str| lines.iter().filter(|l| l.contains(what)).count();
    let started = count(&server_log, "started processing request");
    let finished = count(&server_log, "finished processing request");
    let finished_after_signal = count(&server_log[shutting_down..], "finished processing request");
    let committed: HashSet<String> = server_log
        .iter()
        .filter(|l| l.contains("committed a write"))
        .flat_map(|l| l.split("Created meeting ").skip(1).map(|s| s.split([',', ' ']).next().unwrap().to_owned()))
        .collect();

    let log = log.lock().unwrap();
    let wrong: Vec<String> = log.iter().filter(|s| s.outcome.is_ok()).filter_map(|s| check(s, &title).err()).collect();
    let answered = log.iter().filter(|s| s.outcome.is_ok()).count();
    let refused = log.len() - answered;
    let acknowledged: Vec<&str> =
        log.iter().filter(|s| s.write && check(s, &title).is_ok()).map(|s| s.slug.as_str()).collect();
    let reads = log.iter().filter(|s| !s.write && s.outcome.is_ok()).count();
    println!(
        "shutdown test: {} requests sent; the server started {started} and finished {finished}, \
         {finished_after_signal} of them after SIGTERM; {refused} got no answer; {} writes acknowledged, \
         {} committed, {reads} reads answered; stopped {took:?} after SIGTERM",
        log.len(),
        acknowledged.len(),
        committed.len()
    );
    assert!(wrong.is_empty(), "{} wrong answers: {:#?}", wrong.len(), wrong);
    assert_eq!(started, finished, "the server started requests it did not finish");
    // One more answer than the load's: the read of the title before it.
    assert_eq!(answered + 1, finished, "a request the server finished did not reach its client whole");
    let acknowledged_set: HashSet<String> = acknowledged.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(committed, acknowledged_set, "the writes the server committed are not the ones it acknowledged");
    assert!(finished_after_signal >= 1, "no request was in flight at SIGTERM: the test proved nothing");
    assert!(acknowledged.len() >= 10, "too few writes were acknowledged ({}) to mean anything", acknowledged.len());

    // Every acknowledged write is in the store after a restart, and the store is consistent.
    let (mut again, base, _) = serve_env(&data, &seed_dir(), &env);
    let found: HashSet<String> = shutdown_test_meetings(&base).into_iter().collect();
    send_signal(&again, "TERM");
    let (status, _) = wait_for_exit(&mut again, STOP_WITHIN, "SIGTERM");
    assert!(status.success());
    let lost: Vec<&&str> = acknowledged.iter().filter(|s| !found.contains(**s)).collect();
    assert!(lost.is_empty(), "{} acknowledged writes are lost: {lost:?}", lost.len());
    println!("shutdown test: all {} acknowledged writes present after a restart", acknowledged.len());
    let check = cli(&data, &["check-store"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

#[tokio::test]
async fn sigterm_stops_a_server_promptly_while_a_websocket_subscription_is_open() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

    let dir = tempfile::tempdir().unwrap();
    let (mut server, base, _) = serve_env(&dir.path().join("data"), &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
    let mut request = format!("{}/graphql/ws", base.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("the WebSocket opens");
    ws.send(Message::Text(json!({ "type": "connection_init" }).to_string().into())).await.unwrap();
    let ack = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("an ack").unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    let subscribe = json!({ "id": "1", "type": "subscribe",
        "payload": { "query": "subscription { changes { operation typename slug version } }" } });
    ws.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    // The subscription is active once it delivers a change: write until one arrives, for at most
    // 10 s (a write committed before the server registered the subscription is not delivered).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut n = 0;
    loop {
        assert!(Instant::now() < deadline, "the subscription delivered no change within 10 s");
        n += 1;
        let (slug, base) = (format!("2031-03-shutdown-ws-{n}"), base.clone());
        let url = format!("https://example.org/shutdown/{slug}");
        let written = tokio::task::spawn_blocking(move || {
            post(&ureq::agent(), &base, CREATE, json!({ "slug": slug, "url": url }), true)
        })
        .await
        .unwrap();
        assert!(matches!(&written, Ok((200, body)) if body.contains("createMeeting")), "{written:?}");
        if let Ok(Some(Ok(Message::Text(event)))) = tokio::time::timeout(Duration::from_millis(500), ws.next()).await {
            assert!(event.contains(r#""type":"next""#) && event.contains("CREATED"), "{event}");
            break;
        }
    }

    send_signal(&server, "TERM");
    let (status, took) =
        tokio::task::spawn_blocking(move || wait_for_exit(&mut server, Duration::from_secs(10), "SIGTERM"))
            .await
            .unwrap();
    assert!(status.success(), "{status:?}");
    println!("a server with an open subscription stopped {took:?} after SIGTERM");
    // The subscriber learns that the server went away: a close frame or the end of the stream.
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the WebSocket stayed open after the server stopped");
}
