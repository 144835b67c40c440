//! The seam between the service and its store: the embedded store (sled, one server) or an etcd
//! cluster (any number of servers). The curator and the app see only [`Backend`].

use super::etcd::{self, EtcdStore, Update};
use super::{ChangeRecord, Committed, HistoryError, Meta, Store, StoreError, Touched, WriteProblem};
use crate::domain::{self, Collection, Dataset, Stamps};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use tokio::sync::mpsc;

/// Where the store is, as `--store` names it: `sled:<dir>` or `etcd:<endpoint>[,<endpoint>…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The embedded store in a data directory.
    Sled(PathBuf),
    /// An etcd cluster, by the client URLs of its members.
    Etcd(Vec<String>),
}

impl std::str::FromStr for Location {
    type Err = String;

    fn from_str(text: &str) -> Result<Location, String> {
        let text = text.trim();
        if let Some(dir) = text.strip_prefix("sled:") {
            if dir.is_empty() {
                return Err("`sled:` needs a directory, such as `sled:./data`".to_owned());
            }
            return Ok(Location::Sled(PathBuf::from(dir)));
        }
        if let Some(list) = text.strip_prefix("etcd:") {
            let endpoints: Vec<String> =
                list.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned).collect();
            if endpoints.is_empty() {
                return Err("`etcd:` needs at least one endpoint, such as `etcd:http://127.0.0.1:2379`".to_owned());
            }
            if let Some(bad) = endpoints.iter().find(|e| !(e.starts_with("http://") || e.starts_with("https://"))) {
                return Err(format!("etcd endpoint `{bad}` is not a URL; write it as http://HOST:PORT"));
            }
            return Ok(Location::Etcd(endpoints));
        }
        Err(format!(
            "`{text}` names no store; write `sled:<dir>` or `etcd:<endpoint>[,<endpoint>…]` (for example `etcd:http://127.0.0.1:2379`)"
        ))
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sled(dir) => write!(f, "sled:{}", dir.display()),
            Location::Etcd(endpoints) => write!(f, "etcd:{}", endpoints.join(",")),
        }
    }
}

/// The whole dataset at one revision of the store, with its metadata and stamps.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every record.
    pub dataset: Dataset,
    /// The dataset's metadata.
    pub meta: Meta,
    /// Every record's stamp.
    pub stamps: Stamps,
    /// The store's revision the snapshot was read at, from which a follower goes on (etcd's; the
    /// embedded store's is its write count).
    pub read_at: u64,
}

/// The store behind the service.
// Held once per server, behind the curator: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Backend {
    /// The embedded store: one server, one data directory.
    Sled(Store),
    /// An etcd cluster shared by several servers.
    Etcd(EtcdStore),
}

impl Backend {
    /// Opens the store at `location` for a server or a seed (an embedded store is created if
    /// missing; an etcd cluster is connected to).
    pub fn open(location: &Location) -> Result<Backend, StoreError> {
        match location {
            Location::Sled(dir) => Store::open(dir).map(Backend::Sled),
            Location::Etcd(endpoints) => EtcdStore::connect(endpoints).map(Backend::Etcd),
        }
    }

    /// Opens a store that must already hold one (for `check-store` and `export`).
    pub fn open_existing(location: &Location) -> Result<Backend, StoreError> {
        match location {
            Location::Sled(dir) => Store::open_existing(dir).map(Backend::Sled),
            Location::Etcd(endpoints) => EtcdStore::connect(endpoints).map(Backend::Etcd),
        }
    }

    /// Opens the store to replace all it holds (`seed --replace`).
    pub fn open_to_replace(location: &Location) -> Result<Backend, StoreError> {
        match location {
            Location::Sled(dir) => Store::open_to_replace(dir).map(Backend::Sled),
            Location::Etcd(endpoints) => EtcdStore::connect(endpoints).map(Backend::Etcd),
        }
    }

    /// The embedded store, if that is the one behind.
    pub fn sled(&self) -> Option<&Store> {
        match self {
            Backend::Sled(s) => Some(s),
            Backend::Etcd(_) => None,
        }
    }

    /// The dataset's metadata, or `None` if the store holds no complete dataset.
    pub fn meta(&self) -> Result<Option<Meta>, StoreError> {
        match self {
            Backend::Sled(s) => s.meta(),
            Backend::Etcd(e) => e.meta(),
        }
    }

    /// The whole dataset at one revision (an empty one if the store holds none).
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        match self {
            Backend::Sled(s) => {
                let meta = s.meta()?.unwrap_or_default();
                let read_at = meta.revision;
                Ok(Snapshot { dataset: s.load()?, meta, stamps: s.stamps()?, read_at })
            }
            Backend::Etcd(e) => Ok(e.snapshot()?.unwrap_or_default()),
        }
    }

    /// Replaces everything in the store with a validated dataset, all or nothing; `seed_version`
    /// names what it was read from (the seed files' digest).
    pub fn replace_all(&self, dataset: &Dataset, seed_version: &str) -> Result<Meta, StoreError> {
        match self {
            Backend::Sled(s) => s.replace_all(dataset, seed_version),
            Backend::Etcd(e) => e.replace_all(dataset, seed_version),
        }
    }

    /// Sets how many writes the change log keeps. Only the embedded store keeps one; on etcd
    /// the history is etcd's own, kept until the cluster is compacted.
    pub fn set_history_limit(&self, writes: u64) {
        if let Backend::Sled(s) = self {
            s.set_history_limit(writes);
        }
    }

    /// Every record changed after revision `after`: from the change log, or from etcd's history
    /// (a watch from the next revision). One older than what is kept (or, on etcd, compacted)
    /// is [`HistoryError::Expired`], naming the oldest revision it resumes from.
    pub fn changes_after(&self, after: u64) -> Result<Vec<ChangeRecord>, HistoryError> {
        match self {
            Backend::Sled(s) => s.changes_after(after),
            Backend::Etcd(e) => e.changes_after(after),
        }
    }

    /// The oldest revision the change log (or etcd's history) resumes from.
    pub fn oldest_in_history(&self) -> Result<u64, StoreError> {
        match self {
            Backend::Sled(s) => s.oldest_in_history(),
            Backend::Etcd(e) => e.oldest_in_history(),
        }
    }

    /// Every record deleted at `since` or later, up to revision `until`, from the change log
    /// (or etcd's history); [`HistoryError::TooEarly`] when what would answer is no longer kept.
    pub fn deletions_since(&self, since: DateTime<Utc>, until: u64) -> Result<Vec<ChangeRecord>, HistoryError> {
        match self {
            Backend::Sled(s) => s.deletions_since(since, until),
            Backend::Etcd(e) => e.deletions_since(since, until),
        }
    }

    /// Checks that the store is consistent; returns the problems found.
    pub fn check(&self) -> Result<Vec<String>, StoreError> {
        match self {
            Backend::Sled(s) => s.check(),
            Backend::Etcd(e) => e.check(),
        }
    }

    /// Why writes are refused now, if they are.
    pub fn write_problem(&self) -> Option<WriteProblem> {
        match self {
            Backend::Sled(s) => s.write_problem(),
            Backend::Etcd(e) => e.write_problem().map(WriteProblem::Cluster),
        }
    }

    /// Makes sure a write can go ahead; `true` if the store was opened again and its dataset
    /// must be read again (see [`Store::prepare_write`]).
    pub fn prepare_write(&self) -> Result<bool, StoreError> {
        match self {
            Backend::Sled(s) => s.prepare_write(),
            Backend::Etcd(_) => Ok(false),
        }
    }

    /// Writes the difference between `old` (the dataset the read model was built from, with its
    /// stamps and metadata `read`) and `new`. On etcd the write holds only if the dataset is
    /// still at `read`'s revision, else [`StoreError::Stale`]; the embedded store has one writer,
    /// whose caller serialises writes.
    ///
    /// `touched`, when given, names every record the edit may have changed: only those are
    /// compared (see [`Store::commit`]).
    pub fn commit(
        &self,
        old: &Dataset,
        stamps: &Stamps,
        read: &Meta,
        new: &Dataset,
        touched: Touched,
        at: DateTime<Utc>,
    ) -> Result<Committed, StoreError> {
        match self {
            Backend::Sled(s) => s.commit(old, new, touched, at),
            Backend::Etcd(e) => e.commit(old, stamps, read, new, touched, at),
        }
    }

    /// Makes what was committed durable: sled's flush and sync; nothing on etcd, which committed
    /// on a majority of its members before [`Backend::commit`] returned.
    pub async fn flush(&self) -> Result<(), StoreError> {
        match self {
            Backend::Sled(s) => s.flush().await,
            Backend::Etcd(_) => Ok(()),
        }
    }

    /// Reads back the records and stamps a commit touched (see [`Store::read_back`]).
    pub fn read_back(&self, ds: &mut Dataset, stamps: &mut Stamps, committed: &Committed) -> Result<(), StoreError> {
        match self {
            Backend::Sled(s) => s.read_back(ds, stamps, &committed.changes),
            Backend::Etcd(e) => e.read_back(ds, stamps, &committed.changes, &committed.meta),
        }
    }

    /// The records whose search terms include `term` (see [`Store::search`]); `revision` and `ds`
    /// are the read model's, from which a store without an index finds them.
    pub fn search(
        &self,
        term: &str,
        revision: u64,
        ds: &Dataset,
    ) -> Result<Vec<(Collection, String, domain::Field)>, StoreError> {
        match self {
            Backend::Sled(s) => s.search(term),
            Backend::Etcd(e) => Ok(e.search(term, revision, ds)),
        }
    }

    /// The etcd cluster, if the store is one.
    pub fn etcd(&self) -> Option<&EtcdStore> {
        match self {
            Backend::Etcd(e) => Some(e),
            Backend::Sled(_) => None,
        }
    }

    /// Whether other servers write this store too (an etcd cluster), so that a server may be
    /// behind a version a client learnt from another.
    pub fn shared(&self) -> bool {
        matches!(self, Backend::Etcd(_))
    }

    /// The changes other servers commit, from the revision after `read_at`: `None` for the
    /// embedded store, which no other server writes.
    pub fn follow(&self, read_at: u64) -> Result<Option<mpsc::UnboundedReceiver<Update>>, StoreError> {
        match self {
            Backend::Sled(_) => Ok(None),
            Backend::Etcd(e) => e.follow(read_at).map(Some),
        }
    }

    /// Spawns a task that runs as long as the store is followed (on the etcd client's runtime,
    /// which outlives any caller's).
    pub fn spawn(&self, fut: impl std::future::Future<Output = ()> + Send + 'static) -> Result<(), StoreError> {
        etcd::spawn(fut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_location_is_sled_with_a_directory_or_etcd_with_urls() {
        assert_eq!("sled:./data".parse(), Ok(Location::Sled(PathBuf::from("./data"))));
        assert_eq!(
            "etcd:http://127.0.0.1:2379, http://127.0.0.1:22379".parse(),
            Ok(Location::Etcd(vec!["http://127.0.0.1:2379".to_owned(), "http://127.0.0.1:22379".to_owned()]))
        );
        for bad in ["./data", "sled:", "etcd:", "etcd:127.0.0.1:2379", "redis:x"] {
            assert!(bad.parse::<Location>().is_err(), "{bad}");
        }
    }
}
