//! The direct path (`src/graphql/direct.rs`): the queries it answers, it answers with the bytes
//! of async-graphql's executor; everything else it leaves to async-graphql.

use crate::helpers::{spawn_app, workload};
use async_graphql::{Request, Variables};
use khartoum_graphql::app::App;
use khartoum_graphql::graphql::Bearer;
use serde_json::{json, Value};
use std::sync::Arc;

/// A query's request, with its variables.
fn request(query: &str, variables: &Value) -> Request {
    Request::new(query).variables(Variables::from_json(variables.clone()))
}

/// A query's answer from async-graphql's executor, which validates its document.
async fn general(app: &App, query: &str, variables: &Value) -> String {
    let request = request(query, variables).data(app.catalog()).data(Arc::clone(&app.curator)).data(Bearer::default());
    let prepared = app.engine.prepare(request).expect("within the limits");
    serde_json::to_string(&app.engine.run(prepared).await).expect("an answer serialises")
}

/// A query's answer from the direct path, if it gives one.
async fn direct(app: &App, query: &str, variables: &Value) -> Option<String> {
    let prepared = app.engine.prepare(request(query, variables)).expect("within the limits");
    let body = app.engine.direct(&prepared, &app.catalog()).await?;
    Some(String::from_utf8(body).expect("the direct path writes UTF-8"))
}

/// Queries the direct path covers, each with its variables: the benchmark's list and detail
/// pages, and one of each thing the walk over a selection set does.
fn covered() -> Vec<(String, Value)> {
    let q = |query: &str, variables: Value| (query.to_owned(), variables);
    vec![
        workload("list"),
        workload("detail"),
        // Fragments: named and inline, on the object's type and on its interfaces.
        q(
            "fragment Who on Actor { __typename slug name } \
             query { meetings(first: 5) { nodes { hosts { ...Who ... on State { iso3 } ... on Organization { acronym } } \
             participations { role actor { ... on Node { id } ...Who } } } } }",
            json!({}),
        ),
        // Aliases, a leaf selected twice (answered once), and `__typename` everywhere.
        q(
            "{ a: meetings(first: 2, orderBy: START_DATE_ASC) { __typename nodes { __typename slug slug t: title } } \
             b: meetings(last: 3) { totalCount edges { cursor node { slug } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
            json!({}),
        ),
        // `@skip` and `@include`, by literal and by variable, on fields and fragments.
        q(
            "query ($yes: Boolean!, $no: Boolean!) { meetings(first: 3) { nodes { slug @include(if: $yes) \
             title @skip(if: $yes) kind @include(if: $no) ... on Meeting @skip(if: $no) { city } \
             ... @include(if: false) { online } } } }",
            json!({"yes": true, "no": false}),
        ),
        // Variables, with a default used and one given; filters and a role list.
        q(
            "query ($code: String = \"eg\", $roles: [MeetingRole!], $filter: MeetingFilter) { state(code: $code) \
             { name meetings(roles: $roles, filter: $filter, first: 3) { totalCount nodes { slug startDate endDate } } } }",
            json!({"roles": ["HOST", "CO_HOST"], "filter": {"from": "2015-01-01"}}),
        ),
        // A fragment on a union, spread where a meeting is: async-graphql applies a fragment to an
        // object of its own type or of an interface it implements, not of a union it belongs to,
        // so the meetings come out as objects with no field (null); the direct path must agree.
        q(
            "fragment Hit on SearchHit { __typename ... on Meeting { slug } } \
             { meetings(first: 2) { nodes { ...Hit ... on SearchHit { ... on Meeting { title } } } } }",
            json!({}),
        ),
        // An object with no field selected for its type is null, as async-graphql answers it.
        q("{ actor(slug: \"icmpd\") { ... on State { name } } }", json!({})),
        // Records of every kind, through the root fields and `node`.
        q(
            "{ processes { slug name alias established description currentChair { chairperson start end isCurrent \
             previous { slug } next { slug } gapBeforeDays gapBefore overlapsPrevious chair { name } } \
             chairmanships { slug meetings { slug } } meetings(first: 2) { nodes { slug } } } }",
            json!({}),
        ),
        q(
            "{ organizations { slug name acronym description partners { count actor { slug } meetings { slug } } \
             sources { slug title url publisher published reference } notes { kind field text sources { slug } } } }",
            json!({}),
        ),
        q(
            "{ states(first: 5, filter: { continent: AFRICA }) { totalCount nodes { id slug iso2 continent createdAt \
             updatedAt chairmanships { process { slug } } } } chairmanships(process: \"khartoum-process\") { slug } }",
            json!({}),
        ),
        q(
            "{ meetings(first: 10) { nodes { id createdAt updatedAt processes { slug } chairs { slug } coChairs { slug } \
             organisers { slug } chairmanships { slug } attendance summary related { kind meeting { slug } } \
             participations(roles: [HOST]) { person inferred note sources { slug } meeting { slug } } } } }",
            json!({}),
        ),
        q("{ actor(slug: \"icmpd\") { __typename name } source(slug: \"nope\") { slug } meeting(slug: \"nope\") { slug } }", json!({})),
    ]
}

#[tokio::test]
async fn the_direct_path_answers_what_it_covers_with_the_bytes_of_async_graphql() {
    let t = spawn_app();
    let mut cases = covered();
    // A global id of each kind of node.
    let ids =
        general(&t.app, "{ meetings(first: 1) { nodes { id } } states(first: 1) { nodes { id } } }", &json!({})).await;
    let ids: Value = serde_json::from_str(&ids).expect("JSON");
    let meeting = ids["data"]["meetings"]["nodes"][0]["id"].clone();
    let state = ids["data"]["states"]["nodes"][0]["id"].clone();
    cases.push((
        "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Meeting { title } ... on State { name } } }"
            .into(),
        json!({ "ids": [meeting, state, "bm9wZTpub3Bl"] }),
    ));
    for (query, variables) in &cases {
        let expected = general(&t.app, query, variables).await;
        assert!(!expected.contains("\"errors\""), "the case itself fails: {query}\n{expected}");
        let answer = direct(&t.app, query, variables)
            .await
            .unwrap_or_else(|| panic!("the direct path stepped aside for {query}"));
        assert_eq!(answer, expected, "for {query}");
    }
}

#[tokio::test]
async fn the_readme_examples_the_direct_path_answers_are_answered_as_async_graphql_answers_them() {
    let t = spawn_app();
    let mut answered = 0;
    for example in khartoum_graphql::http::examples::examples() {
        let expected = general(&t.app, &example.query, &json!({})).await;
        if let Some(answer) = direct(&t.app, &example.query, &json!({})).await {
            assert_eq!(answer, expected, "for the example {}", example.title);
            answered += 1;
        }
    }
    assert!(answered >= 3, "the direct path answered only {answered} of the README's examples");
}

#[tokio::test]
async fn the_direct_path_steps_aside_for_what_async_graphql_must_answer() {
    let t = spawn_app();
    // A document that does not validate, though every field it names is one the direct path
    // covers: its first request, and any other.
    for _ in 0..2 {
        let query = "query ($unused: Int) { meetings(first: 1) { nodes { slug } } }";
        assert_eq!(direct(&t.app, query, &json!({})).await, None, "{query}");
    }
    let cases: &[(&str, &str, Value)] = &[
        ("a field error", "{ meetings(after: \"not-a-cursor\") { nodes { slug } } }", json!({})),
        ("a page too large", "query ($n: Int) { meetings(first: $n) { totalCount } }", json!({"n": 1000})),
        ("a field it does not cover", "{ search(text: \"return\") { __typename } }", json!({})),
        ("introspection", "{ __type(name: \"Meeting\") { name } }", json!({})),
        ("a mutation", "mutation { deleteMeeting(slug: \"nope\") { slug } }", json!({})),
        (
            "a variable of the wrong type",
            "query ($n: Int) { meetings(first: $n) { totalCount } }",
            json!({"n": "three"}),
        ),
        (
            "an input object with a field its type lacks",
            "query ($f: MeetingFilter) { meetings(filter: $f) { totalCount } }",
            json!({"f": {"bogus": 1}}),
        ),
        ("a missing variable", "query ($code: String!) { state(code: $code) { name } }", json!({})),
    ];
    for (what, query, variables) in cases {
        // A first run has async-graphql validate the document (with variables that read, where it
        // can), so that the direct path's `None` below is the case's, not an invalid document's.
        let _ = general(&t.app, query, &json!({})).await;
        let expected = general(&t.app, query, variables).await;
        assert!(
            expected.contains("\"errors\"") || *what == "a field it does not cover" || *what == "introspection",
            "{what}: async-graphql answers without an error, so the case tests nothing: {expected}"
        );
        assert_eq!(direct(&t.app, query, variables).await, None, "{what}: the direct path answered {query}");
    }
}
