//! Bulk exports for data journalists: the record as tables (CSV, JSON, JSONL) described by a
//! Frictionless Data Package, the meetings on a map as GeoJSON, the co-host network as GraphML,
//! and a manifest that lists every file with its row count and SHA-256.
//!
//! Everything here is a pure function of one [`Catalog`]: the same dataset version always gives
//! the same bytes, whether the HTTP layer serves them (`/export/{file}`) or the CLI writes them
//! (`export --format csv|json|jsonl`). This module never touches the store and knows nothing of
//! HTTP; [`flatten`] turns any GraphQL result into a [`Table`] for `Accept: text/csv`.
//!
//! # The tables
//!
//! One [`Table`] per export, rows in the read model's API order (see [`Catalog::new`]):
//! `meetings`, `participations`, `chairmanships`, `memberships`, `commitments`, `states`,
//! `organizations`, `people` and `posts`. Their columns are listed in [`tables`]. The rules shared by all of them:
//! - a row that relates two records names both ends, by slug and by name;
//! - dates are the partial dates of the record (`2014`, `2019-03`, `2019-03-07`), never expanded
//!   to a day the sources do not give;
//! - `sources` lists the slugs of the record's sources, and `source_urls` the address of each
//!   (for the five source documents, which have no address, their file name), in the same order;
//! - enum values are the API's names (`THEMATIC_MEETING`, `CO_HOST`).
//!
//! # The formats
//!
//! - **CSV** (RFC 4180): a header row, `\r\n` line ends, quotes only where needed, UTF-8 without
//!   a byte-order mark. A list is one cell, its items joined by `; `; a missing value is an empty
//!   cell. A cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`,
//!   a tab or a carriage return, as OWASP lists them) gets a leading `'`. That would also mark a
//!   negative number; the exports hold none (every number is a count or a domain number).
//! - **JSON**: an array of objects, keys in column order, values typed: strings, numbers,
//!   booleans, lists as arrays of strings, and `null` for a missing value.
//! - **JSONL**: the same objects, one per line.

pub mod datapackage;
pub mod flatten;
pub mod geojson;
mod graphml;
mod render;
pub mod schema;
pub mod tables;

pub use graphml::{cohosts, Edge, Network, Node, Relation, GRAPHML_NS, PERSON_PREFIX};
pub use render::{csv, json, jsonl, neutralise};
pub use schema::{Column, ForeignKey, Kind, Schema};

use crate::catalog::Catalog;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// One cell of a table, typed so that JSON keeps numbers, booleans and lists as such.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value: an empty CSV cell, `null` in JSON.
    Null,
    /// Text, dates and enum names.
    Text(String),
    /// A count or a number.
    Int(u64),
    /// A number with a fraction: written in the shortest form that reads back as the same
    /// number.
    Float(f64),
    /// Yes or no.
    Bool(bool),
    /// Several values (slugs, most often): one CSV cell joined by `; `, an array in JSON.
    List(Vec<String>),
    /// Several numbers (domain numbers): like `List`, an array of numbers in JSON.
    Numbers(Vec<u64>),
}

impl Cell {
    /// Text, or `Null` when there is none.
    pub fn opt(text: Option<impl Into<String>>) -> Cell {
        text.map_or(Cell::Null, |t| Cell::Text(t.into()))
    }

    /// The cell as CSV shows it, before formula neutralisation.
    pub fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Float(x) => x.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::List(items) => items.join(LIST_SEPARATOR),
            Cell::Numbers(items) => items.iter().map(u64::to_string).collect::<Vec<_>>().join(LIST_SEPARATOR),
        }
    }
}

/// What joins the items of a list in one CSV cell.
pub const LIST_SEPARATOR: &str = "; ";

/// A named table: columns, and rows of cells in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The export's name, which is also its file name without the extension (`meetings`).
    pub name: &'static str,
    /// Column names, in order. Owned, because the tables that [`flatten`] makes from a query
    /// name their columns after its fields (`country.name`).
    pub columns: Vec<String>,
    /// One row per record, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with fixed column names.
    pub fn new(name: &'static str, columns: &[&'static str]) -> Table {
        Table { name, columns: columns.iter().map(|c| (*c).to_owned()).collect(), rows: Vec::new() }
    }

    /// An empty table with the name and columns of a schema.
    pub fn of(schema: &Schema) -> Table {
        Table { name: schema.name, columns: schema.column_names().map(str::to_owned).collect(), rows: Vec::new() }
    }

    /// The column names, borrowed.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(String::as_str).collect()
    }
}

/// The formats a table is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// Every table format, in the order the manifest lists them.
    pub const ALL: [Format; 3] = [Format::Csv, Format::Json, Format::Jsonl];

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }

    /// The media type served over HTTP. CSV says that it has a header row (RFC 4180, section 3).
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Json => "application/json",
            Format::Jsonl => "application/x-ndjson",
        }
    }

    /// Renders a table in this format.
    pub fn render(self, table: &Table) -> Vec<u8> {
        match self {
            Format::Csv => csv(table),
            Format::Json => json(table),
            Format::Jsonl => jsonl(table),
        }
    }
}

/// The media type of the GraphML export.
pub const GRAPHML_MEDIA_TYPE: &str = "application/graphml+xml";
/// The file name of the co-host network.
pub const GRAPHML_FILE: &str = "cohosts.graphml";
/// The file name of the manifest.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The URL path under which the exports are served.
pub const URL_PREFIX: &str = "/export/";

/// One export file, rendered: its bytes and what the manifest says of them.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// The file name (`meetings.csv`).
    pub name: String,
    /// The table format, or `None` for the other files (the data package, GeoJSON, the network).
    pub format: Option<Format>,
    /// The media type to serve it with.
    pub media_type: &'static str,
    /// Data rows (for GraphML: edges, the network's rows in an edge list; for the data package:
    /// the tables it describes; for GeoJSON: its features).
    pub rows: usize,
    /// For GraphML: the number of nodes and of edges.
    pub network: Option<(usize, usize)>,
    /// The column names, for a table.
    pub columns: Vec<String>,
    /// The exact bytes served and written.
    pub bytes: Arc<[u8]>,
    /// The SHA-256 of `bytes`, in lower-case hex.
    pub sha256: String,
}

impl ExportFile {
    fn new(name: String, format: Option<Format>, media_type: &'static str, rows: usize, bytes: Vec<u8>) -> Self {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        ExportFile { name, format, media_type, rows, network: None, columns: Vec::new(), bytes: bytes.into(), sha256 }
    }
}

/// Every export of one dataset version, rendered once.
#[derive(Debug, Clone)]
pub struct ExportSet {
    /// The dataset version the files were rendered from.
    pub version: String,
    /// When the dataset last changed (RFC 3339).
    pub last_change: String,
    /// Every table in every format (tables in export order, each as CSV, JSON, JSONL), then the
    /// data package that describes the CSV tables, the meetings as GeoJSON, then the GraphML
    /// network.
    pub files: Vec<ExportFile>,
    /// The manifest of all of `files`, as served at `/export/manifest.json`.
    pub manifest: ExportFile,
}

/// Renders every export of a catalog, and the manifest of them.
pub fn render_all(cat: &Catalog) -> ExportSet {
    let mut files = Vec::new();
    let mut csvs = Vec::new();
    let tables = tables::all(cat);
    for (table, schema) in tables.iter().zip(tables::SCHEMAS) {
        for format in Format::ALL {
            let mut file = ExportFile::new(
                format!("{}.{}", table.name, format.extension()),
                Some(format),
                format.media_type(),
                table.rows.len(),
                format.render(table),
            );
            file.columns = table.columns.clone();
            if format == Format::Csv {
                csvs.push((schema, files.len()));
            }
            files.push(file);
        }
    }
    let described: Vec<(&Schema, &ExportFile)> = csvs.iter().map(|&(schema, i)| (schema, &files[i])).collect();
    let package = datapackage::descriptor(&cat.meta.version, &cat.meta.last_change, &described);
    let package =
        ExportFile::new(datapackage::FILE.to_owned(), None, datapackage::MEDIA_TYPE, described.len(), package);
    files.push(package);
    if let Some(meetings) = tables.iter().find(|t| t.name == tables::MEETINGS.name) {
        let (features, bytes) = geojson::meetings(cat, meetings);
        files.push(ExportFile::new(geojson::FILE.to_owned(), None, geojson::MEDIA_TYPE, features, bytes));
    }
    let network = cohosts(cat);
    let mut graph =
        ExportFile::new(GRAPHML_FILE.to_owned(), None, GRAPHML_MEDIA_TYPE, network.edges.len(), network.graphml());
    graph.network = Some((network.nodes.len(), network.edges.len()));
    files.push(graph);
    let manifest = manifest(&cat.meta.version, &cat.meta.last_change, &files);
    ExportSet { version: cat.meta.version.clone(), last_change: cat.meta.last_change.clone(), files, manifest }
}

impl ExportSet {
    /// A file by name, the manifest included.
    pub fn file(&self, name: &str) -> Option<&ExportFile> {
        if name == MANIFEST_FILE {
            return Some(&self.manifest);
        }
        self.files.iter().find(|f| f.name == name)
    }

    /// Every file name that can be asked for, the manifest first.
    pub fn names(&self) -> Vec<&str> {
        std::iter::once(MANIFEST_FILE).chain(self.files.iter().map(|f| f.name.as_str())).collect()
    }
}

/// The manifest of a list of files: the dataset's version and last change, and for each file its
/// name, URL path, media type, rows, size and SHA-256 (with the columns of a table, and the node
/// and edge counts of the network). Keys are camelCase like the API's, in a fixed order.
fn manifest(version: &str, last_change: &str, files: &[ExportFile]) -> ExportFile {
    let body = Manifest {
        dataset: ManifestDataset { version, last_change },
        files: files
            .iter()
            .map(|f| ManifestEntry {
                name: &f.name,
                path: format!("{URL_PREFIX}{}", f.name),
                media_type: f.media_type,
                rows: f.rows,
                nodes: f.network.map(|(nodes, _)| nodes),
                edges: f.network.map(|(_, edges)| edges),
                bytes: f.bytes.len(),
                sha256: &f.sha256,
                columns: &f.columns,
            })
            .collect(),
    };
    // A tree of strings and numbers always serialises.
    let mut bytes = serde_json::to_vec_pretty(&body).unwrap_or_default();
    bytes.push(b'\n');
    ExportFile::new(MANIFEST_FILE.to_owned(), None, "application/json", files.len(), bytes)
}

/// `manifest.json`: derived structs rather than a `serde_json::Value`, so that keys keep this
/// order (a `Value`'s map would sort them).
#[derive(Serialize)]
struct Manifest<'a> {
    dataset: ManifestDataset<'a>,
    files: Vec<ManifestEntry<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestDataset<'a> {
    version: &'a str,
    last_change: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestEntry<'a> {
    name: &'a str,
    path: String,
    media_type: &'a str,
    rows: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    nodes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edges: Option<usize>,
    bytes: usize,
    sha256: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    columns: &'a [String],
}

/// Why the export files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file or directory could not be created or written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// Writes every table of the catalog in one format into `dir`, with `cohosts.graphml` (and, with
/// the CSV files, `datapackage.json`) and a
/// `manifest.json` that lists just the files written; returns their names. The files have the
/// very bytes `/export/<name>` serves. Each is written to a temporary name and renamed, so a
/// failed export never leaves a half-written file.
pub fn write_dir(cat: &Catalog, format: Format, dir: &Path) -> Result<Vec<String>, ExportError> {
    let set = render_all(cat);
    // The data package describes the CSV files: it goes with them and with no other format.
    let files: Vec<ExportFile> = set
        .files
        .into_iter()
        .filter(|f| match f.format {
            Some(table_format) => table_format == format,
            None => f.name != datapackage::FILE || format == Format::Csv,
        })
        .collect();
    let manifest = manifest(&set.version, &set.last_change, &files);
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ExportError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    for file in files.iter().chain(std::iter::once(&manifest)) {
        let path = dir.join(&file.name);
        let tmp = dir.join(format!(".{}.tmp", file.name));
        std::fs::write(&tmp, &file.bytes).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        written.push(file.name.clone());
    }
    Ok(written)
}

/// The exports of the dataset being served, rendered once per dataset version: repeated
/// downloads cost a look-up, and a write (which changes the version) makes the next download
/// render afresh.
#[derive(Default)]
pub struct ExportCache {
    /// The last rendered set. A std `Mutex`: it is held only to clone an `Arc`, never across an
    /// await or while rendering.
    slot: Mutex<Option<Arc<ExportSet>>>,
}

impl ExportCache {
    /// The exports of `cat` if they are already rendered.
    pub fn cached(&self, cat: &Catalog) -> Option<Arc<ExportSet>> {
        self.lock().as_ref().filter(|s| s.version == cat.meta.version).map(Arc::clone)
    }

    /// The exports of `cat`, rendered now if the cache holds another version (tens of
    /// milliseconds in a debug build: call it off the async workers).
    pub fn get(&self, cat: &Catalog) -> Arc<ExportSet> {
        if let Some(set) = self.cached(cat) {
            return set;
        }
        // Rendered outside the lock: two requests that miss at once both render (a few
        // milliseconds), and neither waits for the other.
        let started = std::time::Instant::now();
        let set = Arc::new(render_all(cat));
        tracing::info!(
            version = %set.version,
            files = set.files.len(),
            render_ms = started.elapsed().as_secs_f64() * 1000.0,
            "rendered the bulk exports"
        );
        *self.lock() = Some(Arc::clone(&set));
        set
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<ExportSet>>> {
        // A panic while holding the lock leaves at worst a stale set, which the version check
        // replaces; the poison flag carries no information here.
        self.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
