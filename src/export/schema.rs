//! What the export tables hold, column by column: the one definition that both the rows
//! ([`super::tables`]) and the Frictionless Data Package ([`super::datapackage`]) are made from,
//! so the description a reader validates against cannot drift from the files it describes.

/// What a column's cells hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text: names, slugs, enum names.
    Text,
    /// A whole number (a count, a domain number).
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A partial date: `2014`, `2019-03` or `2019-03-07`, never expanded to a day the sources do
    /// not give, so it is text with a pattern rather than a date.
    Date,
    /// A number with a fraction (a latitude or longitude in degrees).
    Number,
    /// Several texts, one CSV cell joined by [`super::LIST_SEPARATOR`].
    Texts,
    /// Several whole numbers, joined the same way.
    Integers,
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its name, the CSV header and the JSON key.
    pub name: &'static str,
    /// What its cells hold.
    pub kind: Kind,
    /// Whether every row has a value. Lists are never required: an empty list is an empty cell.
    pub required: bool,
}

impl Column {
    const fn new(name: &'static str, kind: Kind, required: bool) -> Column {
        Column { name, kind, required }
    }

    /// Text that every row has.
    pub const fn text(name: &'static str) -> Column {
        Column::new(name, Kind::Text, true)
    }

    /// Text that a row may lack.
    pub const fn optional_text(name: &'static str) -> Column {
        Column::new(name, Kind::Text, false)
    }

    /// A partial date that every row has.
    pub const fn date(name: &'static str) -> Column {
        Column::new(name, Kind::Date, true)
    }

    /// A partial date that a row may lack.
    pub const fn optional_date(name: &'static str) -> Column {
        Column::new(name, Kind::Date, false)
    }

    /// A yes or no that every row has.
    pub const fn boolean(name: &'static str) -> Column {
        Column::new(name, Kind::Boolean, true)
    }

    /// A number that every row has.
    pub const fn integer(name: &'static str) -> Column {
        Column::new(name, Kind::Integer, true)
    }

    /// A number that a row may lack.
    pub const fn optional_integer(name: &'static str) -> Column {
        Column::new(name, Kind::Integer, false)
    }

    /// A number with a fraction that a row may lack.
    pub const fn optional_number(name: &'static str) -> Column {
        Column::new(name, Kind::Number, false)
    }

    /// A list of texts (slugs, addresses, notes).
    pub const fn list(name: &'static str) -> Column {
        Column::new(name, Kind::Texts, false)
    }

    /// A list of numbers.
    pub const fn integers(name: &'static str) -> Column {
        Column::new(name, Kind::Integers, false)
    }
}

/// A column whose values are the key of a row in another table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForeignKey {
    /// The column of this table.
    pub column: &'static str,
    /// The table it points into.
    pub table: &'static str,
    /// The key column there.
    pub to: &'static str,
}

/// A table's name, columns and keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The table's name, which is also its file name without the extension.
    pub name: &'static str,
    /// The columns, in order.
    pub columns: &'static [Column],
    /// The columns that together tell rows apart.
    pub primary_key: &'static [&'static str],
    /// The columns that point into other tables.
    pub foreign_keys: &'static [ForeignKey],
}

impl Schema {
    /// The column names, in order.
    pub fn column_names(&self) -> impl Iterator<Item = &'static str> {
        self.columns.iter().map(|c| c.name)
    }
}
