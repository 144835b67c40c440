//! Bulk exports for data journalists: every table as CSV, JSON and JSONL, the co-host network as
//! GraphML, the manifest, `Accept: text/csv` on any query, and `export --format`. Each is read
//! back with a real parser (the csv crate, roxmltree) and checked against answers derived from
//! the seed files, read independently of the API.

use crate::binary::cli;
use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use khartoum_graphql::{app::App, curation::Tokens};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// The nine tables, each with the seed file its rows come from.
const TABLES: [(&str, &str); 9] = [
    ("meetings", "meetings.json"),
    ("participations", "meetings.json"),
    ("chairmanships", "chairmanships.json"),
    ("memberships", "memberships.json"),
    ("commitments", "commitments.json"),
    ("states", "states.json"),
    ("organizations", "organizations.json"),
    ("people", "people.json"),
    ("posts", "people.json"),
];

const ORGANISING: [&str; 4] = ["HOST", "CO_HOST", "CHAIR", "CO_CHAIR"];

/// A CSV file parsed by the csv crate: its header and its records, each keyed by column.
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<HashMap<String, String>>,
}

impl Csv {
    pub fn parse(text: &str) -> Csv {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().expect("a header row").iter().map(str::to_owned).collect();
        let rows = reader
            .records()
            .map(|r| {
                let r = r.unwrap_or_else(|e| panic!("not RFC 4180 CSV: {e}"));
                assert_eq!(r.len(), header.len(), "every record has a cell per column");
                header.iter().cloned().zip(r.iter().map(str::to_owned)).collect()
            })
            .collect();
        Csv { header, rows }
    }

    fn row(&self, column: &str, value: &str) -> &HashMap<String, String> {
        self.rows.iter().find(|r| r[column] == value).unwrap_or_else(|| panic!("no row with {column} = {value}"))
    }
}

/// How many records a table must have, from the seed files.
fn seed_rows(table: &str, file: &str) -> usize {
    let records = seed_file(file);
    if table == "participations" {
        records.iter().map(|m| m["participations"].as_array().unwrap().len()).sum()
    } else if table == "posts" {
        records.iter().map(|p| p["posts"].as_array().map_or(0, Vec::len)).sum()
    } else {
        records.len()
    }
}

/// Actor slug → (name, kind), from the seed files.
fn seed_actors() -> HashMap<String, (String, &'static str)> {
    let mut actors = HashMap::new();
    for (file, kind) in [("states.json", "state"), ("organizations.json", "organization")] {
        for a in seed_file(file) {
            actors.insert(text(&a, "slug").unwrap().to_owned(), (text(&a, "name").unwrap().to_owned(), kind));
        }
    }
    actors
}

/// Every pair of actors that organised a meeting together (host, co-host, chair, co-chair), with
/// the meetings they share, from seed/meetings.json.
fn seed_pairs() -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut pairs: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for m in seed_file("meetings.json") {
        let organisers: BTreeSet<String> = m["participations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| ORGANISING.contains(&p["role"].as_str().unwrap()))
            .map(|p| p["actor"].as_str().unwrap().to_owned())
            .collect();
        for a in &organisers {
            for b in &organisers {
                if a < b {
                    pairs.entry((a.clone(), b.clone())).or_default().insert(text(&m, "slug").unwrap().to_owned());
                }
            }
        }
    }
    pairs
}

fn header_of(reply: &Reply, name: header::HeaderName) -> &str {
    reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The co-host network as parsed from GraphML: node id → its data, each `cohost` edge as the
/// sorted pair of its ends → (weight, meetings), and each `post` edge as (person node, actor) →
/// (its id, the post titles as written, meetings). The titles stay one string: a title may
/// itself hold the list separator.
struct Graph {
    nodes: BTreeMap<String, BTreeMap<String, String>>,
    edges: BTreeMap<(String, String), (u64, BTreeSet<String>)>,
    posts: BTreeMap<(String, String), (String, String, BTreeSet<String>)>,
}

/// The items of a `; `-joined list (none in an empty cell).
fn list(cell: &str) -> BTreeSet<String> {
    cell.split("; ").filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn parse_graphml(text: &str) -> Graph {
    const NS: &str = "http://graphml.graphdrawing.org/xmlns";
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not well-formed XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "graphml");
    assert_eq!(root.tag_name().namespace(), Some(NS));
    let keys: BTreeMap<String, (String, String)> = root
        .children()
        .filter(|n| n.has_tag_name((NS, "key")))
        .map(|k| {
            (
                k.attribute("id").unwrap().to_owned(),
                (k.attribute("for").unwrap().to_owned(), k.attribute("attr.type").unwrap().to_owned()),
            )
        })
        .collect();
    for (id, target, ty) in [
        ("name", "node", "string"),
        ("kind", "node", "string"),
        ("continent", "node", "string"),
        ("relation", "edge", "string"),
        ("weight", "edge", "int"),
        ("posts", "edge", "string"),
        ("meetings", "edge", "string"),
    ] {
        assert_eq!(keys.get(id), Some(&(target.to_owned(), ty.to_owned())), "a <key> declares {id}");
    }
    let graph = root.children().find(|n| n.has_tag_name((NS, "graph"))).expect("a <graph>");
    assert_eq!(graph.attribute("edgedefault"), Some("undirected"));
    let data = |n: roxmltree::Node| -> BTreeMap<String, String> {
        n.children()
            .filter(|d| d.has_tag_name((NS, "data")))
            .map(|d| {
                let key = d.attribute("key").unwrap();
                assert!(keys.contains_key(key), "data key {key} is declared");
                (key.to_owned(), d.text().unwrap_or_default().to_owned())
            })
            .collect()
    };
    let nodes: BTreeMap<String, BTreeMap<String, String>> = graph
        .children()
        .filter(|n| n.has_tag_name((NS, "node")))
        .map(|n| (n.attribute("id").unwrap().to_owned(), data(n)))
        .collect();
    let mut edges = BTreeMap::new();
    let mut posts = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for e in graph.children().filter(|n| n.has_tag_name((NS, "edge"))) {
        let (s, t) = (e.attribute("source").unwrap().to_owned(), e.attribute("target").unwrap().to_owned());
        assert!(nodes.contains_key(&s) && nodes.contains_key(&t), "edge {s}-{t} joins two nodes");
        let id = e.attribute("id").expect("an edge id").to_owned();
        assert!(ids.insert(id.clone()) && !nodes.contains_key(&id), "edge ids are unique: {id}");
        let d = data(e);
        let weight: u64 = d["weight"].parse().unwrap();
        let meetings = list(&d["meetings"]);
        match d["relation"].as_str() {
            "cohost" => {
                let pair = if s < t { (s, t) } else { (t, s) };
                assert!(edges.insert(pair.clone(), (weight, meetings)).is_none(), "one edge per pair: {pair:?}");
            }
            "post" => {
                assert_eq!(weight, 1, "a post weighs 1: {s}-{t}");
                let entry = (id, d["posts"].clone(), meetings);
                assert!(posts.insert((s.clone(), t.clone()), entry).is_none(), "one edge per post: {s}-{t}");
            }
            other => panic!("edge {s}-{t} has relation {other:?}"),
        }
    }
    Graph { nodes, edges, posts }
}

/// POSTs a query to /graphql with an `Accept` header.
async fn post_accept(app: &TestApp, accept: &str, body: &Value) -> Reply {
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, accept)
        .body(Body::from(body.to_string()))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn every_csv_export_parses_with_a_header_and_one_row_per_record() {
    let app = spawn_app();
    for (table, file) in TABLES {
        let reply = app.get(&format!("/export/{table}.csv")).await;
        assert_eq!(reply.status, StatusCode::OK, "{table}: {}", reply.body);
        assert_eq!(header_of(&reply, header::CONTENT_TYPE), "text/csv; charset=utf-8; header=present");
        assert_eq!(header_of(&reply, header::CONTENT_DISPOSITION), format!("attachment; filename=\"{table}.csv\""));
        assert!(reply.body.ends_with("\r\n"), "{table}: records end with CRLF");
        assert_eq!(
            reply.body.matches('\n').count(),
            reply.body.matches("\r\n").count(),
            "{table}: every line break between records is CRLF (none of our texts has a line break)"
        );
        let csv = Csv::parse(&reply.body);
        assert_eq!(csv.rows.len(), seed_rows(table, file), "{table}: one row per record of seed/{file}");
        assert!(!csv.header.is_empty() && csv.header.iter().all(|c| !c.is_empty()));
        assert!(csv.header.contains(&"sources".to_owned()), "{table}: sources are a column");
    }
}

#[tokio::test]
async fn participations_csv_names_both_ends_of_every_participation_in_the_seed() {
    let app = spawn_app();
    let actors = seed_actors();
    let mut expected = Vec::new();
    for m in seed_file("meetings.json") {
        for p in m["participations"].as_array().unwrap() {
            let actor = p["actor"].as_str().unwrap();
            let (name, kind) = &actors[actor];
            let sources = if strings(p, "sources").is_empty() { strings(&m, "sources") } else { strings(p, "sources") };
            expected.push(vec![
                text(&m, "slug").unwrap().to_owned(),
                text(&m, "title").unwrap().to_owned(),
                text(&m, "startDate").unwrap().to_owned(),
                actor.to_owned(),
                name.clone(),
                (*kind).to_owned(),
                p["role"].as_str().unwrap().to_owned(),
                p["inferred"].as_bool().unwrap().to_string(),
                sources.join("; "),
            ]);
        }
    }
    let csv = Csv::parse(&app.get("/export/participations.csv").await.body);
    let columns = [
        "meeting_slug",
        "meeting_title",
        "meeting_start_date",
        "actor_slug",
        "actor_name",
        "actor_kind",
        "role",
        "inferred",
        "sources",
    ];
    let got: Vec<Vec<String>> = csv.rows.iter().map(|r| columns.iter().map(|c| r[*c].clone()).collect()).collect();
    expected.sort();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, expected);
    // Germany's co-hosting at Mombasa, as the journalists' tests know it from the sources.
    let de = csv
        .rows
        .iter()
        .find(|r| r["meeting_slug"] == "2022-07-mombasa-skills-mobility" && r["actor_slug"] == "de")
        .expect("Germany took part in the Mombasa meeting");
    assert_eq!((de["actor_name"].as_str(), de["actor_kind"].as_str()), ("Germany", "state"));
}

#[tokio::test]
async fn dates_keep_the_precision_the_sources_give() {
    let app = spawn_app();
    let meetings = Csv::parse(&app.get("/export/meetings.csv").await.body);
    let seeded = seed_file("meetings.json");
    let year_only: Vec<&Value> = seeded.iter().filter(|m| text(m, "startDate").unwrap().len() == 4).collect();
    assert!(!year_only.is_empty(), "the seed has meetings known only to the year");
    for m in year_only {
        let row = meetings.row("slug", text(m, "slug").unwrap());
        assert_eq!(row["start_date"], text(m, "startDate").unwrap(), "a year stays a year");
    }
    for m in &seeded {
        let row = meetings.row("slug", text(m, "slug").unwrap());
        assert_eq!(row["start_date"], text(m, "startDate").unwrap());
        assert_eq!(row["end_date"], text(m, "endDate").unwrap_or(""));
    }
    // The first Khartoum Process chair term is known only to start in 2014.
    let terms = Csv::parse(&app.get("/export/chairmanships.csv").await.body);
    let egypt = seed_file("chairmanships.json")
        .into_iter()
        .find(|t| text(t, "slug") == Some("khartoum-process-2014-egypt"))
        .unwrap();
    let row = terms.row("slug", "khartoum-process-2014-egypt");
    assert_eq!(row["start"], "2014");
    assert_eq!(row["start"], text(&egypt, "start").unwrap());
    assert_eq!((row["chair_slug"].as_str(), row["chair_name"].as_str()), ("eg", "Egypt"));
    assert_eq!(row["process_name"], "Khartoum Process");
}

#[tokio::test]
async fn sources_are_a_column_of_slugs_with_an_address_for_each() {
    let app = spawn_app();
    let addresses: HashMap<String, String> = seed_file("sources.json")
        .iter()
        .map(|s| {
            let address = text(s, "url").or_else(|| text(s, "reference")).unwrap();
            (text(s, "slug").unwrap().to_owned(), address.to_owned())
        })
        .collect();
    for (table, file, key) in [
        ("meetings", "meetings.json", "slug"),
        ("states", "states.json", "slug"),
        ("memberships", "memberships.json", "slug"),
        ("commitments", "commitments.json", "code"),
    ] {
        let csv = Csv::parse(&app.get(&format!("/export/{table}.csv")).await.body);
        for record in seed_file(file) {
            let row = csv.row(key, text(&record, key).unwrap());
            let sources = strings(&record, "sources");
            assert_eq!(row["sources"], sources.join("; "), "{table}");
            let urls: Vec<&str> = sources.iter().map(|s| addresses[s].as_str()).collect();
            assert_eq!(row["source_urls"], urls.join("; "), "{table}");
        }
    }
}

#[tokio::test]
async fn the_rows_involving_germany_in_cohosts_graphml_match_the_meetings_it_co_organised() {
    let app = spawn_app();
    let reply = app.get("/export/cohosts.graphml").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(header_of(&reply, header::CONTENT_TYPE), "application/graphml+xml");
    let graph = parse_graphml(&reply.body);
    let expected: BTreeMap<String, BTreeSet<String>> = seed_pairs()
        .into_iter()
        .filter_map(|((a, b), meetings)| match (a.as_str(), b.as_str()) {
            ("de", _) => Some((b, meetings)),
            (_, "de") => Some((a, meetings)),
            _ => None,
        })
        .collect();
    assert!(!expected.is_empty(), "Germany co-organised meetings in the seed");
    let got: BTreeMap<String, BTreeSet<String>> = graph
        .edges
        .iter()
        .filter_map(|((a, b), (_, meetings))| match (a.as_str(), b.as_str()) {
            ("de", _) => Some((b.clone(), meetings.clone())),
            (_, "de") => Some((a.clone(), meetings.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(got, expected);
    // Kenya is Germany's most frequent partner (tests/api/journalists.rs).
    let most = expected.iter().max_by_key(|(_, m)| m.len()).unwrap().0;
    assert_eq!(most, "ke");
    assert_eq!(graph.nodes["de"]["name"], "Germany");
    assert_eq!(graph.nodes["de"]["continent"], "EUROPE");
}

#[tokio::test]
async fn cohosts_graphml_is_valid_graphml_whose_edge_weights_count_the_shared_meetings() {
    let app = spawn_app();
    let graph = parse_graphml(&app.get("/export/cohosts.graphml").await.body);
    let pairs = seed_pairs();
    let expected: BTreeMap<(String, String), (u64, BTreeSet<String>)> =
        pairs.iter().map(|(pair, meetings)| (pair.clone(), (meetings.len() as u64, meetings.clone()))).collect();
    assert_eq!(graph.edges, expected, "one edge per pair of co-organisers, weighted by shared meetings");
    for ((a, b), (weight, meetings)) in &graph.edges {
        assert_eq!(*weight, meetings.len() as u64, "{a}-{b}");
    }
    let actors = seed_actors();
    let people = seed_file("people.json");
    let posted = people.iter().flat_map(|p| p["posts"].as_array().unwrap()).map(|p| text(p, "actor").unwrap());
    let actor_nodes: BTreeSet<&str> = pairs.keys().flat_map(|(a, b)| [a.as_str(), b.as_str()]).chain(posted).collect();
    let person_nodes = people.iter().map(|p| format!("person:{}", text(p, "slug").unwrap()));
    let expected: BTreeSet<String> = actor_nodes.iter().map(|&a| a.to_owned()).chain(person_nodes).collect();
    assert_eq!(
        graph.nodes.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "exactly the actors with a partner or a person's post, and the people"
    );
    for (id, data) in graph.nodes.iter().filter(|(id, _)| actor_nodes.contains(id.as_str())) {
        let (name, kind) = &actors[id];
        assert_eq!((&data["name"], data["kind"].as_str()), (name, *kind), "{id}");
        assert_eq!(data.contains_key("continent"), *kind == "state", "{id}: continent for states only");
    }
}

#[tokio::test]
async fn every_person_in_cohosts_graphml_is_linked_to_each_actor_they_held_a_post_for_with_the_meetings_where_they_acted(
) {
    let app = spawn_app();
    let graph = parse_graphml(&app.get("/export/cohosts.graphml").await.body);
    // (person, actor) -> (titles in the order recorded, meetings), from the seed files.
    let mut expected: BTreeMap<(String, String), (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    let people = seed_file("people.json");
    for p in &people {
        let slug = text(p, "slug").unwrap();
        let node = &graph.nodes[&format!("person:{slug}")];
        assert_eq!(
            (node["name"].as_str(), node["label"].as_str()),
            (text(p, "name").unwrap(), text(p, "name").unwrap())
        );
        assert_eq!(node["kind"], "person");
        assert!(!node.contains_key("continent"), "{slug}");
        for post in p["posts"].as_array().unwrap() {
            let key = (format!("person:{slug}"), text(post, "actor").unwrap().to_owned());
            expected.entry(key).or_default().0.push(text(post, "title").unwrap().to_owned());
        }
    }
    for m in seed_file("meetings.json") {
        for part in m["participations"].as_array().unwrap() {
            for person in part["people"].as_array().into_iter().flatten() {
                let key = (format!("person:{}", person.as_str().unwrap()), text(part, "actor").unwrap().to_owned());
                // A person who acted for an actor they held no recorded post for has no edge.
                if let Some((_, meetings)) = expected.get_mut(&key) {
                    meetings.insert(text(&m, "slug").unwrap().to_owned());
                }
            }
        }
    }
    assert!(expected.values().any(|(_, meetings)| !meetings.is_empty()), "some people acted at meetings");
    let got: BTreeMap<_, _> =
        graph.posts.iter().map(|(k, (_, titles, meetings))| (k.clone(), (titles.clone(), meetings.clone()))).collect();
    let expected: BTreeMap<_, _> =
        expected.into_iter().map(|(k, (titles, meetings))| (k, (titles.join("; "), meetings))).collect();
    assert_eq!(got, expected);
    for ((person, actor), (id, _, _)) in &graph.posts {
        assert_eq!(id, &format!("post:{}:{actor}", person.trim_start_matches("person:")), "a stable id");
    }
}

#[tokio::test]
async fn a_formula_in_a_cell_is_neutralised_in_csv_and_kept_raw_in_json() {
    let app = spawn_app();
    let before = app.get("/export/manifest.json").await.json();
    let formula = "=HYPERLINK(\"http://evil\")";
    app.write_data(
        r#"mutation($s: String) { updateMeeting(slug: "2025-aswan-legal-pathways", input: { summary: $s }) { slug } }"#,
        json!({ "s": formula }),
    )
    .await;
    let csv = Csv::parse(&app.get("/export/meetings.csv").await.body);
    let summary = &csv.row("slug", "2025-aswan-legal-pathways")["summary"];
    assert!(summary.starts_with("'="), "neutralised: {summary}");
    assert_eq!(summary, &format!("'{formula}"));
    let rows = app.get("/export/meetings.json").await.json();
    let row = rows.as_array().unwrap().iter().find(|r| r["slug"] == "2025-aswan-legal-pathways").unwrap();
    assert_eq!(row["summary"], formula, "JSON keeps the raw value");
    // The write changed the dataset version, and the exports followed it.
    let after = app.get("/export/manifest.json").await.json();
    assert_ne!(after["dataset"]["version"], before["dataset"]["version"]);
    assert_eq!(after["dataset"]["version"], app.get("/health").await.json()["datasetVersion"]);
}

#[tokio::test]
async fn the_manifest_lists_every_export_with_the_size_and_sha256_of_the_bytes_served() {
    let app = spawn_app();
    let reply = app.get("/export/manifest.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let manifest = reply.json();
    let health = app.get("/health").await.json();
    assert_eq!(manifest["dataset"]["version"], health["datasetVersion"]);
    assert_eq!(manifest["dataset"]["lastChange"], health["lastChange"]);
    let files = manifest["files"].as_array().unwrap();
    let mut expected_names: Vec<String> = TABLES
        .iter()
        .flat_map(|(t, _)| ["csv", "json", "jsonl"].map(|ext| format!("{t}.{ext}")))
        .chain(["datapackage.json", "meetings.geojson", "cohosts.graphml"].map(str::to_owned))
        .collect();
    expected_names.sort();
    assert_eq!(sorted(pluck(&manifest["files"], "name")), expected_names);
    for f in files {
        let name = f["name"].as_str().unwrap();
        assert_eq!(f["path"], format!("/export/{name}"));
        let served = app.get(f["path"].as_str().unwrap()).await;
        assert_eq!(served.status, StatusCode::OK, "{name}");
        assert_eq!(f["sha256"], sha256(&served.body), "{name}: the digest of the bytes served");
        assert_eq!(f["bytes"], served.body.len(), "{name}");
        assert_eq!(f["mediaType"], header_of(&served, header::CONTENT_TYPE), "{name}");
        let (table, ext) = name.split_once('.').unwrap();
        let rows = f["rows"].as_u64().unwrap() as usize;
        if name == "datapackage.json" {
            let resources = served.json()["resources"].as_array().unwrap().len();
            assert_eq!(rows, resources, "{name}: a data package's rows are the tables it describes");
            continue;
        }
        if name == "meetings.geojson" {
            let features = served.json()["features"].as_array().unwrap().len();
            assert_eq!(rows, features, "{name}: a map's rows are its features");
            continue;
        }
        match ext {
            "csv" => {
                let file = TABLES.iter().find(|(t, _)| *t == table).unwrap().1;
                assert_eq!(rows, seed_rows(table, file), "{name}");
                assert_eq!(Csv::parse(&served.body).header, strings(f, "columns"), "{name}: columns");
            }
            "json" => assert_eq!(rows, served.json().as_array().unwrap().len(), "{name}"),
            "jsonl" => assert_eq!(rows, served.body.lines().count(), "{name}"),
            _ => {
                let graph = parse_graphml(&served.body);
                assert_eq!(f["nodes"], graph.nodes.len(), "{name}");
                let edges = graph.edges.len() + graph.posts.len();
                assert_eq!(f["edges"], edges, "{name}");
                assert_eq!(rows, edges, "{name}: a network's rows are its edges");
            }
        }
    }
}

#[tokio::test]
async fn jsonl_has_one_json_object_per_line_and_json_the_same_typed_records() {
    let app = spawn_app();
    for (table, file) in TABLES {
        let jsonl = app.get(&format!("/export/{table}.jsonl")).await;
        assert_eq!(header_of(&jsonl, header::CONTENT_TYPE), "application/x-ndjson");
        assert!(jsonl.body.ends_with('\n'));
        let lines: Vec<Value> = jsonl
            .body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{table}: a line is not JSON ({e}): {l}")))
            .collect();
        assert!(lines.iter().all(Value::is_object), "{table}: one object per line");
        assert_eq!(lines.len(), seed_rows(table, file), "{table}");
        let json = app.get(&format!("/export/{table}.json")).await;
        assert_eq!(header_of(&json, header::CONTENT_TYPE), "application/json");
        assert_eq!(json.json(), Value::Array(lines), "{table}: JSON and JSONL hold the same records");
    }
    let meetings = app.get("/export/meetings.json").await.json();
    let seeded = seed_file("meetings.json");
    for m in &seeded {
        let row = meetings.as_array().unwrap().iter().find(|r| r["slug"] == m["slug"]).unwrap();
        assert_eq!(row["online"], m["online"], "booleans stay booleans");
        assert_eq!(row["domains"], m["domains"], "domain numbers stay numbers");
        assert_eq!(row["attendance"], m.get("attendance").cloned().unwrap_or(Value::Null));
        assert_eq!(row["sources"], m["sources"], "lists stay lists");
    }
}

#[tokio::test]
async fn accept_text_csv_turns_a_meetings_query_with_nested_hosts_into_dotted_columns() {
    let app = spawn_app();
    let query = r#"{ meetings(first: 100, orderBy: START_DATE_ASC) {
        totalCount
        nodes { slug startDate online country { name } hosts { slug name } }
    } }"#;
    let reply = post_accept(&app, "text/csv", &json!({ "query": query })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(header_of(&reply, header::CONTENT_TYPE), "text/csv; charset=utf-8; header=present");
    let csv = Csv::parse(&reply.body);
    assert_eq!(csv.header, owned(&["slug", "startDate", "online", "country.name", "hosts.slug", "hosts.name"]));
    let seeded = seed_file("meetings.json");
    assert_eq!(csv.rows.len(), seeded.len().min(100));
    let actors = seed_actors();
    for m in &seeded {
        let row = csv.row("slug", text(m, "slug").unwrap());
        let hosts: Vec<String> = m["participations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["role"] == "HOST")
            .map(|p| p["actor"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(row["hosts.slug"], hosts.join("; "));
        let names: Vec<&str> = hosts.iter().map(|h| actors[h].0.as_str()).collect();
        assert_eq!(row["hosts.name"], names.join("; "));
        let country = text(m, "country").map(|c| actors[c].0.as_str()).unwrap_or("");
        assert_eq!(row["country.name"], country);
        assert_eq!(row["startDate"], text(m, "startDate").unwrap());
        assert_eq!(row["online"], m["online"].to_string());
    }
    // The same through GET, and `text/csv` preferred over JSON by quality.
    let path = format!("/graphql?query={}", "%7Bstates(first%3A3)%7Bnodes%7Bslug%20name%7D%7D%7D");
    let get = app
        .send(
            Request::get(&path).header(header::ACCEPT, "application/json;q=0.5, text/csv").body(Body::empty()).unwrap(),
        )
        .await;
    assert_eq!(get.status, StatusCode::OK, "{}", get.body);
    let states = Csv::parse(&get.body);
    assert_eq!(states.header, owned(&["slug", "name"]));
    assert_eq!(states.rows.len(), 3);
}

#[tokio::test]
async fn accept_text_csv_answers_in_json_when_there_is_no_table_to_give() {
    let app = spawn_app();
    // A query that does not validate: JSON errors, and a 4xx a spreadsheet user cannot miss.
    let reply = post_accept(&app, "text/csv", &json!({ "query": "{ meetings { nodes { nope } } }" })).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(header_of(&reply, header::CONTENT_TYPE).starts_with("application/json"));
    assert!(reply.json()["errors"][0]["message"].is_string());
    // A result without a list.
    let reply = post_accept(&app, "text/csv", &json!({ "query": "{ dataset { version } }" })).await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "NOT_ACCEPTABLE");
    // A mutation is refused before it runs.
    let body = json!({ "query": r#"mutation { updateMeeting(slug: "2025-aswan-legal-pathways", input: { attendance: 50 }) { hosts { slug } } }"# });
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "text/csv")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
    let data = app.data(r#"{ meeting(slug: "2025-aswan-legal-pathways") { attendance } }"#, json!({})).await;
    assert_ne!(data["meeting"]["attendance"], 50, "nothing ran");
    // A browser's Accept still gets JSON: text/csv must be asked for by name.
    let reply = post_accept(&app, "text/html,*/*;q=0.8", &json!({ "query": "{ states { nodes { slug } } }" })).await;
    assert!(header_of(&reply, header::CONTENT_TYPE).starts_with("application/json"));
}

#[tokio::test]
async fn an_unchanged_export_is_not_sent_twice_and_an_unknown_one_lists_the_exports() {
    let app = spawn_app();
    let first = app.get("/export/states.csv").await;
    let etag = header_of(&first, header::ETAG).to_owned();
    assert_eq!(etag, format!("W/\"{}\"", sha256(&first.body)), "the ETag is the SHA-256 of the file");
    let again = app
        .send(Request::get("/export/states.csv").header(header::IF_NONE_MATCH, &etag).body(Body::empty()).unwrap())
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let missing = app.get("/export/meetings.xlsx").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let body = missing.json();
    assert!(body["error"].as_str().unwrap().contains("meetings.xlsx"));
    let listed = strings(&body, "exports");
    assert!(listed.contains(&"manifest.json".to_owned()) && listed.contains(&"meetings.csv".to_owned()));
    assert_eq!(
        listed.len(),
        1 + TABLES.len() * 3 + 3,
        "the manifest, every table in 3 formats, the package, the map, the network"
    );
}

#[tokio::test]
async fn the_export_command_writes_the_same_bytes_as_the_http_endpoints_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(cli(&data, &["seed"]).status.success());
    let mut written = Vec::new();
    for format in ["csv", "json", "jsonl"] {
        let out_dir = dir.path().join(format);
        let out = cli(&data, &["export", "--format", format, "--out", out_dir.to_str().unwrap()]);
        assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        let mut names: Vec<String> = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut expected: Vec<String> = TABLES.iter().map(|(t, _)| format!("{t}.{format}")).collect();
        expected.extend(["cohosts.graphml", "manifest.json", "meetings.geojson"].map(str::to_owned));
        if format == "csv" {
            expected.push("datapackage.json".to_owned());
        }
        expected.sort();
        assert_eq!(names, expected, "every table as {format}, the network and the manifest; no temporary files");
        written.push((out_dir, names));
    }

    // The same store, now served (the CLI has exited, so the store is free).
    let tokens = Tokens::load(Some(TOKEN), None).unwrap();
    let app = TestApp { app: Arc::new(App::open(&data, &seed_dir(), tokens).unwrap()), dir, etcd: None };
    let served = app.get("/export/manifest.json").await.json();
    for (out_dir, names) in &written {
        let manifest: Value = serde_json::from_slice(&std::fs::read(out_dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["dataset"], served["dataset"]);
        let files = manifest["files"].as_array().unwrap();
        assert_eq!(files.len(), names.len() - 1, "the manifest lists the files written");
        for name in names.iter().filter(|n| *n != "manifest.json") {
            let bytes = std::fs::read(out_dir.join(name)).unwrap();
            let reply = app.get(&format!("/export/{name}")).await;
            assert_eq!(reply.status, StatusCode::OK, "{name}");
            assert!(reply.body.as_bytes() == bytes.as_slice(), "{name}: the CLI writes what HTTP serves");
            let entry = served["files"].as_array().unwrap().iter().find(|f| f["name"] == name.as_str()).unwrap();
            let listed = files.iter().find(|f| f["name"] == name.as_str()).unwrap();
            assert_eq!(listed, entry, "{name}: the same manifest entry");
        }
    }
    // The JSON and JSONL files hold the seed's records: one object per meeting, by slug.
    let json: Value = serde_json::from_slice(&std::fs::read(written[1].0.join("meetings.json")).unwrap()).unwrap();
    let jsonl = std::fs::read_to_string(written[2].0.join("meetings.jsonl")).unwrap();
    let from_lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(json.as_array().unwrap(), &from_lines);
    let mut seeded: Vec<String> =
        seed_file("meetings.json").iter().map(|m| text(m, "slug").unwrap().to_owned()).collect();
    seeded.sort();
    assert_eq!(sorted(pluck(&json, "slug")), seeded);
}

#[tokio::test]
async fn accept_text_csv_refuses_a_batch_neutralises_formulas_and_gives_an_empty_file_for_an_empty_list() {
    let app = spawn_app();
    // A batch is refused before anything in it runs.
    let batch = json!([{ "query": "{ states(first: 2) { nodes { slug } } }" }, { "query": "{ dataset { version } }" }]);
    let reply = post_accept(&app, "text/csv", &batch).await;
    assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE, "{}", reply.body);
    assert!(header_of(&reply, header::CONTENT_TYPE).starts_with("application/json"), "errors are never CSV");
    assert_eq!(reply.json()["errors"][0]["extensions"]["code"], "NOT_ACCEPTABLE", "{}", reply.body);

    // A cell that a spreadsheet would run as a formula is neutralised, as in the exports.
    let formula = "=HYPERLINK(\"http://evil\")";
    app.write_data(
        r#"mutation($s: String) { updateMeeting(slug: "2025-aswan-legal-pathways", input: { summary: $s }) { slug } }"#,
        json!({ "s": formula }),
    )
    .await;
    let query = r#"{ meetings(first: 100) { nodes { slug summary } } }"#;
    let reply = post_accept(&app, "text/csv", &json!({ "query": query })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let csv = Csv::parse(&reply.body);
    assert_eq!(csv.row("slug", "2025-aswan-legal-pathways")["summary"], format!("'{formula}"));

    // An empty list is an empty file.
    let query = r#"{ meetings(filter: { from: "2099-01-01" }, first: 10) { nodes { slug summary } } }"#;
    assert_eq!(app.data(query, json!({})).await["meetings"]["nodes"], json!([]), "the list is empty");
    let reply = post_accept(&app, "text/csv", &json!({ "query": query })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(header_of(&reply, header::CONTENT_TYPE).starts_with("text/csv"));
    assert_eq!(reply.body, "");
}

#[tokio::test]
async fn an_export_url_that_names_the_dataset_version_is_immutable_and_any_other_is_revalidated() {
    let app = spawn_app();
    let version =
        app.data("{ dataset { version } }", json!({})).await["dataset"]["version"].as_str().unwrap().to_owned();
    let plain = app.get("/export/meetings.csv").await;
    assert_eq!(plain.status, StatusCode::OK, "{}", plain.body);
    assert_eq!(plain.headers[header::CACHE_CONTROL], "no-cache");
    let pinned = app.get(&format!("/export/meetings.csv?v={version}")).await;
    assert_eq!(pinned.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(pinned.body, plain.body, "the same file either way");
    let manifest = app.get(&format!("/export/manifest.json?v={version}")).await;
    assert_eq!(manifest.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    // A version that is not the one served names data the server no longer has.
    let other = app.get("/export/meetings.csv?v=0123456789abcdef").await;
    assert_eq!(other.headers[header::CACHE_CONTROL], "no-cache");
}

/// `frictionless validate --json` on a data package: its report.
fn frictionless(package: &std::path::Path) -> Value {
    let venv = virtualenv("ci-venv", &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/requirements.txt"));
    let out = std::process::Command::new(venv.join("bin").join("frictionless"))
        .args(["validate", "--json"])
        .arg(package.file_name().unwrap())
        .current_dir(package.parent().unwrap())
        .output()
        .expect("frictionless runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The errors of each table in a frictionless report, by type.
fn frictionless_errors(report: &Value) -> BTreeMap<String, BTreeSet<String>> {
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), pluck(&t["errors"], "type").into_iter().collect()))
        .collect()
}

#[tokio::test]
async fn frictionless_finds_the_data_package_and_the_csv_files_it_describes_valid_and_a_broken_reference_not() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(cli(&data, &["seed"]).status.success());
    let out_dir = dir.path().join("csv");
    let out = cli(&data, &["export", "--format", "csv", "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let package: Value = serde_json::from_slice(&std::fs::read(out_dir.join("datapackage.json")).unwrap()).unwrap();
    let resources = package["resources"].as_array().unwrap();
    assert_eq!(pluck(&package["resources"], "name"), TABLES.map(|(t, _)| t.to_owned()).to_vec());
    let meetings = &resources[0]["schema"];
    assert_eq!(meetings["primaryKey"], json!(["slug"]));
    assert_eq!(
        meetings["foreignKeys"],
        json!([{ "fields": ["country_slug"], "reference": { "resource": "states", "fields": ["slug"] } }])
    );
    let field = |name: &str| meetings["fields"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap().clone();
    assert_eq!(field("attendance")["type"], "integer");
    assert_eq!(field("online")["type"], "boolean");
    assert_eq!(field("domains")["itemType"], "integer");

    let report = frictionless(&out_dir.join("datapackage.json"));
    assert_eq!(report["valid"], true, "{report:#}");
    assert_eq!(frictionless_errors(&report).len(), TABLES.len(), "every table is checked: {report:#}");

    // The same files with one participation pointing at a meeting that is not in meetings.csv:
    // the validator must notice, or the valid verdict above would prove nothing.
    let csv = std::fs::read_to_string(out_dir.join("participations.csv")).unwrap();
    let (header, rest) = csv.split_once("\r\n").unwrap();
    let (_, rest_of_row) = rest.split_once(',').unwrap();
    std::fs::write(out_dir.join("participations.csv"), format!("{header}\r\nno-such-meeting,{rest_of_row}")).unwrap();
    let report = frictionless(&out_dir.join("datapackage.json"));
    assert_eq!(report["valid"], false);
    let errors = frictionless_errors(&report);
    assert!(errors["participations"].contains("foreign-key"), "{errors:?}");
    assert!(errors["meetings"].is_empty(), "{errors:?}");
}
