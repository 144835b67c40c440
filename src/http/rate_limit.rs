//! Per-client budgets: each client address may spend so many cost points a minute on
//! `/graphql`, where a request costs what the engine measures it at (`extensions.cost`).
//!
//! Reads need no key, so the only thing that tells clients apart is their address. A request's
//! first point is taken when it arrives, before anything is read or parsed, so that a client over
//! its budget is turned away for the price of a hash look-up; the rest of its cost is taken once
//! the engine has measured the operation, and before it runs. An answer served from the response
//! cache, or a request refused before it is measured, costs that one point. A cost larger than
//! the whole budget takes the whole budget (it can still run, once a minute).
//!
//! The budget is a GCRA bucket (`governor`): it refills continuously, one point every
//! `60 s / budget`, and holds at most one minute's worth. Each answer says where the client stands
//! in the `RateLimit-Policy` and `RateLimit` fields of the IETF httpapi draft
//! (draft-ietf-httpapi-ratelimit-headers), and a refusal is `429` with `Retry-After`.
//!
//! The table of clients is a bounded cache ([`MAX_TRACKED_CLIENTS`] entries), so a client that
//! rotates addresses cannot grow it; an address evicted from it starts again with a full budget,
//! which is the price of the bound. IPv6 addresses are counted by their /64 prefix, the block one
//! subscriber is usually given. Behind a proxy the connecting address is the proxy's: the client
//! address is then taken from `X-Forwarded-For`, but only when the connecting peer is one of the
//! `--trusted-proxy` addresses; from anyone else the header is ignored, since a client can write
//! anything in it.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use ipnet::IpNet;
use quick_cache::sync::Cache;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Cost points one client address may spend per minute unless `--rate-limit` says otherwise.
pub const DEFAULT_RATE_LIMIT: u32 = 20_000;
/// The window the budget is given over (`w` of `RateLimit-Policy`).
pub const WINDOW: Duration = Duration::from_secs(60);
/// How many client addresses the limiter keeps a budget for at once.
pub const MAX_TRACKED_CLIENTS: usize = 65_536;
/// The name of our one quota policy in the `RateLimit` fields.
const POLICY: &str = "default";

/// The `RateLimit-Policy` response header.
pub static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
/// The `RateLimit` response header.
pub static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// What the operator chose: the budget and the proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Cost points per minute per client address; 0 turns the limit off.
    pub points_per_minute: u32,
    /// Peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits { points_per_minute: DEFAULT_RATE_LIMIT, trusted_proxies: Vec::new() }
    }
}

/// One client's bucket.
type Bucket = RateLimiter<NotKeyed, InMemoryState, DefaultClock, StateInformationMiddleware>;

/// The budgets of every client seen lately. Shared by all requests of one router.
pub struct Limiter {
    /// The budget per minute, when the limit is on.
    budget: Option<NonZeroU32>,
    /// Peers trusted to name the client.
    trusted: Vec<IpNet>,
    /// The buckets, by client key ([`client_key`]).
    clients: Cache<IpAddr, Arc<Bucket>>,
    /// The clock the buckets run on.
    clock: DefaultClock,
}

/// Where a client stands after a charge: the fields of the `RateLimit` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Points left now (`r`).
    pub remaining: u32,
    /// Seconds until the budget is whole again (`t`).
    pub reset_secs: u64,
}

/// A charge the budget cannot pay now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    /// When the charge would fit: the `Retry-After` of the refusal, in whole seconds (at least 1).
    pub retry_after_secs: u64,
}

/// One request's client and its bucket: the first point is taken when it is made, the rest of
/// the cost by [`Account::charge`].
pub struct Account {
    bucket: Arc<Bucket>,
    budget: NonZeroU32,
    clock: DefaultClock,
    /// Where the client stood after the last charge, for the response's headers.
    standing: Mutex<Standing>,
}

/// The key a client's budget is kept under: its address, an IPv4-mapped IPv6 address as IPv4,
/// and any other IPv6 address cut to its /64 prefix.
pub fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

impl Limiter {
    /// The limiter the operator configured.
    pub fn new(limits: &RateLimits) -> Limiter {
        Limiter {
            budget: NonZeroU32::new(limits.points_per_minute),
            trusted: limits.trusted_proxies.clone(),
            clients: Cache::new(MAX_TRACKED_CLIENTS),
            clock: DefaultClock::default(),
        }
    }

    /// The client's address: the connecting peer's, or, when the peer is a trusted proxy, the
    /// nearest address in `X-Forwarded-For` that is not itself a trusted proxy. The header's list
    /// is read from the right (each proxy appends the address it received from), so entries a
    /// client wrote at the left are never reached unless every proxy after them is trusted.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let trusted = |ip: &IpAddr| self.trusted.iter().any(|net| net.contains(ip));
        if !trusted(&peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            if !trusted(&client) {
                break;
            }
            match hop.parse::<IpAddr>() {
                Ok(ip) => client = ip,
                // A hop we cannot read ends the chain: the last trusted proxy is the client.
                Err(_) => break,
            }
        }
        client
    }

    /// The `RateLimit-Policy` header value, when the limit is on.
    pub fn policy(&self) -> Option<HeaderValue> {
        let budget = self.budget?;
        HeaderValue::from_str(&format!("\"{POLICY}\";q={budget};w={}", WINDOW.as_secs())).ok()
    }

    /// Opens the request of `client` and charges its first point: `Ok(None)` when the limit is
    /// off, the account to charge the rest to, or the refusal.
    pub fn admit(&self, client: IpAddr) -> Result<Option<Account>, (OverBudget, Standing)> {
        let Some(budget) = self.budget else { return Ok(None) };
        let key = client_key(client);
        let bucket = self.clients.get_or_insert_with(&key, || {
            Ok::<_, std::convert::Infallible>(Arc::new(
                RateLimiter::direct_with_clock(Quota::per_minute(budget), self.clock.clone())
                    .with_middleware::<StateInformationMiddleware>(),
            ))
        });
        let Ok(bucket) = bucket;
        let account = Account {
            bucket,
            budget,
            clock: self.clock.clone(),
            standing: Mutex::new(Standing { remaining: budget.get(), reset_secs: 0 }),
        };
        match account.take(NonZeroU32::MIN) {
            Ok(()) => Ok(Some(account)),
            Err(over) => Err((over, account.standing())),
        }
    }
}

impl Account {
    /// Charges the rest of a request whose measured cost is `cost` (its first point was taken on
    /// arrival); a cost above the budget takes the whole budget.
    pub fn charge(&self, cost: usize) -> Result<(), OverBudget> {
        self.charge_points(cost, 1)
    }

    /// Charges the whole measured cost of an operation that took nothing on arrival: one of the
    /// many a WebSocket carries after its upgrade (which took the first point).
    pub fn charge_whole(&self, cost: usize) -> Result<(), OverBudget> {
        self.charge_points(cost, 0)
    }

    /// Charges `cost` less the points `taken` already, at most the whole budget.
    fn charge_points(&self, cost: usize, taken: u32) -> Result<(), OverBudget> {
        let cost = u32::try_from(cost).unwrap_or(u32::MAX).min(self.budget.get());
        match NonZeroU32::new(cost.saturating_sub(taken)) {
            None => Ok(()),
            Some(rest) => self.take(rest),
        }
    }

    /// Takes `n` points, or none when they do not all fit; records where the client stands.
    fn take(&self, n: NonZeroU32) -> Result<(), OverBudget> {
        let interval = Quota::per_minute(self.budget).replenish_interval();
        let outcome = self.bucket.check_n(n);
        let (remaining, refused) = match outcome {
            Ok(Ok(snapshot)) => (snapshot.remaining_burst_capacity(), None),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(self.clock.now());
                // What is left now: the points that would still have to come in before the
                // charge fits, subtracted from it.
                let missing = wait.as_nanos().div_ceil(interval.as_nanos().max(1));
                let left = u128::from(n.get()).saturating_sub(missing);
                (u32::try_from(left).unwrap_or(0), Some(wait))
            }
            // More than the budget: `charge` clamps, so this is never reached; refuse for a window.
            Err(_) => (0, Some(WINDOW)),
        };
        let spent = self.budget.get().saturating_sub(remaining);
        let reset = interval.saturating_mul(spent);
        let standing = Standing { remaining, reset_secs: reset.as_secs() + u64::from(reset.subsec_nanos() > 0) };
        if let Ok(mut slot) = self.standing.lock() {
            *slot = standing;
        }
        match refused {
            None => Ok(()),
            Some(wait) => {
                Err(OverBudget { retry_after_secs: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1) })
            }
        }
    }

    /// Where the client stands after the last charge.
    pub fn standing(&self) -> Standing {
        self.standing.lock().map(|s| *s).unwrap_or(Standing { remaining: 0, reset_secs: 0 })
    }
}

impl Standing {
    /// The `RateLimit` header value.
    pub fn header(self) -> Option<HeaderValue> {
        HeaderValue::from_str(&format!("\"{POLICY}\";r={};t={}", self.remaining, self.reset_secs)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(points: u32, trusted: &[&str]) -> Limiter {
        Limiter::new(&RateLimits {
            points_per_minute: points,
            trusted_proxies: trusted.iter().map(|t| t.parse().expect("a CIDR")).collect(),
        })
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn x_forwarded_for_names_the_client_only_when_the_peer_is_a_trusted_proxy() {
        let limiter = limiter(10, &["10.0.0.0/8"]);
        let headers = forwarded("203.0.113.9, 10.1.2.3");
        assert_eq!(limiter.client_address(ip("10.0.0.1"), &headers), ip("203.0.113.9"));
        assert_eq!(limiter.client_address(ip("192.0.2.1"), &headers), ip("192.0.2.1"));
        // A client cannot hide behind an address it wrote at the left of the list.
        let spoofed = forwarded("198.51.100.7, 203.0.113.9");
        assert_eq!(limiter.client_address(ip("10.0.0.1"), &spoofed), ip("203.0.113.9"));
        // An unreadable hop stops the walk at the last trusted proxy.
        assert_eq!(limiter.client_address(ip("10.0.0.1"), &forwarded("junk")), ip("10.0.0.1"));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_slash_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1")), client_key(ip("2001:db8:1:2:bbbb::2")));
        assert_ne!(client_key(ip("2001:db8:1:2::1")), client_key(ip("2001:db8:1:3::1")));
        assert_eq!(client_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn a_client_is_refused_once_its_budget_is_spent_and_another_is_not() {
        let limiter = limiter(10, &[]);
        let account = limiter.admit(ip("192.0.2.1")).expect("admitted").expect("the limit is on");
        assert_eq!(account.standing().remaining, 9);
        account.charge(5).expect("5 points fit in 9");
        assert_eq!(account.standing().remaining, 5);
        let refused = account.charge(20).expect_err("the rest of the budget is 5");
        assert!(refused.retry_after_secs >= 1, "{refused:?}");
        assert_eq!(account.standing().remaining, 5, "a refused charge takes nothing");
        for _ in 0..5 {
            limiter.admit(ip("192.0.2.1")).expect("a point is left");
        }
        let (over, standing) = limiter.admit(ip("192.0.2.1")).err().expect("the budget is spent");
        assert_eq!(standing.remaining, 0);
        assert!((1..=6).contains(&over.retry_after_secs), "one point comes back every 6 s: {over:?}");
        assert!(limiter.admit(ip("192.0.2.2")).is_ok(), "another address has its own budget");
    }

    #[test]
    fn no_budget_means_no_limit_and_no_policy_header() {
        let off = limiter(0, &[]);
        assert!(off.admit(ip("192.0.2.1")).expect("admitted").is_none());
        assert!(off.policy().is_none());
        assert_eq!(limiter(600, &[]).policy().unwrap(), "\"default\";q=600;w=60");
    }
}
