//! The co-host network: actors that organised meetings together, as GraphML for Gephi, Cytoscape,
//! networkx or igraph.
//!
//! Two actors are linked when both held an organising role (host, co-host, chair or co-chair:
//! [`MeetingRole::is_organising`](crate::domain::MeetingRole::is_organising)) at the same meeting;
//! the read model already pairs them ([`Catalog::partners_of`]). An organiser such as a
//! secretariat is not a partner, as in the API's `partners` field.
//!
//! - Nodes, with id = the actor's slug: every actor with at least one partner, states first (by
//!   name), then organisations (by slug). Data: `label` and `name` (the actor's name; Gephi shows
//!   `label`), `kind` (`state` or `organization`), and `continent` (`AFRICA` or `EUROPE`) for
//!   states.
//! - Edges, undirected, one per pair: `weight` = the number of meetings the two organised together
//!   (Gephi reads it as the edge weight), `meetings` = their slugs, chronological, joined by `; `.
//!   Edges follow the node order of their first end, heaviest first.

use super::tables::actor;
use super::LIST_SEPARATOR;
use crate::catalog::{ActorRef, Catalog};
use crate::domain::variant_name as name;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::collections::HashMap;

/// The GraphML namespace.
pub const GRAPHML_NS: &str = "http://graphml.graphdrawing.org/xmlns";

/// One actor of the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The actor's slug, which is the node's id.
    pub slug: String,
    /// The actor's name.
    pub name: String,
    /// `state` or `organization`.
    pub kind: String,
    /// `AFRICA` or `EUROPE`, for a state.
    pub continent: Option<String>,
}

/// Two actors that organised meetings together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// One end's slug (the one earlier in node order).
    pub source: String,
    /// The other end's slug.
    pub target: String,
    /// The meetings they organised together, chronological.
    pub meetings: Vec<String>,
}

/// The co-host network of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The actors with at least one partner.
    pub nodes: Vec<Node>,
    /// One edge per pair of partners.
    pub edges: Vec<Edge>,
}

/// The co-host network of the catalog.
pub fn cohosts(cat: &Catalog) -> Network {
    let states = (0..cat.ds.states.len()).map(ActorRef::State);
    let organizations = (0..cat.ds.organizations.len()).map(ActorRef::Organization);
    let members: Vec<ActorRef> =
        states.chain(organizations).filter(|&a| !cat.partners_of(cat.actor_slug(a).as_str()).is_empty()).collect();
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
        nodes.push(Node { slug: slug.to_string(), name: name_cell.text(), kind: kind_cell.text(), continent });
        // Each pair once: from the end that comes first in node order.
        for partner in cat.partners_of(slug.as_str()) {
            if order.get(&partner.actor).is_some_and(|&j| j > i) {
                edges.push(Edge {
                    source: slug.to_string(),
                    target: cat.actor_slug(partner.actor).to_string(),
                    meetings: partner.meetings.iter().map(|&m| cat.ds.meetings[m].slug.to_string()).collect(),
                });
            }
        }
    }
    Network { nodes, edges }
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
                    ("weight", "edge", "int"),
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
                            w.create_element("node").with_attribute(("id", n.slug.as_str())).write_inner_content(
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
                        for (i, e) in self.edges.iter().enumerate() {
                            w.create_element("edge")
                                .with_attribute(("id", format!("e{i}").as_str()))
                                .with_attribute(("source", e.source.as_str()))
                                .with_attribute(("target", e.target.as_str()))
                                .write_inner_content(|w| {
                                    data(w, "weight", &e.meetings.len().to_string())?;
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

/// `<data key="...">text</data>`, the text escaped by quick-xml.
fn data(w: &mut Writer<Vec<u8>>, key: &str, text: &str) -> std::io::Result<()> {
    w.create_element("data").with_attribute(("key", key)).write_text_content(BytesText::new(text))?;
    Ok(())
}
