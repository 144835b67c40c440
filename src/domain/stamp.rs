//! Bookkeeping of when a record was created and last changed.

use super::Collection;
use chrono::{DateTime, Utc};

/// Every record's stamp, by collection and key.
pub type Stamps = foldhash::HashMap<(Collection, String), Stamp>;

/// When a record entered the store and when it last changed. Records loaded from the seed files
/// carry the time of seeding in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// When the record was created (seeded or written through the API).
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl Stamp {
    /// A record created at `at` and not changed since.
    pub fn new(at: DateTime<Utc>) -> Stamp {
        Stamp { created_at: at, updated_at: at }
    }
}
