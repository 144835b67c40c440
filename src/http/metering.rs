//! The meter every request to the GraphQL endpoint passes: it finds the client's address and
//! takes the request's first point from its budget ([`super::rate_limit`]) before anything else
//! runs, hands the handler a [`RequestMeter`] to charge the rest of the cost to and to note what
//! happened, and, once the answer is ready, adds the `RateLimit` headers and counts the request in
//! [`super::metrics`].
//!
//! Only `/graphql` and `/graphql/ws` are metered: the probes (`/health`, `/ready`), `/metrics` and
//! the static files are not, so that a load balancer or a scraper is never refused. A request that
//! reaches the router without a peer address (the router used in-process, not through
//! [`super::server`]) has no client to charge, and is counted but not limited.

use super::graphql_http::Refusal;
use super::metrics::{Metrics, Outcome};
use super::rate_limit::{Account, Limiter, OverBudget, RATELIMIT, RATELIMIT_POLICY};
use super::response_cache::Answer;
use crate::graphql::codes;
use crate::graphql::engine::{is_request_error, Prepared};
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::Response as GqlResponse;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The limiter and the metrics, shared by every request of one router.
pub struct Metering {
    /// The per-client budgets.
    pub limiter: Limiter,
    /// The counters `/metrics` shows.
    pub metrics: Arc<Metrics>,
}

/// What one request did, as the handler notes it.
#[derive(Debug, Default)]
struct Report {
    /// The operation's name: `None` until one is chosen, `Some(None)` when it has none.
    operation: Option<Option<String>>,
    /// How many operations it prepared (more than one: a batch).
    operations: usize,
    /// The kind of operation.
    kind: Option<OperationType>,
    /// How what ran ended, when something answered in GraphQL.
    outcome: Option<Outcome>,
}

/// One request's meter: the client's address, its account if the client is limited, and what
/// the request did.
pub struct RequestMeter {
    client: Option<IpAddr>,
    account: Option<Account>,
    metrics: Arc<Metrics>,
    report: Mutex<Report>,
}

impl RequestMeter {
    /// A meter that limits nothing and counts into metrics no one reads: for code that runs the
    /// GraphQL transport outside the router (its unit tests).
    pub fn unmetered() -> RequestMeter {
        RequestMeter { client: None, account: None, metrics: Arc::default(), report: Mutex::default() }
    }

    /// The client's address: the peer's, or the one a trusted proxy's `X-Forwarded-For` names;
    /// `None` for a request that reached the router without a peer address.
    pub fn client(&self) -> Option<IpAddr> {
        self.client
    }

    fn with_report(&self, f: impl FnOnce(&mut Report)) {
        if let Ok(mut report) = self.report.lock() {
            f(&mut report);
        }
    }

    /// Counts a query answered from the response cache: the operation that ran for it, without
    /// errors.
    pub fn cache_hit(&self, answer: &Answer) {
        self.metrics.cache(true);
        self.with_report(|r| {
            r.operation = Some(answer.operation.clone());
            r.operations += 1;
            r.kind = Some(OperationType::Query);
            r.outcome = Some(Outcome::Ok);
        });
    }

    /// Counts a query the response cache did not hold.
    pub fn cache_miss(&self) {
        self.metrics.cache(false);
    }

    /// Notes the operation a prepared request runs and charges its measured cost to the client's
    /// budget (its first point was taken on arrival); a charge over the budget is the refusal to
    /// answer with, and the operation must not run.
    pub fn charge(&self, prepared: &Prepared) -> Result<(), Refusal> {
        self.with_report(|r| {
            r.operation = Some(operation_name(prepared));
            r.operations += 1;
            r.kind = Some(prepared.operation);
        });
        self.charge_with(prepared, Account::charge)
    }

    /// Charges the whole measured cost of one operation on a WebSocket to the budget of the
    /// client that opened it (the upgrade took one point, for the upgrade alone); a charge over
    /// the budget is the refusal to answer the operation with.
    pub fn charge_on_socket(&self, prepared: &Prepared) -> Result<(), Refusal> {
        self.charge_with(prepared, Account::charge_whole)
    }

    fn charge_with(
        &self,
        prepared: &Prepared,
        charge: impl FnOnce(&Account, usize) -> Result<(), OverBudget>,
    ) -> Result<(), Refusal> {
        if let Some(account) = &self.account {
            charge(account, prepared.measure.cost).map_err(over_budget)?;
        }
        self.metrics.cost(prepared.measure.cost);
        Ok(())
    }

    /// Notes how a GraphQL response ended: refused before it ran, ran with errors, or ran clean.
    pub fn answered(&self, response: &GqlResponse) {
        let outcome = if is_request_error(response) {
            Outcome::Refused
        } else if response.errors.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Error
        };
        self.with_report(|r| r.outcome = Some(outcome));
    }
}

/// The name of the operation a prepared request runs: the one `operationName` chose, or the only
/// operation's; `None` when it has none.
pub fn operation_name(prepared: &Prepared) -> Option<String> {
    prepared.request.operation_name.clone().or_else(|| match &prepared.doc.operations {
        DocumentOperations::Multiple(ops) if ops.len() == 1 => ops.keys().next().map(|n| n.to_string()),
        _ => None,
    })
}

/// The refusal of a request over its client's budget.
fn over_budget(over: OverBudget) -> Refusal {
    Refusal::new(
        StatusCode::TOO_MANY_REQUESTS,
        codes::RATE_LIMITED,
        format!(
            "this client has spent its budget of cost points for now; retry in {} s (the budget and what is left \
             are in the RateLimit-Policy and RateLimit headers)",
            over.retry_after_secs
        ),
    )
    .retry_after(over.retry_after_secs)
}

/// Counts a request when it is dropped, so that one cut off by the time limit (whose future is
/// dropped, never finished) is counted as a timeout.
struct Pending {
    meter: Arc<RequestMeter>,
    started: Instant,
    /// The outcome, once the answer is ready; a request dropped before has timed out.
    finished: Option<Outcome>,
}

impl Drop for Pending {
    fn drop(&mut self) {
        let outcome = self.finished.unwrap_or(Outcome::Timeout);
        let Ok(report) = self.meter.report.lock() else { return };
        let name = match (&report.operation, report.operations) {
            (_, n) if n > 1 => Some(Some("batch")),
            (Some(name), _) => Some(name.as_deref()),
            (None, _) => None,
        };
        let kind = report.kind.map(|k| match k {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        });
        self.meter.metrics.request(name, kind, outcome, self.started.elapsed());
    }
}

/// The middleware: see the module comment.
pub async fn meter(State(metering): State<Arc<Metering>>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path != "/graphql" && path != "/graphql/ws" {
        return next.run(request).await;
    }
    let started = Instant::now();
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let client = peer.map(|peer| metering.limiter.client_address(peer, request.headers()));
    let admitted = match client {
        None => Ok(None),
        Some(client) => metering.limiter.admit(client),
    };
    let (account, refusal) = match admitted {
        Ok(account) => (account, None),
        Err((over, standing)) => {
            tracing::debug!(client = ?client, retry_after_s = over.retry_after_secs, "over budget");
            (None, Some((over, standing)))
        }
    };
    let meter =
        Arc::new(RequestMeter { client, account, metrics: Arc::clone(&metering.metrics), report: Mutex::default() });
    let mut pending = Pending { meter: Arc::clone(&meter), started, finished: None };
    let mut response = match refusal {
        Some((over, standing)) => {
            let mut response = over_budget(over).into_response(None);
            if let Some(value) = standing.header() {
                response.headers_mut().insert(RATELIMIT.clone(), value);
            }
            response
        }
        None => {
            request.extensions_mut().insert(Arc::clone(&meter));
            let mut response = next.run(request).await;
            if let Some(value) = meter.account.as_ref().and_then(|a| a.standing().header()) {
                response.headers_mut().insert(RATELIMIT.clone(), value);
            }
            response
        }
    };
    if client.is_some() {
        if let Some(policy) = metering.limiter.policy() {
            response.headers_mut().insert(RATELIMIT_POLICY.clone(), policy);
        }
    }
    let noted = meter.report.lock().ok().and_then(|r| r.outcome);
    let status = response.status();
    pending.finished = Some(match status {
        StatusCode::TOO_MANY_REQUESTS => Outcome::RateLimited,
        StatusCode::REQUEST_TIMEOUT => Outcome::Timeout,
        s if s.is_server_error() => Outcome::Error,
        s if s.is_client_error() => Outcome::Refused,
        _ => noted.unwrap_or(Outcome::Ok),
    });
    drop(pending);
    response
}
