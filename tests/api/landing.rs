//! The landing page at `/`, through the production router: its links, and two charts drawn from
//! the data being served, redrawn when the data changes.

use crate::helpers::*;
use axum::http::{header, StatusCode};
use std::collections::HashSet;

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
    assert_eq!(body.matches("<svg").count(), 2);
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
    seed.dataset.documents.iter_mut().for_each(|d| d.adopted_at = None);
    seed.dataset.meetings.iter_mut().for_each(|m| m.related.clear());
    app.app.store().replace_all(&seed.dataset, &seed.version).expect("the store takes the changed data");
    app.app.reload().expect("the read model reloads");

    let after = app.get("/").await.body;
    assert_eq!(count_class(&after, "rect", "term"), count_class(&before, "rect", "term") - 1);
    assert_eq!(count_class(&after, "rect", "meetings"), 1);
    assert!(!after.contains(r#"data-running="true""#));
}
