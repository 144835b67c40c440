//! The change log: what every committed write did, by revision, kept by the store so that a
//! client that was away can resume the `changes` feed, and `deleted(since:)` can list deletions.
//!
//! One entry per write, in the tree `history` keyed by the revision (big-endian, so that keys
//! sort as numbers), holding the time of the write and each record it touched: collection, key
//! and operation, deletions included. The entry is written in the same sled transaction as the
//! write itself (see `commit.rs`), so the log never misses nor invents a change. It is bounded:
//! it keeps the last [`DEFAULT_HISTORY_LIMIT`] writes unless `--change-history` says otherwise;
//! the same transaction removes the entry that falls out of the window. Seeding empties it: a
//! new seed is a new dataset, whose versions share nothing with the old one's.
//!
//! A store written by a build without the log has writes before its first entry: the log then
//! starts at the revision the store had when this build first wrote to it.

use super::commit::RecordChange;
use super::{codec, collection_named, tree_name, Meta, Operation, Store, StoreError};
use crate::domain::Collection;
use chrono::{DateTime, Utc};
use sled::transaction::{TransactionalTree, UnabortableTransactionError};
use std::sync::atomic::Ordering;

/// The tree of the change log.
pub(super) const HISTORY: &str = "history";

/// How many writes the change log keeps unless `--change-history` says otherwise.
pub const DEFAULT_HISTORY_LIMIT: u64 = 10_000;

/// One record one write touched, as the change log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRecord {
    /// The revision of the write (see [`Meta::revision`]).
    pub revision: u64,
    /// Its place among the records that write touched, from 0.
    pub index: usize,
    /// When the write was committed.
    pub at: DateTime<Utc>,
    /// The record's collection.
    pub collection: Collection,
    /// Its slug (or code).
    pub key: String,
    /// Created, updated or deleted.
    pub operation: Operation,
}

/// Why the change log cannot answer.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The changes asked for start before the oldest the log keeps: `oldest` is the oldest
    /// revision whose following changes are all still kept.
    #[error("the change history no longer holds the changes after revision {after}; the oldest revision it resumes from is {oldest}")]
    Expired {
        /// The revision asked from.
        after: u64,
        /// The oldest revision the log resumes from.
        oldest: u64,
    },
    /// The deletions asked for start before the oldest write the log keeps.
    #[error("the change history no longer holds every deletion since {since}; it holds those since {oldest}")]
    TooEarly {
        /// The time asked from.
        since: DateTime<Utc>,
        /// The earliest time from which the log holds every deletion.
        oldest: DateTime<Utc>,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Meta {
    /// The version of the dataset at `revision` of the same seed.
    pub fn version_at(&self, revision: u64) -> String {
        super::commit::version(&self.seed_version, revision)
    }

    /// The revision a version of this dataset names, or `None` if it names none (a version of
    /// another seed, or not a version at all).
    pub fn revision_of(&self, version: &str) -> Option<u64> {
        let rest = version.strip_prefix(self.seed_version.as_str())?;
        if rest.is_empty() {
            return Some(0);
        }
        let digits = rest.strip_prefix("-r")?;
        // `-r0` and leading zeros are never written: only the spelling the server gives counts.
        if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }
}

fn operation_byte(op: Operation) -> u8 {
    match op {
        Operation::Created => 0,
        Operation::Updated => 1,
        Operation::Deleted => 2,
    }
}

/// A log entry as stored: the write's time in milliseconds since the Unix epoch, and per record
/// its collection's tree name, its key and its operation.
type Entry = (i64, Vec<(String, String, u8)>);

/// The stored entry of a write committed at `at` that touched `changes`.
pub(super) fn encode_entry(at: DateTime<Utc>, changes: &[RecordChange]) -> Result<Vec<u8>, StoreError> {
    let entry: Entry = (
        at.timestamp_millis(),
        changes
            .iter()
            .map(|c| (tree_name(c.collection).to_owned(), c.key.clone(), operation_byte(c.operation)))
            .collect(),
    );
    codec::encode(&entry).map_err(|e| super::corrupt(HISTORY, b"", e))
}

fn decode_entry(revision: u64, bytes: &[u8]) -> Result<Vec<ChangeRecord>, codec::CodecError> {
    let (ms, records): Entry = codec::decode(bytes)?;
    let at = DateTime::from_timestamp_millis(ms).ok_or(codec::CodecError::Invalid("a time out of range"))?;
    records
        .into_iter()
        .enumerate()
        .map(|(index, (tree, key, op))| {
            let collection =
                collection_named(tree.as_bytes()).ok_or(codec::CodecError::Invalid("an unknown collection"))?;
            let operation = match op {
                0 => Operation::Created,
                1 => Operation::Updated,
                2 => Operation::Deleted,
                _ => return Err(codec::CodecError::Invalid("an unknown operation")),
            };
            Ok(ChangeRecord { revision, index, at, collection, key, operation })
        })
        .collect()
}

/// Inside the commit's transaction: logs the write of `revision` and drops the entry that falls
/// out of a log of `limit` writes.
pub(super) fn log(
    tx: &TransactionalTree,
    revision: u64,
    entry: &[u8],
    limit: u64,
) -> Result<(), UnabortableTransactionError> {
    tx.insert(&revision.to_be_bytes(), entry)?;
    if let Some(gone) = revision.checked_sub(limit).filter(|r| *r > 0) {
        tx.remove(&gone.to_be_bytes())?;
    }
    Ok(())
}

impl Store {
    /// Sets how many writes the change log keeps (at least 1), from the next write on.
    pub fn set_history_limit(&self, writes: u64) {
        self.history_limit.store(writes.max(1), Ordering::Relaxed);
    }

    /// How many writes the change log keeps.
    pub fn history_limit(&self) -> u64 {
        self.history_limit.load(Ordering::Relaxed)
    }

    /// Removes the entries older than a log of the current limit ending at `revision` keeps:
    /// after the limit was lowered, the commit's transaction removes only the one entry that
    /// falls out at each write.
    pub(super) fn trim_history(&self, revision: u64) -> Result<(), StoreError> {
        let Some(cut) = revision.checked_sub(self.history_limit()) else { return Ok(()) };
        let tree = self.db()?.open_tree(HISTORY)?;
        for key in tree.range(..=cut.to_be_bytes()).keys() {
            tree.remove(key?)?;
        }
        Ok(())
    }

    /// Every record changed after `after`, in the order written: by revision, and within a
    /// revision in the order the write reported them. A revision the store has not reached yet
    /// gives none; one whose following changes the log no longer holds all of gives
    /// [`HistoryError::Expired`] with the oldest revision it resumes from.
    pub fn changes_after(&self, after: u64) -> Result<Vec<ChangeRecord>, HistoryError> {
        let current = self.meta()?.map_or(0, |m| m.revision);
        let tree = self.located(self.db().and_then(|db| Ok(db.open_tree(HISTORY)?)))?;
        let mut out = Vec::new();
        let mut first = None;
        for item in tree.range((after + 1).to_be_bytes()..) {
            let (key, value) = self.located(item.map_err(StoreError::from))?;
            let revision = revision_key(&key);
            first.get_or_insert(revision);
            out.extend(self.located(decode_entry(revision, &value).map_err(|e| super::corrupt(HISTORY, &key, e)))?);
        }
        // Every write after `after` up to the revision read first must be in the log.
        if after < current && first != Some(after + 1) {
            return Err(HistoryError::Expired { after, oldest: self.oldest_in_history()? });
        }
        Ok(out)
    }

    /// The oldest revision the change log resumes from: the one before its first entry, or the
    /// store's revision when it holds none.
    pub fn oldest_in_history(&self) -> Result<u64, StoreError> {
        let tree = self.db()?.open_tree(HISTORY)?;
        match self.located(tree.first().map_err(StoreError::from))? {
            Some((key, _)) => Ok(revision_key(&key).saturating_sub(1)),
            None => Ok(self.meta()?.map_or(0, |m| m.revision)),
        }
    }

    /// Every record deleted at `since` or later (and at most at `until`, a revision), newest
    /// write last. The log is read from its newest entry back to `since`. If the log no longer
    /// holds every write since then, [`HistoryError::TooEarly`] says from when it does.
    pub fn deletions_since(&self, since: DateTime<Utc>, until: u64) -> Result<Vec<ChangeRecord>, HistoryError> {
        let tree = self.located(self.db().and_then(|db| Ok(db.open_tree(HISTORY)?)))?;
        let mut out = Vec::new();
        let mut oldest_read = None;
        for item in tree.range(..=until.to_be_bytes()).rev() {
            let (key, value) = self.located(item.map_err(StoreError::from))?;
            let revision = revision_key(&key);
            let records = self.located(decode_entry(revision, &value).map_err(|e| super::corrupt(HISTORY, &key, e)))?;
            let Some(at) = records.first().map(|r| r.at) else { continue };
            if at < since {
                // Times rise with revisions: everything older is older still.
                return Ok(finish(out));
            }
            oldest_read = Some((revision, at));
            out.extend(records.into_iter().rev().filter(|r| r.operation == Operation::Deleted));
        }
        // The whole log is at or after `since`: complete only if it starts at the seed.
        let complete = match oldest_read {
            Some((revision, _)) => revision == 1,
            None => self.oldest_in_history()? == 0,
        };
        if !complete {
            let oldest = match oldest_read {
                Some((_, at)) => at,
                None => self.meta()?.and_then(|m| super::parse_time(&m.last_change)).unwrap_or(since),
            };
            if since < oldest {
                return Err(HistoryError::TooEarly { since, oldest });
            }
        }
        Ok(finish(out))
    }

    /// How many writes the change log holds now.
    pub fn history_len(&self) -> Result<usize, StoreError> {
        Ok(self.db()?.open_tree(HISTORY)?.len())
    }

    /// What is wrong with the change log of a store at `revision`, for the consistency check: an
    /// entry that does not decode, a write missing between two entries, an entry past the
    /// store's revision, or a last entry short of it.
    pub(super) fn history_problems(&self, revision: u64) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut previous: Option<u64> = None;
        for item in self.db()?.open_tree(HISTORY)?.iter() {
            let (key, value) = item?;
            let r = revision_key(&key);
            if let Err(e) = decode_entry(r, &value) {
                problems.push(format!("{HISTORY}: the entry of revision {r} does not decode ({e})"));
            }
            if let Some(p) = previous.filter(|p| r != p + 1) {
                problems.push(format!("{HISTORY}: the writes between revisions {p} and {r} are missing"));
            }
            if r > revision {
                problems.push(format!("{HISTORY}: an entry for revision {r}, past the store's revision {revision}"));
            }
            previous = Some(r);
        }
        if let Some(last) = previous.filter(|last| *last < revision) {
            problems.push(format!("{HISTORY}: the last entry is of revision {last}, short of the store's {revision}"));
        }
        Ok(problems)
    }

    /// Removes the change log's entry of one revision; for tests of the consistency check.
    #[cfg(any(test, feature = "bench-hooks"))]
    pub fn remove_history_entry_for_test(&self, revision: u64) -> Result<(), StoreError> {
        self.db()?.open_tree(HISTORY)?.remove(revision.to_be_bytes())?;
        Ok(())
    }
}

/// Records gathered newest first, in the order written.
fn finish(mut records: Vec<ChangeRecord>) -> Vec<ChangeRecord> {
    records.reverse();
    records
}

fn revision_key(key: &[u8]) -> u64 {
    <[u8; 8]>::try_from(key).map_or(0, u64::from_be_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_names_its_revision_only_in_the_spelling_the_server_gives() {
        let meta = Meta { seed_version: "abc".into(), ..Meta::default() };
        assert_eq!(meta.revision_of("abc"), Some(0));
        assert_eq!(meta.revision_of("abc-r12"), Some(12));
        assert_eq!(meta.revision_of(&meta.version_at(12)), Some(12));
        assert_eq!(meta.revision_of(&meta.version_at(0)), Some(0));
        for other in ["abd-r1", "abc-r", "abc-r0", "abc-r01", "abc-r1x", "abc-12", "", "ab"] {
            assert_eq!(meta.revision_of(other), None, "{other}");
        }
    }

    #[test]
    fn an_entry_decodes_to_the_records_it_was_written_with() {
        let at = DateTime::from_timestamp_millis(1_700_000_000_123).unwrap();
        let changes = [
            RecordChange { collection: Collection::Sources, key: "s".into(), operation: Operation::Created },
            RecordChange { collection: Collection::Meetings, key: "m".into(), operation: Operation::Deleted },
        ];
        let records = decode_entry(7, &encode_entry(at, &changes).unwrap()).unwrap();
        let got: Vec<_> =
            records.iter().map(|r| (r.revision, r.index, r.at, r.collection, r.key.as_str(), r.operation)).collect();
        assert_eq!(
            got,
            [
                (7, 0, at, Collection::Sources, "s", Operation::Created),
                (7, 1, at, Collection::Meetings, "m", Operation::Deleted)
            ]
        );
    }
}
