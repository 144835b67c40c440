//! The `Document` and `Domain` types.

use super::localized_name::{name_in, names};
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
        NodeId::encode("Document", self.r().slug.as_str())
    }

    /// Stable key: 'rome-declaration', 'joint-valletta-action-plan', 'cairo-declaration', 'cairo-action-plan'.
    async fn slug(&self) -> &str {
        self.r().slug.as_str()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Documents, self.r().slug.as_str()).created_at)
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Documents, self.r().slug.as_str()).updated_at)
    }

    /// The document's title.
    async fn title(&self) -> &str {
        &self.r().title
    }

    /// The document's name: its title in English, or in French or Arabic where `lang` asks for
    /// it and a source gives the title in that language.
    async fn name(
        &self,
        #[graphql(
            default_with = "Some(Language::En)",
            desc = "The language; the English name where no source gives one in it."
        )]
        lang: Option<Language>,
    ) -> &str {
        name_in(Collection::Documents, self.r().slug.as_str(), &self.r().title, lang)
    }

    /// The title in every language a source gives it in, English first, each with its sources.
    async fn names(&self) -> Vec<LocalizedName> {
        names(&self.0, Collection::Documents, self.r().slug.as_str(), &self.r().title, &self.r().sources)
    }

    /// Declaration or action plan.
    async fn kind(&self) -> DocumentKind {
        self.r().kind.into()
    }

    /// When it was adopted, signed (a memorandum) or presented (a report: the month of the meeting
    /// it was written for, which is not recorded as adopting it).
    async fn adopted(&self) -> Option<PartialDate> {
        self.r().adopted
    }

    /// The meeting that adopted it.
    async fn adopted_at(&self) -> Option<Meeting> {
        self.r().adopted_at.as_ref().and_then(|m| self.0.cat.meeting(m.as_str())).map(|i| Meeting(self.0.at(i)))
    }

    /// What the document is, in a few sentences written for this dataset.
    async fn summary(&self) -> Option<&str> {
        self.r().summary.as_deref()
    }

    /// The processes it belongs to.
    async fn processes(&self) -> Vec<Process> {
        self.0.processes(&self.r().processes)
    }

    /// Its numbered domains (action plans only).
    async fn domains(&self) -> Vec<Domain> {
        self.r().domains.iter().map(|d| Domain { doc: self.0.clone(), number: d.number }).collect()
    }

    /// Cross-cutting approaches first, then the numbered commitments by domain.
    async fn commitments(&self) -> Vec<Commitment> {
        self.0.cat.commitments_of_document(self.r().slug.as_str()).iter().map(|&i| Commitment(self.0.at(i))).collect()
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    /// Remarks on the record.
    async fn notes(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
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
        Document(self.doc.clone())
    }

    /// The domain's number, 1 to 5.
    async fn number(&self) -> i32 {
        self.number.into()
    }

    /// The domain's title as the document gives it.
    async fn title(&self) -> &str {
        let doc = &self.doc.cat.ds.documents[self.doc.ix];
        doc.domains.iter().find(|d| d.number == self.number).map_or("", |d| d.title.as_str())
    }

    /// The document's commitments in this domain, by number.
    async fn commitments(&self) -> Vec<Commitment> {
        let cat = &self.doc.cat;
        cat.commitments_of_document(cat.ds.documents[self.doc.ix].slug.as_str())
            .iter()
            .filter(|&&i| cat.ds.commitments[i].domain == Some(self.number))
            .map(|&i| Commitment(self.doc.at(i)))
            .collect()
    }

    /// Meetings classified under this domain number (an editorial classification), newest first.
    async fn meetings(
        &self,
        #[graphql(desc = "Page size (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
    ) -> ApiResult<MeetingConnection> {
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
