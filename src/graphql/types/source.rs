//! The `Source` and `Note` types.

use super::*;
use crate::domain::Collection;
use crate::domain::PartialDate;
use crate::graphql::scalars::DateTime;
use async_graphql::Object;

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
    /// Stable key of the source.
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

    /// A short title of the document or page.
    async fn title(&self) -> &str {
        self.title_value()
    }

    /// The page's public address, for a web page.
    async fn url(&self) -> Option<&str> {
        self.url_value()
    }

    /// Who published it.
    async fn publisher(&self) -> Option<&str> {
        self.publisher_value()
    }

    /// When it was published, where known.
    async fn published(&self) -> Option<PartialDate> {
        self.published_value()
    }

    /// A file name of the dataset's source documents, or the public address of the page.
    async fn reference(&self) -> Option<&str> {
        self.reference_value()
    }
}

/// The value of each field of `Source`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl Source {
    fn slug_value(&self) -> &str {
        self.r().slug.as_str()
    }

    fn created_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Sources, self.r().slug.as_str()).created_at)
    }

    fn updated_at_value(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Sources, self.r().slug.as_str()).updated_at)
    }

    fn title_value(&self) -> &str {
        &self.r().title
    }

    fn url_value(&self) -> Option<&str> {
        self.r().url.as_deref()
    }

    fn publisher_value(&self) -> Option<&str> {
        self.r().publisher.as_deref()
    }

    fn published_value(&self) -> Option<PartialDate> {
        self.r().published
    }

    fn reference_value(&self) -> Option<&str> {
        self.r().reference.as_deref()
    }
}

impl direct::Object for Source {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "slug" => f.put(self.slug_value()),
            "createdAt" => f.put(self.created_at_value()),
            "updatedAt" => f.put(self.updated_at_value()),
            "title" => f.put(self.title_value()),
            "url" => f.put(self.url_value()),
            "publisher" => f.put(self.publisher_value()),
            "published" => f.put(self.published_value()),
            "reference" => f.put(self.reference_value()),
            _ => f.uncovered(),
        }
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
        self.kind_value()
    }

    /// The field the note is about (as named in the seed files, e.g. 'startDate'), if any.
    async fn field(&self) -> Option<&str> {
        self.field_value()
    }

    /// The remark.
    async fn text(&self) -> &str {
        self.text_value()
    }

    /// Sources behind the remark, such as the sources of a conflicting value.
    async fn sources(&self) -> Vec<Source> {
        self.sources_value()
    }
}

/// The value of each field of `Note`: what async-graphql's resolvers above return, and what
/// the direct path writes ([`direct::Object`] below).
impl Note {
    fn kind_value(&self) -> NoteKind {
        self.note.kind.into()
    }

    fn field_value(&self) -> Option<&str> {
        self.note.field.as_deref()
    }

    fn text_value(&self) -> &str {
        &self.note.text
    }

    fn sources_value(&self) -> Vec<Source> {
        self.rec.sources(&self.note.sources)
    }
}

impl direct::Object for Note {
    fn field(&self, f: &mut direct::Field<'_, '_>) -> direct::Written {
        match f.name() {
            "kind" => f.put(self.kind_value()),
            "field" => f.put(self.field_value()),
            "text" => f.put(self.text_value()),
            "sources" => f.put(self.sources_value()),
            _ => f.uncovered(),
        }
    }
}

direct::object_output!(Source, Note);
