//! What the benchmarks share: the synthetic record written as seed files, a process's memory,
//! and a keep-alive HTTP client bound to a chosen loopback address, with latency percentiles.
//! (A directory, not `benches/common.rs`, so that Cargo does not take it for a benchmark.)

// Each benchmark uses a part of what is here.
#![allow(dead_code)]

use khartoum_graphql::app::App;
use khartoum_graphql::domain::Dataset;
use khartoum_graphql::http::{router_with, server, Policies};
use khartoum_graphql::seed::{self, synthetic};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

/// Writes the real record `real` scaled `n`× into `dir` as seed files; returns how many meetings
/// they hold.
pub fn write_scaled_seed(real: &Dataset, n: u32, dir: &Path) -> usize {
    let ds = synthetic::scale(real, n).expect("a valid scale");
    seed::writer::write(&ds, dir).expect("the seed files are written");
    ds.meetings.len()
}

/// VmRSS and VmHWM of a process, in kB (0 where `/proc` does not say).
pub fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A keep-alive connection from a chosen local address.
pub struct Client {
    stream: BufReader<TcpStream>,
}

impl Client {
    pub async fn connect(from: IpAddr, to: SocketAddr) -> Client {
        let socket = TcpSocket::new_v4().expect("a socket");
        socket.bind(SocketAddr::new(from, 0)).expect("the local address binds");
        let stream = socket.connect(to).await.expect("the server accepts");
        stream.set_nodelay(true).expect("nodelay");
        Client { stream: BufReader::new(stream) }
    }

    /// Sends one query and reads its answer; returns the status, or 0 for a 200 whose body holds
    /// `errors` (a query the server refused or failed is no measure of the work it asks for).
    pub async fn send(&mut self, body: &str) -> u16 {
        let (status, answer) = self.answer(body).await;
        let failed = serde_json::from_slice::<serde_json::Value>(&answer).map_or(true, |v| v.get("errors").is_some());
        if status == 200 && failed {
            0
        } else {
            status
        }
    }

    /// Sends one query and reads its answer: the status and the body.
    pub async fn answer(&mut self, body: &str) -> (u16, Vec<u8>) {
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes()).await.expect("the request is sent");
        let mut line = String::new();
        self.stream.read_line(&mut line).await.expect("a status line");
        let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status");
        let mut length = 0usize;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await.expect("a header line");
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().expect("a length");
                }
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.expect("the body");
        (status, body)
    }
}

/// The `p` quantile of sorted latencies.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)]
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A well-behaved client on 127.0.0.2: `rate` queries a second for `seconds`, the `i`th made by
/// `request(phase, i)`; returns the latencies of the answers, sorted, and how many were not a 200
/// without errors.
pub async fn well_behaved(
    to: SocketAddr,
    rate: u64,
    seconds: u64,
    phase: &str,
    request: fn(&str, u64) -> String,
) -> (Vec<Duration>, usize) {
    let mut client = Client::connect("127.0.0.2".parse().unwrap(), to).await;
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut latencies = Vec::new();
    let mut failed = 0;
    for i in 0..rate * seconds {
        tick.tick().await;
        let started = Instant::now();
        if client.send(&request(phase, i)).await != 200 {
            failed += 1;
        }
        latencies.push(started.elapsed());
    }
    latencies.sort();
    (latencies, failed)
}

/// Serves `app` under the transport's `policies` through the production server loop on a free
/// port of 127.0.0.1, on a tokio runtime of its own, so that its requests never wait in a queue
/// behind the load generator's tasks (they still share the machine's CPUs). Returns the runtime
/// (dropping it stops the server) and the address.
pub fn serve_in_background(app: App, policies: Policies) -> (tokio::runtime::Runtime, SocketAddr) {
    let server_runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    std_listener.set_nonblocking(true).expect("a non-blocking listener");
    let to = std_listener.local_addr().expect("its address");
    let limits = khartoum_graphql::config::DEFAULT_SERVER_LIMITS;
    server_runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(std_listener).expect("the listener");
        server::serve(listener, router_with(Arc::new(app), policies), limits, std::future::pending()).await
    });
    (server_runtime, to)
}

/// Prints the well-behaved client's figures alone and beside the load `beside_what` describes,
/// and the ratio of the two p99s against `target`.
pub fn report_neighbour(alone: (&[Duration], usize), beside: (&[Duration], usize), beside_what: &str, target: f64) {
    for (name, (latencies, failed)) in [("alone".to_owned(), alone), (format!("beside {beside_what}"), beside)] {
        println!(
            "well-behaved client {name}: {} queries, {failed} not 200, p50 {:.2} ms, p99 {:.2} ms",
            latencies.len(),
            ms(percentile(latencies, 0.50)),
            ms(percentile(latencies, 0.99))
        );
    }
    println!(
        "p99 beside {beside_what} / alone: {:.2} (target: within {target})",
        ms(percentile(beside.0, 0.99)) / ms(percentile(alone.0, 0.99))
    );
}
