//! The `Process` type.

use super::actor::meetings_page;
use super::localized_name::{name_in, names};
use super::*;
use crate::domain::Collection;
use crate::graphql::error::ApiResult;
use crate::graphql::pagination::{MeetingConnection, PageArgs};
use crate::graphql::scalars::Date;
use crate::graphql::scalars::DateTime;
use async_graphql::{Object, ID};

/// A regional migration dialogue.
#[derive(Clone)]
pub struct Process(pub(crate) Rec);

impl Process {
    fn r(&self) -> &crate::domain::Process {
        &self.0.cat.ds.processes[self.0.ix]
    }

    fn chairs(&self) -> Vec<Chairmanship> {
        self.0.cat.chairs_of_process(self.r().slug.as_str()).iter().map(|&i| Chairmanship(self.0.at(i))).collect()
    }
}

/// A regional migration dialogue: the Khartoum Process, or the Rabat Process where the two meet.
#[Object(serial)]
impl Process {
    /// A global id, opaque and stable: pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        NodeId::encode("Process", self.r().slug.as_str())
    }

    /// Stable key: 'khartoum-process', 'rabat-process'.
    async fn slug(&self) -> &str {
        self.r().slug.as_str()
    }

    /// When this record entered the store: seeded from the seed files or created through the API.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Processes, self.r().slug.as_str()).created_at)
    }

    /// When this record last changed. Use `updatedSince` filters to fetch only what changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.cat.stamp(Collection::Processes, self.r().slug.as_str()).updated_at)
    }

    /// The usual name ('Khartoum Process'), in English unless `lang` asks for French or Arabic
    /// and a source gives the name in it.
    async fn name(
        &self,
        #[graphql(
            default_with = "Some(Language::En)",
            desc = "The language; the English name where no source gives one in it."
        )]
        lang: Option<Language>,
    ) -> &str {
        name_in(Collection::Processes, self.r().slug.as_str(), &self.r().name, lang)
    }

    /// The usual name in every language a source gives it in, English first, each with its
    /// sources.
    async fn names(&self) -> Vec<LocalizedName> {
        names(&self.0, Collection::Processes, self.r().slug.as_str(), &self.r().name, &self.r().sources)
    }

    /// The official or alternative name, e.g. 'EU-Horn of Africa Migration Route Initiative'.
    async fn alias(&self) -> Option<&str> {
        self.r().alias.as_deref()
    }

    /// When the process was established.
    async fn established(&self) -> Option<crate::domain::PartialDate> {
        self.r().established
    }

    /// What the process is, in a few sentences written for this dataset.
    async fn description(&self) -> Option<&str> {
        self.r().description.as_deref()
    }

    /// Memberships in the process, optionally only those of some roles or in force on a date. A
    /// membership with no known start counts from the beginning; partial dates count from the
    /// first day they may mean to the last.
    async fn memberships(
        &self,
        #[graphql(desc = "Only memberships of these roles.")] roles: Option<Vec<MembershipRole>>,
        #[graphql(desc = "Only memberships in force on this date.")] as_of: Option<Date>,
    ) -> Vec<Membership> {
        let cat = &self.0.cat;
        let roles: Vec<crate::domain::MembershipRole> = roles.unwrap_or_default().into_iter().map(Into::into).collect();
        cat.memberships_of_process(self.r().slug.as_str())
            .iter()
            .copied()
            .filter(|&i| roles.is_empty() || roles.contains(&cat.ds.memberships[i].role))
            .filter(|&i| as_of.is_none_or(|d| cat.membership_in_force(i, d.0)))
            .map(|i| Membership(self.0.at(i)))
            .collect()
    }

    /// The process's chair terms, chronological.
    async fn chairmanships(&self) -> Vec<Chairmanship> {
        self.chairs()
    }

    /// The term that is running now (one with no end), if any.
    async fn current_chair(&self) -> Option<Chairmanship> {
        self.chairs().into_iter().rev().find(|c| c.r().end.is_none())
    }

    /// The process's meetings.
    #[allow(clippy::too_many_arguments)]
    async fn meetings(
        &self,
        #[graphql(desc = "Further conditions on the meetings.")] filter: Option<MeetingFilter>,
        #[graphql(desc = "Newest or oldest first.", default_with = "Some(MeetingOrder::StartDateDesc)")]
        order_by: Option<MeetingOrder>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> ApiResult<MeetingConnection> {
        let page = PageArgs { first, after, last, before };
        let mut query = filter.unwrap_or_default().to_query(&self.0.cat)?;
        // The process itself goes first: the read model starts from the first process's index.
        query.processes.insert(0, self.r().slug.to_string());
        meetings_page(&self.0, &query, order_by, page)
    }

    /// The process's declarations and action plans, by adoption date.
    async fn documents(&self) -> Vec<Document> {
        self.0.cat.documents_of_process(self.r().slug.as_str()).iter().map(|&i| Document(self.0.at(i))).collect()
    }

    /// Where the record's facts come from.
    async fn sources(&self) -> Vec<Source> {
        self.0.sources(&self.r().sources)
    }

    /// Remarks on the record: inferred values, conflicts between sources, editorial notes.
    async fn notes(&self) -> Vec<Note> {
        self.0.notes(&self.r().notes)
    }
}
