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
    for asset in ["graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "graphiql.min.js"] {
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
async fn landing_page_renders_both_charts_with_a_bar_per_term_and_per_year_and_kind() {
    let Some(seen) = browse("landing").await else { return };
    assert_eq!(seen["svgs"], 2);
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
