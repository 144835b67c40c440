//! The cost of one write's fan-out to WebSocket subscriptions: `changes` subscriptions over real
//! sockets, one `updateMeeting`, and the time until every subscription has its event, at several
//! numbers of subscriptions up to the caps filled from several client addresses (sockets per
//! address × subscriptions per socket, from 127.0.0.1, 127.0.0.2, …), so that the figures show
//! whether the cost grows in proportion.
//!
//! Run on demand: `cargo bench --bench fanout` (release build). `FANOUT_SIZES=400,1600,6400`
//! sets the numbers of subscriptions (default 400, 800, 1600, 3200, 6400), `FANOUT_WRITES=<n>`
//! the writes at each (default 5). The server runs on a runtime of its own, whose threads are
//! named `server`, so that its CPU time is told from the clients' (read from
//! `/proc/self/task/*/schedstat`). It prints, per size, the median over the writes of: the wall
//! time from sending the write to the last event received, the server's CPU time over that
//! window, and the same less the write's own cost with no subscriber (the fan-out). It asserts
//! nothing about time.

use axum::body::Body;
use axum::http::{header, Request};
use futures_util::{SinkExt, StreamExt};
use khartoum_graphql::{
    app::App,
    curation::Tokens,
    http::{router, router_with, Policies},
};
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

// The server's allocator, so that the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TOKEN: &str = "bench-token-0123456789abcdef";
const UPDATE: &str =
    r#"mutation($a: Int!) { updateMeeting(slug: "2025-aswan-legal-pathways", input: { attendance: $a }) { slug } }"#;
const CHANGES: &str = r#"{"id":"ID","type":"subscribe","payload":{"query":"subscription { changes { operation typename slug version } }"}}"#;

/// CPU time of this process's threads named `server` (the server's runtime), in nanoseconds.
fn server_cpu() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .filter_map(Result::ok)
        .filter(|task| std::fs::read_to_string(task.path().join("comm")).is_ok_and(|c| c.trim() == "server"))
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next().and_then(|ns| ns.parse::<u64>().ok()))
        .sum()
}

/// Sends one write through the router on the server's runtime.
async fn write(server: &tokio::runtime::Handle, app: &Arc<App>, n: usize) {
    let body = json!({ "query": UPDATE, "variables": { "a": n } }).to_string();
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::from(body))
        .expect("a request");
    let router = router(Arc::clone(app));
    let answer = server.spawn(async move { router.oneshot(req).await }).await.expect("the write runs");
    assert!(answer.expect("an answer").status().is_success());
}

/// One write, timed: wall time to the last of `expected` events, and the server's CPU time.
async fn one_write(
    server: &tokio::runtime::Handle,
    app: &Arc<App>,
    n: usize,
    received: &AtomicUsize,
    expected: usize,
) -> (Duration, Duration) {
    received.store(0, Ordering::SeqCst);
    let cpu = server_cpu();
    let started = Instant::now();
    write(server, app, n).await;
    while received.load(Ordering::SeqCst) < expected {
        assert!(started.elapsed() < Duration::from_secs(300), "the events did not all arrive within 300 s");
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    (started.elapsed(), Duration::from_nanos(server_cpu().saturating_sub(cpu)))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let env = |name: &str| std::env::var(name).ok();
    let sizes: Vec<usize> = env("FANOUT_SIZES")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![400, 800, 1600, 3200, 6400]);
    let writes: usize = env("FANOUT_WRITES").and_then(|s| s.parse().ok()).unwrap_or(5);
    let server = tokio::runtime::Builder::new_multi_thread().thread_name("server").enable_all().build().unwrap();
    let clients = tokio::runtime::Builder::new_current_thread().thread_name("client").enable_all().build().unwrap();
    clients.block_on(run(server.handle().clone(), sizes, writes));
}

async fn run(server: tokio::runtime::Handle, sizes: Vec<usize>, writes: usize) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
    let tokens = Tokens::load(Some(TOKEN), None).expect("a token");
    let app = Arc::new(App::open(&dir.path().join("data"), &seed, tokens).expect("the app opens"));
    // Thousands of subscriptions from a few addresses measure the fan-out, not the budgets.
    let mut policies = Policies::default();
    policies.rate_limits.points_per_minute = 0;
    let limits = policies.websocket;
    let listener = server.spawn(tokio::net::TcpListener::bind("127.0.0.1:0")).await.unwrap().expect("a port");
    let addr = listener.local_addr().unwrap();
    let service = router_with(Arc::clone(&app), policies).into_make_service_with_connect_info::<SocketAddr>();
    server.spawn(async move { axum::serve(listener, service).await });
    let url = format!("ws://{addr}/graphql/ws");
    println!(
        "fan-out of one write: {} subscriptions per socket, {} sockets per address, {writes} writes per size",
        limits.max_subscriptions_per_socket, limits.max_sockets_per_address
    );

    let mut n = 0;
    let mut base = Vec::new();
    for _ in 0..writes {
        n += 1;
        base.push(one_write(&server, &app, n, &AtomicUsize::new(0), 0).await.1);
    }
    let base = median(base);
    println!("the write alone, no subscriber: server CPU {base:.2?}");

    let received = Arc::new(AtomicUsize::new(0));
    let mut open = 0;
    let mut readers = Vec::new();
    for size in sizes {
        // Fill sockets to the cap, and addresses to theirs, 127.0.0.1 first.
        while open < size {
            let socket_index = open / limits.max_subscriptions_per_socket;
            let address = IpAddr::from([127, 0, 0, 1 + (socket_index / limits.max_sockets_per_address) as u8]);
            let subscriptions = limits.max_subscriptions_per_socket.min(size - open);
            readers.push(subscribe(&url, address, subscriptions, Arc::clone(&received)).await);
            open += subscriptions;
        }
        while app.curator.subscribers() < open {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let (mut walls, mut cpus) = (Vec::new(), Vec::new());
        for _ in 0..writes {
            n += 1;
            let (wall, cpu) = one_write(&server, &app, n, &received, open).await;
            walls.push(wall);
            cpus.push(cpu);
        }
        let (wall, cpu) = (median(walls), median(cpus));
        let fanout = cpu.saturating_sub(base);
        println!(
            "{open:>6} subscriptions on {:>3} sockets from {} addresses: wall {wall:>9.2?}, server CPU {cpu:>9.2?}, fan-out {fanout:>9.2?} ({:.2} µs per subscription)",
            readers.len(),
            readers.len().div_ceil(limits.max_sockets_per_address),
            fanout.as_secs_f64() * 1e6 / open as f64
        );
    }
    drop(readers);
}

/// Opens a socket from `address`, starts `count` `changes` subscriptions on it, and reads it in a
/// task that counts the events received.
async fn subscribe(
    url: &str,
    address: IpAddr,
    count: usize,
    received: Arc<AtomicUsize>,
) -> tokio::task::JoinHandle<()> {
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let server: SocketAddr = request.uri().authority().unwrap().as_str().parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(address, 0)).expect("a loopback address (127.0.0.x)");
    let stream = socket.connect(server).await.expect("the server accepts");
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream).await.expect("the WebSocket opens");
    ws.send(Message::Text(json!({ "type": "connection_init" }).to_string().into())).await.unwrap();
    let ack = ws.next().await.expect("an ack").unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    for id in 0..count {
        ws.feed(Message::Text(CHANGES.replace("ID", &id.to_string()).into())).await.unwrap();
    }
    ws.flush().await.unwrap();
    tokio::spawn(async move {
        while let Some(Ok(message)) = ws.next().await {
            if message.to_text().is_ok_and(|t| t.contains(r#""type":"next""#)) {
                received.fetch_add(1, Ordering::SeqCst);
            }
        }
    })
}
