//! `/metrics` through the real binary, read back with a Prometheus text-format parser: the
//! counters move as the requests sent say they should.

use crate::durability::create_meeting;
use crate::helpers::*;
use crate::rate_limits::{post_from, serve_fresh};
use prometheus_parse::{Scrape, Value as Sample};
use serde_json::json;

/// Scrapes `/metrics` and parses it.
fn scrape(base: &str) -> Scrape {
    let response = ureq::get(&format!("{base}/metrics")).call().expect("/metrics answers");
    assert!(response.content_type().contains("text"), "{}", response.content_type());
    let text = response.into_string().unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("the metrics parse")
}

/// The value of the sample `name` whose labels include `labels` (0 when there is none).
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(v)))
        .map(|s| match &s.value {
            Sample::Counter(v) | Sample::Gauge(v) | Sample::Untyped(v) => *v,
            other => panic!("{name} is not a single number: {other:?}"),
        })
        .sum()
}

#[test]
fn metrics_count_requests_by_operation_and_outcome_cache_hits_writes_and_costs() {
    let (_dir, _server, base) = serve_fresh(&[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
    let loopback = "127.0.0.1".parse().unwrap();
    let before = scrape(&base);

    // The same named query twice: run once, then answered from the response cache.
    let named = json!({ "query": "query MetricsProbe { meetings(first: 3) { nodes { slug } } }" });
    for _ in 0..2 {
        assert_eq!(post_from(loopback, &base, &named, &[]).status, 200);
    }
    // An anonymous query that does not validate.
    let broken = post_from(loopback, &base, &json!({ "query": "{ noSuchField }" }), &[]);
    assert!(broken.body.contains("GRAPHQL_VALIDATION_FAILED"), "{}", broken.body);
    // One write.
    create_meeting(&base, "metrics-probe-meeting").expect("the write is acknowledged");

    let after = scrape(&base);
    let delta = |name: &str, labels: &[(&str, &str)]| value(&after, name, labels) - value(&before, name, labels);
    let requests = "khartoum_graphql_requests_total";
    assert_eq!(delta(requests, &[("operation", "MetricsProbe"), ("outcome", "ok")]), 2.0);
    assert_eq!(delta(requests, &[("operation", "anonymous"), ("outcome", "refused")]), 1.0);
    assert_eq!(delta(requests, &[("outcome", "ok")]), 3.0, "the two queries and the write");
    assert_eq!(delta("khartoum_graphql_response_cache_total", &[("result", "hit")]), 1.0);
    // Every query is looked up: the named one's first time, and the broken one.
    assert_eq!(delta("khartoum_graphql_response_cache_total", &[("result", "miss")]), 2.0);
    assert_eq!(delta("khartoum_graphql_write_duration_seconds_count", &[]), 1.0);
    assert_eq!(delta("khartoum_graphql_request_duration_seconds_count", &[("kind", "mutation")]), 1.0);
    assert_eq!(
        delta("khartoum_graphql_request_duration_seconds_count", &[("kind", "query")]),
        3.0,
        "with the refused one"
    );
    // The cost is recorded for every operation measured: the query that ran, the broken one
    // (measured, then refused by validation as it runs) and the write.
    assert_eq!(delta("khartoum_graphql_query_cost_count", &[]), 3.0);
    assert!(delta("khartoum_graphql_query_cost_sum", &[]) > 2.0);
    assert_eq!(value(&after, "khartoum_graphql_subscriptions_open", &[]), 0.0);
    assert_eq!(value(&after, "khartoum_graphql_rate_limited_total", &[]), 0.0);
    // The probes and /metrics itself are not counted as GraphQL requests.
    assert_eq!(delta(requests, &[]), 4.0);
    // The caches: the write emptied the answers; the three documents parsed (the named query,
    // the broken one and the write's) are kept.
    let documents = [("cache", "documents")];
    assert_eq!(delta("khartoum_graphql_cache_entries", &documents), 3.0);
    assert!(delta("khartoum_graphql_cache_size_bytes", &documents) > 0.0);
    assert_eq!(value(&after, "khartoum_graphql_cache_entries", &[("cache", "answers")]), 0.0);
}

#[test]
fn metrics_show_what_each_cache_holds_within_its_published_bound() {
    let (_dir, _server, base) = serve_fresh(&[]);
    let loopback = "127.0.0.1".parse().unwrap();
    for first in 1..=3 {
        let query = json!({ "query": format!("{{ meetings(first: {first}) {{ nodes {{ slug }} }} }}") });
        assert_eq!(post_from(loopback, &base, &query, &[]).status, 200);
    }
    let scrape = scrape(&base);
    for cache in ["documents", "answers"] {
        let entries = value(&scrape, "khartoum_graphql_cache_entries", &[("cache", cache)]);
        let bytes = value(&scrape, "khartoum_graphql_cache_size_bytes", &[("cache", cache)]);
        assert_eq!(entries, 3.0, "{cache}");
        assert!(bytes > 0.0, "{cache}");
        let bound = if cache == "documents" {
            khartoum_graphql::graphql::engine::DOCUMENT_CACHE_BYTES
        } else {
            khartoum_graphql::http::response_cache::RESPONSE_CACHE_BYTES
        };
        assert!(bytes <= bound as f64, "{cache}: {bytes} bytes");
    }
}

/// The value of `khartoum_graphql_subscriptions_open` once it is `want`, or the last one seen
/// after 10 s.
fn subscriptions_open(base: &str, want: f64) -> f64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let open = value(&scrape(base), "khartoum_graphql_subscriptions_open", &[]);
        if open == want || std::time::Instant::now() > deadline {
            return open;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[tokio::test]
async fn the_subscriptions_open_gauge_counts_a_subscription_while_its_socket_holds_it() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};
    let (_dir, _server, base) = serve_fresh(&[]);
    assert_eq!(subscriptions_open(&base, 0.0), 0.0);
    let mut request = format!("{}/graphql/ws", base.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("the WebSocket opens");
    ws.send(Message::Text(json!({ "type": "connection_init" }).to_string().into())).await.unwrap();
    let subscribe =
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { changes { slug } }" } });
    ws.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    assert_eq!(subscriptions_open(&base, 1.0), 1.0, "one subscription is open");
    ws.close(None).await.unwrap();
    drop(ws);
    assert_eq!(subscriptions_open(&base, 0.0), 0.0, "the socket closed, so is its subscription");
}
