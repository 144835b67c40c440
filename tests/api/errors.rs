//! Error codes: every refusal says why in `extensions.code`, and nothing internal leaks.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn an_unknown_slug_is_null_not_an_error() {
    let app = spawn_app();
    let data = app.data(r#"{ meeting(slug: "no-such-meeting") { slug } state(code: "zz") { slug } }"#, json!({})).await;
    assert!(data["meeting"].is_null() && data["state"].is_null());
}

#[tokio::test]
async fn a_page_above_the_maximum_is_page_size_exceeded() {
    let app = spawn_app();
    let (code, message) = app.error("{ meetings(first: 101) { totalCount } }", json!({})).await;
    assert_eq!(code, "PAGE_SIZE_EXCEEDED");
    assert!(message.contains("100"), "{message}");
}

#[tokio::test]
async fn a_filter_naming_an_unknown_actor_is_bad_user_input() {
    let app = spawn_app();
    let (code, message) = app.error(r#"{ meetings(filter: {actor: "ethopia"}) { totalCount } }"#, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert_eq!(message, "unknown actor 'ethopia'");
}

#[tokio::test]
async fn an_invalid_date_is_refused_by_validation_before_anything_runs() {
    let app = spawn_app();
    let resp =
        app.run("query ($d: Date) { meetings(filter: {from: $d}) { totalCount } }", json!({"d": "2021-02-30"})).await;
    let message = resp["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("expected type \"Date\""), "{message}");
    assert_eq!(resp["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    // A request error: nothing ran, so there is no path.
    assert!(resp["errors"][0].get("path").is_none(), "{resp}");
    assert!(resp["data"].is_null());
}

#[tokio::test]
async fn an_overlong_argument_is_bad_user_input() {
    let app = spawn_app();
    let (code, _) =
        app.error("query ($s: String!) { meeting(slug: $s) { slug } }", json!({"s": "a".repeat(10_000)})).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_query_too_deep_or_too_costly_is_refused_before_it_runs() {
    let app = spawn_app();
    let deep = "{ meetings { nodes { related { meeting { related { meeting { related { meeting { related { meeting { related { meeting { slug } } } } } } } } } } } } }";
    let resp = app.run(deep, json!({})).await;
    assert!(resp["errors"][0]["message"].as_str().unwrap().contains("nested too deep"), "{resp}");
    let costly = "{ meetings(first: 100) { nodes { processes { meetings(first: 100) { nodes { slug title } } } } } }";
    let resp = app.run(costly, json!({})).await;
    assert!(resp["errors"][0]["message"].as_str().unwrap().contains("too complex"), "{resp}");
}

#[tokio::test]
async fn internal_errors_reach_the_client_without_detail() {
    // A catalog-less schema execution is our fault (the transport always supplies one); the
    // client must see only the code and a generic message.
    let schema = khartoum_graphql::graphql::schema();
    let resp = schema.execute("{ dataset { version } }").await;
    let err = &resp.errors[0];
    assert_eq!(err.message, "internal error");
    let ext = serde_json::to_value(&err.extensions).unwrap();
    assert_eq!(ext["code"], "INTERNAL_SERVER_ERROR");
    assert!(!format!("{resp:?}").contains("catalog"), "detail leaked: {resp:?}");
}
