//! Names in English, French and Arabic: `name(lang:)` and `names` on states, organisations,
//! processes and documents, each name with its sources, and search by any of them. Expected
//! names are read from the archive `sources/names.json` and `seed/`, independently of the API.

use crate::helpers::*;
use serde_json::{json, Value};
use std::path::Path;

/// The archived French or Arabic name of a record, and its sources.
fn archived(collection: &str, slug: &str, lang: &str) -> Option<(String, Vec<String>)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("sources/names.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    file["names"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["collection"] == collection && n["slug"] == slug && n["lang"] == lang)
        .map(|n| (n["text"].as_str().unwrap().to_owned(), strings(n, "sources")))
}

const NAMES: &str = r#"query($s: String!) {
  state(code: $s) { en: name fr: name(lang: FR) ar: name(lang: AR) null: name(lang: null)
    names { lang text sources { slug url reference } } }
}"#;

#[tokio::test]
async fn sudan_and_egypt_have_french_and_arabic_names_from_iso_codes_with_their_sources() {
    let app = spawn_app();
    for slug in ["sd", "eg"] {
        let state = &app.data(NAMES, json!({ "s": slug })).await["state"];
        let english = seed_file("states.json").into_iter().find(|s| s["slug"] == slug).unwrap()["name"].clone();
        assert_eq!(state["en"], english, "{slug}: English by default");
        assert_eq!(state["null"], english, "{slug}: an explicit null is English");
        let names = state["names"].as_array().unwrap();
        assert_eq!(pluck(&state["names"], "lang"), ["EN", "FR", "AR"], "{slug}");
        assert_eq!(names[0]["text"], english);
        for (i, lang, field) in [(1, "FR", "fr"), (2, "AR", "ar")] {
            let (text, sources) = archived("states", slug, lang).unwrap_or_else(|| panic!("{slug} {lang} archived"));
            assert_eq!(state[field], text.as_str(), "{slug} {lang}");
            assert_ne!(state[field], english, "{slug} {lang}: not the English name");
            assert_eq!(names[i]["text"], text.as_str(), "{slug} {lang}");
            assert_eq!(pluck(&names[i]["sources"], "slug"), sources, "{slug} {lang}");
            let source = &names[i]["sources"][0];
            assert!(source["url"].as_str().unwrap().contains("iso-codes"), "{source}");
            assert_eq!(source["reference"], "sources/names.json", "{slug} {lang}: the archived extract is named");
        }
    }
}

#[tokio::test]
async fn the_european_commission_has_french_and_arabic_names_each_citing_the_page_that_gives_it() {
    let app = spawn_app();
    let q = r#"{ organization(slug: "ec") { name fr: name(lang: FR) ar: name(lang: AR)
        names { lang text sources { slug url } } } }"#;
    let ec = &app.data(q, json!({})).await["organization"];
    assert_eq!(pluck(&ec["names"], "lang"), ["EN", "FR", "AR"]);
    for (i, lang, field) in [(1, "FR", "fr"), (2, "AR", "ar")] {
        let (text, sources) = archived("organizations", "ec", lang).unwrap();
        assert_eq!(ec[field], text.as_str());
        assert_eq!(ec["names"][i]["text"], text.as_str());
        assert_eq!(pluck(&ec["names"][i]["sources"], "slug"), sources);
        for s in ec["names"][i]["sources"].as_array().unwrap() {
            assert!(s["url"].as_str().unwrap().starts_with("http"), "{lang}: a page a reader can open: {s}");
        }
    }
}

#[tokio::test]
async fn a_name_no_source_gives_falls_back_to_english_and_is_not_listed() {
    let app = spawn_app();
    // A record the archive names in neither language, found from the seed and the archive.
    let document = seed_file("documents.json")
        .into_iter()
        .find(|d| {
            let slug = d["slug"].as_str().unwrap();
            archived("documents", slug, "FR").is_none() && archived("documents", slug, "AR").is_none()
        })
        .expect("a document without French or Arabic title");
    let q =
        r#"query($s: String!) { document(slug: $s) { title fr: name(lang: FR) ar: name(lang: AR) names { lang } } }"#;
    let d = &app.data(q, json!({ "s": document["slug"] })).await["document"];
    assert_eq!(d["fr"], d["title"]);
    assert_eq!(d["ar"], d["title"]);
    assert_eq!(pluck(&d["names"], "lang"), ["EN"]);
}

#[tokio::test]
async fn a_name_asked_through_the_actor_interface_is_in_the_language_asked() {
    let app = spawn_app();
    let q = r#"query($s: String!) { actor(slug: $s) { fr: name(lang: FR) ar: name(lang: AR) names { lang } } }"#;
    let actor = &app.data(q, json!({ "s": "eg" })).await["actor"];
    assert_eq!(actor["fr"], archived("states", "eg", "FR").unwrap().0.as_str());
    assert_eq!(actor["ar"], archived("states", "eg", "AR").unwrap().0.as_str());
    assert_eq!(pluck(&actor["names"], "lang"), ["EN", "FR", "AR"]);
}

const SEARCH: &str = r#"query($t: String!) { search(text: $t, first: 5) {
  __typename ... on State { slug } ... on Organization { slug } ... on Process { slug } } }"#;

#[tokio::test]
async fn searching_soudan_or_السودان_ranks_sudan_first_in_any_case_accent_or_arabic_spelling() {
    let app = spawn_app();
    for text in ["Soudan", "SOUDAN", "soudan", "السودان", "السّودان", "Sudan", "Égypte", "egypte", "مصر"]
    {
        let hits = app.data(SEARCH, json!({ "t": text })).await["search"].clone();
        let first = &hits[0];
        let expected = if ["Égypte", "egypte", "مصر"].contains(&text) { "eg" } else { "sd" };
        assert_eq!(first["__typename"], "State", "{text}: {hits}");
        assert_eq!(first["slug"], expected, "{text}: {hits}");
    }
    // South Sudan is found by its French and Arabic names too, after Sudan.
    for text in ["Soudan", "السودان"] {
        let hits = app.data(SEARCH, json!({ "t": text })).await["search"].clone();
        assert!(pluck(&hits, "slug").contains(&"ss".to_owned()), "{text}: {hits}");
    }
    let hits = app.data(SEARCH, json!({ "t": "Processus de Khartoum" })).await["search"].clone();
    assert_eq!(hits[0]["slug"], "khartoum-process", "{hits}");
    let hits = app.data(SEARCH, json!({ "t": "عملية الخرطوم" })).await["search"].clone();
    assert_eq!(hits[0]["slug"], "khartoum-process", "{hits}");
}
