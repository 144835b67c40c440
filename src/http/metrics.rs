//! What `/metrics` shows, in the Prometheus text format (OpenMetrics 1.0, which Prometheus
//! scrapes natively): requests to the GraphQL endpoint by operation name and outcome, their
//! latency, the cost of what ran, the response cache's hits and misses, what the caches hold, the
//! latency of writes, the subscriptions open and the refusals of the per-client budget.
//!
//! Label values are bounded, so that no client can grow the series without end: an operation is
//! named by its `operationName` only for the first [`MAX_OPERATION_NAMES`] names seen (the
//! frontends' queries, which a server meets in its first minutes); any later name counts as
//! `other`, an operation without a name as `anonymous`, and a request that never named one (it
//! was refused before its document was read) as `none`. Outcomes and operation kinds are fixed
//! sets. It holds no request data beyond that.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// How many distinct operation names get a label of their own; later ones count as `other`.
pub const MAX_OPERATION_NAMES: usize = 100;
/// The media type of the `/metrics` answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The labels of a request: which operation, and how it ended.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    outcome: &'static str,
}

/// The label of the kind of operation a request ran (`query`, `mutation`, `subscription`, or
/// `none` when it ran nothing).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

/// Whether the response cache had the answer.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    result: &'static str,
}

/// Which cache: `documents` (parsed query documents) or `answers` (whole responses).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HeldLabels {
    cache: &'static str,
}

/// The latency buckets, in seconds: 100 µs to about 26 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 19))
}

/// How one request ended, as the `outcome` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It ran (or was answered from the cache) without errors.
    Ok,
    /// It ran, with errors; or the server failed (5xx).
    Error,
    /// It was refused before it ran: a request error, a limit, a bad request.
    Refused,
    /// It was over its client's budget (429).
    RateLimited,
    /// It took longer than the time limit (408).
    Timeout,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Refused => "refused",
            Outcome::RateLimited => "rate_limited",
            Outcome::Timeout => "timeout",
        }
    }
}

/// The server's metrics. One per router; cheap to share behind an `Arc`.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<KindLabels, Histogram, fn() -> Histogram>,
    writes: Histogram,
    cost: Histogram,
    cache: Family<CacheLabels, Counter>,
    subscriptions: Gauge,
    rate_limited: Counter,
    held_entries: Family<HeldLabels, Gauge>,
    held_bytes: Family<HeldLabels, Gauge>,
    /// The operation names that have a label of their own.
    names: Mutex<HashSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Every metric at zero, registered under the `khartoum_graphql_` prefix.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("khartoum_graphql");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<KindLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let writes = latency_histogram();
        let cost = Histogram::new(exponential_buckets(1.0, 2.0, 14));
        let cache = Family::<CacheLabels, Counter>::default();
        let subscriptions = Gauge::default();
        let rate_limited = Counter::default();
        let held_entries = Family::<HeldLabels, Gauge>::default();
        let held_bytes = Family::<HeldLabels, Gauge>::default();
        registry.register("requests", "GraphQL requests, by operation name and outcome", requests.clone());
        registry.register_with_unit(
            "request_duration",
            "Time to answer a GraphQL request, by kind of operation",
            Unit::Seconds,
            latency.clone(),
        );
        registry.register_with_unit(
            "write_duration",
            "Time to answer a mutation, acknowledged (durable) or refused",
            Unit::Seconds,
            writes.clone(),
        );
        registry.register("query_cost", "Measured cost (extensions.cost) of each operation run", cost.clone());
        registry.register("response_cache", "Look-ups in the response cache, by result", cache.clone());
        registry.register("subscriptions_open", "Subscriptions open now", subscriptions.clone());
        registry.register(
            "rate_limited",
            "Requests refused with 429 for being over their client's budget",
            rate_limited.clone(),
        );
        registry.register("cache_entries", "Entries each cache holds, as of the scrape", held_entries.clone());
        registry.register_with_unit(
            "cache_size",
            "Memory each cache holds as it counts it against its bound, as of the scrape",
            Unit::Bytes,
            held_bytes.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            writes,
            cost,
            cache,
            subscriptions,
            rate_limited,
            held_entries,
            held_bytes,
            names: Mutex::new(HashSet::new()),
        }
    }

    /// The metrics as the text `/metrics` answers with.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "the metrics could not be encoded");
        }
        out
    }

    /// The label of an operation name (see the module comment).
    fn operation_label(&self, name: Option<Option<&str>>) -> String {
        let Some(name) = name else { return "none".into() };
        let Some(name) = name else { return "anonymous".into() };
        let Ok(mut names) = self.names.lock() else { return "other".into() };
        if names.contains(name) {
            return name.to_owned();
        }
        if names.len() < MAX_OPERATION_NAMES {
            names.insert(name.to_owned());
            return name.to_owned();
        }
        "other".into()
    }

    /// Counts one finished request: `operation` is its name (`None` when it never named one,
    /// `Some(None)` when anonymous), `kind` the kind of operation it ran.
    pub fn request(
        &self,
        operation: Option<Option<&str>>,
        kind: Option<&'static str>,
        outcome: Outcome,
        took: Duration,
    ) {
        let labels = RequestLabels { operation: self.operation_label(operation), outcome: outcome.label() };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&KindLabels { kind: kind.unwrap_or("none") }).observe(took.as_secs_f64());
        if kind == Some("mutation") {
            self.writes.observe(took.as_secs_f64());
        }
        if outcome == Outcome::RateLimited {
            self.rate_limited.inc();
        }
    }

    /// Records the measured cost of an operation about to run.
    pub fn cost(&self, cost: usize) {
        self.cost.observe(cost as f64);
    }

    /// Counts a look-up in the response cache.
    pub fn cache(&self, hit: bool) {
        self.cache.get_or_create(&CacheLabels { result: if hit { "hit" } else { "miss" } }).inc();
    }

    /// Records what a cache (`documents` or `answers`) holds: its entries, and its bytes as it
    /// counts them against its bound. Set when the metrics are scraped.
    pub fn held(&self, cache: &'static str, entries: usize, bytes: u64) {
        let labels = HeldLabels { cache };
        self.held_entries.get_or_create(&labels).set(i64::try_from(entries).unwrap_or(i64::MAX));
        self.held_bytes.get_or_create(&labels).set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    /// Counts a subscription as open until the returned guard is dropped: the WebSocket
    /// transport holds one for as long as each operation's stream lives.
    pub fn subscription_opened(&self) -> OpenSubscription {
        self.subscriptions.inc();
        OpenSubscription(self.subscriptions.clone())
    }
}

/// A subscription counted as open; dropping it counts it closed.
pub struct OpenSubscription(Gauge);

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_beyond_the_first_hundred_count_as_other() {
        let metrics = Metrics::new();
        for i in 0..MAX_OPERATION_NAMES {
            assert_eq!(metrics.operation_label(Some(Some(&format!("Op{i}")))), format!("Op{i}"));
        }
        assert_eq!(metrics.operation_label(Some(Some("Late"))), "other");
        assert_eq!(metrics.operation_label(Some(Some("Op7"))), "Op7", "a known name keeps its label");
        assert_eq!(metrics.operation_label(Some(None)), "anonymous");
        assert_eq!(metrics.operation_label(None), "none");
    }

    #[test]
    fn the_subscription_gauge_follows_the_guards() {
        let metrics = Metrics::new();
        let a = metrics.subscription_opened();
        let b = metrics.subscription_opened();
        assert!(metrics.render().contains("khartoum_graphql_subscriptions_open 2"), "{}", metrics.render());
        drop(a);
        drop(b);
        assert!(metrics.render().contains("khartoum_graphql_subscriptions_open 0"), "{}", metrics.render());
    }
}
