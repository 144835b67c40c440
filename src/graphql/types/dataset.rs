//! The `DatasetInfo` type.

use super::*;
use async_graphql::Object;

/// What the dataset holds and when it last changed.
pub struct DatasetInfo(pub(crate) Rec);

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// What the dataset holds and when it last changed.
#[Object(serial)]
impl DatasetInfo {
    /// Changes whenever the data changes: a digest of the seed files the store was loaded from.
    async fn version(&self) -> &str {
        &self.0.cat.meta.version
    }

    /// When the data last changed (RFC 3339, UTC).
    async fn last_change(&self) -> &str {
        &self.0.cat.meta.last_change
    }

    /// Number of states.
    async fn states(&self) -> i32 {
        count(self.0.cat.ds.states.len())
    }

    /// Number of organisations.
    async fn organizations(&self) -> i32 {
        count(self.0.cat.ds.organizations.len())
    }

    /// Number of meetings.
    async fn meetings(&self) -> i32 {
        count(self.0.cat.ds.meetings.len())
    }

    /// Number of chair terms.
    async fn chairmanships(&self) -> i32 {
        count(self.0.cat.ds.chairmanships.len())
    }

    /// Number of action-plan items (approaches and commitments).
    async fn commitments(&self) -> i32 {
        count(self.0.cat.ds.commitments.len())
    }

    /// Number of sources cited.
    async fn sources(&self) -> i32 {
        count(self.0.cat.ds.sources.len())
    }

    /// The longest each list that is not paged can be in this data: what a query's cost counts
    /// such a list as (see the cost model in the schema description). It grows with the data.
    async fn list_bounds(&self) -> Vec<ListBound> {
        crate::graphql::lists::bounds(&self.0.cat)
            .map(|(type_name, field, longest)| ListBound { type_name, field, longest: count(longest) })
            .collect()
    }
}

/// The most items one list field can return in the data being served.
#[derive(async_graphql::SimpleObject)]
#[graphql(serial)]
pub struct ListBound {
    /// The type the field belongs to ('Meeting').
    type_name: &'static str,
    /// The field ('hosts').
    field: &'static str,
    /// The most items it returns for any record.
    longest: i32,
}
