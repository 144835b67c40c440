//! Reference data compiled into the binary: the gazetteer of the cities where meetings were
//! held, read from the extract archived at `sources/gazetteer.json`.
//!
//! It is not part of the stored dataset: it describes places, not the record, and comes whole
//! from a cited package rather than from curation. Keeping it out of the store also keeps the
//! stored format unchanged. A meeting created through the API in a city the gazetteer lacks has
//! no coordinates until the extract gains that city.

use crate::domain::{Coordinates, Place, Slug};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The archived extract of the gazetteer.
const GAZETTEER: &str = include_str!("../../sources/gazetteer.json");

/// `sources/gazetteer.json`: the package's records, each with our spelling of the city and the
/// slug of its state. Keys this code does not read (population, the package's file) stay in the
/// archive for a reader to check.
#[derive(Deserialize)]
struct GazetteerFile {
    /// The slug of the source record (in `seed/sources.json`) that cites the package.
    source: String,
    cities: Vec<CityFile>,
}

#[derive(Deserialize)]
struct CityFile {
    city: String,
    country: String,
    geonameid: u32,
    latitude: f64,
    longitude: f64,
}

/// The gazetteer: every place, and where to find each by state and city.
struct Gazetteer {
    places: Vec<Place>,
    by_name: HashMap<(String, String), usize>,
}

/// Parses the extract. It is compiled in and checked by a unit test, so a failure is a bug of
/// the build; it is logged and leaves the gazetteer empty rather than stopping the server.
fn parse(text: &str) -> Result<Vec<Place>, String> {
    let file: GazetteerFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let source = Slug::parse(&file.source).map_err(|e| e.to_string())?;
    file.cities
        .into_iter()
        .map(|c| {
            Ok(Place {
                country: Slug::parse(&c.country).map_err(|e| format!("{}: {e}", c.city))?,
                city: c.city,
                geonames_id: c.geonameid,
                coordinates: Coordinates { latitude: c.latitude, longitude: c.longitude },
                sources: vec![source.clone()],
            })
        })
        .collect()
}

fn gazetteer() -> &'static Gazetteer {
    static GAZ: OnceLock<Gazetteer> = OnceLock::new();
    GAZ.get_or_init(|| {
        let places = parse(GAZETTEER).unwrap_or_else(|e| {
            tracing::error!(error = %e, "sources/gazetteer.json does not parse: no meeting has coordinates");
            Vec::new()
        });
        let by_name = places.iter().enumerate().map(|(i, p)| ((p.country.to_string(), p.city.clone()), i)).collect();
        Gazetteer { places, by_name }
    })
}

/// Every place of the gazetteer.
pub fn places() -> &'static [Place] {
    &gazetteer().places
}

/// The place of a city in a state, as meetings name them (`eg`, `Cairo`).
pub fn place(country: &str, city: &str) -> Option<&'static Place> {
    let g = gazetteer();
    g.by_name.get(&(country.to_owned(), city.to_owned())).map(|&i| &g.places[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_archived_gazetteer_parses_with_one_entry_per_city() {
        let places = parse(GAZETTEER).unwrap();
        assert!(!places.is_empty());
        assert_eq!(gazetteer().by_name.len(), places.len(), "no city is listed twice");
        for p in &places {
            assert!((-90.0..=90.0).contains(&p.coordinates.latitude), "{}", p.city);
            assert!((-180.0..=180.0).contains(&p.coordinates.longitude), "{}", p.city);
        }
    }

    #[test]
    fn every_seed_meeting_held_in_a_city_finds_it_in_the_gazetteer() {
        let seed = crate::seed::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")).expect("the seed");
        let sources: Vec<&str> = seed.dataset.sources.iter().map(|s| s.slug.as_str()).collect();
        for m in &seed.dataset.meetings {
            if let (Some(country), Some(city)) = (&m.country, &m.city) {
                let p = place(country.as_str(), city).unwrap_or_else(|| panic!("{}: {city}, {country}", m.slug));
                assert!(p.sources.iter().all(|s| sources.contains(&s.as_str())), "the gazetteer's source is seeded");
            }
        }
    }
}
