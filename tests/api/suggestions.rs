//! `--no-suggestions`, through the real binary: by default a misspelt field's error suggests the
//! names near it; with the flag it names none.

use crate::rate_limits::{post_from, serve_fresh};
use serde_json::json;

/// The message of the error a misspelt field gets from a server started with `env`.
fn misspelt_field_error(env: &[(&str, &str)]) -> String {
    let (_dir, server, base) = serve_fresh(env);
    let answer = post_from(
        "127.0.0.1".parse().unwrap(),
        &base,
        &json!({ "query": "{ meetingz(first: 1) { nodes { slug } } }" }),
        &[],
    );
    drop(server);
    let body = answer.json();
    assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{body}");
    body["errors"][0]["message"].as_str().expect("a message").to_owned()
}

#[test]
fn errors_suggest_field_names_by_default() {
    let message = misspelt_field_error(&[]);
    assert!(message.contains("Did you mean") && message.contains("meetings"), "{message}");
}

#[test]
fn no_suggestions_leaves_did_you_mean_out_of_errors() {
    let message = misspelt_field_error(&[("KHARTOUM_GRAPHQL_NO_SUGGESTIONS", "true")]);
    assert!(message.contains("meetingz"), "the error still names the unknown field: {message}");
    assert!(!message.contains("Did you mean") && !message.contains("\"meetings\""), "{message}");
}
