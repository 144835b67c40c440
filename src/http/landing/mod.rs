//! The landing page at `/`: what the API is, where to go next, and four pictures drawn on the
//! server from the live read model: the chair timeline ([`chair_timeline`]), the meetings per
//! year by kind ([`meetings_per_year`]), the map of where they were held ([`map`]) and who
//! organised them with whom ([`network`]). The page is in English, French or Arabic
//! ([`texts`]), right to left in Arabic; records are named in its language where an archived
//! source gives the name.
//!
//! The page is plain HTML with inline SVG and CSS: no script at all, so it works with JavaScript
//! off and loads nothing from anywhere. It is drawn from the read model on every request, so a
//! change to the data shows at the next page load.

pub mod chair_timeline;
pub mod map;
pub mod meetings_per_year;
pub mod network;
pub mod texts;

use super::examples::examples;
use crate::app::App;
use crate::catalog::Catalog;
use crate::domain::Collection;
use crate::seed::reference;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use std::fmt::Write;
use std::sync::Arc;
use texts::{fill, Texts};

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

/// A chart with nothing to draw: one line that says so, in the chart's class.
pub fn note_svg(class: &str, note: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart {class}" viewBox="0 0 960 40" width="960" height="40" role="img"><text x="4" y="24" font-family="system-ui, sans-serif" font-size="14">{}</text></svg>"##,
        escape(note)
    )
}

/// Today, in UTC: where a running term's bar ends.
fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_days(Days::new(secs / 86_400)))
        .unwrap_or_default()
}

/// The query string of the page: `?lang=en|fr|ar`.
#[derive(Deserialize)]
pub struct PageParams {
    /// The page's language; an unknown one is ignored.
    lang: Option<String>,
}

/// GET /: the landing page, drawn from the read model as of now, in the language `?lang=` names
/// or else the one `Accept-Language` prefers (English by default).
pub async fn page(
    State(app): State<Arc<App>>,
    params: Result<Query<PageParams>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let lang_param = params.ok().and_then(|Query(p)| p.lang);
    let accept_language = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let (lang, negotiated) = texts::choose(lang_param.as_deref(), accept_language);
    let html = render(&app.catalog(), today(), Texts::of(lang));
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            // Drawn from live data: a browser must ask again rather than show an old picture.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::CONTENT_LANGUAGE, HeaderValue::from_static(Texts::of(lang).code)),
        ],
        html,
    )
        .into_response();
    if negotiated {
        // A cache must keep one page per language the header may choose.
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
    response
}

/// A link that opens `query` in GraphiQL, in a tab of its own, ready to run (see
/// `src/http/graphiql/setup.js`). The query travels in the fragment, which the browser keeps to
/// itself, so the server only ever sees a request for the GraphiQL page.
pub fn graphiql_link(query: &str) -> String {
    format!("/graphql#query={}", form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>())
}

/// The names of the processes in `lang`, as prose: "Khartoum Process and Rabat Process".
fn process_names(catalog: &Catalog, texts: &Texts) -> String {
    let names: Vec<&str> = catalog
        .ds
        .processes
        .iter()
        .map(|p| reference::name_in(Collection::Processes, p.slug.as_str(), &p.name, texts.lang))
        .collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{}{}{last}", rest.join(", "), texts.and),
    }
}

/// The links to the page in each language, the current one marked.
fn language_links(texts: &Texts) -> String {
    let mut out = String::new();
    for t in texts::ALL {
        let current = if t.lang == texts.lang { r#" aria-current="page""# } else { "" };
        let _ = write!(
            out,
            r#"<li><a href="/?lang={code}" hreflang="{code}" lang="{code}" dir="{dir}"{current}>{name}</a></li>"#,
            code = t.code,
            dir = t.dir,
            name = t.own_name,
        );
    }
    out
}

/// The landing page's HTML for one state of the data, in the language of `texts`.
pub fn render(catalog: &Catalog, today: NaiveDate, texts: &Texts) -> String {
    let ds = &catalog.ds;
    let process = catalog.process(PROCESS).map(|p| &ds.processes[p]);
    let name = process.map_or("Khartoum Process", |p| {
        reference::name_in(Collection::Processes, p.slug.as_str(), &p.name, texts.lang)
    });
    let name = escape(name);
    let alias = process.and_then(|p| p.alias.as_deref()).map(|a| format!(" ({})", escape(a))).unwrap_or_default();
    let established = process
        .and_then(|p| p.established)
        .map(|d| fill(texts.established, &[("date", &d.to_string())]))
        .unwrap_or_default();
    let process_meetings = meetings_per_year::counts(catalog, PROCESS)
        .values()
        .map(|per_kind| per_kind.values().sum::<usize>())
        .sum::<usize>();
    let undated = match chair_timeline::undated_terms(catalog, PROCESS) {
        0 => String::new(),
        1 => texts.undated_one.to_owned(),
        n => fill(texts.undated_many, &[("n", &n.to_string())]),
    };
    let (cities, elsewhere) = map::cities(catalog, PROCESS);
    let placed: usize = cities.iter().map(|c| c.count).sum();
    let (pairs, actors) = network::network(catalog, PROCESS);

    let mut list = String::new();
    for e in examples() {
        let rest = e.description.strip_prefix(&e.title).unwrap_or(&e.description).trim_start_matches([',', ':', ' ']);
        let rest = if rest.is_empty() { String::new() } else { format!(": {}", escape(rest)) };
        let _ =
            writeln!(list, r#"<li><a href="/graphql#example-{}">{}</a>{rest}</li>"#, escape(&e.slug), escape(&e.title));
    }
    let intro = fill(
        texts.intro,
        &[
            ("name", &name),
            ("alias", &alias),
            ("established", &escape(&established)),
            ("states", &ds.states.len().to_string()),
            ("organizations", &ds.organizations.len().to_string()),
            ("chairmanships", &ds.chairmanships.len().to_string()),
            ("processes", &escape(&process_names(catalog, texts))),
            ("meetings", &ds.meetings.len().to_string()),
            ("commitments", &ds.commitments.len().to_string()),
        ],
    );
    let with_name = |template: &str| fill(template, &[("name", &name)]);

    format!(
        r##"<!doctype html>
<html lang="{code}" dir="{dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{alternates}<style>
body {{ font: 16px/1.5 system-ui, sans-serif; color: #222; margin: 0; background: #fafafa; }}
main {{ max-width: 1000px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }}
h1 {{ font-size: 1.8rem; margin: 0 0 .5rem; }}
h2 {{ font-size: 1.25rem; margin: 2rem 0 .5rem; }}
a {{ color: #0b5cad; }}
nav ul {{ display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; padding: 0; list-style: none; }}
nav a {{ font-weight: 600; }}
nav.languages ul {{ justify-content: flex-end; margin: 0; font-size: .9rem; }}
nav.languages a[aria-current] {{ color: #222; text-decoration: none; }}
figure {{ margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .75rem; overflow-x: auto; }}
figure svg {{ max-width: 100%; height: auto; display: block; margin: 0 auto; direction: ltr; }}
figcaption {{ font-size: .9rem; color: #555; margin-top: .5rem; }}
.figures {{ display: flex; flex-direction: column; gap: 1rem; }}
footer {{ margin-top: 2rem; font-size: .85rem; color: #666; }}
code {{ background: #eee; padding: 0 .25em; border-radius: 3px; }}
svg a.city:hover circle, svg a.city:focus circle {{ fill-opacity: .9; }}
svg g.actor:hover text {{ font-weight: 700; }}
</style>
</head>
<body>
<main>
<nav class="languages" aria-label="{languages}"><ul>{language_links}</ul></nav>
<h1>{heading}</h1>
<p>{intro}</p>
<nav aria-label="{where_to_go}">
<ul>
<li><a href="/graphql">GraphiQL</a>: {graphiql}</li>
<li><a href="/schema.graphql">schema.graphql</a>: {schema}</li>
<li><a href="/export/manifest.json">{exports}</a></li>
<li><a href="#examples">{examples_link}</a></li>
<li><a href="/health">/health</a>: {health}</li>
</ul>
</nav>
<p>{how_to_query}</p>

<div class="figures">
<section aria-labelledby="chairs">
<h2 id="chairs">{chairs_heading}</h2>
<figure>
{timeline}
<figcaption>{chairs_caption}</figcaption>
</figure>
</section>
<section aria-labelledby="meetings">
<h2 id="meetings">{meetings_heading}</h2>
<figure>
{per_year}
<figcaption>{meetings_caption}</figcaption>
</figure>
</section>
<section aria-labelledby="places">
<h2 id="places">{map_heading}</h2>
<figure>
{map}
<figcaption>{map_caption}</figcaption>
</figure>
</section>
<section aria-labelledby="network">
<h2 id="network">{network_heading}</h2>
<figure>
{network}
<figcaption>{network_caption}</figcaption>
</figure>
</section>
</div>

<section aria-labelledby="examples">
<h2 id="examples">{examples_heading}</h2>
<p>{examples_intro}</p>
<ul lang="en" dir="ltr">
{list}</ul>
</section>

<footer>{footer}</footer>
</main>
</body>
</html>
"##,
        code = texts.code,
        dir = texts.dir,
        title = with_name(texts.title),
        alternates = texts::ALL
            .iter()
            .map(|t| format!("<link rel=\"alternate\" hreflang=\"{0}\" href=\"/?lang={0}\">\n", t.code))
            .collect::<String>(),
        languages = texts.languages,
        language_links = language_links(texts),
        heading = with_name(texts.heading),
        where_to_go = texts.where_to_go,
        graphiql = texts.graphiql,
        schema = texts.schema,
        exports = texts.exports,
        examples_link = texts.examples_link,
        health = texts.health,
        how_to_query = texts.how_to_query,
        chairs_heading = with_name(texts.chairs_heading),
        timeline = chair_timeline::svg(catalog, PROCESS, today, texts),
        chairs_caption = fill(texts.chairs_caption, &[("undated", &undated)]),
        meetings_heading = texts.meetings_heading,
        per_year = meetings_per_year::svg(catalog, PROCESS, texts),
        meetings_caption =
            fill(texts.meetings_caption, &[("meetings", &process_meetings.to_string()), ("name", &name)]),
        map_heading = texts.map_heading,
        map = map::svg(catalog, PROCESS, texts),
        map_caption = fill(
            texts.map_caption,
            &[
                ("cities", &cities.len().to_string()),
                ("placed", &placed.to_string()),
                ("elsewhere", &elsewhere.to_string()),
                ("name", &name),
            ],
        ),
        network_heading = texts.network_heading,
        network = network::svg(catalog, PROCESS, texts),
        network_caption = fill(
            texts.network_caption,
            &[("actors", &actors.len().to_string()), ("pairs", &pairs.len().to_string()), ("name", &name)],
        ),
        examples_heading = texts.examples_heading,
        examples_intro = texts.examples_intro,
        footer = fill(
            texts.footer,
            &[("version", &escape(&catalog.meta.version)), ("last_change", &escape(&catalog.meta.last_change))],
        ),
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
    fn the_page_has_all_four_charts_every_link_and_no_script() {
        let html = render(&catalog(), NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default(), &texts::EN);
        assert_eq!(html.matches("<svg").count(), 4);
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

    #[test]
    fn each_language_has_its_lang_direction_texts_and_names() {
        let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let cat = catalog();
        let kp = cat.process(PROCESS).map(|p| &cat.ds.processes[p]).expect("the seed has the process");
        for t in texts::ALL {
            let html = render(&cat, day, t);
            assert!(html.contains(&format!(r#"<html lang="{}" dir="{}">"#, t.code, t.dir)), "{}", t.code);
            assert!(
                html.contains(&escape(&fill(
                    t.heading,
                    &[("name", reference::name_in(Collection::Processes, PROCESS, &kp.name, t.lang))]
                ))),
                "{}",
                t.code
            );
            for other in texts::ALL {
                assert!(html.contains(&format!(r#"href="/?lang={}""#, other.code)), "{} links {}", t.code, other.code);
            }
        }
        assert!(render(&cat, day, &texts::AR).contains(r#"dir="rtl""#));
        assert!(!render(&cat, day, &texts::FR).contains(r#"<html lang="fr" dir="rtl""#));
    }
}
