//! GraphiQL served by the binary, through the production router: the page, its vendored assets,
//! and the tabs it opens with.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

/// GETs the GraphiQL page as a browser does.
async fn page(app: &TestApp) -> String {
    let req = Request::get("/graphql").header(header::ACCEPT, "text/html,*/*;q=0.8").body(Body::empty()).unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-cache");
    reply.body
}

/// Every `src` and `href` of a page.
fn urls(html: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attr| {
            html.match_indices(attr)
                .map(move |(i, _)| html[i + attr.len()..].split('"').next().unwrap_or("").to_owned())
        })
        .collect()
}

/// The configuration the page hands to its setup script.
fn config(html: &str) -> Value {
    let start = html.find(r#"<script id="graphiql-config" type="application/json">"#).expect("the config element");
    let rest = &html[start..];
    let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(json).expect("the config is JSON")
}

#[tokio::test]
async fn graphiql_page_loads_every_asset_from_this_server_with_a_long_cache() {
    let app = spawn_app();
    let html = page(&app).await;
    let urls = urls(&html);
    // Every vendored script and stylesheet, and our setup script.
    let vendored = std::fs::read_dir(seed_dir().join("../assets/graphiql"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".js") || name.ends_with(".css"))
        .count();
    assert_eq!(urls.len(), vendored + 1, "{urls:?}");
    for url in &urls {
        assert!(url.starts_with("/graphiql/assets/"), "{url}");
        let reply = app.get(url).await;
        assert_eq!(reply.status, StatusCode::OK, "{url}");
        let content_type = reply.headers[header::CONTENT_TYPE].to_str().unwrap();
        let expected = if url.ends_with(".css") { "text/css" } else { "text/javascript" };
        assert!(content_type.starts_with(expected), "{url}: {content_type}");
        assert!(reply.headers[header::CACHE_CONTROL].to_str().unwrap().contains("max-age=31536000"), "{url}");
    }
}

#[tokio::test]
async fn an_asset_of_another_version_or_name_is_not_found() {
    let app = spawn_app();
    let html = page(&app).await;
    let css = urls(&html).into_iter().find(|u| u.ends_with(".css")).expect("the stylesheet");
    let version = css.split('/').nth(3).expect("a version segment").to_owned();
    assert_eq!(app.get(&css.replace(&version, "000000000000")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/graphiql/assets/{version}/secret.txt")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn graphiql_offers_every_example_opens_the_welcome_tab_and_at_most_four_more_and_each_runs() {
    let app = spawn_app();
    let config = config(&page(&app).await);
    assert_eq!(config["endpoint"], "/graphql");
    let tabs = config["tabs"].as_array().expect("tabs");
    let examples = manual().matches("```graphql\n").count();
    assert_eq!(tabs.len(), examples + 1);
    assert_eq!(tabs[0]["slug"], "welcome");
    let open: Vec<&Value> = tabs.iter().filter(|t| t["open"] == true).collect();
    assert!((2..=5).contains(&open.len()) && open[0]["slug"] == "welcome", "{open:?}");
    let welcome = tabs[0]["query"].as_str().expect("the welcome query");
    let landing = app.get("/").await.body;
    for tab in tabs.iter().filter(|t| t["open"] != true) {
        let link = format!("/graphql#example-{}", tab["slug"].as_str().expect("a slug"));
        assert!(welcome.contains(&link), "the welcome tab does not link {link}");
        assert!(landing.contains(&format!("\"{link}\"")), "the landing page does not link {link}");
    }
    for tab in tabs {
        let query = tab["query"].as_str().expect("a query");
        let data = app.data(query, json!({})).await;
        assert!(data.as_object().is_some_and(|o| !o.is_empty()), "{}", tab["slug"]);
    }
}

#[tokio::test]
async fn graphiql_headers_placeholder_explains_the_bearer_token_for_mutations() {
    let app = spawn_app();
    let config = config(&page(&app).await);
    let placeholder = config["headersPlaceholder"].as_str().unwrap_or_default();
    assert!(placeholder.contains(r#"{"Authorization": "Bearer <token>"}"#), "{placeholder}");
    assert!(placeholder.contains("Reads need none"), "{placeholder}");
}
