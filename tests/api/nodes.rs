//! Records by global id (`node`, `nodes`), every field of every contract type with a value checked
//! against the seed files, and every relation followed in both directions.
//!
//! The GraphQL documents are constants of this file: `every_contract_field_is_selected_by_a_query_of_this_file`
//! reads them back with `include_str!` and checks that together they select every field the
//! contract lists.

use crate::helpers::*;
use serde_json::json;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

// ----- the seed, read independently of the API -----

/// The record of a seed file whose `key` is `value`.
fn seed_record(file: &str, key: &str, value: &str) -> Value {
    seed_file(file).into_iter().find(|r| r[key] == json!(value)).unwrap_or_else(|| panic!("no {key} {value} in {file}"))
}

fn is_state(slug: &str) -> bool {
    seed_file("states.json").iter().any(|s| text(s, "slug") == Some(slug))
}

fn typename_of(actor: &str) -> &'static str {
    if is_state(actor) {
        "State"
    } else {
        "Organization"
    }
}

/// Seed meetings, chronological: by the first day of the start date, ties by slug.
fn seed_meetings() -> Vec<Value> {
    let mut v = seed_file("meetings.json");
    v.sort_by_key(|m| (first_day(must(m, "startDate")), must(m, "slug").to_owned()));
    v
}

/// Slugs of the seed meetings that satisfy `keep`, chronological.
fn meetings_where(keep: impl Fn(&Value) -> bool) -> Vec<String> {
    seed_meetings().iter().filter(|m| keep(m)).map(|m| must(m, "slug").to_owned()).collect()
}

fn reversed(mut v: Vec<String>) -> Vec<String> {
    v.reverse();
    v
}

/// Whether a seed meeting names this actor in any participation.
fn takes_part(m: &Value, actor: &str) -> bool {
    m["participations"].as_array().unwrap().iter().any(|p| p["actor"] == json!(actor))
}

/// Whether a chair term may have run on some day of [from, to]: begun by `to`, not ended before `from`.
fn term_meets(term: &Value, from: &str, to: &str) -> bool {
    first_day(must(term, "start")).as_str() <= to && text(term, "end").is_none_or(|e| last_day(e).as_str() >= from)
}

/// A seed chairmanship's meetings: the meetings of its process that may have started during the
/// term (a meeting dated to the month or year belongs to every term its start may fall in).
fn term_meetings(term: &Value) -> Vec<String> {
    let process = must(term, "process");
    meetings_where(|m| {
        let start = must(m, "startDate");
        strings(m, "processes").iter().any(|p| p == process) && term_meets(term, &first_day(start), &last_day(start))
    })
}

/// The seed chairmanships of a process, chronological: by start, then by end, then slug.
pub fn seed_terms(process: &str) -> Vec<Value> {
    let mut v: Vec<Value> =
        seed_file("chairmanships.json").into_iter().filter(|t| t["process"] == json!(process)).collect();
    v.sort_by_key(|t| {
        (
            first_day(must(t, "start")),
            text(t, "end").map_or_else(|| "9999-12-31".to_owned(), last_day),
            must(t, "slug").to_owned(),
        )
    });
    v
}

/// The partners of an actor worked out from the seed: for every other actor that hosted,
/// co-hosted, chaired or co-chaired a meeting with it, the meetings, chronological.
fn seed_partners(actor: &str) -> BTreeMap<String, Vec<String>> {
    let organising = ["HOST", "CO_HOST", "CHAIR", "CO_CHAIR"];
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in seed_meetings() {
        let organisers: BTreeSet<&str> = m["participations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| organising.contains(&must(p, "role")))
            .map(|p| must(p, "actor"))
            .collect();
        if organisers.contains(actor) {
            for other in organisers.iter().filter(|o| **o != actor) {
                out.entry((*other).to_owned()).or_default().push(must(&m, "slug").to_owned());
            }
        }
    }
    out
}

/// Checks a list of `Source` objects against the sources a seed record cites, in order.
fn assert_sources(got: &Value, cited: &[String], what: &str) {
    let got = got.as_array().unwrap_or_else(|| panic!("{what}: sources is not a list"));
    assert!(!cited.is_empty(), "{what} cites a source in the seed");
    assert_eq!(got.len(), cited.len(), "{what}: number of sources");
    for (g, slug) in got.iter().zip(cited) {
        let s = seed_record("sources.json", "slug", slug);
        let expected = json!({
            "title": s["title"],
            "url": or_null(&s, "url"),
            "publisher": or_null(&s, "publisher"),
            "published": or_null(&s, "published"),
            "reference": or_null(&s, "reference"),
        });
        assert_eq!(g, &expected, "{what}: source {slug}");
    }
}

/// Sorted (process, role, since, until) of memberships, from seed records or API objects.
fn membership_rows<'a>(items: impl Iterator<Item = &'a Value>, from_api: bool) -> Vec<(String, String, Value, Value)> {
    let mut v: Vec<(String, String, Value, Value)> = items
        .map(|m| {
            let process = if from_api { m["process"]["slug"].as_str().unwrap() } else { must(m, "process") };
            (process.to_owned(), must(m, "role").to_owned(), or_null(m, "since"), or_null(m, "until"))
        })
        .collect();
    v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    v
}

// ----- the queries -----

const SOURCES_OF_PROCESSES_AND_DOCUMENTS: &str = r#"{
  processes { slug sources { title url publisher published reference } }
  documents { slug sources { title url publisher published reference } }
}"#;

const ALL_IDS: &str = r#"{
  states(first: 100) { totalCount nodes { __typename id slug } }
  organizations { __typename id slug }
  processes { __typename id slug }
  chairmanships { __typename id slug }
  meetings(first: 100) { totalCount nodes { __typename id slug } }
  documents { __typename id slug }
  commitments(first: 100) { totalCount nodes { __typename id slug: code } }
  sources { __typename id slug }
  membershipsByProcess: processes { memberships { __typename id slug } }
}"#;

const NODE: &str = r#"query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on State { slug }
    ... on Organization { slug }
    ... on Process { slug }
    ... on Chairmanship { slug }
    ... on Meeting { slug }
    ... on Document { slug }
    ... on Commitment { slug: code }
    ... on Membership { slug }
    ... on Source { slug }
  }
}"#;

const NODES: &str = r#"query($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on State { slug }
    ... on Organization { slug }
    ... on Process { slug }
    ... on Chairmanship { slug }
    ... on Meeting { slug }
    ... on Document { slug }
    ... on Commitment { slug: code }
    ... on Membership { slug }
    ... on Source { slug }
  }
}"#;

const STATE: &str = r#"query($code: String!) {
  state(code: $code) {
    id slug name iso2 iso3 continent
    memberships { process { slug } actor { __typename slug } role since until }
    chairmanships { slug chair { slug } }
    meetings(first: 100) { totalCount nodes { slug } }
    partners { actor { __typename slug } count meetings { slug } }
    sources { title url publisher published reference }
  }
}"#;

const ORGANIZATION: &str = r#"query($slug: String!) {
  organization(slug: $slug) {
    id slug name acronym
    memberships { process { slug } actor { __typename slug } role since until }
    meetings(first: 100) { totalCount nodes { slug } }
    partners { actor { __typename slug } count meetings { slug } }
    sources { title url publisher published reference }
  }
}"#;

const ORGANIZATIONS: &str = r#"{ organizations { slug name acronym } }"#;

const PROCESS_MEMBERSHIPS: &str = r#"query($slug: String!, $roles: [MembershipRole!], $asOf: Date) {
  process(slug: $slug) {
    memberships(roles: $roles, asOf: $asOf) {
      process { slug }
      actor { __typename slug name }
      role since until
      sources { title url publisher published reference }
    }
  }
}"#;

const PROCESS: &str = r#"query($slug: String!) {
  process(slug: $slug) {
    id slug name alias established
    memberships { actor { slug } role }
    chairmanships { slug process { slug } }
    currentChair { slug isCurrent }
    meetings(first: 100) { totalCount nodes { slug } }
    documents { slug }
    sources { title url publisher published reference }
  }
}"#;

const PROCESSES: &str = r#"{ processes { slug name } }"#;

const CHAIRMANSHIPS: &str = r#"query($process: String) {
  chairmanships(process: $process) {
    id slug
    process { slug }
    chair { __typename slug }
    start end isCurrent chairperson
    previous { slug next { slug } }
    next { slug previous { slug } }
    meetings { slug }
    sources { title url publisher published reference }
  }
}"#;

const MEETING: &str = r#"query($slug: String!) {
  meeting(slug: $slug) {
    id slug title kind startDate endDate online city
    country { __typename slug }
    processes { slug }
    participations { actor { __typename slug } role meeting { slug } }
    hosts { __typename slug }
    coHosts { __typename slug }
    chairs { __typename slug }
    coChairs { __typename slug }
    chairmanships { slug }
    attendance summary
    domains { number title document { slug kind } }
    related { kind meeting { slug } }
    sources { title url publisher published reference }
  }
}"#;

const MEETING_PARTICIPATIONS_BY_ROLE: &str = r#"query($slug: String!, $roles: [MeetingRole!]) {
  meeting(slug: $slug) { participations(roles: $roles) { actor { slug } role } }
}"#;

const DOCUMENTS: &str = r#"{
  documents {
    id slug title kind adopted
    adoptedAt { slug }
    processes { slug }
    domains { number title }
    commitments { code }
    sources { title url publisher published reference }
  }
}"#;

const DOCUMENT: &str = r#"query($slug: String!) { document(slug: $slug) { slug title } }"#;

const DOMAINS: &str = r#"query($slug: String!) {
  document(slug: $slug) {
    domains {
      document { slug }
      number title
      commitments { code domain { number } }
      meetings(first: 100) { totalCount nodes { slug } }
    }
  }
}"#;

const DOMAIN_MEETINGS_PAGE: &str = r#"query($slug: String!, $first: Int, $after: String) {
  document(slug: $slug) {
    domains { number meetings(first: $first, after: $after) { totalCount nodes { slug } pageInfo { hasNextPage endCursor } } }
  }
}"#;

const COMMITMENTS: &str = r#"{
  commitments(first: 100) {
    totalCount
    nodes { id code kind document { slug } domain { number document { slug } } number title text }
  }
}"#;

const COMMITMENT: &str = r#"query($code: String!) {
  commitment(code: $code) { code kind number domain { number title } document { slug } }
}"#;

const DATASET: &str = r#"{ dataset { version lastChange states organizations meetings chairmanships commitments } }"#;

const STATE_BY_CODE: &str = r#"query($code: String!) { state(code: $code) { slug iso2 iso3 } }"#;

const ACTOR: &str = r#"query($slug: String!) {
  actor(slug: $slug) {
    __typename id slug name
    ... on State { iso3 }
    ... on Organization { acronym }
    meetings(first: 100) { totalCount nodes { slug } }
    partners { actor { slug } count }
    sources { title }
  }
}"#;

const ACTOR_MEETINGS_BY_ROLE: &str = r#"query($slug: String!) {
  actor(slug: $slug) {
    all: meetings(first: 100) { totalCount nodes { slug } }
    host: meetings(roles: [HOST], first: 100) { nodes { slug } }
    coHost: meetings(roles: [CO_HOST], first: 100) { nodes { slug } }
    chair: meetings(roles: [CHAIR], first: 100) { nodes { slug } }
    coChair: meetings(roles: [CO_CHAIR], first: 100) { nodes { slug } }
    organiser: meetings(roles: [ORGANISER], first: 100) { nodes { slug } }
  }
}"#;

const ACTOR_MEMBERSHIPS: &str = r#"query($slug: String!) {
  actor(slug: $slug) {
    __typename slug
    ... on State { memberships { process { slug } actor { slug } role since until } }
    ... on Organization { memberships { process { slug } actor { slug } role since until } }
  }
}"#;

const MEETING_LINKS: &str = r#"query($first: Int, $after: String) {
  meetings(first: $first, after: $after, orderBy: START_DATE_ASC) {
    pageInfo { hasNextPage endCursor }
    nodes {
      slug
      participations { actor { slug } role }
      processes { slug }
      related { kind meeting { slug } }
      chairmanships { slug }
      adoptedDocuments { slug }
    }
  }
}"#;

const PROCESS_MEETINGS: &str = r#"query($slug: String!) {
  process(slug: $slug) { meetings(first: 100) { totalCount nodes { slug processes { slug } } } }
}"#;

const STATE_CHAIRMANSHIPS: &str = r#"{
  states(first: 100) { nodes { slug chairmanships { slug chair { slug } } } }
}"#;

const DOCUMENT_ADOPTION: &str = r#"{
  documents { slug adoptedAt { slug adoptedDocuments { slug } } }
}"#;

const COMMITMENT_DOMAINS: &str = r#"{
  commitments(first: 100) { nodes { code document { slug } domain { number document { slug } commitments { code } } } }
  documents { slug domains { number commitments { code domain { number document { slug } } } } }
}"#;

// ----- node and nodes -----

/// Every record that implements `Node`, as (typename, slug or code, id), from the list fields.
async fn every_node(app: &TestApp) -> Vec<(String, String, String)> {
    let data = app.data(ALL_IDS, json!({})).await;
    let lists = [
        &data["states"]["nodes"],
        &data["organizations"],
        &data["processes"],
        &data["chairmanships"],
        &data["meetings"]["nodes"],
        &data["documents"],
        &data["commitments"]["nodes"],
        &data["sources"],
    ];
    let memberships = data["membershipsByProcess"].as_array().unwrap().iter().map(|p| &p["memberships"]);
    for conn in ["states", "meetings", "commitments"] {
        assert_eq!(data[conn]["totalCount"], json!(data[conn]["nodes"].as_array().unwrap().len()), "all {conn} fit");
    }
    lists
        .into_iter()
        .chain(memberships)
        .flat_map(|l| l.as_array().unwrap().iter())
        .map(|r| (must(r, "__typename").to_owned(), must(r, "slug").to_owned(), must(r, "id").to_owned()))
        .collect()
}

#[tokio::test]
async fn every_record_of_every_node_type_comes_back_from_node_by_its_id() {
    let app = spawn_app();
    let all = every_node(&app).await;
    let expected_counts = [
        ("State", seed_file("states.json").len()),
        ("Organization", seed_file("organizations.json").len()),
        ("Process", seed_file("processes.json").len()),
        ("Chairmanship", seed_file("chairmanships.json").len()),
        ("Meeting", seed_file("meetings.json").len()),
        ("Document", seed_file("documents.json").len()),
        ("Commitment", seed_file("commitments.json").len()),
        ("Membership", seed_file("memberships.json").len()),
        ("Source", seed_file("sources.json").len()),
    ];
    for (typename, n) in expected_counts {
        assert_eq!(all.iter().filter(|(t, _, _)| t == typename).count(), n, "{typename} records");
    }
    let ids: HashSet<&str> = all.iter().map(|(_, _, id)| id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "ids are distinct across every type");
    for (typename, slug, id) in &all {
        let node = &app.data(NODE, json!({ "id": id })).await["node"];
        assert_eq!(node, &json!({ "__typename": typename, "id": id, "slug": slug }), "node({id})");
    }
}

#[tokio::test]
async fn ids_are_the_same_on_every_request_and_every_fresh_store() {
    let (a, b) = (spawn_app(), spawn_app());
    let first = every_node(&a).await;
    assert_eq!(every_node(&a).await, first);
    assert_eq!(every_node(&b).await, first);
}

#[tokio::test]
async fn nodes_returns_records_in_the_order_given_with_null_for_ids_that_name_nothing() {
    let app = spawn_app();
    let all = every_node(&app).await;
    let pick = |t: &str| all.iter().find(|(ty, _, _)| ty == t).unwrap().clone();
    let (meeting, state, commitment, chair) =
        (pick("Meeting"), pick("State"), pick("Commitment"), pick("Chairmanship"));
    let ids = json!([meeting.2, state.2, "no-such-id", commitment.2, "", chair.2, meeting.2]);
    let got = app.data(NODES, json!({ "ids": ids })).await["nodes"].clone();
    let expect = |(t, s, id): &(String, String, String)| json!({ "__typename": t, "id": id, "slug": s });
    assert_eq!(
        got,
        json!([expect(&meeting), expect(&state), null, expect(&commitment), null, expect(&chair), expect(&meeting)])
    );
    let every: Vec<&str> = all.iter().take(100).map(|(_, _, id)| id.as_str()).collect();
    let got = app.data(NODES, json!({ "ids": every })).await["nodes"].clone();
    let got: Vec<&str> = got.as_array().unwrap().iter().map(|n| must(n, "id")).collect();
    assert_eq!(got, every, "a hundred ids come back in order");
    assert_eq!(app.data(NODES, json!({ "ids": [] })).await["nodes"], json!([]));
}

#[tokio::test]
async fn a_garbage_id_gives_null_not_an_error() {
    let app = spawn_app();
    let real = every_node(&app).await.remove(0).2;
    let garbage = [
        "garbage".to_owned(),
        String::new(),
        "!!! not base64 !!!".to_owned(),
        "aGVsbG8".to_owned(),
        "TWVldGluZzpuby1zdWNoLW1lZXRpbmc".to_owned(),
        format!("{real}x"),
        real.chars().rev().collect(),
        "€".repeat(50),
    ];
    for id in garbage {
        let resp = app.run(NODE, json!({ "id": id })).await;
        assert!(resp.get("errors").is_none(), "node({id:?}) is not an error: {resp}");
        assert_eq!(resp["data"]["node"], Value::Null, "node({id:?})");
    }
}

#[tokio::test]
async fn more_than_one_hundred_ids_is_page_size_exceeded() {
    let app = spawn_app();
    let ids: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
    let (code, message) = app.error(NODES, json!({ "ids": ids })).await;
    assert_eq!(code, "PAGE_SIZE_EXCEEDED", "{message}");
    let ids: Vec<String> = (0..100).map(|i| format!("id-{i}")).collect();
    let got = app.data(NODES, json!({ "ids": ids })).await["nodes"].clone();
    assert_eq!(got, json!(vec![Value::Null; 100]), "exactly a hundred unknown ids are a hundred nulls");
}

#[tokio::test]
async fn a_delete_and_its_change_event_carry_the_id_the_record_had() {
    let app = spawn_app();
    let q = r#"{ process(slug: "khartoum-process") { memberships { id slug } } }"#;
    let first = app.data(q, json!({})).await["process"]["memberships"][0].clone();
    let (id, slug) = (must(&first, "id"), must(&first, "slug"));
    let changes = "subscription { changes { operation typename id slug } }";
    let mut ws = crate::curation::subscribe(&app, "graphql-transport-ws", changes).await;
    let delete = "mutation DeleteMembership($slug: String!) { deleteMembership(slug: $slug) { id slug } }";
    let deleted = app.write_data(delete, json!({ "slug": slug })).await;
    assert_eq!(deleted["deleteMembership"], json!({ "id": id, "slug": slug }));
    assert_eq!(
        crate::curation::next_changes(&mut ws, "next", 1).await,
        [json!({ "operation": "DELETED", "typename": "Membership", "id": id, "slug": slug })]
    );
    assert_eq!(app.data(NODE, json!({ "id": id })).await["node"], Value::Null, "the id names nothing any more");
}

// ----- every field of every contract type -----

#[tokio::test]
async fn state_exposes_every_contract_field_as_recorded() {
    let app = spawn_app();
    let memberships = seed_file("memberships.json");
    let chairmanships = seed_file("chairmanships.json");
    for s in seed_file("states.json") {
        let slug = must(&s, "slug");
        let got = app.data(STATE, json!({ "code": slug })).await["state"].clone();
        let what = format!("state {slug}");
        assert_eq!(got["slug"], json!(slug));
        assert_eq!(got["name"], s["name"], "{what}");
        assert_eq!(got["iso2"], s["iso2"], "{what}");
        assert_eq!(got["iso3"], s["iso3"], "{what}");
        assert_eq!(got["continent"], s["continent"], "{what}");
        assert_eq!(got["iso2"].as_str().unwrap().to_lowercase(), slug, "{what}: the slug is the lower-case alpha-2");
        let node = &app.data(NODE, json!({ "id": got["id"] })).await["node"];
        assert_eq!((&node["__typename"], &node["slug"]), (&json!("State"), &json!(slug)), "{what}: id");

        let own: Vec<&Value> = memberships.iter().filter(|m| m["actor"] == json!(slug)).collect();
        let listed = got["memberships"].as_array().unwrap();
        assert_eq!(
            membership_rows(listed.iter(), true),
            membership_rows(own.into_iter(), false),
            "{what}: memberships"
        );
        for m in listed {
            assert_eq!(m["actor"], json!({ "__typename": "State", "slug": slug }), "{what}: membership actor");
        }

        let mut terms: Vec<&Value> = chairmanships.iter().filter(|t| t["chair"] == json!(slug)).collect();
        terms.sort_by_key(|t| first_day(must(t, "start")));
        let expected: Vec<&str> = terms.iter().map(|t| must(t, "slug")).collect();
        assert_eq!(slugs(&got["chairmanships"]), expected, "{what}: chairmanships, chronological");
        for t in got["chairmanships"].as_array().unwrap() {
            assert_eq!(t["chair"]["slug"], json!(slug));
        }

        let expected = reversed(meetings_where(|m| takes_part(m, slug)));
        assert_eq!(slugs(&got["meetings"]["nodes"]), expected, "{what}: meetings, newest first");
        assert_eq!(got["meetings"]["totalCount"], json!(expected.len()), "{what}: meetings totalCount");

        assert_partners(&got["partners"], slug, &what);
        assert_sources(&got["sources"], &strings(&s, "sources"), &what);
    }
}

/// Checks an actor's `partners` against the seed: the same partners, the same meetings, and the
/// most shared meetings first.
fn assert_partners(got: &Value, actor: &str, what: &str) {
    let expected = seed_partners(actor);
    let got = got.as_array().unwrap();
    let counts: Vec<i64> = got.iter().map(|p| p["count"].as_i64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{what}: most shared meetings first: {counts:?}");
    let got: BTreeMap<String, Vec<String>> = got
        .iter()
        .map(|p| {
            let other = must(&p["actor"], "slug");
            assert_eq!(p["actor"]["__typename"], json!(typename_of(other)), "{what}: partner {other}");
            assert_eq!(p["count"], json!(p["meetings"].as_array().unwrap().len()), "{what}: count is the meetings");
            (other.to_owned(), slugs(&p["meetings"]))
        })
        .collect();
    assert_eq!(got, expected, "{what}: partners");
}

#[tokio::test]
async fn organization_exposes_every_contract_field_as_recorded() {
    let app = spawn_app();
    let memberships = seed_file("memberships.json");
    let mut with_partners = 0;
    for o in seed_file("organizations.json") {
        let slug = must(&o, "slug");
        let what = format!("organization {slug}");
        let got = app.data(ORGANIZATION, json!({ "slug": slug })).await["organization"].clone();
        assert_eq!(got["slug"], json!(slug));
        assert_eq!(got["name"], o["name"], "{what}");
        assert_eq!(got["acronym"], or_null(&o, "acronym"), "{what}");
        let node = &app.data(NODE, json!({ "id": got["id"] })).await["node"];
        assert_eq!((&node["__typename"], &node["slug"]), (&json!("Organization"), &json!(slug)), "{what}: id");
        let own: Vec<&Value> = memberships.iter().filter(|m| m["actor"] == json!(slug)).collect();
        let listed = got["memberships"].as_array().unwrap();
        assert_eq!(membership_rows(listed.iter(), true), membership_rows(own.into_iter(), false), "{what}");
        for m in listed {
            assert_eq!(m["actor"], json!({ "__typename": "Organization", "slug": slug }), "{what}: membership actor");
        }
        let expected = reversed(meetings_where(|m| takes_part(m, slug)));
        assert_eq!(slugs(&got["meetings"]["nodes"]), expected, "{what}: meetings");
        assert_eq!(got["meetings"]["totalCount"], json!(expected.len()), "{what}");
        assert_partners(&got["partners"], slug, &what);
        with_partners += usize::from(!got["partners"].as_array().unwrap().is_empty());
        assert_sources(&got["sources"], &strings(&o, "sources"), &what);
    }
    assert!(with_partners > 0, "some organisation organised a meeting with another actor");
}

#[tokio::test]
async fn membership_exposes_every_contract_field_and_resolves_its_actor_to_the_right_type() {
    let app = spawn_app();
    let memberships = seed_file("memberships.json");
    for p in seed_file("processes.json") {
        let process = must(&p, "slug");
        let got = app.data(PROCESS_MEMBERSHIPS, json!({ "slug": process })).await["process"]["memberships"].clone();
        let own: Vec<&Value> = memberships.iter().filter(|m| m["process"] == json!(process)).collect();
        assert_eq!(got.as_array().unwrap().len(), own.len(), "{process}: memberships");
        // Match each listed membership to its seed record by (actor, role, since).
        let mut unmatched: Vec<&Value> = own.clone();
        for m in got.as_array().unwrap() {
            let actor = must(&m["actor"], "slug");
            let pos = unmatched
                .iter()
                .position(|r| r["actor"] == json!(actor) && r["role"] == m["role"] && or_null(r, "since") == m["since"])
                .unwrap_or_else(|| panic!("{process}: no seed membership for {m}"));
            let r = unmatched.remove(pos);
            let what = format!("membership {}", must(r, "slug"));
            assert_eq!(m["process"]["slug"], json!(process), "{what}");
            assert_eq!(m["actor"]["__typename"], json!(typename_of(actor)), "{what}: actor type");
            let actor_file = if is_state(actor) { "states.json" } else { "organizations.json" };
            assert_eq!(m["actor"]["name"], seed_record(actor_file, "slug", actor)["name"], "{what}: actor name");
            assert_eq!(m["until"], or_null(r, "until"), "{what}");
            assert_sources(&m["sources"], &strings(r, "sources"), &what);
        }
        assert!(unmatched.is_empty());
    }
    let kp =
        app.data(PROCESS_MEMBERSHIPS, json!({ "slug": "khartoum-process" })).await["process"]["memberships"].clone();
    let types: HashSet<&str> = kp.as_array().unwrap().iter().map(|m| must(&m["actor"], "__typename")).collect();
    assert_eq!(types, HashSet::from(["State", "Organization"]), "both kinds of actor are members");
}

#[tokio::test]
async fn process_memberships_keep_the_roles_asked_for_and_those_in_force_on_a_date() {
    let app = spawn_app();
    let memberships = seed_file("memberships.json");
    let in_force = |m: &Value, day: &str| {
        text(m, "since").is_none_or(|s| first_day(s).as_str() <= day)
            && text(m, "until").is_none_or(|u| last_day(u).as_str() >= day)
    };
    let rows = |got: &Value| {
        let mut v: Vec<(String, String)> = got
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (must(&m["actor"], "slug").to_owned(), must(m, "role").to_owned()))
            .collect();
        v.sort();
        v
    };
    let dates = [
        "2000-01-01",
        "2014-11-27",
        "2014-11-28",
        "2019-06-30",
        "2019-12-31",
        "2020-01-01",
        "2024-04-30",
        "2024-05-01",
    ];
    for process in ["khartoum-process", "rabat-process"] {
        for day in dates {
            for roles in [json!(null), json!(["MEMBER"]), json!(["STEERING_COMMITTEE", "SECRETARIAT"])] {
                let wanted: Vec<String> = serde_json::from_value(roles.clone()).unwrap_or_default();
                let mut expected: Vec<(String, String)> = memberships
                    .iter()
                    .filter(|m| m["process"] == json!(process) && in_force(m, day))
                    .filter(|m| wanted.is_empty() || wanted.iter().any(|r| m["role"] == json!(r)))
                    .map(|m| (must(m, "actor").to_owned(), must(m, "role").to_owned()))
                    .collect();
                expected.sort();
                let vars = json!({ "slug": process, "roles": roles, "asOf": day });
                let got = app.data(PROCESS_MEMBERSHIPS, vars).await["process"]["memberships"].clone();
                assert_eq!(rows(&got), expected, "{process} {roles} on {day}");
            }
        }
    }
    // A membership that ended in April 2024 is in force up to its last possible day only.
    let gb = ("gb".to_owned(), "MEMBER".to_owned());
    for (day, member) in [("2024-04-01", true), ("2024-04-30", true), ("2024-05-01", false)] {
        let vars = json!({ "slug": "khartoum-process", "roles": ["MEMBER"], "asOf": day });
        let got = rows(&app.data(PROCESS_MEMBERSHIPS, vars).await["process"]["memberships"]);
        assert_eq!(got.contains(&gb), member, "gb a member on {day}");
    }
}

#[tokio::test]
async fn process_exposes_every_contract_field_as_recorded() {
    let app = spawn_app();
    let documents = seed_file("documents.json");
    for p in seed_file("processes.json") {
        let slug = must(&p, "slug");
        let what = format!("process {slug}");
        let got = app.data(PROCESS, json!({ "slug": slug })).await["process"].clone();
        assert_eq!(got["slug"], json!(slug));
        assert_eq!(got["name"], p["name"], "{what}");
        assert_eq!(got["alias"], or_null(&p, "alias"), "{what}");
        assert_eq!(got["established"], or_null(&p, "established"), "{what}");
        let node = &app.data(NODE, json!({ "id": got["id"] })).await["node"];
        assert_eq!((&node["__typename"], &node["slug"]), (&json!("Process"), &json!(slug)), "{what}: id");

        let mut expected: Vec<(String, String)> = seed_file("memberships.json")
            .iter()
            .filter(|m| m["process"] == json!(slug))
            .map(|m| (must(m, "actor").to_owned(), must(m, "role").to_owned()))
            .collect();
        expected.sort();
        let mut listed: Vec<(String, String)> = got["memberships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (must(&m["actor"], "slug").to_owned(), must(m, "role").to_owned()))
            .collect();
        listed.sort();
        assert_eq!(listed, expected, "{what}: memberships");

        let terms = seed_terms(slug);
        let expected: Vec<String> = terms.iter().map(|t| must(t, "slug").to_owned()).collect();
        assert_eq!(slugs(&got["chairmanships"]), expected, "{what}: chairmanships, chronological");
        for t in got["chairmanships"].as_array().unwrap() {
            assert_eq!(t["process"]["slug"], json!(slug));
        }
        // A process whose chairs no source names (the AU-Horn of Africa Initiative) has none.
        let current: Vec<&Value> = terms.iter().filter(|t| t.get("end").is_none()).collect();
        assert!(current.len() <= 1, "{what} has at most one running term in the seed");
        let expected = current.first().map(|t| json!({ "slug": must(t, "slug"), "isCurrent": true }));
        assert_eq!(got["currentChair"], expected.unwrap_or(Value::Null), "{what}");

        let meetings = reversed(meetings_where(|m| strings(m, "processes").iter().any(|x| x == slug)));
        assert_eq!(slugs(&got["meetings"]["nodes"]), meetings, "{what}: meetings");
        assert_eq!(got["meetings"]["totalCount"], json!(meetings.len()), "{what}");

        let mut docs: Vec<&Value> =
            documents.iter().filter(|d| strings(d, "processes").iter().any(|x| x == slug)).collect();
        docs.sort_by_key(|d| (first_day(must(d, "adopted")), must(d, "slug").to_owned()));
        let docs: Vec<&str> = docs.iter().map(|d| must(d, "slug")).collect();
        assert_eq!(slugs(&got["documents"]), docs, "{what}: documents by adoption date");
        assert_sources(&got["sources"], &strings(&p, "sources"), &what);
    }
}

#[tokio::test]
async fn chairmanship_exposes_every_contract_field_and_links_to_its_neighbours() {
    let app = spawn_app();
    for process in ["khartoum-process", "rabat-process"] {
        let got = app.data(CHAIRMANSHIPS, json!({ "process": process })).await["chairmanships"].clone();
        let terms = got.as_array().unwrap();
        assert_eq!(terms.len(), seed_terms(process).len(), "{process}: every term");
        for (i, t) in terms.iter().enumerate() {
            let slug = must(t, "slug");
            let what = format!("chairmanship {slug}");
            let r = seed_record("chairmanships.json", "slug", slug);
            assert_eq!(t["process"]["slug"], json!(process), "{what}");
            assert_eq!(t["chair"], json!({ "__typename": "State", "slug": r["chair"] }), "{what}");
            assert_eq!(t["start"], or_null(&r, "start"), "{what}");
            assert_eq!(t["end"], or_null(&r, "end"), "{what}");
            assert_eq!(t["chairperson"], or_null(&r, "chairperson"), "{what}");
            assert_eq!(t["isCurrent"], json!(i == terms.len() - 1), "{what}: only the last term is current");
            assert_eq!(t["isCurrent"], json!(r.get("end").is_none()), "{what}: current while it has no end");
            let node = &app.data(NODE, json!({ "id": t["id"] })).await["node"];
            assert_eq!((&node["__typename"], &node["slug"]), (&json!("Chairmanship"), &json!(slug)), "{what}: id");
            if i == 0 {
                assert_eq!(t["previous"], Value::Null, "{what}: the first term has no previous");
            } else {
                assert_eq!(t["previous"]["slug"], terms[i - 1]["slug"], "{what}: previous");
                assert_eq!(t["previous"]["next"]["slug"], json!(slug), "{what}: previous.next is itself");
            }
            if i == terms.len() - 1 {
                assert_eq!(t["next"], Value::Null, "{what}: the last term has no next");
            } else {
                assert_eq!(t["next"]["slug"], terms[i + 1]["slug"], "{what}: next");
                assert_eq!(t["next"]["previous"]["slug"], json!(slug), "{what}: next.previous is itself");
            }
            assert_eq!(slugs(&t["meetings"]), term_meetings(&r), "{what}: meetings during the term, chronological");
            assert_sources(&t["sources"], &strings(&r, "sources"), &what);
        }
        assert!(terms.iter().any(|t| !t["chairperson"].is_null()) || process == "rabat-process");
    }
    for process in ["khartoum-process", "rabat-process"] {
        let got = app.data(CHAIRMANSHIPS, json!({ "process": process })).await["chairmanships"].clone();
        let expected: Vec<String> = seed_terms(process).iter().map(|t| must(t, "slug").to_owned()).collect();
        assert_eq!(slugs(&got), expected, "{process}: terms, chronological");
        assert!(got.as_array().unwrap().iter().any(|t| !t["meetings"].as_array().unwrap().is_empty()));
    }
}

#[tokio::test]
async fn chairmanships_with_the_same_start_year_follow_each_other_by_end() {
    let app = spawn_app();
    let got = app.data(CHAIRMANSHIPS, json!({ "process": "rabat-process" })).await["chairmanships"].clone();
    let expected: Vec<String> = seed_terms("rabat-process").iter().map(|t| must(t, "slug").to_owned()).collect();
    assert_eq!(slugs(&got), expected, "chronological: Portugal (2016) before Mali (2016 to March 2017)");
    let portugal = got.as_array().unwrap().iter().find(|t| t["slug"] == json!("rabat-process-2016-portugal")).unwrap();
    assert_eq!(portugal["next"]["slug"], json!("rabat-process-2016-mali"));
    assert_eq!(portugal["previous"]["slug"], json!("rabat-process-2015-morocco"));
}

#[tokio::test]
async fn meeting_and_participation_expose_every_contract_field_as_recorded() {
    let app = spawn_app();
    let documents = seed_file("documents.json");
    let all_meetings = seed_meetings();
    for m in &all_meetings {
        let slug = must(m, "slug");
        let what = format!("meeting {slug}");
        let got = app.data(MEETING, json!({ "slug": slug })).await["meeting"].clone();
        assert_eq!(got["slug"], json!(slug));
        for key in ["title", "kind", "startDate", "online", "summary"] {
            assert_eq!(got[key], m[key], "{what}: {key}");
        }
        for key in ["endDate", "city", "attendance"] {
            assert_eq!(got[key], or_null(m, key), "{what}: {key}");
        }
        let node = &app.data(NODE, json!({ "id": got["id"] })).await["node"];
        assert_eq!((&node["__typename"], &node["slug"]), (&json!("Meeting"), &json!(slug)), "{what}: id");
        let country = text(m, "country").map_or(Value::Null, |c| json!({ "__typename": "State", "slug": c }));
        assert_eq!(got["country"], country, "{what}: country");
        let processes: Vec<String> = strings(m, "processes");
        assert_eq!(slugs(&got["processes"]), processes, "{what}: processes");

        // Participations, in the order recorded, and the per-role lists drawn from them.
        let recorded = m["participations"].as_array().unwrap();
        let expected: Vec<Value> = recorded
            .iter()
            .map(|p| {
                json!({
                    "actor": { "__typename": typename_of(must(p, "actor")), "slug": p["actor"] },
                    "role": p["role"],
                    "meeting": { "slug": slug },
                })
            })
            .collect();
        assert_eq!(got["participations"], json!(expected), "{what}: participations");
        for (field, role) in [("hosts", "HOST"), ("coHosts", "CO_HOST"), ("chairs", "CHAIR"), ("coChairs", "CO_CHAIR")]
        {
            let expected: Vec<Value> = recorded
                .iter()
                .filter(|p| p["role"] == json!(role))
                .map(|p| json!({ "__typename": typename_of(must(p, "actor")), "slug": p["actor"] }))
                .collect();
            assert_eq!(got[field], json!(expected), "{what}: {field}");
        }

        // The term of each of its processes in force on a day it may have started.
        let start = must(m, "startDate");
        let mut expected: Vec<String> = seed_file("chairmanships.json")
            .iter()
            .filter(|t| processes.iter().any(|p| t["process"] == json!(p)))
            .filter(|t| term_meets(t, &first_day(start), &last_day(start)))
            .map(|t| must(t, "slug").to_owned())
            .collect();
        expected.sort();
        let mut listed = slugs(&got["chairmanships"]);
        listed.sort();
        assert_eq!(listed, expected, "{what}: chairmanships");

        // Domains: the numbers recorded, as domains of an action plan that has them.
        let numbers: Vec<i64> =
            got["domains"].as_array().unwrap().iter().map(|d| d["number"].as_i64().unwrap()).collect();
        let recorded: Vec<i64> =
            m["domains"].as_array().map_or_else(Vec::new, |a| a.iter().map(|d| d.as_i64().unwrap()).collect());
        assert_eq!(numbers, recorded, "{what}: domains");
        for d in got["domains"].as_array().unwrap() {
            assert_eq!(d["document"]["kind"], json!("ACTION_PLAN"), "{what}: a domain belongs to an action plan");
            let doc = documents.iter().find(|x| x["slug"] == d["document"]["slug"]).unwrap();
            let title = doc["domains"].as_array().unwrap().iter().find(|x| x["number"] == d["number"]).unwrap();
            assert_eq!(d["title"], title["title"], "{what}: domain title");
        }

        let expected = seed_related(&all_meetings, slug);
        let listed: Vec<(String, String)> = got["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (must(r, "kind").to_owned(), must(&r["meeting"], "slug").to_owned()))
            .collect();
        assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), expected, "{what}: related");
        assert_eq!(listed.len(), expected.len(), "{what}: no relation twice");
        let order = meetings_where(|_| true);
        let ranks: Vec<usize> = listed.iter().map(|(_, s)| order.iter().position(|o| o == s).unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{what}: related, chronological");

        assert_sources(&got["sources"], &strings(m, "sources"), &what);
    }
}

/// The relations of a seed meeting as the API lists them: what it records and, inverted, what
/// records it, as (kind, other meeting).
pub fn seed_related(all_meetings: &[Value], slug: &str) -> BTreeSet<(String, String)> {
    let m = all_meetings.iter().find(|m| m["slug"] == json!(slug)).unwrap_or_else(|| panic!("no meeting {slug}"));
    let mut expected: BTreeSet<(String, String)> = m["related"]
        .as_array()
        .map_or_else(Vec::new, Clone::clone)
        .iter()
        .map(|r| (must(r, "kind").to_owned(), must(r, "meeting").to_owned()))
        .collect();
    for other in all_meetings {
        for r in other["related"].as_array().map_or_else(Vec::new, Clone::clone) {
            if r["meeting"] == json!(slug) {
                expected.insert((inverse(must(&r, "kind")).to_owned(), must(other, "slug").to_owned()));
            }
        }
    }
    expected
}

/// The kind of a meeting relation as seen from the other meeting.
fn inverse(kind: &str) -> &'static str {
    match kind {
        "BUILDS_ON" => "BUILT_UPON_BY",
        "BUILT_UPON_BY" => "BUILDS_ON",
        "FOLLOWED_BY" => "PRECEDED_BY",
        "PRECEDED_BY" => "FOLLOWED_BY",
        "PART_OF_SERIES" => "PART_OF_SERIES",
        other => panic!("unknown relation kind {other}"),
    }
}

#[tokio::test]
async fn meeting_participations_keep_only_the_roles_asked_for() {
    let app = spawn_app();
    let slug = "2016-10-addis-ababa-return-readmission-reintegration";
    let m = seed_record("meetings.json", "slug", slug);
    for roles in [json!(["HOST"]), json!(["CO_CHAIR"]), json!(["HOST", "CO_CHAIR"]), json!(["ORGANISER"]), json!(null)]
    {
        let wanted: Vec<String> = serde_json::from_value(roles.clone()).unwrap_or_default();
        let expected: Vec<Value> = m["participations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| wanted.is_empty() || wanted.iter().any(|r| p["role"] == json!(r)))
            .map(|p| json!({ "actor": { "slug": p["actor"] }, "role": p["role"] }))
            .collect();
        let got = app.data(MEETING_PARTICIPATIONS_BY_ROLE, json!({ "slug": slug, "roles": roles })).await;
        assert_eq!(got["meeting"]["participations"], json!(expected), "{roles}");
    }
}

#[tokio::test]
async fn meeting_relation_gives_the_kind_and_the_other_meeting() {
    let app = spawn_app();
    let got = app.data(MEETING, json!({ "slug": "2023-10-berlin-climate-mobility" })).await;
    let related: BTreeSet<(String, String)> = got["meeting"]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (must(r, "kind").to_owned(), must(&r["meeting"], "slug").to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("BUILDS_ON", "2022-10-addis-ababa-climate-change-migration"),
        ("BUILDS_ON", "2023-05-kampala-climate-mobility-data-workshop"),
    ]
    .iter()
    .map(|(k, s)| ((*k).to_owned(), (*s).to_owned()))
    .collect();
    assert!(expected.is_subset(&related), "{related:?}");
    let got = app.data(MEETING, json!({ "slug": "2022-10-addis-ababa-climate-change-migration" })).await;
    let back: Vec<&Value> = got["meeting"]["related"].as_array().unwrap().iter().collect();
    assert!(back.iter().any(
        |r| r["kind"] == json!("BUILT_UPON_BY") && r["meeting"]["slug"] == json!("2023-10-berlin-climate-mobility")
    ));
}

#[tokio::test]
async fn document_exposes_every_contract_field_as_recorded() {
    let app = spawn_app();
    let got = app.data(DOCUMENTS, json!({})).await["documents"].clone();
    let mut docs = seed_file("documents.json");
    docs.sort_by_key(|d| (first_day(must(d, "adopted")), must(d, "slug").to_owned()));
    let expected: Vec<&str> = docs.iter().map(|d| must(d, "slug")).collect();
    assert_eq!(slugs(&got), expected, "every document, by adoption date");
    for (g, d) in got.as_array().unwrap().iter().zip(&docs) {
        let slug = must(d, "slug");
        let what = format!("document {slug}");
        assert_eq!(g["title"], d["title"], "{what}");
        assert_eq!(g["kind"], d["kind"], "{what}");
        assert_eq!(g["adopted"], or_null(d, "adopted"), "{what}");
        let adopted_at = text(d, "adoptedAt").map_or(Value::Null, |m| json!({ "slug": m }));
        assert_eq!(g["adoptedAt"], adopted_at, "{what}: adoptedAt");
        assert_eq!(slugs(&g["processes"]), strings(d, "processes"), "{what}: processes");
        let domains: Vec<Value> = d["domains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| json!({ "number": x["number"], "title": x["title"] }))
            .collect();
        assert_eq!(g["domains"], json!(domains), "{what}: domains");
        let commitments: Vec<String> =
            crate_order_commitments().into_iter().filter(|(doc, _)| doc == slug).map(|(_, c)| c).collect();
        let listed: Vec<&str> = g["commitments"].as_array().unwrap().iter().map(|c| must(c, "code")).collect();
        assert_eq!(listed, commitments, "{what}: commitments, approaches first");
        let node = &app.data(NODE, json!({ "id": g["id"] })).await["node"];
        assert_eq!((&node["__typename"], &node["slug"]), (&json!("Document"), &json!(slug)), "{what}: id");
        assert_sources(&g["sources"], &strings(d, "sources"), &what);
        let one = app.data(DOCUMENT, json!({ "slug": slug })).await["document"].clone();
        assert_eq!(one, json!({ "slug": slug, "title": d["title"] }), "document(slug: {slug})");
    }
    assert_eq!(app.data(DOCUMENT, json!({ "slug": "no-such-document" })).await["document"], Value::Null);
}

/// Every seed commitment as (document, code), approaches first, then by domain and number.
fn crate_order_commitments() -> Vec<(String, String)> {
    let mut v: Vec<(String, bool, i64, i64, String)> = seed_file("commitments.json")
        .iter()
        .map(|c| {
            (
                must(c, "document").to_owned(),
                c["kind"] != json!("CROSS_CUTTING_APPROACH"),
                c["domain"].as_i64().unwrap_or(0),
                c["number"].as_i64().unwrap_or(0),
                must(c, "code").to_owned(),
            )
        })
        .collect();
    v.sort();
    v.into_iter().map(|(d, _, _, _, c)| (d, c)).collect()
}

#[tokio::test]
async fn domain_exposes_every_contract_field_and_counts_the_meetings_classified_under_it() {
    let app = spawn_app();
    let commitments = seed_file("commitments.json");
    let mut checked = 0;
    for d in seed_file("documents.json").iter().filter(|d| !d["domains"].as_array().unwrap().is_empty()) {
        let slug = must(d, "slug");
        let got = app.data(DOMAINS, json!({ "slug": slug })).await["document"]["domains"].clone();
        assert_eq!(got.as_array().unwrap().len(), d["domains"].as_array().unwrap().len(), "{slug}: domains");
        for (g, r) in got.as_array().unwrap().iter().zip(d["domains"].as_array().unwrap()) {
            let n = r["number"].as_i64().unwrap();
            let what = format!("{slug} domain {n}");
            assert_eq!(g["document"]["slug"], json!(slug), "{what}");
            assert_eq!(g["number"], r["number"], "{what}");
            assert_eq!(g["title"], r["title"], "{what}");
            let mut own: Vec<(i64, String)> = commitments
                .iter()
                .filter(|c| c["document"] == json!(slug) && c["domain"] == json!(n))
                .map(|c| (c["number"].as_i64().unwrap(), must(c, "code").to_owned()))
                .collect();
            own.sort();
            let codes: Vec<&str> = g["commitments"].as_array().unwrap().iter().map(|c| must(c, "code")).collect();
            assert_eq!(codes, own.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>(), "{what}: commitments by number");
            for c in g["commitments"].as_array().unwrap() {
                assert_eq!(c["domain"]["number"], json!(n), "{what}");
            }
            let classified = meetings_where(|m| m["domains"].as_array().is_some_and(|a| a.contains(&json!(n))));
            assert!(!classified.is_empty(), "{what}: meetings are classified under it");
            assert_eq!(g["meetings"]["totalCount"], json!(classified.len()), "{what}: meetings totalCount");
            assert_eq!(slugs(&g["meetings"]["nodes"]), reversed(classified), "{what}: meetings, newest first");
            checked += 1;
        }
    }
    assert_eq!(checked, 10, "two action plans of five domains each");
}

#[tokio::test]
async fn domain_meetings_page_forward_with_first_and_after() {
    let app = spawn_app();
    let all = app.data(DOMAINS, json!({ "slug": "cairo-action-plan" })).await["document"]["domains"].clone();
    for (i, domain) in all.as_array().unwrap().iter().enumerate() {
        let expected = slugs(&domain["meetings"]["nodes"]);
        let mut walked = Vec::new();
        let mut after = Value::Null;
        loop {
            let vars = json!({ "slug": "cairo-action-plan", "first": 4, "after": after });
            let page = app.data(DOMAIN_MEETINGS_PAGE, vars).await["document"]["domains"][i]["meetings"].clone();
            assert_eq!(page["totalCount"], json!(expected.len()));
            walked.extend(slugs(&page["nodes"]));
            if page["pageInfo"]["hasNextPage"] == json!(false) {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(walked, expected, "domain {}", domain["number"]);
    }
}

#[tokio::test]
async fn commitment_exposes_every_contract_field_as_recorded() {
    let app = spawn_app();
    let got = app.data(COMMITMENTS, json!({})).await["commitments"].clone();
    let seeded = seed_file("commitments.json");
    assert_eq!(got["totalCount"], json!(seeded.len()));
    let order: Vec<String> = crate_order_commitments().into_iter().map(|(_, c)| c).collect();
    let codes: Vec<&str> = got["nodes"].as_array().unwrap().iter().map(|c| must(c, "code")).collect();
    assert_eq!(codes, order, "commitments in order");
    for g in got["nodes"].as_array().unwrap() {
        let code = must(g, "code");
        let what = format!("commitment {code}");
        let r = seed_record("commitments.json", "code", code);
        assert_eq!(g["kind"], r["kind"], "{what}");
        assert_eq!(g["document"]["slug"], r["document"], "{what}");
        assert_eq!(g["number"], or_null(&r, "number"), "{what}");
        assert_eq!(g["title"], or_null(&r, "title"), "{what}");
        assert_eq!(g["text"], r["text"], "{what}");
        let domain =
            r.get("domain").map_or(Value::Null, |n| json!({ "number": n, "document": { "slug": r["document"] } }));
        assert_eq!(g["domain"], domain, "{what}: domain");
        let node = &app.data(NODE, json!({ "id": g["id"] })).await["node"];
        assert_eq!((&node["__typename"], &node["slug"]), (&json!("Commitment"), &json!(code)), "{what}: id");
        let one = app.data(COMMITMENT, json!({ "code": code })).await["commitment"].clone();
        assert_eq!(one["code"], json!(code));
        assert_eq!((&one["kind"], &one["number"]), (&g["kind"], &g["number"]), "commitment(code: {code})");
    }
    let c42 = app.data(COMMITMENT, json!({ "code": "cap-4.2" })).await["commitment"].clone();
    assert_eq!((&c42["domain"]["number"], &c42["number"], &c42["kind"]), (&json!(4), &json!(2), &json!("COMMITMENT")));
    let approach = app.data(COMMITMENT, json!({ "code": "cap-approach-3" })).await["commitment"].clone();
    assert_eq!((&approach["domain"], &approach["number"]), (&Value::Null, &json!(3)));
    assert_eq!(app.data(COMMITMENT, json!({ "code": "cap-9.9" })).await["commitment"], Value::Null);
}

#[tokio::test]
async fn source_gives_title_url_publisher_published_and_reference_as_recorded() {
    let app = spawn_app();
    let got = app.data(SOURCES_OF_PROCESSES_AND_DOCUMENTS, json!({})).await;
    for (list, file) in [("processes", "processes.json"), ("documents", "documents.json")] {
        for r in got[list].as_array().unwrap() {
            let slug = must(r, "slug");
            assert_sources(&r["sources"], &strings(&seed_record(file, "slug", slug), "sources"), slug);
        }
    }
    // Both shapes occur: a source document with a file reference and a web page with an address.
    let all: Vec<Value> = seed_file("sources.json");
    assert!(all.iter().any(|s| s.get("url").is_none() && s.get("reference").is_some()));
    assert!(all.iter().any(|s| s.get("url").is_some() && s.get("published").is_some()));
}

#[tokio::test]
async fn dataset_counts_every_record_and_has_a_version_that_follows_the_data() {
    let app = spawn_app();
    let got = app.data(DATASET, json!({})).await["dataset"].clone();
    for (field, file) in [
        ("states", "states.json"),
        ("organizations", "organizations.json"),
        ("meetings", "meetings.json"),
        ("chairmanships", "chairmanships.json"),
        ("commitments", "commitments.json"),
    ] {
        assert_eq!(got[field], json!(seed_file(file).len()), "dataset.{field}");
    }
    let version = must(&got, "version").to_owned();
    assert!(!version.trim().is_empty());
    let last_change = must(&got, "lastChange");
    assert!(chrono::DateTime::parse_from_rfc3339(last_change).is_ok(), "lastChange is RFC 3339: {last_change}");

    // The same data gives the same version; other data another one.
    let again = spawn_app();
    assert_eq!(again.data(DATASET, json!({})).await["dataset"]["version"], json!(version));
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    let mut meetings = seed_file("meetings.json");
    meetings[0]["title"] = json!(format!("{} (changed)", must(&meetings[0], "title")));
    std::fs::write(dir.path().join("meetings.json"), serde_json::to_string_pretty(&meetings).unwrap()).unwrap();
    let changed = spawn_app_with_seed(dir.path());
    let other = changed.data(DATASET, json!({})).await["dataset"].clone();
    assert_ne!(other["version"], json!(version), "a changed seed has another version");
    assert_eq!(other["meetings"], got["meetings"]);
}

// ----- the Query fields -----

#[tokio::test]
async fn state_accepts_the_slug_or_either_iso_code_in_any_case() {
    let app = spawn_app();
    for s in seed_file("states.json") {
        let (slug, iso2, iso3) = (must(&s, "slug"), must(&s, "iso2"), must(&s, "iso3"));
        let mixed = |c: &str| {
            c.chars()
                .enumerate()
                .map(|(i, ch)| if i % 2 == 0 { ch.to_ascii_uppercase() } else { ch.to_ascii_lowercase() })
                .collect::<String>()
        };
        for code in [
            slug.to_owned(),
            slug.to_uppercase(),
            iso2.to_owned(),
            iso3.to_owned(),
            iso3.to_lowercase(),
            mixed(iso3),
            mixed(slug),
        ] {
            let got = app.data(STATE_BY_CODE, json!({ "code": code })).await["state"].clone();
            assert_eq!(got, json!({ "slug": slug, "iso2": iso2, "iso3": iso3 }), "state(code: {code:?})");
        }
    }
    for code in ["xx", "xxx", "", "germany", "icmpd", "d"] {
        assert_eq!(
            app.data(STATE_BY_CODE, json!({ "code": code })).await["state"],
            Value::Null,
            "state(code: {code:?})"
        );
    }
}

#[tokio::test]
async fn organization_and_organizations_give_every_organisation_by_slug() {
    let app = spawn_app();
    let got = app.data(ORGANIZATIONS, json!({})).await["organizations"].clone();
    let mut orgs = seed_file("organizations.json");
    orgs.sort_by_key(|o| must(o, "slug").to_owned());
    let expected: Vec<Value> = orgs
        .iter()
        .map(|o| json!({ "slug": o["slug"], "name": o["name"], "acronym": or_null(o, "acronym") }))
        .collect();
    assert_eq!(got, json!(expected), "every organisation, by slug");
    let icmpd = app.data(ORGANIZATION, json!({ "slug": "icmpd" })).await["organization"].clone();
    assert_eq!(icmpd["acronym"], json!("ICMPD"));
    for slug in ["no-such-org", "de"] {
        assert_eq!(app.data(ORGANIZATION, json!({ "slug": slug })).await["organization"], Value::Null, "{slug}");
    }
}

#[tokio::test]
async fn actor_finds_states_and_organisations_by_slug() {
    let app = spawn_app();
    let de = app.data(ACTOR, json!({ "slug": "de" })).await["actor"].clone();
    assert_eq!((&de["__typename"], &de["slug"], &de["iso3"]), (&json!("State"), &json!("de"), &json!("DEU")));
    assert_eq!(de["name"], seed_record("states.json", "slug", "de")["name"]);
    let de_meetings = reversed(meetings_where(|m| takes_part(m, "de")));
    assert_eq!(slugs(&de["meetings"]["nodes"]), de_meetings);
    let direct = app.data(STATE, json!({ "code": "de" })).await["state"].clone();
    assert_eq!(de["id"], direct["id"], "the same record by either path");
    let partners: Vec<&Value> = direct["partners"].as_array().unwrap().iter().collect();
    assert_eq!(de["partners"].as_array().unwrap().len(), partners.len());

    let auc = app.data(ACTOR, json!({ "slug": "auc" })).await["actor"].clone();
    let r = seed_record("organizations.json", "slug", "auc");
    assert_eq!(
        (&auc["__typename"], &auc["slug"], &auc["acronym"]),
        (&json!("Organization"), &json!("auc"), &or_null(&r, "acronym"))
    );
    assert_eq!(auc["sources"].as_array().unwrap().len(), strings(&r, "sources").len());
    for slug in ["no-such-actor", "DEU", "khartoum-process"] {
        assert_eq!(app.data(ACTOR, json!({ "slug": slug })).await["actor"], Value::Null, "actor(slug: {slug:?})");
    }
}

#[tokio::test]
async fn process_and_processes_give_every_process() {
    let app = spawn_app();
    let got = app.data(PROCESSES, json!({})).await["processes"].clone();
    let mut ps = seed_file("processes.json");
    ps.sort_by_key(|p| must(p, "slug").to_owned());
    let expected: Vec<Value> = ps.iter().map(|p| json!({ "slug": p["slug"], "name": p["name"] })).collect();
    assert_eq!(got, json!(expected));
    let kp = app.data(PROCESS, json!({ "slug": "khartoum-process" })).await["process"].clone();
    assert_eq!(kp["alias"], json!("EU-Horn of Africa Migration Route Initiative"));
    assert_eq!(app.data(PROCESS, json!({ "slug": "no-such-process" })).await["process"], Value::Null);
}

#[tokio::test]
async fn chairmanships_lists_every_term_or_only_one_processes() {
    let app = spawn_app();
    let all = app.data(CHAIRMANSHIPS, json!({})).await["chairmanships"].clone();
    assert_eq!(all.as_array().unwrap().len(), seed_file("chairmanships.json").len());
    let mut concatenated = Vec::new();
    let mut processes: Vec<String> = seed_file("processes.json").iter().map(|p| must(p, "slug").to_owned()).collect();
    processes.sort();
    for p in &processes {
        let one = app.data(CHAIRMANSHIPS, json!({ "process": p })).await["chairmanships"].clone();
        for t in one.as_array().unwrap() {
            assert_eq!(t["process"]["slug"], json!(p));
        }
        concatenated.extend(slugs(&one));
    }
    assert_eq!(slugs(&all), concatenated, "grouped by process, chronological within each");
    let (code, message) = app.error(CHAIRMANSHIPS, json!({ "process": "no-such-process" })).await;
    assert_eq!(code, "BAD_USER_INPUT", "{message}");
}

#[tokio::test]
async fn meeting_finds_a_meeting_by_slug_and_null_for_an_unknown_one() {
    let app = spawn_app();
    let got = app.data(MEETING, json!({ "slug": "2019-03-asmara-som" })).await["meeting"].clone();
    let r = seed_record("meetings.json", "slug", "2019-03-asmara-som");
    assert_eq!((&got["title"], &got["startDate"]), (&r["title"], &r["startDate"]));
    for slug in ["no-such-meeting", "2019-03-ASMARA-SOM", ""] {
        assert_eq!(app.data(MEETING, json!({ "slug": slug })).await["meeting"], Value::Null, "{slug:?}");
    }
}

// ----- relations, both ways -----

/// Every meeting with its links, oldest first, ten at a time: a meeting may list dozens of
/// participations, so a larger page would cost more than a query may.
async fn meeting_links(app: &TestApp) -> Vec<Value> {
    let mut v = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.data(MEETING_LINKS, json!({ "first": 10, "after": after })).await;
        v.extend(data["meetings"]["nodes"].as_array().unwrap().iter().cloned());
        if data["meetings"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = data["meetings"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(v.len(), seed_file("meetings.json").len());
    v
}

#[tokio::test]
async fn meeting_participations_and_actor_meetings_mirror_each_other() {
    let app = spawn_app();
    let meetings = meeting_links(&app).await;
    // actor -> role -> meetings, from the participations.
    let mut by_actor: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for m in &meetings {
        for p in m["participations"].as_array().unwrap() {
            by_actor
                .entry(must(&p["actor"], "slug").to_owned())
                .or_default()
                .entry(must(p, "role").to_owned())
                .or_default()
                .insert(must(m, "slug").to_owned());
        }
    }
    let mut actors: BTreeSet<String> = seed_file("states.json").iter().map(|s| must(s, "slug").to_owned()).collect();
    actors.extend(seed_file("organizations.json").iter().map(|o| must(o, "slug").to_owned()));
    for actor in &actors {
        let got = app.data(ACTOR_MEETINGS_BY_ROLE, json!({ "slug": actor })).await["actor"].clone();
        let roles = by_actor.get(actor).cloned().unwrap_or_default();
        let every: BTreeSet<String> = roles.values().flatten().cloned().collect();
        let listed: BTreeSet<String> = slugs(&got["all"]["nodes"]).into_iter().collect();
        assert_eq!(listed, every, "{actor}: Actor.meetings are the meetings that list it");
        assert_eq!(got["all"]["totalCount"], json!(every.len()), "{actor}");
        let expected_seed: BTreeSet<String> = meetings_where(|m| takes_part(m, actor)).into_iter().collect();
        assert_eq!(every, expected_seed, "{actor}: as recorded in the seed");
        for (alias, role) in [
            ("host", "HOST"),
            ("coHost", "CO_HOST"),
            ("chair", "CHAIR"),
            ("coChair", "CO_CHAIR"),
            ("organiser", "ORGANISER"),
        ] {
            let listed: BTreeSet<String> = slugs(&got[alias]["nodes"]).into_iter().collect();
            assert_eq!(listed, roles.get(role).cloned().unwrap_or_default(), "{actor} as {role}");
        }
    }
    assert!(by_actor.keys().all(|a| actors.contains(a)), "every participant is a known actor");
}

#[tokio::test]
async fn meeting_processes_and_process_meetings_mirror_each_other() {
    let app = spawn_app();
    let meetings = meeting_links(&app).await;
    for p in seed_file("processes.json") {
        let slug = must(&p, "slug");
        let got = app.data(PROCESS_MEETINGS, json!({ "slug": slug })).await["process"]["meetings"].clone();
        let listed: BTreeSet<String> = slugs(&got["nodes"]).into_iter().collect();
        let listing: BTreeSet<String> = meetings
            .iter()
            .filter(|m| slugs(&m["processes"]).iter().any(|x| x == slug))
            .map(|m| must(m, "slug").to_owned())
            .collect();
        assert_eq!(listed, listing, "{slug}");
        assert_eq!(got["totalCount"], json!(listing.len()));
        for m in got["nodes"].as_array().unwrap() {
            assert!(slugs(&m["processes"]).iter().any(|x| x == slug), "{} lists {slug}", m["slug"]);
        }
    }
}

#[tokio::test]
async fn chairmanship_chair_and_state_chairmanships_mirror_each_other() {
    let app = spawn_app();
    let terms = app.data(CHAIRMANSHIPS, json!({})).await["chairmanships"].clone();
    let states = app.data(STATE_CHAIRMANSHIPS, json!({})).await["states"]["nodes"].clone();
    assert_eq!(states.as_array().unwrap().len(), seed_file("states.json").len());
    let mut by_chair: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in terms.as_array().unwrap() {
        by_chair.entry(must(&t["chair"], "slug").to_owned()).or_default().insert(must(t, "slug").to_owned());
    }
    let mut chairs = 0;
    for s in states.as_array().unwrap() {
        let slug = must(s, "slug");
        let listed: BTreeSet<String> = slugs(&s["chairmanships"]).into_iter().collect();
        assert_eq!(listed, by_chair.get(slug).cloned().unwrap_or_default(), "{slug}");
        for t in s["chairmanships"].as_array().unwrap() {
            assert_eq!(t["chair"]["slug"], json!(slug));
        }
        chairs += usize::from(!listed.is_empty());
    }
    assert_eq!(chairs, by_chair.len(), "every chair is a state in the list");
}

#[tokio::test]
async fn membership_actor_and_actor_memberships_mirror_each_other() {
    let app = spawn_app();
    let mut by_actor: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for p in seed_file("processes.json") {
        let got = app.data(PROCESS_MEMBERSHIPS, json!({ "slug": p["slug"] })).await["process"]["memberships"].clone();
        for m in got.as_array().unwrap() {
            by_actor.entry(must(&m["actor"], "slug").to_owned()).or_default().push(m.clone());
        }
    }
    let mut actors: Vec<String> = seed_file("states.json").iter().map(|s| must(s, "slug").to_owned()).collect();
    actors.extend(seed_file("organizations.json").iter().map(|o| must(o, "slug").to_owned()));
    for actor in &actors {
        let got = app.data(ACTOR_MEMBERSHIPS, json!({ "slug": actor })).await["actor"].clone();
        assert_eq!(got["__typename"], json!(typename_of(actor)));
        let own = got["memberships"].as_array().unwrap();
        for m in own {
            assert_eq!(m["actor"]["slug"], json!(actor));
        }
        let from_processes = by_actor.get(actor).cloned().unwrap_or_default();
        assert_eq!(membership_rows(own.iter(), true), membership_rows(from_processes.iter(), true), "{actor}");
    }
    assert!(by_actor.len() > 10);
}

#[tokio::test]
async fn document_adopted_at_and_meeting_adopted_documents_mirror_each_other() {
    let app = spawn_app();
    let docs = app.data(DOCUMENT_ADOPTION, json!({})).await["documents"].clone();
    let mut by_meeting: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in docs.as_array().unwrap() {
        let slug = must(d, "slug");
        let recorded = text(&seed_record("documents.json", "slug", slug), "adoptedAt").map(str::to_owned);
        assert_eq!(d["adoptedAt"]["slug"].as_str().map(str::to_owned), recorded, "{slug}");
        if let Some(m) = recorded {
            assert!(slugs(&d["adoptedAt"]["adoptedDocuments"]).contains(&slug.to_owned()), "{m} lists {slug}");
            by_meeting.entry(m).or_default().insert(slug.to_owned());
        }
    }
    assert!(!by_meeting.is_empty());
    for m in meeting_links(&app).await {
        let listed: BTreeSet<String> = slugs(&m["adoptedDocuments"]).into_iter().collect();
        assert_eq!(listed, by_meeting.get(must(&m, "slug")).cloned().unwrap_or_default(), "{}", m["slug"]);
    }
}

#[tokio::test]
async fn commitment_domain_and_domain_commitments_mirror_each_other() {
    let app = spawn_app();
    let data = app.data(COMMITMENT_DOMAINS, json!({})).await;
    let mut in_domains: HashMap<String, (String, i64)> = HashMap::new();
    for d in data["documents"].as_array().unwrap() {
        for domain in d["domains"].as_array().unwrap() {
            let n = domain["number"].as_i64().unwrap();
            for c in domain["commitments"].as_array().unwrap() {
                let code = must(c, "code").to_owned();
                assert_eq!(c["domain"]["number"], json!(n), "{code}");
                assert_eq!(c["domain"]["document"]["slug"], d["slug"], "{code}");
                assert!(
                    in_domains.insert(code.clone(), (must(d, "slug").to_owned(), n)).is_none(),
                    "{code} in one domain"
                );
            }
        }
    }
    let nodes = data["commitments"]["nodes"].as_array().unwrap();
    for c in nodes {
        let code = must(c, "code");
        if c["domain"].is_null() {
            assert!(!in_domains.contains_key(code), "{code} has no domain and is in none");
            assert_eq!(seed_record("commitments.json", "code", code).get("domain"), None);
        } else {
            let n = c["domain"]["number"].as_i64().unwrap();
            assert_eq!(in_domains.get(code), Some(&(must(&c["document"], "slug").to_owned(), n)), "{code}");
            assert!(c["domain"]["commitments"].as_array().unwrap().iter().any(|x| x["code"] == json!(code)), "{code}");
        }
    }
    assert_eq!(in_domains.len(), nodes.iter().filter(|c| !c["domain"].is_null()).count());
}

#[tokio::test]
async fn meeting_relations_are_listed_with_their_inverse_on_the_other_meeting() {
    let app = spawn_app();
    let meetings = meeting_links(&app).await;
    let related: HashMap<String, BTreeSet<(String, String)>> = meetings
        .iter()
        .map(|m| {
            let set = m["related"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| (must(r, "kind").to_owned(), must(&r["meeting"], "slug").to_owned()))
                .collect();
            (must(m, "slug").to_owned(), set)
        })
        .collect();
    let mut kinds = BTreeSet::new();
    for (a, links) in &related {
        for (kind, b) in links {
            kinds.insert(kind.clone());
            let back = (inverse(kind).to_owned(), a.clone());
            assert!(related[b].contains(&back), "{a} lists {b} as {kind}, so {b} lists {a} as {}", inverse(kind));
        }
    }
    for kind in ["BUILDS_ON", "BUILT_UPON_BY", "FOLLOWED_BY", "PRECEDED_BY", "PART_OF_SERIES"] {
        assert!(kinds.contains(kind), "the seed has a {kind} relation");
    }
    // Every relation the seed records shows at both ends.
    for m in seed_file("meetings.json") {
        for r in m["related"].as_array().map_or_else(Vec::new, Clone::clone) {
            let (a, b, kind) = (must(&m, "slug"), must(&r, "meeting"), must(&r, "kind"));
            assert!(related[a].contains(&(kind.to_owned(), b.to_owned())), "{a} {kind} {b}");
            assert!(related[b].contains(&(inverse(kind).to_owned(), a.to_owned())), "{b} {} {a}", inverse(kind));
        }
    }
}

#[tokio::test]
async fn meeting_chairmanships_and_chairmanship_meetings_mirror_each_other() {
    let app = spawn_app();
    let meetings = meeting_links(&app).await;
    let terms = app.data(CHAIRMANSHIPS, json!({})).await["chairmanships"].clone();
    let mut from_terms: BTreeSet<(String, String)> = BTreeSet::new();
    for t in terms.as_array().unwrap() {
        for m in slugs(&t["meetings"]) {
            from_terms.insert((m, must(t, "slug").to_owned()));
        }
    }
    let mut from_meetings: BTreeSet<(String, String)> = BTreeSet::new();
    for m in &meetings {
        for t in slugs(&m["chairmanships"]) {
            from_meetings.insert((must(m, "slug").to_owned(), t));
        }
    }
    assert!(!from_terms.is_empty());
    assert_eq!(from_meetings, from_terms);
}

// ----- every contract field is selected here -----

/// The object types and interfaces of an SDL text: for each, its fields with the named type each
/// returns, and for an interface, the object types that implement it.
struct Types {
    fields: HashMap<String, Vec<(String, String)>>,
    implementers: HashMap<String, Vec<String>>,
}

impl Types {
    fn parse(file: &str) -> Types {
        use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let sdl = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc = async_graphql::parser::parse_schema(&sdl).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut types = Types { fields: HashMap::new(), implementers: HashMap::new() };
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else { continue };
            let name = t.node.name.node.to_string();
            let (fields, implements) = match t.node.kind {
                TypeKind::Object(o) => (o.fields, o.implements),
                TypeKind::Interface(i) => (i.fields, i.implements),
                _ => continue,
            };
            for interface in implements {
                types.implementers.entry(interface.node.to_string()).or_default().push(name.clone());
            }
            let fields =
                fields.into_iter().map(|f| (f.node.name.node.to_string(), named_type(&f.node.ty.node))).collect();
            types.fields.insert(name, fields);
        }
        types
    }

    /// The named type that `field` of `parent` returns, if `parent` has that field.
    fn field_type(&self, parent: &str, field: &str) -> Option<&str> {
        self.fields.get(parent)?.iter().find(|(f, _)| f == field).map(|(_, t)| t.as_str())
    }
}

/// The named type under any list and non-null wrappers: `[Meeting!]!` is `Meeting`.
fn named_type(ty: &async_graphql::parser::types::Type) -> String {
    match &ty.base {
        async_graphql::parser::types::BaseType::Named(name) => name.to_string(),
        async_graphql::parser::types::BaseType::List(inner) => named_type(inner),
    }
}

/// The fields of every object type of the contract, as (type, field), without the parts that come
/// with later work and without the connection plumbing.
fn contract_fields() -> Vec<(String, String)> {
    let contract = Types::parse("tests/contract/contract.graphql");
    let skipped_types = [
        "Mutation",
        "Subscription",
        "ActorPair",
        "MeetingCount",
        "CommitmentCoverage",
        "Change",
        "Deleted",
        "PageInfo",
    ];
    let skipped_query = ["search", "chairOn", "coHostPairs", "meetingCounts", "commitmentCoverage"];
    let interfaces: HashSet<&String> = contract.implementers.keys().collect();
    let mut out: Vec<(String, String)> = contract
        .fields
        .iter()
        .filter(|(t, _)| !interfaces.contains(t))
        .flat_map(|(t, fields)| fields.iter().map(move |(f, _)| (t.clone(), f.clone())))
        .collect();
    out.retain(|(t, f)| {
        let later_query_field = t == "Query" && skipped_query.contains(&f.as_str());
        let plumbing = t.ends_with("Edge") || t.ends_with("Connection");
        !skipped_types.contains(&t.as_str()) && !plumbing && !later_query_field
    });
    out.sort();
    out
}

/// The GraphQL documents of this file (its `&str = r#"…"#` constants).
fn queries_of_this_file() -> Vec<&'static str> {
    let source = include_str!("nodes.rs");
    let opening = concat!(": &str = r", "#\"");
    let closing = concat!("\"", "#;");
    let mut queries = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find(opening) {
        let body = &rest[start + opening.len()..];
        let end = body.find(closing).expect("a closed query constant");
        queries.push(&body[..end]);
        rest = &body[end..];
    }
    queries
}

/// Every (type, field) that a selection set on `parent` selects, following inline fragments and
/// fragment definitions to their own type. A field selected on an interface is selected on every
/// type that implements it. A field the schema does not have fails the test: the query is wrong.
fn collect_selected(
    types: &Types,
    parent: &str,
    set: &async_graphql::parser::types::SelectionSet,
    out: &mut BTreeSet<(String, String)>,
) {
    use async_graphql::parser::types::Selection;
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if name == "__typename" {
                    continue;
                }
                let ty = types.field_type(parent, name).unwrap_or_else(|| panic!("{parent} has no field {name}"));
                out.insert((parent.to_owned(), name.to_owned()));
                for implementer in types.implementers.get(parent).into_iter().flatten() {
                    out.insert((implementer.clone(), name.to_owned()));
                }
                collect_selected(types, ty, &field.node.selection_set.node, out);
            }
            Selection::InlineFragment(fragment) => {
                let on = fragment.node.type_condition.as_ref().map_or(parent, |c| c.node.on.node.as_str());
                collect_selected(types, on, &fragment.node.selection_set.node, out);
            }
            // Fragment definitions are walked on their own type condition.
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// The (type, field) pairs the queries of this file select, typed against the committed schema.
fn fields_selected_by_queries_of_this_file() -> BTreeSet<(String, String)> {
    let schema = Types::parse("schema.graphql");
    let queries = queries_of_this_file();
    assert!(queries.len() > 20, "found only {} query constants", queries.len());
    let mut selected = BTreeSet::new();
    for query in queries {
        let doc = async_graphql::parser::parse_query(query).unwrap_or_else(|e| panic!("{e}: {query}"));
        for (_, operation) in doc.operations.iter() {
            collect_selected(&schema, "Query", &operation.node.selection_set.node, &mut selected);
        }
        for fragment in doc.fragments.values() {
            let on = fragment.node.type_condition.node.on.node.as_str();
            collect_selected(&schema, on, &fragment.node.selection_set.node, &mut selected);
        }
    }
    selected
}

#[test]
fn every_contract_field_is_selected_by_a_query_of_this_file() {
    let fields = contract_fields();
    let types: BTreeSet<&str> = fields.iter().map(|(t, _)| t.as_str()).collect();
    let expected_types = [
        "State",
        "Organization",
        "Membership",
        "Process",
        "Chairmanship",
        "Participation",
        "Meeting",
        "MeetingRelation",
        "Document",
        "Domain",
        "Commitment",
        "Partnership",
        "Source",
        "DatasetInfo",
        "Query",
    ];
    assert_eq!(types, expected_types.into_iter().collect(), "the object types the contract lists");
    let count = |t: &str| fields.iter().filter(|(ty, _)| ty == t).count();
    assert_eq!(count("State"), 11, "State's fields: {fields:?}");
    assert_eq!(count("Meeting"), 21, "Meeting's fields");
    assert_eq!(count("Query"), 17, "Query's fields, without the later ones");
    let selected = fields_selected_by_queries_of_this_file();
    let missing: Vec<String> =
        fields.iter().filter(|tf| !selected.contains(*tf)).map(|(t, f)| format!("{t}.{f}")).collect();
    assert!(missing.is_empty(), "contract fields no query of nodes.rs selects: {missing:?}");
}
