//! The pages in a real browser: Debian's Chromium, headless, driven by playwright-core
//! (`tests/js/browser.mjs`) against the production router served on 127.0.0.1.
//!
//! Each test runs one scenario of the script and checks what it saw. Every request a page makes
//! is recorded, and one that would leave 127.0.0.1 is aborted and reported. Screenshots land in
//! `target/browser-artifacts/`. Without Chromium the tests fail; they are skipped, loudly, only
//! when a person sets `KHARTOUM_SKIP_BROWSER_TESTS` (see [`crate::js::chromium`]).

use crate::helpers::*;
use crate::js::{artifacts_dir, chromium, run_script};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// Runs a scenario against a fresh app, or returns `None` when the browser tests are skipped. Fails the
/// test if the script failed, or if the page made a request that left 127.0.0.1, or threw.
async fn browse(scenario: &'static str) -> Option<Value> {
    let chromium = chromium()?;
    let app = spawn_app();
    let base = app.serve().await;
    let seen = tokio::task::spawn_blocking(move || {
        // One Chromium at a time: the machine has two cores, shared with the rest of the suite.
        static ONE_BROWSER: Mutex<()> = Mutex::new(());
        let _guard = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
        let shots = artifacts_dir();
        let shots_arg = shots.to_string_lossy().into_owned();
        run_script(
            "browser.mjs",
            &[scenario, &base, &shots_arg],
            &[("CHROMIUM", chromium.as_path())],
            Duration::from_secs(120),
        )
    })
    .await
    .expect("the browser run finishes");
    assert!(seen.get("error").is_none(), "{scenario}: {}", seen["error"].as_str().unwrap_or_default());
    assert_eq!(seen["offLoopback"], serde_json::json!([]), "{scenario}: requests left 127.0.0.1");
    assert_eq!(seen["pageErrors"], serde_json::json!([]), "{scenario}: the page threw");
    Some(seen)
}

/// The titles of GraphiQL's tabs (the close button's hidden label trimmed off).
fn tab_titles(seen: &Value) -> Vec<String> {
    seen["tabs"]
        .as_array()
        .expect("tabs")
        .iter()
        .map(|t| t.as_str().unwrap_or_default().trim_end_matches("icon").trim().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_loads_without_any_request_leaving_loopback() {
    let Some(seen) = browse("graphiql-loads").await else { return };
    let requests: Vec<&str> = seen["requests"].as_array().expect("requests").iter().filter_map(Value::as_str).collect();
    assert!(requests.iter().all(|r| r.starts_with("http://127.0.0.1:")), "{requests:?}");
    for asset in [
        "graphiql.min.css",
        "graphiql-plugin-explorer.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "graphiql-plugin-explorer.umd.js",
    ] {
        assert!(requests.iter().any(|r| r.contains("/graphiql/assets/") && r.ends_with(asset)), "{asset} not loaded");
    }
    // GraphiQL fetched the schema from this server.
    assert!(requests.iter().filter(|r| r.ends_with("/graphql")).count() >= 2, "{requests:?}");
    assert_eq!(seen["consoleErrors"], serde_json::json!([]));
    // The welcome tab first, then the few examples that open at the start: few enough that every
    // title fits (the others open from their links).
    let tabs = tab_titles(&seen);
    assert!((2..=5).contains(&tabs.len()), "{tabs:?}");
    assert_eq!(tabs[0], "Welcome");
    assert!(tabs.contains(&"MeetingsPage".to_owned()), "{tabs:?}");
    assert!(!tabs.iter().any(|t| t.contains("untitled")), "every tab is named: {tabs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_runs_the_default_query_and_shows_data() {
    let Some(seen) = browse("default-query").await else { return };
    let query = seen["query"].as_str().unwrap_or_default();
    assert!(query.contains("query Welcome"), "{query}");
    let response: Value =
        serde_json::from_str(seen["response"].as_str().unwrap_or_default()).expect("JSON in the response pane");
    assert!(response.get("errors").is_none(), "{response}");
    assert_eq!(response["data"]["process"]["name"], "Khartoum Process");
    let terms =
        seed_file("chairmanships.json").iter().filter(|t| text(t, "process") == Some("khartoum-process")).count();
    assert_eq!(response["data"]["process"]["chairmanships"].as_array().map(Vec::len), Some(terms));
    // The headers editor, empty, explains how to send a token for mutations.
    let placeholder = seen["headersPlaceholder"].as_str().unwrap_or_default();
    assert!(placeholder.contains(r#"{"Authorization": "Bearer <token>"}"#), "{placeholder}");
    assert!(placeholder.contains("Mutations"), "{placeholder}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_docs_pane_opens_and_shows_the_schema_descriptions() {
    let Some(seen) = browse("docs").await else { return };
    let root = seen["rootText"].as_str().unwrap_or_default();
    assert!(root.contains("query: Query"), "{root}");
    let query = seen["queryText"].as_str().unwrap_or_default();
    // Descriptions from the code's doc comments, as schema.graphql has them.
    for description in ["The entry points of the API", "A state by slug or ISO alpha-2 or alpha-3 code"] {
        assert!(query.contains(description), "{description} not in:\n{query}");
        assert!(khartoum_graphql::graphql::sdl().contains(description));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landing_page_renders_its_charts_with_a_bar_per_term_and_per_year_and_kind() {
    let Some(seen) = browse("landing").await else { return };
    assert_eq!(seen["svgs"], 4);
    assert_eq!(seen["scripts"], 0, "the landing page needs no script");
    // Chair terms of the Khartoum Process with a known start, from the seed file.
    let terms: Vec<Value> = seed_file("chairmanships.json")
        .into_iter()
        .filter(|t| text(t, "process") == Some("khartoum-process") && text(t, "start").is_some())
        .collect();
    let bars = seen["terms"].as_array().expect("terms");
    assert_eq!(bars.len(), terms.len());
    let chairs: Vec<&str> = bars.iter().filter_map(|b| b["chair"].as_str()).collect();
    let expected: Vec<&str> = terms.iter().filter_map(|t| text(t, "chair")).collect();
    assert_eq!(sorted(owned(&chairs)), sorted(owned(&expected)));
    // Every bar is drawn: a term known only to the year or the month too.
    for bar in bars {
        assert!(bar["width"].as_f64() > Some(1.0) && bar["height"].as_f64() > Some(1.0), "{bar}");
    }
    // One segment per year and kind of the Khartoum Process meetings, adding up to all of them.
    let meetings: Vec<Value> = seed_file("meetings.json")
        .into_iter()
        .filter(|m| strings(m, "processes").iter().any(|p| p == "khartoum-process"))
        .collect();
    let pairs: HashSet<(String, String)> = meetings
        .iter()
        .map(|m| {
            (text(m, "startDate").unwrap_or_default()[..4].to_owned(), text(m, "kind").unwrap_or_default().to_owned())
        })
        .collect();
    let segments = seen["meetings"].as_array().expect("meetings");
    assert_eq!(segments.len(), pairs.len());
    let drawn: HashSet<(String, String)> =
        segments.iter().map(|s| (s["year"].to_string(), s["kind"].as_str().unwrap_or_default().to_owned())).collect();
    assert_eq!(drawn, pairs);
    assert_eq!(segments.iter().filter_map(|s| s["count"].as_u64()).sum::<u64>(), meetings.len() as u64);
    for segment in segments {
        assert!(segment["width"].as_f64() > Some(1.0) && segment["height"].as_f64() > Some(1.0), "{segment}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readme_example_linked_from_the_landing_page_opens_in_its_graphiql_tab_and_runs() {
    // An example that GraphiQL does not open at the start: its link still opens it.
    let Some(seen) = browse("example-link").await else { return };
    assert_eq!(seen["linkText"], "Who organises with whom");
    let active = seen["activeTab"].as_str().unwrap_or_default();
    assert!(active.starts_with("KenyaPartners"), "{active}");
    let query = seen["query"].as_str().unwrap_or_default();
    assert!(query.contains(r#"actor(slug: "ke")"#), "{query}");
    let response: Value =
        serde_json::from_str(seen["response"].as_str().unwrap_or_default()).expect("JSON in the response pane");
    assert!(response.get("errors").is_none(), "{response}");
    assert!(response["data"]["actor"]["partners"].as_array().is_some_and(|a| !a.is_empty()), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landing_page_in_english_french_and_arabic_runs_in_its_direction_with_a_screenshot_each() {
    let Some(seen) = browse("landing-languages").await else { return };
    let pages = seen["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 3);
    for (page, (lang, dir)) in pages.iter().zip([("en", "ltr"), ("fr", "ltr"), ("ar", "rtl")]) {
        assert_eq!(page["lang"], lang);
        assert_eq!(page["dir"], dir, "{lang}");
        assert_eq!(page["direction"], dir, "{lang}: the computed direction");
        // The charts keep their axes left to right on every page.
        let charts = page["chartDirections"].as_array().expect("charts");
        assert_eq!(charts.len(), 4, "{lang}");
        assert!(charts.iter().all(|d| d == "ltr"), "{lang}: {charts:?}");
        let shot = page["screenshot"].as_str().unwrap_or_default();
        assert!(std::fs::metadata(shot).is_ok_and(|m| m.len() > 10_000), "{shot}");
        println!("screenshot of the {lang} landing page: {shot}");
    }
    // The Arabic heading's text starts at the right of its column, the others' at the left.
    for page in pages {
        let b = &page["headingBox"];
        let gap = |a: &str, z: &str| (b[a].as_f64().unwrap_or(0.0) - b[z].as_f64().unwrap_or(0.0)).abs();
        let (left, right) = (gap("textLeft", "columnLeft"), gap("columnRight", "textRight"));
        if page["dir"] == "rtl" {
            assert!(right < 1.0 && left > 1.0, "{page}");
        } else {
            assert!(left < 1.0 && right > 1.0, "{page}");
        }
    }
    assert_ne!(pages[0]["heading"], pages[1]["heading"]);
    assert_ne!(pages[1]["heading"], pages[2]["heading"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landing_page_follows_the_browsers_language() {
    let Some(seen) = browse("landing-negotiated").await else { return };
    assert_eq!(seen["lang"], "ar");
    assert_eq!(seen["dir"], "rtl");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landing_page_map_renders_a_titled_circle_per_city_and_the_network_a_line_per_pair() {
    let Some(seen) = browse("landing-map").await else { return };
    let meetings: Vec<Value> = seed_file("meetings.json")
        .into_iter()
        .filter(|m| strings(m, "processes").iter().any(|p| p == "khartoum-process") && m["online"] == false)
        .collect();
    let mut cities: std::collections::HashMap<(String, String), u64> = std::collections::HashMap::new();
    for m in &meetings {
        if let (Some(country), Some(city)) = (text(m, "country"), text(m, "city")) {
            *cities.entry((country.to_owned(), city.to_owned())).or_default() += 1;
        }
    }
    let circles = seen["cities"].as_array().expect("cities");
    assert_eq!(circles.len(), cities.len());
    for c in circles {
        let key =
            (c["country"].as_str().unwrap_or_default().to_owned(), c["city"].as_str().unwrap_or_default().to_owned());
        assert_eq!(c["count"].as_u64(), cities.get(&key).copied(), "{c}");
        let title = c["title"].as_str().unwrap_or_default();
        assert!(title.starts_with(&format!("{} (", key.1)), "{title}");
        assert!(c["href"].as_str().is_some_and(|h| h.starts_with("/graphql#query=")), "{c}");
        assert!(c["width"].as_f64() > Some(4.0), "{c}");
    }
    // A city with more meetings draws a larger circle.
    let size = |c: &Value| c["width"].as_f64().unwrap_or(0.0);
    let largest = circles.iter().max_by_key(|c| c["count"].as_u64()).expect("a city");
    let smallest = circles.iter().min_by_key(|c| c["count"].as_u64()).expect("a city");
    if largest["count"] != smallest["count"] {
        assert!(size(largest) > size(smallest));
    }
    assert!(seen["countries"].as_u64() > Some(20), "{}", seen["countries"]);
    let pairs = seen["pairs"].as_array().expect("pairs");
    assert!(!pairs.is_empty() && pairs.iter().all(|p| !p["title"].as_str().unwrap_or_default().is_empty()));
    assert!(seen["actors"].as_array().is_some_and(|a| a.len() >= 2));
    println!("map: {}\nnetwork: {}", seen["mapShot"], seen["networkShot"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_on_the_map_opens_its_meetings_query_in_graphiql_and_runs_it() {
    let Some(seen) = browse("map-link").await else { return };
    let city = seen["city"].as_str().unwrap_or_default();
    let query = seen["query"].as_str().unwrap_or_default();
    assert!(query.contains(&format!(r#"city: "{city}""#)), "{query}");
    let response: Value =
        serde_json::from_str(seen["response"].as_str().unwrap_or_default()).expect("JSON in the response pane");
    assert!(response.get("errors").is_none(), "{response}");
    assert_eq!(response["data"]["meetings"]["totalCount"], seen["count"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_explorer_builds_and_runs_a_query_by_clicks_alone() {
    let Some(seen) = browse("explorer").await else { return };
    let fields: Vec<&str> =
        seen["explorerFields"].as_array().expect("fields").iter().filter_map(Value::as_str).collect();
    // The Explorer lists the root fields of the schema being served.
    for root in ["dataset", "meetings", "process", "states"] {
        assert!(fields.contains(&root), "{root} not in {fields:?}");
    }
    let query = seen["query"].as_str().unwrap_or_default();
    for field in ["dataset {", "meetings", "states"] {
        assert!(query.contains(field), "{field} not in {query}");
    }
    let response: Value =
        serde_json::from_str(seen["response"].as_str().unwrap_or_default()).expect("JSON in the response pane");
    assert!(response.get("errors").is_none(), "{response}");
    // What the clicks asked for is what the API answers to the same query.
    let app = spawn_app();
    let expected = app.data(query, serde_json::json!({})).await;
    let dataset = response["data"]["dataset"].as_object().expect("dataset data");
    assert!(!dataset.is_empty(), "{response}");
    for (field, value) in dataset {
        if field != "lastChange" && field != "version" {
            assert_eq!(value, &expected["dataset"][field], "{field}");
        }
    }
}
