//! People as records: every person of `seed/people.json` through `people`, `person(slug:)` and
//! `node(id:)`, with their posts and sources; the links from a chair term and a participation to
//! the person and back; the participants of the 2025 ministerial that its news item lists; and
//! the `people` and `posts` export tables. Expectations come from the seed files and the archived
//! sources, not from figures typed into the tests.

use crate::archived_sources::{archived_text, assert_source_says};
use crate::binary::cli;
use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const PERSON: &str = r#"query($slug: String!) { person(slug: $slug) {
    id slug name
    posts { title actor { slug } start end sources { slug } }
    sources { slug }
    notes { kind }
    chairmanships { slug }
    participations { meeting { slug } actor { slug } role }
} }"#;

/// Every (meeting, actor, role) whose participation links `person`, from seed/meetings.json.
fn seed_participations_of(person: &str) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for m in seed_file("meetings.json") {
        for p in m["participations"].as_array().into_iter().flatten() {
            if strings(p, "people").iter().any(|x| x == person) {
                out.insert((must(&m, "slug").to_owned(), must(p, "actor").to_owned(), must(p, "role").to_owned()));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_person_of_the_seed_is_listed_by_slug_with_their_name_and_posts() {
    let app = spawn_app();
    let listed = app.all_nodes("people", "slug name posts { title actor { slug } start end }", 7).await;
    let mut expected = Vec::new();
    for p in seed_file("people.json") {
        let posts: Vec<Value> = p["posts"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| json!({ "title": x["title"], "actor": { "slug": x["actor"] }, "start": or_null(x, "start"), "end": or_null(x, "end") }))
            .collect();
        expected.push(json!({ "slug": p["slug"], "name": p["name"], "posts": posts }));
    }
    expected.sort_by(|a, b| a["slug"].as_str().cmp(&b["slug"].as_str()));
    assert!(!expected.is_empty(), "seed/people.json holds people");
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn each_person_is_a_node_whose_sources_are_the_seeds_and_resolve_to_a_kept_or_explained_source() {
    let app = spawn_app();
    let sources: BTreeMap<String, Value> =
        seed_file("sources.json").into_iter().map(|s| (must(&s, "slug").to_owned(), s)).collect();
    for p in seed_file("people.json") {
        let slug = must(&p, "slug");
        let got = app.data(PERSON, json!({ "slug": slug })).await["person"].clone();
        assert_eq!(pluck(&got["sources"], "slug"), strings(&p, "sources"), "{slug}");
        let node = app
            .data(r#"query($id: ID!) { node(id: $id) { ... on Person { slug } } }"#, json!({ "id": got["id"] }))
            .await;
        assert_eq!(node["node"]["slug"], slug, "{slug}: its global id resolves");
        let posts = p["posts"].as_array().cloned().unwrap_or_default();
        for (i, post) in posts.iter().enumerate() {
            assert_eq!(pluck(&got["posts"][i]["sources"], "slug"), strings(post, "sources"), "{slug} post {i}");
        }
        let cited = strings(&p, "sources").into_iter().chain(posts.iter().flat_map(|x| strings(x, "sources")));
        for s in cited {
            let source = sources.get(&s).unwrap_or_else(|| panic!("{slug} cites unknown source {s}"));
            assert!(
                text(source, "archived").is_some() || text(source, "notArchived").is_some(),
                "{slug}: source {s} has an archived text or says why not"
            );
        }
        assert_eq!(got["participations"].as_array().unwrap().len(), seed_participations_of(slug).len(), "{slug}");
    }
    let unknown = app.data(PERSON, json!({ "slug": "no-such-person" })).await;
    assert_eq!(unknown["person"], Value::Null);
}

#[tokio::test]
async fn a_journalist_goes_from_each_chair_term_to_the_person_who_chaired_and_back() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ chairmanships { slug chairperson person { slug name chairmanships { slug } posts { actor { slug } } } } }"#,
            json!({}),
        )
        .await;
    let terms = data["chairmanships"].as_array().unwrap();
    let seed: BTreeMap<String, Value> =
        seed_file("chairmanships.json").into_iter().map(|t| (must(&t, "slug").to_owned(), t)).collect();
    let people: BTreeMap<String, Value> =
        seed_file("people.json").into_iter().map(|p| (must(&p, "slug").to_owned(), p)).collect();
    let mut linked = 0;
    for term in terms {
        let slug = must(term, "slug");
        let Some(person) = text(&seed[slug], "person") else {
            assert_eq!(term["person"], Value::Null, "{slug}");
            continue;
        };
        linked += 1;
        assert_eq!(term["person"]["slug"], person, "{slug}");
        assert_eq!(term["person"]["name"], people[person]["name"], "{slug}");
        assert!(pluck(&term["person"]["chairmanships"], "slug").contains(&slug.to_owned()), "{slug}: and back");
        // The chairperson named on the term is the person's name as the record writes it.
        assert_eq!(term["chairperson"], people[person]["name"], "{slug}");
    }
    assert_eq!(linked, seed.values().filter(|t| text(t, "person").is_some()).count());
    assert!(linked > 0, "the seed links chair terms to people");
}

#[tokio::test]
async fn the_chair_of_the_2025_ministerial_is_egypts_foreign_minister_as_the_news_item_says() {
    // seed-000: "HE Dr Badr Abdelatty, Minister of Foreign Affairs, Emigration and Egyptian Expatriates".
    assert_source_says("seed-000", "Badr Abdelatty, Minister of Foreign Affairs, Emigration and Egyptian Expatriates");
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meeting(slug: "2025-04-cairo-ministerial-conference") {
                    participations { role actor { slug } person people { slug name posts { title actor { slug } } } }
                } }"#,
            json!({}),
        )
        .await;
    let chair = data["meeting"]["participations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "CHAIR")
        .expect("the ministerial has a chair")
        .clone();
    let person = &chair["people"][0];
    assert_eq!(person["name"], "Badr Abdelatty");
    assert_eq!(chair["person"], person["name"], "the name beside the link is the person's");
    assert_eq!(person["posts"][0]["title"], "Minister of Foreign Affairs, Emigration and Egyptian Expatriates");
    assert_eq!(person["posts"][0]["actor"]["slug"], chair["actor"]["slug"]);
}

#[tokio::test]
async fn each_participation_leads_to_its_people_and_each_person_back_to_it() {
    let app = spawn_app();
    let mut seen = 0;
    for m in seed_file("meetings.json") {
        let slug = must(&m, "slug");
        let linked: Vec<&Value> =
            m["participations"].as_array().into_iter().flatten().filter(|p| !strings(p, "people").is_empty()).collect();
        if linked.is_empty() {
            continue;
        }
        let data = app
            .data(
                r#"query($slug: String!) { meeting(slug: $slug) { participations {
                        actor { slug } role people { slug participations { meeting { slug } actor { slug } role } }
                    } } }"#,
                json!({ "slug": slug }),
            )
            .await;
        let got = data["meeting"]["participations"].as_array().unwrap();
        for p in linked {
            let (actor, role) = (must(p, "actor"), must(p, "role"));
            let g = got.iter().find(|x| x["actor"]["slug"] == actor && x["role"] == role).unwrap();
            assert_eq!(pluck(&g["people"], "slug"), strings(p, "people"), "{slug} {actor} {role}");
            for person in g["people"].as_array().unwrap() {
                let back: Vec<Value> = person["participations"].as_array().unwrap().to_vec();
                let key = json!({ "meeting": { "slug": slug }, "actor": { "slug": actor }, "role": role });
                assert!(back.contains(&key), "{slug}: {} leads back to it", person["slug"]);
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "the seed links participations to people");
}

#[tokio::test]
async fn the_2025_ministerial_lists_as_participants_the_organisations_its_news_item_names() {
    let news = archived_text("seed-000").expect("seed-000 is archived");
    // Footnote 2 names the international organisations, each with its acronym in brackets.
    let footnote = news.lines().find(|l| l.starts_with('²')).expect("footnote 2");
    let acronyms: BTreeSet<String> =
        footnote.split('(').skip(1).map(|s| s.split(')').next().unwrap().to_owned()).collect();
    assert!(!acronyms.is_empty());
    assert!(news.contains("along with the African Union, the European Union and international organisations"));

    let app = spawn_app();
    let data = app
        .data(
            r#"{ meeting(slug: "2025-04-cairo-ministerial-conference") {
                    participations(roles: [PARTICIPANT]) { actor { ... on Organization { acronym } } }
                } }"#,
            json!({}),
        )
        .await;
    let participants: BTreeSet<String> = data["meeting"]["participations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["actor"]["acronym"].as_str().map(str::to_owned))
        .collect();
    let expected: BTreeSet<String> = acronyms.into_iter().chain(["AU".to_owned(), "EU".to_owned()]).collect();
    assert_eq!(participants, expected);
}

#[tokio::test]
async fn the_people_and_posts_tables_hold_every_person_and_post_of_the_seed() {
    let app = spawn_app();
    let people = app.get("/export/people.json").await.json();
    let posts = app.get("/export/posts.json").await.json();
    let seed = seed_file("people.json");
    assert_eq!(pluck(&people, "slug"), sorted(seed.iter().map(|p| must(p, "slug").to_owned()).collect()));
    let mut expected = Vec::new();
    for p in &seed {
        for (i, post) in p["posts"].as_array().into_iter().flatten().enumerate() {
            expected.push((
                must(p, "slug").to_owned(),
                i + 1,
                must(post, "title").to_owned(),
                must(post, "actor").to_owned(),
            ));
        }
    }
    expected.sort();
    let mut got: Vec<(String, usize, String, String)> = posts
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = r["number"].as_u64().unwrap() as usize;
            (must(r, "person_slug").to_owned(), n, must(r, "title").to_owned(), must(r, "actor_slug").to_owned())
        })
        .collect();
    got.sort();
    assert_eq!(got, expected);
    let package = app.get("/export/datapackage.json").await.json();
    let resource = |name: &str| package["resources"].as_array().unwrap().iter().find(|r| r["name"] == name).cloned();
    let posts_schema = resource("posts").expect("posts is described")["schema"].clone();
    assert_eq!(posts_schema["foreignKeys"][0]["reference"], json!({ "resource": "people", "fields": ["slug"] }));
    assert_eq!(resource("people").expect("people is described")["schema"]["primaryKey"], json!(["slug"]));
}

#[test]
fn check_seed_counts_the_people_and_posts_of_the_seed_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["check-seed"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let people = seed_file("people.json");
    let posts: usize = people.iter().map(|p| p["posts"].as_array().map_or(0, Vec::len)).sum();
    let participations: usize =
        seed_file("meetings.json").iter().map(|m| m["participations"].as_array().map_or(0, Vec::len)).sum();
    for counted in
        [format!("{} people", people.len()), format!("{posts} posts"), format!("{participations} participations")]
    {
        assert!(stdout.contains(&counted), "{counted}: {stdout}");
    }
}

#[tokio::test]
async fn a_participation_or_chair_term_that_names_an_unknown_person_is_refused() {
    let app = spawn_app();
    let add = r#"mutation { addParticipation(meeting: "2025-04-cairo-ministerial-conference", actor: "ml",
        role: PARTICIPANT, person: "Nobody", people: ["no-such-person"]) { slug } }"#;
    let (code, message) = app.write_error(add, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT", "{message}");
    assert!(message.contains("no-such-person"), "{message}");
    let update = r#"mutation { updateChairmanship(slug: "khartoum-process-2025-france", input: { person: "no-such-person" }) { slug } }"#;
    let (code, message) = app.write_error(update, json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT", "{message}");
}

#[tokio::test]
async fn the_directorates_general_the_factsheet_names_are_parts_of_the_european_commission() {
    // seed-002: "the European Commission (DG Home, DG INTPA)".
    assert_source_says("seed-002", "European Commission (DG Home, DG INTPA)");
    let app = spawn_app();
    let data = app.data(r#"{ organization(slug: "ec") { parts { acronym partOf { slug } } } }"#, json!({})).await;
    let parts = &data["organization"]["parts"];
    assert_eq!(pluck(parts, "acronym"), owned(&["DG HOME", "DG INTPA"]));
    assert!(parts.as_array().unwrap().iter().all(|p| p["partOf"]["slug"] == "ec"));
    let seed_parts: Vec<String> = seed_file("organizations.json")
        .iter()
        .filter(|o| text(o, "partOf") == Some("ec"))
        .map(|o| must(o, "acronym").to_owned())
        .collect();
    assert_eq!(pluck(parts, "acronym"), seed_parts, "as seed/organizations.json records them");
}

#[tokio::test]
async fn a_curator_creates_a_person_links_a_chair_term_to_them_and_cannot_delete_them_while_linked() {
    let app = spawn_app();
    let create = r#"mutation($input: CreatePersonInput!) { createPerson(input: $input) {
        slug name posts { title actor { slug } start sources { url } }
    } }"#;
    let source = json!({ "title": "Handover", "url": "https://www.khartoumprocess.net/handover-2026" });
    let input = json!({
        "name": "Jean Exemple",
        "posts": [{ "title": "Minister of the Interior", "actor": "fr", "start": "2026-01", "sources": [source] }],
        "sources": [source],
    });
    let made = app.write_data(create, json!({ "input": input })).await["createPerson"].clone();
    assert_eq!(made["slug"], "jean-exemple", "the slug is the name in kebab case");
    assert_eq!(made["posts"][0]["actor"]["slug"], "fr");
    assert_eq!(made["posts"][0]["sources"][0]["url"], source["url"]);

    let link = r#"mutation { updateChairmanship(slug: "khartoum-process-2025-france", input: { person: "jean-exemple" }) {
        person { slug chairmanships { slug } } } }"#;
    let linked = app.write_data(link, json!({})).await;
    assert_eq!(linked["updateChairmanship"]["person"]["chairmanships"][0]["slug"], "khartoum-process-2025-france");

    let (code, message) =
        app.write_error(r#"mutation { deletePerson(slug: "jean-exemple") { slug } }"#, json!({})).await;
    assert_eq!(code, "CONFLICT", "{message}");
    assert!(message.contains("khartoum-process-2025-france"), "{message}");

    let rename = r#"mutation { updatePerson(slug: "jean-exemple", input: { name: "Jean Exemple-Modèle", posts: [] }) {
        name posts { title } } }"#;
    let renamed = app.write_data(rename, json!({})).await["updatePerson"].clone();
    assert_eq!(renamed, json!({ "name": "Jean Exemple-Modèle", "posts": [] }));

    let unlink = r#"mutation { updateChairmanship(slug: "khartoum-process-2025-france", input: { person: null }) { person { slug } } }"#;
    assert_eq!(app.write_data(unlink, json!({})).await["updateChairmanship"]["person"], Value::Null);
    let gone = app.write_data(r#"mutation { deletePerson(slug: "jean-exemple") { slug } }"#, json!({})).await;
    assert_eq!(gone["deletePerson"]["slug"], "jean-exemple");
    assert_eq!(app.data(PERSON, json!({ "slug": "jean-exemple" })).await["person"], Value::Null);
}

const SEARCH: &str = r#"query($t: String!, $n: Int) { search(text: $t, first: $n) {
    __typename ... on Person { slug name } ... on State { slug } ... on Organization { slug }
} }"#;

/// The slugs of the people among the hits of a search, in rank order.
async fn people_found(app: &TestApp, text: &str, first: i32) -> Vec<String> {
    let hits = app.data(SEARCH, json!({ "t": text, "n": first })).await["search"].clone();
    hits.as_array()
        .unwrap()
        .iter()
        .filter(|h| h["__typename"] == "Person")
        .map(|h| must(h, "slug").to_owned())
        .collect()
}

#[tokio::test]
async fn searching_a_person_s_full_name_finds_that_person_first() {
    let app = spawn_app();
    let people = seed_file("people.json");
    assert!(!people.is_empty(), "seed/people.json holds people");
    for p in &people {
        let hits = app.data(SEARCH, json!({ "t": must(p, "name"), "n": 5 })).await["search"].clone();
        let first = &hits[0];
        assert_eq!((first["__typename"].as_str(), first["slug"].as_str()), (Some("Person"), p["slug"].as_str()));
        assert_eq!(first["name"], p["name"]);
    }
}

#[tokio::test]
async fn a_person_is_found_by_a_word_of_their_name_and_by_the_title_of_each_post_they_held() {
    let app = spawn_app();
    for p in seed_file("people.json") {
        let slug = must(&p, "slug").to_owned();
        let surname = must(&p, "name").rsplit(' ').next().unwrap();
        assert!(people_found(&app, surname, 100).await.contains(&slug), "{slug} by '{surname}'");
        for post in p["posts"].as_array().into_iter().flatten() {
            let title = must(post, "title");
            assert!(people_found(&app, title, 100).await.contains(&slug), "{slug} by '{title}'");
        }
    }
}

#[tokio::test]
async fn a_person_created_renamed_and_deleted_through_the_api_is_found_by_search_only_while_named_so() {
    let app = spawn_app();
    assert!(people_found(&app, "Quokkaminister", 100).await.is_empty());
    let create = r#"mutation($input: CreatePersonInput!) { createPerson(input: $input) { slug } }"#;
    let source = json!({ "title": "Handover", "url": "https://www.khartoumprocess.net/handover-2026" });
    let input = json!({ "name": "Jean Quokkaminister", "posts": [], "sources": [source] });
    app.write_data(create, json!({ "input": input })).await;
    assert_eq!(people_found(&app, "quokkaminister", 100).await, ["jean-quokkaminister"]);
    let rename = r#"mutation { updatePerson(slug: "jean-quokkaminister", input: { name: "Jean Wombat" }) { slug } }"#;
    app.write_data(rename, json!({})).await;
    assert!(people_found(&app, "quokkaminister", 100).await.is_empty());
    assert_eq!(people_found(&app, "wombat", 100).await, ["jean-quokkaminister"]);
    app.write_data(r#"mutation { deletePerson(slug: "jean-quokkaminister") { slug } }"#, json!({})).await;
    assert!(people_found(&app, "wombat", 100).await.is_empty());
}

#[tokio::test]
async fn the_2025_ministerial_records_each_of_the_forty_states_its_news_item_lists_as_taking_part() {
    let news = archived_text("seed-000").expect("seed-000 is archived");
    // Footnote 1 lists the participating states by name, separated by commas, the last after "and".
    let footnote = news.lines().find(|l| l.starts_with('¹')).expect("footnote 1");
    let listed = footnote.trim_start_matches('¹').split(". A full").next().unwrap().replace(", and ", ", ");
    let names: BTreeSet<String> = listed.split(',').map(|n| n.trim().trim_start_matches("The ").to_owned()).collect();
    assert_eq!(names.len(), 40, "the news item lists 40 states: {names:?}");
    let states: BTreeMap<String, String> =
        seed_file("states.json").iter().map(|s| (must(s, "name").to_owned(), must(s, "slug").to_owned())).collect();
    let expected: BTreeSet<String> =
        names.iter().map(|n| states.get(n).unwrap_or_else(|| panic!("{n} is a state of the seed")).clone()).collect();

    let app = spawn_app();
    let data = app
        .data(
            r#"{ meeting(slug: "2025-04-cairo-ministerial-conference") {
                    participations { role actor { __typename ... on State { slug } } sources { slug } }
                } }"#,
            json!({}),
        )
        .await;
    let mut took_part = BTreeSet::new();
    let mut participants = BTreeSet::new();
    for p in data["meeting"]["participations"].as_array().unwrap() {
        let Some(slug) = p["actor"]["slug"].as_str() else { continue };
        took_part.insert(slug.to_owned());
        if p["role"] == "PARTICIPANT" {
            assert!(participants.insert(slug.to_owned()), "{slug} is a participant once");
            assert_eq!(p["sources"], json!([{ "slug": "seed-000" }]), "{slug} cites the news item");
        }
    }
    assert_eq!(took_part, expected, "every state listed takes part, and no other");
    // A state that hosted or chaired is not listed again as a participant.
    let organising: BTreeSet<&String> = took_part.difference(&participants).collect();
    assert_eq!(organising, BTreeSet::from([&"eg".to_owned()]));
}
