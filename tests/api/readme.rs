//! The manual's examples (the README and every page of `docs/`) run against the real data without
//! errors.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn every_graphql_example_of_the_manual_runs_without_errors_and_returns_data() {
    let readme = manual();
    let blocks: Vec<&str> = readme.split("```graphql\n").skip(1).map(|b| b.split("```").next().unwrap()).collect();
    assert!(blocks.len() >= 8, "the manual should show at least eight example queries, found {}", blocks.len());
    let app = spawn_app();
    for block in blocks {
        let data = app.data(block, json!({})).await;
        let empty = data.as_object().unwrap().values().all(|v| v.is_null() || v.as_array().is_some_and(Vec::is_empty));
        assert!(!empty, "example returned nothing:\n{block}");
    }
}

#[tokio::test]
async fn the_manuals_curl_writes_run_in_order_and_each_succeeds() {
    let readme = manual();
    let bodies: Vec<String> = readme
        .split("```sh\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .filter(|b| b.contains("Authorization: Bearer"))
        .flat_map(|b| {
            b.lines()
                .filter_map(|l| l.trim().strip_prefix("-d '")?.strip_suffix('\''))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(bodies.len() >= 5, "the manual should show at least five curl writes, found {}", bodies.len());
    let app = spawn_app();
    for body in bodies {
        let request: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
        let query = request["query"].as_str().unwrap();
        let data = app.write_data(query, request["variables"].clone()).await;
        assert!(data.as_object().unwrap().values().all(|v| !v.is_null()), "{query} returned {data}");
    }
}
