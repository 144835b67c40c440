//! Comparing our parser with async-graphql's on one input, and the corpus of real queries.

use khartoum_graphql::graphql::parse::{assert_same_as_async_graphql, parse_query};
use std::path::Path;

/// What the two parsers did with one input.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Both built the same document.
    Same,
    /// async-graphql's parser built a document; ours returned `None`, so the engine falls back.
    FellBack,
    /// Both refused the input.
    BothRejected,
}

/// Runs both parsers on `input` and panics on any disagreement: a different document, or a
/// document where async-graphql's parser refuses the input.
pub fn compare(input: &str) -> Outcome {
    match parse_query(input) {
        Some(doc) => {
            assert_same_as_async_graphql(input, &doc);
            Outcome::Same
        }
        None if async_graphql::parser::parse_query(input).is_ok() => Outcome::FellBack,
        None => Outcome::BothRejected,
    }
}

/// Real queries: the benchmark's workloads, the README's examples (also GraphiQL's) and the
/// introspection query GraphiQL sends, by name.
pub fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs: Vec<(String, String)> = ["list", "detail", "aggregate", "search", "write", "update"]
        .iter()
        .map(|name| {
            let path = root.join(format!("bench/workloads/{name}.graphql"));
            (format!("{name}.graphql"), std::fs::read_to_string(path).expect("a workload reads"))
        })
        .collect();
    let introspection = root.join("tests/api/introspection.graphql");
    docs.push(("introspection.graphql".into(), std::fs::read_to_string(introspection).expect("it reads")));
    for example in khartoum_graphql::http::examples::examples() {
        docs.push((example.slug.clone(), example.query.clone()));
        docs.push((format!("{} (tab)", example.slug), example.tab_query()));
    }
    docs
}
