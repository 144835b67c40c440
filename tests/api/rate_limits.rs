//! Per-client budgets through the real binary: a client over its budget is refused with 429,
//! `Retry-After`, the `RateLimit` headers and the code `RATE_LIMITED`, while another client is
//! served; `X-Forwarded-For` names the client only when the connecting peer is a trusted proxy.
//! Clients are told apart by connecting from different loopback addresses (127.0.0.1 and
//! 127.0.0.2 are both this machine).

use crate::binary::*;
use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr};

/// One answer: status, headers (lower-case names) and body.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `r` of the `RateLimit` header.
    fn remaining(&self) -> u64 {
        let value = self.headers.get("ratelimit").unwrap_or_else(|| panic!("no RateLimit header: {:?}", self.headers));
        param(value, "r").unwrap_or_else(|| panic!("no r in RateLimit: {value}"))
    }
}

/// A numeric parameter of a structured-field header value (`"default";r=5;t=3`).
fn param(value: &str, name: &str) -> Option<u64> {
    value
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| v.parse().ok())
}

/// POSTs a GraphQL request to `base` from the local address `from`, with extra header lines.
pub(crate) fn post_from(from: IpAddr, base: &str, body: &Value, extra: &[(&str, &str)]) -> Answer {
    let server: SocketAddr = base.trim_start_matches("http://").parse().expect("a base URL of ip:port");
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("a socket");
    socket.bind(&SocketAddr::new(from, 0).into()).expect("the local address binds");
    socket.connect(&server.into()).expect("the server accepts");
    let mut stream: std::net::TcpStream = socket.into();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let body = body.to_string();
    let mut head = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    stream.write_all(format!("{head}\r\n{body}").as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("the whole answer");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer { status, headers, body: body.to_owned() }
}

/// A query that costs more than 1, made distinct by a comment so that no answer comes from the
/// response cache.
pub(crate) fn query(i: usize) -> Value {
    json!({ "query": format!("{{ meetings(first: 20) {{ nodes {{ slug }} }} }} # {i}") })
}

/// A server on a fresh store with the environment `env`; it is killed when dropped, and the store
/// removed with the directory.
pub(crate) fn serve_fresh(env: &[(&str, &str)]) -> (tempfile::TempDir, Spawned, String) {
    let dir = tempfile::tempdir().unwrap();
    let (server, base, _) = serve_env(&dir.path().join("data"), &seed_dir(), env);
    (dir, server, base)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Spends the budget of the client that `send` speaks for until it is refused, checking on the
/// way that every answer carries the headers and that what is left decreases; returns the
/// refusal.
fn spend_until_refused(budget: u64, send: impl Fn(usize) -> Answer) -> Answer {
    let mut last_remaining = budget;
    for i in 0..budget as usize + 1 {
        let answer = send(i);
        if answer.status == 429 {
            return answer;
        }
        assert_eq!(answer.status, 200, "{}", answer.body);
        let cost = answer.json()["extensions"]["cost"]["cost"].as_u64().expect("a measured cost");
        assert!(cost > 1, "the test query should cost more than one point: {cost}");
        assert_eq!(
            answer.headers.get("ratelimit-policy").map(String::as_str),
            Some(format!("\"default\";q={budget};w=60").as_str())
        );
        let remaining = answer.remaining();
        // The whole cost is charged; the budget refills by a few points a second meanwhile.
        assert!(
            remaining + cost <= last_remaining + 6,
            "what is left decreases by the cost ({cost}): {remaining} after {last_remaining}"
        );
        last_remaining = remaining;
    }
    panic!("a client was never refused after spending more than its budget of {budget}");
}

/// The refusal's status, code, `Retry-After` and `RateLimit` header.
fn assert_refused(refusal: &Answer) {
    assert_eq!(refusal.status, 429);
    let retry: u64 = refusal.headers.get("retry-after").and_then(|v| v.parse().ok()).expect("a Retry-After in seconds");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(refusal.json()["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{}", refusal.body);
    assert!(refusal.remaining() < 50, "{:?}", refusal.headers);
}

#[test]
fn a_client_over_its_budget_gets_429_with_retry_after_and_its_code_while_another_client_is_served() {
    let (_dir, _server, base) =
        serve_fresh(&[("KHARTOUM_GRAPHQL_RATE_LIMIT", "300"), ("KHARTOUM_GRAPHQL_TRUSTED_PROXIES", "127.0.0.1")]);
    let loopback = ip("127.0.0.1");
    // Behind the trusted proxy (this loopback address), X-Forwarded-For names the client.
    let refusal = spend_until_refused(300, |i| {
        post_from(loopback, &base, &query(i), &[("X-Forwarded-For", "203.0.113.1"), ("Origin", "https://example.org")])
    });
    assert_refused(&refusal);
    let other = post_from(loopback, &base, &query(1000), &[("X-Forwarded-For", "203.0.113.2")]);
    assert_eq!(other.status, 200, "another client is served: {}", other.body);
    // A page's script may read them.
    let exposed = refusal.headers.get("access-control-expose-headers").map(|v| v.to_ascii_lowercase());
    for name in ["ratelimit", "ratelimit-policy", "retry-after"] {
        assert!(exposed.as_deref().is_some_and(|v| v.split(',').any(|h| h.trim() == name)), "{exposed:?}");
    }
    assert!(other.remaining() > 200, "{:?}", other.headers);
    // The refusals are counted.
    let (status, metrics) = http_get(&format!("{base}/metrics")).expect("/metrics answers");
    assert_eq!(status, 200);
    assert!(
        metrics.lines().any(|l| l.starts_with("khartoum_graphql_rate_limited_total ") && !l.ends_with(" 0")),
        "{metrics}"
    );
}

#[test]
fn x_forwarded_for_is_ignored_when_the_peer_is_not_a_trusted_proxy() {
    let (_dir, _server, base) = serve_fresh(&[("KHARTOUM_GRAPHQL_RATE_LIMIT", "300")]);
    let refusal = spend_until_refused(300, |i| {
        post_from(ip("127.0.0.1"), &base, &query(i), &[("X-Forwarded-For", &format!("198.51.100.{}", i % 250))])
    });
    assert_refused(&refusal);
    // A header naming another client changes nothing: the peer is the client.
    let spoofed = post_from(ip("127.0.0.1"), &base, &query(1000), &[("X-Forwarded-For", "203.0.113.77")]);
    assert_eq!(spoofed.status, 429, "{}", spoofed.body);
    // Another address is another client.
    let other = post_from(ip("127.0.0.2"), &base, &query(1001), &[]);
    assert_eq!(other.status, 200, "{}", other.body);
}

#[test]
fn a_rate_limit_of_zero_turns_the_limit_and_its_headers_off() {
    let (_dir, _server, base) = serve_fresh(&[("KHARTOUM_GRAPHQL_RATE_LIMIT", "0")]);
    for i in 0..5 {
        let answer = post_from(ip("127.0.0.1"), &base, &query(i), &[]);
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert!(!answer.headers.contains_key("ratelimit") && !answer.headers.contains_key("ratelimit-policy"));
    }
}

#[test]
fn the_default_budget_is_published_in_the_operations_guide_and_the_readme() {
    use khartoum_graphql::http::rate_limit::DEFAULT_RATE_LIMIT;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let operations = std::fs::read_to_string(root.join("docs/operations.md")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let row = operations.lines().find(|l| l.starts_with("| `--rate-limit`")).expect("a --rate-limit row");
    assert!(row.contains(&format!("`{DEFAULT_RATE_LIMIT}`")), "{row}");
    let security = &readme[readme.find("## Security").expect("a security section")..];
    assert!(security.contains(&format!("{DEFAULT_RATE_LIMIT} cost points")), "the README's security section");
    assert!(security.contains("--trusted-proxy"), "the README's security section names --trusted-proxy");
    use khartoum_graphql::http::{metrics::MAX_OPERATION_NAMES, rate_limit::MAX_TRACKED_CLIENTS};
    let clients = format!("at most {},{:03} client addresses", MAX_TRACKED_CLIENTS / 1000, MAX_TRACKED_CLIENTS % 1000);
    assert!(operations.contains(&clients), "the operations guide publishes the bound of the table: {clients}");
    let names = format!("the first {MAX_OPERATION_NAMES} names");
    assert!(operations.contains(&names), "the operations guide publishes the bound of the labels: {names}");
}
