//! The embedded store: the only code that touches sled, and the only source of truth.
//!
//! For several servers, the dataset lives in an etcd cluster instead ([`etcd`]); the service sees
//! either store through [`Backend`], chosen by `--store` ([`Location`]).
//!
//! One tree per collection, keyed by slug (commitments by code), values encoded by [`codec`];
//! one tree per secondary index ([`index`]); and a `meta` tree with the format version, the
//! dataset version and the time of the last change. No sled type leaves this module.
//!
//! Durability: sled 0.34's `flush` writes its log with `sync_file_range`, which persists data
//! pages but not the metadata (file size, new extents) that reaches them, and leaves the blob
//! files and directory entries it created to its periodic `fsync`. [`Store::flush`] therefore
//! follows sled's flush with an `fsync` of sled's log file (through a descriptor kept open since
//! the store was opened, so that a failed writeback is reported to it), of every blob file not
//! yet synced, and of the directories where files were created, renamed or removed: only then is
//! a write acknowledged. A data directory the store creates is synced into its parent as well.
//!
//! Seeding is all-or-nothing: the dataset version in `meta` is removed (and flushed) before the
//! trees are rewritten and written back last, so a store interrupted mid-seed is seen as empty
//! and seeded again on the next start. A file `SEEDED` beside sled's files, written after a seed
//! is flushed, tells such a store from one whose damaged files sled read as empty: that one is
//! refused ([`StoreError::LostDataset`]) rather than silently reseeded.
//!
//! Every error that leaves the module names the data directory and says what to do, in one line.

mod backend;
pub mod codec;
mod commit;
pub mod etcd;
mod history;
pub mod index;
mod legacy;

pub use backend::{Backend, Location, Snapshot};
pub use commit::{Committed, Operation, RecordChange, Touched};
pub use etcd::{apply, Update};
pub use history::{ChangeRecord, HistoryError, DEFAULT_HISTORY_LIMIT};

use crate::domain::{self, Collection, Dataset, Stamps};
use chrono::{DateTime, Utc};
use index::Index;
use serde::{de::DeserializeOwned, Serialize};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};

/// What to do about a store that cannot be used: the end of every "damaged" message.
const REBUILD: &str = "move it aside and rebuild it with `khartoum-graphql seed` from seed/ or your last export";

/// Why the store could not do what was asked. Every message is one line that names the data
/// directory and says what to do, because the binary prints it as it is.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store's lock.
    #[error("data directory {0} is in use by another process; stop that process first (a store admits one), or pass another --data-dir")]
    InUse(PathBuf),
    /// The data directory path exists but is not a directory.
    #[error("data directory {0} is not a directory; pass a directory as --data-dir (a missing one is created)")]
    NotADirectory(PathBuf),
    /// A command that reads a store was pointed at a directory that holds none.
    #[error("data directory {0} holds no store; create one with `khartoum-graphql seed` (or `serve`), or pass the right --data-dir")]
    Missing(PathBuf),
    /// The data directory is missing and cannot be created.
    #[error("cannot create data directory {path} ({reason}); create it, writable by the user running khartoum-graphql, or pass another --data-dir")]
    CannotCreate {
        /// The data directory.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The data directory, or a file in it, cannot be written.
    #[error("data directory {path} is not writable ({reason}); give the user running khartoum-graphql write access to it, or pass another --data-dir")]
    NotWritable {
        /// The data directory.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// sled found its files damaged, or failed in a way only damaged files explain.
    #[error("the store in {path} is damaged ({detail}); {REBUILD}")]
    Damaged {
        /// The data directory.
        path: PathBuf,
        /// sled's account of the damage.
        detail: String,
    },
    /// The store was seeded once (its marker file says so), but sled recovered no dataset from
    /// its files: they were damaged or replaced, and reseeding would silently drop every write.
    #[error("the store in {0} has lost its dataset: it was seeded, but its files now hold none (they are damaged or were replaced); {REBUILD}")]
    LostDataset(PathBuf),
    /// The store was written by a newer build.
    #[error("the store in {path} was written by a newer build (store format {found}, this build reads format {}); run a newer build of khartoum-graphql, or {REBUILD}", codec::FORMAT_VERSION)]
    NewerFormat {
        /// The data directory.
        path: PathBuf,
        /// The version found.
        found: u8,
    },
    /// A stored value could not be decoded.
    #[error("the store in {path} is damaged (the value in tree '{tree}' at key '{key}' does not decode: {cause}); {REBUILD}")]
    Corrupt {
        /// The data directory.
        path: PathBuf,
        /// The tree.
        tree: String,
        /// The key, lossily decoded.
        key: String,
        /// What went wrong. Not the error's `source`: the message already holds it, and the
        /// binary prints a whole chain of sources on its one line.
        cause: codec::CodecError,
    },
    /// sled failed while reading or writing.
    #[error("the store in {path} failed ({detail}); if this repeats, {REBUILD}")]
    Io {
        /// The data directory.
        path: PathBuf,
        /// sled's reason.
        detail: String,
    },
    /// Writes are refused because the last one failed on the disk (full, or failing), and
    /// opening sled's files again did not make the store writable.
    #[error("the store in {path} cannot write ({reason}); reads are served from memory; free disk space or fix the disk, and writes resume by themselves")]
    Unwritable {
        /// The data directory.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// Writes are refused because the last one failed on the disk with an I/O error (not a full
    /// disk): the kernel may have dropped what it could not write back, so sled's files, even
    /// opened again, may show this process data the disk does not hold, and a write made over
    /// them could be acknowledged and then lost. Only a restart reads what is durable.
    #[error("the store in {path} cannot write ({reason}); reads are served from memory; the disk failed under a write, so what it holds may be behind what this server saw: writes are refused until the server is restarted on a healthy disk")]
    Broken {
        /// The data directory.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// The data directory, or sled's files in it, were removed or replaced while the store was
    /// open: whatever was written now would go to files nobody can open again.
    #[error("the data directory {0} was removed or replaced while the server ran; writes are refused so that none is lost; stop the server, restore the directory from a backup (or rebuild it with `khartoum-graphql seed` from seed/ or your last export), and start it again")]
    Vanished(PathBuf),
    /// A server noticed that this data directory lost its dataset while it ran, and left a
    /// marker: starting on it would seed a fresh store over the loss and hide it.
    #[error("the data directory {0} lost its dataset while a server was using it (it was removed or replaced), so the writes made since its last backup are gone; the server does not seed a fresh store over that: restore the directory from a backup, or, to start again from the seed files on purpose, run `khartoum-graphql seed --replace` or delete {0}/DATASET-LOST")]
    DatasetLost(PathBuf),
    /// The etcd cluster could not be reached, or failed a request.
    #[error("the etcd cluster at {endpoints} failed ({detail}); check that a majority of its members is running and reachable from this server")]
    Etcd {
        /// Its endpoints, comma-separated.
        endpoints: String,
        /// What failed.
        detail: String,
    },
    /// The etcd cluster refused a write for its size: it touches more records than one etcd
    /// transaction of this cluster holds (two operations a record and one more, against
    /// `--max-txn-ops`, 128 unless set; or more bytes than `--max-request-bytes`). Nothing was
    /// written.
    #[error("the write touches {records} records, more than one transaction of the etcd cluster holds ({detail}); nothing was written; split it into smaller writes, or raise the cluster's --max-txn-ops (two a record, plus one) or --max-request-bytes")]
    WriteTooLarge {
        /// How many records the write touches.
        records: usize,
        /// etcd's reason.
        detail: String,
    },
    /// An etcd cluster that a command reads holds no complete dataset.
    #[error("the etcd cluster at {0} holds no dataset (never seeded, or a seed is under way); seed it with `khartoum-graphql seed --store etcd:{0}`")]
    EtcdEmpty(String),
    /// Another server changed the dataset after this write read it: the write was not made.
    #[error("the dataset changed on another server (it is at revision {revision}) after this write read it; nothing was written")]
    Stale {
        /// The revision the dataset is at.
        revision: u64,
    },
    /// sled failed, before the failure was located in a data directory (see [`Store::located`]).
    #[error("store I/O failed: {0}")]
    Sled(sled::Error),
}

// By hand rather than `#[from]`, which would also make sled's error the source and print it twice.
impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Sled(e)
    }
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

impl StoreError {
    /// Whether the error says that the store cannot write now (a full or failing disk, a data
    /// directory removed), as opposed to a write that was wrong or a store that is damaged.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Unwritable { .. }
                | StoreError::Broken { .. }
                | StoreError::Vanished(_)
                | StoreError::Etcd { .. }
        )
    }
}

/// Why the store cannot write, as `/health` and `/ready` report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteProblem {
    /// The last write failed because the disk was full; the next one tries to open sled's files
    /// again.
    Failing(String),
    /// The last write failed on the disk with an I/O error; writes are refused until a restart
    /// ([`StoreError::Broken`]).
    Broken(String),
    /// The data directory was removed or replaced while the store was open.
    Vanished,
    /// The etcd cluster cannot take writes: it has no quorum, or this server cannot reach it.
    Cluster(String),
}

impl std::fmt::Display for WriteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteProblem::Failing(reason) => write!(f, "the last write failed on the disk: {reason}"),
            WriteProblem::Broken(reason) => {
                write!(f, "the last write failed on the disk: {reason}; writes are refused until a restart")
            }
            WriteProblem::Vanished => f.write_str("the data directory was removed or replaced while the server ran"),
            WriteProblem::Cluster(reason) => write!(f, "the etcd cluster cannot take writes now: {reason}"),
        }
    }
}

/// A handle on the open store. Cheap to clone: clones share one sled database.
#[derive(Clone)]
pub struct Store {
    /// sled's database; replaced when a store whose writes failed is opened again. A std lock:
    /// it is held only to clone the handle or to swap it, never across an `await`.
    db: Arc<std::sync::RwLock<Option<sled::Db>>>,
    path: PathBuf,
    /// The device and inode of sled's log file when the store was opened, to notice the data
    /// directory being removed or replaced under a running server.
    identity: Option<(u64, u64)>,
    /// Why writes are refused, if they are.
    problem: Arc<Mutex<Option<WriteProblem>>>,
    /// Record reads, for tests and benchmarks that prove the read path does not touch the store.
    reads: Arc<AtomicU64>,
    /// The blob files of sled's already made durable, so that a flush syncs only new ones. A
    /// std mutex: it is held only inside a blocking sync, never across an `await`.
    synced_blobs: Arc<Mutex<HashSet<OsString>>>,
    /// sled's log file, opened with the database and kept open, for the `fsync` that makes a
    /// write durable. Linux reports a failed writeback once to each descriptor open when it
    /// failed (`errseq`): sled's own descriptor may take that report and go on, and a descriptor
    /// opened afterwards would then be told nothing, so an `fsync` on it could succeed over data
    /// that never reached the disk. A std lock, as `db`'s.
    log: Arc<std::sync::RwLock<std::fs::File>>,
    /// How many writes the change log keeps ([`history`]).
    history_limit: Arc<AtomicU64>,
}

const META: &str = "meta";
const META_FORMAT: &[u8] = b"format";
const META_VERSION: &[u8] = b"dataset_version";
const META_SEED_VERSION: &[u8] = b"seed_version";
const META_LAST_CHANGE: &[u8] = b"last_change";
const META_REVISION: &[u8] = b"revision";
const META_INDEX_VERSION: &[u8] = b"index_version";
/// The file, beside sled's, whose presence says that the store was seeded (see
/// [`StoreError::LostDataset`]).
const SEEDED_MARKER: &str = "SEEDED";
/// Where the marker is written before it is renamed into place, so that it appears whole or not
/// at all.
const SEEDED_MARKER_TMP: &str = "SEEDED.tmp";
/// The file a server leaves in the place of a data directory that vanished under it, so that the
/// next start refuses to seed over the loss instead of hiding it.
const LOST_MARKER: &str = "DATASET-LOST";
/// sled's log file, the directory of its blob files (values too large for the log), and its
/// configuration file, in the data directory.
const SLED_LOG: &str = "db";
const SLED_BLOBS: &str = "blobs";
const SLED_CONF: &str = "conf";

/// The tree of every record's [`Stamp`], keyed by collection and record key.
const STAMPS: &str = "stamps";
/// About how many bytes of keys and values one batch of a seed or an index rebuild carries
/// before it is flushed. sled reuses the space of rewritten pages only once they are flushed:
/// seeded with one batch per tree, the 1000× growth seed took 296 MB on disk; in batches of this
/// size with a flush after each, 281 MB, in the same time.
const BATCH_BYTES: usize = 4 << 20;

/// Posting lists: by index and list key (see [`index::list_key`]), their members.
type Lists = BTreeMap<(Index, Vec<u8>), Vec<Vec<u8>>>;

/// A record kept in its own tree, with the index entries it owns.
trait Stored: domain::Record + Serialize + DeserializeOwned {
    fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
        Vec::new()
    }

    /// Decodes a stored record of any format version this build reads.
    fn decode(bytes: &[u8]) -> Result<Self, codec::CodecError> {
        codec::decode(bytes)
    }
}

impl Stored for domain::Source {
    fn decode(bytes: &[u8]) -> Result<Self, codec::CodecError> {
        legacy::source(bytes)
    }
}
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

searchable!(domain::State, domain::Process, domain::Document, domain::Commitment, domain::Person);
impl Stored for domain::Organization {
    fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
        index::search_entries(self)
    }

    fn decode(bytes: &[u8]) -> Result<Self, codec::CodecError> {
        legacy::organization(bytes)
    }
}
impl Stored for domain::Membership {
    fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
        index::membership_entries(self)
    }

    fn decode(bytes: &[u8]) -> Result<Self, codec::CodecError> {
        legacy::membership(bytes)
    }
}
impl Stored for domain::Chairmanship {
    fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
        index::chairmanship_entries(self)
    }

    fn decode(bytes: &[u8]) -> Result<Self, codec::CodecError> {
        legacy::chairmanship(bytes)
    }
}
impl Stored for domain::Meeting {
    fn index_entries(&self) -> Vec<(Index, Vec<u8>)> {
        let mut v = index::meeting_entries(self);
        v.extend(index::search_entries(self));
        v
    }

    fn decode(bytes: &[u8]) -> Result<Self, codec::CodecError> {
        legacy::meeting(bytes)
    }
}

/// The tree of a collection: its seed file's stem. Index and stamp keys name collections so too.
fn tree_name(c: Collection) -> &'static str {
    c.file_name().trim_end_matches(".json")
}

/// How many bytes of the store's pages sled keeps in memory (its `cache_capacity`; sled's own
/// default is 1 GiB). The server answers every read from its read model, so sled's cache serves
/// only writes and the change history, whose pages would otherwise stay in memory until the
/// history limit drops them: about a kilobyte per write kept, ten thousand writes by default.
pub const STORE_CACHE_BYTES: u64 = 8 * 1024 * 1024;

/// How long a held lock is waited for before the store is called in use.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Opens sled's files in `dir`. sled releases its file lock from a background thread after the
/// last handle is dropped (sled issue 1289), so a store closed a moment ago, in this process or by
/// one that is still exiting, can look held for a few milliseconds, longer on a busy machine: a
/// held lock is retried for up to [`LOCK_WAIT`] before it is reported as [`StoreError::InUse`].
fn open_sled(dir: &Path) -> Result<sled::Db, StoreError> {
    let started = std::time::Instant::now();
    let mut waiting = false;
    loop {
        match sled::Config::new()
            .path(dir)
            .cache_capacity(STORE_CACHE_BYTES)
            .open()
            .map_err(|e| locate(dir, StoreError::Sled(e)))
        {
            Err(StoreError::InUse(_)) if started.elapsed() < LOCK_WAIT => {
                if !waiting {
                    tracing::info!(dir = %dir.display(), wait = ?LOCK_WAIT, "the data directory is held; waiting for it");
                    waiting = true;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Whether a failed write failed for want of space (ENOSPC, EDQUOT): nothing of it entered the
/// page cache, so sled's files opened again show only what the disk holds, and writes may resume
/// once space returns. Any other failure may have left data in memory that never reached the
/// disk. sled's errors keep their `io::Error`; the store's own, and sled's once located, carry
/// its rendering, which holds the system's message for the error.
fn disk_full(e: &StoreError) -> bool {
    const FULL: [i32; 2] = [28, 122];
    let rendered = |s: &str| ["No space left on device", "Disk quota exceeded"].iter().any(|m| s.contains(m));
    match e {
        StoreError::Sled(sled::Error::Io(io)) => io.raw_os_error().is_some_and(|c| FULL.contains(&c)),
        StoreError::Io { detail, .. } => rendered(detail),
        StoreError::NotWritable { reason, .. } => rendered(reason),
        _ => false,
    }
}

/// Opens sled's log file for [`Store::log`], right after sled opened it.
fn open_log(dir: &Path) -> Result<std::fs::File, StoreError> {
    std::fs::File::open(dir.join(SLED_LOG)).map_err(|e| StoreError::Io {
        path: dir.to_owned(),
        detail: format!("cannot open sled's log file to make writes durable: {e}"),
    })
}

/// The collection whose tree has this name.
fn collection_named(name: &[u8]) -> Option<Collection> {
    Collection::ALL.into_iter().find(|c| tree_name(*c).as_bytes() == name)
}

impl Store {
    /// Opens the store in `dir`, creating the directory and an empty store if it is missing (for
    /// `serve` and `seed`). A second process on the same directory gets [`StoreError::InUse`]; a
    /// store of a newer format gets [`StoreError::NewerFormat`]; a seeded store whose files no
    /// longer hold its dataset gets [`StoreError::LostDataset`].
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        recovering(dir, || Self::open_with(dir, Opening::Create))
    }

    /// Opens a store that must already exist (for `check-store` and `export`, which must not
    /// leave an empty store behind where the user mistyped a path): a missing directory, or one
    /// without a store in it, gets [`StoreError::Missing`].
    pub fn open_existing(dir: &Path) -> Result<Store, StoreError> {
        recovering(dir, || Self::open_with(dir, Opening::Existing))
    }

    /// Opens the store in `dir` to replace all it holds (`seed --replace`): like [`Store::open`],
    /// but a store that lost its dataset is accepted, since replacing it is the repair.
    pub fn open_to_replace(dir: &Path) -> Result<Store, StoreError> {
        recovering(dir, || Self::open_with(dir, Opening::Replace))
    }

    fn open_with(dir: &Path, opening: Opening) -> Result<Store, StoreError> {
        let not_writable = |e: &std::io::Error| StoreError::NotWritable { path: dir.to_owned(), reason: e.to_string() };
        let lost = dir.join(LOST_MARKER);
        if lost.exists() {
            if opening != Opening::Replace {
                return Err(StoreError::DatasetLost(dir.to_owned()));
            }
            // Replacing everything is the operator's decision to start again.
            std::fs::remove_file(&lost).map_err(|e| not_writable(&e))?;
        }
        match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => return Err(StoreError::NotADirectory(dir.to_owned())),
            Ok(_) => {
                // sled's own files: without them there is no store, and sled would create one.
                let has_store = dir.join(SLED_CONF).exists() || dir.join(SLED_LOG).exists();
                if opening == Opening::Existing && !has_store {
                    return Err(StoreError::Missing(dir.to_owned()));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if opening == Opening::Existing {
                    return Err(StoreError::Missing(dir.to_owned()));
                }
                // Created here rather than by sled, so that a failure names the directory.
                create_dir_durably(dir).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotADirectory => StoreError::NotADirectory(dir.to_owned()),
                    _ => StoreError::CannotCreate { path: dir.to_owned(), reason: e.to_string() },
                })?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                return Err(StoreError::NotADirectory(dir.to_owned()))
            }
            Err(e) => return Err(not_writable(&e)),
        }
        let db = open_sled(dir)?;
        let log = open_log(dir)?;
        let store = Store {
            db: Arc::new(std::sync::RwLock::new(Some(db))),
            path: dir.to_owned(),
            identity: file_identity(&dir.join(SLED_LOG)),
            problem: Arc::default(),
            reads: Arc::default(),
            synced_blobs: Arc::default(),
            log: Arc::new(std::sync::RwLock::new(log)),
            history_limit: Arc::new(AtomicU64::new(DEFAULT_HISTORY_LIMIT)),
        };
        store.located(store.check_opened(opening))?;
        // sled has just created its files (a new store) or may have renamed a snapshot: their
        // directory entries become durable before any write is acknowledged. sled writes its
        // `conf` once, when it creates the store, and never syncs it.
        store.sync_files()?;
        match std::fs::File::open(dir.join(SLED_CONF)) {
            Ok(conf) => conf.sync_all().map_err(|e| not_writable(&e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(not_writable(&e)),
        }
        Ok(store)
    }

    /// The checks on a store just opened: its format, and whether a seeded store still holds
    /// its dataset.
    fn check_opened(&self, opening: Opening) -> Result<(), StoreError> {
        let meta = self.db()?.open_tree(META)?;
        if let Some(v) = meta.get(META_FORMAT)? {
            let found = v.first().copied().unwrap_or(0);
            if found > codec::FORMAT_VERSION {
                return Err(StoreError::NewerFormat { path: PathBuf::new(), found });
            }
        }
        let marker = self.path.join(SEEDED_MARKER);
        let has_dataset = meta.get(META_VERSION)?.is_some();
        if !has_dataset && marker.exists() && opening != Opening::Replace {
            return Err(StoreError::LostDataset(PathBuf::new()));
        }
        if has_dataset && !marker.exists() {
            // A store seeded before the marker existed gets it now.
            self.write_marker()?;
        }
        Ok(())
    }

    /// Records, outside sled's files, that this store holds a dataset: if sled later recovers
    /// none from damaged files, the store is refused rather than taken for a new one and reseeded.
    /// The marker is written to a temporary file, synced, renamed into place and its directory
    /// synced: after a power cut it is there whole, or not at all.
    fn write_marker(&self) -> Result<(), StoreError> {
        let text = "This store holds a dataset seeded by khartoum-graphql. If sled ever recovers no \
                    dataset from the files here, the store is refused instead of being reseeded.\n";
        let tmp = self.path.join(SEEDED_MARKER_TMP);
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            std::io::Write::write_all(&mut f, text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, self.path.join(SEEDED_MARKER))?;
            sync_dir(&self.path)
        })();
        written.map_err(|e| StoreError::NotWritable { path: self.path.clone(), reason: e.to_string() })
    }

    /// Makes durable what sled has written: an `fsync` of sled's log file, of each blob file
    /// created since the last sync, and of the directories whose entries changed (new blobs,
    /// removed blobs, renamed snapshots). sled's own flush persists data pages only
    /// (`sync_file_range`), so without this an acknowledged write can be lost in a power cut
    /// even though sled reported it flushed.
    fn sync_files(&self) -> Result<(), StoreError> {
        if self.vanished() {
            return Err(StoreError::Vanished(self.path.clone()));
        }
        let failed = |e: std::io::Error| StoreError::Io {
            path: self.path.clone(),
            detail: format!("making sled's files durable failed: {e}"),
        };
        self.log.read().unwrap_or_else(std::sync::PoisonError::into_inner).sync_all().map_err(failed)?;
        let blobs_dir = self.path.join(SLED_BLOBS);
        let mut synced = self.synced_blobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut present = HashSet::new();
        let mut changed = false;
        match std::fs::read_dir(&blobs_dir) {
            Ok(entries) => {
                for entry in entries {
                    let name = entry.map_err(failed)?.file_name();
                    if !synced.contains(&name) {
                        match std::fs::File::open(blobs_dir.join(&name)) {
                            Ok(f) => f.sync_all().map_err(failed)?,
                            // Removed by sled's garbage collection since it was listed.
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                            Err(e) => return Err(failed(e)),
                        }
                        changed = true;
                    }
                    present.insert(name);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed(e)),
        }
        changed |= synced.len() != present.len() || synced.iter().any(|n| !present.contains(n));
        if changed && blobs_dir.is_dir() {
            sync_dir(&blobs_dir).map_err(failed)?;
        }
        *synced = present;
        // The data directory itself: sled renames snapshots into it and creates its files there.
        sync_dir(&self.path).map_err(failed)
    }

    /// sled's flush, then [`Store::sync_files`]: the point after which what was written survives
    /// a power cut. For the synchronous paths (seeding, upgrades).
    fn flush_durably(&self) -> Result<(), StoreError> {
        self.db()?.flush()?;
        self.sync_files()
    }

    /// Gives an error from this store its data directory, and tells damage, permissions and
    /// other failures of sled apart.
    fn located<T>(&self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        r.map_err(|e| locate(&self.path, e))
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// sled's database, or an error if opening it again after a failed write did not succeed.
    fn db(&self) -> Result<sled::Db, StoreError> {
        let slot = self.db.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.clone().ok_or_else(|| StoreError::Unwritable {
            path: self.path.clone(),
            reason: "sled's files could not be opened again after a failed write".to_owned(),
        })
    }

    /// Why writes are refused now, if they are: a failed write not yet recovered from, or a data
    /// directory that is no longer the one opened (checked on the filesystem each time).
    pub fn write_problem(&self) -> Option<WriteProblem> {
        if self.vanished() {
            self.set_problem(Some(WriteProblem::Vanished));
        }
        self.problem.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    fn set_problem(&self, problem: Option<WriteProblem>) {
        let mut slot = self.problem.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if problem == Some(WriteProblem::Vanished) && *slot != Some(WriteProblem::Vanished) {
            self.mark_lost();
        }
        // A vanished directory stays vanished: only a restart on a restored one clears it.
        if *slot != Some(WriteProblem::Vanished) {
            *slot = problem;
        }
    }

    /// Whether sled's log file is no longer the one this store opened (removed, or the directory
    /// replaced by another).
    /// Leaves [`LOST_MARKER`] where the data directory was (creating the directory again if it
    /// is gone), so that the next start does not seed over the loss. Best effort: a directory
    /// that cannot be written is logged, and then nothing marks the loss.
    fn mark_lost(&self) {
        let written = std::fs::create_dir_all(&self.path).and_then(|()| {
            std::fs::write(
                self.path.join(LOST_MARKER),
                "A khartoum-graphql server found this data directory removed or replaced while it ran.\n\
                 Writes made since the last backup are lost. Restore the directory from a backup, or\n\
                 delete this file (or run `khartoum-graphql seed --replace`) to start again from the seed files.\n",
            )
        });
        match written {
            Ok(()) => {
                tracing::error!(path = %self.path.display(), "the data directory vanished; left {LOST_MARKER} so that no start seeds over the loss")
            }
            Err(e) => {
                tracing::error!(path = %self.path.display(), error = %e, "the data directory vanished, and {LOST_MARKER} could not be left in its place")
            }
        }
    }

    fn vanished(&self) -> bool {
        use std::os::unix::fs::MetadataExt;
        let now = || std::fs::metadata(self.path.join(SLED_LOG)).map(|m| (m.dev(), m.ino()));
        self.identity.is_some_and(|identity| replaced(now(), identity))
    }

    /// Makes sure a write can go ahead, before it commits anything. A data directory that was
    /// removed or replaced refuses it ([`StoreError::Vanished`]). After a write failed on the
    /// disk, sled keeps failing until its files are opened again: this closes and reopens them,
    /// so that writes resume by themselves once the disk has room again; it returns `true`
    /// when it did, since what the store holds must then be read again.
    pub fn prepare_write(&self) -> Result<bool, StoreError> {
        match self.write_problem() {
            // A cluster's problem is etcd's, never this store's.
            None | Some(WriteProblem::Cluster(_)) => Ok(false),
            Some(WriteProblem::Vanished) => Err(StoreError::Vanished(self.path.clone())),
            Some(WriteProblem::Broken(reason)) => Err(StoreError::Broken { path: self.path.clone(), reason }),
            Some(WriteProblem::Failing(reason)) => {
                let mut slot = self.db.write().unwrap_or_else(std::sync::PoisonError::into_inner);
                // sled lets go of its file lock once the last handle is dropped.
                drop(slot.take());
                let reopened = recovering(&self.path, || open_sled(&self.path))
                    .and_then(|db| open_log(&self.path).map(|log| (db, log)));
                match reopened {
                    Ok((db, log)) => {
                        *slot = Some(db);
                        drop(slot);
                        *self.log.write().unwrap_or_else(std::sync::PoisonError::into_inner) = log;
                        tracing::info!(data_dir = %self.path.display(), "reopened the store after a failed write");
                        self.set_problem(None);
                        Ok(true)
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the store could not be opened again after a failed write");
                        Err(StoreError::Unwritable { path: self.path.clone(), reason })
                    }
                }
            }
        }
    }

    /// Records the outcome of a write for [`Store::write_problem`]: a failure that is not the
    /// write's own fault makes the store refuse writes until it is reopened.
    /// A failed write on the disk comes back as [`StoreError::Unwritable`], so that it is told
    /// apart from a write that was wrong.
    fn note<T>(&self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        match r {
            Err(StoreError::Vanished(p)) => {
                self.set_problem(Some(WriteProblem::Vanished));
                Err(StoreError::Vanished(p))
            }
            Err(e @ (StoreError::Io { .. } | StoreError::NotWritable { .. } | StoreError::Sled(_))) => {
                let reason = one_line(&e.to_string());
                if disk_full(&e) {
                    tracing::error!(error = %e, "a write failed on a full disk; writes are refused until the store is opened again");
                    self.set_problem(Some(WriteProblem::Failing(reason.clone())));
                    return Err(StoreError::Unwritable { path: self.path.clone(), reason });
                }
                tracing::error!(error = %e, "a write failed on the disk; writes are refused until the server is restarted");
                self.set_problem(Some(WriteProblem::Broken(reason.clone())));
                Err(StoreError::Broken { path: self.path.clone(), reason })
            }
            Err(e @ StoreError::Damaged { .. }) => {
                self.set_problem(Some(WriteProblem::Failing(one_line(&e.to_string()))));
                Err(e)
            }
            other => other,
        }
    }

    /// The store's metadata, or `None` if it holds no complete dataset (never seeded, or a seed
    /// was interrupted).
    pub fn meta(&self) -> Result<Option<Meta>, StoreError> {
        self.located(self.read_meta())
    }

    fn read_meta(&self) -> Result<Option<Meta>, StoreError> {
        let meta = self.db()?.open_tree(META)?;
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

    /// Replaces everything in the store with a validated dataset, all or nothing, and flushes.
    /// `seed_version` names what the dataset was read from (the seed files' digest); it becomes
    /// the dataset version.
    pub fn replace_all(&self, dataset: &Dataset, seed_version: &str) -> Result<Meta, StoreError> {
        self.located(self.write_seed(dataset, seed_version))
    }

    fn write_seed(&self, ds: &Dataset, seed_version: &str) -> Result<Meta, StoreError> {
        let meta = self.db()?.open_tree(META)?;
        // The marker goes first and comes back last, so that a store left without a dataset by
        // an interrupted seed is seeded again, not refused as one that lost its dataset.
        let removed = match std::fs::remove_file(self.path.join(SEEDED_MARKER)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => sync_dir(&self.path),
        };
        removed.map_err(|e| StoreError::NotWritable { path: self.path.clone(), reason: e.to_string() })?;
        // The commit point is META_VERSION: remove it first so an interrupted write is not a dataset.
        meta.remove(META_VERSION)?;
        self.flush_durably()?;
        for c in Collection::ALL {
            self.db()?.open_tree(tree_name(c))?.clear()?;
        }
        self.db()?.open_tree(STAMPS)?.clear()?;
        self.db()?.open_tree(history::HISTORY)?.clear()?;
        let now = now();
        self.write_all(&ds.sources)?;
        self.write_all(&ds.states)?;
        self.write_all(&ds.organizations)?;
        self.write_all(&ds.processes)?;
        self.write_all(&ds.memberships)?;
        self.write_all(&ds.chairmanships)?;
        self.write_all(&ds.meetings)?;
        self.write_all(&ds.documents)?;
        self.write_all(&ds.commitments)?;
        self.write_all(&ds.people)?;
        self.write_indexes(all_index_lists(ds))?;
        let stamp = commit::fresh_stamp(now)?;
        let stamps = ds.keys().into_iter().map(|(c, key)| Ok((commit::stamp_key(c, key.as_bytes()), stamp.clone())));
        self.write_batches(&self.db()?.open_tree(STAMPS)?, stamps)?;
        let m = Meta {
            version: seed_version.to_owned(),
            seed_version: seed_version.to_owned(),
            last_change: rfc3339(now),
            revision: 0,
        };
        meta.insert(META_FORMAT, &[codec::FORMAT_VERSION])?;
        meta.insert(META_REVISION, &0u64.to_be_bytes())?;
        meta.insert(META_INDEX_VERSION, &[index::INDEX_VERSION])?;
        meta.insert(META_SEED_VERSION, m.seed_version.as_bytes())?;
        meta.insert(META_LAST_CHANGE, m.last_change.as_bytes())?;
        meta.insert(META_VERSION, m.version.as_bytes())?;
        self.flush_durably()?;
        self.write_marker()?;
        Ok(m)
    }

    fn write_all<T: Stored>(&self, records: &[Arc<T>]) -> Result<(), StoreError> {
        let name = tree_name(T::COLLECTION);
        let values = records.iter().map(|r| {
            let bytes = codec::encode(r).map_err(|e| corrupt(name, r.key().as_bytes(), e))?;
            Ok((r.key().as_bytes().to_vec(), bytes))
        });
        self.write_batches(&self.db()?.open_tree(name)?, values)
    }

    /// Inserts key-value pairs into a tree in batches of about [`BATCH_BYTES`], flushing after
    /// each, so that sled can reuse the space of the pages each batch rewrote. Not atomic: the
    /// callers (seeding, an index rebuild) have a commit point of their own in `meta`.
    fn write_batches(
        &self,
        tree: &sled::Tree,
        items: impl IntoIterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>>,
    ) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        let mut bytes = 0;
        for item in items {
            let (k, v) = item?;
            bytes += k.len() + v.len();
            batch.insert(k, v);
            if bytes >= BATCH_BYTES {
                tree.apply_batch(std::mem::take(&mut batch))?;
                self.db()?.flush()?;
                bytes = 0;
            }
        }
        tree.apply_batch(batch)?;
        Ok(())
    }

    /// Reads the whole dataset, each collection in key order.
    pub fn load(&self) -> Result<Dataset, StoreError> {
        self.located(self.read_dataset())
    }

    fn read_dataset(&self) -> Result<Dataset, StoreError> {
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
            people: self.read_all()?,
        })
    }

    /// Replaces the content of every index tree with `lists`.
    fn write_indexes(&self, lists: Lists) -> Result<(), StoreError> {
        let mut lists = lists.into_iter().peekable();
        for i in Index::ALL {
            let tree = self.db()?.open_tree(i.tree_name())?;
            tree.clear()?;
            // `lists` is ordered by index, in the order of `Index::ALL`.
            let mut values = Vec::new();
            while let Some(((_, key), members)) = lists.next_if(|((ix, _), _)| *ix == i) {
                let bytes = index::encode_list(&members).map_err(|e| corrupt(i.tree_name(), &key, e))?;
                values.push(Ok((key, bytes)));
            }
            self.write_batches(&tree, values)?;
        }
        Ok(())
    }

    /// The entries of one posting list as stored: its members, each made an entry again.
    fn read_list(&self, index: Index, key: &[u8], value: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        let members = index::decode_list(value).map_err(|e| corrupt(index.tree_name(), key, e))?;
        self.reads.fetch_add(members.len() as u64, Ordering::Relaxed);
        Ok(members.iter().map(|m| index::entry_of(index, key, m)).collect())
    }

    /// Rebuilds every index from the records, and stamps records that have none (with the time
    /// of the rebuild), if the indexes were built by another layout version: a store seeded by
    /// an older build gains the indexes this one reads. Returns whether it rebuilt anything.
    pub fn upgrade_indexes(&self) -> Result<bool, StoreError> {
        self.located(self.rebuild_old_indexes())
    }

    fn rebuild_old_indexes(&self) -> Result<bool, StoreError> {
        let meta = self.db()?.open_tree(META)?;
        if meta.get(META_VERSION)?.is_none()
            || meta.get(META_INDEX_VERSION)?.as_deref() == Some(&[index::INDEX_VERSION])
        {
            return Ok(false);
        }
        let ds = self.read_dataset()?;
        self.write_indexes(all_index_lists(&ds))?;
        let stamps = self.db()?.open_tree(STAMPS)?;
        let fresh = commit::fresh_stamp(now())?;
        for (c, key) in ds.keys() {
            let k = commit::stamp_key(c, key.as_bytes());
            if stamps.get(&k)?.is_none() {
                stamps.insert(k, fresh.clone())?;
            }
        }
        meta.insert(META_INDEX_VERSION, &[index::INDEX_VERSION])?;
        self.flush_durably()?;
        Ok(true)
    }

    /// The records whose search terms include `term`: (collection, key, field) for each, in
    /// the order of their index entries.
    pub fn search(&self, term: &str) -> Result<Vec<(Collection, String, domain::Field)>, StoreError> {
        self.located(self.find_term(term))
    }

    fn find_term(&self, term: &str) -> Result<Vec<(Collection, String, domain::Field)>, StoreError> {
        Ok(self
            .scan_entries(Index::Search, term.as_bytes())?
            .iter()
            .filter_map(|e| parse_search_entry(term, e))
            .collect())
    }

    /// The entries of an index under a key prefix of whole parts (every entry if it is empty),
    /// sorted. Reads only the lists of the groups the prefix names.
    fn scan_entries(&self, index: Index, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut wanted = prefix.to_vec();
        if !wanted.is_empty() {
            wanted.push(0);
        }
        // The lists that can hold such entries: those of the group the prefix begins with, when it
        // names a whole group and more; else those of every group that begins with the prefix.
        let lists_prefix = match index::split_group(index, prefix) {
            Some((group, _)) if !prefix.is_empty() => {
                let mut p = group.to_vec();
                if !p.is_empty() {
                    p.push(0);
                }
                p
            }
            _ => wanted.clone(),
        };
        let mut out = Vec::new();
        for item in self.db()?.open_tree(index.tree_name())?.scan_prefix(&lists_prefix) {
            let (k, v) = item?;
            out.extend(self.read_list(index, &k, &v)?.into_iter().filter(|e| e.starts_with(&wanted)));
        }
        out.sort();
        Ok(out)
    }

    /// How each index is stored: per index, its posting lists, the entries in them and the
    /// bytes of their values. For the growth benchmark.
    pub fn index_stats(&self) -> Result<Vec<(Index, usize, usize, usize)>, StoreError> {
        self.located(self.count_index())
    }

    fn count_index(&self) -> Result<Vec<(Index, usize, usize, usize)>, StoreError> {
        let mut out = Vec::new();
        for i in Index::ALL {
            let (mut lists, mut entries, mut bytes) = (0, 0, 0);
            for item in self.db()?.open_tree(i.tree_name())?.iter() {
                let (k, v) = item?;
                lists += 1;
                bytes += v.len();
                entries += index::decode_list(&v).map_err(|e| corrupt(i.tree_name(), &k, e))?.len();
            }
            out.push((i, lists, entries, bytes));
        }
        Ok(out)
    }

    /// Reads back from the store the records a commit touched, with their stamps, into `ds` and
    /// `stamps`: each changed record is replaced by what the store now holds, a deleted one is
    /// removed, a created one is added (at the end of its collection, whose order the read model
    /// sets). Given the dataset and stamps the store held before the commit, edited to what the
    /// commit wrote, this is what [`Store::load`] and [`Store::stamps`] would return, without
    /// reading every record again.
    pub fn read_back(&self, ds: &mut Dataset, stamps: &mut Stamps, changes: &[RecordChange]) -> Result<(), StoreError> {
        self.located(self.read_changes(ds, stamps, changes))
    }

    fn read_changes(&self, ds: &mut Dataset, stamps: &mut Stamps, changes: &[RecordChange]) -> Result<(), StoreError> {
        self.read_changed(&mut ds.sources, changes)?;
        self.read_changed(&mut ds.states, changes)?;
        self.read_changed(&mut ds.organizations, changes)?;
        self.read_changed(&mut ds.processes, changes)?;
        self.read_changed(&mut ds.memberships, changes)?;
        self.read_changed(&mut ds.chairmanships, changes)?;
        self.read_changed(&mut ds.meetings, changes)?;
        self.read_changed(&mut ds.documents, changes)?;
        self.read_changed(&mut ds.commitments, changes)?;
        self.read_changed(&mut ds.people, changes)?;
        let tree = self.db()?.open_tree(STAMPS)?;
        for c in changes {
            let key = commit::stamp_key(c.collection, c.key.as_bytes());
            let id = (c.collection, c.key.clone());
            match tree.get(&key)? {
                Some(v) => {
                    stamps.insert(id, commit::decode_stamp(&v).map_err(|e| corrupt(STAMPS, &key, e))?);
                }
                None => {
                    stamps.remove(&id);
                }
            }
        }
        Ok(())
    }

    fn read_changed<T: Stored>(&self, records: &mut Vec<Arc<T>>, changes: &[RecordChange]) -> Result<(), StoreError> {
        let name = tree_name(T::COLLECTION);
        let keys: BTreeSet<&str> =
            changes.iter().filter(|c| c.collection == T::COLLECTION).map(|c| c.key.as_str()).collect();
        if keys.is_empty() {
            return Ok(());
        }
        records.retain(|r| !keys.contains(r.key()));
        let tree = self.db()?.open_tree(name)?;
        for key in keys {
            if let Some(v) = tree.get(key.as_bytes())? {
                self.reads.fetch_add(1, Ordering::Relaxed);
                records.push(Arc::new(T::decode(&v).map_err(|e| corrupt(name, key.as_bytes(), e))?));
            }
        }
        Ok(())
    }

    /// Every record's stamp, by collection and key.
    pub fn stamps(&self) -> Result<Stamps, StoreError> {
        self.located(self.read_stamps())
    }

    fn read_stamps(&self) -> Result<Stamps, StoreError> {
        let mut out = Stamps::default();
        for item in self.db()?.open_tree(STAMPS)?.iter() {
            let (k, v) = item?;
            let stamp = commit::decode_stamp(&v).map_err(|e| corrupt(STAMPS, &k, e))?;
            let mut parts = k.splitn(2, |b| *b == 0);
            let (tree, key) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            if let Some(c) = collection_named(tree) {
                out.insert((c, String::from_utf8_lossy(key).into_owned()), stamp);
            }
        }
        Ok(out)
    }

    fn read_all<T: Stored>(&self) -> Result<Vec<Arc<T>>, StoreError> {
        let name = tree_name(T::COLLECTION);
        let mut out = Vec::new();
        for item in self.db()?.open_tree(name)?.iter() {
            let (k, v) = item?;
            self.reads.fetch_add(1, Ordering::Relaxed);
            out.push(Arc::new(T::decode(&v).map_err(|e| corrupt(name, &k, e))?));
        }
        Ok(out)
    }

    /// The slugs an index holds under a key prefix of whole parts, in the order of their entries
    /// (for example every meeting of an actor in one role, chronologically:
    /// `index::key(&[b"de", b"co-host"])`).
    pub fn index_scan(&self, index: Index, prefix: &[u8]) -> Result<Vec<String>, StoreError> {
        let entries = self.located(self.scan_entries(index, prefix))?;
        Ok(entries.iter().map(|e| String::from_utf8_lossy(index::target(e)).into_owned()).collect())
    }

    /// Checks that the store is consistent: a complete dataset is recorded, every record decodes,
    /// every index entry points at a record that owns it, every record is in every index it
    /// belongs to, and the change log holds every write from its first entry to the store's
    /// revision. Returns the problems found (none: consistent).
    pub fn check(&self) -> Result<Vec<String>, StoreError> {
        self.located(self.find_problems())
    }

    fn find_problems(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        match self.read_meta()? {
            None => {
                problems.push("no complete dataset is recorded (never seeded, or a seed was interrupted)".to_owned())
            }
            Some(meta) => problems.extend(self.history_problems(meta.revision)?),
        }
        let ds = self.read_dataset()?;
        let stamps = self.read_stamps()?;
        let mut stamped: BTreeSet<(Collection, String)> = stamps.into_keys().collect();
        for (c, key) in ds.keys() {
            if !stamped.remove(&(c, key.to_owned())) {
                problems.push(format!("{} '{key}' has no stamp (createdAt/updatedAt)", c.noun()));
            }
        }
        for (c, key) in stamped {
            problems.push(format!("{STAMPS}: a stamp for {} '{key}', which does not exist", c.noun()));
        }
        let mut expected = all_index_lists(&ds).into_iter().peekable();
        for i in Index::ALL {
            let mut actual: BTreeSet<Vec<u8>> = BTreeSet::new();
            for item in self.db()?.open_tree(i.tree_name())?.iter() {
                let (list, value) = item?;
                let entries = match index::decode_list(&value) {
                    Ok(members) => members.iter().map(|m| index::entry_of(i, &list, m)).collect::<Vec<_>>(),
                    Err(e) => {
                        problems.push(format!(
                            "{}: the list {:?} does not decode ({e})",
                            i.tree_name(),
                            show_key(&list)
                        ));
                        continue;
                    }
                };
                for e in entries {
                    // A writer finds an entry in the list its key names; one filed elsewhere
                    // would never be updated or removed.
                    if index::list_key(i, &e).0 != list.as_ref() {
                        problems.push(format!(
                            "{}: entry {:?} is filed in the list {:?}, not its own",
                            i.tree_name(),
                            show_key(&e),
                            show_key(&list)
                        ));
                    }
                    actual.insert(e);
                }
            }
            let mut wanted: BTreeSet<Vec<u8>> = BTreeSet::new();
            // `expected` is ordered by index, in the order of `Index::ALL`.
            while let Some(((_, list), members)) = expected.next_if(|((ix, _), _)| *ix == i) {
                wanted.extend(members.iter().map(|m| index::entry_of(i, &list, m)));
            }
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
        self.located(self.db()?.size_on_disk().map_err(StoreError::from))
    }

    /// How many records and index entries have been read from disk since the store was opened.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Makes everything written so far durable: sled's flush, then an `fsync` of the files and
    /// directories it wrote (see [`Store::sync_files`]). A write is acknowledged only after this.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let flushed = self.flush_and_sync().await;
        self.note(flushed)
    }

    async fn flush_and_sync(&self) -> Result<(), StoreError> {
        let db = self.db()?;
        self.located(db.flush_async().await.map(drop).map_err(StoreError::from))?;
        let store = self.clone();
        match tokio::task::spawn_blocking(move || store.sync_files()).await {
            Ok(synced) => synced,
            Err(e) => Err(StoreError::Io { path: self.path.clone(), detail: format!("the sync task failed: {e}") }),
        }
    }

    /// Makes the store look as if an older build (index layout 1) had seeded it: no index
    /// version, one sled key per index entry, no full-text index and no stamps. For tests of
    /// [`Store::upgrade_indexes`].
    #[cfg(any(test, feature = "bench-hooks"))]
    pub fn downgrade_for_test(&self) -> Result<(), StoreError> {
        self.write_layout_2_for_test()?;
        self.db()?.open_tree(META)?.remove(META_INDEX_VERSION)?;
        self.db()?.open_tree(Index::Search.tree_name())?.clear()?;
        self.db()?.open_tree(STAMPS)?.clear()?;
        Ok(())
    }

    /// Rewrites the indexes as the previous build (index layout 2) wrote them: one sled key per
    /// entry, with an empty value. For tests that such a store is upgraded when it is opened.
    #[cfg(any(test, feature = "bench-hooks"))]
    pub fn write_layout_2_for_test(&self) -> Result<(), StoreError> {
        let ds = self.read_dataset()?;
        let mut entries: Vec<(Index, Vec<u8>)> = Vec::new();
        for ((i, list), members) in all_index_lists(&ds) {
            entries.extend(members.iter().map(|m| (i, index::entry_of(i, &list, m))));
        }
        for i in Index::ALL {
            let tree = self.db()?.open_tree(i.tree_name())?;
            tree.clear()?;
            let mut batch = sled::Batch::default();
            for (_, k) in entries.iter().filter(|(ix, _)| *ix == i) {
                batch.insert(k.as_slice(), &[] as &[u8]);
            }
            tree.apply_batch(batch)?;
        }
        self.db()?.open_tree(META)?.insert(META_INDEX_VERSION, &[2])?;
        self.db()?.flush()?;
        Ok(())
    }

    /// Makes the store look as if a newer build had written it: its recorded format becomes
    /// `version`. The counterpart of [`Store::downgrade_for_test`], for tests of
    /// [`StoreError::NewerFormat`]; nothing else calls it.
    #[cfg(any(test, feature = "bench-hooks"))]
    pub fn set_format_for_test(&self, version: u8) -> Result<(), StoreError> {
        self.db()?.open_tree(META)?.insert(META_FORMAT, &[version])?;
        self.db()?.flush()?;
        Ok(())
    }

    /// Replaces the stored bytes of one record, bypassing the codec; for tests of damaged values
    /// and of values written by a newer build. Nothing else calls it.
    #[cfg(any(test, feature = "bench-hooks"))]
    pub fn put_raw_for_test(&self, collection: Collection, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.db()?.open_tree(tree_name(collection))?.insert(key.as_bytes(), bytes)?;
        self.db()?.flush()?;
        Ok(())
    }

    /// The stored bytes of one record; for tests that alter them with [`Store::put_raw_for_test`].
    #[cfg(any(test, feature = "bench-hooks"))]
    pub fn get_raw_for_test(&self, collection: Collection, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db()?.open_tree(tree_name(collection))?.get(key.as_bytes())?.map(|v| v.to_vec()))
    }

    /// Removes one index entry; for tests of the consistency check.
    #[cfg(any(test, feature = "bench-hooks"))]
    pub fn corrupt_index_for_test(&self, index: Index, entry: &[u8]) -> Result<(), StoreError> {
        let tree = self.db()?.open_tree(index.tree_name())?;
        let (list, member) = index::list_key(index, entry);
        let Some(value) = tree.get(&list)? else { return Ok(()) };
        let mut members = index::decode_list(&value).map_err(|e| corrupt(index.tree_name(), &list, e))?;
        members.retain(|m| *m != member);
        tree.insert(list.as_slice(), index::encode_list(&members).map_err(|e| corrupt(index.tree_name(), &list, e))?)?;
        Ok(())
    }
}

/// How a store is being opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    /// Create the directory and an empty store if missing.
    Create,
    /// The store must exist.
    Existing,
    /// Everything in it is about to be replaced.
    Replace,
}

thread_local! {
    /// Whether this thread is opening a store inside [`recovering`].
    static RECOVERING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `open` (sled opening and recovering the store in `dir`) and turns a panic inside it into
/// [`StoreError::Damaged`]. sled 0.34 panics rather than failing on some damaged logs: garbage
/// over the start of its file, in the fault tests, ends in "tried to serialize Uninitialized"
/// as often as not, depending on where sled's pages fell when the store was written. The panic's
/// own report is kept off stderr (a panic hook, installed once, stays silent on a thread that is
/// recovering a store and defers to the previous hook otherwise): the error says it in one line.
fn recovering<T>(dir: &Path, open: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
    static QUIET_HOOK: Once = Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !RECOVERING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    RECOVERING.with(|r| r.set(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(open));
    RECOVERING.with(|r| r.set(false));
    result.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(StoreError::Damaged {
            path: dir.to_owned(),
            detail: format!("sled failed while recovering its files: {}", one_line(&what)),
        })
    })
}

/// Places an error in the data directory `path`: fills in the directory where the error was
/// made without one, and sorts sled's failures into damage, permissions, a held lock and the rest.
fn locate(path: &Path, e: StoreError) -> StoreError {
    let path = path.to_owned();
    match e {
        StoreError::Sled(e) => match e {
            sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
                // sled reports a held lock only as an I/O error with this text.
                StoreError::InUse(path)
            }
            sled::Error::Io(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                StoreError::NotWritable { path, reason: io.to_string() }
            }
            sled::Error::Corruption { .. } | sled::Error::ReportableBug(_) | sled::Error::Unsupported(_) => {
                StoreError::Damaged { path, detail: one_line(&e.to_string()) }
            }
            other => StoreError::Io { path, detail: one_line(&other.to_string()) },
        },
        StoreError::Corrupt { path: p, tree, key, cause } if p.as_os_str().is_empty() => {
            match cause {
                // A value written by a newer build: its format, not damage.
                codec::CodecError::Version { found } if found > codec::FORMAT_VERSION => {
                    StoreError::NewerFormat { path, found }
                }
                cause => StoreError::Corrupt { path, tree, key, cause },
            }
        }
        StoreError::NewerFormat { path: p, found } if p.as_os_str().is_empty() => {
            StoreError::NewerFormat { path, found }
        }
        StoreError::LostDataset(p) if p.as_os_str().is_empty() => StoreError::LostDataset(path),
        other => other,
    }
}

/// Whether a look-up of sled's log, which had `identity` (device, inode) when the store was
/// opened, says that the data directory was removed or replaced: the file is gone, a part of its
/// path is no longer a directory, or it is another file. An error that says none of that (an
/// I/O error of a failing disk) is not taken for a removal, which would refuse writes for good
/// and leave the lost-dataset marker: the write goes on, fails on the disk if the disk fails,
/// and is recovered from like any failed write.
fn replaced(now: std::io::Result<(u64, u64)>, identity: (u64, u64)) -> bool {
    match now {
        Ok(now) => now != identity,
        Err(e) => matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory),
    }
}

/// The device and inode of a file, or `None` if it cannot be read.
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// `fsync` of a directory, so that the entries created, renamed or removed in it are durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Creates `dir` and its missing parents, and syncs the directory that holds each one it
/// created: until then a new directory's own entry is not durable, and a power cut could take
/// it, with every write made durable inside it, away.
fn create_dir_durably(dir: &Path) -> std::io::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.as_os_str().is_empty() && !d.exists()).collect();
    std::fs::create_dir_all(dir)?;
    for created in missing {
        let parent = created.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        sync_dir(parent)?;
    }
    Ok(())
}

/// sled's messages, cut to their first part: some repeat themselves or end in an empty
/// "backtrace ()".
fn one_line(s: &str) -> String {
    let s = s.split(" backtrace").next().unwrap_or(s);
    s.lines().next().unwrap_or(s).trim().to_owned()
}

/// A decoding failure in `tree` at `key`; [`locate`] adds the data directory.
fn corrupt(tree: &str, key: &[u8], cause: codec::CodecError) -> StoreError {
    StoreError::Corrupt { path: PathBuf::new(), tree: tree.to_owned(), key: show_key(key), cause }
}

/// Every index entry the records of a dataset own, filed in their posting lists (members
/// unsorted; [`index::encode_list`] sorts them).
fn all_index_lists(ds: &Dataset) -> Lists {
    // Hashed while being filled: 2.6 million entries into an ordered map cost seconds at 1000×.
    type Filing = HashMap<(Index, Vec<u8>), Vec<Vec<u8>>>;
    fn of<T: Stored>(v: &[Arc<T>], out: &mut Filing) {
        for r in v {
            for (i, entry) in r.index_entries() {
                let (list, member) = index::list_key(i, &entry);
                out.entry((i, list)).or_default().push(member);
            }
        }
    }
    let mut out = Filing::new();
    of(&ds.sources, &mut out);
    of(&ds.states, &mut out);
    of(&ds.organizations, &mut out);
    of(&ds.processes, &mut out);
    of(&ds.memberships, &mut out);
    of(&ds.chairmanships, &mut out);
    of(&ds.meetings, &mut out);
    of(&ds.documents, &mut out);
    of(&ds.commitments, &mut out);
    of(&ds.people, &mut out);
    out.into_iter().collect()
}

/// The record a search entry of `term` (`term \0 collection \0 field \0 key`) names.
fn parse_search_entry(term: &str, entry: &[u8]) -> Option<(Collection, String, domain::Field)> {
    let parts: Vec<&[u8]> = entry.get(term.len() + 1..)?.splitn(3, |b| *b == 0).collect();
    match parts[..] {
        [collection, field, key] => {
            collection_named(collection).map(|c| (c, String::from_utf8_lossy(key).into_owned(), index::field_of(field)))
        }
        _ => None,
    }
}

/// The posting lists of one index over a dataset.
fn all_index_lists_of(ds: &Dataset, wanted: Index) -> Vec<(Vec<u8>, Vec<Vec<u8>>)> {
    all_index_lists(ds).into_iter().filter(|((i, _), _)| *i == wanted).map(|((_, list), m)| (list, m)).collect()
}

/// A key as messages show it: parts separated by `/`, other control bytes (a list's bucket
/// number) escaped, so that a message stays on one line.
fn show_key(k: &[u8]) -> String {
    String::from_utf8_lossy(k)
        .chars()
        .map(|c| match c {
            '\0' => "/".to_owned(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A time as RFC 3339 in UTC, to the millisecond: the form of `lastChange`.
/// The time an RFC 3339 text (as [`rfc3339`] writes it) names, if it names one.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc())
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The current time in UTC (from the system clock, without chrono's `clock` feature and the
/// time-zone discovery it brings).
pub fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operations_guide_publishes_how_much_of_the_store_sled_keeps_in_memory() {
        let guide = include_str!("../../docs/operations.md").split_whitespace().collect::<Vec<_>>().join(" ");
        let published =
            format!("at most {} MiB of the store's pages in sled's cache", STORE_CACHE_BYTES / (1024 * 1024));
        assert!(guide.contains(&published), "docs/operations.md does not say: {published}");
    }

    #[test]
    fn only_a_missing_or_other_log_file_counts_as_a_removed_data_directory() {
        let opened = (1, 2);
        let os = std::io::Error::from_raw_os_error;
        assert!(!replaced(Ok((1, 2)), opened), "the same file");
        assert!(replaced(Ok((1, 3)), opened), "another file in its place");
        assert!(replaced(Err(os(2)), opened), "ENOENT: removed");
        assert!(replaced(Err(os(20)), opened), "ENOTDIR: a part of the path replaced by a file");
        assert!(!replaced(Err(os(5)), opened), "EIO: a failing disk, not a removal");
        assert!(!replaced(Err(os(13)), opened), "EACCES: unreadable, not removed");
    }
}
