//! The journalists' queries: the chair on a day, gaps between terms, co-host pairs, meeting
//! counts, commitment coverage and full-text search, each checked against the seed files.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The slug of the chair term of `process` in force on `day`, computed from the seed: the terms
/// whose span (first day of the start to last day of the end) holds the day, the latest-starting
/// one winning.
fn expected_chair(process: &str, day: &str) -> Option<String> {
    let mut terms: Vec<Value> =
        seed_file("chairmanships.json").into_iter().filter(|t| t["process"] == process).collect();
    terms.sort_by_key(|t| {
        (first_day(t["start"].as_str().unwrap()), t["end"].as_str().map_or("9999-12-31".into(), last_day))
    });
    terms
        .iter()
        .rev()
        .find(|t| {
            first_day(t["start"].as_str().unwrap()).as_str() <= day
                && t["end"].as_str().is_none_or(|e| last_day(e).as_str() >= day)
        })
        .map(|t| t["slug"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn chair_on_a_day_is_the_term_in_force_and_null_before_the_first() {
    let app = spawn_app();
    let q = r#"query($p: String!, $d: Date!) { chairOn(process: $p, date: $d) { slug chair { slug } } }"#;
    let app = &app;
    let on = |d: &'static str| async move {
        app.data(q, json!({ "p": "khartoum-process", "d": d })).await["chairOn"].clone()
    };
    assert_eq!(on("2019-06-01").await["slug"], "khartoum-process-2019-eritrea");
    assert_eq!(on("2019-06-01").await["chair"]["slug"], "er");
    assert!(on("2013-06-01").await.is_null(), "before the first term");
    for day in
        ["2014-11-28", "2016-06-30", "2017-12-07", "2019-03-07", "2020-03-05", "2022-03-15", "2024-04-17", "2026-01-01"]
    {
        let got = on(day).await;
        assert_eq!(got["slug"].as_str().map(str::to_owned), expected_chair("khartoum-process", day), "{day}");
    }
    for day in ["2016-06-30", "2021-11-15", "2025-06-01"] {
        let got = app.data(q, json!({ "p": "rabat-process", "d": day })).await["chairOn"].clone();
        assert_eq!(got["slug"].as_str().map(str::to_owned), expected_chair("rabat-process", day), "rabat {day}");
    }
    let (code, _) = app.error(q, json!({ "p": "nowhere-process", "d": "2020-01-01" })).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn chair_terms_flag_the_gaps_and_overlaps_between_them() {
    let app = spawn_app();
    let q = r#"{ process(slug: "khartoum-process") { chairmanships { slug start end gapBefore gapBeforeDays overlapsPrevious } } }"#;
    let terms = app.data(q, json!({})).await["process"]["chairmanships"].as_array().unwrap().clone();
    assert!(
        terms[0]["gapBeforeDays"].is_null() && terms[0]["gapBefore"] == false,
        "the first term has no previous one"
    );
    for pair in terms.windows(2) {
        let (prev, t) = (&pair[0], &pair[1]);
        // Recomputed from the dates alone: days strictly between the previous end and this start.
        let end = chrono::NaiveDate::parse_from_str(&last_day(prev["end"].as_str().unwrap()), "%Y-%m-%d").unwrap();
        let start = chrono::NaiveDate::parse_from_str(&first_day(t["start"].as_str().unwrap()), "%Y-%m-%d").unwrap();
        let gap = ((start - end).num_days() - 1).max(0);
        assert_eq!(t["gapBeforeDays"], json!(gap), "{}", t["slug"]);
        assert_eq!(t["gapBefore"], json!(gap > 0), "{}", t["slug"]);
        assert_eq!(t["overlapsPrevious"], false, "{}: the seed rules allow no unexplained overlap", t["slug"]);
    }
    let eritrea = terms.iter().find(|t| t["slug"] == "khartoum-process-2019-eritrea").unwrap();
    assert_eq!(eritrea["gapBeforeDays"], 0, "Italy handed over to Eritrea on the day");
}

/// Meetings (slug) each pair of actors organised together, computed from the seed.
fn expected_pairs(process: Option<&str>) -> BTreeMap<(String, String), Vec<String>> {
    let mut pairs: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for m in seed_file("meetings.json") {
        if process.is_some_and(|p| !strings(&m, "processes").iter().any(|x| x == p)) {
            continue;
        }
        let mut org: Vec<String> = m["participations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| ["HOST", "CO_HOST", "CHAIR", "CO_CHAIR"].contains(&p["role"].as_str().unwrap()))
            .map(|p| p["actor"].as_str().unwrap().to_owned())
            .collect();
        org.sort();
        org.dedup();
        for (i, a) in org.iter().enumerate() {
            for b in &org[i + 1..] {
                pairs.entry((a.clone(), b.clone())).or_default().push(m["slug"].as_str().unwrap().to_owned());
            }
        }
    }
    pairs
}

#[tokio::test]
async fn co_host_pairs_involving_germany_match_the_meetings_it_organised_with_others() {
    let app = spawn_app();
    let q = r#"{ coHostPairs(first: 100) { a { slug } b { slug } count meetings { slug } sources { slug } } }"#;
    let got = app.data(q, json!({})).await["coHostPairs"].as_array().unwrap().clone();
    let expected = expected_pairs(None);
    assert_eq!(got.len(), expected.len().min(100));
    let counts: Vec<i64> = got.iter().map(|p| p["count"].as_i64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most shared meetings first: {counts:?}");
    let germany: BTreeMap<(String, String), Vec<String>> =
        expected.iter().filter(|((a, b), _)| a == "de" || b == "de").map(|(k, v)| (k.clone(), v.clone())).collect();
    assert!(!germany.is_empty(), "Germany co-organised meetings in the seed");
    for p in got.iter().filter(|p| p["a"]["slug"] == "de" || p["b"]["slug"] == "de") {
        let key = (p["a"]["slug"].as_str().unwrap().to_owned(), p["b"]["slug"].as_str().unwrap().to_owned());
        let mut meetings = slugs(&p["meetings"]);
        meetings.sort();
        let mut want = germany[&key].clone();
        want.sort();
        assert_eq!(meetings, want, "{key:?}");
        assert_eq!(p["count"], json!(want.len()));
        assert!(!p["sources"].as_array().unwrap().is_empty(), "{key:?} carries its sources");
    }
    let with_germany = got.iter().filter(|p| p["a"]["slug"] == "de" || p["b"]["slug"] == "de").count();
    assert_eq!(with_germany, germany.len());

    let rabat = app.data(r#"{ coHostPairs(process: "rabat-process", first: 100) { count } }"#, json!({})).await;
    assert_eq!(rabat["coHostPairs"].as_array().unwrap().len(), expected_pairs(Some("rabat-process")).len());
    let one = app.data(r#"{ coHostPairs(first: 1) { count } }"#, json!({})).await;
    assert_eq!(one["coHostPairs"].as_array().unwrap().len(), 1);
    assert_eq!(app.error(r#"{ coHostPairs(first: 101) { count } }"#, json!({})).await.0, "PAGE_SIZE_EXCEEDED");
}

#[tokio::test]
async fn meeting_counts_group_the_filtered_meetings_by_year_kind_host_and_domain() {
    let app = spawn_app();
    let meetings = seed_file("meetings.json");
    let q = r#"query($g: MeetingGrouping!, $f: MeetingFilter) { meetingCounts(groupBy: $g, filter: $f) { key label count } }"#;
    let years = app.data(q, json!({ "g": "YEAR" })).await["meetingCounts"].as_array().unwrap().clone();
    let in_2021 = meetings.iter().filter(|m| m["startDate"].as_str().unwrap().starts_with("2021")).count();
    assert_eq!(years.iter().find(|g| g["key"] == "2021").unwrap()["count"], json!(in_2021));
    assert_eq!(years.iter().map(|g| g["count"].as_u64().unwrap() as usize).sum::<usize>(), meetings.len());
    let keys: Vec<&str> = years.iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "years ascend: {keys:?}");

    let kinds =
        app.data(q, json!({ "g": "KIND", "f": { "process": "khartoum-process" } })).await["meetingCounts"].clone();
    let webinars = meetings
        .iter()
        .filter(|m| m["kind"] == "WEBINAR" && strings(m, "processes").contains(&"khartoum-process".into()))
        .count();
    let got = kinds
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "WEBINAR")
        .map_or(0, |g| g["count"].as_u64().unwrap() as usize);
    assert_eq!(got, webinars);

    let hosts = app.data(q, json!({ "g": "HOST" })).await["meetingCounts"].as_array().unwrap().clone();
    let hosted_by = |a: &str| {
        meetings
            .iter()
            .filter(|m| m["participations"].as_array().unwrap().iter().any(|p| p["actor"] == a && p["role"] == "HOST"))
            .count()
    };
    let eg = hosts.iter().find(|g| g["key"] == "eg").unwrap();
    assert_eq!(eg["count"], json!(hosted_by("eg")));
    assert_eq!(eg["label"], "Egypt");
    let counts: Vec<u64> = hosts.iter().map(|g| g["count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "largest first");

    let domains = app.data(q, json!({ "g": "DOMAIN" })).await["meetingCounts"].as_array().unwrap().clone();
    let in_domain_1 = meetings.iter().filter(|m| m["domains"].as_array().unwrap().contains(&json!(1))).count();
    assert_eq!(domains.iter().find(|g| g["key"] == "1").unwrap()["count"], json!(in_domain_1));
}

#[tokio::test]
async fn commitment_coverage_lists_the_meetings_of_each_commitments_domain_with_the_first_and_last() {
    let app = spawn_app();
    let q = r#"{ commitmentCoverage(document: "cairo-action-plan") { commitment { code domain { number } } meetingCount first { slug startDate } last { slug startDate } } }"#;
    let got = app.data(q, json!({})).await["commitmentCoverage"].as_array().unwrap().clone();
    let commitments: Vec<Value> =
        seed_file("commitments.json").into_iter().filter(|c| c["document"] == "cairo-action-plan").collect();
    assert_eq!(got.len(), commitments.len());
    let mut meetings = seed_file("meetings.json");
    meetings.sort_by_key(|m| (first_day(m["startDate"].as_str().unwrap()), m["slug"].as_str().unwrap().to_owned()));
    for row in got.iter().filter(|r| !r["commitment"]["domain"].is_null()) {
        let n = row["commitment"]["domain"]["number"].clone();
        let covered: Vec<&Value> = meetings.iter().filter(|m| m["domains"].as_array().unwrap().contains(&n)).collect();
        assert_eq!(row["meetingCount"], json!(covered.len()), "{}", row["commitment"]["code"]);
        assert_eq!(row["first"]["slug"], covered.first().map_or(Value::Null, |m| m["slug"].clone()));
        assert_eq!(row["last"]["slug"], covered.last().map_or(Value::Null, |m| m["slug"].clone()));
    }
    assert_eq!(
        app.error(r#"{ commitmentCoverage(document: "nothing") { meetingCount } }"#, json!({})).await.0,
        "BAD_USER_INPUT"
    );
}

const SEARCH: &str = r#"query($t: String!, $n: Int) { search(text: $t, first: $n) {
  __typename ... on Meeting { slug title } ... on State { slug name } ... on Commitment { code } ... on Organization { slug } } }"#;

#[tokio::test]
async fn search_matches_english_stems_ignoring_case_and_accents_and_ranks_titles_first() {
    let app = spawn_app();
    let hits = app.data(SEARCH, json!({ "t": "TRAFFICKERS", "n": 100 })).await["search"].as_array().unwrap().clone();
    let meetings: Vec<String> =
        hits.iter().filter(|h| h["__typename"] == "Meeting").map(|h| h["slug"].as_str().unwrap().to_owned()).collect();
    // Every seed meeting that speaks of trafficking in its title is found.
    for m in seed_file("meetings.json") {
        if m["title"].as_str().unwrap().to_lowercase().contains("trafficking") {
            assert!(meetings.contains(&m["slug"].as_str().unwrap().to_owned()), "{} not found", m["slug"]);
        }
    }
    let first_body_only = hits.iter().position(|h| {
        h["__typename"] == "Meeting" && !h["title"].as_str().unwrap().to_lowercase().contains("traffick")
    });
    let last_title = hits.iter().rposition(|h| {
        h["__typename"] == "Meeting" && h["title"].as_str().unwrap().to_lowercase().contains("traffick")
    });
    // The seed has both kinds of match, so the ordering is checked, never skipped.
    let (Some(b), Some(t)) = (first_body_only, last_title) else {
        panic!("expected meetings matching in the title and in the text only: {hits:?}")
    };
    assert!(t < b, "title matches rank above text matches");
    let ethiopia = app.data(SEARCH, json!({ "t": "ÉTHIOPIA" })).await["search"].clone();
    assert_eq!(ethiopia[0], json!({ "__typename": "State", "slug": "et", "name": "Ethiopia" }));
    let both = app.data(SEARCH, json!({ "t": "return reintegration Geneva" })).await["search"].clone();
    assert!(slugs(&both).contains(&"2021-11-geneva-return-reintegration".to_owned()), "{both}");
    assert!(app.data(SEARCH, json!({ "t": "zzxqv" })).await["search"].as_array().unwrap().is_empty());
    assert_eq!(app.data(SEARCH, json!({ "t": "migration", "n": 3 })).await["search"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_search_index_follows_every_write() {
    let app = spawn_app();
    let create = r#"mutation { createMeeting(input: { slug: "2026-12-zanzibar-dialogue", title: "Zanzibarian dialogue on seafarers",
        kind: ROUNDTABLE, startDate: "2026-12", online: true, processes: ["khartoum-process"],
        sources: [{ title: "Note", url: "https://example.org/zanzibar" }] }) { slug } }"#;
    app.write_data(create, json!({})).await;
    let found = app.data(SEARCH, json!({ "t": "seafarer zanzibarians" })).await["search"].clone();
    assert_eq!(slugs(&found), ["2026-12-zanzibar-dialogue"]);
    let rename = r#"mutation { updateMeeting(slug: "2026-12-zanzibar-dialogue", input: { title: "Dialogue on fishers" }) { slug } }"#;
    app.write_data(rename, json!({})).await;
    assert!(app.data(SEARCH, json!({ "t": "seafarers" })).await["search"].as_array().unwrap().is_empty());
    assert_eq!(slugs(&app.data(SEARCH, json!({ "t": "fisher" })).await["search"]), ["2026-12-zanzibar-dialogue"]);
    app.write_data(r#"mutation { deleteMeeting(slug: "2026-12-zanzibar-dialogue") { slug } }"#, json!({})).await;
    assert!(app.data(SEARCH, json!({ "t": "fisher" })).await["search"].as_array().unwrap().is_empty());
    assert_eq!(app.app.store().check().unwrap(), Vec::<String>::new());
}
