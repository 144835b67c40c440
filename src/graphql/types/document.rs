//! The `Document` and `Domain` types.

use super::*;
use crate::domain::Collection;
use crate::domain::PartialDate;
use crate::graphql::error::ApiResult;
use crate::graphql::pagination::{page, MeetingConnection, PageArgs};
use crate::graphql::scalars::DateTime;
use async_graphql::{Object, ID};

/// A declaration or action plan.
#[derive(Clone)]
pub struct Document(pub(crate) Rec);

impl Document {
    fn r(&self) -> &crate::domain::Document {
        &self.0.cat.ds.documents[self.0.ix]
    }
}

/// A declaration or action plan of a process.
#[Object(serial)]
impl Document {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        self.id_value()
    }

    /// Stable key: 'rome-declaration', 'joint-valletta-action-plan', 'cairo-declaration', 'cairo-action-plan'.
    async fn slug(&self) -> &str {
        self.slug_value()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        self.created_at_value()
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        self.updated_at_value()
    }

    /// The document's title.
    async fn title(&self) -> &str {
        self.title_value()
    }

    /// Declaration or action plan.
    async fn kind(&self) -> DocumentKind {
        self.kind_value()
    }

    /// When it was adopted.
    async fn adopted(&self) -> Option<PartialDate> {
        self.adopted_value()
    }

    /// The meeting that adopted it.
    async fn adopted_at(&self) -> Option<Meeting> {
        self.adopted_at_value()
    }

    /// What the document is, in a few sentences written for this dataset.
    async fn summary(&self) -> Option<&str> {
        self.summary_value()
    }

    /// The processes it belongs to.
    async fn processes(&self) -> Vec<Process> {
        self.processes_value()
    }

    /// Its numbered domains (action plans only).
    async fn domains(&self) -> Vec<Domain> {
        self.domains_value()
    }

    /// Cross-cutting approaches first, then the numbered commitments by domain.
    async fn commitments(&self) -> Vec<Commitment> {
        self.commitments_value()
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.sources_value()
    }

    /// Remarks on the record.
    async fn notes(&self) -> Vec<Note> {
        self.notes_value()
    }
}

/// The value of each field of `Document`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl Document {
    fn id_value(&self) -> ID {
        NodeId::encode("Document", self.r().slug.as_str())
    }

    fn slug_value(&self) -> &str {
        self.r().slug.as_str()
    }

    fn created_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Documents, self.r().slug.as_str()).created_at)
    }

    fn updated_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Documents, self.r().slug.as_str()).updated_at)
    }

    fn title_value(&self) -> &str {
        &self.r().title
    }

    fn kind_value(&self) -> DocumentKind {
        self.r().kind.into()
    }

    fn adopted_value(&self) -> Option<PartialDate> {
        self.r().adopted
    }

    fn adopted_at_value(&self) -> Option<Meeting> {
        self.r().adopted_at.as_ref().and_then(|m| self.0.cat.meeting(m.as_str())).map(|i| Meeting(self.0.at(i)))
    }

    fn summary_value(&self) -> Option<&str> {
        self.r().summary.as_deref()
    }

    fn processes_value(&self) -> Vec<Process> {
        self.r()
            .processes
            .iter()
            .filter_map(|p| self.0.cat.process(p.as_str()))
            .map(|i| Process(self.0.at(i)))
            .collect()
    }

    fn domains_value(&self) -> Vec<Domain> {
        self.r().domains.iter().map(|d| Domain { doc: self.0.clone(), number: d.number }).collect()
    }

    fn commitments_value(&self) -> Vec<Commitment> {
        self.0.cat.commitments_of_document(self.r().slug.as_str()).iter().map(|&i| Commitment(self.0.at(i))).collect()
    }

    fn sources_value(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    fn notes_value(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}

impl direct::Object for Document {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "id" => f.put(self.id_value()),
            "slug" => f.put(self.slug_value()),
            "createdAt" => f.put(self.created_at_value()),
            "updatedAt" => f.put(self.updated_at_value()),
            "title" => f.put(self.title_value()),
            "kind" => f.put(self.kind_value()),
            "adopted" => f.put(self.adopted_value()),
            "adoptedAt" => f.put(self.adopted_at_value()),
            "summary" => f.put(self.summary_value()),
            "processes" => f.put(self.processes_value()),
            "domains" => f.put(self.domains_value()),
            "commitments" => f.put(self.commitments_value()),
            "sources" => f.put(self.sources_value()),
            "notes" => f.put(self.notes_value()),
            _ => f.uncovered(),
        }
    }
}

/// A numbered domain of an action plan.
pub struct Domain {
    /// The document.
    pub(super) doc: Rec,
    /// The domain number.
    pub(super) number: u8,
}

/// A numbered domain of an action plan. The five domains line up across the Joint Valletta
/// Action Plan and the Cairo Action Plan.
#[Object(serial)]
impl Domain {
    /// The action plan.
    async fn document(&self) -> Document {
        self.document_value()
    }

    /// The domain's number, 1 to 5.
    async fn number(&self) -> i32 {
        self.number_value()
    }

    /// The domain's title as the document gives it.
    async fn title(&self) -> &str {
        self.title_value()
    }

    /// The document's commitments in this domain, by number.
    async fn commitments(&self) -> Vec<Commitment> {
        self.commitments_value()
    }

    /// Meetings classified under this domain number (an editorial classification), newest first.
    async fn meetings(
        &self,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
    ) -> ApiResult<MeetingConnection> {
        self.meetings_value(first, after)
    }
}

/// The value of each field of `Domain`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl Domain {
    fn document_value(&self) -> Document {
        Document(self.doc.clone())
    }

    fn number_value(&self) -> i32 {
        self.number.into()
    }

    fn title_value(&self) -> &str {
        let doc = &self.doc.cat.ds.documents[self.doc.ix];
        doc.domains.iter().find(|d| d.number == self.number).map_or("", |d| d.title.as_str())
    }

    fn commitments_value(&self) -> Vec<Commitment> {
        let cat = &self.doc.cat;
        cat.commitments_of_document(cat.ds.documents[self.doc.ix].slug.as_str())
            .iter()
            .filter(|&&i| cat.ds.commitments[i].domain == Some(self.number))
            .map(|&i| Commitment(self.doc.at(i)))
            .collect()
    }

    fn meetings_value(&self, first: Option<i32>, after: Option<String>) -> ApiResult<MeetingConnection> {
        let cat = &self.doc.cat;
        let items: Vec<usize> = cat.meetings_in_domain(self.number).iter().rev().copied().collect();
        page(
            &items,
            |m| cat.meeting_key(m),
            true,
            PageArgs { first, after, ..PageArgs::default() },
            |m| Meeting(self.doc.at(m)),
        )
        .map(Into::into)
    }
}

impl direct::Object for Domain {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "document" => f.put(self.document_value()),
            "number" => f.put(self.number_value()),
            "title" => f.put(self.title_value()),
            "commitments" => f.put(self.commitments_value()),
            "meetings" => f.put(self.meetings_value(f.arg("first")?, f.arg("after")?)),
            _ => f.uncovered(),
        }
    }
}

direct::object_output!(Document, Domain);
