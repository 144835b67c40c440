//! The `Subscription` root: committed changes, pushed over WebSocket (graphql-transport-ws).

use super::types::Change;
use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Subscription};
use tokio::sync::broadcast::error::RecvError;

/// Live updates. Subscribe on `/graphql/ws` with the graphql-transport-ws protocol.
#[derive(Default)]
pub struct Subscription;

/// Live updates of the record.
#[Subscription]
impl Subscription {
    /// Every change committed after the subscription starts: the record's type name and slug,
    /// created, updated or deleted, and the dataset version after it. Refresh what you show
    /// instead of polling. A client that falls far behind skips the oldest changes.
    async fn changes(&self, ctx: &Context<'_>) -> async_graphql::Result<impl Stream<Item = Change>> {
        let curator = super::curator(ctx)?;
        let rx = curator.subscribe();
        Ok(stream::unfold(rx, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(event) => return Some((Change(event), rx)),
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }
}
