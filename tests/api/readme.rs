//! The manual's examples (the README and every page of `docs/`) run against the real data without
//! errors, and are written the way a client with a normalised cache needs them: each operation
//! named, `id` selected on every record, and pages read through `edges` and `pageInfo`.

use crate::helpers::*;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, Field, Selection, SelectionSet};
use serde_json::{json, Value};
use std::collections::HashMap;

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

/// Every GraphQL operation of the manual: the `graphql` blocks, the `query` of every JSON body
/// a `curl -d` sends, except those that ask for CSV (a table has no use for ids or cursors), and
/// every document a shell line hashes with `printf '%s' '…'`.
fn manual_operations() -> Vec<String> {
    let manual = manual();
    let mut operations: Vec<String> =
        manual.split("```graphql\n").skip(1).map(|b| b.split("```").next().unwrap().to_owned()).collect();
    for block in manual.split("```sh\n").skip(1).map(|b| b.split("```").next().unwrap()) {
        for command in block.replace("\\\n", " ").lines().filter(|c| !c.contains("text/csv")) {
            if let Some((_, hashed)) = command.split_once("printf '%s' '") {
                operations.push(hashed.split_once('\'').map_or(hashed, |(d, _)| d).to_owned());
                continue;
            }
            let Some((_, body)) = command.split_once(" -d '") else { continue };
            let body = body.split_once('\'').map_or(body, |(b, _)| b);
            let request: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
            operations.push(request["query"].as_str().expect("a query").to_owned());
        }
    }
    operations
}

/// For each type of the schema, the named type of each of its fields, and under the key
/// [`POSSIBLE`] and its name the types an abstract type may be (each mapped to itself).
async fn field_types(app: &TestApp) -> HashMap<String, HashMap<String, String>> {
    let query = "{ __schema { types { name possibleTypes { name } \
                 fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }";
    let data = app.data(query, json!({})).await;
    let named = |mut t: &Value| loop {
        match t["name"].as_str() {
            Some(name) => return name.to_owned(),
            None => t = &t["ofType"],
        }
    };
    let types = data["__schema"]["types"].as_array().unwrap().iter();
    types
        .flat_map(|t| {
            let fields = t["fields"].as_array().into_iter().flatten();
            let possible = t["possibleTypes"].as_array().into_iter().flatten();
            [
                (named(t), fields.map(|f| (named(f), named(&f["type"]))).collect()),
                (format!("{POSSIBLE}{}", named(t)), possible.map(|p| (named(p), named(p))).collect()),
            ]
        })
        .collect()
}

/// The prefix of the keys of [`field_types`] that list an abstract type's possible types.
const POSSIBLE: &str = "possible:";

/// The fields a selection set selects on `ty`, fragments on `ty` (or on no type) unfolded, and
/// the fragments on other types with their selection sets.
fn unfold<'d>(
    doc: &'d ExecutableDocument,
    ty: &str,
    set: &'d SelectionSet,
    fields: &mut Vec<&'d Field>,
    others: &mut Vec<(String, &'d SelectionSet)>,
) {
    for selection in &set.items {
        let (condition, inner) = match &selection.node {
            Selection::Field(f) => {
                fields.push(&f.node);
                continue;
            }
            Selection::InlineFragment(f) => {
                (f.node.type_condition.as_ref().map(|c| c.node.on.node.to_string()), &f.node.selection_set.node)
            }
            Selection::FragmentSpread(s) => {
                let fragment = &doc.fragments[&s.node.fragment_name.node].node;
                (Some(fragment.type_condition.node.on.node.to_string()), &fragment.selection_set.node)
            }
        };
        match condition {
            Some(c) if c != ty => others.push((c, inner)),
            _ => unfold(doc, ty, inner, fields, others),
        }
    }
}

/// What a client-ready selection on `ty` lacks: `id` on a type that has one, `edges { cursor node }`
/// and `pageInfo` instead of `nodes` on a connection that is read for its items, a fragment for
/// each type an abstract type may be when nothing but `__typename` is selected on it; then the
/// same for every field below. `above` is what enclosing selections on an abstract type already select.
fn lacks(
    doc: &ExecutableDocument,
    types: &HashMap<String, HashMap<String, String>>,
    ty: &str,
    set: &SelectionSet,
    above: &[String],
    at: &str,
    out: &mut Vec<String>,
) {
    let (mut fields, mut others) = (Vec::new(), Vec::new());
    unfold(doc, ty, set, &mut fields, &mut others);
    let mut names: Vec<String> = above.to_vec();
    names.extend(fields.iter().map(|f| f.name.node.to_string()));
    let has = |n: &str| names.iter().any(|x| x == n);
    let schema_fields = types.get(ty).cloned().unwrap_or_default();
    if schema_fields.contains_key("id") && !has("id") {
        out.push(format!("{at}: a {ty} without id"));
    }
    if ty.ends_with("Connection") && names.iter().any(|n| n != "totalCount" && n != "__typename") {
        for needed in ["edges", "pageInfo"] {
            if !has(needed) {
                out.push(format!("{at}: a page without {needed}"));
            }
        }
        if has("nodes") {
            out.push(format!("{at}: a page read through nodes, which a cache does not merge"));
        }
    }
    if ty.ends_with("Edge") && !(has("cursor") && has("node")) {
        out.push(format!("{at}: edges without cursor and node"));
    }
    // A hit of a type that no fragment names would answer `__typename` alone.
    if names.iter().all(|n| n == "__typename") {
        for possible in types.get(&format!("{POSSIBLE}{ty}")).into_iter().flat_map(HashMap::keys) {
            if !others.iter().any(|(on, _)| on == possible) {
                out.push(format!("{at}: nothing selected on a {possible}"));
            }
        }
    }
    for field in fields {
        if let Some(inner) = schema_fields.get(field.name.node.as_str()) {
            let key = format!("{at}.{}", field.response_key().node);
            lacks(doc, types, inner, &field.selection_set.node, &[], &key, out);
        }
    }
    for (other, inner) in others {
        lacks(doc, types, &other, inner, &names, &format!("{at}(on {other})"), out);
    }
}

#[tokio::test]
async fn every_operation_of_the_manual_is_named_selects_ids_and_pages_with_edges() {
    let operations = manual_operations();
    assert!(operations.len() >= 20, "the manual's operations were not all found: {}", operations.len());
    let app = spawn_app();
    let types = field_types(&app).await;
    assert!(types["Meeting"].contains_key("id"), "introspection gives the fields");
    let mut problems = Vec::new();
    for text in &operations {
        let doc = async_graphql::parser::parse_query(text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
        let DocumentOperations::Multiple(ops) = &doc.operations else {
            problems.push(format!("an anonymous operation:\n{text}"));
            continue;
        };
        for (name, op) in ops {
            let root = format!("{:?}", op.node.ty);
            lacks(&doc, &types, &root, &op.node.selection_set.node, &[], name, &mut problems);
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
