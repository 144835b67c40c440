//! Writes: authentication, validation by the seed rules, error codes, bookkeeping, and what
//! reads see after each write.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

pub(crate) const CREATE_MEETING: &str = r#"mutation($input: CreateMeetingInput!) {
  createMeeting(input: $input) {
    slug title kind startDate endDate online city country { slug }
    processes { slug } hosts { slug } coHosts { slug } chairs { slug }
    sources { slug url title } createdAt updatedAt
  }
}"#;

const MEETING: &str = r#"query($slug: String!) {
  meeting(slug: $slug) { slug title endDate city summary hosts { slug } coHosts { slug } organisers { slug }
    related { kind meeting { slug } } createdAt updatedAt }
}"#;

const DATASET: &str = "{ dataset { version lastChange meetings chairmanships states organizations } }";

/// A new meeting's input: Kenya hosts, Germany co-hosts, in Nairobi, citing a new page.
pub(crate) fn new_meeting(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": "Thematic meeting on labour mobility",
        "kind": "THEMATIC_MEETING",
        "startDate": "2026-10-14",
        "endDate": "2026-10-15",
        "city": "Nairobi",
        "country": "ke",
        "processes": ["khartoum-process"],
        "participations": [{ "actor": "ke", "role": "HOST" }, { "actor": "de", "role": "CO_HOST" }],
        "domains": [1],
        "sources": [{ "title": "Meeting announcement", "url": "https://www.khartoumprocess.net/example-2026-10" }]
    })
}

#[tokio::test]
async fn a_mutation_without_a_token_is_unauthenticated_and_writes_nothing() {
    let app = spawn_app();
    let before = app.data(DATASET, json!({})).await;
    for token in [None, Some("not-the-token-0123456789")] {
        let body = json!({ "query": CREATE_MEETING, "variables": { "input": new_meeting("2026-10-nairobi-labour") } });
        let resp = app.post_json_as(&body, token).await.json();
        assert_eq!(resp["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{resp}");
        assert!(resp["data"].is_null(), "{resp}");
    }
    assert_eq!(app.data(DATASET, json!({})).await, before);
    assert!(app.data(MEETING, json!({ "slug": "2026-10-nairobi-labour" })).await["meeting"].is_null());
}

#[tokio::test]
async fn with_no_token_configured_a_mutation_says_how_to_configure_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = khartoum_graphql::app::App::open(&dir.path().join("data"), &seed_dir(), Default::default()).unwrap();
    let app = TestApp { app: std::sync::Arc::new(app), dir, etcd: None };
    let body = json!({ "query": CREATE_MEETING, "variables": { "input": new_meeting("2026-10-nairobi-labour") } });
    let resp = app.post_json_as(&body, Some(TOKEN)).await.json();
    let err = &resp["errors"][0];
    assert_eq!(err["extensions"]["code"], "UNAUTHENTICATED");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("KHARTOUM_GRAPHQL_TOKENS") && message.contains("--tokens-file"), "{message}");
}

#[tokio::test]
async fn a_mutation_is_refused_by_get_and_in_text_plain_or_form_bodies() {
    let app = spawn_app();
    let q = "mutation { deleteMeeting(slug: \"2025-aswan-legal-pathways\") { slug } }";
    let get = app.get(&format!("/graphql?query={}", q.replace(' ', "%20").replace('"', "%22"))).await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED, "{}", get.body);
    assert_eq!(get.headers.get(header::ALLOW).unwrap(), "POST");
    assert_eq!(get.json()["errors"][0]["extensions"]["code"], "METHOD_NOT_ALLOWED");
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let req = Request::post("/graphql")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::from(json!({ "query": q }).to_string()))
            .unwrap();
        let reply = app.send(req).await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}: {}", reply.body);
    }
    assert!(!app.data(MEETING, json!({ "slug": "2025-aswan-legal-pathways" })).await["meeting"].is_null());
}

#[tokio::test]
async fn a_created_meeting_is_returned_and_read_back_with_its_roles_country_and_sources() {
    let app = spawn_app();
    let got = app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let m = &got["createMeeting"];
    assert_eq!(m["slug"], "2026-10-nairobi-labour");
    assert_eq!(m["startDate"], "2026-10-14");
    assert_eq!(m["online"], false);
    assert_eq!(m["country"]["slug"], "ke");
    assert_eq!(slugs(&m["hosts"]), ["ke"]);
    assert_eq!(slugs(&m["coHosts"]), ["de"]);
    assert_eq!(m["sources"][0]["slug"], "khartoumprocess-net-example-2026-10", "a new source keyed by its address");
    assert_eq!(m["createdAt"], m["updatedAt"]);

    // Reads see it at once, through every index: by actor and role, by country, by process.
    let q = r#"{ state(code: "de") { meetings(roles: [CO_HOST], first: 100) { nodes { slug } } }
                 meetings(filter: { country: "ke", process: "khartoum-process", from: "2026-10-01" }) { nodes { slug } } }"#;
    let data = app.data(q, json!({})).await;
    assert!(slugs(&data["state"]["meetings"]["nodes"]).contains(&"2026-10-nairobi-labour".to_owned()));
    assert_eq!(slugs(&data["meetings"]["nodes"]), ["2026-10-nairobi-labour"]);
    assert_eq!(app.app.store().check().unwrap(), Vec::<String>::new(), "store consistent after the write");
}

#[tokio::test]
async fn a_source_already_cited_is_reused_by_its_address() {
    let app = spawn_app();
    let existing = seed_file("sources.json").into_iter().find(|s| s["url"].is_string()).unwrap();
    let mut input = new_meeting("2026-10-nairobi-labour");
    input["sources"] = json!([{ "title": "another title", "url": existing["url"] }]);
    let got = app.write_data(CREATE_MEETING, json!({ "input": input })).await;
    assert_eq!(got["createMeeting"]["sources"][0]["slug"], existing["slug"]);
    let count = app.data("{ dataset { sources } }", json!({})).await;
    assert_eq!(count["dataset"]["sources"], json!(seed_file("sources.json").len()), "no source was added");
}

#[tokio::test]
async fn a_meeting_that_breaks_a_seed_rule_is_refused_with_its_code_and_nothing_is_written() {
    let app = spawn_app();
    let before = app.data(DATASET, json!({})).await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = new_meeting("2026-10-nairobi-labour");
        f(&mut v);
        v
    };
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "unknown actor",
            with(&|v| v["participations"][1]["actor"] = json!("xx")),
            "BAD_USER_INPUT",
            "unknown actor 'xx'",
        ),
        ("end before start", with(&|v| v["endDate"] = json!("2026-09")), "BAD_USER_INPUT", "before the start"),
        ("online with a city", with(&|v| v["online"] = json!(true)), "BAD_USER_INPUT", "online meeting"),
        ("no source", with(&|v| v["sources"] = json!([])), "BAD_USER_INPUT", "at least one source"),
        ("bad slug", with(&|v| v["slug"] = json!("Nairobi 2026")), "BAD_USER_INPUT", "not a slug"),
        ("no process", with(&|v| v["processes"] = json!([])), "BAD_USER_INPUT", "at least one process"),
        ("unknown process", with(&|v| v["processes"] = json!(["x-process"])), "BAD_USER_INPUT", "unknown process"),
        ("domain 6", with(&|v| v["domains"] = json!([6])), "BAD_USER_INPUT", "no domain 6"),
        (
            "role twice",
            with(&|v| v["participations"][1] = json!({"actor": "ke", "role": "HOST"})),
            "BAD_USER_INPUT",
            "twice",
        ),
        ("zero attendance", with(&|v| v["attendance"] = json!(0)), "BAD_USER_INPUT", "attendance"),
        ("empty title", with(&|v| v["title"] = json!("  ")), "BAD_USER_INPUT", "title"),
        ("existing slug", with(&|v| v["slug"] = json!("2025-aswan-legal-pathways")), "CONFLICT", "already exists"),
    ];
    for (what, input, code, needle) in cases {
        let (got_code, message) = app.write_error(CREATE_MEETING, json!({ "input": input })).await;
        assert_eq!(got_code, code, "{what}: {message}");
        assert!(message.contains(needle), "{what}: {message}");
    }
    assert_eq!(app.data(DATASET, json!({})).await, before, "a refused write changes nothing");
}

#[tokio::test]
async fn an_update_changes_only_the_fields_given_and_null_clears_an_optional_one() {
    let app = spawn_app();
    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let created = app.data(MEETING, json!({ "slug": "2026-10-nairobi-labour" })).await["meeting"].clone();
    let q = r#"mutation($input: UpdateMeetingInput!) {
      updateMeeting(slug: "2026-10-nairobi-labour", input: $input) { title endDate city summary createdAt updatedAt }
    }"#;
    let got = app
        .write_data(q, json!({ "input": { "endDate": null, "summary": "Officials compared skills schemes." } }))
        .await;
    let m = &got["updateMeeting"];
    assert_eq!(m["title"], created["title"], "untouched");
    assert_eq!(m["city"], "Nairobi", "untouched");
    assert!(m["endDate"].is_null(), "cleared by null");
    assert_eq!(m["summary"], "Officials compared skills schemes.");
    assert_eq!(m["createdAt"], created["createdAt"]);
    assert!(m["updatedAt"].as_str().unwrap() >= created["updatedAt"].as_str().unwrap());

    let (code, message) =
        app.write_error(&q.replace("2026-10-nairobi-labour", "2099-01-nowhere"), json!({ "input": {} })).await;
    assert_eq!(code, "NOT_FOUND", "{message}");
}

#[tokio::test]
async fn every_write_moves_the_dataset_version_and_last_change_and_updated_since_lists_only_what_changed() {
    let app = spawn_app();
    let before = app.data(DATASET, json!({})).await["dataset"].clone();
    let since = before["lastChange"].as_str().unwrap().to_owned();
    // A moment after the seed, so that seeded meetings are older than it.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let after_seed = khartoum_graphql::store::rfc3339(khartoum_graphql::store::now());
    let q = r#"query($since: DateTime!) { meetings(filter: { updatedSince: $since }, first: 100) { totalCount nodes { slug } } }"#;
    assert_eq!(
        app.data(q, json!({ "since": since })).await["meetings"]["totalCount"],
        json!(seed_file("meetings.json").len())
    );
    assert_eq!(app.data(q, json!({ "since": after_seed })).await["meetings"]["totalCount"], 0);

    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let first = app.data(DATASET, json!({})).await["dataset"].clone();
    assert_ne!(first["version"], before["version"]);
    assert!(first["lastChange"].as_str().unwrap() > since.as_str());
    assert_eq!(first["meetings"], json!(before["meetings"].as_i64().unwrap() + 1));
    let changed = app.data(q, json!({ "since": after_seed })).await;
    assert_eq!(slugs(&changed["meetings"]["nodes"]), ["2026-10-nairobi-labour"]);

    let update = r#"mutation { updateMeeting(slug: "2025-aswan-legal-pathways", input: { attendance: 80 }) { slug } }"#;
    app.write_data(update, json!({})).await;
    let second = app.data(DATASET, json!({})).await["dataset"].clone();
    assert_ne!(second["version"], first["version"]);
    let changed = app.data(q, json!({ "since": after_seed })).await;
    assert_eq!(sorted(slugs(&changed["meetings"]["nodes"])), ["2025-aswan-legal-pathways", "2026-10-nairobi-labour"]);
}

#[tokio::test]
async fn deleting_a_meeting_removes_it_with_its_participations_from_every_list() {
    let app = spawn_app();
    let got =
        app.write_data(r#"mutation { deleteMeeting(slug: "2025-aswan-legal-pathways") { slug } }"#, json!({})).await;
    assert_eq!(got["deleteMeeting"]["slug"], "2025-aswan-legal-pathways");
    assert!(app.data(MEETING, json!({ "slug": "2025-aswan-legal-pathways" })).await["meeting"].is_null());
    let recorded = seed_file("meetings.json").into_iter().find(|m| m["slug"] == "2025-aswan-legal-pathways").unwrap();
    for p in recorded["participations"].as_array().unwrap() {
        let q = r#"query($a: String!) { actor(slug: $a) { meetings(first: 100) { nodes { slug } } } }"#;
        let data = app.data(q, json!({ "a": p["actor"] })).await;
        assert!(!slugs(&data["actor"]["meetings"]["nodes"]).contains(&"2025-aswan-legal-pathways".to_owned()));
    }
    // The meeting it built on no longer lists it.
    let cairo = app.data(MEETING, json!({ "slug": "2025-04-cairo-ministerial-conference" })).await;
    let related: Vec<&Value> = cairo["meeting"]["related"].as_array().unwrap().iter().collect();
    assert!(related.iter().all(|r| r["meeting"]["slug"] != "2025-aswan-legal-pathways"), "{related:?}");
    let (code, _) =
        app.write_error(r#"mutation { deleteMeeting(slug: "2025-aswan-legal-pathways") { slug } }"#, json!({})).await;
    assert_eq!(code, "NOT_FOUND");
    assert_eq!(app.app.store().check().unwrap(), Vec::<String>::new());
}

#[tokio::test]
async fn deleting_a_record_others_refer_to_is_a_conflict_that_names_them() {
    let app = spawn_app();
    let cases = [
        // Linked from Aswan 2025, and the place where the Cairo documents were adopted.
        (
            r#"mutation { deleteMeeting(slug: "2025-04-cairo-ministerial-conference") { slug } }"#,
            vec!["meeting '2025-aswan-legal-pathways'", "document 'cairo-declaration'"],
        ),
        (
            r#"mutation { deleteState(slug: "de") { slug } }"#,
            vec!["chairmanship 'khartoum-process-2023-germany'", "membership 'khartoum-process-member-de'"],
        ),
        (r#"mutation { deleteOrganization(slug: "icmpd") { slug } }"#, vec!["membership '"]),
    ];
    for (q, needles) in cases {
        let (code, message) = app.write_error(q, json!({})).await;
        assert_eq!(code, "CONFLICT", "{q}: {message}");
        for n in needles {
            assert!(message.contains(n), "{q}: {message} should name {n}");
        }
    }
    let cited = seed_file("meetings.json")[0]["sources"][0].as_str().unwrap().to_owned();
    let (code, message) =
        app.write_error(&format!(r#"mutation {{ deleteSource(slug: "{cited}") {{ slug }} }}"#), json!({})).await;
    assert_eq!(code, "CONFLICT", "{message}");
    assert!(!app.data(r#"{ state(code: "de") { slug } }"#, json!({})).await["state"].is_null());
}

#[tokio::test]
async fn participations_are_added_and_removed_and_reads_follow() {
    let app = spawn_app();
    let add = r#"mutation($m: String!, $a: String!, $r: MeetingRole!) {
      addParticipation(meeting: $m, actor: $a, role: $r, person: "A. Minister") { coHosts { slug } }
    }"#;
    let remove = r#"mutation($m: String!, $a: String!, $r: MeetingRole!) {
      removeParticipation(meeting: $m, actor: $a, role: $r) { coHosts { slug } }
    }"#;
    let vars = json!({ "m": "2025-aswan-legal-pathways", "a": "it", "r": "CO_HOST" });
    let got = app.write_data(add, vars.clone()).await;
    assert!(slugs(&got["addParticipation"]["coHosts"]).contains(&"it".to_owned()));
    let q = r#"{ state(code: "it") { meetings(roles: [CO_HOST], first: 100) { nodes { slug } } } }"#;
    assert!(slugs(&app.data(q, json!({})).await["state"]["meetings"]["nodes"])
        .contains(&"2025-aswan-legal-pathways".to_owned()));

    let (code, _) = app.write_error(add, vars.clone()).await;
    assert_eq!(code, "CONFLICT", "the same role twice");
    let (code, _) =
        app.write_error(add, json!({ "m": "2025-aswan-legal-pathways", "a": "nowhere", "r": "HOST" })).await;
    assert_eq!(code, "BAD_USER_INPUT", "an unknown actor");

    let got = app.write_data(remove, vars.clone()).await;
    assert!(!slugs(&got["removeParticipation"]["coHosts"]).contains(&"it".to_owned()));
    assert!(!slugs(&app.data(q, json!({})).await["state"]["meetings"]["nodes"])
        .contains(&"2025-aswan-legal-pathways".to_owned()));
    let (code, _) = app.write_error(remove, vars).await;
    assert_eq!(code, "NOT_FOUND");
}

#[tokio::test]
async fn meetings_are_linked_and_unlinked_and_both_sides_show_the_link() {
    let app = spawn_app();
    let link = r#"mutation { linkMeetings(meeting: "2025-aswan-legal-pathways", kind: BUILDS_ON, other: "2022-07-mombasa-skills-mobility") { slug } }"#;
    app.write_data(link, json!({})).await;
    let mombasa = app.data(MEETING, json!({ "slug": "2022-07-mombasa-skills-mobility" })).await;
    let back = mombasa["meeting"]["related"].as_array().unwrap();
    assert!(
        back.iter().any(|r| r["kind"] == "BUILT_UPON_BY" && r["meeting"]["slug"] == "2025-aswan-legal-pathways"),
        "{back:?}"
    );
    let (code, _) = app.write_error(link, json!({})).await;
    assert_eq!(code, "CONFLICT", "linked twice");
    // Unlinking from the other side, with the inverse kind, removes the one link.
    let unlink = r#"mutation { unlinkMeetings(meeting: "2022-07-mombasa-skills-mobility", kind: BUILT_UPON_BY, other: "2025-aswan-legal-pathways") { related { meeting { slug } } } }"#;
    let got = app.write_data(unlink, json!({})).await;
    let left = got["unlinkMeetings"]["related"].as_array().unwrap();
    assert!(left.iter().all(|r| r["meeting"]["slug"] != "2025-aswan-legal-pathways"));
    let (code, _) =
        app.write_error(&link.replace("2022-07-mombasa-skills-mobility", "2025-aswan-legal-pathways"), json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT", "a meeting cannot relate to itself");
}

const CREATE_CHAIR: &str = r#"mutation($input: CreateChairmanshipInput!) {
  createChairmanship(input: $input) { slug chair { slug } start end process { slug currentChair { slug } } }
}"#;

#[tokio::test]
async fn a_chair_term_that_overlaps_the_running_one_is_a_conflict_until_that_one_ends() {
    let app = spawn_app();
    let input = json!({
        "process": "khartoum-process", "chair": "ke", "start": "2026-05",
        "chairperson": "A. Chair", "sources": [{ "title": "Handover", "url": "https://www.khartoumprocess.net/handover-2026" }]
    });
    let (code, message) = app.write_error(CREATE_CHAIR, json!({ "input": input })).await;
    assert_eq!(code, "CONFLICT", "{message}");
    assert!(message.contains("khartoum-process-2025-france"), "{message}");

    let end =
        r#"mutation { updateChairmanship(slug: "khartoum-process-2025-france", input: { end: "2026-05" }) { end } }"#;
    assert_eq!(app.write_data(end, json!({})).await["updateChairmanship"]["end"], "2026-05");
    let got = app.write_data(CREATE_CHAIR, json!({ "input": input })).await["createChairmanship"].clone();
    assert_eq!(got["slug"], "khartoum-process-2026-kenya", "derived from process, start year and name");
    assert_eq!(got["process"]["currentChair"]["slug"], "khartoum-process-2026-kenya");
    let (code, _) = app.write_error(CREATE_CHAIR, json!({ "input": input })).await;
    assert_eq!(code, "CONFLICT", "the same slug twice");
    let del = r#"mutation { deleteChairmanship(slug: "khartoum-process-2026-kenya") { slug } }"#;
    assert_eq!(app.write_data(del, json!({})).await["deleteChairmanship"]["slug"], "khartoum-process-2026-kenya");
    let q = r#"{ process(slug: "khartoum-process") { currentChair { slug } } }"#;
    assert!(
        app.data(q, json!({})).await["process"]["currentChair"].is_null(),
        "France's term has ended, no one follows"
    );
}

#[tokio::test]
async fn states_organisations_memberships_and_sources_are_created_updated_and_deleted() {
    let app = spawn_app();
    let src = json!([{ "title": "Press release", "url": "https://example.org/press/2026" }]);
    let state = app
        .write_data(
            r#"mutation($s: [SourceInput!]!) { createState(input: { slug: "tz", name: "Tanzania", iso3: "TZA", continent: AFRICA, sources: $s }) { slug name iso2 } }"#,
            json!({ "s": src }),
        )
        .await;
    assert_eq!(state["createState"], json!({ "slug": "tz", "name": "Tanzania", "iso2": "TZ" }));
    let (code, message) = app
        .write_error(
            r#"mutation($s: [SourceInput!]!) { createState(input: { slug: "zz", name: "Nowhere", iso3: "zzz", continent: AFRICA, sources: $s }) { slug } }"#,
            json!({ "s": src }),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT", "{message}");
    assert!(message.contains("iso3"), "{message}");
    let m = app
        .write_data(
            r#"mutation($s: [SourceInput!]!) { createMembership(input: { process: "khartoum-process", actor: "tz", role: OBSERVER, since: "2026", sources: $s }) { slug actor { slug } role since } }"#,
            json!({ "s": src }),
        )
        .await;
    assert_eq!(m["createMembership"]["slug"], "khartoum-process-observer-tz");
    let q = r#"{ process(slug: "khartoum-process") { memberships(roles: [OBSERVER]) { actor { slug } } } }"#;
    assert_eq!(actor_slugs(&app.data(q, json!({})).await["process"]["memberships"]), ["tz"]);
    let (code, message) = app.write_error(r#"mutation { deleteState(slug: "tz") { slug } }"#, json!({})).await;
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("membership 'khartoum-process-observer-tz'"), "{message}");
    let upd = r#"mutation { updateMembership(slug: "khartoum-process-observer-tz", input: { role: MEMBER, until: "2026-12" }) { role until } }"#;
    assert_eq!(
        app.write_data(upd, json!({})).await["updateMembership"],
        json!({ "role": "MEMBER", "until": "2026-12" })
    );
    let bad =
        r#"mutation { updateMembership(slug: "khartoum-process-observer-tz", input: { until: "2025" }) { role } }"#;
    assert_eq!(app.write_error(bad, json!({})).await.0, "BAD_USER_INPUT", "until before since");
    app.write_data(r#"mutation { deleteMembership(slug: "khartoum-process-observer-tz") { slug } }"#, json!({})).await;
    app.write_data(r#"mutation { deleteState(slug: "tz") { slug } }"#, json!({})).await;
    assert!(app.data(r#"{ state(code: "tz") { slug } }"#, json!({})).await["state"].is_null());

    let org = app
        .write_data(
            r#"mutation($s: [SourceInput!]!) { createOrganization(input: { slug: "oecd", name: "Organisation for Economic Co-operation and Development", acronym: "OECD", sources: $s }) { slug acronym } }"#,
            json!({ "s": src }),
        )
        .await;
    assert_eq!(org["createOrganization"]["acronym"], "OECD");
    let (code, _) = app
        .write_error(
            r#"mutation($s: [SourceInput!]!) { createOrganization(input: { slug: "de", name: "Not a state", sources: $s }) { slug } }"#,
            json!({ "s": src }),
        )
        .await;
    assert_eq!(code, "CONFLICT", "a state already has that slug");
    let upd = r#"mutation { updateOrganization(slug: "oecd", input: { acronym: null, description: "An economic forum." }) { acronym description } }"#;
    assert_eq!(
        app.write_data(upd, json!({})).await["updateOrganization"],
        json!({ "acronym": null, "description": "An economic forum." })
    );

    let source = app
        .write_data(r#"mutation { createSource(input: { title: "Annual report 2026", publisher: "ICMPD", published: "2026" }) { slug title published } }"#, json!({}))
        .await;
    assert_eq!(
        source["createSource"],
        json!({ "slug": "annual-report-2026", "title": "Annual report 2026", "published": "2026" })
    );
    let upd = r#"mutation { updateSource(slug: "annual-report-2026", input: { published: "2026-03", url: "https://example.org/ar" }) { published url } }"#;
    assert_eq!(
        app.write_data(upd, json!({})).await["updateSource"],
        json!({ "published": "2026-03", "url": "https://example.org/ar" })
    );
    // The press release now backs the organisation only: it cannot go, the annual report can.
    let (code, message) =
        app.write_error(r#"mutation { deleteSource(slug: "example-org-press-2026") { slug } }"#, json!({})).await;
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("organization 'oecd'"), "{message}");
    app.write_data(r#"mutation { deleteSource(slug: "annual-report-2026") { slug } }"#, json!({})).await;
    assert_eq!(app.app.store().check().unwrap(), Vec::<String>::new());
}

#[tokio::test]
async fn writes_survive_a_restart_on_the_same_store() {
    let app = spawn_app();
    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let version = app.data(DATASET, json!({})).await["dataset"]["version"].clone();
    let app = app.restarted();
    assert_eq!(app.data(DATASET, json!({})).await["dataset"]["version"], version);
    assert_eq!(
        app.data(MEETING, json!({ "slug": "2026-10-nairobi-labour" })).await["meeting"]["hosts"],
        json!([{ "slug": "ke" }])
    );
}

#[tokio::test]
async fn a_subscriber_on_the_websocket_receives_each_committed_change() {
    let app = spawn_app();
    let mut ws = subscribe_to_changes(&app, "graphql-transport-ws").await;

    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let version = app.data(DATASET, json!({})).await["dataset"]["version"].clone();
    let mut changes = Vec::new();
    while changes.len() < 2 {
        let msg = read(&mut ws).await;
        assert_eq!(msg["type"], "next", "{msg}");
        changes.push(msg["payload"]["data"]["changes"].clone());
    }
    assert_eq!(
        changes,
        [
            json!({ "operation": "CREATED", "typename": "Source", "slug": "khartoumprocess-net-example-2026-10", "version": version }),
            json!({ "operation": "CREATED", "typename": "Meeting", "slug": "2026-10-nairobi-labour", "version": version }),
        ]
    );
}

/// The subscription to `changes` that the WebSocket tests open.
const CHANGES: &str = "subscription { changes { operation typename slug version } }";

/// [`subscribe`] to [`CHANGES`].
async fn subscribe_to_changes(app: &TestApp, protocol: &str) -> Ws {
    subscribe(app, protocol, CHANGES).await
}

/// Serves the app on a port of 127.0.0.1, opens a WebSocket on `/graphql/ws` with `protocol`
/// (`graphql-transport-ws`, or the older `graphql-ws` of subscriptions-transport-ws), subscribes
/// to `query` as id "1", and returns once the server has registered the subscription, so that
/// no change committed after it can pass it by.
pub(crate) async fn subscribe(app: &TestApp, protocol: &str, query: &str) -> Ws {
    let before = app.app.curator.subscribers();
    let ws = start(app, protocol, query).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.app.curator.subscribers() == before {
        assert!(std::time::Instant::now() < deadline, "the subscription was not registered within 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    ws
}

/// Serves the app on a port of 127.0.0.1, opens a WebSocket on `/graphql/ws` with `protocol`,
/// and sends `query` as operation "1", without waiting for the server to run it.
pub(crate) async fn start(app: &TestApp, protocol: &str, query: &str) -> Ws {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

    let base = app.serve().await;
    let mut request = format!("{}/graphql/ws", base.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
    let (mut ws, response) = tokio_tungstenite::connect_async(request).await.expect("the WebSocket opens");
    assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
    ws.send(Message::Text(json!({ "type": "connection_init" }).to_string().into())).await.unwrap();
    let ack = read(&mut ws).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    // The older protocol names the message `start`, the newer one `subscribe`.
    let kind = if protocol == "graphql-ws" { "start" } else { "subscribe" };
    let start = json!({ "id": "1", "type": kind, "payload": { "query": query } });
    ws.send(Message::Text(start.to_string().into())).await.unwrap();
    ws
}

/// A client's WebSocket.
pub(crate) type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next `changes` events of a subscription: `count` of them, each checked to be a message of
/// type `kind` for subscription "1" (`next` in graphql-transport-ws, `data` in graphql-ws).
pub(crate) async fn next_changes(ws: &mut Ws, kind: &str, count: usize) -> Vec<Value> {
    let mut changes = Vec::new();
    while changes.len() < count {
        let msg = read(ws).await;
        if msg["type"] == "ka" {
            continue; // graphql-ws's keep-alive
        }
        assert_eq!((&msg["type"], &msg["id"]), (&json!(kind), &json!("1")), "{msg}");
        changes.push(msg["payload"]["data"]["changes"].clone());
    }
    changes
}

#[tokio::test]
async fn a_subscriber_receives_updated_and_deleted_changes() {
    let app = spawn_app();
    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let mut ws = subscribe_to_changes(&app, "graphql-transport-ws").await;

    let update = r#"mutation { updateMeeting(slug: "2026-10-nairobi-labour", input: { attendance: 40 }) { slug } }"#;
    app.write_data(update, json!({})).await;
    let updated = app.data(DATASET, json!({})).await["dataset"]["version"].clone();
    let delete = r#"mutation { deleteMeeting(slug: "2026-10-nairobi-labour") { slug } }"#;
    app.write_data(delete, json!({})).await;
    let deleted = app.data(DATASET, json!({})).await["dataset"]["version"].clone();
    assert_ne!(updated, deleted);
    assert_eq!(
        next_changes(&mut ws, "next", 2).await,
        [
            json!({ "operation": "UPDATED", "typename": "Meeting", "slug": "2026-10-nairobi-labour", "version": updated }),
            json!({ "operation": "DELETED", "typename": "Meeting", "slug": "2026-10-nairobi-labour", "version": deleted }),
        ]
    );
}

#[tokio::test]
async fn a_subscriber_on_the_older_graphql_ws_protocol_receives_each_committed_change() {
    let app = spawn_app();
    let mut ws = subscribe_to_changes(&app, "graphql-ws").await;
    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let version = app.data(DATASET, json!({})).await["dataset"]["version"].clone();
    assert_eq!(
        next_changes(&mut ws, "data", 2).await,
        [
            json!({ "operation": "CREATED", "typename": "Source", "slug": "khartoumprocess-net-example-2026-10", "version": version }),
            json!({ "operation": "CREATED", "typename": "Meeting", "slug": "2026-10-nairobi-labour", "version": version }),
        ]
    );
}

#[tokio::test]
async fn a_list_given_in_an_update_replaces_the_list() {
    let app = spawn_app();
    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let q = r#"mutation($input: UpdateMeetingInput!) {
      updateMeeting(slug: "2026-10-nairobi-labour", input: $input) {
        domains { number } notes { kind text } sources { url } processes { slug } hosts { slug } coHosts { slug }
      }
    }"#;
    let first = app
        .write_data(
            q,
            json!({ "input": {
                "domains": [3, 4],
                "notes": [{ "kind": "EDITORIAL", "text": "First note." }, { "kind": "INFERRED", "text": "Second note." }],
            } }),
        )
        .await;
    let m = &first["updateMeeting"];
    // The created meeting had domain 1: a list given is the whole new list, not an addition.
    assert_eq!(m["domains"], json!([{ "number": 3 }, { "number": 4 }]));
    assert_eq!(pluck(&m["notes"], "text"), ["First note.", "Second note."]);

    let second = app
        .write_data(
            q,
            json!({ "input": {
                "domains": [2],
                "notes": [{ "kind": "EDITORIAL", "text": "Only note." }],
                "sources": [{ "title": "Second page", "url": "https://www.khartoumprocess.net/example-2026-10-second" }],
            } }),
        )
        .await;
    let m = &second["updateMeeting"];
    assert_eq!(m["domains"], json!([{ "number": 2 }]));
    assert_eq!(pluck(&m["notes"], "text"), ["Only note."]);
    assert_eq!(pluck(&m["sources"], "url"), ["https://www.khartoumprocess.net/example-2026-10-second"]);
    // Lists not given are left as they were.
    assert_eq!(slugs(&m["processes"]), ["khartoum-process"]);
    assert_eq!((slugs(&m["hosts"]), slugs(&m["coHosts"])), (owned(&["ke"]), owned(&["de"])));
    // An empty list empties an optional list.
    let third = app.write_data(q, json!({ "input": { "domains": [], "notes": [] } })).await;
    assert_eq!((&third["updateMeeting"]["domains"], &third["updateMeeting"]["notes"]), (&json!([]), &json!([])));
}

/// The next text message of a WebSocket, as JSON, within 10 seconds.
pub(crate) async fn read<S>(ws: &mut S) -> Value
where
    S: futures_util::Stream<
            Item = Result<tokio_tungstenite::tungstenite::Message, tokio_tungstenite::tungstenite::Error>,
        > + Unpin,
{
    use futures_util::StreamExt;
    let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next()).await.expect("a message within 10 s");
    match msg.expect("the socket is open").expect("a frame") {
        tokio_tungstenite::tungstenite::Message::Text(t) => serde_json::from_str(&t).unwrap(),
        other => panic!("unexpected frame {other:?}"),
    }
}

#[tokio::test]
async fn a_kept_answer_is_revalidated_with_304_until_a_write_changes_the_data() {
    let app = spawn_app();
    let path = "/graphql?query=%7B%20meeting(slug%3A%222026-10-nairobi-labour%22)%20%7B%20title%20%7D%20%7D";
    let first = app.get(path).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.json()["data"]["meeting"].is_null());
    let etag = first.headers[header::ETAG].clone();
    assert!(etag.to_str().unwrap().starts_with("W/\""), "{etag:?}");

    let conditional = || Request::get(path).header(header::IF_NONE_MATCH, etag.clone()).body(Body::empty()).unwrap();
    let unchanged = app.send(conditional()).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.headers[header::ETAG], etag);

    app.write_data(CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })).await;
    let changed = app.send(conditional()).await;
    assert_eq!(changed.status, StatusCode::OK, "the write changed the data, so the old tag no longer matches");
    assert_eq!(changed.json()["data"]["meeting"]["title"], "Thematic meeting on labour mobility");
    assert_ne!(changed.headers[header::ETAG], etag);
    // The same query by POST is answered from the same fresh data.
    let posted = app.data("{ meeting(slug: \"2026-10-nairobi-labour\") { title } }", json!({})).await;
    assert_eq!(posted["meeting"]["title"], "Thematic meeting on labour mobility");
}

/// Asserts that the read model a write swapped in is what a full reload of the store builds
/// (and leaves the reloaded one in place): the same records in the same order, the same stamps
/// and the same metadata.
fn assert_read_model_is_the_store(app: &TestApp, after: &str) {
    let live = app.app.catalog();
    app.app.reload().unwrap();
    let reloaded = app.app.catalog();
    assert!(live.ds == reloaded.ds, "after {after}, the read model's records differ from the store's");
    assert!(live.stamps() == reloaded.stamps(), "after {after}, the read model's stamps differ from the store's");
    assert_eq!(live.meta, reloaded.meta, "after {after}");
}

#[tokio::test]
async fn after_every_kind_of_write_the_read_model_is_what_a_full_reload_of_the_store_builds() {
    let app = spawn_app();
    let src = json!([{ "title": "Press release", "url": "https://example.org/press/2026" }]);
    let writes: Vec<(&str, Value)> = vec![
        (CREATE_MEETING, json!({ "input": new_meeting("2026-10-nairobi-labour") })),
        // Moves the meeting to the front of the chronological order, and changes its hosts.
        (
            r#"mutation { updateMeeting(slug: "2026-10-nairobi-labour", input: { startDate: "2014", endDate: null, attendance: 40 }) { slug } }"#,
            json!({}),
        ),
        (
            r#"mutation { addParticipation(meeting: "2026-10-nairobi-labour", actor: "it", role: CO_HOST) { slug } }"#,
            json!({}),
        ),
        (
            r#"mutation { linkMeetings(meeting: "2025-aswan-legal-pathways", kind: BUILDS_ON, other: "2026-10-nairobi-labour") { slug } }"#,
            json!({}),
        ),
        (
            r#"mutation($s: [SourceInput!]!) { createState(input: { slug: "tz", name: "Tanzania", iso3: "TZA", continent: AFRICA, sources: $s }) { slug } }"#,
            json!({ "s": src }),
        ),
        // Renaming a state moves it in the alphabetical order.
        (r#"mutation { updateState(slug: "tz", input: { name: "Algeria B" }) { slug } }"#, json!({})),
        (
            r#"mutation($s: [SourceInput!]!) { createMembership(input: { process: "khartoum-process", actor: "tz", role: OBSERVER, since: "2026", sources: $s }) { slug } }"#,
            json!({ "s": src }),
        ),
        (
            r#"mutation { updateChairmanship(slug: "khartoum-process-2025-france", input: { end: "2026-05" }) { slug } }"#,
            json!({}),
        ),
        (
            r#"mutation($s: [SourceInput!]!) { createOrganization(input: { slug: "oecd", name: "OECD", sources: $s }) { slug } }"#,
            json!({ "s": src }),
        ),
        (r#"mutation { createSource(input: { title: "Annual report 2026", published: "2026" }) { slug } }"#, json!({})),
        (r#"mutation { deleteSource(slug: "annual-report-2026") { slug } }"#, json!({})),
        (r#"mutation { deleteMembership(slug: "khartoum-process-observer-tz") { slug } }"#, json!({})),
        (r#"mutation { deleteState(slug: "tz") { slug } }"#, json!({})),
        (
            r#"mutation { unlinkMeetings(meeting: "2025-aswan-legal-pathways", kind: BUILDS_ON, other: "2026-10-nairobi-labour") { slug } }"#,
            json!({}),
        ),
        (r#"mutation { deleteMeeting(slug: "2026-10-nairobi-labour") { slug } }"#, json!({})),
    ];
    assert_read_model_is_the_store(&app, "seeding");
    for (query, variables) in writes {
        app.write_data(query, variables).await;
        assert_read_model_is_the_store(&app, query);
    }
}

// Three workers: one held by the write's edit, one for the read, and one free to run the timer
// that bounds the wait should the read block.
#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_read_while_a_write_is_in_flight_answers_at_once_from_the_read_model_before_it() {
    use khartoum_graphql::domain::Meeting;
    use std::time::Duration;
    let app = std::sync::Arc::new(spawn_app());
    let q = r#"{ meeting(slug: "2025-aswan-legal-pathways") { attendance } dataset { version } }"#;
    let before = app.data(q, json!({})).await;
    assert_ne!(before["meeting"]["attendance"], 77);

    // A write that holds the writer from inside its edit until the test lets it go: it is in
    // flight for as long as the test needs, with no timing involved.
    let (entered, in_edit) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    // Shared, since a write's edit is cloned for each of its tries.
    let released = std::sync::Arc::new(std::sync::Mutex::new(released));
    let curator = std::sync::Arc::clone(&app.app.curator);
    let write = tokio::spawn(async move {
        curator
            .write(Some(TOKEN), move |draft| {
                entered.send(()).unwrap();
                released.lock().unwrap().recv().unwrap();
                draft.get_mut::<Meeting>("2025-aswan-legal-pathways")?.attendance = Some(77);
                Ok(())
            })
            .await
    });
    tokio::task::spawn_blocking(move || in_edit.recv_timeout(Duration::from_secs(10)))
        .await
        .unwrap()
        .expect("the write reached its edit within 10 s");

    // A read blocked by the write would wait until it is released, which happens only after. It
    // runs as a task, as a server's request does, so that the bound holds even if it blocks.
    let reader = std::sync::Arc::clone(&app);
    let read = tokio::spawn(async move { reader.data(q, json!({})).await });
    let during = tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("a read answers while a write is in flight")
        .unwrap();
    assert_eq!(during, before, "a read during a write sees the read model from before it");

    release.send(()).unwrap();
    write.await.unwrap().expect("the write commits once released");
    let after = app.data(q, json!({})).await;
    assert_eq!(after["meeting"]["attendance"], 77);
    assert_ne!(after["dataset"]["version"], before["dataset"]["version"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_read_answers_from_one_read_model_while_writes_swap_them() {
    let app = std::sync::Arc::new(spawn_app());
    // Each field below is resolved on its own; answered from one read model, they agree: the
    // count of meetings is the same twice, and each write adds one meeting and one revision.
    let q = r#"{ dataset { version meetings } meetings(first: 1) { totalCount } again: dataset { meetings version } }"#;
    let revision =
        |v: &Value| -> i64 { v.as_str().and_then(|s| s.rsplit_once("-r")).map_or(0, |(_, r)| r.parse().unwrap()) };
    let first = app.data(q, json!({})).await;
    // The revision counts writes from the seed on the embedded store, and is etcd's on etcd,
    // where each write is one revision too.
    let (seeded, seeded_revision) =
        (first["dataset"]["meetings"].as_i64().unwrap(), revision(&first["dataset"]["version"]));
    let writer = {
        let app = std::sync::Arc::clone(&app);
        tokio::spawn(async move {
            for n in 0..20 {
                let mut input = new_meeting(&format!("2026-10-nairobi-labour-{n}"));
                input["sources"][0]["url"] = json!(format!("https://www.khartoumprocess.net/example-2026-10-{n}"));
                app.write_data(CREATE_MEETING, json!({ "input": input })).await;
            }
        })
    };
    let mut reads = 0;
    let mut seen = std::collections::BTreeSet::new();
    while !writer.is_finished() || reads == 0 {
        let d = app.data(q, json!({})).await;
        let meetings = d["dataset"]["meetings"].as_i64().unwrap();
        assert_eq!(d["meetings"]["totalCount"], meetings, "{d}");
        assert_eq!(d["again"]["meetings"], meetings, "{d}");
        assert_eq!(d["again"]["version"], d["dataset"]["version"], "{d}");
        assert_eq!(
            meetings - seeded,
            revision(&d["dataset"]["version"]) - seeded_revision,
            "one meeting per revision: {d}"
        );
        seen.insert(meetings);
        reads += 1;
    }
    writer.await.unwrap();
    println!("{reads} reads during 20 writes saw {} read models", seen.len());
}
