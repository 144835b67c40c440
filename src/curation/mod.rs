//! Curation: the only way the record changes after seeding.
//!
//! A write runs in five steps, each of which can refuse it with nothing written:
//! 1. the bearer token is checked ([`Tokens`]);
//! 2. the edit is applied to a copy of the current dataset ([`Draft`]);
//! 3. the copy is checked by the same rules as the seed files, those the edited records can
//!    break ([`crate::domain::validate_edit`]);
//! 4. the store commits the difference (of the records the edit touched) in one transaction and
//!    flushes it to disk;
//! 5. the records the commit touched are read back from the store into the edited copy, the read
//!    model is derived from that and the one before ([`Catalog::after`]) and swapped in, and
//!    subscribers are told.
//!
//! Step 5 reads back only what changed: the copy started as the read model's dataset, which is
//! what the store held, and the commit wrote every difference, so the copy with the touched
//! records read back is what the store holds. The store stays the only source of the read
//! model, without a write reading every record (a full reload took a second at 1000× the
//! record). A test compares the result with a full reload after every kind of write.
//!
//! Writers are serialised by one lock, held from reading the dataset to swapping in the new read
//! model, so each edit sees the result of the one before. The steps run in a task of their own:
//! a client that hangs up mid-write cannot cancel a commit halfway between the store and the
//! read model.
//!
//! On a store that other servers write too (etcd), the commit holds only if nothing changed since
//! the read model the edit started from; otherwise the edit waits for the read model to follow
//! the cluster and runs again, up to [`WRITE_ATTEMPTS`] times, and then answers a conflict. The
//! read model follows the other servers' writes as they are committed ([`Curator::new`]).

mod draft;
mod tokens;

pub use draft::{name_slug, source_slug, Draft, SourceDraft};
pub use tokens::{Tokens, TokensError};

use crate::catalog::Catalog;
use crate::domain::{self, Collection, ProblemKind};
use crate::store::{self, Backend, Operation, RecordChange, Snapshot, StoreError, Update};
use arc_swap::ArcSwap;
use std::sync::Arc;
use tokio::sync::{broadcast, watch, Mutex};

/// Why a write was refused or failed. Nothing is written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum CurationError {
    /// No valid bearer token was presented, or none is configured.
    #[error("{0}")]
    Unauthenticated(String),
    /// An input value is malformed or names nothing.
    #[error("{0}")]
    Invalid(String),
    /// The record to change does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with other records: a duplicate key, overlapping chair terms, or a
    /// record that others still refer to.
    #[error("{0}")]
    Conflict(String),
    /// The store failed; the write was not made.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The write failed on our side for another reason (a panic in the write task).
    #[error("{0}")]
    Internal(String),
}

/// One committed change to one record, as subscribers receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEvent {
    /// The record's collection.
    pub collection: Collection,
    /// Its slug (or code).
    pub key: String,
    /// Created, updated or deleted.
    pub operation: Operation,
    /// The dataset version after the change.
    pub version: String,
    /// The revision of the write (the store's [`crate::store::Meta::revision`]).
    pub revision: u64,
    /// The change's place among those of its write, from 0: with the revision, where it stands
    /// in the change log, so that a subscriber that fell behind resumes from the log exactly.
    pub index: usize,
}

impl ChangeEvent {
    /// A change as the change log of the store described by `meta` keeps it.
    pub fn logged(r: crate::store::ChangeRecord, meta: &crate::store::Meta) -> ChangeEvent {
        ChangeEvent {
            collection: r.collection,
            key: r.key,
            operation: r.operation,
            version: meta.version_at(r.revision),
            revision: r.revision,
            index: r.index,
        }
    }
}

/// How many change events a slow subscriber may fall behind before it reads on from the change
/// log instead of the live buffer.
const CHANGE_BUFFER: usize = 256;

/// How many times a write is tried on a store other servers write too, when each try finds the
/// dataset changed by another server, before it answers a conflict.
pub const WRITE_ATTEMPTS: usize = 5;

/// Longest a write that lost to another server's waits for the read model to reach that
/// server's write before it tries again.
const CATCH_UP: std::time::Duration = std::time::Duration::from_secs(2);

/// The store and the read model derived from it, with the single writer that changes both.
pub struct Curator {
    store: Backend,
    catalog: ArcSwap<Catalog>,
    writer: Mutex<()>,
    tokens: Tokens,
    changes: broadcast::Sender<ChangeEvent>,
    /// The revision of the latest reload that went past changes the store's history no longer
    /// held (0: none): subscribers that had not reached it cannot be told every change.
    gaps: watch::Sender<u64>,
}

impl Curator {
    /// Wraps a seeded store: builds the read model from it and, on a store that other servers
    /// write too, follows their writes from the revision it was built at.
    pub fn new(store: Backend, tokens: Tokens) -> Result<Arc<Curator>, StoreError> {
        let snapshot = store.snapshot()?;
        let read_at = snapshot.read_at;
        let (changes, _) = broadcast::channel(CHANGE_BUFFER);
        let catalog = ArcSwap::from_pointee(Self::catalog_of(snapshot));
        let gaps = watch::Sender::new(0);
        let curator = Arc::new(Curator { store, catalog, writer: Mutex::new(()), tokens, changes, gaps });
        if let Some(mut updates) = curator.store.follow(read_at)? {
            let weak = Arc::downgrade(&curator);
            curator.store.spawn(async move {
                while let Some(update) = updates.recv().await {
                    let Some(curator) = weak.upgrade() else { return };
                    if let Err(e) = curator.follow(update).await {
                        tracing::error!(error = %e, "cannot apply a change committed by another server");
                    }
                }
            })?;
        }
        Ok(curator)
    }

    fn catalog_of(s: Snapshot) -> Catalog {
        Catalog::new(s.dataset, s.meta, s.stamps)
    }

    fn build(store: &Backend) -> Result<Catalog, StoreError> {
        Ok(Self::catalog_of(store.snapshot()?))
    }

    /// Applies what the store says another server committed, under the writer's lock: a revision
    /// the read model already holds (this server's own write) is skipped, a later one applied to
    /// a copy of the dataset and swapped in whole, with its changes told to subscribers.
    async fn follow(&self, update: Update) -> Result<(), StoreError> {
        let _writer = self.writer.lock().await;
        let current = self.catalog();
        let mut skipped = Ok(Vec::new());
        let (catalog, changes) = match update {
            Update::Reload(s) if s.meta.revision > current.meta.revision => {
                if s.meta.seed_version == current.meta.seed_version {
                    skipped = self.skipped(current.meta.revision, &s.meta);
                }
                (Self::catalog_of(*s), Vec::new())
            }
            Update::Changed { meta, events } if meta.revision > current.meta.revision => {
                let (mut ds, mut stamps) = (current.ds.clone(), current.stamps().clone());
                match store::apply(&mut ds, &mut stamps, &events) {
                    Ok(changes) => (current.after(ds, meta, stamps, &changes), changes),
                    // Later revisions must not be applied over a read model that lacks this one:
                    // the whole dataset is loaded again, at a revision at least as recent.
                    Err(e) => {
                        tracing::error!(error = %e, "cannot apply a change committed by another server; loading the whole dataset again");
                        (Self::build(&self.store)?, Vec::new())
                    }
                }
            }
            _ => return Ok(()),
        };
        let meta = catalog.meta.clone();
        self.catalog.store(Arc::new(catalog));
        self.tell(changes, &meta);
        match skipped {
            Ok(events) => {
                for event in events {
                    let _ = self.changes.send(event);
                }
            }
            Err(()) => {
                self.gaps.send_replace(meta.revision);
            }
        }
        Ok(())
    }

    /// The changes after revision `from` up to `to`'s that a reload went past, from the store's
    /// history, so that subscribers are told them as the lost watch would have; an error when
    /// the history no longer holds them all.
    fn skipped(&self, from: u64, to: &store::Meta) -> Result<Vec<ChangeEvent>, ()> {
        match self.store.changes_after(from) {
            Ok(records) => Ok(records
                .into_iter()
                .filter(|r| r.revision <= to.revision)
                .map(|r| ChangeEvent::logged(r, to))
                .collect()),
            Err(e) => {
                tracing::warn!(error = %e, "a reload went past changes the history no longer holds; the subscribers that had not seen them are told to resync");
                Err(())
            }
        }
    }

    /// Tells subscribers about the changes of one committed write, whose store is now at `meta`.
    fn tell(&self, changes: Vec<RecordChange>, meta: &store::Meta) {
        for (index, c) in changes.into_iter().enumerate() {
            // No subscriber is not an error.
            let _ = self.changes.send(ChangeEvent {
                collection: c.collection,
                key: c.key,
                operation: c.operation,
                version: meta.version.clone(),
                revision: meta.revision,
                index,
            });
        }
    }

    /// The read model after a commit, from the edited dataset it was computed to and the read
    /// model before it: every record the commit touched, and its stamp, read back from the store.
    fn after_commit(
        &self,
        before: &Catalog,
        mut ds: domain::Dataset,
        committed: &store::Committed,
    ) -> Result<Catalog, StoreError> {
        let mut stamps = before.stamps().clone();
        self.store.read_back(&mut ds, &mut stamps, committed)?;
        Ok(before.after(ds, committed.meta.clone(), stamps, &committed.changes))
    }

    /// The store.
    pub fn store(&self) -> &Backend {
        &self.store
    }

    /// The read model as of now. Requests hold on to it for their whole execution.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.load_full()
    }

    /// Rebuilds the read model from the store and swaps it in.
    pub fn reload(&self) -> Result<(), StoreError> {
        self.catalog.store(Arc::new(Self::build(&self.store)?));
        Ok(())
    }

    /// A stream of every change committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.changes.subscribe()
    }

    /// The revision of the latest reload that went past changes no longer in the store's history
    /// (0: none yet), and each later one: a subscriber that has not reached it missed changes
    /// it cannot be told, and must resync.
    pub fn gaps(&self) -> watch::Receiver<u64> {
        self.gaps.subscribe()
    }

    /// Waits until the read model is at `revision` or later, for at most `limit`; whether it got
    /// there.
    pub async fn wait_for_revision(&self, revision: u64, limit: std::time::Duration) -> bool {
        // Subscribed before looking, so that a swap between the look and the wait is not missed:
        // the events of a write are sent after its read model is swapped in.
        let mut rx = self.changes.subscribe();
        let waiting = async {
            while self.catalog().meta.revision < revision {
                if let Err(broadcast::error::RecvError::Closed) = rx.recv().await {
                    return false;
                }
            }
            true
        };
        tokio::time::timeout(limit, waiting).await.unwrap_or(false)
    }

    /// How many subscribers are listening for changes now: a subscription counts from the moment
    /// it is registered, so a client (or a test) can know that no change will pass it by.
    pub fn subscribers(&self) -> usize {
        self.changes.receiver_count()
    }

    /// Checks the token, applies `edit` to a copy of the dataset, validates it, commits it and
    /// flushes it, then swaps in the new read model. Returns the new read model and what `edit`
    /// returned (typically the key of the record to hand back).
    ///
    /// `edit` is cloned for each try: on a store other servers write too, a try that finds the
    /// dataset changed runs the edit again on the newer dataset.
    pub async fn write<T, F>(self: &Arc<Self>, token: Option<&str>, edit: F) -> Result<(Arc<Catalog>, T), CurationError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Draft) -> Result<T, CurationError> + Clone + Send + 'static,
    {
        self.tokens.check(token)?;
        let this = Arc::clone(self);
        // A task of its own, so that a dropped request cannot stop a write between commit and swap.
        tokio::spawn(async move { this.write_tries(edit).await })
            .await
            .map_err(|e| CurationError::Internal(format!("the write task failed: {e}")))?
    }

    async fn write_tries<T, F>(&self, edit: F) -> Result<(Arc<Catalog>, T), CurationError>
    where
        F: FnOnce(&mut Draft) -> Result<T, CurationError> + Clone,
    {
        let mut attempt = 1;
        loop {
            match self.write_locked(edit.clone()).await {
                Err(CurationError::Store(StoreError::Stale { revision })) => {
                    if attempt == WRITE_ATTEMPTS {
                        return Err(CurationError::Conflict(format!(
                            "other servers changed the dataset while this write was made, {WRITE_ATTEMPTS} times in a row; nothing was written; try again"
                        )));
                    }
                    attempt += 1;
                    self.caught_up(revision).await;
                }
                other => return other,
            }
        }
    }

    /// Waits, up to [`CATCH_UP`], until the read model holds `revision`.
    async fn caught_up(&self, revision: u64) {
        let deadline = tokio::time::Instant::now() + CATCH_UP;
        while self.catalog().meta.revision < revision && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    async fn write_locked<T, F>(&self, edit: F) -> Result<(Arc<Catalog>, T), CurationError>
    where
        F: FnOnce(&mut Draft) -> Result<T, CurationError>,
    {
        let _writer = self.writer.lock().await;
        if self.store.prepare_write()? {
            // sled's files were opened again after a failed write: what they hold is the truth,
            // whatever the read model made of the writes before the failure.
            self.catalog.store(Arc::new(Self::build(&self.store)?));
        }
        let current = self.catalog();
        let mut draft = Draft::new(current.ds.clone());
        let out = edit(&mut draft)?;
        check(&draft)?;
        let committed = self.store.commit(
            &current.ds,
            current.stamps(),
            &current.meta,
            draft.dataset(),
            Some(draft.touched()),
            store::now(),
        )?;
        self.store.flush().await?;
        // What the store now durably holds, for operators and for tests that judge a shutdown
        // by what the server accepted. Record keys only: a token never reaches this function.
        tracing::debug!(
            version = %committed.meta.version,
            records = %committed
                .changes
                .iter()
                .map(|c| format!("{:?} {} {}", c.operation, c.collection.noun(), c.key))
                .collect::<Vec<_>>()
                .join(", "),
            "committed a write"
        );
        if committed.changes.is_empty() {
            return Ok((current, out));
        }
        let catalog = Arc::new(self.after_commit(&current, draft.into_dataset(), &committed)?);
        self.catalog.store(Arc::clone(&catalog));
        self.tell(committed.changes, &committed.meta);
        Ok((catalog, out))
    }
}

/// Runs the dataset's rules over the edited copy and turns broken ones into an error. The stored
/// dataset obeys every rule, so whatever breaks one is the edit's doing, and only the rules the
/// edited records can break are run ([`domain::validate_edit`]); debug builds (the tests) run
/// every rule too and require the same problems.
fn check(draft: &Draft) -> Result<(), CurationError> {
    draft.check_text()?;
    let problems = domain::validate_edit(draft.dataset(), draft.touched());
    #[cfg(debug_assertions)]
    {
        let said = |p: &[domain::Problem]| {
            let mut v: Vec<String> = p.iter().map(ToString::to_string).collect();
            v.sort();
            v
        };
        debug_assert_eq!(said(&problems), said(&domain::validate(draft.dataset())), "an edit's rules missed a problem");
    }
    if problems.is_empty() {
        return Ok(());
    }
    if let Some((c, key)) = draft.deleted() {
        let referrers: Vec<String> = problems
            .iter()
            .filter(|p| p.kind == ProblemKind::UnknownReference)
            .map(|p| format!("{} '{}' ({})", p.collection.noun(), p.record, p.field))
            .collect();
        if !referrers.is_empty() {
            return Err(CurationError::Conflict(format!(
                "{} '{key}' cannot be deleted: other records refer to it: {}",
                c.noun(),
                referrers.join(", ")
            )));
        }
    }
    let text = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
    if problems.iter().any(|p| p.kind == ProblemKind::Conflict) {
        Err(CurationError::Conflict(text))
    } else {
        Err(CurationError::Invalid(text))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::Path;

    const TOKEN: &str = "curation-test-token-0123456789";
    const MEETING: &str = "2025-aswan-legal-pathways";

    /// A curator over a store seeded from `seed/` in `dir`.
    pub(crate) fn curator(dir: &Path) -> Arc<Curator> {
        let seed = crate::seed::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")).expect("the seed loads");
        let store = store::Store::open(&dir.join("data")).expect("a store");
        store.replace_all(&seed.dataset, &seed.version).expect("the store is seeded");
        Curator::new(Backend::Sled(store), Tokens::load(Some(TOKEN), None).expect("a token")).expect("a curator")
    }

    /// Makes three writes; returns the read model before them.
    pub(crate) async fn three_writes(curator: &Curator) -> Arc<Catalog> {
        let before = curator.catalog();
        for n in 0..3 {
            let edit = move |d: &mut Draft| {
                d.get_mut::<domain::Meeting>(MEETING)?.attendance = Some(n + 1);
                Ok(())
            };
            curator.write_locked(edit).await.expect("the write");
        }
        before
    }

    /// Puts `before` back and reloads the whole dataset past it, as a server whose watch of the
    /// cluster was lost does.
    pub(crate) async fn reload_past(curator: &Curator, before: Arc<Catalog>) {
        curator.catalog.store(before);
        let snapshot = curator.store.snapshot().expect("a snapshot");
        curator.follow(Update::Reload(Box::new(snapshot))).await.expect("the reload");
    }

    #[tokio::test]
    async fn a_reload_tells_subscribers_the_changes_it_went_past_or_that_the_history_lost_them() {
        // The history holds the three writes: subscribers are told them, and of no gap.
        let dir = tempfile::tempdir().unwrap();
        let held = curator(dir.path());
        let (mut changes, gaps) = (held.subscribe(), held.gaps());
        let before = three_writes(&held).await;
        reload_past(&held, before).await;
        let mut told = Vec::new();
        while let Ok(c) = changes.try_recv() {
            told.push(c.revision);
        }
        // Each write's own event, then the three again from the history, which subscribers
        // filter by their place in it.
        assert_eq!(told, [1, 2, 3, 1, 2, 3]);
        assert!(!gaps.has_changed().unwrap(), "no gap");

        // The history holds only the last: subscribers are told of the gap, at the revision
        // reloaded.
        let dir = tempfile::tempdir().unwrap();
        let lost = curator(dir.path());
        lost.store().set_history_limit(1);
        let mut gaps = lost.gaps();
        let before = three_writes(&lost).await;
        reload_past(&lost, before).await;
        assert!(gaps.has_changed().unwrap(), "a gap is told");
        assert_eq!(*gaps.borrow_and_update(), 3);
        assert_eq!(lost.catalog().meta.revision, 3);
    }
}
