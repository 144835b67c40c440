//! Any query as a table: the first list of objects in a GraphQL result, flattened into rows, for
//! `POST /graphql` (or GET) with `Accept: text/csv`.
//!
//! The rules:
//! - **Which list.** The first list of objects in `data`, depth-first in the order the query
//!   asked for its fields. Lists of scalars (`domains`) are not rows and are passed over. A
//!   connection's `nodes` is such a list; so is its `edges`, whose `node` is unwrapped (its
//!   fields become columns of their own names, next to `cursor`). When the only lists found are
//!   empty, the table is empty; when there is no list at all, there is no table (`None`).
//! - **Columns.** A nested object's fields become dotted columns (`country.name`); a list of
//!   scalars is one cell, joined by `; `; a list of objects inside a row gives one column per
//!   dotted field, its items' values joined by `; ` in order (`hosts.slug` = `ke; de`), an empty
//!   value kept so that the items of two such columns line up. Columns appear in field order;
//!   one that only some rows have is placed after the column that precedes it in those rows.
//! - **Values.** Strings and enum names as they are, numbers and booleans as JSON writes them,
//!   and `null` as an empty cell. A null or empty object or list that other rows fill gets no
//!   column of its own, only its fields' columns.
//!
//! It reads async-graphql's own [`Value`], not `serde_json`'s: ours is built without serde_json's
//! `preserve_order`, so its maps sort their keys, and the field order would be lost.

use super::{Cell, Table, LIST_SEPARATOR};
use async_graphql::Value;
use std::collections::HashMap;

/// The first list of objects of a GraphQL result's `data` as a table named `query`, or `None`
/// when the result holds no list.
pub fn table(data: &Value) -> Option<Table> {
    let mut empty_seen = false;
    let found = find_list(data, None, &mut empty_seen);
    let (items, edges) = match found {
        Some(found) => found,
        None if empty_seen => (&[][..], false),
        None => return None,
    };
    let rows: Vec<Vec<(String, Option<String>)>> = items
        .iter()
        .filter_map(|item| match item {
            Value::Object(fields) => {
                let mut cells = Vec::new();
                for (key, value) in fields {
                    match value {
                        // An edge's node: its fields stand for the row, unprefixed.
                        Value::Object(node) if edges && key.as_str() == "node" => {
                            for (k, v) in node {
                                flatten(k.as_str(), v, &mut cells);
                            }
                        }
                        _ => flatten(key.as_str(), value, &mut cells),
                    }
                }
                Some(cells)
            }
            _ => None,
        })
        .collect();
    Some(build(rows))
}

/// Depth-first search for the first non-empty list of objects, with whether it is a connection's
/// `edges`. `empty_seen` records an empty list passed on the way.
fn find_list<'a>(value: &'a Value, key: Option<&str>, empty_seen: &mut bool) -> Option<(&'a [Value], bool)> {
    match value {
        Value::Object(fields) => fields.iter().find_map(|(k, v)| find_list(v, Some(k.as_str()), empty_seen)),
        Value::List(items) if items.is_empty() => {
            *empty_seen = true;
            None
        }
        Value::List(items) if items.iter().any(|i| matches!(i, Value::Object(_))) => {
            let edges = key == Some("edges") && items.iter().all(|i| node_of(i).is_some());
            Some((items.as_slice(), edges))
        }
        _ => None,
    }
}

fn node_of(item: &Value) -> Option<&Value> {
    match item {
        Value::Object(fields) => fields.get("node").filter(|n| matches!(n, Value::Object(_))),
        _ => None,
    }
}

/// Appends the cells of one field, under `name`, to a row.
fn flatten(name: &str, value: &Value, out: &mut Vec<(String, Option<String>)>) {
    match value {
        Value::Null => out.push((name.to_owned(), None)),
        Value::Object(fields) if fields.is_empty() => out.push((name.to_owned(), None)),
        Value::Object(fields) => {
            for (k, v) in fields {
                flatten(&format!("{name}.{k}"), v, out);
            }
        }
        Value::List(items) if items.iter().any(|i| matches!(i, Value::Object(_) | Value::List(_))) => {
            // Each item flattened on its own, then each column's values joined across items.
            let per_item: Vec<Vec<(String, Option<String>)>> = items
                .iter()
                .map(|item| {
                    let mut cells = Vec::new();
                    match item {
                        Value::Object(fields) => {
                            for (k, v) in fields {
                                flatten(&format!("{name}.{k}"), v, &mut cells);
                            }
                        }
                        other => flatten(name, other, &mut cells),
                    }
                    cells
                })
                .collect();
            let columns = merge_columns(per_item.iter().map(|cells| cells.iter().map(|(c, _)| c.as_str())));
            for column in columns {
                let values: Vec<&str> = per_item
                    .iter()
                    .map(|cells| cells.iter().find(|(c, _)| *c == column).and_then(|(_, v)| v.as_deref()).unwrap_or(""))
                    .collect();
                out.push((column, Some(values.join(LIST_SEPARATOR))));
            }
        }
        Value::List(items) if items.is_empty() => out.push((name.to_owned(), None)),
        Value::List(items) => {
            let values: Vec<String> = items.iter().map(scalar).collect();
            out.push((name.to_owned(), Some(values.join(LIST_SEPARATOR))));
        }
        other => out.push((name.to_owned(), Some(scalar(other)))),
    }
}

/// A scalar's text: strings and enum names bare, the rest as JSON writes them.
fn scalar(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Enum(name) => name.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// The union of several rows' columns, in field order: a column first seen in a later row goes
/// right after the column that precedes it there.
fn merge_columns<'a>(rows: impl Iterator<Item = impl Iterator<Item = &'a str>>) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for row in rows {
        let mut at = 0;
        for column in row {
            match columns.iter().position(|c| c == column) {
                Some(i) => at = i + 1,
                None => {
                    columns.insert(at, column.to_owned());
                    at += 1;
                }
            }
        }
    }
    columns
}

/// A row's value in a column, if it has one.
fn value<'a>(map: &HashMap<&str, &'a Option<String>>, column: &str) -> Option<&'a str> {
    map.get(column).and_then(|v| v.as_deref())
}

/// The table of flattened rows: merged columns, then one cell per column in each row.
fn build(rows: Vec<Vec<(String, Option<String>)>>) -> Table {
    let mut columns = merge_columns(rows.iter().map(|cells| cells.iter().map(|(c, _)| c.as_str())));
    let maps: Vec<HashMap<&str, &Option<String>>> =
        rows.iter().map(|cells| cells.iter().map(|(c, v)| (c.as_str(), v)).collect()).collect();
    // A null object in one row and a filled one in another would give both `country` and
    // `country.name`: the bare column, empty everywhere, is dropped.
    let all_columns = columns.clone();
    columns.retain(|c| {
        let prefix = format!("{c}.");
        let has_fields = all_columns.iter().any(|other| other.starts_with(&prefix));
        !(has_fields && maps.iter().all(|m| value(m, c).is_none_or(str::is_empty)))
    });
    let rows = maps
        .iter()
        .map(|m| columns.iter().map(|c| value(m, c).map_or(Cell::Null, |v| Cell::Text(v.to_owned()))).collect())
        .collect();
    Table { name: "query", columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsed straight into async-graphql's value, which keeps the keys' order (going through
    /// `serde_json::Value` would sort them).
    fn value(json: &str) -> Value {
        serde_json::from_str(json).unwrap()
    }

    fn texts(t: &Table) -> Vec<Vec<String>> {
        t.rows.iter().map(|r| r.iter().map(Cell::text).collect()).collect()
    }

    #[test]
    fn nested_objects_become_dotted_columns_and_lists_are_joined() {
        let data = value(
            r#"{
            "meetings": { "totalCount": 2, "nodes": [
                { "slug": "a", "country": { "name": "Kenya" }, "domains": [1, 3], "hosts": [{ "slug": "ke" }, { "slug": "de" }] },
                { "slug": "b", "country": null, "domains": [], "hosts": [] }
            ] }
        }"#,
        );
        let t = table(&data).unwrap();
        assert_eq!(t.columns, ["slug", "country.name", "domains", "hosts.slug"]);
        assert_eq!(texts(&t), [vec!["a", "Kenya", "1; 3", "ke; de"], vec!["b", "", "", ""]]);
    }

    #[test]
    fn a_column_only_later_rows_have_keeps_its_place_in_field_order() {
        let data = value(
            r#"{ "xs": [
            { "a": 1, "c": { "d": null }, "e": 2 },
            { "a": 1, "b": true, "c": { "d": "x" }, "e": 2 }
        ] }"#,
        );
        assert_eq!(table(&data).unwrap().columns, ["a", "b", "c.d", "e"]);
    }

    #[test]
    fn edges_unwrap_their_node_and_scalar_lists_are_passed_over() {
        let data = value(
            r#"{
            "x": { "tags": ["p", "q"] },
            "meetings": { "edges": [{ "cursor": "c1", "node": { "slug": "a" } }] }
        }"#,
        );
        let t = table(&data).unwrap();
        assert_eq!(t.columns, ["cursor", "slug"]);
        assert_eq!(texts(&t), [vec!["c1", "a"]]);
    }

    #[test]
    fn a_result_without_a_list_has_no_table_and_an_empty_list_an_empty_one() {
        assert!(table(&value(r#"{ "dataset": { "version": "v" } }"#,)).is_none());
        let t = table(&value(r#"{ "meetings": { "nodes": [] } }"#)).unwrap();
        assert!(t.rows.is_empty() && t.columns.is_empty());
    }

    #[test]
    fn items_of_nested_lists_line_up_across_columns() {
        let data = value(
            r#"{ "ms": [
            { "ps": [{ "role": "HOST", "person": null }, { "role": "CO_HOST", "person": "J. Doe" }] }
        ] }"#,
        );
        let t = table(&data).unwrap();
        assert_eq!(t.columns, ["ps.role", "ps.person"]);
        assert_eq!(texts(&t), [vec!["HOST; CO_HOST", "; J. Doe"]]);
    }
}
