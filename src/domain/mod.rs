//! The domain: plain data types of the record and the rules they obey.
//!
//! This module owns what a state, a meeting or a chairmanship *is*, and what makes a set of them
//! consistent ([`validate`]). It knows nothing of sled, JSON files or GraphQL: the store, the
//! seed loader and the API all convert to and from these types at their edges.

mod actor;
mod document;
mod meeting;
mod name;
mod note;
mod partial_date;
mod person;
mod place;
mod process;
mod rules;
mod slug;
mod stamp;
mod text;

pub use actor::{ActorKind, Continent, Organization, State};
pub use document::{Commitment, CommitmentKind, Document, DocumentKind, Domain};
pub use meeting::{Meeting, MeetingKind, MeetingRole, Participation, Relation, RelationKind, MAX_PARTICIPATIONS};
pub use name::{Language, LocalizedName};
pub use note::{Note, NoteKind, Source};
pub use partial_date::{intervals_intersect, PartialDate, PartialDateError, Precision};
pub use person::{Person, Post};
pub use place::{Coordinates, Place};
pub use process::{Chairmanship, Membership, MembershipRole, Process, SinceQualifier};
pub use rules::{is_web_address, validate, validate_edit, Collection, Problem, ProblemKind, WEB_ADDRESS_RULE};
pub use slug::{Slug, SlugError, MAX_SLUG_LEN};
pub use stamp::{Stamp, Stamps};
pub use text::{fold, forbidden_char, terms, Field, Searchable};

use std::sync::Arc;

/// The whole record: every entity, as the seed files hold it and the store keeps it.
///
/// Each record is shared (`Arc`), so that a copy of the dataset, which every write edits and
/// every read model holds, copies pointers rather than records: the cost of a write follows
/// what it changes, not the size of the record. A record is changed through
/// [`Arc::make_mut`], which copies only that record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    /// Where facts come from.
    pub sources: Vec<Arc<Source>>,
    /// States.
    pub states: Vec<Arc<State>>,
    /// Organisations.
    pub organizations: Vec<Arc<Organization>>,
    /// Processes.
    pub processes: Vec<Arc<Process>>,
    /// Memberships of actors in processes.
    pub memberships: Vec<Arc<Membership>>,
    /// Chair terms.
    pub chairmanships: Vec<Arc<Chairmanship>>,
    /// Meetings.
    pub meetings: Vec<Arc<Meeting>>,
    /// Declarations and action plans.
    pub documents: Vec<Arc<Document>>,
    /// Items of action plans.
    pub commitments: Vec<Arc<Commitment>>,
    /// People named in a role.
    pub people: Vec<Arc<Person>>,
}

impl Dataset {
    /// The sources and notes of every record that carries them (all but sources themselves),
    /// collection by collection.
    pub fn citations(&self) -> impl Iterator<Item = (&[Slug], &[Note])> {
        (self.states.iter().map(|r| (r.sources.as_slice(), r.notes.as_slice())))
            .chain(self.organizations.iter().map(|r| (r.sources.as_slice(), r.notes.as_slice())))
            .chain(self.processes.iter().map(|r| (r.sources.as_slice(), r.notes.as_slice())))
            .chain(self.memberships.iter().map(|r| (r.sources.as_slice(), r.notes.as_slice())))
            .chain(self.chairmanships.iter().map(|r| (r.sources.as_slice(), r.notes.as_slice())))
            .chain(self.meetings.iter().map(|r| (r.sources.as_slice(), r.notes.as_slice())))
            .chain(self.documents.iter().map(|r| (r.sources.as_slice(), r.notes.as_slice())))
            .chain(self.commitments.iter().map(|r| (r.sources.as_slice(), r.notes.as_slice())))
            .chain(self.people.iter().map(|r| (r.sources.as_slice(), r.notes.as_slice())))
    }
}

/// The name of an enum value as the schema, the seed files and the exports spell it
/// (`THEMATIC_MEETING`), through the domain type's serde.
pub fn variant_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A record of one collection of the [`Dataset`], found by its key.
pub trait Record: Clone + PartialEq + Send + Sync + 'static {
    /// The collection it belongs to.
    const COLLECTION: Collection;
    /// Its key: the slug (the code, for commitments).
    fn key(&self) -> &str;
    /// Its collection in a dataset.
    fn all(ds: &Dataset) -> &Vec<Arc<Self>>;
    /// Its collection in a dataset, to change.
    fn all_mut(ds: &mut Dataset) -> &mut Vec<Arc<Self>>;
}

macro_rules! record {
    ($t:ty, $c:ident, $field:ident, $key:ident) => {
        impl Record for $t {
            const COLLECTION: Collection = Collection::$c;
            fn key(&self) -> &str {
                self.$key.as_str()
            }
            fn all(ds: &Dataset) -> &Vec<Arc<Self>> {
                &ds.$field
            }
            fn all_mut(ds: &mut Dataset) -> &mut Vec<Arc<Self>> {
                &mut ds.$field
            }
        }
    };
}

record!(Source, Sources, sources, slug);
record!(State, States, states, slug);
record!(Organization, Organizations, organizations, slug);
record!(Process, Processes, processes, slug);
record!(Membership, Memberships, memberships, slug);
record!(Chairmanship, Chairmanships, chairmanships, slug);
record!(Meeting, Meetings, meetings, slug);
record!(Document, Documents, documents, slug);
record!(Commitment, Commitments, commitments, code);
record!(Person, People, people, slug);

impl Dataset {
    /// Every record's collection and key (slug, or code for commitments).
    pub fn keys(&self) -> Vec<(Collection, &str)> {
        fn add<'a, T: Record>(out: &mut Vec<(Collection, &'a str)>, ds: &'a Dataset) {
            out.extend(T::all(ds).iter().map(|r| (T::COLLECTION, r.key())));
        }
        let mut out = Vec::new();
        add::<Source>(&mut out, self);
        add::<State>(&mut out, self);
        add::<Organization>(&mut out, self);
        add::<Process>(&mut out, self);
        add::<Membership>(&mut out, self);
        add::<Chairmanship>(&mut out, self);
        add::<Meeting>(&mut out, self);
        add::<Document>(&mut out, self);
        add::<Commitment>(&mut out, self);
        add::<Person>(&mut out, self);
        out
    }
}
