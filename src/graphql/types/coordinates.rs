//! The `Coordinates` type.

use super::*;
use crate::domain::Place;
use async_graphql::Object;

/// Where a city lies, as the GeoNames gazetteer records it.
pub struct Coordinates {
    /// The record whose catalog resolves the sources.
    pub(crate) rec: Rec,
    /// The gazetteer's entry, compiled into the binary.
    pub(crate) place: &'static Place,
}

/// Where a city lies: its latitude and longitude in decimal degrees (WGS 84) and its GeoNames id,
/// from the GeoNames gazetteer.
#[Object(serial)]
impl Coordinates {
    /// Degrees north of the equator (negative: south).
    async fn latitude(&self) -> f64 {
        self.place.coordinates.latitude
    }

    /// Degrees east of Greenwich (negative: west).
    async fn longitude(&self) -> f64 {
        self.place.coordinates.longitude
    }

    /// The city's id in GeoNames: its page is `https://www.geonames.org/<geonamesId>`.
    async fn geonames_id(&self) -> i32 {
        // GeoNames ids are below 2^31; a larger one would be a damaged extract.
        i32::try_from(self.place.geonames_id).unwrap_or(i32::MAX)
    }

    /// The city's name as this dataset spells it.
    async fn city(&self) -> &str {
        &self.place.city
    }

    /// Where the id and the coordinates come from: the gazetteer package and its version.
    async fn sources(&self) -> Vec<Source> {
        self.rec.sources(&self.place.sources)
    }
}
