//! People who acted in a role: a minister who chaired, an official who spoke for an organisation.
//! Modelled on Popolo's Person and Post: a person holds posts, each for one actor.

use super::{Note, PartialDate, Slug};
use serde::{Deserialize, Serialize};

/// A post a person held for a state or an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// The title of the post as the sources give it (`Minister of Foreign Affairs`).
    pub title: String,
    /// The state or organisation the post was held for.
    pub actor: Slug,
    /// When the person took the post, where a source says.
    pub start: Option<PartialDate>,
    /// When the person left it, where a source says.
    pub end: Option<PartialDate>,
    /// The sources that give the post.
    pub sources: Vec<Slug>,
}

/// A person a source names in a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The name in kebab case (`badr-abdelatty`).
    pub slug: Slug,
    /// The name as the sources write it.
    pub name: String,
    /// The posts the person held, as the sources give them.
    pub posts: Vec<Post>,
    /// Sources of the record.
    pub sources: Vec<Slug>,
    /// Remarks.
    pub notes: Vec<Note>,
}
