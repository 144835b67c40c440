//! GraphQL over WebSocket on `/graphql/ws`, through a real socket: queries and mutations with the
//! limits and codes of HTTP, the graphql-transport-ws rules and their close codes, the caps per
//! socket and per client address (behind a trusted proxy, per forwarded client), the budget the
//! socket's operations spend, and one write reaching every subscription with the caps filled.

use crate::curation::{new_meeting, read, CREATE_MEETING};
use crate::helpers::*;
use crate::rate_limits::post_from;
use futures_util::{SinkExt, StreamExt};
use khartoum_graphql::graphql::codes;
use khartoum_graphql::http::rate_limit::RateLimits;
use khartoum_graphql::http::ws::{
    WsLimits, DEFAULT_WS_LIMITS, INIT_TIMEOUT, MAX_SOCKETS_PER_ADDRESS, MAX_SUBSCRIPTIONS_PER_SOCKET,
    SOCKETS_RETRY_AFTER,
};
use khartoum_graphql::http::Policies;
use khartoum_graphql::http::MAX_BODY_BYTES;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};

/// A client's WebSocket.
pub type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// The subscription to `changes` the tests open.
const CHANGES: &str = "subscription { changes { operation typename slug version } }";

/// A test app whose WebSocket limits are `limits`, served on a port of 127.0.0.1: the app and
/// its `ws://` URL.
async fn serve_with(limits: WsLimits) -> (TestApp, String) {
    let (app, base) = serve_configured(|p| p.websocket = limits).await;
    (app, ws_url(&base))
}

/// A test app served on a port of 127.0.0.1 under the policies `configure` sets: the app and its
/// base URL.
async fn serve_configured(configure: impl FnOnce(&mut Policies)) -> (TestApp, String) {
    let app = spawn_app();
    let mut policies = Policies::default();
    configure(&mut policies);
    let base = app.serve_with(policies).await;
    (app, base)
}

/// The WebSocket URL of a server's base URL.
fn ws_url(base: &str) -> String {
    format!("{}/graphql/ws", base.replace("http://", "ws://"))
}

/// Opens a graphql-transport-ws socket on `url` from the local address `from` (any port).
async fn open_from(url: &str, from: IpAddr) -> Result<Ws, tungstenite::Error> {
    open_with_headers(url, from, &[]).await
}

/// Like [`open_from`], with extra header lines on the upgrade request.
async fn open_with_headers(url: &str, from: IpAddr, headers: &[(&str, &str)]) -> Result<Ws, tungstenite::Error> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
    }
    let server: SocketAddr = request.uri().authority().expect("a host and port").as_str().parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    let stream = socket.connect(server).await?;
    Ok(tokio_tungstenite::client_async(request, stream).await?.0)
}

/// Opens a graphql-transport-ws socket on `url` from 127.0.0.1.
async fn open(url: &str) -> Ws {
    open_from(url, IpAddr::from([127, 0, 0, 1])).await.expect("the WebSocket opens")
}

/// Sends one protocol message.
async fn send(ws: &mut Ws, message: Value) {
    ws.send(Message::Text(message.to_string().into())).await.expect("the message is sent");
}

/// Opens a socket and initialises it with `payload`.
async fn open_initialised(url: &str, payload: Value) -> Ws {
    let mut ws = open(url).await;
    send(&mut ws, json!({ "type": "connection_init", "payload": payload })).await;
    assert_eq!(read(&mut ws).await["type"], "connection_ack");
    ws
}

/// Subscribes (or runs a query or mutation) as `id`.
async fn subscribe(ws: &mut Ws, id: &str, query: &str, variables: Value) {
    send(ws, json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })).await;
}

/// The close frame that ends the socket, within 10 s: its code and reason. Any text message
/// before it fails the test.
async fn closed(ws: &mut Ws) -> (u16, String) {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("a frame within 10 s");
        match frame {
            Some(Ok(Message::Close(Some(close)))) => return (close.code.into(), close.reason.to_string()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// The code of a message's first error.
fn code(message: &Value) -> &Value {
    &message["payload"][0]["extensions"]["code"]
}

#[tokio::test]
async fn a_query_over_the_websocket_reads_the_data_and_reports_its_cost_like_http() {
    let (app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    let mut ws = open_initialised(&url, json!({})).await;
    subscribe(&mut ws, "q", "{ dataset { version meetings } }", json!({})).await;
    let next = read(&mut ws).await;
    assert_eq!((&next["type"], &next["id"]), (&json!("next"), &json!("q")), "{next}");
    let http = app.run("{ dataset { version meetings } }", json!({})).await;
    assert_eq!(next["payload"]["data"], http["data"], "the socket reads what HTTP reads");
    assert!(next["payload"]["extensions"]["cost"].is_object(), "{next}");
    assert_eq!(read(&mut ws).await, json!({ "id": "q", "type": "complete" }));
}

#[tokio::test]
async fn an_operation_over_a_published_limit_is_refused_over_the_websocket_with_the_http_code() {
    let (_app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    let mut ws = open_initialised(&url, json!({})).await;
    let aliases: String = (0..=50).map(|i| format!(" a{i}: __typename")).collect();
    for (id, query, expected) in [
        ("aliases", format!("{{{aliases} }}").as_str(), codes::TOO_MANY_ALIASES),
        ("deep", &format!("{}{}", "{ a".repeat(70), " }".repeat(70)), codes::QUERY_TOO_DEEP),
        ("parse", "{ dataset {", codes::GRAPHQL_PARSE_FAILED),
        ("invalid", "{ nonexistent }", codes::GRAPHQL_VALIDATION_FAILED),
        ("changes", "subscription { changes { nonexistent } }", codes::GRAPHQL_VALIDATION_FAILED),
    ] {
        subscribe(&mut ws, id, query, json!({})).await;
        let error = read(&mut ws).await;
        assert_eq!((&error["type"], &error["id"]), (&json!("error"), &json!(id)), "{error}");
        assert_eq!(code(&error), expected, "{id}: {error}");
    }
    // A page too large is a field's error, as over HTTP: the operation runs and says so.
    subscribe(&mut ws, "page", "{ meetings(first: 101) { totalCount } }", json!({})).await;
    let next = read(&mut ws).await;
    assert_eq!(next["payload"]["errors"][0]["extensions"]["code"], codes::PAGE_SIZE_EXCEEDED, "{next}");
    assert_eq!(read(&mut ws).await["type"], "complete");
    // A payload that is not a GraphQL request is refused as HTTP refuses it.
    send(&mut ws, json!({ "id": "bad", "type": "subscribe", "payload": { "query": 1 } })).await;
    let error = read(&mut ws).await;
    assert_eq!(code(&error), codes::BAD_REQUEST, "{error}");
}

#[tokio::test]
async fn a_mutation_over_the_websocket_writes_with_the_token_of_the_init_payload_and_not_without() {
    let (app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    let variables = json!({ "input": new_meeting("2026-10-nairobi-labour") });
    let mut anonymous = open_initialised(&url, json!({})).await;
    subscribe(&mut anonymous, "w", CREATE_MEETING, variables.clone()).await;
    let refused = read(&mut anonymous).await;
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], codes::UNAUTHENTICATED, "{refused}");

    let mut curator = open_initialised(&url, json!({ "Authorization": format!("Bearer {TOKEN}") })).await;
    subscribe(&mut curator, "w", CREATE_MEETING, variables).await;
    let written = read(&mut curator).await;
    assert_eq!(written["payload"]["data"]["createMeeting"]["slug"], "2026-10-nairobi-labour", "{written}");
    let http = app.data(r#"{ meeting(slug: "2026-10-nairobi-labour") { title } }"#, json!({})).await;
    assert_eq!(http["meeting"]["title"], "Thematic meeting on labour mobility");
}

#[tokio::test]
async fn a_message_over_the_http_body_limit_closes_the_socket_with_1009() {
    let (_app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    let mut ws = open_initialised(&url, json!({})).await;
    let padding = "x".repeat(MAX_BODY_BYTES);
    send(&mut ws, json!({ "id": "big", "type": "subscribe", "payload": { "query": format!("{{ dataset {{ version }} }} #{padding}") } })).await;
    let (code, reason) = closed(&mut ws).await;
    assert_eq!(code, u16::from(CloseCode::Size), "{reason}");
    assert!(reason.contains(&MAX_BODY_BYTES.to_string()), "{reason}");
}

#[tokio::test]
async fn a_subscribe_before_connection_init_closes_the_socket_with_4401() {
    let (_app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    let mut ws = open(&url).await;
    subscribe(&mut ws, "1", CHANGES, json!({})).await;
    assert_eq!(closed(&mut ws).await.0, 4401);
}

#[tokio::test]
async fn a_connection_init_payload_that_is_not_an_object_closes_the_socket_with_4400() {
    let (_app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    for payload in [json!("Bearer x"), json!([1]), json!(7)] {
        let mut ws = open(&url).await;
        send(&mut ws, json!({ "type": "connection_init", "payload": payload })).await;
        assert_eq!(closed(&mut ws).await.0, 4400, "payload {payload}");
    }
    // A message that is not one of the protocol's closes it the same way.
    let mut ws = open(&url).await;
    ws.send(Message::Text("not json".into())).await.unwrap();
    assert_eq!(closed(&mut ws).await.0, 4400);
}

#[tokio::test]
async fn a_second_connection_init_closes_the_socket_with_4429() {
    let (_app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    let mut ws = open_initialised(&url, json!({})).await;
    send(&mut ws, json!({ "type": "connection_init" })).await;
    assert_eq!(closed(&mut ws).await.0, 4429);
}

#[tokio::test]
async fn a_subscribe_with_an_id_already_running_closes_the_socket_with_4409() {
    let (_app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    let mut ws = open_initialised(&url, json!({})).await;
    subscribe(&mut ws, "1", CHANGES, json!({})).await;
    subscribe(&mut ws, "1", CHANGES, json!({})).await;
    let (code, reason) = closed(&mut ws).await;
    assert_eq!(code, 4409, "{reason}");
    assert!(reason.contains("Subscriber for 1 already exists"), "{reason}");
}

#[tokio::test]
async fn an_id_may_be_used_again_once_its_operation_is_complete() {
    let (_app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    let mut ws = open_initialised(&url, json!({})).await;
    subscribe(&mut ws, "1", CHANGES, json!({})).await;
    send(&mut ws, json!({ "id": "1", "type": "complete" })).await;
    subscribe(&mut ws, "1", "{ dataset { version } }", json!({})).await;
    let next = read(&mut ws).await;
    assert_eq!((&next["type"], &next["id"]), (&json!("next"), &json!("1")), "{next}");
    assert!(next["payload"]["data"]["dataset"]["version"].is_string(), "{next}");
}

#[tokio::test]
async fn a_socket_that_sends_no_connection_init_in_time_is_closed_with_4408() {
    let (_app, url) = serve_with(WsLimits { init_timeout: Duration::from_secs(1), ..DEFAULT_WS_LIMITS }).await;
    let mut ws = open(&url).await;
    // A ping is not an initialisation: the clock keeps running.
    send(&mut ws, json!({ "type": "ping" })).await;
    assert_eq!(read(&mut ws).await["type"], "pong");
    assert_eq!(closed(&mut ws).await.0, 4408);
    // One that initialises in time stays open past the limit.
    let mut ws = open_initialised(&url, json!({})).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    subscribe(&mut ws, "q", "{ dataset { version } }", json!({})).await;
    assert_eq!(read(&mut ws).await["type"], "next");
}

#[tokio::test]
async fn a_subscribe_over_the_per_socket_limit_gets_an_error_with_its_code_and_the_others_go_on() {
    let (app, url) = serve_with(WsLimits { max_subscriptions_per_socket: 3, ..DEFAULT_WS_LIMITS }).await;
    let mut ws = open_initialised(&url, json!({})).await;
    for id in ["1", "2", "3"] {
        subscribe(&mut ws, id, CHANGES, json!({})).await;
    }
    subscribe(&mut ws, "4", CHANGES, json!({})).await;
    let refused = read(&mut ws).await;
    assert_eq!((&refused["type"], &refused["id"]), (&json!("error"), &json!("4")), "{refused}");
    assert_eq!(code(&refused), codes::TOO_MANY_SUBSCRIPTIONS, "{refused}");
    // The three running ones still deliver, and completing one makes room for another.
    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let delivered = meeting_changes(&mut ws, 3).await;
    assert_eq!(delivered, HashSet::from(["1", "2", "3"].map(String::from)));
    send(&mut ws, json!({ "id": "1", "type": "complete" })).await;
    subscribe(&mut ws, "4", "{ dataset { version } }", json!({})).await;
    assert_eq!(read(&mut ws).await["type"], "next");
}

#[tokio::test]
async fn an_upgrade_over_the_per_address_limit_is_answered_429_with_retry_after_and_a_code() {
    let (_app, url) = serve_with(WsLimits { max_sockets_per_address: 2, ..DEFAULT_WS_LIMITS }).await;
    let first = open(&url).await;
    let _second = open(&url).await;
    let refused = open_from(&url, IpAddr::from([127, 0, 0, 1])).await.expect_err("a third socket is refused");
    let tungstenite::Error::Http(response) = refused else { panic!("expected an HTTP answer, got {refused}") };
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], SOCKETS_RETRY_AFTER.to_string().as_str());
    let body: Value = serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], codes::TOO_MANY_SOCKETS, "{body}");
    // Another address has its own count, and a closed socket gives its place back.
    let other = open_from(&url, IpAddr::from([127, 0, 0, 2])).await.expect("another address opens a socket");
    drop(other);
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(10);
    while open_from(&url, IpAddr::from([127, 0, 0, 1])).await.is_err() {
        assert!(Instant::now() < deadline, "the closed socket's place was not given back within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn operations_on_a_websocket_spend_the_budget_of_the_client_that_opened_it_as_http_requests_do() {
    let budget = 300;
    let (_app, base) = serve_configured(|p| {
        p.rate_limits = RateLimits { points_per_minute: budget, trusted_proxies: Vec::new() };
    })
    .await;
    let mut ws = open_initialised(&ws_url(&base), json!({})).await;
    let query = "{ meetings(first: 20) { nodes { slug } } }";
    let mut answered = 0;
    let refusal = loop {
        assert!(answered <= budget, "{answered} operations on a socket were never refused");
        subscribe(&mut ws, &answered.to_string(), query, json!({})).await;
        let message = read(&mut ws).await;
        if message["type"] == "error" {
            break message;
        }
        let cost = message["payload"]["extensions"]["cost"]["cost"].as_u64().expect("a measured cost");
        assert!(cost > 1, "the operation should cost more than a point: {message}");
        assert_eq!(read(&mut ws).await["type"], "complete");
        answered += 1;
    };
    assert_eq!(code(&refusal), codes::RATE_LIMITED, "{refusal}");
    assert!(answered >= 1, "the first operation fits the budget");
    // The socket stays open for what comes next.
    send(&mut ws, json!({ "type": "ping" })).await;
    assert_eq!(read(&mut ws).await["type"], "pong");
    // The budget is the client's, not the socket's: its HTTP requests are refused too, and another
    // client's are served.
    // The same operation, which the budget left by the socket cannot pay for (it refills by a
    // few points a second).
    let body = json!({ "query": format!("{query} # over HTTP") });
    let (over, other) = tokio::task::spawn_blocking(move || {
        (
            post_from(IpAddr::from([127, 0, 0, 1]), &base, &body, &[]).status,
            post_from(IpAddr::from([127, 0, 0, 2]), &base, &body, &[]).status,
        )
    })
    .await
    .unwrap();
    assert_eq!((over, other), (429, 200), "the socket's client over HTTP, and another client");
}

#[tokio::test]
async fn behind_a_trusted_proxy_sockets_are_counted_per_client_that_x_forwarded_for_names() {
    let (_app, base) = serve_configured(|p| {
        p.websocket = WsLimits { max_sockets_per_address: 1, ..DEFAULT_WS_LIMITS };
        p.rate_limits.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let url = ws_url(&base);
    let proxy = IpAddr::from([127, 0, 0, 1]);
    let _a = open_with_headers(&url, proxy, &[("X-Forwarded-For", "203.0.113.1")]).await.expect("client a's socket");
    let _b = open_with_headers(&url, proxy, &[("X-Forwarded-For", "203.0.113.2")])
        .await
        .expect("client b, through the same proxy, has a count of its own");
    let refused = open_with_headers(&url, proxy, &[("X-Forwarded-For", "203.0.113.1")])
        .await
        .expect_err("client a's second socket is over its limit");
    let tungstenite::Error::Http(response) = refused else { panic!("expected an HTTP answer, got {refused}") };
    assert_eq!(response.status(), 429);
    // From a peer that is not a trusted proxy, the header names no one: the peer is the client.
    let untrusted = IpAddr::from([127, 0, 0, 2]);
    let _c =
        open_with_headers(&url, untrusted, &[("X-Forwarded-For", "203.0.113.3")]).await.expect("the peer's socket");
    let refused = open_with_headers(&url, untrusted, &[("X-Forwarded-For", "203.0.113.4")])
        .await
        .expect_err("the same peer's second socket, whatever its header says");
    let tungstenite::Error::Http(response) = refused else { panic!("expected an HTTP answer, got {refused}") };
    assert_eq!(response.status(), 429);
}

#[tokio::test]
async fn one_write_reaches_every_subscription_with_the_caps_filled() {
    let (app, url) = serve_with(DEFAULT_WS_LIMITS).await;
    let (sockets, per_socket) =
        (DEFAULT_WS_LIMITS.max_sockets_per_address, DEFAULT_WS_LIMITS.max_subscriptions_per_socket);
    let mut clients = Vec::new();
    for _ in 0..sockets {
        let mut ws = open_initialised(&url, json!({})).await;
        for id in 0..per_socket {
            subscribe(&mut ws, &id.to_string(), CHANGES, json!({})).await;
        }
        clients.push(ws);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.app.curator.subscribers() < sockets * per_socket {
        assert!(Instant::now() < deadline, "the subscriptions were not registered within 60 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    for ws in &mut clients {
        let ids = meeting_changes(ws, per_socket).await;
        assert_eq!(ids, (0..per_socket).map(|id| id.to_string()).collect::<HashSet<_>>());
    }
}

/// The ids of the subscriptions that received the new meeting's change, read until `count` did
/// (the write also sends the change of the source it cites). Every message must be a `next`, and
/// no subscription may receive the meeting's change twice.
async fn meeting_changes(ws: &mut Ws, count: usize) -> HashSet<String> {
    let mut ids = HashSet::new();
    while ids.len() < count {
        let next = read(ws).await;
        assert_eq!(next["type"], "next", "{next}");
        let change = &next["payload"]["data"]["changes"];
        if change["typename"] == "Meeting" {
            assert_eq!(change["slug"], "2026-10-nairobi-labour", "{next}");
            assert!(ids.insert(next["id"].as_str().unwrap().to_owned()), "one event per subscription: {next}");
        }
    }
    ids
}

#[test]
fn the_websocket_limits_in_code_are_those_the_operations_guide_and_the_readme_publish() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let operations = std::fs::read_to_string(root.join("docs/operations.md")).unwrap();
    let row = |flag: &str| {
        let row = operations.lines().find(|l| l.starts_with(&format!("| `{flag}` |")));
        row.unwrap_or_else(|| panic!("docs/operations.md has no row for {flag}")).to_owned()
    };
    for (flag, value) in [
        ("--max-subscriptions-per-socket", format!("| `{MAX_SUBSCRIPTIONS_PER_SOCKET}`:")),
        ("--max-sockets-per-address", format!("| `{MAX_SOCKETS_PER_ADDRESS}`:")),
        ("--max-sockets-per-address", format!("`Retry-After: {SOCKETS_RETRY_AFTER}`")),
        ("--ws-init-timeout", format!("| `{}` seconds:", INIT_TIMEOUT.as_secs())),
    ] {
        assert!(row(flag).contains(&value), "docs/operations.md's row for {flag} does not say {value}");
    }
    let body_limit = format!("{} KiB", MAX_BODY_BYTES / 1024);
    assert!(words(&operations).contains(&format!("A message is at most {body_limit}, the HTTP body limit")));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let security = &readme[readme.find("## Security").expect("a security section")..];
    let security = words(&security[..security[3..].find("\n## ").map_or(security.len(), |end| end + 3)]);
    for value in [
        format!("a message is at most {body_limit}"),
        format!("{MAX_SUBSCRIPTIONS_PER_SOCKET} operations at once per socket"),
        format!("{MAX_SOCKETS_PER_ADDRESS} sockets per client address"),
        format!("{} s to send `connection_init`", INIT_TIMEOUT.as_secs()),
    ] {
        assert!(security.contains(&value), "the README's security section does not say {value:?}");
    }
}
