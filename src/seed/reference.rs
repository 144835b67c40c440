//! Reference data compiled into the binary: the gazetteer of the cities where meetings were
//! held (`sources/gazetteer.json`), and the French and Arabic names of states, organisations,
//! processes and documents (`sources/names.json`), each an archived extract with its sources.
//!
//! It is not part of the stored dataset: it comes whole from cited packages and pages rather
//! than from curation, and keeping it out of the store keeps the stored format unchanged. A
//! meeting created through the API in a city the gazetteer lacks has no coordinates, and a
//! record created through the API has only its English name, until the extracts gain them.

use crate::domain::{Collection, Coordinates, Language, LocalizedName, Place, Slug};
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

/// The archived names in French and Arabic.
const NAMES: &str = include_str!("../../sources/names.json");

/// `sources/names.json`. Keys this code does not read (the ISO 3166-1 name a translation is of)
/// stay in the archive for a reader to check.
#[derive(Deserialize)]
struct NamesFile {
    names: Vec<NameFile>,
}

#[derive(Deserialize)]
struct NameFile {
    collection: String,
    slug: String,
    lang: String,
    text: String,
    sources: Vec<String>,
}

/// The names of each record, by collection and key.
type Names = HashMap<(Collection, String), Vec<LocalizedName>>;

fn parse_names(text: &str) -> Result<Names, String> {
    let file: NamesFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Names::new();
    for n in file.names {
        let collection = match n.collection.as_str() {
            "states" => Collection::States,
            "organizations" => Collection::Organizations,
            "processes" => Collection::Processes,
            "documents" => Collection::Documents,
            other => return Err(format!("{}: names of {other} are not kept", n.slug)),
        };
        let lang = match n.lang.as_str() {
            "FR" => Language::Fr,
            "AR" => Language::Ar,
            other => return Err(format!("{}: language {other} (English names are the records' own)", n.slug)),
        };
        let sources = n.sources.iter().map(|s| Slug::parse(s).map_err(|e| format!("{}: {e}", n.slug)));
        let name = LocalizedName { lang, text: n.text, sources: sources.collect::<Result<_, _>>()? };
        let names = out.entry((collection, n.slug)).or_default();
        if names.iter().any(|x| x.lang == lang) {
            return Err(format!("two {lang:?} names for one record"));
        }
        names.push(name);
    }
    Ok(out)
}

fn names() -> &'static Names {
    static NAMES_BY_RECORD: OnceLock<Names> = OnceLock::new();
    NAMES_BY_RECORD.get_or_init(|| {
        parse_names(NAMES).unwrap_or_else(|e| {
            tracing::error!(error = %e, "sources/names.json does not parse: names are in English only");
            Names::new()
        })
    })
}

/// The French and Arabic names of a record that the archived sources give (none, for a record
/// they do not name).
pub fn names_of(collection: Collection, key: &str) -> &'static [LocalizedName] {
    // The map is keyed by owned strings; a look-up costs one small allocation.
    names().get(&(collection, key.to_owned())).map_or(&[], Vec::as_slice)
}

/// The name of record `key` of `collection` in `lang`: `english` (the record's own name) for
/// English and where no archived source gives one in that language.
pub fn name_in<'a>(collection: Collection, key: &str, english: &'a str, lang: Language) -> &'a str {
    if lang == Language::En {
        return english;
    }
    names_of(collection, key).iter().find(|n| n.lang == lang).map_or(english, |n| n.text.as_str())
}

/// The records with a French or Arabic name among whose search terms ([`crate::domain::terms`])
/// is `term`.
pub fn name_hits(term: &str) -> Vec<(Collection, &'static str)> {
    static TERMS: OnceLock<Vec<(Collection, &'static str, Vec<String>)>> = OnceLock::new();
    let terms = TERMS.get_or_init(|| {
        all_names()
            .flat_map(|(c, key, names)| names.iter().map(move |n| (c, key, crate::domain::terms(&n.text))))
            .collect()
    });
    terms.iter().filter(|(_, _, t)| t.iter().any(|x| x == term)).map(|(c, key, _)| (*c, *key)).collect()
}

/// Every record that has a name in French or Arabic, with those names.
pub fn all_names() -> impl Iterator<Item = (Collection, &'static str, &'static [LocalizedName])> {
    names().iter().map(|((c, key), v)| (*c, key.as_str(), v.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_archived_names_parse_and_name_only_seeded_records_with_seeded_sources() {
        let names = parse_names(NAMES).unwrap();
        let ds = crate::seed::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")).expect("the seed").dataset;
        let keys: Vec<(Collection, &str)> = ds.keys();
        let sources: Vec<&str> = ds.sources.iter().map(|s| s.slug.as_str()).collect();
        for ((c, key), v) in &names {
            assert!(keys.contains(&(*c, key.as_str())), "{c:?} {key} is not in the seed");
            for n in v {
                assert!(!n.sources.is_empty() && n.sources.iter().all(|s| sources.contains(&s.as_str())), "{key}");
            }
        }
    }

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
