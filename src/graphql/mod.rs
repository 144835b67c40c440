//! The GraphQL schema: types, resolvers, errors and limits. Queries read only the read model
//! ([`crate::catalog::Catalog`]) that the transport puts into each request; mutations and the
//! subscription go through the [`crate::curation::Curator`]. It never touches the store and
//! knows nothing of HTTP.
//!
//! Every output type resolves its fields one after the other (`#[Object(serial)]`,
//! `#[graphql(serial)]` on `SimpleObject`s). Our resolvers read the in-memory read model and never
//! wait on anything, so resolving a type's fields concurrently gains nothing, while async-graphql's
//! concurrent path builds a `FuturesUnordered` per object and a task per field. A test below keeps
//! every type serial.

pub mod codes;
pub mod engine;
pub mod error;
pub mod limits;
pub mod lists;
mod mutation;
pub mod pagination;
pub mod parsed_size;
pub mod persisted;
mod query;
pub mod scalars;
pub mod slice;
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
    schema_with(true)
}

/// [`schema`], with or without "Did you mean …?" suggestions in validation errors
/// (`--no-suggestions`).
pub fn schema_with(suggestions: bool) -> ApiSchema {
    let builder = Schema::build(Query, Mutation, Subscription);
    if suggestions {
        builder.finish()
    } else {
        builder.disable_suggestions().finish()
    }
}

/// The schema in SDL, sorted so that it diffs cleanly, with each scalar's `@specifiedBy`: what
/// `schema.graphql` holds.
pub fn sdl() -> String {
    schema().sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items().include_specified_by())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every line that declares an output type in `dir` and the files below it, with whether the
    /// type is marked serial.
    fn output_types(dir: &Path, out: &mut Vec<(String, bool)>) {
        for entry in std::fs::read_dir(dir).expect("the source directory reads") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                output_types(&path, out);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file reads");
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            for (i, line) in lines.iter().enumerate() {
                let at = format!("{}:{}", path.display(), i + 1);
                if line.starts_with("#[Object") {
                    out.push((at, line.starts_with("#[Object(serial")));
                } else if line.starts_with("#[derive(") && line.contains("SimpleObject") {
                    out.push((at, lines.get(i + 1).is_some_and(|next| next.starts_with("#[graphql(serial"))));
                }
            }
        }
    }

    #[test]
    fn every_output_type_resolves_its_fields_serially() {
        let mut found = Vec::new();
        output_types(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/graphql"), &mut found);
        assert!(found.len() > 20, "the scan found only {} output types: has the layout moved?", found.len());
        let concurrent: Vec<&str> = found.iter().filter(|(_, serial)| !serial).map(|(at, _)| at.as_str()).collect();
        assert!(concurrent.is_empty(), "output types without `serial` (see the module comment): {concurrent:?}");
    }
}
