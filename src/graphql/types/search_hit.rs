//! The `SearchHit` union.

use super::*;
use async_graphql::Union;

/// One result of a full-text search: any record a search can find.
#[derive(Union)]
pub enum SearchHit {
    /// A state.
    State(State),
    /// An organisation.
    Organization(Organization),
    /// A process.
    Process(Process),
    /// A meeting.
    Meeting(Meeting),
    /// A document.
    Document(Document),
    /// An action-plan item.
    Commitment(Commitment),
    /// A person a source names in a role, found by name or by the title of a post.
    Person(Person),
}
