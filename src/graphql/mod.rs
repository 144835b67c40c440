//! The GraphQL schema: types, resolvers, errors and limits. Queries read only the read model
//! ([`crate::catalog::Catalog`]) that the transport puts into each request; mutations and the
//! subscription go through the [`crate::curation::Curator`]. It never touches the store and
//! knows nothing of HTTP.

pub mod engine;
pub mod error;
pub mod limits;
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

/// The curator the transport puts into every request and WebSocket connection; a missing one is
/// our fault.
pub(crate) fn curator<'c>(
    ctx: &async_graphql::Context<'c>,
) -> error::ApiResult<&'c std::sync::Arc<crate::curation::Curator>> {
    ctx.data::<std::sync::Arc<crate::curation::Curator>>()
        .map_err(|e| error::ApiError::Internal(format!("no curator in the request: {}", e.message)))
}

/// Builds the bare schema: no extension and no limits of async-graphql's own, because
/// [`engine::Engine`] applies the published limits before a request reaches it. Run requests
/// through the engine.
pub fn schema() -> ApiSchema {
    Schema::build(Query, Mutation, Subscription).finish()
}

/// The schema in SDL, sorted so that it diffs cleanly: what `schema.graphql` holds.
pub fn sdl() -> String {
    schema().sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items())
}
