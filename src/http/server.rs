//! The server loop: accepts connections and serves the router on each, within the limits a
//! public server needs against slow and silent clients.
//!
//! `axum::serve` gives hyper no timer, so a client that stops in the middle of its request head
//! holds its connection (and a file descriptor) forever, and keeps graceful shutdown from ever
//! finishing. This loop serves each connection with hyper's own builder and tokio's timer:
//! - a connection that has not sent a complete request head within [`ServerLimits::header_timeout`]
//!   is closed; hyper starts that clock whenever it waits for a head, so it also closes a
//!   keep-alive connection left idle that long;
//! - at most [`ServerLimits::max_connections`] connections are served at once; one more is
//!   answered `503` with `Retry-After` and closed, so a crowd of idle sockets cannot take every
//!   file descriptor;
//! - on shutdown the listener closes at once, in-flight requests finish, and connections still
//!   open after [`ServerLimits::grace`] (a WebSocket, a client that never reads) are dropped, so
//!   that a rolling restart always completes.
//!
//! What a request may cost once its head is read (body size, time) is the router's business.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The limits of the server loop; each is a flag of `serve` (see `config::ServerLimits`).
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// How long a connection may take to send a complete request head, and stay idle between
    /// requests.
    pub header_timeout: Duration,
    /// How many connections are served at once.
    pub max_connections: usize,
    /// How long shutdown waits for open connections before it drops them.
    pub grace: Duration,
}

/// How shutdown ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Every connection finished within the grace period.
    All,
    /// This many connections were still open when the grace period ended, and were dropped.
    Dropped(usize),
}

/// The answer to a connection over [`ServerLimits::max_connections`], written before closing it.
fn busy_answer() -> Vec<u8> {
    let body = serde_json::json!({ "errors": [{
        "message": "the server is serving as many connections as it allows; try again shortly",
        "extensions": { "code": crate::graphql::codes::SERVICE_UNAVAILABLE },
    }] })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains: stops accepting, lets
/// in-flight requests finish and waits up to the grace period for open connections.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) -> Drained {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(limits.header_timeout))
        .keep_alive_timeout(limits.header_timeout);
    let builder = Arc::new(builder);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin, and keep serving.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            tracing::warn!(%remote, max = limits.max_connections, "connection refused: too many open connections");
            tokio::spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(move |mut req: axum::extract::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            req
        });
        let builder = Arc::clone(&builder);
        let connection =
            builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%remote, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = limits.max_connections - permits.available_permits();
    tracing::info!(open, grace_s = limits.grace.as_secs_f64(), "draining open connections");
    match tokio::time::timeout(limits.grace, graceful.shutdown()).await {
        Ok(()) => Drained::All,
        Err(_) => Drained::Dropped(limits.max_connections - permits.available_permits()),
    }
}

/// Answers a connection over the limit and closes it, without waiting long on a client that
/// does not read.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(&busy_answer()).await?;
        stream.shutdown().await
    })
    .await;
}
