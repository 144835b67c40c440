//! The co-host network: actors that organised meetings together, as GraphML for Gephi, Cytoscape,
//! networkx or igraph.
//!
//! Two actors are linked when both held an organising role (host, co-host, chair or co-chair:
//! [`MeetingRole::is_organising`](crate::domain::MeetingRole::is_organising)) at the same meeting;
//! the read model already pairs them ([`Catalog::partners_of`]). An organiser such as a
//! secretariat is not a partner, as in the API's `partners` field.
//!
//! People are in the network too, each linked to the actors they held a post for: that is the
//! tie the record states for every person, whereas a person's meetings would need meeting nodes,
//! which would turn an actor network into a two-mode one that centrality measures misread. The
//! meetings where the person acted for the actor are on the edge instead.
//!
//! - Nodes: every actor with at least one partner or a person's post, states first (by name),
//!   then organisations (by slug), with id = the actor's slug; then every person, by slug, with id
//!   = `person:` and the person's slug (a slug holds no colon, so no person's id can be an
//!   actor's). Data: `label` and `name` (the name; Gephi shows `label`), `kind` (`state`,
//!   `organization` or `person`), and `continent` (`AFRICA` or `EUROPE`) for states.
//! - Edges, undirected, each with `relation`:
//!   - `cohost`, one per pair of partners: `weight` = the number of meetings the two organised
//!     together (Gephi reads it as the edge weight), `meetings` = their slugs, chronological,
//!     joined by `; `. They follow the node order of their first end, heaviest first, with ids
//!     `e0`, `e1`, …
//!   - `post`, one per person and actor the person held a post for, from the person to the
//!     actor: `weight` = 1, `posts` = the titles held, `meetings` = the meetings where the person
//!     acted for that actor, chronological. Their id is `post:` + person slug + `:` + actor slug,
//!     the same for as long as the post is in the record.

use super::tables::actor;
use super::LIST_SEPARATOR;
use crate::catalog::{ActorRef, Catalog};
use crate::domain::variant_name as name;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::collections::{BTreeSet, HashMap};

/// The GraphML namespace.
pub const GRAPHML_NS: &str = "http://graphml.graphdrawing.org/xmlns";

/// The prefix of a person's node id.
pub const PERSON_PREFIX: &str = "person:";

/// One actor or person of the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The node's id: an actor's slug, or [`PERSON_PREFIX`] and a person's slug.
    pub id: String,
    /// The actor's or person's name.
    pub name: String,
    /// `state`, `organization` or `person`.
    pub kind: String,
    /// `AFRICA` or `EUROPE`, for a state.
    pub continent: Option<String>,
}

/// What an edge of the network stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    /// Two actors organised meetings together.
    CoHost,
    /// A person held posts for an actor: their titles.
    Post(Vec<String>),
}

/// Two actors that organised meetings together, or a person and an actor they held a post for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// One end's node id (for partners the one earlier in node order; for a post the person's).
    pub source: String,
    /// The other end's node id.
    pub target: String,
    /// What the edge stands for.
    pub relation: Relation,
    /// The meetings the two organised together, or where the person acted for the actor,
    /// chronological.
    pub meetings: Vec<String>,
}

impl Edge {
    /// The value of `weight`: the meetings shared by partners; 1 for a post, so that a person
    /// weighs in a weighted measure as one tie, whatever the number of meetings.
    pub fn weight(&self) -> usize {
        match self.relation {
            Relation::CoHost => self.meetings.len(),
            Relation::Post(_) => 1,
        }
    }
}

/// The co-host network of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The actors with at least one partner or a person's post, then the people.
    pub nodes: Vec<Node>,
    /// One edge per pair of partners, then one per person and actor they held a post for.
    pub edges: Vec<Edge>,
}

/// The co-host network of the catalog.
pub fn cohosts(cat: &Catalog) -> Network {
    let states = (0..cat.ds.states.len()).map(ActorRef::State);
    let organizations = (0..cat.ds.organizations.len()).map(ActorRef::Organization);
    let posted: BTreeSet<&str> = cat.ds.people.iter().flat_map(|p| &p.posts).map(|p| p.actor.as_str()).collect();
    let members: Vec<ActorRef> = states
        .chain(organizations)
        .filter(|&a| {
            let slug = cat.actor_slug(a).as_str();
            !cat.partners_of(slug).is_empty() || posted.contains(slug)
        })
        .collect();
    let order: HashMap<ActorRef, usize> = members.iter().enumerate().map(|(i, &a)| (a, i)).collect();

    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for (i, &a) in members.iter().enumerate() {
        let slug = cat.actor_slug(a);
        let (name_cell, kind_cell) = actor(cat, slug);
        let continent = match a {
            ActorRef::State(s) => Some(name(&cat.ds.states[s].continent)),
            ActorRef::Organization(_) => None,
        };
        nodes.push(Node { id: slug.to_string(), name: name_cell.text(), kind: kind_cell.text(), continent });
        // Each pair once: from the end that comes first in node order.
        for partner in cat.partners_of(slug.as_str()) {
            if order.get(&partner.actor).is_some_and(|&j| j > i) {
                edges.push(Edge {
                    source: slug.to_string(),
                    target: cat.actor_slug(partner.actor).to_string(),
                    relation: Relation::CoHost,
                    meetings: partner.meetings.iter().map(|&m| cat.ds.meetings[m].slug.to_string()).collect(),
                });
            }
        }
    }
    for person in &cat.ds.people {
        let id = format!("{PERSON_PREFIX}{}", person.slug);
        nodes.push(Node { id: id.clone(), name: person.name.clone(), kind: "person".into(), continent: None });
        // One edge per actor, in the order the posts are recorded.
        let mut actors: Vec<&str> = Vec::new();
        for post in &person.posts {
            if !actors.contains(&post.actor.as_str()) {
                actors.push(post.actor.as_str());
            }
        }
        let acted = cat.participations_of_person(person.slug.as_str());
        for actor in actors {
            let titles = person.posts.iter().filter(|p| p.actor.as_str() == actor).map(|p| p.title.clone());
            let meetings = acted
                .iter()
                .filter(|&&(m, i)| cat.ds.meetings[m].participations[i].actor.as_str() == actor)
                .map(|&(m, _)| cat.ds.meetings[m].slug.to_string());
            edges.push(Edge {
                source: id.clone(),
                target: actor.to_owned(),
                relation: Relation::Post(titles.collect()),
                meetings: dedup(meetings),
            });
        }
    }
    Network { nodes, edges }
}

/// The items in their first order, each once (a person may act twice at one meeting).
fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

impl Network {
    /// The network as a GraphML document (UTF-8, two-space indented).
    pub fn graphml(&self) -> Vec<u8> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        match self.write(&mut writer) {
            Ok(()) => {
                let mut bytes = writer.into_inner();
                bytes.push(b'\n');
                bytes
            }
            Err(e) => {
                // Writing to memory cannot fail; if it ever did, serve nothing rather than half.
                tracing::error!(error = %e, "the co-host network could not be written as GraphML");
                Vec::new()
            }
        }
    }

    fn write(&self, w: &mut Writer<Vec<u8>>) -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("graphml")
            .with_attribute(("xmlns", GRAPHML_NS))
            .with_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"))
            .with_attribute((
                "xsi:schemaLocation",
                "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
            ))
            .write_inner_content(|w| {
                for (id, target, ty) in [
                    ("label", "node", "string"),
                    ("name", "node", "string"),
                    ("kind", "node", "string"),
                    ("continent", "node", "string"),
                    ("relation", "edge", "string"),
                    ("weight", "edge", "int"),
                    ("posts", "edge", "string"),
                    ("meetings", "edge", "string"),
                ] {
                    w.create_element("key")
                        .with_attribute(("id", id))
                        .with_attribute(("for", target))
                        .with_attribute(("attr.name", id))
                        .with_attribute(("attr.type", ty))
                        .write_empty()?;
                }
                w.create_element("graph")
                    .with_attribute(("id", "cohosts"))
                    .with_attribute(("edgedefault", "undirected"))
                    .write_inner_content(|w| {
                        for n in &self.nodes {
                            w.create_element("node").with_attribute(("id", n.id.as_str())).write_inner_content(
                                |w| {
                                    data(w, "label", &n.name)?;
                                    data(w, "name", &n.name)?;
                                    data(w, "kind", &n.kind)?;
                                    if let Some(c) = &n.continent {
                                        data(w, "continent", c)?;
                                    }
                                    Ok(())
                                },
                            )?;
                        }
                        let mut partners = 0;
                        for e in &self.edges {
                            let (id, relation) = match &e.relation {
                                Relation::CoHost => {
                                    partners += 1;
                                    (format!("e{}", partners - 1), "cohost")
                                }
                                Relation::Post(_) => (format!("post:{}:{}", person_slug(&e.source), e.target), "post"),
                            };
                            w.create_element("edge")
                                .with_attribute(("id", id.as_str()))
                                .with_attribute(("source", e.source.as_str()))
                                .with_attribute(("target", e.target.as_str()))
                                .write_inner_content(|w| {
                                    data(w, "relation", relation)?;
                                    data(w, "weight", &e.weight().to_string())?;
                                    if let Relation::Post(titles) = &e.relation {
                                        data(w, "posts", &titles.join(LIST_SEPARATOR))?;
                                    }
                                    data(w, "meetings", &e.meetings.join(LIST_SEPARATOR))
                                })?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    }
}

/// A person's slug from their node id.
fn person_slug(id: &str) -> &str {
    id.strip_prefix(PERSON_PREFIX).unwrap_or(id)
}

/// `<data key="...">text</data>`, the text escaped by quick-xml.
fn data(w: &mut Writer<Vec<u8>>, key: &str, text: &str) -> std::io::Result<()> {
    w.create_element("data").with_attribute(("key", key)).write_text_content(BytesText::new(text))?;
    Ok(())
}
