//! Rendering a [`Table`] as CSV, JSON or JSONL.

use super::{Cell, Table};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula (or, for tab and carriage
/// return, that some spreadsheets strip before reading one), as OWASP's CSV-injection advice
/// lists them.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell's text made safe to open in a spreadsheet: one that starts like a formula gets a
/// leading `'`, which spreadsheets read as "this is text" and do not show. Any other text is
/// returned unchanged.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The table as RFC 4180 CSV: a header row, then one record per row, `\r\n` after each, fields
/// quoted only when they hold a comma, a quote or a line break. Every text cell is neutralised
/// against formula injection; a number is written as it is (a negative longitude is a number a
/// spreadsheet reads as one, not a formula).
pub fn csv(table: &Table) -> Vec<u8> {
    match try_csv(table) {
        Ok(bytes) => bytes,
        Err(e) => {
            // Only a row with the wrong number of cells can fail here (the writer writes to
            // memory), which would be a bug in the table's builder: say so rather than serve a
            // truncated file silently.
            tracing::error!(table = table.name, error = %e, "a table could not be written as CSV");
            Vec::new()
        }
    }
}

fn try_csv(table: &Table) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    // A table without columns (a query whose list came back empty) is an empty file: the csv
    // crate would write a record of no fields as `""`, which reads back as one empty column.
    if table.columns.is_empty() {
        return Ok(Vec::new());
    }
    let mut writer = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(table.columns.iter().map(|c| neutralise(c).into_owned()))?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|cell| match cell {
            Cell::Int(_) | Cell::Float(_) => cell.text(),
            _ => neutralise(&cell.text()).into_owned(),
        }))?;
    }
    Ok(writer.into_inner().map_err(|e| e.to_string())?)
}

/// The table as a JSON array of objects, two-space indented, with a final line end.
pub fn json(table: &Table) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(&Rows(table)).unwrap_or_else(|e| failed(table, &e));
    bytes.push(b'\n');
    bytes
}

/// The table as JSON Lines: one compact object per row, each ended by `\n`.
pub fn jsonl(table: &Table) -> Vec<u8> {
    let mut bytes = Vec::new();
    for row in &table.rows {
        match serde_json::to_vec(&Row { columns: &table.columns, cells: row }) {
            Ok(line) => bytes.extend_from_slice(&line),
            Err(e) => return failed(table, &e),
        }
        bytes.push(b'\n');
    }
    bytes
}

/// Serialising strings, numbers and booleans cannot fail; if it ever did, log it and serve
/// nothing rather than a truncated file.
fn failed(table: &Table, e: &serde_json::Error) -> Vec<u8> {
    tracing::error!(table = table.name, error = %e, "a table could not be written as JSON");
    Vec::new()
}

/// All rows of a table, as a JSON array.
struct Rows<'a>(&'a Table);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.rows.len()))?;
        for row in &self.0.rows {
            seq.serialize_element(&Row { columns: &self.0.columns, cells: row })?;
        }
        seq.end()
    }
}

/// One row as a JSON object whose keys keep the column order (a `serde_json::Map` would sort
/// them).
pub(super) struct Row<'a> {
    /// The column names, in order.
    pub(super) columns: &'a [String],
    /// One cell per column.
    pub(super) cells: &'a [Cell],
}

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.columns.len()))?;
        for (column, cell) in self.columns.iter().zip(self.cells) {
            map.serialize_entry(column, cell)?;
        }
        map.end()
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Null => s.serialize_none(),
            Cell::Text(t) => s.serialize_str(t),
            Cell::Int(n) => s.serialize_u64(*n),
            Cell::Float(x) => s.serialize_f64(*x),
            Cell::Bool(b) => s.serialize_bool(*b),
            Cell::List(items) => items.serialize(s),
            Cell::Numbers(items) => items.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t = Table::new("t", &["a", "b", "c"]);
        t.rows.push(vec![Cell::Text("x, \"y\"\nz".into()), Cell::Int(3), Cell::List(vec!["p".into(), "q".into()])]);
        t.rows.push(vec![Cell::Null, Cell::Bool(true), Cell::Text("=1+1".into())]);
        t
    }

    #[test]
    fn formula_starts_are_neutralised_and_other_text_is_not() {
        for (input, expected) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Kenya", "Kenya"),
            ("2019-03", "2019-03"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(neutralise(input), expected, "{input:?}");
        }
    }

    #[test]
    fn a_negative_number_is_written_as_a_number_and_negative_text_is_neutralised() {
        let mut t = Table::new("t", &["lon", "text"]);
        t.rows.push(vec![Cell::Float(-6.83255), Cell::Text("-6.83255".into())]);
        assert_eq!(String::from_utf8(csv(&t)).unwrap(), "lon,text\r\n-6.83255,'-6.83255\r\n");
    }

    #[test]
    fn csv_quotes_where_needed_and_ends_lines_with_crlf() {
        let text = String::from_utf8(csv(&table())).unwrap();
        assert_eq!(text, "a,b,c\r\n\"x, \"\"y\"\"\nz\",3,p; q\r\n,true,'=1+1\r\n");
    }

    #[test]
    fn a_table_without_columns_is_an_empty_csv_file() {
        assert!(csv(&Table::new("t", &[])).is_empty());
    }

    #[test]
    fn json_keeps_column_order_and_types() {
        let text = String::from_utf8(jsonl(&table())).unwrap();
        assert_eq!(
            text,
            "{\"a\":\"x, \\\"y\\\"\\nz\",\"b\":3,\"c\":[\"p\",\"q\"]}\n{\"a\":null,\"b\":true,\"c\":\"=1+1\"}\n"
        );
        let parsed: serde_json::Value = serde_json::from_slice(&json(&table())).unwrap();
        assert_eq!(parsed[1]["c"], "=1+1", "JSON keeps raw values");
    }
}
