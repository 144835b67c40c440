//! The schema: the committed `schema.graphql` is the one the code generates, every part of it is
//! described for users, it holds the whole public contract (`tests/contract/`), and it breaks no
//! client of the last release (`schema.released.graphql`).

use crate::helpers::*;
use serde_json::json;
use std::path::{Path, PathBuf};
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

/// The committed copy of the contract and its checks (`tests/contract/`).
fn contract_dir() -> PathBuf {
    Path::new(ROOT).join("tests").join("contract")
}

/// Runs `node tests/contract/<script> <args>` with graphql-js (pinned in `tests/js/package.json`,
/// installed under `target/js`) and returns whether it passed and what it printed.
fn check(script: &str, args: &[&Path]) -> (bool, String) {
    let out = Command::new("node")
        .arg(contract_dir().join(script))
        .args(args)
        .env("NODE_PATH", crate::js::deps_dir().join("node_modules"))
        .output()
        .expect("node must be installed to check the schema (see the README's test requirements)");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), report)
}

#[test]
fn schema_holds_every_name_of_the_public_contract() {
    let (passed, report) = check(
        "check-contract.js",
        &[&contract_dir().join("contract.graphql"), &Path::new(ROOT).join("schema.graphql")],
    );
    assert!(report.contains("departures from the contract"), "no report: {report}");
    assert!(passed && report.contains("0 departures"), "the schema departs from the contract:\n{report}");
}

#[test]
fn schema_makes_no_breaking_change_against_the_last_release() {
    let released = Path::new(ROOT).join("schema.released.graphql");
    let (passed, report) = check("check-released.js", &[&released, &Path::new(ROOT).join("schema.graphql")]);
    assert!(report.contains("breaking changes against the released schema"), "no report: {report}");
    assert!(
        passed,
        "schema.graphql breaks clients of the last release; deprecate in a release first (README, \
         \"Changing the schema\"):\n{report}"
    );
}

#[test]
fn release_check_refuses_a_breaking_change_unless_the_release_deprecated_what_it_breaks() {
    let released = r#"
        type Query {
          kept: Int
          old: Int @deprecated(reason: "Use kept.")
          meetings(first: Int = 20, order: Order, legacy: Int @deprecated(reason: "Ignored.")): [Meeting!]!
        }
        type Meeting { title: String! venue: String @deprecated(reason: "Use place.") place: String }
        enum Order { ASC DESC OLD @deprecated(reason: "Use ASC.") }
    "#;
    // (what the next schema does, whether the check lets it through)
    let cases = [
        ("adds a field", released.replace("kept: Int", "kept: Int\n added: Int"), true),
        ("removes a deprecated field", released.replace("old: Int @deprecated(reason: \"Use kept.\")", ""), true),
        ("removes a field that was not deprecated", released.replace("kept: Int", ""), false),
        ("changes a field's type", released.replace("kept: Int", "kept: String"), false),
        (
            "removes a deprecated argument",
            released.replace(", legacy: Int @deprecated(reason: \"Ignored.\")", ""),
            true,
        ),
        ("removes an argument", released.replace(", order: Order", ""), false),
        ("changes an argument's default", released.replace("first: Int = 20", "first: Int = 50"), false),
        ("adds a required argument", released.replace("first: Int = 20", "first: Int = 20, since: Int!"), false),
        ("removes a deprecated enum value", released.replace(" OLD @deprecated(reason: \"Use ASC.\")", ""), true),
        ("removes an enum value", released.replace(" DESC", ""), false),
        (
            "removes a deprecated field of a type",
            released.replace(" venue: String @deprecated(reason: \"Use place.\")", ""),
            true,
        ),
        ("removes a field of a type", released.replace(" place: String", ""), false),
    ];
    let dir = tempfile::tempdir().unwrap();
    let released_path = dir.path().join("released.graphql");
    std::fs::write(&released_path, released).unwrap();
    for (what, next, allowed) in cases {
        assert_ne!(next, released, "the case '{what}' changes the schema");
        let next_path = dir.path().join("next.graphql");
        std::fs::write(&next_path, &next).unwrap();
        let (passed, report) = check("check-released.js", &[&released_path, &next_path]);
        assert_eq!(passed, allowed, "a schema that {what}: {report}");
    }
}
