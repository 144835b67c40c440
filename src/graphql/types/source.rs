//! The `Source` and `Note` types.

use super::*;
use crate::domain::Collection;
use crate::domain::PartialDate;
use crate::graphql::scalars::DateTime;
use async_graphql::{Object, ID};

/// Where a fact comes from.
#[derive(Clone)]
pub struct Source(pub(crate) Rec);

impl Source {
    fn r(&self) -> &crate::domain::Source {
        &self.0.cat.ds.sources[self.0.ix]
    }
}

/// Where a fact comes from: one of the source documents of this dataset, or a public web page.
#[Object(serial)]
impl Source {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeId::encode("Source", self.r().slug.as_str())
    }

    /// Stable key of the source.
    async fn slug(&self) -> &str {
        self.r().slug.as_str()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Sources, self.r().slug.as_str()).created_at)
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Sources, self.r().slug.as_str()).updated_at)
    }

    /// A short title of the document or page.
    async fn title(&self) -> &str {
        &self.r().title
    }

    /// The page's public address, for a web page.
    async fn url(&self) -> Option<&str> {
        self.r().url.as_deref()
    }

    /// Who published it.
    async fn publisher(&self) -> Option<&str> {
        self.r().publisher.as_deref()
    }

    /// When it was published, where known.
    async fn published(&self) -> Option<PartialDate> {
        self.r().published
    }

    /// A file name of the dataset's source documents, or the public address of the page.
    async fn reference(&self) -> Option<&str> {
        self.r().reference.as_deref()
    }

    /// The path, in the khartoum-graphql repository, of the copy of the source's text that the
    /// dataset keeps ('sources/pages/<slug>.txt' for a web page), so that a fact can be checked
    /// without the page; null when no copy is kept (see `notArchived`).
    async fn archived_copy(&self) -> Option<&str> {
        self.r().archived.as_deref()
    }

    /// When the archived text was read, where recorded.
    async fn archived_at(&self) -> Option<PartialDate> {
        self.r().archived_at
    }

    /// Why no copy of the text is kept, for a source that has none.
    async fn not_archived(&self) -> Option<&str> {
        self.r().not_archived.as_deref()
    }
}

/// A remark on a record.
pub struct Note {
    pub(super) rec: Rec,
    pub(super) note: crate::domain::Note,
}

/// A remark on a record: a value that is inferred, a disagreement between sources, or an
/// editorial note.
#[Object(serial)]
impl Note {
    /// What kind of remark this is.
    async fn kind(&self) -> NoteKind {
        self.note.kind.into()
    }

    /// The field the note is about (as named in the seed files, e.g. 'startDate'), if any.
    async fn field(&self) -> Option<&str> {
        self.note.field.as_deref()
    }

    /// The remark.
    async fn text(&self) -> &str {
        &self.note.text
    }

    /// Sources behind the remark, such as the sources of a conflicting value.
    async fn sources(&self) -> Vec<Source> {
        self.rec.sources(&self.note.sources)
    }
}
