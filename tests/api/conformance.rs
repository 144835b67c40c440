//! GraphQL-over-HTTP conformance: the public audits of the npm package graphql-http
//! (`serverAudits`, run by `tests/js/audit.mjs`) against the production router on 127.0.0.1.
//!
//! Every MUST audit passes. A SHOULD audit may fail only if the manual's "GraphQL over HTTP"
//! section names it and says why. MAY audits are reported, not required.

use crate::helpers::*;
use crate::js::run_script;
use serde_json::Value;
use std::io::Write;
use std::time::Duration;

/// The manual's section on GraphQL over HTTP (in `docs/querying.md`), up to the next section.
fn readme_section() -> &'static str {
    let readme = include_str!("../../docs/querying.md");
    let start = readme.find("\n## GraphQL over HTTP").expect("docs/querying.md has a `## GraphQL over HTTP` section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_must_audit_of_graphql_http_passes_and_every_failing_should_audit_is_explained_in_the_readme() {
    let app = spawn_app();
    let url = format!("{}/graphql", app.serve().await);
    let results = tokio::task::spawn_blocking(move || run_script("audit.mjs", &[&url], &[], Duration::from_secs(120)))
        .await
        .expect("the audit run finishes");
    let results = results.as_array().expect("a list of audit results");

    let level = |r: &Value| r["name"].as_str().unwrap_or_default().split(' ').next().unwrap_or_default().to_owned();
    let passed = |r: &Value| r["status"] == "ok";
    let mut summary = String::new();
    for requirement in ["MUST", "SHOULD", "MAY"] {
        let of_level: Vec<&Value> = results.iter().filter(|r| level(r) == requirement).collect();
        let ok = of_level.iter().filter(|r| passed(r)).count();
        summary.push_str(&format!("{requirement}: {ok}/{} passed\n", of_level.len()));
        for r in of_level.iter().filter(|r| !passed(r)) {
            summary.push_str(&format!("  {} {} ({}): {}\n", r["id"], r["name"], r["status"], r["reason"]));
        }
    }
    // Shown with `--nocapture`, and whenever the test fails.
    let _ = writeln!(std::io::stdout(), "graphql-http serverAudits:\n{summary}");
    // How many audits of each level `serverAudits` of graphql-http 1.23.1 (the version
    // tests/js/package-lock.json pins) returns, some of them made in loops over media types: if
    // their names change, the level is no longer read from them, and the lists of failures below
    // would be empty rather than passing.
    let counts: Vec<(&str, usize)> = ["MUST", "SHOULD", "MAY"]
        .into_iter()
        .map(|requirement| (requirement, results.iter().filter(|r| level(r) == requirement).count()))
        .collect();
    assert_eq!(counts, [("MUST", 13), ("SHOULD", 23), ("MAY", 25)], "audits per level\n{summary}");
    assert_eq!(results.len(), 13 + 23 + 25, "audits of no known level\n{summary}");

    let failing = |requirement: &str| -> Vec<&Value> {
        results.iter().filter(|r| level(r) == requirement && r["status"] != "ok").collect()
    };
    assert!(failing("MUST").is_empty(), "MUST audits fail:\n{summary}");
    let section = readme_section();
    let unexplained: Vec<String> = failing("SHOULD")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .filter(|id| !section.contains(&format!("`{id}`")))
        .map(str::to_owned)
        .collect();
    assert!(
        unexplained.is_empty(),
        "SHOULD audits fail and docs/querying.md does not explain them: {unexplained:?}\n{summary}"
    );
}
