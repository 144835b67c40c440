//! One module per GraphQL type. Each type is a thin wrapper around a position in the read model
//! ([`Catalog`]): resolvers read the domain record and the catalog's indexes, never the store.

mod actor;
mod aggregates;
mod chairmanship;
mod change;
mod commitment;
mod coordinates;
mod dataset;
mod document;
mod enums;
mod inputs;
mod localized_name;
mod meeting;
mod membership;
mod node;
mod organization;
mod person;
mod process;
mod search_hit;
mod source;
mod state;
mod write_inputs;

pub use actor::{meetings_page, Actor, Partnership};
pub use aggregates::{ActorPair, CommitmentCoverage, MeetingCount, MeetingGrouping};
pub use chairmanship::Chairmanship;
pub use change::{Change, ChangeOperation, Deleted, Deletion};
pub use commitment::Commitment;
pub use coordinates::Coordinates;
pub use dataset::DatasetInfo;
pub use document::{Document, Domain};
pub use enums::*;
pub use inputs::{domain_number, CommitmentFilter, MeetingFilter, MeetingOrder, StateFilter};
pub use localized_name::{Language, LocalizedName};
pub use meeting::{Meeting, MeetingRelation, Participation};
pub use membership::Membership;
pub use node::{Node, NodeId};
pub use organization::Organization;
pub use person::{Person, Post};
pub use process::Process;
pub use search_hit::SearchHit;
pub use source::{Note, Source};
pub use state::State;
pub use write_inputs::*;

use crate::catalog::{ActorRef, Catalog};
use crate::graphql::error::{ApiError, ApiResult};
use std::sync::Arc;

/// A record of the read model: the catalog it lives in and its position there.
#[derive(Clone)]
pub struct Rec {
    pub(crate) cat: Arc<Catalog>,
    pub(crate) ix: usize,
}

impl Rec {
    /// A handle on record `ix` of `cat`.
    pub fn new(cat: &Arc<Catalog>, ix: usize) -> Rec {
        Rec { cat: Arc::clone(cat), ix }
    }

    /// Another record of the same catalog.
    pub fn at(&self, ix: usize) -> Rec {
        Rec { cat: Arc::clone(&self.cat), ix }
    }

    /// The sources with the given slugs (unknown ones skipped: validation keeps them known).
    pub fn sources(&self, slugs: &[crate::domain::Slug]) -> Vec<Source> {
        slugs.iter().filter_map(|s| self.cat.source(s.as_str())).map(|i| Source(self.at(i))).collect()
    }

    /// The processes with the given slugs (unknown ones skipped: validation keeps them known).
    pub fn processes(&self, slugs: &[crate::domain::Slug]) -> Vec<Process> {
        slugs.iter().filter_map(|p| self.cat.process(p.as_str())).map(|i| Process(self.at(i))).collect()
    }

    /// The notes of a record, as GraphQL objects.
    pub fn notes(&self, notes: &[crate::domain::Note]) -> Vec<Note> {
        notes.iter().map(|n| Note { rec: self.clone(), note: n.clone() }).collect()
    }

    /// A reference the validated dataset guarantees; its absence is our bug, reported as an
    /// internal error rather than a panic.
    pub fn must<T>(&self, found: Option<T>, what: &str) -> ApiResult<T> {
        found.ok_or_else(|| ApiError::Internal(format!("dangling reference to {what}")))
    }

    /// The actor a slug names, if any.
    pub fn actor(&self, slug: &str) -> Option<Actor> {
        self.cat.actor(slug).map(|a| self.actor_ref(a))
    }

    /// The GraphQL actor of a catalog actor reference.
    pub fn actor_ref(&self, a: ActorRef) -> Actor {
        match a {
            ActorRef::State(i) => Actor::State(State(self.at(i))),
            ActorRef::Organization(i) => Actor::Organization(Organization(self.at(i))),
        }
    }
}
