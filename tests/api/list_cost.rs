//! Lists that are not paged count in a query's cost by the longest they are in the data: the
//! bounds are published in `dataset { listBounds }`, hold for every list the data has, rise when
//! a write lengthens a list, and refuse a query that nests such lists before it runs.

use crate::helpers::*;
use axum::http::StatusCode;
use khartoum_graphql::graphql::limits::MAX_COST;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The published bounds, by "Type.field".
async fn bounds(app: &TestApp) -> BTreeMap<String, u64> {
    let data = app.data("query Bounds { dataset { listBounds { typeName field longest } } }", json!({})).await;
    data["dataset"]["listBounds"]
        .as_array()
        .expect("listBounds is a list")
        .iter()
        .map(|b| {
            let key = format!("{}.{}", b["typeName"].as_str().unwrap(), b["field"].as_str().unwrap());
            (key, b["longest"].as_u64().expect("longest is a count"))
        })
        .collect()
}

/// Records, for every list field selected in `value` (objects of `ty` as `Type.field`), the
/// longest list seen. `lists` names, per type, the list fields the census selects and the type of
/// their items.
fn census(value: &Value, ty: &str, lists: &[(&str, &str, &str)], seen: &mut BTreeMap<String, u64>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| census(item, ty, lists, seen)),
        Value::Object(fields) => {
            for (field, inner) in fields {
                let Some(&(_, _, item)) = lists.iter().find(|(t, f, _)| *t == ty && f == field) else { continue };
                if let Value::Array(items) = inner {
                    let longest = seen.entry(format!("{ty}.{field}")).or_default();
                    *longest = (*longest).max(items.len() as u64);
                }
                census(inner, item, lists, seen);
            }
        }
        _ => {}
    }
}

/// The list fields the census walks: (type, field, item type).
const LISTS: &[(&str, &str, &str)] = &[
    ("Query", "processes", "Process"),
    ("Query", "documents", "Document"),
    ("Query", "organizations", "Organization"),
    ("Query", "sources", "Source"),
    ("Query", "chairmanships", "Chairmanship"),
    ("Process", "chairmanships", "Chairmanship"),
    ("Process", "documents", "Document"),
    ("Process", "memberships", "Membership"),
    ("Process", "sources", "Source"),
    ("Chairmanship", "meetings", "Meeting"),
    ("Chairmanship", "sources", "Source"),
    ("Document", "commitments", "Commitment"),
    ("Document", "domains", "Domain"),
    ("Document", "processes", "Process"),
    ("Organization", "memberships", "Membership"),
    ("Organization", "partners", "Partnership"),
    ("Partnership", "meetings", "Meeting"),
    ("Meeting", "participations", "Participation"),
    ("Meeting", "hosts", "Actor"),
    ("Meeting", "coHosts", "Actor"),
    ("Meeting", "chairs", "Actor"),
    ("Meeting", "organisers", "Actor"),
    ("Meeting", "related", "MeetingRelation"),
    ("Meeting", "sources", "Source"),
    ("Meeting", "notes", "Note"),
    ("Meeting", "processes", "Process"),
    ("Meeting", "chairmanships", "Chairmanship"),
    ("Participation", "sources", "Source"),
];

#[tokio::test]
async fn every_list_in_the_data_is_within_its_published_bound_and_the_longest_reach_it() {
    let app = spawn_app();
    let bounds = bounds(&app).await;
    let mut seen = BTreeMap::new();

    for query in [
        "query Processes { processes { chairmanships { slug } documents { slug } memberships { slug } sources { slug } } }",
        "query Terms { chairmanships { meetings { slug } sources { slug } } }",
        "query Documents { documents { commitments { code } domains { number } processes { slug } } sources { slug } }",
        "query Organizations { organizations { memberships { slug } partners { meetings { slug } } } }",
    ] {
        census(&app.data(query, json!({})).await, "Query", LISTS, &mut seen);
    }

    // Every meeting, a page at a time: the page is as large as the cost limit allows for what
    // one meeting selects, which the published bounds say.
    let simple: u64 =
        ["hosts", "coHosts", "chairs", "organisers", "related", "sources", "notes", "processes", "chairmanships"]
            .iter()
            .map(|f| 1 + bounds[&format!("Meeting.{f}")])
            .sum();
    let participations = 1 + bounds["Meeting.participations"] * (1 + 1 + (1 + bounds["Participation.sources"]));
    // Each item of a page counts the page's pageInfo (3) and nodes (1) as well.
    let per_meeting = 4 + simple + participations;
    let page = ((MAX_COST as u64 - 1) / per_meeting).clamp(1, 100);
    let meetings = app
        .all_nodes(
            "meetings",
            "participations { role sources { slug } } hosts { slug } coHosts { slug } chairs { slug } \
             organisers { slug } related { kind } sources { slug } notes { kind } processes { slug } \
             chairmanships { slug }",
            page,
        )
        .await;
    census(&Value::from(meetings), "Meeting", LISTS, &mut seen);

    assert_eq!(seen.len(), LISTS.len(), "the census saw every list it walks: {seen:?}");
    for (list, longest) in &seen {
        let bound = bounds.get(list).unwrap_or_else(|| panic!("{list} has no published bound"));
        assert!(longest <= bound, "{list}: a list of {longest} items, above its bound of {bound}");
    }
    // The bounds are the data's own longest lists, not a loose guess.
    for list in ["Meeting.participations", "Meeting.related", "Chairmanship.meetings", "Process.chairmanships"] {
        assert_eq!(seen[list], bounds[list], "{list}: the longest list is the bound");
    }
    let count = |file: &str| seed_file(file).len() as u64;
    assert_eq!(bounds["Query.processes"], count("processes.json"));
    assert_eq!(bounds["Query.sources"], count("sources.json"));
    let longest_in_seed = seed_file("meetings.json")
        .iter()
        .map(|m| m["participations"].as_array().map_or(0, Vec::len) as u64)
        .max()
        .expect("the seed has meetings");
    assert_eq!(bounds["Meeting.participations"], longest_in_seed);
}

#[tokio::test]
async fn a_query_nesting_lists_that_are_not_paged_is_refused_by_its_cost_before_it_runs() {
    let app = spawn_app();
    let nested = "{ processes { chairmanships { meetings { chairmanships { meetings { chairmanships { meetings \
                  { chairmanships { meetings { chairmanships { meetings { slug } } } } } } } } } } } }";
    let reply = app.post_json(&json!({ "query": nested })).await;
    let body = reply.json();
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{body}");
    assert!(body["data"].is_null(), "nothing ran: {body}");
    let cost = body["errors"][0]["extensions"]["cost"].as_u64().expect("the refusal gives the cost");
    assert!(cost > MAX_COST as u64, "the cost {cost} is over the limit");

    // The same lists, one level each, are an ordinary query that runs and reports its cost as
    // the published bounds say.
    let bounds = bounds(&app).await;
    let reply = app.post_json(&json!({ "query": "{ processes { chairmanships { meetings { slug } } } }" })).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert!(body.get("errors").is_none(), "{body}");
    let expected =
        1 + bounds["Query.processes"] * (1 + bounds["Process.chairmanships"] * (1 + bounds["Chairmanship.meetings"]));
    assert_eq!(body["extensions"]["cost"]["cost"], expected, "{body}");
}

#[tokio::test]
async fn a_write_that_lengthens_a_list_raises_its_bound_and_the_cost_of_queries_over_it() {
    let app = spawn_app();
    let before = bounds(&app).await["Meeting.participations"];
    // The meeting with the longest list of participations gets three more.
    let meetings = seed_file("meetings.json");
    let participants = |m: &Value| -> Vec<String> {
        m["participations"]
            .as_array()
            .map(|ps| ps.iter().map(|p| p["actor"].as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    let longest = meetings.iter().max_by_key(|m| participants(m).len()).expect("the seed has meetings");
    assert_eq!(participants(longest).len() as u64, before);
    let slug = longest["slug"].as_str().unwrap().to_owned();
    let newcomers: Vec<String> = seed_file("states.json")
        .iter()
        .map(|s| s["slug"].as_str().unwrap().to_owned())
        .filter(|s| !participants(longest).contains(s))
        .take(3)
        .collect();
    for actor in &newcomers {
        app.write_data(
            "mutation Add($m: String!, $a: String!) { addParticipation(meeting: $m, actor: $a, role: ORGANISER) { slug } }",
            json!({ "m": slug, "a": actor }),
        )
        .await;
    }
    let longer = before as usize + newcomers.len();
    let after = bounds(&app).await["Meeting.participations"];
    assert_eq!(after, longer as u64, "the bound is the new longest list");
    let body = app
        .run("query One($slug: String!) { meeting(slug: $slug) { participations { role } } }", json!({ "slug": slug }))
        .await;
    assert_eq!(body["data"]["meeting"]["participations"].as_array().map(Vec::len), Some(longer));
    assert_eq!(body["extensions"]["cost"]["cost"], 1 + 1 + longer as u64, "{body}");
}

/// The most participations one meeting of the seed lists in any of `roles`.
fn longest_in_roles(roles: &[&str]) -> u64 {
    seed_file("meetings.json")
        .iter()
        .map(|m| {
            let ps = m["participations"].as_array().map(Vec::as_slice).unwrap_or_default();
            ps.iter().filter(|p| roles.contains(&p["role"].as_str().unwrap())).count() as u64
        })
        .max()
        .expect("the seed has meetings")
}

#[tokio::test]
async fn a_participation_list_filtered_by_roles_costs_the_longest_list_of_those_roles_in_the_data() {
    let app = spawn_app();
    let bounds = bounds(&app).await;
    let all = bounds["Meeting.participations"];
    let organising = ["HOST", "CO_HOST", "CHAIR", "CO_CHAIR"];
    let longest_organising = longest_in_roles(&organising);
    assert!(longest_organising < all, "a meeting lists more participants than organisers");
    for (field, role) in [("hosts", "HOST"), ("coHosts", "CO_HOST"), ("chairs", "CHAIR"), ("organisers", "ORGANISER")] {
        assert_eq!(bounds[&format!("Meeting.{field}")], longest_in_roles(&[role]), "Meeting.{field}");
    }

    let one = "query One($r: [MeetingRole!]) { meeting(slug: \"2025-04-cairo-ministerial-conference\") { \
               participations(roles: $r) { role } } }";
    for (roles, longest) in [
        (json!(["HOST"]), longest_in_roles(&["HOST"])),
        (json!(organising), longest_organising),
        (json!(null), all),
        (json!([]), all),
    ] {
        let body = app.run(one, json!({ "r": roles })).await;
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(body["extensions"]["cost"]["cost"], 1 + 1 + longest, "roles {roles}: {body}");
    }

    // A page of meetings with their organisers' participations fits the limit where the same page
    // with every participation would not.
    let page = |filter: &str| {
        format!(
            "query Page {{ meetings(first: 50) {{ nodes {{ participations{filter} {{ role actor {{ slug }} }} }} }} }}"
        )
    };
    // Per meeting: nodes, participations, and per participation its role and its actor's slug.
    let per_item = |longest: u64| 1 + 1 + longest * (1 + (1 + 1));
    assert!(50 * per_item(all) > MAX_COST as u64 && 50 * per_item(longest_organising) <= MAX_COST as u64);
    let body = app.post_json(&json!({ "query": page("") })).await.json();
    assert_eq!(body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{body}");
    let body = app.run(&page("(roles: [HOST, CO_HOST, CHAIR, CO_CHAIR])"), json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["extensions"]["cost"]["cost"], 1 + 50 * per_item(longest_organising), "{body}");
}
