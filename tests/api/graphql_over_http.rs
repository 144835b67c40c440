//! GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) through the production
//! router: media types from `Accept`, and the status code of each outcome.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

const GRAPHQL_JSON: &str = "application/graphql-response+json";

/// POSTs a JSON body to /graphql with an `Accept` header.
async fn post(app: &TestApp, accept: Option<&str>, body: &Value) -> Reply {
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(accept) = accept {
        req = req.header(header::ACCEPT, accept);
    }
    app.send(req.body(Body::from(body.to_string())).unwrap()).await
}

/// GETs a path with an `Accept` header.
async fn get(app: &TestApp, accept: &str, path: &str) -> Reply {
    app.send(Request::get(path).header(header::ACCEPT, accept).body(Body::empty()).unwrap()).await
}

fn content_type(reply: &Reply) -> &str {
    reply.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn a_client_that_accepts_graphql_response_json_gets_it() {
    let app = spawn_app();
    for accept in [GRAPHQL_JSON, "application/graphql-response+json, application/json;q=0.9"] {
        let reply = post(&app, Some(accept), &json!({"query": "{ dataset { meetings } }"})).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(content_type(&reply).starts_with(GRAPHQL_JSON), "{accept}: {}", content_type(&reply));
        assert!(reply.json()["data"]["dataset"]["meetings"].as_i64() > Some(0));
    }
}

#[tokio::test]
async fn a_client_that_accepts_json_or_anything_or_sends_no_accept_gets_application_json() {
    let app = spawn_app();
    for accept in [None, Some("*/*"), Some("application/json"), Some("application/json, multipart/mixed")] {
        let reply = post(&app, accept, &json!({"query": "{ dataset { meetings } }"})).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(content_type(&reply).starts_with("application/json"), "{accept:?}: {}", content_type(&reply));
    }
}

#[tokio::test]
async fn an_accept_header_that_allows_neither_media_type_is_not_acceptable() {
    let app = spawn_app();
    let reply = post(&app, Some("application/xml"), &json!({"query": "{ dataset { meetings } }"})).await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "NOT_ACCEPTABLE");
    let reply = get(&app, "image/png", "/graphql?query=%7B__typename%7D").await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn with_graphql_response_json_a_request_that_fails_before_execution_is_400_without_data() {
    let app = spawn_app();
    let cases = [
        json!({"query": "{"}),
        json!({"query": "{ noSuchField }"}),
        json!({"query": "query ($s: String!) { meeting(slug: $s) { slug } }", "variables": {"s": null}}),
        json!({"query": "{ meetings(first: 101) { nodes { processes { meetings(first: 100) { nodes { slug } } } } } }"}),
    ];
    for body in cases {
        let reply = post(&app, Some(GRAPHQL_JSON), &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.body);
        assert!(content_type(&reply).starts_with(GRAPHQL_JSON));
        let resp = reply.json();
        assert!(resp.get("data").is_none(), "a request error has no data entry: {resp}");
        assert!(resp["errors"][0]["message"].is_string(), "{resp}");
    }
}

#[tokio::test]
async fn a_required_variable_left_out_is_a_request_error_that_names_it_and_its_type() {
    let app = spawn_app();
    let query = "query Q($c: String!) { meeting(slug: $c) { slug } }";
    for body in [json!({ "query": query }), json!({ "query": query, "variables": {} })] {
        let reply = post(&app, Some(GRAPHQL_JSON), &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.body);
        let resp = reply.json();
        assert!(resp.get("data").is_none(), "a request error has no data entry: {resp}");
        let error = &resp["errors"][0];
        assert_eq!(error["message"], r#"Variable "$c" of required type "String!" was not provided."#);
        assert_eq!(error["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
        assert!(error.get("path").is_none(), "{resp}");
        assert_eq!(error["locations"], json!([{ "line": 1, "column": 9 }]), "{resp}");
    }
    let with_default = r#"query Q($c: String! = "2019-03-asmara-som") { meeting(slug: $c) { slug } }"#;
    let nullable = "query Q($n: Int) { meetings(first: $n) { totalCount } }";
    for query in [with_default, nullable] {
        let reply = post(&app, Some(GRAPHQL_JSON), &json!({ "query": query })).await;
        assert_eq!(reply.status, StatusCode::OK, "{query} may leave its variable out: {}", reply.body);
        assert!(reply.json().get("errors").is_none(), "{}", reply.body);
    }
}

#[tokio::test]
async fn with_graphql_response_json_an_error_during_execution_is_200_with_the_data_entry() {
    let app = spawn_app();
    // `first: 101` is refused by the resolver, so execution ran: the error has a path.
    let reply = post(&app, Some(GRAPHQL_JSON), &json!({"query": "{ meetings(first: 101) { totalCount } }"})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let resp = reply.json();
    assert!(resp.get("data").is_some(), "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["code"], "PAGE_SIZE_EXCEEDED");
}

#[tokio::test]
async fn with_application_json_every_well_formed_request_is_200_whatever_its_errors() {
    let app = spawn_app();
    for query in ["{", "{ noSuchField }", "{ meetings(first: 101) { totalCount } }"] {
        let reply = post(&app, Some("application/json"), &json!({ "query": query })).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert!(reply.json()["errors"][0]["message"].is_string());
    }
}

#[tokio::test]
async fn a_request_whose_parameters_are_not_well_formed_is_400() {
    let app = spawn_app();
    for body in [
        json!({}),
        json!({"query": 1}),
        json!({"query": ["{ a }"]}),
        json!({"query": "{ __typename }", "operationName": false}),
        json!({"query": "{ __typename }", "variables": "x"}),
        json!({"query": "{ __typename }", "extensions": [1]}),
        json!("{ __typename }"),
        json!([]),
    ] {
        for accept in [GRAPHQL_JSON, "application/json"] {
            let reply = post(&app, Some(accept), &body).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body} {accept}");
            assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "BAD_REQUEST");
        }
    }
}

#[tokio::test]
async fn null_operation_name_variables_and_extensions_are_allowed() {
    let app = spawn_app();
    let body = json!({"query": "{ __typename }", "operationName": null, "variables": null, "extensions": null});
    let reply = post(&app, Some(GRAPHQL_JSON), &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["data"]["__typename"], "Query");
}

#[tokio::test]
async fn get_runs_a_query_in_the_negotiated_media_type() {
    let app = spawn_app();
    let reply = get(&app, GRAPHQL_JSON, "/graphql?query=%7B__typename%7D").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(content_type(&reply).starts_with(GRAPHQL_JSON));
    assert_eq!(reply.json()["data"]["__typename"], "Query");
    let reply = get(&app, GRAPHQL_JSON, "/graphql?query=%7B").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn get_refuses_a_mutation_or_a_subscription_with_405_and_allow_post() {
    let app = spawn_app();
    for (query, accept) in [
        ("mutation%20%7B__typename%7D", GRAPHQL_JSON),
        ("mutation%20%7B__typename%7D", "application/json"),
        ("subscription%20%7B__typename%7D", "*/*"),
        ("query%20A%20%7B__typename%7D%20mutation%20B%20%7B__typename%7D&operationName=B", "*/*"),
    ] {
        let reply = get(&app, accept, &format!("/graphql?query={query}")).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{query}");
        assert_eq!(reply.headers[header::ALLOW], "POST");
        assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED");
    }
    // The query of the same document may run on GET.
    let reply = get(
        &app,
        "*/*",
        "/graphql?query=query%20A%20%7B__typename%7D%20mutation%20B%20%7B__typename%7D&operationName=A",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn get_without_a_query_is_graphiql_for_a_browser_and_400_for_an_api_client() {
    let app = spawn_app();
    let reply = get(&app, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/graphql").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(content_type(&reply).starts_with("text/html"));
    let reply = get(&app, GRAPHQL_JSON, "/graphql").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn get_with_malformed_variables_is_400() {
    let app = spawn_app();
    let reply = get(&app, "*/*", "/graphql?query=%7B__typename%7D&variables=%7Bnot-json").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn the_standard_introspection_query_runs_despite_the_depth_limit() {
    // GraphiQL's docs pane and code generators send this query; graphql-js nests it 15 deep.
    let app = spawn_app();
    let query = include_str!("introspection.graphql");
    let data = app.data(query, json!({})).await;
    let types = data["__schema"]["types"].as_array().expect("types");
    let query_type = types.iter().find(|t| t["name"] == "Query").expect("the Query type");
    assert!(query_type["description"].as_str().is_some_and(|d| d.contains("entry points")));
    // The data's own fields keep the limit of 12.
    let (_, message) = app.error(
        "{ meetings { nodes { related { meeting { related { meeting { related { meeting { related { meeting { related { meeting { slug } } } } } } } } } } } } }",
        json!({}),
    )
    .await;
    assert!(message.contains("nested too deep"), "{message}");
}
