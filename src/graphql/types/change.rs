//! What writes return when there is no record left to return, and what subscribers receive.

use super::NodeId;
use crate::curation::ChangeEvent;
use crate::domain::Collection;
use crate::graphql::scalars::DateTime;
use crate::store::Operation;
use async_graphql::{Enum, Object, SimpleObject, ID};

/// What happened to a record.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "Operation")]
pub enum ChangeOperation {
    /// The record was created.
    Created,
    /// The record changed.
    Updated,
    /// The record was deleted.
    Deleted,
}

/// The answer to a delete. It carries the global id as well as the slug, so that a client
/// with a normalised cache can evict the record it holds under that id.
#[derive(SimpleObject)]
#[graphql(serial)]
pub struct Deleted {
    /// The global id the record had, as `id` and `node(id:)` gave it.
    pub id: ID,
    /// The slug of the record that was removed.
    pub slug: String,
}

impl Deleted {
    /// The answer to deleting the record `slug` of collection `c`.
    pub fn of(c: Collection, slug: String) -> Deleted {
        Deleted { id: NodeId::encode(typename(c), &slug), slug }
    }
}

/// One committed change.
pub struct Change(pub ChangeEvent);

/// The GraphQL type name of a collection's records.
pub fn typename(c: Collection) -> &'static str {
    match c {
        Collection::Sources => "Source",
        Collection::States => "State",
        Collection::Organizations => "Organization",
        Collection::Processes => "Process",
        Collection::Memberships => "Membership",
        Collection::Chairmanships => "Chairmanship",
        Collection::Meetings => "Meeting",
        Collection::Documents => "Document",
        Collection::Commitments => "Commitment",
        Collection::People => "Person",
    }
}

/// One committed change. A write that touches several records (a meeting and a new source it
/// cites) sends one change per record.
#[Object(serial)]
impl Change {
    /// Created, updated or deleted.
    async fn operation(&self) -> ChangeOperation {
        self.0.operation.into()
    }

    /// The GraphQL type name of the record: 'Meeting', 'Chairmanship', ...
    async fn typename(&self) -> &'static str {
        typename(self.0.collection)
    }

    /// The record's global id, as `id` and `node(id:)` give it (a deleted record's id names
    /// nothing any more): the key under which a normalised client cache holds the record.
    async fn id(&self) -> ID {
        NodeId::encode(typename(self.0.collection), &self.0.key)
    }

    /// The record's slug (its code, for a commitment).
    async fn slug(&self) -> &str {
        &self.0.key
    }

    /// The dataset version after this change.
    async fn version(&self) -> &str {
        &self.0.version
    }
}

/// A record deleted, as the change history keeps it (a tombstone): what `deleted(since:)` lists
/// beside `updatedSince`, so that a client syncing by time learns of deletions too.
#[derive(SimpleObject, Clone)]
#[graphql(serial)]
pub struct Deletion {
    /// The GraphQL type name of the deleted record: 'Meeting', 'Chairmanship', ...
    pub typename: &'static str,
    /// The global id the record had, as `id` and `node(id:)` gave it.
    pub id: ID,
    /// The slug of the record (its code, for a commitment).
    pub slug: String,
    /// The dataset version the deletion made.
    pub version: String,
    /// When the record was deleted.
    pub deleted_at: DateTime,
}

impl Deletion {
    /// The tombstone of a deletion the change log holds, in the store described by `meta`.
    pub fn of_record(r: crate::store::ChangeRecord, meta: &crate::store::Meta) -> Deletion {
        Deletion {
            typename: typename(r.collection),
            id: NodeId::encode(typename(r.collection), &r.key),
            slug: r.key,
            version: meta.version_at(r.revision),
            deleted_at: DateTime(r.at),
        }
    }
}
