//! The HTTP transport: routes, content types, limits and middleware, through the production router.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use khartoum_graphql::http::router;
use serde_json::json;
use std::io::Read;
use std::sync::Arc;
use tower::ServiceExt;

#[tokio::test]
async fn get_graphql_without_a_query_serves_graphiql() {
    let app = spawn_app();
    let reply = app.get("/graphql").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(reply.body.to_lowercase().contains("graphiql"), "{}", &reply.body[..200.min(reply.body.len())]);
}

#[tokio::test]
async fn get_graphql_with_a_query_runs_it() {
    let app = spawn_app();
    let reply = app.get("/graphql?query=%7B%20process(slug%3A%22khartoum-process%22)%20%7B%20name%20%7D%20%7D").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["data"]["process"]["name"], "Khartoum Process");
}

#[tokio::test]
async fn get_graphql_takes_variables_as_json() {
    let app = spawn_app();
    let q = "query%20(%24s%3A%20String!)%20%7B%20meeting(slug%3A%20%24s)%20%7B%20slug%20%7D%20%7D";
    let vars = "%7B%22s%22%3A%222014-11-rome-ministerial-conference%22%7D";
    let reply = app.get(&format!("/graphql?query={q}&variables={vars}")).await;
    assert_eq!(reply.json()["data"]["meeting"]["slug"], "2014-11-rome-ministerial-conference");
}

#[tokio::test]
async fn post_graphql_accepts_json_with_a_charset() {
    let app = spawn_app();
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(json!({"query": "{ dataset { meetings } }"}).to_string()))
        .unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.json()["data"]["dataset"]["meetings"].as_i64().unwrap() > 50);
}

#[tokio::test]
async fn post_graphql_refuses_text_plain_and_form_bodies_that_need_no_preflight() {
    let app = spawn_app();
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let req = Request::post("/graphql")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(json!({"query": "{ dataset { meetings } }"}).to_string()))
            .unwrap();
        let reply = app.send(req).await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
        assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "UNSUPPORTED_MEDIA_TYPE");
    }
}

#[tokio::test]
async fn malformed_json_is_a_bad_request_with_a_code() {
    let app = spawn_app();
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"query\": "))
        .unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn a_small_batch_runs_and_an_oversized_batch_is_refused() {
    let app = spawn_app();
    let op = json!({"query": "{ dataset { states } }"});
    let reply = app.post_json(&json!([op, op])).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json().as_array().unwrap().len(), 2);
    let big: Vec<_> = (0..=khartoum_graphql::http::MAX_BATCH).map(|_| op.clone()).collect();
    let reply = app.post_json(&json!(big)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "BATCH_TOO_LARGE");
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read() {
    let app = spawn_app();
    let padding = " ".repeat(khartoum_graphql::http::MAX_BODY_BYTES + 1);
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!("{{\"query\": \"{{ dataset {{ states }} }}\"{padding}}}")))
        .unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn health_reports_the_dataset_version() {
    let app = spawn_app();
    let reply = app.get("/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["status"], "ok");
    let version = app.data("{ dataset { version } }", json!({})).await["dataset"]["version"].clone();
    assert_eq!(body["datasetVersion"], version);
    assert_eq!(version.as_str().unwrap().len(), 16);
}

#[tokio::test]
async fn schema_graphql_is_served_as_text() {
    let app = spawn_app();
    let reply = app.get("/schema.graphql").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, khartoum_graphql::graphql::sdl());
}

#[tokio::test]
async fn cors_preflight_allows_any_origin_to_post_json() {
    let app = spawn_app();
    let req = Request::builder()
        .method(Method::OPTIONS)
        .uri("/graphql")
        .header(header::ORIGIN, "https://example.org")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
        .body(Body::empty())
        .unwrap();
    let reply = app.send(req).await;
    assert!(reply.status.is_success(), "{}", reply.status);
    assert_eq!(reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let methods = reply.headers[header::ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap().to_owned();
    assert!(methods.contains("POST") && methods.contains("GET"), "{methods}");
}

#[tokio::test]
async fn cors_preflight_allows_the_headers_clients_commonly_add_and_may_be_kept_for_a_while() {
    let app = spawn_app();
    let asked = "content-type, authorization, apollographql-client-name, apollographql-client-version, \
                 traceparent, tracestate, baggage";
    let req = Request::builder()
        .method(Method::OPTIONS)
        .uri("/graphql")
        .header(header::ORIGIN, "https://app.example.org")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, asked)
        .body(Body::empty())
        .unwrap();
    let reply = app.send(req).await;
    assert!(reply.status.is_success(), "{}", reply.status);
    let allowed = reply.headers[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().to_ascii_lowercase();
    let allowed: Vec<&str> = allowed.split(',').map(str::trim).collect();
    for wanted in asked.split(',').map(str::trim) {
        assert!(allowed.contains(&wanted), "{wanted} is not allowed: {allowed:?}");
    }
    let max_age: u64 = reply.headers[header::ACCESS_CONTROL_MAX_AGE].to_str().unwrap().parse().unwrap();
    assert!(max_age >= 600, "a preflight is kept only {max_age} s");
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it_and_decompress_to_the_plain_answer() {
    let app = spawn_app();
    let query = "/graphql?query=%7B%20states(first%3A%205)%20%7B%20nodes%20%7B%20slug%20name%20%7D%20%7D%20%7D";
    for path in ["/schema.graphql", query] {
        let plain = app.get(path).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}: {}", plain.body);
        assert!(plain.headers.get(header::CONTENT_ENCODING).is_none(), "{path}: not asked for");
        for encoding in ["gzip", "br"] {
            let req = Request::get(path).header(header::ACCEPT_ENCODING, encoding).body(Body::empty()).unwrap();
            let res = router(Arc::clone(&app.app)).oneshot(req).await.unwrap();
            assert_eq!(res.headers()[header::CONTENT_ENCODING], encoding, "{path}");
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            let mut text = String::new();
            match encoding {
                "gzip" => flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text),
                _ => brotli_decompressor::Decompressor::new(&bytes[..], 4096).read_to_string(&mut text),
            }
            .unwrap_or_else(|e| panic!("{path} in {encoding} does not decompress: {e}"));
            assert_eq!(text, plain.body, "{path} in {encoding}");
        }
    }
}

#[tokio::test]
async fn unknown_paths_are_not_found() {
    let app = spawn_app();
    assert_eq!(app.get("/nope").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn what_the_readme_s_security_section_says_is_open_on_purpose_is_open() {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let security = &readme[readme.find("## Security").expect("a security section")..];
    let open = &security[..security.find("Writes need a bearer token").expect("the section says what needs a token")];
    for named in
        ["introspection", "queries by GET", "GraphiQL at `/graphql`", "CORS for any origin", "without credentials"]
    {
        assert!(open.contains(named), "the security section names {named} as open on purpose");
    }
    let app = spawn_app();
    let schema = app.data("{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(schema["__schema"]["queryType"]["name"], "Query", "introspection answers");
    let by_get = app.get("/graphql?query=%7B%20dataset%20%7B%20version%20%7D%20%7D").await;
    assert_eq!(by_get.status, StatusCode::OK, "{}", by_get.body);
    assert!(by_get.json()["data"]["dataset"]["version"].is_string(), "a query by GET answers: {}", by_get.body);
    let page = Request::get("/graphql").header(header::ACCEPT, "text/html").body(Body::empty()).unwrap();
    let graphiql = app.send(page).await;
    assert_eq!(graphiql.status, StatusCode::OK);
    assert!(graphiql.body.to_lowercase().contains("graphiql"), "GraphiQL is served at /graphql");
    let cross = Request::post("/graphql")
        .header(header::ORIGIN, "https://anywhere.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "query": "{ dataset { version } }" }).to_string()))
        .unwrap();
    let reply = app.send(cross).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*", "any origin may read the answer");
    assert!(reply.headers.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none(), "without credentials");
}
