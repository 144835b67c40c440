//! The embedded store: the only code that touches sled, and the only source of truth.
//!
//! One tree per collection, keyed by slug (commitments by code), values encoded by [`codec`];
//! one tree per secondary index ([`index`]); and a `meta` tree with the format version, the
//! dataset version and the time of the last change. No sled type leaves this module.
//!
//! Seeding is all-or-nothing: the dataset version in `meta` is removed (and flushed) before the
//! trees are rewritten and written back last, so a store interrupted mid-seed is seen as empty
//! and seeded again on the next start.

pub mod codec;
mod commit;
pub mod index;

pub use commit::{Committed, Operation, RecordChange};

use crate::domain::{self, Collection, Dataset, Stamp};
use crate::seed::Seed;
use chrono::{DateTime, Utc};
use index::Index;
use serde::{de::DeserializeOwned, Serialize};
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store's lock.
    #[error("data directory {0} is in use by another process")]
    InUse(PathBuf),
    /// The data directory path exists but is not a directory.
    #[error("data directory {0} is not a directory")]
    NotADirectory(PathBuf),
    /// sled could not open the store.
    #[error("cannot open the store in {path}: {source}")]
    Open {
        /// The data directory.
        path: PathBuf,
        /// sled's reason.
        source: sled::Error,
    },
    /// The store was written by a newer build.
    #[error("the store was written by format version {found}, newer than this build's {}; run a newer build, or rebuild the store from seed/ plus your last export", codec::FORMAT_VERSION)]
    NewerFormat {
        /// The version found.
        found: u8,
    },
    /// A stored value could not be decoded.
    #[error(
        "corrupt value in tree '{tree}' at key '{key}': {source}; rebuild the store from seed/ plus your last export"
    )]
    Corrupt {
        /// The tree.
        tree: String,
        /// The key, lossily decoded.
        key: String,
        /// What went wrong.
        source: codec::CodecError,
    },
    /// sled failed while reading or writing.
    #[error("store I/O failed: {0}")]
    Sled(#[from] sled::Error),
}

/// What the store says about its dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// Changes whenever the data changes.
    pub version: String,
    /// The digest of the seed files the store was seeded from.
    pub seed_version: String,
    /// RFC 3339 time of the last write, to the millisecond.
    pub last_change: String,
    /// Writes since the store was seeded.
    pub revision: u64,
}

/// A handle on the open store. Cheap to clone: clones share one sled database.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    path: PathBuf,
    /// Record reads, for tests and benchmarks that prove the read path does not touch the store.
    reads: Arc<AtomicU64>,
}

const META: &str = "meta";
const META_FORMAT: &[u8] = b"format";
const META_VERSION: &[u8] = b"dataset_version";
const META_SEED_VERSION: &[u8] = b"seed_version";
const META_LAST_CHANGE: &[u8] = b"last_change";
const META_REVISION: &[u8] = b"revision";
const META_INDEX_VERSION: &[u8] = b"index_version";
/// The tree of every record's [`Stamp`], keyed by collection and record key.
const STAMPS: &str = "stamps";

/// A record kept in its own tree, with the index entries it owns.
trait Stored: domain::Record + Serialize + DeserializeOwned {
    fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
        Vec::new()
    }
}

impl Stored for domain::Source {}
/// Records whose only index entries are their search terms.
macro_rules! searchable {
    ($($t:ty),*) => {$(
        impl Stored for $t {
            fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
                index::search_entries(self)
            }
        }
    )*};
}

searchable!(domain::State, domain::Organization, domain::Process, domain::Document, domain::Commitment);
impl Stored for domain::Membership {
    fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
        index::membership_entries(self)
    }
}
impl Stored for domain::Chairmanship {
    fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
        index::chairmanship_entries(self)
    }
}
impl Stored for domain::Meeting {
    fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
        let mut v = index::meeting_entries(self);
        v.extend(index::search_entries(self));
        v
    }
}

/// The tree of a collection: its seed file's stem. Index and stamp keys name collections so too.
fn tree_name(c: Collection) -> &'static str {
    c.file_name().trim_end_matches(".json")
}

/// The collection whose tree has this name.
fn collection_named(name: &[u8]) -> Option<Collection> {
    Collection::ALL.into_iter().find(|c| tree_name(*c).as_bytes() == name)
}

impl Store {
    /// Opens (creating if needed) the store in `dir`. A second process on the same directory gets
    /// [`StoreError::InUse`]; a store of a newer format gets [`StoreError::NewerFormat`].
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        if dir.exists() && !dir.is_dir() {
            return Err(StoreError::NotADirectory(dir.to_owned()));
        }
        let db = sled::Config::new().path(dir).open().map_err(|source| {
            // sled reports a held lock only as an I/O error with this text.
            if source.to_string().contains("could not acquire lock") {
                StoreError::InUse(dir.to_owned())
            } else {
                StoreError::Open { path: dir.to_owned(), source }
            }
        })?;
        let store = Store { db, path: dir.to_owned(), reads: Arc::default() };
        if let Some(v) = store.db.open_tree(META)?.get(META_FORMAT)? {
            let found = v.first().copied().unwrap_or(0);
            if found > codec::FORMAT_VERSION {
                return Err(StoreError::NewerFormat { found });
            }
        }
        Ok(store)
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's metadata, or `None` if it holds no complete dataset (never seeded, or a seed
    /// was interrupted).
    pub fn meta(&self) -> Result<Option<Meta>, StoreError> {
        let meta = self.db.open_tree(META)?;
        let text = |k: &[u8]| -> Result<Option<String>, StoreError> {
            Ok(meta.get(k)?.map(|v| String::from_utf8_lossy(&v).into_owned()))
        };
        let Some(version) = text(META_VERSION)? else { return Ok(None) };
        let revision =
            meta.get(META_REVISION)?.and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok()).map_or(0, u64::from_be_bytes);
        Ok(Some(Meta {
            version,
            seed_version: text(META_SEED_VERSION)?.unwrap_or_default(),
            last_change: text(META_LAST_CHANGE)?.unwrap_or_default(),
            revision,
        }))
    }

    /// Replaces everything in the store with a validated seed, all or nothing, and flushes.
    pub fn replace_all(&self, seed: &Seed) -> Result<Meta, StoreError> {
        let meta = self.db.open_tree(META)?;
        // The commit point is META_VERSION: remove it first so an interrupted write is not a dataset.
        meta.remove(META_VERSION)?;
        self.db.flush()?;
        for c in Collection::ALL {
            self.db.open_tree(tree_name(c))?.clear()?;
        }
        self.db.open_tree(STAMPS)?.clear()?;
        let now = now();
        let ds = &seed.dataset;
        self.write_all(&ds.sources)?;
        self.write_all(&ds.states)?;
        self.write_all(&ds.organizations)?;
        self.write_all(&ds.processes)?;
        self.write_all(&ds.memberships)?;
        self.write_all(&ds.chairmanships)?;
        self.write_all(&ds.meetings)?;
        self.write_all(&ds.documents)?;
        self.write_all(&ds.commitments)?;
        self.write_indexes(&all_index_entries(ds))?;
        let mut stamps = sled::Batch::default();
        let stamp = commit::fresh_stamp(now)?;
        for (c, key) in ds.keys() {
            stamps.insert(commit::stamp_key(c, key.as_bytes()), stamp.clone());
        }
        self.db.open_tree(STAMPS)?.apply_batch(stamps)?;
        let m = Meta {
            version: seed.version.clone(),
            seed_version: seed.version.clone(),
            last_change: rfc3339(now),
            revision: 0,
        };
        meta.insert(META_FORMAT, &[codec::FORMAT_VERSION])?;
        meta.insert(META_REVISION, &0u64.to_be_bytes())?;
        meta.insert(META_INDEX_VERSION, &[index::INDEX_VERSION])?;
        meta.insert(META_SEED_VERSION, m.seed_version.as_bytes())?;
        meta.insert(META_LAST_CHANGE, m.last_change.as_bytes())?;
        meta.insert(META_VERSION, m.version.as_bytes())?;
        self.db.flush()?;
        Ok(m)
    }

    fn write_all<T: Stored>(&self, records: &[T]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for r in records {
            let bytes = codec::encode(r).map_err(|source| StoreError::Corrupt {
                tree: tree_name(T::COLLECTION).to_owned(),
                key: r.key().to_owned(),
                source,
            })?;
            batch.insert(r.key().as_bytes(), bytes);
        }
        self.db.open_tree(tree_name(T::COLLECTION))?.apply_batch(batch)?;
        Ok(())
    }

    /// Reads the whole dataset, each collection in key order.
    pub fn load(&self) -> Result<Dataset, StoreError> {
        Ok(Dataset {
            sources: self.read_all()?,
            states: self.read_all()?,
            organizations: self.read_all()?,
            processes: self.read_all()?,
            memberships: self.read_all()?,
            chairmanships: self.read_all()?,
            meetings: self.read_all()?,
            documents: self.read_all()?,
            commitments: self.read_all()?,
        })
    }

    /// Replaces the content of every index tree with `entries`.
    fn write_indexes(&self, entries: &[(Index, Vec<u8>)]) -> Result<(), StoreError> {
        for i in Index::ALL {
            let tree = self.db.open_tree(i.tree_name())?;
            tree.clear()?;
            let mut batch = sled::Batch::default();
            for (_, k) in entries.iter().filter(|(ix, _)| *ix == i) {
                batch.insert(k.as_slice(), &[] as &[u8]);
            }
            tree.apply_batch(batch)?;
        }
        Ok(())
    }

    /// Rebuilds every index from the records, and stamps records that have none (with the time
    /// of the rebuild), if the indexes were built by another layout version: a store seeded by
    /// an older build gains the indexes this one reads. Returns whether it rebuilt anything.
    pub fn upgrade_indexes(&self) -> Result<bool, StoreError> {
        let meta = self.db.open_tree(META)?;
        if meta.get(META_VERSION)?.is_none()
            || meta.get(META_INDEX_VERSION)?.as_deref() == Some(&[index::INDEX_VERSION])
        {
            return Ok(false);
        }
        let ds = self.load()?;
        self.write_indexes(&all_index_entries(&ds))?;
        let stamps = self.db.open_tree(STAMPS)?;
        let fresh = commit::fresh_stamp(now())?;
        for (c, key) in ds.keys() {
            let k = commit::stamp_key(c, key.as_bytes());
            if stamps.get(&k)?.is_none() {
                stamps.insert(k, fresh.clone())?;
            }
        }
        meta.insert(META_INDEX_VERSION, &[index::INDEX_VERSION])?;
        self.db.flush()?;
        Ok(true)
    }

    /// The records whose search terms include `term`: (collection, key, field) for each.
    pub fn search(&self, term: &str) -> Result<Vec<(Collection, String, domain::Field)>, StoreError> {
        let mut prefix = term.as_bytes().to_vec();
        prefix.push(0);
        let mut out = Vec::new();
        for item in self.db.open_tree(Index::Search.tree_name())?.scan_prefix(&prefix) {
            let (k, _) = item?;
            self.reads.fetch_add(1, Ordering::Relaxed);
            let parts: Vec<&[u8]> = k[prefix.len()..].splitn(3, |b| *b == 0).collect();
            if let [collection, field, key] = parts[..] {
                if let Some(c) = collection_named(collection) {
                    out.push((c, String::from_utf8_lossy(key).into_owned(), index::field_of(field)));
                }
            }
        }
        Ok(out)
    }

    /// Every record's stamp, by collection and key.
    pub fn stamps(&self) -> Result<HashMap<(Collection, String), Stamp>, StoreError> {
        let mut out = HashMap::new();
        for item in self.db.open_tree(STAMPS)?.iter() {
            let (k, v) = item?;
            let corrupt = |source| StoreError::Corrupt { tree: STAMPS.to_owned(), key: show_key(&k), source };
            let stamp = commit::decode_stamp(&v).map_err(corrupt)?;
            let mut parts = k.splitn(2, |b| *b == 0);
            let (tree, key) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            if let Some(c) = collection_named(tree) {
                out.insert((c, String::from_utf8_lossy(key).into_owned()), stamp);
            }
        }
        Ok(out)
    }

    fn read_all<T: Stored>(&self) -> Result<Vec<T>, StoreError> {
        let name = tree_name(T::COLLECTION);
        let mut out = Vec::new();
        for item in self.db.open_tree(name)?.iter() {
            let (k, v) = item?;
            self.reads.fetch_add(1, Ordering::Relaxed);
            out.push(codec::decode(&v).map_err(|source| StoreError::Corrupt {
                tree: name.to_owned(),
                key: String::from_utf8_lossy(&k).into_owned(),
                source,
            })?);
        }
        Ok(out)
    }

    /// The slugs an index holds under a key prefix, in key order (for example every meeting of an
    /// actor in one role: `index::key(&[b"de", b"co-host"])`).
    pub fn index_scan(&self, index: Index, prefix: &[u8]) -> Result<Vec<String>, StoreError> {
        let mut prefix = prefix.to_vec();
        if !prefix.is_empty() {
            prefix.push(0);
        }
        let mut out = Vec::new();
        for item in self.db.open_tree(index.tree_name())?.scan_prefix(&prefix) {
            let (k, _) = item?;
            self.reads.fetch_add(1, Ordering::Relaxed);
            out.push(String::from_utf8_lossy(index::target(&k)).into_owned());
        }
        Ok(out)
    }

    /// Checks that the store is consistent: a complete dataset is recorded, every record decodes,
    /// every index entry points at a record that owns it, and every record is in every index it
    /// belongs to. Returns the problems found (none: consistent).
    pub fn check(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        if self.meta()?.is_none() {
            problems.push("no complete dataset is recorded (never seeded, or a seed was interrupted)".to_owned());
        }
        let ds = self.load()?;
        let stamps = self.stamps()?;
        let mut stamped: BTreeSet<(Collection, String)> = stamps.into_keys().collect();
        for (c, key) in ds.keys() {
            if !stamped.remove(&(c, key.to_owned())) {
                problems.push(format!("{} '{key}' has no stamp (createdAt/updatedAt)", c.noun()));
            }
        }
        for (c, key) in stamped {
            problems.push(format!("{STAMPS}: a stamp for {} '{key}', which does not exist", c.noun()));
        }
        let expected: BTreeSet<(Index, Vec<u8>)> = all_index_entries(&ds).into_iter().collect();
        for i in Index::ALL {
            let mut actual: BTreeSet<Vec<u8>> = BTreeSet::new();
            for k in self.db.open_tree(i.tree_name())?.iter().keys() {
                actual.insert(k?.to_vec());
            }
            let wanted: BTreeSet<Vec<u8>> =
                expected.iter().filter(|(ix, _)| *ix == i).map(|(_, k)| k.clone()).collect();
            for k in actual.difference(&wanted) {
                problems.push(format!("{}: entry {:?} points at no record that owns it", i.tree_name(), show_key(k)));
            }
            for k in wanted.difference(&actual) {
                problems.push(format!("{}: entry {:?} is missing", i.tree_name(), show_key(k)));
            }
        }
        Ok(problems)
    }

    /// Bytes the store occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        Ok(self.db.size_on_disk()?)
    }

    /// How many records and index entries have been read from disk since the store was opened.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Writes everything to disk.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        Ok(())
    }

    /// Makes the store look as if an older build had seeded it: no index version, no full-text
    /// index and no stamps. For tests of [`Store::upgrade_indexes`].
    #[doc(hidden)]
    pub fn downgrade_for_test(&self) -> Result<(), StoreError> {
        self.db.open_tree(META)?.remove(META_INDEX_VERSION)?;
        self.db.open_tree(Index::Search.tree_name())?.clear()?;
        self.db.open_tree(STAMPS)?.clear()?;
        Ok(())
    }

    /// Removes one index entry; for tests of the consistency check.
    #[doc(hidden)]
    pub fn corrupt_index_for_test(&self, index: Index, key: &[u8]) -> Result<(), StoreError> {
        self.db.open_tree(index.tree_name())?.remove(key)?;
        Ok(())
    }
}

/// Every index entry the records of a dataset own.
fn all_index_entries(ds: &Dataset) -> Vec<(Index, Vec<u8>)> {
    fn of<T: Stored>(v: &[T], out: &mut Vec<(Index, Vec<u8>)>) {
        out.extend(v.iter().flat_map(Stored::index_entries));
    }
    let mut out = Vec::new();
    of(&ds.sources, &mut out);
    of(&ds.states, &mut out);
    of(&ds.organizations, &mut out);
    of(&ds.processes, &mut out);
    of(&ds.memberships, &mut out);
    of(&ds.chairmanships, &mut out);
    of(&ds.meetings, &mut out);
    of(&ds.documents, &mut out);
    of(&ds.commitments, &mut out);
    out
}

fn show_key(k: &[u8]) -> String {
    String::from_utf8_lossy(k).replace('\0', "/")
}

/// A time as RFC 3339 in UTC, to the millisecond: the form of `lastChange`.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The current time in UTC (from the system clock, without chrono's `clock` feature and the
/// time-zone discovery it brings).
pub fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}
