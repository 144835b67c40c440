//! `meetings.geojson`: every meeting held in person, as an RFC 7946 GeoJSON FeatureCollection
//! that a map tool (QGIS, uMap, Datawrapper, Leaflet) opens as it is.
//!
//! One Point feature per meeting whose city the gazetteer places, at `[longitude, latitude]` (the
//! order RFC 7946 prescribes, the reverse of how people say it), with the meeting's slug as the
//! feature id and, as properties, the meeting's row of `meetings.csv` with the same keys and
//! typed values as `meetings.json`. Online meetings and meetings without a city have no point
//! and are left out.

use super::render::Row;
use super::Table;
use crate::catalog::Catalog;
use serde::Serialize;

/// The file name.
pub const FILE: &str = "meetings.geojson";
/// The media type RFC 7946 registers.
pub const MEDIA_TYPE: &str = "application/geo+json";

#[derive(Serialize)]
struct FeatureCollection<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    features: Vec<Feature<'a>>,
}

#[derive(Serialize)]
struct Feature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    geometry: Point,
    properties: Row<'a>,
}

#[derive(Serialize)]
struct Point {
    #[serde(rename = "type")]
    kind: &'static str,
    coordinates: [f64; 2],
}

/// The collection for `meetings`, the [`super::tables::meetings`] table of `cat` (its rows in
/// the order of `cat`'s meetings); returns the number of features and the bytes.
pub fn meetings(cat: &Catalog, meetings: &Table) -> (usize, Vec<u8>) {
    let features: Vec<Feature> = meetings
        .rows
        .iter()
        .enumerate()
        .filter_map(|(m, row)| {
            let place = cat.place_of(m)?;
            Some(Feature {
                kind: "Feature",
                id: cat.ds.meetings[m].slug.to_string(),
                geometry: Point {
                    kind: "Point",
                    coordinates: [place.coordinates.longitude, place.coordinates.latitude],
                },
                properties: Row { columns: &meetings.columns, cells: row },
            })
        })
        .collect();
    let count = features.len();
    let collection = FeatureCollection { kind: "FeatureCollection", features };
    let mut bytes = serde_json::to_vec_pretty(&collection).unwrap_or_else(|e| {
        // Strings, numbers and booleans always serialise; if they ever did not, say so.
        tracing::error!(error = %e, "meetings.geojson could not be written");
        Vec::new()
    });
    bytes.push(b'\n');
    (count, bytes)
}
