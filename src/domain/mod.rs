//! The domain: plain data types of the record and the rules they obey.
//!
//! This module owns what a state, a meeting or a chairmanship *is*, and what makes a set of them
//! consistent ([`validate`]). It knows nothing of sled, JSON files or GraphQL: the store, the
//! seed loader and the API all convert to and from these types at their edges.

mod actor;
mod document;
mod meeting;
mod note;
mod partial_date;
mod process;
mod slug;
mod validate;

pub use actor::{ActorKind, Continent, Organization, State};
pub use document::{Commitment, CommitmentKind, Document, DocumentKind, Domain};
pub use meeting::{Meeting, MeetingKind, MeetingRole, Participation, Relation, RelationKind};
pub use note::{Note, NoteKind, Source};
pub use partial_date::{intervals_intersect, PartialDate, PartialDateError, Precision};
pub use process::{Chairmanship, Membership, MembershipRole, Process};
pub use slug::{Slug, SlugError, MAX_SLUG_LEN};
pub use validate::{validate, Collection, Problem};

/// The whole record: every entity, as the seed files hold it and the store keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    /// Where facts come from.
    pub sources: Vec<Source>,
    /// States.
    pub states: Vec<State>,
    /// Organisations.
    pub organizations: Vec<Organization>,
    /// Processes.
    pub processes: Vec<Process>,
    /// Memberships of actors in processes.
    pub memberships: Vec<Membership>,
    /// Chair terms.
    pub chairmanships: Vec<Chairmanship>,
    /// Meetings.
    pub meetings: Vec<Meeting>,
    /// Declarations and action plans.
    pub documents: Vec<Document>,
    /// Items of action plans.
    pub commitments: Vec<Commitment>,
}
