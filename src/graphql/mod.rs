//! The GraphQL schema: types, resolvers, errors and limits. Queries read only the read model
//! ([`crate::catalog::Catalog`]) that the transport puts into each request; mutations and the
//! subscription go through the [`crate::curation::Curator`]. It never touches the store and
//! knows nothing of HTTP.

pub mod depth;
pub mod error;
mod mutation;
pub mod pagination;
mod query;
pub mod scalars;
mod subscription;
pub mod types;

use async_graphql::{SDLExportOptions, Schema};
pub use mutation::{Bearer, Mutation};
pub use query::Query;
pub use subscription::Subscription;

/// The schema type the server runs.
pub type ApiSchema = Schema<Query, Mutation, Subscription>;

/// Deepest nesting of selections a query may have.
pub const MAX_DEPTH: usize = 12;
/// Highest complexity a query may have; a connection counts its page size times its items.
pub const MAX_COMPLEXITY: usize = 5_000;
/// Most directives a field may carry.
pub const MAX_DIRECTIVES: usize = 5;

/// The curator the transport puts into every request and WebSocket connection; a missing one is
/// our fault.
pub(crate) fn curator<'c>(
    ctx: &async_graphql::Context<'c>,
) -> error::ApiResult<&'c std::sync::Arc<crate::curation::Curator>> {
    ctx.data::<std::sync::Arc<crate::curation::Curator>>()
        .map_err(|e| error::ApiError::Internal(format!("no curator in the request: {}", e.message)))
}

/// Builds the schema with its limits.
pub fn schema() -> ApiSchema {
    Schema::build(Query, Mutation, Subscription)
        // Not `limit_depth`: it would refuse the standard introspection query (see `depth`).
        .extension(depth::DepthLimit { max: MAX_DEPTH, introspection_max: depth::MAX_INTROSPECTION_DEPTH })
        .limit_complexity(MAX_COMPLEXITY)
        .limit_directives(MAX_DIRECTIVES)
        .finish()
}

/// The schema in SDL, sorted so that it diffs cleanly: what `schema.graphql` holds.
pub fn sdl() -> String {
    schema().sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items())
}
