//! GraphQL over WebSocket on `/graphql/ws`: queries, mutations and subscriptions with the
//! graphql-transport-ws protocol (<https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>),
//! or the older graphql-ws of subscriptions-transport-ws, whose messages only differ in name.
//!
//! The loop is ours, not async-graphql's: its loop (7.2.1) closes a subscribe sent before
//! `connection_init` with 1011 instead of 4401, lets a second subscribe with a running id replace
//! the first instead of closing with 4409, takes any init payload, never closes a socket that does
//! not initialise, and, worst on a public server, scans every operation of a socket each time it
//! sends one message, so that one write's fan-out grows with the square of the subscriptions.
//! Here each operation is one stream in a [`SelectAll`], which polls only the streams that were
//! woken, and a write's events are sent in one batch: one write costs work in proportion to the
//! subscriptions open.
//!
//! Each operation runs like an HTTP request: through the engine's limits, over the read model as
//! of its start, with the token of the `connection_init` payload (`{"Authorization": "Bearer …"}`)
//! for mutations; a query or mutation still running after the request time limit is answered
//! with an `error` message with the code `REQUEST_TIMEOUT`, and an answer over
//! [`MAX_RESPONSE_BYTES`] is replaced by one error with the code `RESPONSE_TOO_LARGE`.
//!
//! What a client may hold, each limit a flag ([`WsLimits`]) published in docs/operations.md and
//! the README's security section:
//! - a message of at most [`MAX_BODY_BYTES`], the HTTP body limit: a longer one closes the socket
//!   with 1009 (message too big) before it is read;
//! - [`MAX_SUBSCRIPTIONS_PER_SOCKET`] operations running at once per socket: one more is answered
//!   with an `error` message with the code `TOO_MANY_SUBSCRIPTIONS`, and the socket stays open;
//! - [`MAX_SOCKETS_PER_ADDRESS`] sockets per client address (behind a trusted proxy, the client
//!   its `X-Forwarded-For` names): one more upgrade is answered 429 with `Retry-After` and the
//!   code `TOO_MANY_SOCKETS`;
//! - the client's budget of cost points, as over HTTP: the upgrade takes one point, and each
//!   operation its whole measured cost; one over the budget is answered with an `error` message
//!   with the code `RATE_LIMITED`, and the socket stays open.
//! - [`INIT_TIMEOUT`] to send `connection_init`: after it, the socket is closed with 4408.
//!
//! The protocol's other close codes: 4400 for a message that is not one of the protocol's (or a
//! non-object init payload), 4401 for a subscribe before `connection_init`, 4409 for a subscribe
//! whose id is running, 4429 for a second `connection_init`.

use super::graphql_http::{self, too_large};
use super::metering::RequestMeter;
use super::metrics::Metrics;
use super::{MAX_BODY_BYTES, MAX_RESPONSE_BYTES};
use crate::app::App;
use crate::graphql::codes;
use crate::graphql::engine::{coded, is_request_error, Session};
use crate::graphql::Bearer;
use async_graphql::futures_util::future::{self, FutureExt};
use async_graphql::futures_util::stream::{self, AbortHandle, BoxStream, SelectAll, StreamExt};
use async_graphql::futures_util::SinkExt;
use async_graphql::parser::types::OperationType;
use async_graphql::{Response as GqlResponse, ServerError};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, Extensions, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Operations (subscriptions, and queries still running) one socket may run at once, unless
/// `--max-subscriptions-per-socket` says otherwise.
pub const MAX_SUBSCRIPTIONS_PER_SOCKET: usize = 100;
/// WebSockets one client address may hold open at once, unless `--max-sockets-per-address` says
/// otherwise.
pub const MAX_SOCKETS_PER_ADDRESS: usize = 16;
/// How long a socket may take to send `connection_init`, unless `--ws-init-timeout` says
/// otherwise.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// The `Retry-After` of an upgrade refused for [`MAX_SOCKETS_PER_ADDRESS`], in seconds.
pub const SOCKETS_RETRY_AFTER: u64 = 5;
/// The subprotocols served, the preferred first.
pub const PROTOCOLS: [&str; 2] = [TRANSPORT_WS, LEGACY_WS];
/// The graphql-transport-ws subprotocol.
const TRANSPORT_WS: &str = "graphql-transport-ws";
/// subscriptions-transport-ws's subprotocol, which took the name graphql-ws.
const LEGACY_WS: &str = "graphql-ws";
/// How many messages are written before the socket is flushed, when several are ready at once
/// (one write's events to every subscription of the socket).
const BATCH: usize = 256;

/// How long a socket being closed waits for the client's own close.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// The WebSocket limits; each is a flag of `serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsLimits {
    /// Operations one socket may run at once.
    pub max_subscriptions_per_socket: usize,
    /// Sockets one client address may hold open.
    pub max_sockets_per_address: usize,
    /// How long a socket may take to send `connection_init`.
    pub init_timeout: Duration,
}

/// The WebSocket limits when no flag sets them.
pub const DEFAULT_WS_LIMITS: WsLimits = WsLimits {
    max_subscriptions_per_socket: MAX_SUBSCRIPTIONS_PER_SOCKET,
    max_sockets_per_address: MAX_SOCKETS_PER_ADDRESS,
    init_timeout: INIT_TIMEOUT,
};

impl Default for WsLimits {
    fn default() -> Self {
        DEFAULT_WS_LIMITS
    }
}

/// The sockets open, counted per client address. A socket counts from its upgrade until its task
/// ends, whoever closes it.
#[derive(Default)]
struct Sockets {
    open: Mutex<HashMap<Option<IpAddr>, usize>>,
}

/// One open socket's place in [`Sockets`], given back when dropped.
struct Permit {
    sockets: Arc<Sockets>,
    address: Option<IpAddr>,
}

impl Sockets {
    /// A place for one more socket from `address`, unless it holds `max` already.
    fn acquire(self: &Arc<Self>, address: Option<IpAddr>, max: usize) -> Option<Permit> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(address).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(Permit { sockets: Arc::clone(self), address })
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut open = self.sockets.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// What the route shares: the service, its limits, and the sockets open per address.
#[derive(Clone)]
struct Route {
    app: Arc<App>,
    limits: WsLimits,
    sockets: Arc<Sockets>,
    metrics: Arc<Metrics>,
}

/// The `/graphql/ws` route under `limits`, with the count of sockets per address it keeps.
pub fn route<S: Clone + Send + Sync + 'static>(
    app: Arc<App>,
    limits: WsLimits,
    metrics: Arc<Metrics>,
) -> MethodRouter<S> {
    get(upgrade).with_state(Route { app, limits, sockets: Arc::default(), metrics })
}

/// A refusal of the upgrade, as a GraphQL-shaped JSON body with its code.
fn refuse(status: StatusCode, code: &'static str, message: String) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, [(header::CONTENT_TYPE, graphql_http::MediaType::Json.content_type())], body.to_string()).into_response()
}

/// GET /graphql/ws: the upgrade, within the limit of sockets per client address. The address is
/// the client's as the meter found it: the peer the server loop records for each connection, or
/// the client a trusted proxy names in `X-Forwarded-For`; without one (a router served without
/// the server loop), every client counts as one.
async fn upgrade(State(route): State<Route>, extensions: Extensions, upgrade: WebSocketUpgrade) -> Response {
    let upgrade = upgrade.protocols(PROTOCOLS).max_message_size(MAX_BODY_BYTES).max_frame_size(MAX_BODY_BYTES);
    let protocol = match upgrade.selected_protocol().and_then(|p| p.to_str().ok()) {
        Some(TRANSPORT_WS) => Protocol::TransportWs,
        Some(LEGACY_WS) => Protocol::Legacy,
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                codes::BAD_REQUEST,
                format!("Sec-WebSocket-Protocol must offer {TRANSPORT_WS} (or {LEGACY_WS})"),
            )
        }
    };
    // The client as the meter found it (a trusted proxy's `X-Forwarded-For` names it), else the peer.
    let meter = extensions.get::<Arc<RequestMeter>>().cloned();
    let address = meter
        .as_ref()
        .and_then(|m| m.client())
        .or_else(|| extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()));
    let limits = route.limits;
    let Some(permit) = route.sockets.acquire(address, limits.max_sockets_per_address) else {
        let mut response = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            codes::TOO_MANY_SOCKETS,
            format!("a client address may hold {} WebSockets at once; close one first", limits.max_sockets_per_address),
        );
        response.headers_mut().insert(header::RETRY_AFTER, SOCKETS_RETRY_AFTER.into());
        return response;
    };
    let (app, metrics) = (route.app, route.metrics);
    upgrade.on_upgrade(move |socket| async move {
        Connection::new(app, limits, metrics, meter, protocol).serve(socket).await;
        drop(permit);
    })
}

/// The two protocols, which share their rules and differ in a few message names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// graphql-transport-ws.
    TransportWs,
    /// subscriptions-transport-ws (`graphql-ws`): `start`, `stop` and `data` for `subscribe`,
    /// `complete` and `next`.
    Legacy,
}

/// A message from the client; the older protocol's names are aliases.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    ConnectionInit {
        payload: Option<Json>,
    },
    Ping {},
    Pong {},
    #[serde(alias = "start")]
    Subscribe {
        id: String,
        payload: Map<String, Json>,
    },
    #[serde(alias = "stop")]
    Complete {
        id: String,
    },
    ConnectionTerminate,
}

/// What an operation's stream yields.
enum Frame {
    /// A result (an event's, or a query's only one).
    Next(GqlResponse),
    /// Errors that end the operation: it did not run, or ran out of time.
    Error(Vec<ServerError>),
    /// The operation is over.
    Complete,
}

/// Why the socket is being closed: the close code and its reason.
struct Close(u16, String);

impl Close {
    fn new(code: u16, reason: impl Into<String>) -> Close {
        let mut reason = reason.into();
        // A close frame's reason holds at most 123 bytes.
        while reason.len() > 123 {
            reason.pop();
        }
        Close(code, reason)
    }
}

/// One socket's state.
struct Connection {
    app: Arc<App>,
    limits: WsLimits,
    /// Where each running operation counts as an open subscription while it lasts.
    metrics: Arc<Metrics>,
    /// The upgrade's meter: each operation's cost is charged to the budget of the client that
    /// opened the socket, as over HTTP. `None` for a router served without metering.
    meter: Option<Arc<RequestMeter>>,
    protocol: Protocol,
    /// The token of the `connection_init` payload, once it has come.
    bearer: Option<Bearer>,
    /// The running operations' streams, each item tagged with its operation's id.
    operations: SelectAll<BoxStream<'static, (Arc<str>, Frame)>>,
    /// The ids running, and how to stop each.
    running: HashMap<Arc<str>, AbortHandle>,
}

impl Connection {
    fn new(
        app: Arc<App>,
        limits: WsLimits,
        metrics: Arc<Metrics>,
        meter: Option<Arc<RequestMeter>>,
        protocol: Protocol,
    ) -> Connection {
        Connection {
            app,
            limits,
            metrics,
            meter,
            protocol,
            bearer: None,
            operations: SelectAll::new(),
            running: HashMap::new(),
        }
    }

    /// Serves the socket until the client leaves or a rule closes it.
    async fn serve(mut self, mut socket: WebSocket) {
        let limits = self.limits;
        let init_deadline = tokio::time::sleep(limits.init_timeout);
        tokio::pin!(init_deadline);
        let close = loop {
            tokio::select! {
                message = socket.recv() => match message {
                    None => return,
                    Some(Err(error)) => break read_error(error),
                    Some(Ok(message)) => match self.receive(message) {
                        Ok(replies) => {
                            for reply in replies {
                                if socket.feed(Message::text(reply)).await.is_err() {
                                    return;
                                }
                            }
                            if socket.flush().await.is_err() {
                                return;
                            }
                        }
                        Err(close) => break close,
                    },
                },
                Some((id, frame)) = self.operations.next(), if !self.operations.is_empty() => {
                    if self.send(&mut socket, id, frame).await.is_err() {
                        return;
                    }
                }
                () = &mut init_deadline, if self.bearer.is_none() => {
                    break Close::new(4408, "Connection initialisation timeout");
                }
            }
        };
        let frame = CloseFrame { code: close.0, reason: close.1.into() };
        if socket.send(Message::Close(Some(frame))).await.is_ok() {
            // The client answers a close with its own; until then, what it still sends is read
            // and dropped, so that the close reaches it rather than a reset.
            let drain = async { while let Some(Ok(_)) = socket.recv().await {} };
            let _ = tokio::time::timeout(CLOSE_WAIT, drain).await;
        }
    }

    /// Writes one operation's frame and every other that is ready now, up to [`BATCH`], then
    /// flushes once: one write's events reach a socket's subscriptions together.
    async fn send(&mut self, socket: &mut WebSocket, id: Arc<str>, frame: Frame) -> Result<(), axum::Error> {
        let mut next = Some((id, frame));
        let mut written = 0;
        while let Some((id, frame)) = next.take() {
            if let Some(text) = self.message(&id, frame) {
                socket.feed(Message::text(text)).await?;
                written += 1;
            }
            if written < BATCH {
                next = self.operations.next().now_or_never().flatten();
            }
        }
        socket.flush().await
    }

    /// The message for an operation's frame, if it still runs; an operation that ends leaves
    /// [`Connection::running`].
    fn message(&mut self, id: &Arc<str>, frame: Frame) -> Option<String> {
        let id_json = serde_json::to_string(&**id).unwrap_or_default();
        let frame = match frame {
            Frame::Next(response) if is_request_error(&response) => Frame::Error(response.errors),
            frame => frame,
        };
        match frame {
            Frame::Next(response) => {
                let kind = if self.protocol == Protocol::Legacy { "data" } else { "next" };
                Some(format!(r#"{{"id":{id_json},"type":"{kind}","payload":{}}}"#, payload(&response)))
            }
            Frame::Error(errors) => {
                if let Some(handle) = self.running.remove(id) {
                    handle.abort();
                }
                let payload = serde_json::to_string(&errors).unwrap_or_else(|_| internal_error()["errors"].to_string());
                Some(format!(r#"{{"id":{id_json},"type":"error","payload":{payload}}}"#))
            }
            Frame::Complete => {
                self.running.remove(id)?;
                Some(format!(r#"{{"id":{id_json},"type":"complete"}}"#))
            }
        }
    }

    /// Acts on one message from the client: the replies to send, or why to close.
    fn receive(&mut self, message: Message) -> Result<Vec<String>, Close> {
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(_) => return Err(Close::new(4400, "Messages are JSON text")),
            // Pings are answered and a close is returned by the WebSocket layer itself.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => return Ok(Vec::new()),
        };
        let message: ClientMessage = serde_json::from_str(text.as_str())
            .map_err(|e| Close::new(4400, format!("Invalid message received: {e}")))?;
        match message {
            ClientMessage::ConnectionInit { payload } => {
                if self.bearer.is_some() {
                    return Err(Close::new(4429, "Too many initialisation requests"));
                }
                let bearer = match payload {
                    None | Some(Json::Null) => Bearer::default(),
                    Some(Json::Object(payload)) => init_bearer(&payload),
                    Some(_) => return Err(Close::new(4400, "The connection_init payload must be an object")),
                };
                self.bearer = Some(bearer);
                Ok(vec![r#"{"type":"connection_ack"}"#.to_owned()])
            }
            ClientMessage::Ping {} => Ok(vec![r#"{"type":"pong"}"#.to_owned()]),
            ClientMessage::Pong {} => Ok(Vec::new()),
            ClientMessage::Subscribe { id, payload } => {
                let Some(bearer) = self.bearer.clone() else { return Err(Close::new(4401, "Unauthorized")) };
                if self.running.contains_key(id.as_str()) {
                    return Err(Close::new(4409, format!("Subscriber for {id} already exists")));
                }
                let id: Arc<str> = Arc::from(id);
                let max = self.limits.max_subscriptions_per_socket;
                if self.running.len() >= max {
                    let error = coded(
                        format!("a WebSocket runs at most {max} operations at once; complete one first"),
                        codes::TOO_MANY_SUBSCRIPTIONS,
                    );
                    return Ok(self.message(&id, Frame::Error(vec![error])).into_iter().collect());
                }
                let (operation, handle) = stream::abortable(self.operation(payload, bearer));
                let tag = Arc::clone(&id);
                // The guard lives as long as the operation's stream: dropping the stream, at its
                // end, its `complete` or the socket's close, counts it closed.
                let open = self.metrics.subscription_opened();
                self.operations.push(
                    operation
                        .map(move |frame| {
                            let _ = &open;
                            (Arc::clone(&tag), frame)
                        })
                        .boxed(),
                );
                self.running.insert(id, handle);
                Ok(Vec::new())
            }
            ClientMessage::Complete { id } => {
                if let Some(handle) = self.running.remove(id.as_str()) {
                    handle.abort();
                }
                Ok(Vec::new())
            }
            ClientMessage::ConnectionTerminate => Err(Close::new(1000, "Normal closure")),
        }
    }

    /// One operation as a stream of frames: read and prepared now, over the read model as of
    /// now; a subscription's events, or a query's or mutation's one answer within the request
    /// time limit; then [`Frame::Complete`].
    fn operation(&self, payload: Map<String, Json>, bearer: Bearer) -> BoxStream<'static, Frame> {
        let refused = |error: ServerError| stream::once(future::ready(Frame::Error(vec![error]))).boxed();
        let (request, reference) = match graphql_http::request(payload) {
            Ok(request) => request,
            Err(refusal) => return refused(refusal.into_server_error()),
        };
        let app = &self.app;
        // A query or mutation stops at the request time limit, as over HTTP; a subscription runs
        // as long as the socket does, each event without a deadline.
        let deadline = Some(std::time::Instant::now() + app.request_timeout);
        let mut session = Session {
            engine: app.engine.clone(),
            catalog: app.catalog(),
            curator: Arc::clone(&app.curator),
            bearer,
            deadline,
            version_wait: app.min_version_wait,
        };
        let prepared = match session.prepare(request, reference) {
            Ok(prepared) => prepared,
            Err(error) => return refused(error),
        };
        if let Some(Err(refusal)) = self.meter.as_ref().map(|m| m.charge_on_socket(&prepared)) {
            return refused(refusal.into_server_error());
        }
        let done = stream::once(future::ready(Frame::Complete));
        if prepared.operation == OperationType::Subscription {
            session.deadline = None;
            return session.stream(prepared).map(Frame::Next).chain(done).boxed();
        }
        let timeout = app.request_timeout;
        let answer = async move {
            match tokio::time::timeout(timeout, session.run(prepared)).await {
                Ok(response) => Frame::Next(response),
                Err(_) => Frame::Error(vec![coded(
                    format!("the request took longer than {} s", timeout.as_secs_f64()),
                    codes::REQUEST_TIMEOUT,
                )]),
            }
        };
        stream::once(answer).chain(done).boxed()
    }
}

/// The token of a `connection_init` payload: its `Authorization` entry (any case), as the HTTP
/// header would carry it.
fn init_bearer(payload: &Map<String, Json>) -> Bearer {
    payload
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, value)| value.as_str())
        .map_or_else(Bearer::default, super::bearer_of)
}

/// The close for a message that could not be read: 1009 for one over the size limit, 1002 for
/// anything else the WebSocket layer refused.
fn read_error(error: axum::Error) -> Close {
    let too_big = error
        .into_inner()
        .downcast_ref::<tungstenite::Error>()
        .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)));
    if too_big {
        Close::new(1009, format!("A message may hold at most {MAX_BODY_BYTES} bytes"))
    } else {
        Close::new(1002, "Protocol error")
    }
}

/// A result's JSON, or the error that stands for it when it is over [`MAX_RESPONSE_BYTES`].
fn payload(response: &GqlResponse) -> String {
    let payload = serde_json::to_string(response).unwrap_or_else(|e| {
        tracing::error!(error = %e, "a GraphQL response could not be serialised");
        internal_error().to_string()
    });
    if payload.len() <= MAX_RESPONSE_BYTES {
        return payload;
    }
    tracing::warn!(bytes = payload.len(), max = MAX_RESPONSE_BYTES, "an answer over the size limit was refused");
    too_large(payload.len()).to_string()
}

/// The payload that stands for a response that could not be serialised (our fault, logged).
fn internal_error() -> Json {
    serde_json::json!({ "errors": [{ "message": "internal error", "extensions": { "code": codes::INTERNAL_SERVER_ERROR } }] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_place_is_given_back_when_dropped_and_addresses_count_apart() {
        let sockets = Arc::new(Sockets::default());
        let a = Some(IpAddr::from([127, 0, 0, 1]));
        let b = Some(IpAddr::from([127, 0, 0, 2]));
        let first = sockets.acquire(a, 2).expect("a first place");
        let second = sockets.acquire(a, 2).expect("a second place");
        assert!(sockets.acquire(a, 2).is_none(), "the third socket of one address is over the limit");
        let other = sockets.acquire(b, 2).expect("another address has its own count");
        drop(first);
        let again = sockets.acquire(a, 2).expect("a place given back is free again");
        drop((second, other, again));
        assert!(sockets.open.lock().unwrap().is_empty(), "no count is left behind");
    }

    #[test]
    fn a_result_over_the_answer_limit_is_replaced_whole_by_one_coded_error() {
        let result = |n: usize| {
            let data = async_graphql::Value::from_json(serde_json::json!({ "text": "x".repeat(n) })).unwrap();
            serde_json::from_str::<Json>(&payload(&GqlResponse::new(data))).unwrap()
        };
        let refused = result(MAX_RESPONSE_BYTES);
        assert_eq!(refused["errors"][0]["extensions"]["code"], codes::RESPONSE_TOO_LARGE, "{refused}");
        assert_eq!(refused["data"], Json::Null);
        let sent = result(MAX_RESPONSE_BYTES - 1024);
        assert_eq!(sent["data"]["text"].as_str().map(str::len), Some(MAX_RESPONSE_BYTES - 1024));
    }

    #[test]
    fn a_close_reason_is_cut_to_what_a_close_frame_holds() {
        let Close(code, reason) = Close::new(4409, format!("Subscriber for {} already exists", "é".repeat(100)));
        assert_eq!(code, 4409);
        assert!(reason.len() <= 123, "{} bytes", reason.len());
        assert!(reason.starts_with("Subscriber for é"));
    }
}
