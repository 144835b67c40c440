//! The `Commitment` type.

use super::*;
use crate::domain::Collection;
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::DateTime;
use async_graphql::{Object, ID};

/// An item of an action plan.
#[derive(Clone)]
pub struct Commitment(pub(crate) Rec);

impl Commitment {
    fn r(&self) -> &crate::domain::Commitment {
        &self.0.cat.ds.commitments[self.0.ix]
    }
}

/// An item of an action plan: a cross-cutting approach or a numbered commitment, with its text
/// as adopted.
#[Object(serial)]
impl Commitment {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeId::encode("Commitment", &self.r().code)
    }

    /// 'cap-4.2' for Cairo Action Plan domain 4 item 2; 'cap-approach-3' for the third cross-cutting approach.
    async fn code(&self) -> &str {
        &self.r().code
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Commitments, &self.r().code).created_at)
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Commitments, &self.r().code).updated_at)
    }

    /// Approach or commitment.
    async fn kind(&self) -> CommitmentKind {
        self.r().kind.into()
    }

    /// The action plan.
    async fn document(&self) -> ApiResult<Document> {
        let d = &self.r().document;
        self.0.must(self.0.cat.document(d.as_str()).map(|i| Document(self.0.at(i))), d.as_str())
    }

    /// The domain, for a numbered commitment.
    async fn domain(&self) -> Option<Domain> {
        let doc = self.0.cat.document(self.r().document.as_str())?;
        self.r().domain.map(|number| Domain { doc: self.0.at(doc), number })
    }

    /// Its number within its domain, or among the approaches.
    async fn number(&self) -> Option<i32> {
        self.r().number.map(Into::into)
    }

    /// Short title where the document gives one (cross-cutting approaches).
    async fn title(&self) -> Option<&str> {
        self.r().title.as_deref()
    }

    /// The text as adopted, with only line-break artefacts of the source repaired.
    async fn text(&self) -> &str {
        &self.r().text
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    /// Remarks on the record, such as how the source's layout was read.
    async fn notes(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}
