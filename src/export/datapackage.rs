//! `datapackage.json`: a Frictionless Data Package that describes every CSV table, so that a
//! reader can load and check the tables without reading our documentation: each column's type,
//! which columns are required, each table's primary key, and the foreign keys between tables.
//!
//! It is made from the same [`Schema`]s the tables are built from, and it names the size and
//! SHA-256 of each CSV file as served, so `frictionless validate datapackage.json` checks the
//! files against the description and the description against the files.
//!
//! Table Schema has no type for a partial date, so dates are strings with a pattern; lists are
//! the `list` type with our separator, which frictionless 5 reads.

use super::schema::{Column, Kind, Schema};
use super::{ExportFile, LIST_SEPARATOR};
use serde_json::{json, Value};

/// The file name of the data package.
pub const FILE: &str = "datapackage.json";
/// Its media type.
pub const MEDIA_TYPE: &str = "application/json";

/// What a partial date looks like, as a Table Schema pattern (matched against the whole value).
const PARTIAL_DATE_PATTERN: &str = "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?";

/// The descriptor for one dataset version, given each table's schema and its rendered CSV file.
pub fn descriptor(version: &str, last_change: &str, tables: &[(&Schema, &ExportFile)]) -> Vec<u8> {
    let resources: Vec<Value> = tables.iter().map(|(schema, file)| resource(schema, file)).collect();
    let package = json!({
        "name": "khartoum-process",
        "title": "The public record of the Khartoum Process",
        "description": "States, organisations, meetings, chair terms, memberships, commitments, and the people \
            named in a role and their posts, of the Khartoum Process (the EU-Horn of Africa Migration Route Initiative), each row with the \
            sources it comes from.",
        "version": version,
        "created": last_change,
        "resources": resources,
    });
    // A tree of strings and numbers always serialises.
    let mut bytes = serde_json::to_vec_pretty(&package).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn resource(schema: &Schema, file: &ExportFile) -> Value {
    let foreign_keys: Vec<Value> = schema
        .foreign_keys
        .iter()
        .map(|fk| json!({ "fields": [fk.column], "reference": { "resource": fk.table, "fields": [fk.to] } }))
        .collect();
    json!({
        "name": schema.name,
        "path": file.name,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": file.bytes.len(),
        "hash": format!("sha256:{}", file.sha256),
        "dialect": { "delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": true, "header": true },
        "schema": {
            "fields": schema.columns.iter().map(field).collect::<Vec<_>>(),
            "primaryKey": schema.primary_key,
            "foreignKeys": foreign_keys,
            "missingValues": [""],
        },
    })
}

fn field(column: &Column) -> Value {
    let mut field = match column.kind {
        Kind::Text => json!({ "type": "string" }),
        Kind::Integer => json!({ "type": "integer" }),
        Kind::Number => json!({ "type": "number" }),
        Kind::Boolean => json!({ "type": "boolean", "trueValues": ["true"], "falseValues": ["false"] }),
        Kind::Date => json!({ "type": "string", "constraints": { "pattern": PARTIAL_DATE_PATTERN } }),
        Kind::Texts => json!({ "type": "list", "delimiter": LIST_SEPARATOR, "itemType": "string" }),
        Kind::Integers => json!({ "type": "list", "delimiter": LIST_SEPARATOR, "itemType": "integer" }),
    };
    field["name"] = json!(column.name);
    if column.required {
        field["constraints"]["required"] = json!(true);
    }
    field
}
