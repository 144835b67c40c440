//! Where meetings were held, on a map.

use super::Slug;

/// A point on the earth, in decimal degrees (WGS 84, as GeoNames gives it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    /// Degrees north of the equator (negative: south).
    pub latitude: f64,
    /// Degrees east of Greenwich (negative: west).
    pub longitude: f64,
}

/// A city as a gazetteer records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The city as this dataset spells it (`Sharm El Sheikh`), which is how meetings name it.
    pub city: String,
    /// The state it lies in (slug).
    pub country: Slug,
    /// Its id in GeoNames (`https://www.geonames.org/<id>`).
    pub geonames_id: u32,
    /// Where it is.
    pub coordinates: Coordinates,
    /// Where the id and the coordinates come from.
    pub sources: Vec<Slug>,
}
