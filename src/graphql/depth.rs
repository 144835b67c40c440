//! The depth limit, with room for introspection.
//!
//! async-graphql's own `limit_depth` counts every field alike, so a limit that suits the data
//! ([`super::MAX_DEPTH`]) refuses the standard introspection query that GraphiQL, IDEs and code
//! generators send: graphql-js nests its type references 15 fields deep. This check counts depth
//! the same way (fields along the deepest path, fragments inlined) but lets a path that enters
//! `__schema` or `__type` go to [`MAX_INTROSPECTION_DEPTH`]: what lies below them is the schema,
//! whose size does not grow with the data. The complexity limit still applies to everything.
//!
//! It runs right after parsing, so a query too deep is refused before validation or execution,
//! with the message async-graphql uses ("Query is nested too deep.").

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, Variables};
use std::sync::Arc;

/// Deepest nesting a path through `__schema` or `__type` may have.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;

/// The message of the refusal, as async-graphql words it.
const TOO_DEEP: &str = "Query is nested too deep.";

/// The schema extension that applies the limit.
pub struct DepthLimit {
    /// Deepest nesting of a query over the data.
    pub max: usize,
    /// Deepest nesting of a path into introspection.
    pub introspection_max: usize,
}

impl ExtensionFactory for DepthLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DepthLimitExtension { max: self.max, introspection_max: self.introspection_max })
    }
}

struct DepthLimitExtension {
    max: usize,
    introspection_max: usize,
}

#[async_graphql::async_trait::async_trait]
impl Extension for DepthLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        if too_deep(&doc, self.max, self.introspection_max) {
            return Err(ServerError::new(TOO_DEEP, None));
        }
        Ok(doc)
    }
}

/// Whether any operation of a document nests deeper than its limit allows.
pub fn too_deep(doc: &ExecutableDocument, max: usize, introspection_max: usize) -> bool {
    let mut walk = Walk { doc, max, introspection_max, fragments: Vec::new() };
    doc.operations.iter().any(|(_, op)| walk.selection_set(&op.node.selection_set, 0, false))
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    max: usize,
    introspection_max: usize,
    /// Fragments being expanded, so that a cycle (invalid, and refused by validation later) ends.
    fragments: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    /// Whether a selection set at `depth` (the fields above it) holds a path over the limit.
    fn selection_set(&mut self, set: &'a Positioned<SelectionSet>, depth: usize, introspection: bool) -> bool {
        set.node.items.iter().any(|selection| match &selection.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                let introspection = introspection || name == "__schema" || name == "__type";
                let depth = depth + 1;
                let limit = if introspection { self.introspection_max } else { self.max };
                depth > limit || self.selection_set(&field.node.selection_set, depth, introspection)
            }
            Selection::InlineFragment(fragment) => {
                self.selection_set(&fragment.node.selection_set, depth, introspection)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node) else { return false };
                if self.fragments.contains(&name) {
                    return false;
                }
                self.fragments.push(name);
                let deep = self.selection_set(&fragment.node.selection_set, depth, introspection);
                self.fragments.pop();
                deep
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn deep(query: &str, max: usize, introspection_max: usize) -> bool {
        too_deep(&parse_query(query).expect("the query parses"), max, introspection_max)
    }

    #[test]
    fn depth_counts_fields_along_the_deepest_path() {
        assert!(!deep("{ a { b { c } } }", 3, 3));
        assert!(deep("{ a { b { c { d } } } }", 3, 3));
        assert!(deep("{ x a { b { c { d } } } }", 3, 10));
    }

    #[test]
    fn fragments_are_counted_inline() {
        let q = "query { a { ...F } } fragment F on T { b { c } }";
        assert!(!deep(q, 3, 3));
        assert!(deep(q, 2, 2));
        assert!(deep("{ a { ... on T { b { c { d } } } } }", 3, 3));
    }

    #[test]
    fn a_path_into_introspection_may_go_deeper() {
        let q = "{ __schema { types { fields { type { ofType { ofType { name } } } } } } }";
        assert!(!deep(q, 3, 7));
        assert!(deep(q, 3, 6));
        // The data's own fields keep the data's limit beside it.
        assert!(deep(&format!("{{ a {{ b {{ c {{ d }} }} }} {} }}", &q[1..q.len() - 1]), 3, 7));
    }

    #[test]
    fn a_fragment_cycle_ends() {
        assert!(!deep("{ a { ...F } } fragment F on T { b { ...F } }", 5, 5));
    }
}
