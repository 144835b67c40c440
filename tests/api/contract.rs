//! The schema: the committed `schema.graphql` is the one the code generates, every part of it is
//! described for users, and it holds the whole public contract.

use crate::helpers::*;
use serde_json::json;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn committed_schema_graphql_is_the_one_the_code_generates() {
    let committed = std::fs::read_to_string(Path::new(ROOT).join("schema.graphql")).unwrap_or_default();
    let generated = khartoum_graphql::graphql::sdl();
    assert!(
        committed == generated,
        "schema.graphql is stale: regenerate it with `cargo run -q -- schema > schema.graphql` and commit it"
    );
}

#[tokio::test]
async fn every_type_field_argument_and_enum_value_has_a_description() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ __schema { types {
                name kind description
                fields(includeDeprecated: true) { name description args { name description } }
                inputFields { name description }
                enumValues(includeDeprecated: true) { name description }
            } } }"#,
            json!({}),
        )
        .await;
    let blank = |v: &serde_json::Value| v.as_str().is_none_or(|s| s.trim().is_empty());
    let mut missing = Vec::new();
    for t in data["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        // Built-in scalars and introspection types are graphql-js's, not ours.
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if blank(&t["description"]) {
            missing.push(name.to_owned());
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            if blank(&f["description"]) {
                missing.push(format!("{name}.{}", f["name"]));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if blank(&a["description"]) {
                    missing.push(format!("{name}.{}({})", f["name"], a["name"]));
                }
            }
        }
        for f in t["inputFields"].as_array().into_iter().flatten() {
            if blank(&f["description"]) {
                missing.push(format!("{name}.{}", f["name"]));
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if blank(&v["description"]) {
                missing.push(format!("{name}.{}", v["name"]));
            }
        }
    }
    assert!(missing.is_empty(), "{} parts of the schema have no description: {missing:?}", missing.len());
}

/// Installs graphql@16 under target/ once, the way ../shared/api/README.md describes, and returns
/// its node_modules.
fn graphql_js() -> std::path::PathBuf {
    let prefix = Path::new(ROOT).join("target").join("contract-check");
    let modules = prefix.join("node_modules");
    if !modules.join("graphql").join("package.json").exists() {
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg("graphql@16")
            .status()
            .expect("npm must be installed to check the schema against the contract (it ships with node)");
        assert!(status.success(), "npm install graphql@16 failed");
    }
    modules
}

#[test]
fn schema_holds_every_name_of_the_public_contract() {
    let shared = Path::new(ROOT).join("..").join("shared").join("api");
    let script = shared.join("check-contract.js");
    assert!(
        script.exists(),
        "{} is missing: the contract check needs ../shared beside the repository",
        script.display()
    );
    let modules = graphql_js();
    let out = Command::new("node")
        .arg(&script)
        .arg(shared.join("contract.graphql"))
        .arg(Path::new(ROOT).join("schema.graphql"))
        .env("NODE_PATH", modules)
        .output()
        .expect("node must be installed to check the schema against the contract");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("departures from the contract"),
        "no report: {report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && report.contains("0 departures"), "the schema departs from the contract:\n{report}");
}
