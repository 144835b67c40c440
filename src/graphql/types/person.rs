//! The `Person` and `Post` types.

use super::*;
use crate::domain::{Collection, PartialDate};
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::DateTime;
use async_graphql::{Object, ID};

/// A person a source names in a role.
#[derive(Clone)]
pub struct Person(pub(crate) Rec);

impl Person {
    fn r(&self) -> &crate::domain::Person {
        &self.0.cat.ds.people[self.0.ix]
    }
}

/// A person a source names in a role: a minister who chaired a meeting, an official who spoke
/// for an organisation. Modelled on Popolo's Person: a name, the posts held for an actor, the
/// meetings where the person acted, and sources.
#[Object(serial)]
impl Person {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeId::encode("Person", self.r().slug.as_str())
    }

    /// Stable key: the name in kebab case ('badr-abdelatty').
    async fn slug(&self) -> &str {
        self.r().slug.as_str()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::People, self.r().slug.as_str()).created_at)
    }

    /// When this record last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::People, self.r().slug.as_str()).updated_at)
    }

    /// The name as the sources write it.
    async fn name(&self) -> &str {
        &self.r().name
    }

    /// The posts the person held, as the sources give them.
    async fn posts(&self) -> Vec<Post> {
        (0..self.r().posts.len()).map(|i| Post { person: self.0.clone(), index: i }).collect()
    }

    /// The meetings where the person acted for an actor, as participations, chronological.
    async fn participations(&self) -> Vec<Participation> {
        let found = self.0.cat.participations_of_person(self.r().slug.as_str());
        found.iter().map(|&(m, i)| Participation::new(self.0.at(m), i)).collect()
    }

    /// The chair terms the person held for their state, chronological.
    async fn chairmanships(&self) -> Vec<Chairmanship> {
        self.0.cat.chairs_of_person(self.r().slug.as_str()).iter().map(|&t| Chairmanship(self.0.at(t))).collect()
    }

    /// Where the record comes from.
    async fn sources(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    /// Remarks: inferences, conflicts between sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}

/// A post a person held for a state or an organisation.
pub struct Post {
    person: Rec,
    index: usize,
}

impl Post {
    fn r(&self) -> &crate::domain::Post {
        &self.person.cat.ds.people[self.person.ix].posts[self.index]
    }
}

/// A post a person held for a state or an organisation ('Minister of Foreign Affairs' of Egypt).
#[Object(serial)]
impl Post {
    /// The title of the post as the sources give it.
    async fn title(&self) -> &str {
        &self.r().title
    }

    /// The state or organisation the post was held for.
    async fn actor(&self) -> ApiResult<Actor> {
        let a = &self.r().actor;
        self.person.must(self.person.actor(a.as_str()), a.as_str())
    }

    /// The person who held it.
    async fn person(&self) -> Person {
        Person(self.person.clone())
    }

    /// When the person took the post, where a source says.
    async fn start(&self) -> Option<PartialDate> {
        self.r().start
    }

    /// When the person left the post, where a source says.
    async fn end(&self) -> Option<PartialDate> {
        self.r().end
    }

    /// The sources that give the post.
    async fn sources(&self) -> Vec<Source> {
        self.person.sources(&self.r().sources)
    }
}
