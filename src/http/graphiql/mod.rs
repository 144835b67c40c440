//! GraphiQL, served by the binary: our own page, and the vendored graphiql, React and ReactDOM
//! builds and GraphiQL's Explorer plugin (`assets/graphiql/`, see its `VENDORED.md`) built into
//! the binary, so the page works on a machine with no network and requests nothing from anywhere
//! but this server. The Explorer builds a query from ticked fields, for people who do not write
//! GraphQL.
//!
//! The assets live under `/graphiql/assets/<version>/<file>`, where the version is a digest of
//! every asset: a new build with other assets gets other URLs, so browsers may cache them for a
//! year. The page itself is small and never cached.

use super::examples::{examples, welcome_query, OPEN_EXAMPLES};
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// One file the page loads.
struct Asset {
    /// Its name in the URL.
    name: &'static str,
    /// Its `Content-Type`.
    content_type: &'static str,
    /// Its bytes, built into the binary.
    bytes: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file the page loads, in the order the page loads its scripts.
const ASSETS: &[Asset] = &[
    Asset {
        name: "graphiql.min.css",
        content_type: CSS,
        bytes: include_bytes!("../../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "graphiql-plugin-explorer.css",
        content_type: CSS,
        bytes: include_bytes!("../../../assets/graphiql/graphiql-plugin-explorer.css"),
    },
    Asset {
        name: "react.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "graphiql.min.js",
        content_type: JS,
        bytes: include_bytes!("../../../assets/graphiql/graphiql.min.js"),
    },
    // After GraphiQL: its UMD build reads `GraphiQL.React` and `GraphiQL.GraphQL`.
    Asset {
        name: "graphiql-plugin-explorer.umd.js",
        content_type: JS,
        bytes: include_bytes!("../../../assets/graphiql/graphiql-plugin-explorer.umd.js"),
    },
    Asset { name: "setup.js", content_type: JS, bytes: include_bytes!("setup.js") },
];

/// How long browsers may keep an asset: a year, since its URL changes with its content.
const ASSET_CACHE: &str = "public, max-age=31536000, immutable";

/// What the headers editor shows while it is empty.
const HEADERS_PLACEHOLDER: &str = "Request headers, as a JSON object. Reads need none.\n\
Mutations need a bearer token:\n\n{\"Authorization\": \"Bearer <token>\"}";

/// The assets' version: the first 12 hex digits of a SHA-256 over every asset.
fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let mut digest = Sha256::new();
        for asset in ASSETS {
            digest.update(asset.name.as_bytes());
            digest.update((asset.bytes.len() as u64).to_be_bytes());
            digest.update(asset.bytes);
        }
        hex::encode(digest.finalize())[..12].to_owned()
    });
    &VERSION
}

/// The URL path of an asset.
fn asset_path(name: &str) -> String {
    format!("/graphiql/assets/{}/{name}", version())
}

/// GET /graphiql/assets/{version}/{file}: one vendored file, or 404 for an unknown file or a
/// version this build does not serve (a page cached from an older build).
pub async fn asset(Path((asked_version, file)): Path<(String, String)>) -> Response {
    let found = ASSETS.iter().find(|a| a.name == file).filter(|_| asked_version == version());
    match found {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static(ASSET_CACHE)),
            ],
            asset.bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

/// JSON that can sit inside a `<script>` element: `<` is escaped so that no `</script>` or
/// `<!--` in a query can end the element early.
fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// The page's configuration: the endpoint, the tabs (the welcome query, then the manual's
/// examples, each marked `open` when GraphiQL opens it at the start; a link opens any of them)
/// and the headers placeholder.
fn config() -> serde_json::Value {
    let welcome = serde_json::json!({ "slug": "welcome", "title": "Welcome", "query": welcome_query(), "open": true });
    let mut tabs = vec![welcome];
    tabs.extend(examples().iter().enumerate().map(|(i, e)| {
        serde_json::json!({ "slug": e.slug, "title": e.title, "query": e.tab_query(), "open": i < OPEN_EXAMPLES })
    }));
    serde_json::json!({ "endpoint": "/graphql", "tabs": tabs, "headersPlaceholder": HEADERS_PLACEHOLDER })
}

/// The HTML page, built once.
fn html() -> &'static str {
    static PAGE: LazyLock<String> = LazyLock::new(|| {
        let scripts: String = ASSETS
            .iter()
            .filter(|a| a.content_type == JS)
            .map(|a| format!("  <script src=\"{}\"></script>\n", asset_path(a.name)))
            .collect();
        let styles: String = ASSETS
            .iter()
            .filter(|a| a.content_type == CSS)
            .map(|a| format!("  <link rel=\"stylesheet\" href=\"{}\">\n", asset_path(a.name)))
            .collect();
        include_str!("page.html")
            .replace("{{STYLES}}", &styles)
            .replace("{{CONFIG}}", &script_json(&config()))
            .replace("{{SCRIPTS}}", &scripts)
    });
    &PAGE
}

/// The GraphiQL page.
pub fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            // The page names the assets' version; a cached page would ask for old assets.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        html(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_assets_of_this_server() {
        let page = html();
        for asset in ASSETS {
            assert!(page.contains(&asset_path(asset.name)), "{} is not loaded", asset.name);
        }
        for attr in ["src=\"", "href=\""] {
            for (i, _) in page.match_indices(attr) {
                let url = &page[i + attr.len()..];
                assert!(url.starts_with('/') && !url.starts_with("//"), "a URL that leaves the server: {}", &url[..40]);
            }
        }
    }

    #[test]
    fn vendored_assets_name_no_remote_url_they_would_load() {
        for asset in ASSETS.iter().filter(|a| a.content_type == CSS) {
            let css = std::str::from_utf8(asset.bytes).unwrap_or_default();
            assert!(!css.is_empty(), "{}", asset.name);
            // Fonts and images are inline data: URLs.
            for (i, _) in css.match_indices("url(") {
                let rest = css[i + 4..].trim_start_matches(['"', '\'']);
                assert!(rest.starts_with("data:"), "{} loads {}", asset.name, &rest[..60.min(rest.len())]);
            }
            assert!(!css.contains("@import"), "{}", asset.name);
        }
    }

    #[test]
    fn the_config_cannot_close_its_script_element() {
        let json = script_json(&serde_json::json!({ "q": "</script><!-- x" }));
        assert!(!json.contains('<'), "{json}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).ok(),
            Some(serde_json::json!({ "q": "</script><!-- x" }))
        );
    }

    #[test]
    fn the_version_is_stable_and_url_safe() {
        assert_eq!(version().len(), 12);
        assert!(version().chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(version(), version());
    }
}
