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
        self.id_value()
    }

    /// 'cap-4.2' for Cairo Action Plan domain 4 item 2; 'cap-approach-3' for the third cross-cutting approach.
    async fn code(&self) -> &str {
        self.code_value()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        self.created_at_value()
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        self.updated_at_value()
    }

    /// Approach or commitment.
    async fn kind(&self) -> CommitmentKind {
        self.kind_value()
    }

    /// The action plan.
    async fn document(&self) -> ApiResult<Document> {
        self.document_value()
    }

    /// The domain, for a numbered commitment.
    async fn domain(&self) -> Option<Domain> {
        self.domain_value()
    }

    /// Its number within its domain, or among the approaches.
    async fn number(&self) -> Option<i32> {
        self.number_value()
    }

    /// Short title where the document gives one (cross-cutting approaches).
    async fn title(&self) -> Option<&str> {
        self.title_value()
    }

    /// The text as adopted, with only line-break artefacts of the source repaired.
    async fn text(&self) -> &str {
        self.text_value()
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.sources_value()
    }

    /// Remarks on the record, such as how the source's layout was read.
    async fn notes(&self) -> Vec<Note> {
        self.notes_value()
    }
}

/// The value of each field of `Commitment`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl Commitment {
    fn id_value(&self) -> ID {
        NodeId::encode("Commitment", &self.r().code)
    }

    fn code_value(&self) -> &str {
        &self.r().code
    }

    fn created_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Commitments, &self.r().code).created_at)
    }

    fn updated_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Commitments, &self.r().code).updated_at)
    }

    fn kind_value(&self) -> CommitmentKind {
        self.r().kind.into()
    }

    fn document_value(&self) -> ApiResult<Document> {
        let d = &self.r().document;
        self.0.must(self.0.cat.document(d.as_str()).map(|i| Document(self.0.at(i))), d.as_str())
    }

    fn domain_value(&self) -> Option<Domain> {
        let doc = self.0.cat.document(self.r().document.as_str())?;
        self.r().domain.map(|number| Domain { doc: self.0.at(doc), number })
    }

    fn number_value(&self) -> Option<i32> {
        self.r().number.map(Into::into)
    }

    fn title_value(&self) -> Option<&str> {
        self.r().title.as_deref()
    }

    fn text_value(&self) -> &str {
        &self.r().text
    }

    fn sources_value(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    fn notes_value(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}

impl direct::Object for Commitment {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "id" => f.put(self.id_value()),
            "code" => f.put(self.code_value()),
            "createdAt" => f.put(self.created_at_value()),
            "updatedAt" => f.put(self.updated_at_value()),
            "kind" => f.put(self.kind_value()),
            "document" => f.put(self.document_value()),
            "domain" => f.put(self.domain_value()),
            "number" => f.put(self.number_value()),
            "title" => f.put(self.title_value()),
            "text" => f.put(self.text_value()),
            "sources" => f.put(self.sources_value()),
            "notes" => f.put(self.notes_value()),
            _ => f.uncovered(),
        }
    }
}

direct::object_output!(Commitment);
