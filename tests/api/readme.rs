//! The README's example queries run against the real data without errors.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn every_graphql_example_in_the_readme_runs_without_errors_and_returns_data() {
    let readme = include_str!("../../README.md");
    let blocks: Vec<&str> = readme.split("```graphql\n").skip(1).map(|b| b.split("```").next().unwrap()).collect();
    assert!(blocks.len() >= 8, "the README should show at least eight example queries, found {}", blocks.len());
    let app = spawn_app();
    for block in blocks {
        let data = app.data(block, json!({})).await;
        let empty = data.as_object().unwrap().values().all(|v| v.is_null() || v.as_array().is_some_and(Vec::is_empty));
        assert!(!empty, "example returned nothing:\n{block}");
    }
}
