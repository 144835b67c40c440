//! Where the meetings of a process were held, as an SVG map drawn from the read model: the
//! country outlines of Natural Earth (`assets/map/`, see its `VENDORED.md`) and one circle per
//! city, its area proportional to the meetings held there.
//!
//! The projection is equirectangular with the scale of the map's middle latitude on both axes,
//! so that the region from Scandinavia to the Horn of Africa is not stretched sideways. The view
//! is the cities' bounding box with a margin, so a meeting in a new city widens it. Only the
//! countries whose outlines reach into the view are drawn.
//!
//! Every city is an `a class="city"` linking to GraphiQL with the query for its meetings, around
//! a `circle class="city"` with `data-city`, `data-country` and `data-count` and a `<title>`, so
//! that people can hover and click and tests can count.

use super::texts::{fill, Texts};
use super::{escape, graphiql_link};
use crate::catalog::{Catalog, MeetingQuery};
use crate::domain::{Collection, Place};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::OnceLock;

/// The widest and tallest the map may be drawn, in SVG units.
const MAX_WIDTH: f64 = 960.0;
const MAX_HEIGHT: f64 = 720.0;
/// Degrees of margin around the cities.
const MARGIN: f64 = 6.0;
/// The radius of a city with one meeting; a city with `n` has `RADIUS * sqrt(n)`.
const RADIUS: f64 = 4.0;

/// The vendored outlines.
const COUNTRIES: &str = include_str!("../../../assets/map/countries-110m.json");

#[derive(Deserialize)]
struct CountriesFile {
    countries: Vec<Country>,
}

/// One country of Natural Earth.
#[derive(Deserialize)]
struct Country {
    /// Its name, as Natural Earth gives it (used for nothing but reading the file).
    #[allow(dead_code)]
    name: String,
    /// Its rings, each a flat `[longitude, latitude, ...]` list.
    rings: Vec<Vec<f64>>,
}

/// The outlines, parsed once. The file is compiled in and a unit test parses it, so a failure
/// is a bug of the build: it is logged and leaves the map without outlines rather than failing
/// the page.
fn countries() -> &'static [Country] {
    static PARSED: OnceLock<Vec<Country>> = OnceLock::new();
    PARSED.get_or_init(|| match serde_json::from_str::<CountriesFile>(COUNTRIES) {
        Ok(file) => file.countries,
        Err(e) => {
            tracing::error!(error = %e, "assets/map/countries-110m.json does not parse: the map has no outlines");
            Vec::new()
        }
    })
}

/// A city where meetings were held, and how many.
pub struct City {
    /// Where it is.
    pub place: &'static Place,
    /// How many meetings of the process were held there.
    pub count: usize,
}

/// The meetings of `process` per city, largest first (then by state and city), and how many of
/// its meetings have no place on the map (online, without a city, or in a city the gazetteer
/// lacks).
pub fn cities(catalog: &Catalog, process: &str) -> (Vec<City>, usize) {
    let query = MeetingQuery { processes: vec![process.to_owned()], ..MeetingQuery::default() };
    let mut by_place: BTreeMap<(&str, &str), City> = BTreeMap::new();
    let mut elsewhere = 0;
    for m in catalog.meetings(&query) {
        match catalog.place_of(m) {
            Some(place) => {
                by_place
                    .entry((place.country.as_str(), place.city.as_str()))
                    .or_insert(City { place, count: 0 })
                    .count += 1
            }
            None => elsewhere += 1,
        }
    }
    let mut cities: Vec<City> = by_place.into_values().collect();
    cities.sort_by_key(|c| std::cmp::Reverse(c.count));
    (cities, elsewhere)
}

/// The equirectangular projection of the view onto the SVG.
struct Projection {
    west: f64,
    north: f64,
    /// SVG units per degree of latitude.
    scale: f64,
    /// SVG units per degree of longitude.
    scale_x: f64,
    width: f64,
    height: f64,
}

impl Projection {
    /// The projection that shows every city with a margin, as large as fits.
    fn around(cities: &[City]) -> Projection {
        let lons = cities.iter().map(|c| c.place.coordinates.longitude);
        let lats = cities.iter().map(|c| c.place.coordinates.latitude);
        let west = lons.clone().fold(f64::INFINITY, f64::min) - MARGIN;
        let east = lons.fold(f64::NEG_INFINITY, f64::max) + MARGIN;
        let south = lats.clone().fold(f64::INFINITY, f64::min) - MARGIN;
        let north = lats.fold(f64::NEG_INFINITY, f64::max) + MARGIN;
        let stretch = ((south + north) / 2.0).to_radians().cos();
        let scale = (MAX_WIDTH / ((east - west) * stretch)).min(MAX_HEIGHT / (north - south));
        let scale_x = scale * stretch;
        Projection { west, north, scale, scale_x, width: (east - west) * scale_x, height: (north - south) * scale }
    }

    fn x(&self, longitude: f64) -> f64 {
        (longitude - self.west) * self.scale_x
    }

    fn y(&self, latitude: f64) -> f64 {
        (self.north - latitude) * self.scale
    }

    /// Whether a ring reaches into the view.
    fn shows(&self, ring: &[f64]) -> bool {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for p in ring.chunks_exact(2) {
            let (x, y) = (self.x(p[0]), self.y(p[1]));
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        x1 >= 0.0 && x0 <= self.width && y1 >= 0.0 && y0 <= self.height
    }
}

/// The GraphQL query for the meetings of `process` held in a city.
fn city_query(process: &str, place: &Place) -> String {
    let operation: String = place.city.chars().filter(char::is_ascii_alphanumeric).collect();
    let quoted = |s: &str| serde_json::Value::from(s).to_string();
    format!(
        "query MeetingsIn{operation} {{\n  meetings(filter: {{process: {}, country: {}, city: {}}}, orderBy: START_DATE_ASC, first: 100) {{\n    totalCount\n    nodes {{\n      title\n      kind\n      startDate\n      endDate\n      city\n      hosts {{\n        name\n      }}\n    }}\n  }}\n}}\n",
        quoted(process),
        quoted(place.country.as_str()),
        quoted(&place.city),
    )
}

/// The SVG map of where the meetings of `process` were held, with its texts in `texts`.
pub fn svg(catalog: &Catalog, process: &str, texts: &Texts) -> String {
    let (cities, _) = cities(catalog, process);
    if cities.is_empty() {
        return super::note_svg("meetings-map", texts.no_meetings);
    }
    let p = Projection::around(&cities);
    let (width, height) = (p.width.round(), p.height.round());
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart meetings-map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="meetings-map-title" font-family="system-ui, sans-serif" font-size="12">
<title id="meetings-map-title">{}</title>
<rect width="{width}" height="{height}" fill="#eef4f8"/>"##,
        escape(texts.map_heading),
    );
    // One path per country, its rings as subpaths; coordinates to a tenth of a unit, finer than
    // a screen pixel at this size.
    out.push_str(
        r##"<g class="countries" fill="#e4e1d8" stroke="#a9a59a" stroke-width="0.6" stroke-linejoin="round">"##,
    );
    for country in countries() {
        let mut d = String::new();
        for ring in country.rings.iter().filter(|r| p.shows(r)) {
            for (i, point) in ring.chunks_exact(2).enumerate() {
                let _ = write!(d, "{}{:.1},{:.1}", if i == 0 { "M" } else { " " }, p.x(point[0]), p.y(point[1]));
            }
            d.push('Z');
        }
        if !d.is_empty() {
            let _ = write!(out, r##"<path d="{d}"/>"##);
        }
    }
    out.push_str("</g>\n");
    // Largest first, so that a small city next to a large one stays on top and clickable.
    for city in &cities {
        let place = city.place;
        let country = catalog.state(place.country.as_str()).map_or(place.country.as_str(), |s| {
            crate::seed::reference::name_in(
                Collection::States,
                place.country.as_str(),
                &catalog.ds.states[s].name,
                texts.lang,
            )
        });
        let title = fill(
            texts.city_title,
            &[("city", &place.city), ("country", country), ("count", &texts.meetings(city.count))],
        );
        let _ = writeln!(
            out,
            r##"<a class="city" href="{href}"><circle class="city" cx="{:.1}" cy="{:.1}" r="{:.1}" fill="#d62728" fill-opacity="0.6" stroke="#7f1414" stroke-width="1" data-city="{city}" data-country="{country_slug}" data-count="{count}"><title>{title}</title></circle></a>"##,
            p.x(place.coordinates.longitude),
            p.y(place.coordinates.latitude),
            RADIUS * (city.count as f64).sqrt(),
            href = escape(&graphiql_link(&city_query(process, place))),
            city = escape(&place.city),
            country_slug = escape(place.country.as_str()),
            count = city.count,
            title = escape(&title),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::catalog;
    use super::super::texts::EN;
    use super::*;
    use std::collections::HashMap;

    /// Meetings of the Khartoum Process per (state, city) as the seed records them, for those
    /// held in person in a city; and the number of the others.
    fn seed_cities() -> (HashMap<(String, String), usize>, usize) {
        let mut counts = HashMap::new();
        let mut elsewhere = 0;
        for m in catalog().ds.meetings.iter().filter(|m| m.processes.iter().any(|p| p.as_str() == "khartoum-process")) {
            match (&m.country, &m.city) {
                (Some(country), Some(city)) if !m.online => {
                    *counts.entry((country.to_string(), city.clone())).or_default() += 1
                }
                _ => elsewhere += 1,
            }
        }
        (counts, elsewhere)
    }

    #[test]
    fn the_vendored_outlines_parse_and_have_rings() {
        let countries: CountriesFile = serde_json::from_str(COUNTRIES).expect("the outlines parse");
        assert!(countries.countries.len() > 100);
        for c in &countries.countries {
            assert!(!c.rings.is_empty() && c.rings.iter().all(|r| r.len() >= 6 && r.len() % 2 == 0), "{}", c.name);
        }
    }

    #[test]
    fn every_city_of_the_seed_gets_one_circle_with_its_count() {
        let (expected, elsewhere) = seed_cities();
        let (cities, unplaced) = cities(&catalog(), "khartoum-process");
        assert_eq!(unplaced, elsewhere);
        let drawn: HashMap<(String, String), usize> =
            cities.iter().map(|c| ((c.place.country.to_string(), c.place.city.clone()), c.count)).collect();
        assert_eq!(drawn, expected);
        let svg = svg(&catalog(), "khartoum-process", &EN);
        assert_eq!(svg.matches(r#"<circle class="city""#).count(), expected.len());
        assert_eq!(svg.matches(r#"<a class="city" href="/graphql#query="#).count(), expected.len());
        for ((country, city), count) in &expected {
            let circle = format!(r#"data-city="{}" data-country="{country}" data-count="{count}""#, escape(city));
            assert!(svg.contains(&circle), "{circle}");
        }
    }

    #[test]
    fn every_circle_lies_inside_the_view() {
        let (cities, _) = cities(&catalog(), "khartoum-process");
        let p = Projection::around(&cities);
        assert!(p.width <= MAX_WIDTH + 0.01 && p.height <= MAX_HEIGHT + 0.01);
        for c in &cities {
            let (x, y) = (p.x(c.place.coordinates.longitude), p.y(c.place.coordinates.latitude));
            assert!((0.0..=p.width).contains(&x) && (0.0..=p.height).contains(&y), "{}", c.place.city);
        }
    }

    #[test]
    fn a_city_links_to_a_query_for_its_meetings_alone() {
        let (cities, _) = cities(&catalog(), "khartoum-process");
        let query = city_query("khartoum-process", cities[0].place);
        assert!(query.contains(&format!(r#"city: "{}""#, cities[0].place.city)), "{query}");
        assert!(query.contains(&format!(r#"country: "{}""#, cities[0].place.country)), "{query}");
    }

    #[test]
    fn a_process_without_meetings_draws_a_note_saying_so() {
        let svg = svg(&catalog(), "no-such-process", &EN);
        assert!(svg.contains(r#"class="chart meetings-map""#) && svg.contains(EN.no_meetings), "{svg}");
    }
}
