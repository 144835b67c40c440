//! The replicated store: the dataset in an etcd cluster, shared by any number of servers.
//!
//! Keys, under [`PREFIX`]:
//! - `dataset`: the marker, `(seed version, last change)`. A seed writes it last and every write
//!   rewrites it, so its `mod_revision` is the revision of the dataset's last change: the
//!   dataset's version, the same on every server.
//! - `record/<collection>/<key>`: a record, encoded by [`codec`].
//! - `stamp/<collection>/<key>`: its stamp (created, updated), as the embedded store keeps it.
//!
//! A server reads the marker, then every record and stamp at the marker's read revision, and
//! follows etcd's watch from the next revision ([`EtcdStore::follow`]). A write is one etcd
//! transaction that compares the marker's `mod_revision` with the revision the write read: a write
//! reads the whole dataset (its validation spans references between records), and every write
//! changes the marker, so the compare fails whenever anything changed since. Seeding writes the
//! records in batches within etcd's transaction limits after deleting the marker, and the marker
//! last: no server builds a read model from a store without it.
//!
//! The client runs on a runtime of its own ([`runtime`]), so that the store's methods can be
//! called, like the embedded store's, from synchronous code and from any async runtime (a
//! current-thread test runtime included) without blocking the connection they wait for.

use super::commit::{self, Plan, Touched};
use super::{
    codec, tree_name, ChangeRecord, HistoryError, Meta, Operation, RecordChange, Snapshot, StoreError, Stored,
};
use crate::domain::{self, Collection, Dataset, Stamps};
use chrono::{DateTime, Utc};
use etcd_client::{
    Client, Compare, CompareOp, ConnectOptions, DeleteOptions, EventType, GetOptions, Txn, TxnOp, TxnOpResponse,
    WatchOptions,
};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;
use tokio::sync::mpsc;

/// The prefix of every key this service keeps in etcd.
pub const PREFIX: &str = "khartoum-graphql/";
/// The marker: present once a seed is complete (see the module's documentation).
const MARKER: &str = "khartoum-graphql/dataset";
const RECORDS: &str = "khartoum-graphql/record/";
const STAMPS: &str = "khartoum-graphql/stamp/";
/// The most operations one transaction of a seed carries: etcd's default `--max-txn-ops`.
pub const MAX_TXN_OPS: usize = 128;
/// The most bytes of keys and values one transaction of a seed carries: below etcd's default
/// `--max-request-bytes` (1.5 MiB), with room for the request's framing.
pub const MAX_TXN_BYTES: usize = 1024 * 1024;
/// Keys read in one request while loading the dataset.
const PAGE: i64 = 500;
/// Longest one request to etcd may take before the store reports the cluster unavailable.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the follower waits before it tries again after losing the cluster or the marker.
const RETRY: Duration = Duration::from_millis(200);
/// The largest message of a watch this client decodes: etcd sends up to 1000 revisions in one
/// message to a watch that starts in the past, which for a replica or a feed catching up can be
/// far more than the gRPC default of 4 MiB.
const MAX_WATCH_MESSAGE: usize = 256 * 1024 * 1024;
/// Longest a read of etcd's history (the writes between two revisions) may take.
const HISTORY_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a server asks the cluster whether it can take writes, for `/health` and `/ready`.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// Longest the cluster may take to answer that question before it counts as unable to: below
/// [`REQUEST_TIMEOUT`], so that `/health` says so before a write has waited for its answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The runtime the etcd client runs on: two threads of its own, started on first use.
fn runtime() -> Result<&'static tokio::runtime::Runtime, StoreError> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("etcd-client")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| StoreError::Etcd { endpoints: String::new(), detail: format!("cannot start its runtime: {e}") })
}

/// Runs `fut` on the etcd runtime and waits for it, from any thread (an async one included: the
/// wait happens on a thread of its own, as a blocking sled call would).
///
/// On a worker of a multi-thread runtime (the etcd runtime's own among them, where a server
/// following the cluster applies what it learns), the worker first hands its other tasks over
/// to another thread: otherwise two such waits at once would hold both of the etcd runtime's
/// threads, and leave none to drive the requests they wait for.
fn block<T: Send>(fut: impl Future<Output = Result<T, StoreError>> + Send) -> Result<T, StoreError> {
    let rt = runtime()?;
    let wait = || {
        std::thread::scope(|s| s.spawn(|| rt.block_on(fut)).join()).unwrap_or_else(|_| {
            Err(StoreError::Etcd { endpoints: String::new(), detail: "the request's thread panicked".to_owned() })
        })
    };
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(wait),
        _ => wait(),
    }
}

/// Spawns `fut` on the etcd runtime, where it runs as long as it wants, whichever runtime (if any)
/// the caller is on.
pub fn spawn(fut: impl Future<Output = ()> + Send + 'static) -> Result<(), StoreError> {
    runtime()?.spawn(fut);
    Ok(())
}

/// The keys one revision changed (relative to [`PREFIX`]), each with its value, `None` if it was
/// deleted.
pub type Events = Vec<(String, Option<Vec<u8>>)>;

/// The search terms of the dataset at one revision: `term \0 collection \0 field \0 key`, sorted.
type SearchTerms = Option<(u64, Arc<BTreeSet<Vec<u8>>>)>;

/// What a server following the cluster learns.
#[derive(Debug)]
pub enum Update {
    /// One committed revision: the marker's new content and the keys it changed.
    Changed {
        /// The dataset's metadata at that revision.
        meta: Meta,
        /// Each key the revision changed.
        events: Events,
    },
    /// The whole dataset at one revision, after the watch was lost (a compaction, the network)
    /// or the dataset was replaced. Boxed: it is the rare, large one.
    Reload(Box<Snapshot>),
}

/// A handle on the dataset in an etcd cluster. Cheap to clone.
#[derive(Clone)]
pub struct EtcdStore {
    client: Client,
    /// The endpoints, comma-separated, for messages.
    endpoints: Arc<str>,
    /// The search terms of the dataset at one revision, built on the first search of that
    /// revision.
    search: Arc<Mutex<SearchTerms>>,
    /// Whether the cluster can take writes, as last seen.
    health: Arc<Health>,
    /// How many events this server has read from etcd's history, so that a test can tell how
    /// much of it a look-up read.
    history_events: Arc<AtomicU64>,
}

/// What a server last learned about the cluster's ability to take writes: from a probe that runs
/// while the server follows the cluster ([`EtcdStore::follow`]), and from each write.
#[derive(Default)]
struct Health {
    /// Why writes cannot be made now, if they cannot.
    problem: Mutex<Option<String>>,
    /// Whether the probe runs.
    probing: AtomicBool,
}

impl Health {
    fn set(&self, problem: Option<String>) {
        *self.problem.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = problem;
    }

    fn get(&self) -> Option<String> {
        self.problem.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// What etcd's history holds from a revision on.
enum History {
    /// Every record changed, by revision and, within one, in the order subscribers are told.
    Held(Vec<ChangeRecord>),
    /// The history was compacted: only the revisions from this one on are held.
    Compacted(i64),
}

impl EtcdStore {
    /// Connects to the cluster at `endpoints` (URLs such as `http://127.0.0.1:2379`). Nothing is
    /// read yet: a cluster that cannot be reached fails on the first request.
    pub fn connect(endpoints: &[String]) -> Result<EtcdStore, StoreError> {
        let joined: Arc<str> = endpoints.join(",").into();
        let list = endpoints.to_vec();
        let options = ConnectOptions::new()
            .with_connect_timeout(Duration::from_secs(2))
            .with_keep_alive(Duration::from_secs(2), Duration::from_secs(2));
        let name = Arc::clone(&joined);
        let client =
            block(async move { Client::connect(list, Some(options)).await.map_err(|e| etcd_failed(&name, e)) })?;
        Ok(EtcdStore {
            client,
            endpoints: joined,
            search: Arc::default(),
            health: Arc::default(),
            history_events: Arc::default(),
        })
    }

    /// How many events this server has read from etcd's history so far.
    pub fn history_events(&self) -> u64 {
        self.history_events.load(Ordering::Relaxed)
    }

    /// The endpoints, comma-separated.
    pub fn endpoints(&self) -> &str {
        &self.endpoints
    }

    fn failed(&self, e: impl std::fmt::Display) -> StoreError {
        etcd_failed(&self.endpoints, e)
    }

    /// Names this cluster in an error made without it.
    fn placed(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Corrupt { path, tree, key, cause } if path.as_os_str().is_empty() => {
                StoreError::Corrupt { path: format!("etcd:{}", self.endpoints).into(), tree, key, cause }
            }
            StoreError::Etcd { endpoints, detail } if endpoints.is_empty() => {
                StoreError::Etcd { endpoints: self.endpoints.to_string(), detail }
            }
            other => other,
        }
    }

    /// Runs one request with [`REQUEST_TIMEOUT`].
    async fn timed<T>(
        &self,
        what: &str,
        fut: impl Future<Output = Result<T, etcd_client::Error>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(REQUEST_TIMEOUT, fut).await {
            Ok(r) => r.map_err(|e| self.failed(format!("{what}: {e}"))),
            Err(_) => Err(self.failed(format!("{what}: no answer within {} s", REQUEST_TIMEOUT.as_secs()))),
        }
    }

    /// The dataset's metadata, or `None` if the cluster holds no complete dataset.
    pub fn meta(&self) -> Result<Option<Meta>, StoreError> {
        let this = self.clone();
        block(async move {
            let r = this.timed("reading the marker", this.client.kv_client().get(MARKER, None)).await?;
            r.kvs().first().map(|kv| marker_meta(kv.value(), kv.mod_revision())).transpose()
        })
        .map_err(|e| self.placed(e))
    }

    /// The whole dataset at one revision, or `None` if the cluster holds no complete dataset.
    pub fn snapshot(&self) -> Result<Option<Snapshot>, StoreError> {
        let this = self.clone();
        block(async move { this.load().await }).map_err(|e| self.placed(e))
    }

    async fn load(&self) -> Result<Option<Snapshot>, StoreError> {
        let r = self.timed("reading the marker", self.client.kv_client().get(MARKER, None)).await?;
        let read_at = r.header().map_or(0, |h| h.revision());
        let Some(kv) = r.kvs().first() else { return Ok(None) };
        let meta = marker_meta(kv.value(), kv.mod_revision())?;
        let mut dataset = Dataset::default();
        let mut stamps = Stamps::default();
        // Both ranges at the marker's read revision: one state of the cluster, whatever is
        // written meanwhile. Keys come sorted, so each collection is in key order.
        for (key, value) in self.range(RECORDS, read_at).await? {
            let (c, k) = split_key(key.strip_prefix(RECORDS).unwrap_or(&key))?;
            push_record(&mut dataset, c, k, &value)?;
        }
        for (key, value) in self.range(STAMPS, read_at).await? {
            let (c, k) = split_key(key.strip_prefix(STAMPS).unwrap_or(&key))?;
            let stamp = commit::decode_stamp(&value).map_err(|e| super::corrupt("stamp", key.as_bytes(), e))?;
            stamps.insert((c, k.to_owned()), stamp);
        }
        Ok(Some(Snapshot { dataset, meta, stamps, read_at: u64::try_from(read_at).unwrap_or(0) }))
    }

    /// Every key under `prefix` and its value, at revision `at`, in pages of [`PAGE`].
    async fn range(&self, prefix: &str, at: i64) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let end = prefix_end(prefix);
        let mut from = prefix.as_bytes().to_vec();
        let mut out = Vec::new();
        loop {
            let options = GetOptions::new().with_range(end.clone()).with_revision(at).with_limit(PAGE);
            let r = self.timed("reading the dataset", self.client.kv_client().get(from.clone(), Some(options))).await?;
            for kv in r.kvs() {
                out.push((String::from_utf8_lossy(kv.key()).into_owned(), kv.value().to_vec()));
            }
            match r.kvs().last() {
                Some(last) if r.more() => {
                    from = last.key().to_vec();
                    from.push(0);
                }
                _ => return Ok(out),
            }
        }
    }

    /// Replaces the dataset with a validated seed: the marker is deleted first, the records and
    /// stamps are written in transactions of at most [`MAX_TXN_OPS`] operations and
    /// [`MAX_TXN_BYTES`] bytes, and the marker is written last. Servers keep serving the read
    /// model they have until the marker is back, then load the new dataset whole.
    pub fn replace_all(&self, ds: &Dataset, seed_version: &str) -> Result<Meta, StoreError> {
        block(self.write_seed(ds, seed_version)).map_err(|e| self.placed(e))
    }

    async fn write_seed(&self, ds: &Dataset, seed_version: &str) -> Result<Meta, StoreError> {
        let mut kv = self.client.kv_client();
        self.timed("deleting the marker", kv.delete(MARKER, None)).await?;
        for prefix in [RECORDS, STAMPS] {
            self.timed("deleting the old dataset", kv.delete(prefix, Some(DeleteOptions::new().with_prefix()))).await?;
        }
        let now = super::now();
        let stamp = commit::fresh_stamp(now)?;
        let mut puts: Vec<(String, Vec<u8>)> = Vec::new();
        encode_all(&ds.sources, &mut puts)?;
        encode_all(&ds.states, &mut puts)?;
        encode_all(&ds.organizations, &mut puts)?;
        encode_all(&ds.processes, &mut puts)?;
        encode_all(&ds.memberships, &mut puts)?;
        encode_all(&ds.chairmanships, &mut puts)?;
        encode_all(&ds.meetings, &mut puts)?;
        encode_all(&ds.documents, &mut puts)?;
        encode_all(&ds.commitments, &mut puts)?;
        encode_all(&ds.people, &mut puts)?;
        for (c, key) in ds.keys() {
            puts.push((stamp_key(c, key), stamp.clone()));
        }
        let mut batch: Vec<TxnOp> = Vec::new();
        let mut bytes = 0;
        for (key, value) in puts {
            if batch.len() == MAX_TXN_OPS || bytes + key.len() + value.len() > MAX_TXN_BYTES {
                self.timed("writing the seed", kv.txn(Txn::new().and_then(std::mem::take(&mut batch)))).await?;
                bytes = 0;
            }
            bytes += key.len() + value.len();
            batch.push(TxnOp::put(key, value, None));
        }
        if !batch.is_empty() {
            self.timed("writing the seed", kv.txn(Txn::new().and_then(batch))).await?;
        }
        let last_change = super::rfc3339(now);
        let marker = encode_marker(seed_version, &last_change)?;
        let put = self.timed("writing the marker", kv.put(MARKER, marker, None)).await?;
        let revision = put.header().map_or(0, |h| u64::try_from(h.revision()).unwrap_or(0));
        Ok(Meta {
            version: commit::version(seed_version, revision),
            seed_version: seed_version.to_owned(),
            last_change,
            revision,
        })
    }

    /// Writes the difference between `old` (the dataset at `read`, with its stamps) and `new` in
    /// one transaction that holds only if nothing changed since `read`: otherwise
    /// [`StoreError::Stale`] names the revision the dataset is at. Once this returns, etcd has
    /// committed the change on a majority of its members.
    pub fn commit(
        &self,
        old: &Dataset,
        stamps: &Stamps,
        read: &Meta,
        new: &Dataset,
        touched: Touched,
        at: DateTime<Utc>,
    ) -> Result<super::Committed, StoreError> {
        let plan = Plan::between(old, new, touched).map_err(|e| self.placed(e))?;
        if plan.changes.is_empty() {
            return Ok(super::Committed { meta: read.clone(), changes: Vec::new() });
        }
        let at = commit::after(&read.last_change, at);
        let fresh = commit::fresh_stamp(at)?;
        let mut ops = Vec::new();
        for (c, key, value) in &plan.records {
            let key = String::from_utf8_lossy(key);
            match value {
                Some(bytes) => {
                    ops.push(TxnOp::put(record_key(*c, &key), bytes.clone(), None));
                    let stamp = match stamps.get(&(*c, key.to_string())) {
                        Some(s) => commit::encode_stamp(domain::Stamp { created_at: s.created_at, updated_at: at })
                            .map_err(|e| super::corrupt("stamp", key.as_bytes(), e))?,
                        None => fresh.clone(),
                    };
                    ops.push(TxnOp::put(stamp_key(*c, &key), stamp, None));
                }
                None => {
                    ops.push(TxnOp::delete(record_key(*c, &key), None));
                    ops.push(TxnOp::delete(stamp_key(*c, &key), None));
                }
            }
        }
        let last_change = super::rfc3339(at);
        ops.push(TxnOp::put(MARKER, encode_marker(&read.seed_version, &last_change)?, None));
        let expected = i64::try_from(read.revision).unwrap_or(i64::MAX);
        let txn = Txn::new()
            .when([Compare::mod_revision(MARKER, CompareOp::Equal, expected)])
            .and_then(ops)
            .or_else([TxnOp::get(MARKER, None)]);
        let this = self.clone();
        let r = match block(async move { this.timed("committing a write", this.client.kv_client().txn(txn)).await })
            .map_err(|e| self.placed(e))
        {
            Err(StoreError::Etcd { detail, .. }) if too_large(&detail) => {
                return Err(StoreError::WriteTooLarge { records: plan.records.len(), detail });
            }
            Err(e) => {
                if matches!(e, StoreError::Etcd { .. }) {
                    self.health.set(Some(e.to_string()));
                }
                return Err(e);
            }
            Ok(r) => r,
        };
        self.health.set(None);
        if !r.succeeded() {
            let now_at = r
                .op_responses()
                .into_iter()
                .find_map(|op| match op {
                    TxnOpResponse::Get(g) => g.kvs().first().map(|kv| kv.mod_revision()),
                    _ => None,
                })
                .unwrap_or(0);
            return Err(StoreError::Stale { revision: u64::try_from(now_at).unwrap_or(0) });
        }
        let revision = r.header().map_or(0, |h| u64::try_from(h.revision()).unwrap_or(0));
        let meta = Meta {
            version: commit::version(&read.seed_version, revision),
            seed_version: read.seed_version.clone(),
            last_change,
            revision,
        };
        Ok(super::Committed { meta, changes: plan.changes })
    }

    /// Reads back, at the revision of `meta`, the records and stamps a commit touched, into `ds`
    /// and `stamps` (see [`super::Store::read_back`]).
    pub fn read_back(
        &self,
        ds: &mut Dataset,
        stamps: &mut Stamps,
        changes: &[RecordChange],
        meta: &Meta,
    ) -> Result<(), StoreError> {
        let keys: Vec<String> =
            changes.iter().flat_map(|c| [record_key(c.collection, &c.key), stamp_key(c.collection, &c.key)]).collect();
        let at = i64::try_from(meta.revision).unwrap_or(0);
        let this = self.clone();
        let events = block(async move {
            let mut out = Vec::new();
            for key in keys {
                let options = GetOptions::new().with_revision(at);
                let r =
                    this.timed("reading back a write", this.client.kv_client().get(key.clone(), Some(options))).await?;
                let relative = key.strip_prefix(PREFIX).unwrap_or(&key).to_owned();
                out.push((relative, r.kvs().first().map(|kv| kv.value().to_vec())));
            }
            Ok(out)
        })
        .map_err(|e| self.placed(e))?;
        apply(ds, stamps, &events).map(drop).map_err(|e| self.placed(e))
    }

    /// Checks the dataset: the marker is there, every record and stamp decodes, and every
    /// record has a stamp and every stamp a record. Returns the problems found.
    pub fn check(&self) -> Result<Vec<String>, StoreError> {
        let Some(s) = self.snapshot()? else {
            return Ok(vec!["no complete dataset is recorded (never seeded, or a seed was interrupted)".to_owned()]);
        };
        let mut problems = Vec::new();
        let mut stamped: BTreeSet<(Collection, String)> = s.stamps.into_keys().collect();
        for (c, key) in s.dataset.keys() {
            if !stamped.remove(&(c, key.to_owned())) {
                problems.push(format!("{} '{key}' has no stamp (createdAt/updatedAt)", c.noun()));
            }
        }
        for (c, key) in stamped {
            problems.push(format!("stamps: a stamp for {} '{key}', which does not exist", c.noun()));
        }
        Ok(problems)
    }

    /// The records whose search terms include `term`, as [`super::Store::search`] finds them,
    /// from the dataset `ds` at `revision` (the read model's): etcd keeps no index, each server
    /// builds the search terms of the dataset it serves on its first search.
    pub fn search(&self, term: &str, revision: u64, ds: &Dataset) -> Vec<(Collection, String, domain::Field)> {
        let entries = {
            let mut slot = self.search.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match &*slot {
                Some((r, entries)) if *r == revision => Arc::clone(entries),
                _ => {
                    let entries: Arc<BTreeSet<Vec<u8>>> = Arc::new(
                        super::all_index_lists_of(ds, super::index::Index::Search)
                            .into_iter()
                            .flat_map(|(list, members)| {
                                members
                                    .into_iter()
                                    .map(move |m| super::index::entry_of(super::index::Index::Search, &list, &m))
                            })
                            .collect(),
                    );
                    *slot = Some((revision, Arc::clone(&entries)));
                    entries
                }
            }
        };
        let mut from = term.as_bytes().to_vec();
        from.push(0);
        entries
            .range(from.clone()..)
            .take_while(|e| e.starts_with(&from))
            .filter_map(|e| super::parse_search_entry(term, e))
            .collect()
    }

    /// Why the cluster cannot take writes now, if it cannot: as the probe that runs while this
    /// server follows the cluster, or the last write, found it.
    pub fn write_problem(&self) -> Option<String> {
        self.health.get()
    }

    /// Asks the cluster every [`PROBE_EVERY`] whether it can take writes: a linearizable read
    /// of the marker, which etcd answers only with a quorum behind its leader, the same a write
    /// needs. Runs until the last handle on this store is dropped.
    fn probe(&self) -> Result<(), StoreError> {
        if self.health.probing.swap(true, Ordering::Relaxed) {
            return Ok(());
        }
        let health: Weak<Health> = Arc::downgrade(&self.health);
        let mut kv = self.client.kv_client();
        let endpoints = Arc::clone(&self.endpoints);
        spawn(async move {
            loop {
                let asked =
                    tokio::time::timeout(PROBE_TIMEOUT, kv.get(MARKER, Some(GetOptions::new().with_count_only())));
                let problem = match asked.await {
                    Ok(Ok(_)) => None,
                    Ok(Err(e)) => Some(etcd_failed(&endpoints, e).to_string()),
                    Err(_) => Some(
                        etcd_failed(&endpoints, format!("no answer within {} s", PROBE_TIMEOUT.as_secs())).to_string(),
                    ),
                };
                let Some(health) = health.upgrade() else { return };
                health.set(problem);
                drop(health);
                tokio::time::sleep(PROBE_EVERY).await;
            }
        })
    }

    /// The marker now: the dataset's metadata and the revision it was seeded at (the marker's
    /// create revision: a seed deletes it first and writes it last, a write only rewrites it).
    async fn marker(&self) -> Result<Option<(Meta, i64)>, StoreError> {
        let r = self.timed("reading the marker", self.client.kv_client().get(MARKER, None)).await?;
        r.kvs().first().map(|kv| Ok((marker_meta(kv.value(), kv.mod_revision())?, kv.create_revision()))).transpose()
    }

    /// The records each write of revisions `from..=to` touched, from etcd's history: a watch
    /// from `from`, read until the marker's change at `to` (so `to` must be a write's revision,
    /// at or after `from`, of the dataset seeded at or before `from`). Each write's records
    /// come as a live subscriber was told them ([`in_told_order`]), with the write's time from
    /// the marker it rewrote.
    async fn history(&self, from: i64, to: i64) -> Result<History, StoreError> {
        let options = WatchOptions::new().with_prefix().with_start_revision(from);
        let mut client = self.client.watch_client().max_decoding_message_size(MAX_WATCH_MESSAGE);
        let (mut watcher, mut stream) = self.timed("reading the history", client.watch(PREFIX, Some(options))).await?;
        let read = async {
            let mut writes: BTreeMap<i64, (Option<DateTime<Utc>>, Vec<RecordChange>)> = BTreeMap::new();
            loop {
                let message = stream.message().await.map_err(|e| self.failed(format!("reading the history: {e}")))?;
                let Some(resp) = message else { return Err(self.failed("the history's watch ended")) };
                if resp.compact_revision() > 0 {
                    return Ok(History::Compacted(resp.compact_revision()));
                }
                if resp.canceled() {
                    return Err(self.failed(format!("the history's watch was cancelled ({})", resp.cancel_reason())));
                }
                let mut done = false;
                self.history_events.fetch_add(resp.events().len() as u64, Ordering::Relaxed);
                for event in resp.events() {
                    let Some(kv) = event.kv() else { continue };
                    let revision = kv.mod_revision();
                    if revision > to {
                        done = true;
                        continue;
                    }
                    let key = String::from_utf8_lossy(kv.key());
                    let write = writes.entry(revision).or_default();
                    if key == MARKER {
                        let meta = marker_meta(kv.value(), revision)?;
                        write.0 = Some(super::parse_time(&meta.last_change).ok_or_else(|| {
                            super::corrupt(
                                "dataset",
                                MARKER.as_bytes(),
                                codec::CodecError::Invalid("a time out of range"),
                            )
                        })?);
                        done |= revision == to;
                    } else if let Some(rest) = key.strip_prefix(RECORDS) {
                        let (collection, k) = split_key(rest)?;
                        let operation = match event.event_type() {
                            EventType::Delete => Operation::Deleted,
                            EventType::Put if kv.create_revision() == revision => Operation::Created,
                            EventType::Put => Operation::Updated,
                        };
                        write.1.push(RecordChange { collection, key: k.to_owned(), operation });
                    }
                }
                if done {
                    break;
                }
            }
            let mut out = Vec::new();
            for (revision, (at, mut changes)) in writes {
                // Every write rewrites the marker: a revision without it is a seed or a change
                // made outside this service, which no version of this dataset spans.
                let at = at.ok_or_else(|| {
                    self.failed(format!("revision {revision} changed the dataset without its marker"))
                })?;
                in_told_order(&mut changes);
                let revision = u64::try_from(revision).unwrap_or(0);
                out.extend(changes.into_iter().enumerate().map(|(index, c)| ChangeRecord {
                    revision,
                    index,
                    at,
                    collection: c.collection,
                    key: c.key,
                    operation: c.operation,
                }));
            }
            Ok(History::Held(out))
        };
        let outcome = tokio::time::timeout(HISTORY_TIMEOUT, read).await.unwrap_or_else(|_| {
            Err(self.failed(format!("reading the history: no end within {} s", HISTORY_TIMEOUT.as_secs())))
        });
        // The watch is done with either way; a failure to say so to etcd changes nothing here.
        let _ = watcher.cancel().await;
        outcome
    }

    /// The oldest revision from which the history resumes, for a dataset seeded at `seed` whose
    /// history was compacted at `compacted` (etcd keeps the events of that revision on): the
    /// last write before it, whose followers are all held, or the seed. When a write is at
    /// `compacted` itself, the one before it is compacted away, and the revision before
    /// stands for it (the same on a cluster that holds only this dataset).
    async fn oldest_held(&self, compacted: i64, seed: i64) -> Result<u64, StoreError> {
        let options = GetOptions::new().with_revision(compacted);
        let r = self.timed("reading the history", self.client.kv_client().get(MARKER, Some(options))).await?;
        // A marker of another seed (compacted before this one was written) says nothing of it.
        let last = r.kvs().first().filter(|kv| kv.create_revision() == seed).map_or(seed, |kv| {
            if kv.mod_revision() == compacted {
                compacted - 1
            } else {
                kv.mod_revision()
            }
        });
        Ok(u64::try_from(last.max(seed)).unwrap_or(0))
    }

    /// Every record changed after revision `after`, from etcd's history, as
    /// [`super::Store::changes_after`] gives them from its change log: a revision not reached
    /// yet gives none, one from before the seed or before the history's compaction
    /// [`HistoryError::Expired`] with the oldest revision it resumes from.
    pub fn changes_after(&self, after: u64) -> Result<Vec<ChangeRecord>, HistoryError> {
        let this = self.clone();
        block(async move {
            let Some((meta, seed)) = this.marker().await? else { return Ok(Ok(Vec::new())) };
            let (current, asked) =
                (i64::try_from(meta.revision).unwrap_or(0), i64::try_from(after).unwrap_or(i64::MAX));
            if asked >= current {
                return Ok(Ok(Vec::new()));
            }
            if asked < seed {
                return Ok(Err(HistoryError::Expired { after, oldest: this.oldest(seed, current).await? }));
            }
            let compacted = match this.history(asked + 1, current).await? {
                History::Held(records) => return Ok(Ok(records)),
                History::Compacted(c) => c,
            };
            let oldest = this.oldest_held(compacted, seed).await?;
            // Resumed from the last write before the compaction, nothing before it is needed.
            if after >= oldest {
                if let History::Held(records) = this.history(compacted, current).await? {
                    return Ok(Ok(records));
                }
            }
            Ok(Err(HistoryError::Expired { after, oldest }))
        })
        .map_err(|e| HistoryError::Store(self.placed(e)))?
    }

    /// The oldest revision from which the history resumes, for the dataset seeded at `seed`
    /// and now at `current`.
    async fn oldest(&self, seed: i64, current: i64) -> Result<u64, StoreError> {
        if current <= seed {
            return Ok(u64::try_from(seed).unwrap_or(0));
        }
        // Read only up to the first write after the seed: whether the history holds it.
        match self.history(seed + 1, seed + 1).await? {
            History::Compacted(c) => self.oldest_held(c, seed).await,
            History::Held(_) => Ok(u64::try_from(seed).unwrap_or(0)),
        }
    }

    /// The oldest revision from which the history resumes (see [`EtcdStore::changes_after`]).
    pub fn oldest_in_history(&self) -> Result<u64, StoreError> {
        let this = self.clone();
        block(async move {
            let Some((meta, seed)) = this.marker().await? else { return Ok(0) };
            this.oldest(seed, i64::try_from(meta.revision).unwrap_or(0)).await
        })
        .map_err(|e| self.placed(e))
    }

    /// Every record deleted at `since` or later, up to revision `until`, from etcd's history,
    /// as [`super::Store::deletions_since`] gives them from its change log: once the history
    /// is compacted past the seed, a `since` before its oldest write held is
    /// [`HistoryError::TooEarly`], naming that write's time.
    pub fn deletions_since(&self, since: DateTime<Utc>, until: u64) -> Result<Vec<ChangeRecord>, HistoryError> {
        let this = self.clone();
        block(async move {
            let Some((meta, seed)) = this.marker().await? else { return Ok(Ok(Vec::new())) };
            let until = i64::try_from(until.min(meta.revision)).unwrap_or(0);
            // Only the writes from the first one made at `since` or later are read; where that
            // is cannot be told past a compaction, and the history is then read from the seed,
            // which finds the compaction and how far back it answers.
            let from = this.first_write_since(since, seed, until).await?.unwrap_or(seed + 1);
            if until < from {
                return Ok(Ok(Vec::new()));
            }
            let (records, complete) = match this.history(from, until).await? {
                History::Held(records) => (records, true),
                History::Compacted(c) if c > until => (Vec::new(), false),
                History::Compacted(c) => match this.history(c, until).await? {
                    History::Held(records) => (records, false),
                    History::Compacted(_) => (Vec::new(), false),
                },
            };
            if !complete {
                let oldest = match records.first() {
                    Some(r) => r.at,
                    None => super::parse_time(&meta.last_change).unwrap_or(since),
                };
                if since < oldest {
                    return Ok(Err(HistoryError::TooEarly { since, oldest }));
                }
            }
            Ok(Ok(records.into_iter().filter(|r| r.at >= since && r.operation == Operation::Deleted).collect()))
        })
        .map_err(|e| HistoryError::Store(self.placed(e)))?
    }

    /// The first revision after `seed`, up to `until`, whose write was made at `since` or later
    /// (`until + 1` if none was), found by reading the marker as it was at a logarithmic number
    /// of past revisions (each write rewrites it with its time, and times never go back) rather
    /// than the history in between; `None` when a revision read was compacted away.
    async fn first_write_since(&self, since: DateTime<Utc>, seed: i64, until: i64) -> Result<Option<i64>, StoreError> {
        let (mut lo, mut hi) = (seed + 1, until + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let options = GetOptions::new().with_revision(mid);
            let r = match self.timed("reading the history", self.client.kv_client().get(MARKER, Some(options))).await {
                Ok(r) => r,
                Err(e) if e.to_string().contains("compacted") => return Ok(None),
                Err(e) => return Err(e),
            };
            let Some(kv) = r.kvs().first().filter(|kv| kv.create_revision() == seed) else { return Ok(None) };
            let written = super::parse_time(&marker_meta(kv.value(), kv.mod_revision())?.last_change);
            match written {
                Some(at) if at >= since => hi = mid,
                Some(_) => lo = mid + 1,
                None => return Ok(None),
            }
        }
        Ok(Some(lo))
    }

    /// Follows the cluster from the revision after `read_at` (where the read model was loaded):
    /// each committed revision under [`PREFIX`] comes as [`Update::Changed`]; a lost watch (a
    /// compaction, the network, the marker deleted by a new seed) is followed by
    /// [`Update::Reload`] with the whole dataset at one revision once it can be read. Stops when
    /// the receiver is dropped.
    pub fn follow(&self, read_at: u64) -> Result<mpsc::UnboundedReceiver<Update>, StoreError> {
        // A server that follows the cluster serves `/health` and `/ready`, which say whether
        // the cluster can take writes.
        self.probe()?;
        let (tx, rx) = mpsc::unbounded_channel();
        let this = self.clone();
        spawn(async move {
            let mut read_at = i64::try_from(read_at).unwrap_or(0);
            loop {
                match this.watch_from(read_at + 1, &tx).await {
                    Ok(()) => return,
                    Err(e) => tracing::warn!(error = %e, "lost the etcd watch; reloading the dataset"),
                }
                loop {
                    if tx.is_closed() {
                        return;
                    }
                    match this.load().await {
                        Ok(Some(s)) => {
                            read_at = i64::try_from(s.read_at).unwrap_or(0);
                            if tx.send(Update::Reload(Box::new(s))).is_err() {
                                return;
                            }
                            break;
                        }
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "cannot reload the dataset from etcd yet"),
                    }
                    tokio::time::sleep(RETRY).await;
                }
            }
        })?;
        Ok(rx)
    }

    /// Watches from `start` and sends each revision; returns `Ok` when the receiver is gone, and
    /// an error when the watch is lost and the dataset must be loaded again.
    async fn watch_from(&self, start: i64, tx: &mpsc::UnboundedSender<Update>) -> Result<(), StoreError> {
        let options = WatchOptions::new().with_prefix().with_start_revision(start);
        let mut client = self.client.watch_client().max_decoding_message_size(MAX_WATCH_MESSAGE);
        let (_watcher, mut stream) = self.timed("starting the watch", client.watch(PREFIX, Some(options))).await?;
        loop {
            let message = tokio::select! {
                m = stream.message() => m.map_err(|e| self.failed(format!("watching: {e}")))?,
                () = tx.closed() => return Ok(()),
            };
            let Some(resp) = message else { return Err(self.failed("the watch ended")) };
            if resp.canceled() || resp.compact_revision() > 0 {
                return Err(self.failed(format!(
                    "the watch was cancelled ({}; compacted up to revision {})",
                    resp.cancel_reason(),
                    resp.compact_revision()
                )));
            }
            let mut revisions: BTreeMap<i64, Events> = BTreeMap::new();
            for event in resp.events() {
                let Some(kv) = event.kv() else { continue };
                let key = String::from_utf8_lossy(kv.key());
                let value = match event.event_type() {
                    EventType::Put => Some(kv.value().to_vec()),
                    EventType::Delete => None,
                };
                revisions
                    .entry(kv.mod_revision())
                    .or_default()
                    .push((key.strip_prefix(PREFIX).unwrap_or(&key).to_owned(), value));
            }
            for (revision, events) in revisions {
                let marker = events.iter().find(|(k, _)| PREFIX.to_owned() + k == MARKER);
                let meta = match marker {
                    Some((_, Some(value))) => marker_meta(value, revision)?,
                    // Every write rewrites the marker: a revision without it is a seed under way
                    // (the marker deleted first) or a change made outside this service.
                    _ => return Err(self.failed(format!("revision {revision} changed the dataset without its marker"))),
                };
                if tx.send(Update::Changed { meta, events }).is_err() {
                    return Ok(());
                }
            }
        }
    }
}

/// Applies the changed keys of one revision (relative to [`PREFIX`]; `None` deleted) to `ds` and
/// `stamps`. A changed record replaces the one of its key (a new one goes at the end of its
/// collection, whose order the read model sets). Returns what happened to each record.
pub fn apply(ds: &mut Dataset, stamps: &mut Stamps, events: &Events) -> Result<Vec<RecordChange>, StoreError> {
    let record = RECORDS.strip_prefix(PREFIX).unwrap_or(RECORDS);
    let stamp = STAMPS.strip_prefix(PREFIX).unwrap_or(STAMPS);
    let mut changes = Vec::new();
    for (key, value) in events {
        if let Some(rest) = key.strip_prefix(record) {
            let (c, k) = split_key(rest)?;
            let existed = replace_record(ds, c, k, value.as_deref())?;
            let operation = match (existed, value) {
                (_, None) => Operation::Deleted,
                (true, Some(_)) => Operation::Updated,
                (false, Some(_)) => Operation::Created,
            };
            changes.push(RecordChange { collection: c, key: k.to_owned(), operation });
        } else if let Some(rest) = key.strip_prefix(stamp) {
            let (c, k) = split_key(rest)?;
            match value {
                Some(v) => {
                    let s = commit::decode_stamp(v).map_err(|e| super::corrupt("stamp", key.as_bytes(), e))?;
                    stamps.insert((c, k.to_owned()), s);
                }
                None => {
                    stamps.remove(&(c, k.to_owned()));
                }
            }
        }
    }
    in_told_order(&mut changes);
    Ok(changes)
}

/// Puts the records one write touched in the order subscribers are told them, and the change
/// log numbers them: by collection, then key, as [`commit::Plan`] reports the writer's own.
fn in_told_order(changes: &mut [RecordChange]) {
    changes.sort_by(|a, b| (a.collection, &a.key).cmp(&(b.collection, &b.key)));
}

/// Whether etcd refused a transaction for its size: more operations than `--max-txn-ops`, or
/// more bytes than `--max-request-bytes` (etcd's check, or gRPC's beneath it).
fn too_large(detail: &str) -> bool {
    ["too many operations in txn request", "request is too large", "larger than max"].iter().any(|m| detail.contains(m))
}

/// Runs `$body` with `$t` the record type of collection `$c`.
macro_rules! with_type {
    ($c:expr, $t:ident => $body:expr) => {
        with_type!(@ $c, $t, $body;
            Sources Source, States State, Organizations Organization, Processes Process,
            Memberships Membership, Chairmanships Chairmanship, Meetings Meeting, Documents Document,
            Commitments Commitment, People Person)
    };
    (@ $c:expr, $t:ident, $body:expr; $($variant:ident $record:ident),*) => {
        match $c {
            $(Collection::$variant => {
                type $t = domain::$record;
                $body
            })*
        }
    };
}

fn decode<T: Stored>(c: Collection, key: &str, bytes: &[u8]) -> Result<T, StoreError> {
    T::decode(bytes).map_err(|e| super::corrupt(tree_name(c), key.as_bytes(), e))
}

/// Appends a record read in key order.
fn push_record(ds: &mut Dataset, c: Collection, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
    with_type!(c, T => {
        let r: T = decode(c, key, bytes)?;
        <T as domain::Record>::all_mut(ds).push(Arc::new(r));
    });
    Ok(())
}

/// Replaces (or removes, with `None`) the record of `key`; returns whether it existed.
fn replace_record(ds: &mut Dataset, c: Collection, key: &str, bytes: Option<&[u8]>) -> Result<bool, StoreError> {
    with_type!(c, T => {
        let all = <T as domain::Record>::all_mut(ds);
        let before = all.len();
        all.retain(|r| domain::Record::key(&**r) != key);
        let existed = all.len() != before;
        if let Some(b) = bytes {
            let r: T = decode(c, key, b)?;
            all.push(Arc::new(r));
        }
        Ok(existed)
    })
}

fn encode_all<T: Stored>(records: &[Arc<T>], out: &mut Vec<(String, Vec<u8>)>) -> Result<(), StoreError> {
    for r in records {
        let bytes = codec::encode(r).map_err(|e| super::corrupt(tree_name(T::COLLECTION), r.key().as_bytes(), e))?;
        out.push((record_key(T::COLLECTION, r.key()), bytes));
    }
    Ok(())
}

fn record_key(c: Collection, key: &str) -> String {
    format!("{RECORDS}{}/{key}", tree_name(c))
}

fn stamp_key(c: Collection, key: &str) -> String {
    format!("{STAMPS}{}/{key}", tree_name(c))
}

/// The collection and the key of `<collection>/<key>`.
fn split_key(rest: &str) -> Result<(Collection, &str), StoreError> {
    rest.split_once('/')
        .and_then(|(tree, key)| super::collection_named(tree.as_bytes()).map(|c| (c, key)))
        .ok_or_else(|| super::corrupt("record", rest.as_bytes(), codec::CodecError::Invalid("a key of no collection")))
}

fn encode_marker(seed_version: &str, last_change: &str) -> Result<Vec<u8>, StoreError> {
    codec::encode(&(seed_version, last_change)).map_err(|e| super::corrupt("dataset", MARKER.as_bytes(), e))
}

fn marker_meta(value: &[u8], mod_revision: i64) -> Result<Meta, StoreError> {
    let (seed_version, last_change): (String, String) =
        codec::decode(value).map_err(|e| super::corrupt("dataset", MARKER.as_bytes(), e))?;
    let revision = u64::try_from(mod_revision).unwrap_or(0);
    Ok(Meta { version: commit::version(&seed_version, revision), seed_version, last_change, revision })
}

/// The first key after every key that starts with `prefix`.
fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    if let Some(last) = end.last_mut() {
        *last += 1;
    }
    end
}

fn etcd_failed(endpoints: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Etcd { endpoints: endpoints.to_owned(), detail: super::one_line(&e.to_string()) }
}
