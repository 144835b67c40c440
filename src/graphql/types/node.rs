//! Global ids and the `Node` interface.

use super::*;
use async_graphql::{Interface, ID};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

/// Every record that has its own identity, fetchable again with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "A global id, opaque and stable: pass it to `node(id:)`."))]
pub enum Node {
    /// A state.
    State(State),
    /// An organisation.
    Organization(Organization),
    /// A process.
    Process(Process),
    /// A chair term.
    Chairmanship(Chairmanship),
    /// A meeting.
    Meeting(Meeting),
    /// A document.
    Document(Document),
    /// An action-plan item.
    Commitment(Commitment),
    /// An actor's place in a process.
    Membership(Membership),
    /// Where a fact comes from.
    Source(Source),
    /// A person named in a role.
    Person(Person),
}

/// A decoded global id: the GraphQL type name and the record's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeId {
    /// `Meeting`, `State`, …
    pub typename: String,
    /// The slug or code.
    pub key: String,
}

impl NodeId {
    /// The opaque id of a record.
    pub fn encode(typename: &str, key: &str) -> ID {
        ID(URL_SAFE_NO_PAD.encode(format!("{typename}:{key}")))
    }

    /// Decodes an id made by [`NodeId::encode`]; `None` if it is not one.
    pub fn decode(id: &str) -> Option<NodeId> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
        let (typename, key) = text.split_once(':')?;
        Some(NodeId { typename: typename.to_owned(), key: key.to_owned() })
    }

    /// The record an id names in a catalog, if it exists.
    pub fn resolve(&self, root: &Rec) -> Option<Node> {
        let c = &root.cat;
        let k = self.key.as_str();
        let node = match self.typename.as_str() {
            "State" => Node::State(State(root.at(c.state(k)?))),
            "Organization" => Node::Organization(Organization(root.at(c.organization(k)?))),
            "Process" => Node::Process(Process(root.at(c.process(k)?))),
            "Chairmanship" => Node::Chairmanship(Chairmanship(root.at(c.chairmanship(k)?))),
            "Meeting" => Node::Meeting(Meeting(root.at(c.meeting(k)?))),
            "Document" => Node::Document(Document(root.at(c.document(k)?))),
            "Commitment" => Node::Commitment(Commitment(root.at(c.commitment(k)?))),
            "Membership" => Node::Membership(Membership(root.at(c.membership(k)?))),
            "Source" => Node::Source(Source(root.at(c.source(k)?))),
            "Person" => Node::Person(Person(root.at(c.person(k)?))),
            _ => return None,
        };
        Some(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_round_trip_and_reject_garbage() {
        let id = NodeId::encode("Meeting", "2019-03-asmara-som");
        assert_eq!(NodeId::decode(&id), Some(NodeId { typename: "Meeting".into(), key: "2019-03-asmara-som".into() }));
        assert_eq!(NodeId::decode("not base64 !"), None);
        assert_eq!(NodeId::decode(&URL_SAFE_NO_PAD.encode("no-colon")), None);
    }
}
