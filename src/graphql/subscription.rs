//! The `Subscription` root: committed changes, pushed over WebSocket (graphql-transport-ws).
//!
//! A subscription follows the live broadcast of changes, and reads the store's change log
//! (`changes(after:)`, and whenever it falls behind the broadcast's buffer). Each change has a
//! place, its write's revision and its index in that write; a subscription sends only changes
//! placed after the last one it sent, so replayed, live and re-read changes go out each exactly
//! once, in the order written.

use super::engine::VersionWait;
use super::error::ApiError;
use super::types::Change;
use crate::app::DEFAULT_MIN_VERSION_WAIT;
use crate::curation::{ChangeEvent, Curator};
use crate::store::{HistoryError, Meta};
use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Subscription};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

/// Live updates. Subscribe on `/graphql/ws` with the graphql-transport-ws protocol.
#[derive(Default)]
pub struct Subscription;

/// Live updates of the record.
#[Subscription]
impl Subscription {
    /// Every change committed after the subscription starts, or after the version `after`: the
    /// record's type name and slug, created, updated or deleted, and the dataset version it
    /// made. With `after` (a `version` of `dataset` or of a change), the changes since that
    /// version come first, from the change history the server keeps (its last 10,000 writes
    /// unless configured otherwise; on an etcd cluster, etcd's history back to its last
    /// compaction, on any server that serves that version), then live ones: each exactly once, in the order written,
    /// deletions included. A version older than the history (or from before a reseed) is
    /// refused with `HISTORY_EXPIRED`,
    /// whose `extensions.oldestVersion` is the oldest version it resumes from: reload, then
    /// subscribe after the version reloaded. On a cluster, a version another server made that
    /// this one has not reached yet is waited for, as long as `X-Min-Dataset-Version` waits;
    /// then the subscription is refused with `DATASET_VERSION_NOT_REACHED`. A subscriber that falls behind reads on from the
    /// history; should that no longer hold what it missed, the stream ends with one
    /// `HISTORY_EXPIRED` error, and the client resumes as above. So does it when a server of a
    /// cluster loses its watch and reloads past changes the history no longer holds.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A dataset version: send the changes after it first.")] after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Change>>> {
        let curator = Arc::clone(super::curator(ctx)?);
        // Subscribed before the log is read: a write committed in between is in one or the other,
        // and its place tells whether it went out already.
        let rx = curator.subscribe();
        let mut gaps = curator.gaps();
        gaps.borrow_and_update();
        let mut meta = curator.catalog().meta.clone();
        let (start, pending) = match after {
            None => (meta.revision, VecDeque::new()),
            Some(version) => {
                // A version past the one served may come from another server of the cluster,
                // which this one follows: it is waited for, up to the limit.
                let ahead = meta.revision_of(&version).filter(|r| *r > meta.revision);
                if let Some(revision) = ahead.filter(|_| curator.store().shared()) {
                    let wait = ctx.data_opt::<VersionWait>().map_or(DEFAULT_MIN_VERSION_WAIT, |w| w.0);
                    if !curator.wait_for_revision(revision, wait).await {
                        return Err(ApiError::VersionNotReached(format!(
                            "this server did not reach dataset version '{version}' within {} s; it serves '{}': \
                             resume on another server, or again in a moment",
                            wait.as_secs_f64(),
                            curator.catalog().meta.version
                        ))
                        .into());
                    }
                    meta = curator.catalog().meta.clone();
                }
                // A version still past the one served is none this store made since it was
                // seeded: one from before a reseed of the same files, whose revisions start
                // again from 0.
                let Some(revision) = meta.revision_of(&version).filter(|r| *r <= meta.revision) else {
                    let oldest = curator.store().oldest_in_history().map_err(|e| internal(&e))?;
                    return Err(ApiError::HistoryExpired {
                        message: format!(
                            "'{}' is not a version of this dataset's history (one from before it was reseeded, or \
                             mistyped); the oldest version the change history resumes from is '{}'",
                            version.chars().take(100).collect::<String>(),
                            meta.version_at(oldest)
                        ),
                        oldest: ("oldestVersion", meta.version_at(oldest)),
                    }
                    .into());
                };
                (revision, logged(&curator, revision, &meta)?)
            }
        };
        let feed = Feed { curator, rx, gaps, pending, last: (start, usize::MAX), ended: false };
        Ok(stream::unfold(feed, Feed::next))
    }
}

/// One subscription's state.
struct Feed {
    curator: Arc<Curator>,
    rx: broadcast::Receiver<ChangeEvent>,
    /// The reloads that went past changes the history no longer held.
    gaps: watch::Receiver<u64>,
    /// Changes read from the log or the broadcast, not sent yet.
    pending: VecDeque<ChangeEvent>,
    /// The place (revision, index) of the last change sent; `usize::MAX` for every change of
    /// that revision.
    last: (u64, usize),
    /// Whether the stream has sent its last item.
    ended: bool,
}

impl Feed {
    async fn next(mut self) -> Option<(async_graphql::Result<Change>, Feed)> {
        if self.ended {
            return None;
        }
        loop {
            if let Some(event) = self.pending.pop_front() {
                let place = (event.revision, event.index);
                if place > self.last {
                    self.last = place;
                    return Some((Ok(Change(event)), self));
                }
                continue;
            }
            let received = tokio::select! {
                received = self.rx.recv() => received,
                Ok(()) = self.gaps.changed() => {
                    let gap = *self.gaps.borrow_and_update();
                    if gap > self.last.0 {
                        self.ended = true;
                        return Some((Err(lost(&self.curator, self.last.0)), self));
                    }
                    continue;
                }
            };
            match received {
                Ok(event) => self.pending.push_back(event),
                Err(RecvError::Lagged(_)) => {
                    // Read on from the log: from the revision before the last one sent, whose
                    // other changes may not all have gone out yet.
                    let from = if self.last.1 == usize::MAX { self.last.0 } else { self.last.0.saturating_sub(1) };
                    let meta = self.curator.catalog().meta.clone();
                    match logged(&self.curator, from, &meta) {
                        Ok(events) => self.pending = events,
                        Err(e) => {
                            self.ended = true;
                            return Some((Err(e), self));
                        }
                    }
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// The changes after `revision` in the change log, or the coded error.
fn logged(curator: &Curator, revision: u64, meta: &Meta) -> async_graphql::Result<VecDeque<ChangeEvent>> {
    match curator.store().changes_after(revision) {
        Ok(records) => Ok(records.into_iter().map(|r| ChangeEvent::logged(r, meta)).collect()),
        Err(HistoryError::Expired { after, oldest }) => Err(ApiError::HistoryExpired {
            message: format!(
                "the change history no longer holds every change after version '{}'; the oldest version it \
                 resumes from is '{}': reload, then follow the changes after the version you reloaded",
                meta.version_at(after),
                meta.version_at(oldest)
            ),
            oldest: ("oldestVersion", meta.version_at(oldest)),
        }
        .into()),
        Err(e) => Err(internal(&e)),
    }
}

/// The error that ends a subscription whose changes after `revision` a reload went past when
/// the history no longer held them.
fn lost(curator: &Curator, revision: u64) -> async_graphql::Error {
    let meta = curator.catalog().meta.clone();
    match curator.store().oldest_in_history() {
        Ok(oldest) => ApiError::HistoryExpired {
            message: format!(
                "this server lost its watch of the cluster and reloaded the dataset, and the change history no longer \
                 holds every change after version '{}'; the oldest version it resumes from is '{}': reload, then \
                 follow the changes after the version you reloaded",
                meta.version_at(revision),
                meta.version_at(oldest)
            ),
            oldest: ("oldestVersion", meta.version_at(oldest)),
        }
        .into(),
        Err(e) => internal(&e),
    }
}

fn internal(e: &dyn std::fmt::Display) -> async_graphql::Error {
    ApiError::Internal(format!("reading the change history failed: {e}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curation::tests::{curator, reload_past, three_writes};

    #[tokio::test]
    async fn a_subscriber_a_reload_went_past_lost_changes_for_ends_with_history_expired() {
        let dir = tempfile::tempdir().unwrap();
        let curator = curator(dir.path());
        curator.store().set_history_limit(1);
        let before = three_writes(&curator).await;
        // A subscriber still at the first version, as on a server whose watch was lost before
        // the three writes reached it.
        let mut gaps = curator.gaps();
        gaps.borrow_and_update();
        let feed = Feed {
            curator: Arc::clone(&curator),
            rx: curator.subscribe(),
            gaps,
            pending: VecDeque::new(),
            last: (0, usize::MAX),
            ended: false,
        };
        reload_past(&curator, before).await;
        let (item, feed) = tokio::time::timeout(std::time::Duration::from_secs(5), feed.next())
            .await
            .expect("an item at once")
            .expect("an item, not the end");
        let error = item.err().expect("an error, not a change");
        let code = error.extensions.as_ref().and_then(|e| e.get("code")).cloned();
        assert_eq!(code, Some(async_graphql::Value::from(crate::graphql::codes::HISTORY_EXPIRED)), "{}", error.message);
        assert!(error.message.contains("reloaded"), "{}", error.message);
        assert!(feed.next().await.is_none(), "and the stream ends");
    }
}
