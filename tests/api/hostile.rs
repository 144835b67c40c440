//! Hostile input: each shape of abuse a public GraphQL endpoint meets, with the exact answer it
//! gets. Every refusal has the status the GraphQL-over-HTTP specification gives (these requests
//! ask for `application/graphql-response+json`, where a request error is a 400 with no `data`),
//! and an `extensions.code`. After the whole flood, the server still answers a normal query.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use khartoum_graphql::graphql::limits::{MAX_ALIASES, MAX_COST, MAX_DIRECTIVES, MAX_QUERY_BYTES};
use serde_json::{json, Value};

const GRAPHQL_JSON: &str = "application/graphql-response+json";

/// A POST of a JSON body that asks for `application/graphql-response+json`.
fn post(body: impl Into<Body>) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, GRAPHQL_JSON)
        .body(body.into())
        .expect("a request")
}

/// A POST of one query with variables.
fn query(query: &str, variables: Value) -> Request<Body> {
    post(json!({ "query": query, "variables": variables }).to_string())
}

/// A GET of a query string.
fn get(params: &[(&str, &str)]) -> Request<Body> {
    let qs: String = params
        .iter()
        .map(|(k, v)| format!("{k}={}", form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
        .collect::<Vec<_>>()
        .join("&");
    Request::get(format!("/graphql?{qs}")).header(header::ACCEPT, GRAPHQL_JSON).body(Body::empty()).expect("a request")
}

/// What a hostile request must get: the status, the code of its first error, a piece of that
/// error's message, and whether the answer has `data` (a request error has none; an error
/// raised while running has `data: null` or partial data).
struct Expect {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
    ran: bool,
}

const fn refused(status: StatusCode, code: &'static str, message: &'static str) -> Expect {
    Expect { status, code, message, ran: false }
}

const fn failed_while_running(code: &'static str, message: &'static str) -> Expect {
    Expect { status: StatusCode::OK, code, message, ran: true }
}

/// The parse error of an empty query: where, and what the parser expected there.
const EMPTY_QUERY: &str = " --> 1:1\n  |\n1 | \n  | ^---\n  |\n  = expected executable_definition";
/// The parse error of `{ dataset {`: the end of the text, where a selection was expected.
const UNCLOSED_QUERY: &str = " --> 1:12\n  |\n1 | { dataset {\n  |            ^---\n  |\n  = expected selection";

async fn check(app: &TestApp, shape: &str, request: Request<Body>, expect: Expect) -> Value {
    let reply = app.send(request).await;
    assert_eq!(reply.status, expect.status, "{shape}: {}", &reply.body[..reply.body.len().min(400)]);
    let body: Value =
        serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{shape}: not JSON ({e}): {}", reply.body));
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], expect.code, "{shape}: {body}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains(expect.message), "{shape}: the message {message:?} lacks {:?}", expect.message);
    assert_eq!(
        body.get("data").is_some(),
        expect.ran,
        "{shape}: `data` {} expected: {body}",
        if expect.ran { "was" } else { "was not" }
    );
    body
}

#[tokio::test]
async fn depth_and_cost_attacks_are_refused_before_they_run() {
    let app = spawn_app();
    let bad = StatusCode::BAD_REQUEST;

    // Deep nesting: 1 + 2 × 6 + 1 = 14 fields deep.
    let deep =
        format!("{{ meeting(slug: \"x\") {{ {} slug {} }} }}", "related { meeting { ".repeat(6), "} } ".repeat(6));
    check(&app, "deep nesting", query(&deep, json!({})), refused(bad, "QUERY_TOO_DEEP", "nested too deep")).await;

    // Brackets nested far beyond any real query never reach the parser.
    let brackets = format!("{}{}", "{ a ".repeat(5_000), "}".repeat(5_000));
    let brackets = &brackets[..MAX_QUERY_BYTES.min(brackets.len())];
    check(&app, "5,000 nested brackets", query(brackets, json!({})), refused(bad, "QUERY_TOO_DEEP", "nested too deep"))
        .await;

    // Nested connections with first: 100 at every level multiply past the cost limit.
    let nested = "{ meetings(first: 100) { nodes { hosts { meetings(first: 100) { nodes { slug } } } } } }";
    let body =
        check(&app, "nested first: 100", query(nested, json!({})), refused(bad, "QUERY_TOO_COMPLEX", "too complex"))
            .await;
    let hosts = app.data("{ dataset { listBounds { typeName field longest } } }", json!({})).await["dataset"]
        ["listBounds"]
        .as_array()
        .expect("the bounds are a list")
        .iter()
        .find(|b| b["typeName"] == "Meeting" && b["field"] == "hosts")
        .and_then(|b| b["longest"].as_u64())
        .expect("the bound of a meeting's hosts is published");
    let cost = 1 + 100 * (1 + 1 + hosts * (1 + 100 * 2));
    assert_eq!(body["errors"][0]["extensions"]["cost"], cost);
    assert_eq!(body["errors"][0]["extensions"]["maxCost"], MAX_COST);

    // A page size of a billion is the field's own refusal: it names the field and the maximum.
    let body = check(
        &app,
        "first: 1000000000",
        query("{ meetings(first: 1000000000) { totalCount } }", json!({})),
        failed_while_running("PAGE_SIZE_EXCEEDED", "maximum page size of 100"),
    )
    .await;
    assert_eq!(body["errors"][0]["path"], json!(["meetings"]));
    assert_eq!(body["data"], Value::Null);

    check(
        &app,
        "negative first",
        query("{ meetings(first: -1) { totalCount } }", json!({})),
        failed_while_running("BAD_USER_INPUT", "cannot be negative"),
    )
    .await;

    // Introspection may go 20 deep, but not 21.
    let intro = |n: usize| {
        format!("{{ __schema {{ types {{ {} name {} }} }} }}", "ofType { ".repeat(n - 3), "} ".repeat(n - 3))
    };
    check(
        &app,
        "introspection 21 deep",
        query(&intro(21), json!({})),
        refused(bad, "QUERY_TOO_DEEP", "under __schema"),
    )
    .await;
    let reply = app.send(query(&intro(20).replace("types {", "queryType {"), json!({}))).await;
    assert_eq!(reply.status, StatusCode::OK, "introspection 20 deep is allowed: {}", reply.body);
}

#[tokio::test]
async fn alias_fragment_and_directive_floods_are_refused_before_they_run() {
    let app = spawn_app();
    let bad = StatusCode::BAD_REQUEST;

    // Thousands of aliases of one field are larger than any query may be.
    let flood: String = (0..5_000).map(|i| format!(" a{i}: __typename")).collect();
    check(
        &app,
        "5,000 aliases",
        query(&format!("{{{flood} }}"), json!({})),
        refused(bad, "QUERY_TOO_LARGE", "too large"),
    )
    .await;
    // Within the size, the alias limit itself.
    let flood: String = (0..=MAX_ALIASES).map(|i| format!(" a{i}: __typename")).collect();
    check(&app, "51 aliases", query(&format!("{{{flood} }}"), json!({})), refused(bad, "TOO_MANY_ALIASES", "aliases"))
        .await;

    let cyclic = "{ dataset { ...A } } fragment A on Dataset { ...B } fragment B on Dataset { ...A }";
    check(
        &app,
        "cyclic fragments",
        query(cyclic, json!({})),
        refused(bad, "GRAPHQL_VALIDATION_FAILED", "spreads itself"),
    )
    .await;

    let spreads = format!("{{ dataset {{ {} }} }} fragment F on Dataset {{ version }}", "...F ".repeat(1_000));
    check(
        &app,
        "a fragment spread 1,000 times",
        query(&spreads, json!({})),
        refused(bad, "TOO_MANY_FIELDS", "too many fields"),
    )
    .await;
    // A fragment bomb: 2^30 fields from 31 small fragments.
    let mut bomb = String::from("{ dataset { ...F0 } }");
    for i in 0..30 {
        bomb.push_str(&format!(" fragment F{i} on Dataset {{ ...F{} ...F{} }}", i + 1, i + 1));
    }
    bomb.push_str(" fragment F30 on Dataset { version }");
    check(&app, "a fragment bomb", query(&bomb, json!({})), refused(bad, "TOO_MANY_FIELDS", "too many fields")).await;

    let directives = " @skip(if: false)".repeat(MAX_DIRECTIVES + 1);
    check(
        &app,
        "a directive flood",
        query(&format!("{{ __typename{directives} }}"), json!({})),
        refused(bad, "TOO_MANY_DIRECTIVES", "directives"),
    )
    .await;
    let directives = " @include(if: true)".repeat(2_000);
    check(
        &app,
        "2,000 directives",
        query(&format!("{{ __typename{directives} }}"), json!({})),
        refused(bad, "QUERY_TOO_LARGE", "too large"),
    )
    .await;
}

#[tokio::test]
async fn malformed_and_oversized_requests_are_refused_with_a_code() {
    let app = spawn_app();
    let bad = StatusCode::BAD_REQUEST;
    let ten_mb = "x".repeat(10 * 1024 * 1024);

    // With Content-Length, the body is refused before it is read.
    let body = format!("{{\"query\": \"{{ __typename }}\", \"pad\": \"{ten_mb}\"}}");
    check(
        &app,
        "10 MB with Content-Length",
        post(body.clone()),
        refused(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", "larger than"),
    )
    .await;
    // Without it (chunked), reading stops at the limit.
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> =
        body.into_bytes().chunks(64 * 1024).map(|c| Ok(axum::body::Bytes::copy_from_slice(c))).collect();
    let streamed = Body::from_stream(futures_util::stream::iter(chunks));
    check(
        &app,
        "10 MB chunked",
        post(streamed),
        refused(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", "larger than"),
    )
    .await;

    let batch = Value::Array(vec![json!({"query": "{ __typename }"}); 1_000]);
    check(&app, "a batch of 1,000", post(batch.to_string()), refused(bad, "BATCH_TOO_LARGE", "at most 10 operations"))
        .await;

    check(
        &app,
        "malformed JSON",
        post("{\"query\": \"{ __typename }\""),
        refused(bad, "BAD_REQUEST", "not a GraphQL request in JSON"),
    )
    .await;
    check(
        &app,
        "invalid UTF-8",
        post(&b"{\"query\": \"{ \xff\xfe }\"}"[..]),
        refused(bad, "BAD_REQUEST", "not a GraphQL request in JSON"),
    )
    .await;
    check(
        &app,
        "a query that is not a string",
        post(json!({"query": 42}).to_string()),
        refused(bad, "BAD_REQUEST", "must be a string"),
    )
    .await;
    check(&app, "an empty query", query("", json!({})), refused(bad, "GRAPHQL_PARSE_FAILED", EMPTY_QUERY)).await;
    check(
        &app,
        "a query that does not parse",
        query("{ dataset {", json!({})),
        refused(bad, "GRAPHQL_PARSE_FAILED", UNCLOSED_QUERY),
    )
    .await;
    let long = format!("{{ __typename }}{}", " ".repeat(MAX_QUERY_BYTES));
    check(&app, "a query text over the limit", query(&long, json!({})), refused(bad, "QUERY_TOO_LARGE", "16384")).await;

    let two = "query A { dataset { version } } query B { dataset { states } }";
    let named = post(json!({"query": two, "operationName": "C"}).to_string());
    check(&app, "an unknown operationName", named, refused(bad, "UNKNOWN_OPERATION", "\"C\"")).await;
    check(
        &app,
        "no operationName for two operations",
        query(two, json!({})),
        refused(bad, "UNKNOWN_OPERATION", "operationName"),
    )
    .await;

    check(
        &app,
        "a variable of the wrong type",
        query("query($n: Int) { meetings(first: $n) { totalCount } }", json!({"n": "ten"})),
        refused(bad, "GRAPHQL_VALIDATION_FAILED", "Int"),
    )
    .await;
    check(
        &app,
        "an unknown field",
        query("{ dataset { secrets } }", json!({})),
        refused(bad, "GRAPHQL_VALIDATION_FAILED", "secrets"),
    )
    .await;

    let mutation = "mutation { deleteMeeting(slug: \"x\") { slug } }";
    let reply = app.send(get(&[("query", mutation)])).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{}", reply.body);
    assert_eq!(reply.headers[header::ALLOW], "POST");
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED");
    let subscription = app.send(get(&[("query", "subscription { changes { version } }")])).await;
    assert_eq!(subscription.status, StatusCode::METHOD_NOT_ALLOWED, "{}", subscription.body);

    for (shape, content_type) in [("text/plain", "text/plain"), ("a form", "application/x-www-form-urlencoded")] {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/graphql")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ACCEPT, GRAPHQL_JSON)
            .body(Body::from("query={ __typename }"))
            .expect("a request");
        check(
            &app,
            shape,
            req,
            refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", "application/json"),
        )
        .await;
    }
}

#[tokio::test]
async fn bad_values_get_bad_user_input_or_a_validation_error() {
    let app = spawn_app();
    let bad = StatusCode::BAD_REQUEST;
    check(
        &app,
        "an invalid cursor",
        query("{ meetings(first: 2, after: \"not-a-cursor\") { totalCount } }", json!({})),
        failed_while_running("BAD_USER_INPUT", "cursor"),
    )
    .await;
    check(
        &app,
        "an invalid Date",
        query("{ chairOn(process: \"khartoum-process\", date: \"2019-02-30\") { chairperson } }", json!({})),
        refused(bad, "GRAPHQL_VALIDATION_FAILED", "date"),
    )
    .await;
    let create = "mutation($d: PartialDate!) { createMeeting(input: { slug: \"x-1\", title: \"X\", kind: WEBINAR, startDate: $d, \
                  online: true, processes: [\"khartoum-process\"], sources: [] }) { slug } }";
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, GRAPHQL_JSON)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::from(json!({"query": create, "variables": {"d": "2023-13"}}).to_string()))
        .expect("a request");
    check(&app, "an invalid PartialDate", req, refused(bad, "GRAPHQL_VALIDATION_FAILED", "PartialDate")).await;
    check(
        &app,
        "an unknown enum value",
        query("{ meetings(filter: { kinds: [PICNIC] }) { totalCount } }", json!({})),
        refused(bad, "GRAPHQL_VALIDATION_FAILED", "PICNIC"),
    )
    .await;
    check(
        &app,
        "a slug with a control character",
        query("query($s: String!) { meeting(slug: $s) { slug } }", json!({"s": "khartoum\u{0}process"})),
        refused(bad, "BAD_USER_INPUT", "U+0000"),
    )
    .await;
}

/// Every string argument of every query field (and of the input objects they take), from the
/// schema itself: a control character is refused before anything runs, and a 100,000-byte
/// string is refused by the field. Nothing answers with an internal error.
#[tokio::test]
async fn every_string_argument_refuses_control_characters_and_very_long_strings() {
    let app = spawn_app();
    let sdl = khartoum_graphql::graphql::sdl();
    let doc = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
    let mut inputs = std::collections::HashMap::new();
    let mut enums = std::collections::HashMap::new();
    let mut query_fields = Vec::new();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(ty) = def else { continue };
        match &ty.node.kind {
            TypeKind::InputObject(o) if ty.node.name.node != "CreateMeetingInput" => {
                inputs
                    .insert(ty.node.name.node.to_string(), o.fields.iter().map(|f| f.node.clone()).collect::<Vec<_>>());
            }
            TypeKind::Object(o) if ty.node.name.node == "Query" => query_fields = o.fields.clone(),
            TypeKind::Enum(e) => {
                enums.insert(ty.node.name.node.to_string(), e.values[0].node.value.node.to_string());
            }
            _ => {}
        }
    }
    let named = |t: &async_graphql::parser::types::Type| -> String {
        let mut t = t;
        while let BaseType::List(inner) = &t.base {
            t = inner;
        }
        match &t.base {
            BaseType::Named(n) => n.to_string(),
            BaseType::List(_) => unreachable!(),
        }
    };
    let mut checked = 0;
    for field in query_fields {
        let field = field.node;
        let required: Vec<_> = field.arguments.iter().filter(|a| !a.node.ty.node.nullable).collect();
        for arg in &field.arguments {
            let arg = &arg.node;
            let ty = named(&arg.ty.node);
            // The places a string can go: the argument itself, or a string field of its input type.
            let mut places: Vec<(String, String)> = Vec::new();
            if ty == "String" || ty == "ID" {
                places.push((arg.name.node.to_string(), String::new()));
            } else if let Some(fields) = inputs.get(&ty) {
                for f in fields.iter().filter(|f| matches!(named(&f.ty.node).as_str(), "String" | "ID")) {
                    places.push((arg.name.node.to_string(), f.name.node.to_string()));
                }
            }
            for (name, inner) in places {
                let list = arg.ty.node.base.to_string().starts_with('[');
                for (what, value, expect_code) in [
                    ("a control character", "ab\u{7}c".to_owned(), "BAD_USER_INPUT"),
                    ("100,000 bytes", "a".repeat(100_000), "BAD_USER_INPUT"),
                ] {
                    let value = if inner.is_empty() {
                        if list {
                            json!([value])
                        } else {
                            json!(value)
                        }
                    } else {
                        let inner_list = inputs[&ty]
                            .iter()
                            .find(|f| f.name.node == inner)
                            .is_some_and(|f| f.ty.node.to_string().starts_with('['));
                        json!({ inner.clone(): if inner_list { json!([value]) } else { json!(value) } })
                    };
                    let mut args = vec![format!("{name}: $v")];
                    for r in &required {
                        if r.node.name.node != name {
                            let ty = named(&r.node.ty.node);
                            let value = enums.get(&ty).cloned().unwrap_or_else(|| placeholder(&ty).to_owned());
                            args.push(format!("{}: {value}", r.node.name.node));
                        }
                    }
                    let q = format!(
                        "query($v: {}) {{ {}({}) {{ __typename }} }}",
                        arg.ty.node,
                        field.name.node,
                        args.join(", ")
                    );
                    let reply = app.send(query(&q, json!({ "v": value }))).await;
                    let body = reply.json();
                    let code = body["errors"][0]["extensions"]["code"].as_str().unwrap_or("none").to_owned();
                    let place = if inner.is_empty() { name.clone() } else { format!("{name}.{inner}") };
                    assert_eq!(
                        code,
                        expect_code,
                        "{}({place}) with {what}: {}",
                        field.name.node,
                        &reply.body[..reply.body.len().min(300)]
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} string arguments were found; the schema walk is broken");
}

/// A value for a required argument that is not under test.
fn placeholder(ty: &str) -> &'static str {
    match ty {
        "Date" => "\"2020-01-01\"",
        "DateTime" => "\"2020-01-01T00:00:00Z\"",
        "Int" => "1",
        _ => "\"khartoum-process\"",
    }
}

#[tokio::test]
async fn a_query_reports_its_cost_and_after_a_flood_the_server_still_answers() {
    let app = spawn_app();
    let reply = app.send(query("{ meetings(first: 10) { totalCount nodes { slug title } } }", json!({}))).await;
    assert_eq!(reply.status, StatusCode::OK);
    // The figures the README gives for this query.
    assert_eq!(
        reply.json()["extensions"]["cost"],
        json!({ "cost": 41, "maxCost": 5000, "depth": 3, "maxDepth": 12, "fields": 5, "maxFields": 1000,
                "aliases": 0, "maxAliases": 50, "directives": 0, "maxDirectives": 50 })
    );
    let flood: String = (0..5_000).map(|i| format!(" a{i}: __typename")).collect();
    for _ in 0..200 {
        let reply = app.send(query(&format!("{{{flood} }}"), json!({}))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    }
    let data = app.data("{ process(slug: \"khartoum-process\") { name } }", json!({})).await;
    assert_eq!(data["process"]["name"], "Khartoum Process");
}

/// A source as every mutation input that takes one gives it, each of its strings filled.
fn walk_source(n: u32) -> Value {
    json!({ "title": "Walk page", "url": format!("https://example.org/walk-page-{n}"), "publisher": "Walk press",
            "reference": "W-1", "published": "2020" })
}

/// A note with every string filled, citing a source of its own.
fn walk_note(n: u32) -> Value {
    json!({ "kind": "EDITORIAL", "field": "title", "text": "A note.", "sources": [walk_source(n)] })
}

/// A call to every mutation that succeeds on the store [`walk_setup`] leaves, with every string
/// argument and input field given, in an order in which they all succeed one after the other.
fn walk_calls(current_chair: &str) -> Vec<(&'static str, Value)> {
    vec![
        (
            "createSource",
            json!({ "input": { "slug": "walk-source-2", "title": "Walk source 2",
            "url": "https://example.org/walk-2", "publisher": "P", "reference": "R", "published": "2020" } }),
        ),
        (
            "createState",
            json!({ "input": { "slug": "zy", "iso3": "ZZY", "name": "Walkland Two", "continent": "AFRICA",
            "notes": [walk_note(1)], "sources": [walk_source(2)] } }),
        ),
        (
            "createOrganization",
            json!({ "input": { "slug": "walk-org-2", "name": "Walk Organisation Two",
            "acronym": "WO2", "description": "For the walk.", "partOf": "ec", "notes": [walk_note(3)],
            "sources": [walk_source(4)] } }),
        ),
        (
            "createPerson",
            json!({ "input": { "slug": "walk-person-2", "name": "Walk Person Two",
            "posts": [{ "title": "Minister", "actor": "zy", "sources": [walk_source(23)] }],
            "notes": [walk_note(24)], "sources": [walk_source(25)] } }),
        ),
        (
            "createMembership",
            json!({ "input": { "slug": "walk-membership-2", "actor": "zy",
            "process": "khartoum-process", "role": "MEMBER", "since": "2031", "notes": [walk_note(5)],
            "sources": [walk_source(6)] } }),
        ),
        (
            "createChairmanship",
            json!({ "input": { "slug": "walk-chair", "process": "khartoum-process",
            "chair": "zz", "chairperson": "A. Chair", "person": "walk-person-2", "start": "2031-01", "notes": [walk_note(7)],
            "sources": [walk_source(8)] } }),
        ),
        (
            "createMeeting",
            json!({ "input": { "slug": "2030-03-rome-walk-third", "title": "Walk meeting three",
            "kind": "THEMATIC_MEETING", "startDate": "2030-03-02", "city": "Rome", "country": "it",
            "summary": "A summary.", "processes": ["khartoum-process"],
            "participations": [{ "actor": "it", "role": "HOST", "person": "A. Host", "people": ["walk-person-2"],
                                 "note": "n", "sources": [walk_source(9)] }],
            "notes": [walk_note(10)], "sources": [walk_source(11)] } }),
        ),
        (
            "updateSource",
            json!({ "slug": "walk-source", "input": { "title": "Walk source, again",
            "url": "https://example.org/walk-again", "publisher": "P", "reference": "R", "published": "2021" } }),
        ),
        (
            "updateState",
            json!({ "slug": "zz", "input": { "name": "Walkland", "iso3": "ZZZ", "notes": [walk_note(12)],
            "sources": [walk_source(13)] } }),
        ),
        (
            "updateOrganization",
            json!({ "slug": "walk-org", "input": { "name": "Walk Organisation",
            "acronym": "WO", "description": "Again.", "partOf": "ec", "notes": [walk_note(14)],
            "sources": [walk_source(15)] } }),
        ),
        (
            "updatePerson",
            json!({ "slug": "walk-person-2", "input": { "name": "Walk Person",
            "posts": [{ "title": "Envoy", "actor": "de", "sources": [walk_source(26)] }],
            "notes": [walk_note(27)], "sources": [walk_source(28)] } }),
        ),
        (
            "updateMembership",
            json!({ "slug": "walk-membership", "input": { "notes": [walk_note(16)],
            "sources": [walk_source(17)] } }),
        ),
        (
            "updateChairmanship",
            json!({ "slug": current_chair, "input": { "chairperson": "A. Chairperson", "person": "walk-person-2",
            "notes": [walk_note(18)], "sources": [walk_source(19)] } }),
        ),
        (
            "updateMeeting",
            json!({ "slug": "2030-01-rome-walk", "input": { "title": "Walk meeting, again",
            "city": "Rome", "country": "it", "summary": "Again.", "processes": ["khartoum-process"],
            "notes": [walk_note(20)], "sources": [walk_source(21)] } }),
        ),
        (
            "addParticipation",
            json!({ "meeting": "2030-01-rome-walk", "actor": "de", "role": "CO_HOST",
            "person": "A. Co-host", "people": ["walk-person-2"], "note": "n", "sources": [walk_source(22)] }),
        ),
        ("removeParticipation", json!({ "meeting": "2030-01-rome-walk", "actor": "it", "role": "HOST" })),
        (
            "linkMeetings",
            json!({ "meeting": "2030-02-rome-walk-other", "kind": "BUILDS_ON", "other": "2030-01-rome-walk" }),
        ),
        (
            "unlinkMeetings",
            json!({ "meeting": "2030-02-rome-walk-other", "kind": "BUILDS_ON", "other": "2030-01-rome-walk" }),
        ),
        ("deleteMembership", json!({ "slug": "walk-membership" })),
        ("deleteChairmanship", json!({ "slug": "walk-chair" })),
        ("deleteMeeting", json!({ "slug": "2030-02-rome-walk-other" })),
        ("deleteOrganization", json!({ "slug": "walk-org" })),
        ("deletePerson", json!({ "slug": "walk-person" })),
        ("deleteSource", json!({ "slug": "walk-source-2" })),
        ("deleteState", json!({ "slug": "zz" })),
    ]
}

/// The records the walk's calls act on, written first; returns the slug of the chair term that
/// was current, now given an end so that a new term may follow it.
async fn walk_setup(app: &TestApp) -> String {
    let terms = app.data(r#"{ process(slug: "khartoum-process") { chairmanships { slug end } } }"#, json!({})).await;
    let current = terms["process"]["chairmanships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["end"].is_null())
        .expect("a current chair term")["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let meeting = |slug: &str, n: u32| {
        json!({ "input": { "slug": slug, "title": "Walk meeting", "kind": "THEMATIC_MEETING", "startDate": "2030-01-02",
            "city": "Rome", "country": "it", "processes": ["khartoum-process"],
            "participations": [{ "actor": "it", "role": "HOST" }], "sources": [walk_source(100 + n)] } })
    };
    for (name, args) in [
        ("updateChairmanship", json!({ "slug": current, "input": { "end": "2030-12" } })),
        (
            "createState",
            json!({ "input": { "slug": "zz", "iso3": "ZZZ", "name": "Walkland", "continent": "AFRICA", "sources": [walk_source(101)] } }),
        ),
        (
            "createOrganization",
            json!({ "input": { "slug": "walk-org", "name": "Walk Organisation", "sources": [walk_source(102)] } }),
        ),
        (
            "createPerson",
            json!({ "input": { "slug": "walk-person", "name": "Walk Person", "sources": [walk_source(110)] } }),
        ),
        (
            "createSource",
            json!({ "input": { "slug": "walk-source", "title": "Walk source", "url": "https://example.org/walk" } }),
        ),
        (
            "createMembership",
            json!({ "input": { "slug": "walk-membership", "actor": "zz", "process": "khartoum-process",
            "role": "MEMBER", "since": "2030", "sources": [walk_source(103)] } }),
        ),
        ("createMeeting", meeting("2030-01-rome-walk", 4)),
        ("createMeeting", meeting("2030-02-rome-walk-other", 5)),
    ] {
        app.write_data(&mutation_text(name, &args), args).await;
    }
    current
}

/// `mutation($a: T, …) { name(a: $a, …) { __typename } }` for the arguments given, typed as the
/// schema types them.
fn mutation_text(name: &str, args: &Value) -> String {
    let sdl = khartoum_graphql::graphql::sdl();
    let doc = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let field = doc
        .definitions
        .iter()
        .find_map(|d| match d {
            TypeSystemDefinition::Type(t) if t.node.name.node == "Mutation" => match &t.node.kind {
                TypeKind::Object(o) => o.fields.iter().find(|f| f.node.name.node == name).cloned(),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or_else(|| panic!("no mutation {name}"));
    let given: Vec<_> = field.node.arguments.iter().filter(|a| args.get(a.node.name.node.as_str()).is_some()).collect();
    let declared: Vec<String> = given.iter().map(|a| format!("${}: {}", a.node.name.node, a.node.ty.node)).collect();
    let passed: Vec<String> = given.iter().map(|a| format!("{0}: ${0}", a.node.name.node)).collect();
    format!("mutation({}) {{ {name}({}) {{ __typename }} }}", declared.join(", "), passed.join(", "))
}

/// Every string the schema lets a mutation take, at the top level or inside its input objects
/// (their lists reached through their first item), with a valid token: a control character in
/// any of them is refused with `BAD_USER_INPUT`, and nothing is written. The same calls without
/// it then succeed, so the refusals were the control character's doing.
#[tokio::test]
async fn every_string_a_mutation_takes_refuses_control_characters() {
    use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
    let app = spawn_app();
    let current_chair = walk_setup(&app).await;
    let calls = walk_calls(&current_chair);

    let sdl = khartoum_graphql::graphql::sdl();
    let doc = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    let mut inputs = std::collections::HashMap::new();
    let mut mutations = Vec::new();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(ty) = def else { continue };
        match &ty.node.kind {
            TypeKind::InputObject(o) => {
                let fields: Vec<(String, Type)> =
                    o.fields.iter().map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone())).collect();
                inputs.insert(ty.node.name.node.to_string(), fields);
            }
            TypeKind::Object(o) if ty.node.name.node == "Mutation" => {
                for f in &o.fields {
                    let args: Vec<(String, Type)> = f
                        .node
                        .arguments
                        .iter()
                        .map(|a| (a.node.name.node.to_string(), a.node.ty.node.clone()))
                        .collect();
                    mutations.push((f.node.name.node.to_string(), args));
                }
            }
            _ => {}
        }
    }
    // The named type under any list, and whether there was a list.
    fn named(t: &Type) -> (String, bool) {
        match &t.base {
            BaseType::Named(n) => (n.to_string(), false),
            BaseType::List(inner) => (named(inner).0, true),
        }
    }
    // Every path to a string inside a value of type `t`, given the value the call has there
    // (input objects are followed where the call gives them).
    fn places(
        t: &Type,
        value: Option<&Value>,
        inputs: &std::collections::HashMap<String, Vec<(String, Type)>>,
        path: Vec<String>,
        out: &mut Vec<(Vec<String>, bool)>,
    ) {
        let (name, list) = named(t);
        match name.as_str() {
            "String" | "ID" => out.push((path, list)),
            _ => {
                let Some(fields) = inputs.get(&name) else { return };
                let Some(value) = value else { return };
                let (value, path) = if list {
                    let mut p = path;
                    p.push("0".into());
                    (value.get(0), p)
                } else {
                    (Some(value), path)
                };
                let Some(value) = value else { return };
                for (field, ty) in fields {
                    let mut p = path.clone();
                    p.push(field.clone());
                    places(ty, value.get(field), inputs, p, out);
                }
            }
        }
    }
    let version = || async { app.data("{ dataset { version } }", json!({})).await["dataset"]["version"].clone() };
    let before = version().await;
    let mut checked = 0;
    for (name, args) in &mutations {
        let (_, call) = calls.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no call for mutation {name}"));
        let mut found = Vec::new();
        for (arg, ty) in args {
            places(ty, call.get(arg), &inputs, vec![arg.clone()], &mut found);
        }
        for (path, list) in found {
            // Only the control character: free text in a write has no length limit but the body's.
            for (what, bad) in [("a control character", "ab\u{7}c".to_owned())] {
                let mut hostile = call.clone();
                let mut at = &mut hostile;
                for step in &path[..path.len() - 1] {
                    at = match step.parse::<usize>() {
                        Ok(i) => &mut at[i],
                        Err(_) => &mut at[step.as_str()],
                    };
                }
                at[path.last().unwrap().as_str()] = if list { json!([bad]) } else { json!(bad) };
                let (code, message) = app.write_error(&mutation_text(name, &hostile), hostile).await;
                assert_eq!(code, "BAD_USER_INPUT", "{name}({}) with {what}: {message:.300}", path.join("."));
                checked += 1;
            }
        }
    }
    assert_eq!(version().await, before, "a refused write changed the dataset");
    println!("{checked} hostile strings refused across {} mutations", mutations.len());
    assert!(checked >= 80, "only {checked} strings were found; the schema walk is broken");
    for (name, args) in calls {
        app.write_data(&mutation_text(name, &args), args).await;
    }
}

#[tokio::test]
async fn directives_on_the_operation_its_variables_and_fragment_definitions_count_against_the_limit() {
    let app = spawn_app();
    let many = " @a".repeat(5_000);
    for query in [
        format!("query Q{many} {{ __typename }}"),
        format!("query Q($v: Int{many}) {{ __typename }}"),
        format!("{{ __typename }} fragment F on Meeting{many} {{ slug }}"),
    ] {
        let reply = app.post_json(&serde_json::json!({ "query": query })).await;
        let body = reply.json();
        let errors = body["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), 1, "one error, not one per directive: {} errors", errors.len());
        assert_eq!(errors[0]["extensions"]["code"], "TOO_MANY_DIRECTIVES", "{}", errors[0]);
    }
}
