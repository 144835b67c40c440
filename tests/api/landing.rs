//! The landing page at `/`, through the production router: its links, its four charts drawn
//! from the data being served (redrawn when the data changes), and its three languages.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// How many times an element with this exact `class` attribute occurs.
fn count_class(html: &str, element: &str, class: &str) -> usize {
    html.matches(&format!(r#"<{element} class="{class}""#)).count()
}

#[tokio::test]
async fn landing_page_is_html_that_needs_no_script_and_nothing_from_elsewhere() {
    let app = spawn_app();
    let reply = app.get("/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-cache");
    assert!(!reply.body.contains("<script"));
    for attr in ["src=\"", "href=\""] {
        for (i, _) in reply.body.match_indices(attr) {
            let url = &reply.body[i + attr.len()..];
            assert!(url.starts_with('/') || url.starts_with('#'), "a link that leaves the server: {}", &url[..40]);
        }
    }
}

#[tokio::test]
async fn landing_page_links_to_graphiql_the_schema_the_exports_health_and_every_readme_example() {
    let app = spawn_app();
    let body = app.get("/").await.body;
    for href in ["/graphql", "/schema.graphql", "/export/manifest.json", "/health"] {
        assert!(body.contains(&format!(r#"href="{href}""#)), "no link to {href}");
    }
    assert!(body.contains("Bulk exports (CSV, JSON, GraphML)"));
    let examples = manual().matches("```graphql\n").count();
    assert_eq!(body.matches(r#"href="/graphql#example-"#).count(), examples);
}

#[tokio::test]
async fn landing_page_draws_a_bar_per_chair_term_and_a_segment_per_year_and_kind() {
    let app = spawn_app();
    let body = app.get("/").await.body;
    assert_eq!(body.matches("<svg").count(), 4);
    let terms = seed_file("chairmanships.json")
        .iter()
        .filter(|t| text(t, "process") == Some("khartoum-process") && text(t, "start").is_some())
        .count();
    assert_eq!(count_class(&body, "rect", "term"), terms);
    let pairs: HashSet<(String, String)> = seed_file("meetings.json")
        .iter()
        .filter(|m| strings(m, "processes").iter().any(|p| p == "khartoum-process"))
        .map(|m| {
            (text(m, "startDate").unwrap_or_default()[..4].to_owned(), text(m, "kind").unwrap_or_default().to_owned())
        })
        .collect();
    assert_eq!(count_class(&body, "rect", "meetings"), pairs.len());
    // Each bar and segment has a tooltip.
    for class in ["term", "meetings"] {
        for rect in body.split(&format!(r#"<rect class="{class}""#)).skip(1) {
            let element = rect.split("</rect>").next().unwrap_or_default();
            assert!(element.contains("<title>"), "a {class} bar without a tooltip: {element}");
        }
    }
}

#[tokio::test]
async fn landing_page_is_redrawn_when_the_data_changes() {
    let app = spawn_app();
    let before = app.get("/").await.body;
    // Drop the running chair term and every meeting of the Khartoum Process but one.
    let mut seed = khartoum_graphql::seed::load(&seed_dir()).expect("the seed loads");
    seed.dataset.chairmanships.retain(|t| !(t.process.as_str() == "khartoum-process" && t.end.is_none()));
    let mut kept = false;
    seed.dataset.meetings.retain(|m| {
        let ours = m.processes.iter().any(|p| p.as_str() == "khartoum-process");
        let keep = !ours || !kept;
        kept |= ours;
        keep
    });
    seed.dataset.documents.iter_mut().for_each(|d| Arc::make_mut(d).adopted_at = None);
    seed.dataset.meetings.iter_mut().for_each(|m| Arc::make_mut(m).related.clear());
    app.app.store().replace_all(&seed.dataset, &seed.version).expect("the store takes the changed data");
    app.app.reload().expect("the read model reloads");

    let after = app.get("/").await.body;
    assert_eq!(count_class(&after, "rect", "term"), count_class(&before, "rect", "term") - 1);
    assert_eq!(count_class(&after, "rect", "meetings"), 1);
    assert!(!after.contains(r#"data-running="true""#));
}

/// The page for a path, with an `Accept-Language` header when one is given.
async fn page_in(app: &TestApp, path: &str, accept_language: Option<&str>) -> Reply {
    let mut req = Request::get(path);
    if let Some(value) = accept_language {
        req = req.header(header::ACCEPT_LANGUAGE, value);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

/// The archived French or Arabic name of a record (`sources/names.json`).
fn archived_name(collection: &str, slug: &str, lang: &str) -> String {
    let path = seed_dir().join("../sources/names.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let names = file["names"].as_array().unwrap();
    let name = names.iter().find(|n| n["collection"] == collection && n["slug"] == slug && n["lang"] == lang);
    text(name.unwrap_or_else(|| panic!("no {lang} name of {slug}")), "text").unwrap().to_owned()
}

#[tokio::test]
async fn landing_page_is_in_french_or_arabic_by_lang_or_by_accept_language() {
    let app = spawn_app();
    // (path, Accept-Language, expected language and direction, negotiated)
    let cases = [
        ("/", None, "en", "ltr", true),
        ("/?lang=fr", None, "fr", "ltr", false),
        ("/?lang=ar", None, "ar", "rtl", false),
        ("/", Some("ar-SD, ar;q=0.9, en;q=0.5"), "ar", "rtl", true),
        ("/", Some("de-CH, fr;q=0.8, en;q=0.7"), "fr", "ltr", true),
        ("/?lang=en", Some("ar"), "en", "ltr", false),
        ("/?lang=xx", Some("fr"), "fr", "ltr", true),
        // A query string that does not parse is no language at all.
        ("/?lang=%ff%fe", None, "en", "ltr", true),
        ("/?lang=fr&lang=ar", Some("ar"), "ar", "rtl", true),
        ("/", Some(";;q=,*;q=x,fr;q=2"), "fr", "ltr", true),
    ];
    for (path, accept, lang, dir, negotiated) in cases {
        let reply = page_in(&app, path, accept).await;
        assert_eq!(reply.status, StatusCode::OK, "{path} {accept:?}");
        assert!(reply.body.contains(&format!(r#"<html lang="{lang}" dir="{dir}">"#)), "{path} {accept:?}");
        assert_eq!(reply.headers[header::CONTENT_LANGUAGE], lang, "{path} {accept:?}");
        let vary =
            reply.headers.get_all(header::VARY).iter().any(|v| v.to_str().unwrap_or("").contains("Accept-Language"));
        assert_eq!(vary, negotiated, "{path} {accept:?}: Vary");
        // Every page links to all three.
        for other in ["en", "fr", "ar"] {
            assert!(reply.body.contains(&format!(r#"href="/?lang={other}""#)), "{path} links {other}");
        }
        assert!(!reply.body.contains("<script"));
    }
}

#[tokio::test]
async fn landing_page_names_records_in_its_language_where_a_source_gives_the_name() {
    let app = spawn_app();
    for lang in ["fr", "ar"] {
        let body = page_in(&app, &format!("/?lang={lang}"), None).await.body;
        let process = archived_name("processes", "khartoum-process", &lang.to_uppercase());
        let heading = body.split("<h1>").nth(1).and_then(|h| h.split("</h1>").next()).unwrap_or_default();
        assert!(heading.contains(&process), "{lang}: {heading}");
        // The chair of the timeline's first term, by its archived name.
        let chair = seed_file("chairmanships.json")
            .into_iter()
            .find(|t| text(t, "process") == Some("khartoum-process") && text(t, "start").is_some())
            .and_then(|t| text(&t, "chair").map(str::to_owned))
            .expect("a dated chair term");
        let name = archived_name("states", &chair, &lang.to_uppercase());
        assert!(body.contains(&format!(">{name}</text>")), "{lang}: {name}");
    }
    // The English page keeps the record's own names.
    let body = app.get("/").await.body;
    assert!(!body.contains(&archived_name("processes", "khartoum-process", "FR")));
}

/// The seed's Khartoum Process meetings.
fn process_meetings() -> Vec<Value> {
    seed_file("meetings.json")
        .into_iter()
        .filter(|m| strings(m, "processes").iter().any(|p| p == "khartoum-process"))
        .collect()
}

#[tokio::test]
async fn landing_page_maps_a_circle_per_city_sized_by_its_meetings_each_linking_to_its_query() {
    let app = spawn_app();
    let body = app.get("/").await.body;
    let mut cities: HashMap<(String, String), usize> = HashMap::new();
    for m in process_meetings().iter().filter(|m| m["online"] == false) {
        if let (Some(country), Some(city)) = (text(m, "country"), text(m, "city")) {
            *cities.entry((country.to_owned(), city.to_owned())).or_default() += 1;
        }
    }
    assert_eq!(count_class(&body, "circle", "city"), cities.len());
    for ((country, city), count) in &cities {
        let attrs = format!(r#"data-city="{city}" data-country="{country}" data-count="{count}""#);
        let circle = body.split(&attrs).nth(1).unwrap_or_else(|| panic!("no circle for {city}"));
        let title = circle.split("</circle>").next().unwrap_or_default();
        assert!(title.contains(&format!("<title>{city} (")), "{city}: {title}");
    }
    // Each circle is a link to GraphiQL with the city's query in the fragment.
    assert_eq!(body.matches(r#"<a class="city" href="/graphql#query="#).count(), cities.len());
    // The outlines are drawn: more countries than cities' states.
    let countries =
        body.split(r#"<g class="countries""#).nth(1).unwrap_or_default().split("</g>").next().unwrap_or_default();
    let states: BTreeSet<&String> = cities.keys().map(|(s, _)| s).collect();
    assert!(countries.matches("<path ").count() > states.len());
}

#[tokio::test]
async fn landing_page_draws_the_co_host_network_a_line_per_pair_and_a_node_per_actor() {
    let app = spawn_app();
    let body = app.get("/").await.body;
    let organising = ["HOST", "CO_HOST", "CHAIR", "CO_CHAIR"];
    let mut pairs: HashMap<(String, String), usize> = HashMap::new();
    for m in process_meetings() {
        let actors: BTreeSet<String> = m["participations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| organising.contains(&text(p, "role").unwrap_or_default()))
            .filter_map(|p| text(p, "actor").map(str::to_owned))
            .collect();
        let actors: Vec<&String> = actors.iter().collect();
        for (i, a) in actors.iter().enumerate() {
            for b in &actors[i + 1..] {
                *pairs.entry(((*a).clone(), (*b).clone())).or_default() += 1;
            }
        }
    }
    assert_eq!(count_class(&body, "line", "pair"), pairs.len());
    for ((a, b), count) in &pairs {
        assert!(body.contains(&format!(r#"data-a="{a}" data-b="{b}" data-count="{count}""#)), "{a}-{b}");
    }
    let actors: BTreeSet<&String> = pairs.keys().flat_map(|(a, b)| [a, b]).collect();
    assert_eq!(count_class(&body, "g", "actor"), actors.len());
}
