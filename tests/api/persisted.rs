//! Persisted documents over HTTP: Apollo's automatic persisted queries (a hash alone, then the
//! text with its hash), `documentId` on GET and POST, and a server that runs only its trusted
//! documents.

use crate::binary::{serve_env, BIN};
use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use khartoum_graphql::graphql::engine::Engine;
use khartoum_graphql::graphql::persisted::{sha256_hex, Persisted, REGISTRY_ENTRIES};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

const LIST: &str = "query List($first: Int) { meetings(first: $first) { nodes { slug title } } }";

/// The `extensions` of an APQ request for a document with this hash.
fn apq(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// A GET of /graphql with these parameters, encoded as a browser would.
async fn get(app: &TestApp, params: &[(&str, String)]) -> Reply {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
        .collect();
    app.send(
        Request::get(format!("/graphql?{}", query.join("&")))
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// The first error's message and code.
fn error(reply: &Reply) -> (String, String) {
    let body = reply.json();
    let e = &body["errors"][0];
    (
        e["message"].as_str().unwrap_or_default().to_owned(),
        e["extensions"]["code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// How many meetings a reply lists.
fn listed(reply: &Reply) -> usize {
    let body = reply.json();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["meetings"]["nodes"].as_array().map_or(0, Vec::len)
}

/// A test app whose engine holds `LIST` as its only trusted document.
fn spawn_app_trusting_only_the_list(trusted_only: bool) -> TestApp {
    let mut test = spawn_app();
    let trusted: HashMap<String, Arc<str>> = [(sha256_hex(LIST), Arc::from(LIST))].into_iter().collect();
    Arc::get_mut(&mut test.app).expect("the app is not shared yet").engine =
        Engine::with_persisted(Persisted::new(trusted, trusted_only));
    test
}

#[tokio::test]
async fn an_unknown_hash_gets_persisted_query_not_found_and_the_text_with_its_hash_registers_it() {
    let app = spawn_app();
    let hash = sha256_hex(LIST);
    let hash_only = json!({ "variables": { "first": 2 }, "extensions": apq(&hash) });
    let reply = app.post_json(&hash_only).await;
    // The shape Apollo's persisted-query link reacts to: this message or this code.
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(error(&reply), ("PersistedQueryNotFound".to_owned(), "PERSISTED_QUERY_NOT_FOUND".to_owned()));
    assert!(reply.json().get("data").is_none_or(Value::is_null), "{}", reply.body);

    let with_text = json!({ "query": LIST, "variables": { "first": 2 }, "extensions": apq(&hash) });
    assert_eq!(listed(&app.post_json(&with_text).await), 2);
    assert_eq!(listed(&app.post_json(&hash_only).await), 2, "the hash alone now runs the registered text");

    // Apollo's link sends hashed queries by GET too, with the extensions as a JSON parameter.
    let reply =
        get(&app, &[("variables", json!({ "first": 3 }).to_string()), ("extensions", apq(&hash).to_string())]).await;
    assert_eq!(listed(&reply), 3);
}

#[tokio::test]
async fn a_text_whose_hash_does_not_match_is_refused_with_a_code_and_not_registered() {
    let app = spawn_app();
    let other = "{ dataset { version } }";
    let wrong = json!({ "query": LIST, "extensions": apq(&sha256_hex(other)) });
    let reply = app.post_json(&wrong).await;
    assert_eq!(error(&reply).1, "PERSISTED_QUERY_HASH_MISMATCH", "{}", reply.body);
    assert!(error(&reply).0.contains(&sha256_hex(LIST)), "the message names the text's real hash: {}", reply.body);
    // The mismatched text was not filed under the hash it was sent with.
    let reply = app.post_json(&json!({ "extensions": apq(&sha256_hex(other)) })).await;
    assert_eq!(error(&reply).1, "PERSISTED_QUERY_NOT_FOUND");
    let reply = app.post_json(&json!({ "extensions": apq("not-a-hash") })).await;
    assert_eq!(error(&reply).1, "PERSISTED_QUERY_HASH_MISMATCH", "{}", reply.body);
}

#[tokio::test]
async fn a_flood_of_new_documents_leaves_the_registry_bounded_and_the_document_in_use_answering() {
    let app = spawn_app();
    let hash = sha256_hex(LIST);
    assert_eq!(listed(&app.post_json(&json!({ "query": LIST, "extensions": apq(&hash) })).await), 20);
    let in_use = json!({ "variables": { "first": 1 }, "extensions": apq(&hash) });
    for i in 0..REGISTRY_ENTRIES + REGISTRY_ENTRIES / 2 {
        if i % 128 == 0 {
            assert_eq!(listed(&app.post_json(&in_use).await), 1, "the document in use was dropped after {i}");
        }
        let text = format!("{{ dataset {{ version }} }} # flood {i}");
        let reply = app.post_json(&json!({ "query": text, "extensions": apq(&sha256_hex(&text)) })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let (count, _) = app.app.engine.persisted().registry_size();
    assert!(count <= REGISTRY_ENTRIES, "the registry holds {count} documents");
    assert_eq!(listed(&app.post_json(&in_use).await), 1, "the document in use survived the flood");
}

#[tokio::test]
async fn a_get_by_document_id_with_variables_runs_the_trusted_document() {
    let app = spawn_app_trusting_only_the_list(false);
    let id = format!("sha256:{}", sha256_hex(LIST));
    let reply = get(&app, &[("documentId", id.clone()), ("variables", json!({ "first": 4 }).to_string())]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(listed(&reply), 4);
    assert!(reply.headers.get(header::ETAG).is_some(), "a GET by documentId is cacheable like any query");
    assert_eq!(listed(&app.post_json(&json!({ "documentId": id, "variables": { "first": 5 } })).await), 5);
    let unknown = format!("sha256:{}", sha256_hex("{ nothing }"));
    let reply = get(&app, &[("documentId", unknown)]).await;
    assert_eq!(error(&reply).1, "PERSISTED_DOCUMENT_NOT_FOUND", "{}", reply.body);
    // Other texts still run on a server that does not insist on trusted documents.
    assert!(app.data("{ dataset { version } }", json!({})).await["dataset"]["version"].is_string());
}

#[tokio::test]
async fn with_trusted_only_every_other_document_is_refused_and_none_can_be_registered() {
    let app = spawn_app_trusting_only_the_list(true);
    let id = format!("sha256:{}", sha256_hex(LIST));
    assert_eq!(listed(&get(&app, &[("documentId", id), ("variables", json!({ "first": 2 }).to_string())]).await), 2);
    assert_eq!(listed(&app.post_json(&json!({ "query": LIST, "variables": { "first": 1 } })).await), 1);
    let other = "{ dataset { version } }";
    let reply = app.post_json(&json!({ "query": other })).await;
    assert_eq!(error(&reply).1, "TRUSTED_DOCUMENTS_ONLY", "{}", reply.body);
    let reply = app.post_json(&json!({ "query": other, "extensions": apq(&sha256_hex(other)) })).await;
    assert_eq!(error(&reply).1, "TRUSTED_DOCUMENTS_ONLY", "{}", reply.body);
    let reply = app.post_json(&json!({ "extensions": apq(&sha256_hex(other)) })).await;
    assert_eq!(error(&reply).1, "PERSISTED_QUERY_NOT_FOUND", "an APQ text is never registered: {}", reply.body);
    let reply = get(&app, &[("query", other.to_owned())]).await;
    assert_eq!(error(&reply).1, "TRUSTED_DOCUMENTS_ONLY", "{}", reply.body);
}

#[test]
fn the_binary_loads_trusted_documents_from_the_client_presets_file_and_refuses_a_wrong_hash() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("persisted-documents.json");
    std::fs::write(&file, json!({ sha256_hex(LIST): LIST }).to_string()).unwrap();
    let path = file.display().to_string();
    let env = [("KHARTOUM_GRAPHQL_TRUSTED_DOCUMENTS", path.as_str()), ("KHARTOUM_GRAPHQL_TRUSTED_ONLY", "true")];
    let (mut server, base, log) = serve_env(&data, &seed_dir(), &env);
    let get = |params: &str| -> Value {
        match ureq::get(&format!("{base}/graphql?{params}")).set("Accept", "application/json").call() {
            Ok(response) => serde_json::from_str(&response.into_string().unwrap()).unwrap(),
            Err(ureq::Error::Status(_, response)) => serde_json::from_str(&response.into_string().unwrap()).unwrap(),
            Err(e) => panic!("{e}"),
        }
    };
    let by_id = get(&format!("documentId=sha256:{}&variables=%7B%22first%22%3A2%7D", sha256_hex(LIST)));
    let other = get("query=%7B__typename%7D");
    let _ = server.kill();
    let _ = server.wait();
    assert!(log.iter().any(|l| l.contains("loaded the trusted documents") && l.contains("documents=1")), "{log:?}");
    assert_eq!(by_id["data"]["meetings"]["nodes"].as_array().map(Vec::len), Some(2), "{by_id}");
    assert_eq!(other["errors"][0]["extensions"]["code"], "TRUSTED_DOCUMENTS_ONLY", "{other}");

    // A key that is not its text's SHA-256 stops the server before it serves.
    std::fs::write(&file, json!({ sha256_hex("{ __typename }"): LIST }).to_string()).unwrap();
    let out = std::process::Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .arg("--seed-dir")
        .arg(seed_dir())
        .args(["--bind", "127.0.0.1:0", "--trusted-documents", &path, "serve"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not the SHA-256 of its document"), "{stderr}");
}
