//! The landing page at `/`: what the API is, where to go next, and two pictures drawn on the
//! server from the live read model, the chair timeline ([`chair_timeline`]) and the meetings per
//! year by kind ([`meetings_per_year`]).
//!
//! The page is plain HTML with inline SVG and CSS: no script at all, so it works with JavaScript
//! off and loads nothing from anywhere. It is drawn from the read model on every request, so a
//! change to the data shows at the next page load; drawing takes well under a millisecond.

pub mod chair_timeline;
pub mod meetings_per_year;

use super::examples::examples;
use crate::app::App;
use crate::catalog::Catalog;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate};
use std::fmt::Write;
use std::sync::Arc;

/// The process whose chairs and meetings the pictures show.
pub const PROCESS: &str = "khartoum-process";

/// Text made safe for HTML and SVG, in element content and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Ten colours that stay apart from each other, for series in the charts.
pub const PALETTE: [&str; 10] =
    ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#8cd17d"];

/// Today, in UTC: where a running term's bar ends.
fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_days(Days::new(secs / 86_400)))
        .unwrap_or_default()
}

/// GET /: the landing page, drawn from the read model as of now.
pub async fn page(State(app): State<Arc<App>>) -> Response {
    let html = render(&app.catalog(), today());
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            // Drawn from live data: a browser must ask again rather than show an old picture.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        html,
    )
        .into_response()
}

/// The names of the processes, as prose: "Khartoum Process and Rabat Process".
fn process_names(catalog: &Catalog) -> String {
    let names: Vec<&str> = catalog.ds.processes.iter().map(|p| p.name.as_str()).collect();
    match names.split_last() {
        None => "processes".to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The landing page's HTML for one state of the data.
pub fn render(catalog: &Catalog, today: NaiveDate) -> String {
    let ds = &catalog.ds;
    let process = catalog.process(PROCESS).map(|p| &ds.processes[p]);
    let name = process.map_or("Khartoum Process", |p| p.name.as_str());
    let alias = process.and_then(|p| p.alias.as_deref()).map(|a| format!(" ({})", escape(a))).unwrap_or_default();
    let established = process.and_then(|p| p.established).map(|d| format!(", established {d}")).unwrap_or_default();
    let process_meetings = meetings_per_year::counts(catalog, PROCESS)
        .values()
        .map(|per_kind| per_kind.values().sum::<usize>())
        .sum::<usize>();
    let undated = chair_timeline::undated_terms(catalog, PROCESS);
    let undated_note = match undated {
        0 => String::new(),
        1 => " One term has no known start and is not drawn.".to_owned(),
        n => format!(" {n} terms have no known start and are not drawn."),
    };

    let mut list = String::new();
    for e in examples() {
        let rest = e.description.strip_prefix(&e.title).unwrap_or(&e.description).trim_start_matches([',', ':', ' ']);
        let rest = if rest.is_empty() { String::new() } else { format!(": {}", escape(rest)) };
        let _ =
            writeln!(list, r#"<li><a href="/graphql#example-{}">{}</a>{rest}</li>"#, escape(&e.slug), escape(&e.title));
    }

    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} · GraphQL API</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; color: #222; margin: 0; background: #fafafa; }}
main {{ max-width: 1000px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }}
h1 {{ font-size: 1.8rem; margin: 0 0 .5rem; }}
h2 {{ font-size: 1.25rem; margin: 2rem 0 .5rem; }}
a {{ color: #0b5cad; }}
nav ul {{ display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; padding: 0; list-style: none; }}
nav a {{ font-weight: 600; }}
figure {{ margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .75rem; overflow-x: auto; }}
figure svg {{ max-width: 100%; height: auto; display: block; }}
figcaption {{ font-size: .9rem; color: #555; margin-top: .5rem; }}
.figures {{ display: flex; flex-direction: column; gap: 1rem; }}
footer {{ margin-top: 2rem; font-size: .85rem; color: #666; }}
code {{ background: #eee; padding: 0 .25em; border-radius: 3px; }}
</style>
</head>
<body>
<main>
<h1>The {name}, as a GraphQL API</h1>
<p>The public record of the <strong>{name}</strong>{alias}{established}: {states} states and {organizations} organisations with their memberships over time, {chairmanships} chair terms of the {processes}, {meetings} meetings with their hosts, co-hosts and chairs, and the declarations and action plans down to each of {commitments} commitments. Every record cites its sources; dates are as precise as the sources allow.</p>
<nav aria-label="Where to go">
<ul>
<li><a href="/graphql">GraphiQL</a>: write and run queries in the browser, every type and field documented</li>
<li><a href="/schema.graphql">schema.graphql</a>: the schema in SDL</li>
<li><a href="/export/manifest.json">Bulk exports (CSV, JSON, GraphML)</a></li>
<li><a href="#examples">Example queries</a></li>
<li><a href="/health">/health</a>: status and dataset version</li>
</ul>
</nav>
<p>Send queries to <code>/graphql</code>: a GET with <code>?query=</code>, or a POST with a JSON body. Reads need no token.</p>

<div class="figures">
<section aria-labelledby="chairs">
<h2 id="chairs">Who chaired the {name}</h2>
<figure>
{timeline}
<figcaption>One row per chair term, on a time axis. A bar runs from the first day its start may mean to the last day its end may mean; hatched ends are dates known only to the month or the year. The running term reaches today (dashed line). Shaded stretches would be days no term covers.{undated_note} Hover a bar for its dates.</figcaption>
</figure>
</section>
<section aria-labelledby="meetings">
<h2 id="meetings">Meetings per year, by kind</h2>
<figure>
{per_year}
<figcaption>The {process_meetings} meetings of the {name}, by the year they began, stacked by kind. Hover a segment for its count.</figcaption>
</figure>
</section>
</div>

<section aria-labelledby="examples">
<h2 id="examples">Example queries</h2>
<p>Each link opens the query in GraphiQL, ready to run.</p>
<ul>
{list}</ul>
</section>

<footer>Dataset version <code>{version}</code>, last changed {last_change}. The pictures are drawn from the data being served, at each page load.</footer>
</main>
</body>
</html>
"##,
        name = escape(name),
        states = ds.states.len(),
        organizations = ds.organizations.len(),
        chairmanships = ds.chairmanships.len(),
        processes = escape(&process_names(catalog)),
        meetings = ds.meetings.len(),
        commitments = ds.commitments.len(),
        timeline = chair_timeline::svg(catalog, PROCESS, today),
        per_year = meetings_per_year::svg(catalog, PROCESS),
        version = escape(&catalog.meta.version),
        last_change = escape(&catalog.meta.last_change),
    )
}

/// The seed's read model, for the charts' tests.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::catalog::Catalog;
    use crate::domain::Dataset;
    use crate::store::Meta;
    use std::path::Path;

    /// The read model of the project's seed files.
    pub fn catalog() -> Catalog {
        catalog_with(|_| {})
    }

    /// The read model of the seed files, changed by `change` first.
    pub fn catalog_with(change: impl FnOnce(&mut Dataset)) -> Catalog {
        let seed = crate::seed::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")).expect("the seed loads");
        let mut ds = seed.dataset;
        change(&mut ds);
        Catalog::new(ds, Meta::default(), Default::default())
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::catalog;
    use super::*;

    #[test]
    fn escape_makes_text_safe_in_content_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">O'Neil & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn the_page_has_both_charts_every_link_and_no_script() {
        let html = render(&catalog(), NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default());
        assert_eq!(html.matches("<svg").count(), 2);
        for href in ["/graphql", "/schema.graphql", "/export/manifest.json", "/health"] {
            assert!(html.contains(&format!(r#"href="{href}""#)), "{href}");
        }
        for e in examples() {
            assert!(html.contains(&format!(r#"href="/graphql#example-{}""#, e.slug)), "{}", e.slug);
        }
        assert!(!html.contains("<script"), "the landing page needs no script");
        assert!(
            !html.contains("http://")
                || html.matches("http://").count() == html.matches("http://www.w3.org/2000/svg").count()
        );
    }
}
