//! The `Query` root: entry points into the record.

use super::error::{ApiError, ApiResult};
use super::pagination::{
    page, page_by, CommitmentConnection, DeletionConnection, MeetingConnection, PageArgs, PersonConnection,
    StateConnection,
};
use super::scalars::{Date, DateTime};
use super::types::*;
use crate::catalog::{filter_words, fold, Catalog};
use crate::domain::{Collection, Field};
use crate::store::HistoryError;
use async_graphql::{Context, Object, ID};
use std::sync::Arc;

/// The entry points of the API. Every read is public.
#[derive(Default)]
pub struct Query;

/// The read model of this request, for a field whose work is bounded by its page or an index.
async fn root(ctx: &Context<'_>) -> ApiResult<Rec> {
    super::slice::checkpoint(ctx).await?;
    read_model(ctx)
}

/// The read model of this request, for an aggregate: a field that reads every meeting its filter
/// selects, whatever its page. Such work goes on in the long runners' threads.
async fn aggregate_root(ctx: &Context<'_>) -> ApiResult<Rec> {
    super::slice::checkpoint_long(ctx).await?;
    read_model(ctx)
}

/// The read model of this request. Every request carries one (the HTTP layer puts it there), so
/// a missing one is our fault.
fn read_model(ctx: &Context<'_>) -> ApiResult<Rec> {
    let cat = ctx
        .data::<Arc<Catalog>>()
        .map_err(|e| ApiError::Internal(format!("no catalog in the request: {}", e.message)))?;
    Ok(Rec::new(cat, 0))
}

/// The longest slug, code or text argument accepted; longer ones cannot name anything.
const MAX_ARG: usize = 200;

fn arg(name: &str, value: &str) -> ApiResult<()> {
    if value.len() > MAX_ARG {
        Err(ApiError::BadUserInput(format!("`{name}` has at most {MAX_ARG} bytes")))
    } else {
        Ok(())
    }
}

/// The entry points of the API. Every read is public; lists of more than a few items are paged.
///
/// Limits, checked before a query runs (each refusal has a code in `extensions.code`):
/// - text: at most 16384 bytes (`QUERY_TOO_LARGE`);
/// - depth: at most 12 levels of fields, 20 under `__schema` and `__type` (`QUERY_TOO_DEEP`);
/// - fields: at most 1000, counting each alias and each fragment where it is spread
///   (`TOO_MANY_FIELDS`);
/// - aliases: at most 50 (`TOO_MANY_ALIASES`); directives: at most 50 (`TOO_MANY_DIRECTIVES`);
/// - cost: at most 5000 (`QUERY_TOO_COMPLEX`). Every field costs 1, and a list costs 1 plus
///   the most items it can return times the cost of one item, so nested lists multiply: for a
///   paged field its page size (`first`, else `last`, else its default), for any other list the
///   longest it is in the data now (`dataset { listBounds }`);
/// - pages: `first` and `last` at most 100 (`PAGE_SIZE_EXCEEDED`);
/// - strings: no control characters other than tab and line breaks (`BAD_USER_INPUT`).
///
/// Each answer reports its measure in `extensions.cost`. Over HTTP: a body of at most 262144
/// bytes (413 `PAYLOAD_TOO_LARGE`), batches of at most 10 operations (`BATCH_TOO_LARGE`), and
/// 10 s per request unless the server says otherwise (`--request-timeout`): a query still running
/// then is stopped where it is (408 `REQUEST_TIMEOUT`).
#[Object(serial)]
impl Query {
    /// Fetches any record that implements `Node` by its global id. Null if no record has that id.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id returned by this API.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        arg("id", &id)?;
        let root = root(ctx).await?;
        Ok(NodeId::decode(&id).and_then(|n| n.resolve(&root)))
    }

    /// Fetches several records by global id, in the order given; null for each id that names nothing.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids returned by this API (at most 100).")] ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > super::pagination::MAX_PAGE_SIZE as usize {
            return Err(ApiError::PageSizeExceeded {
                field: "ids",
                requested: ids.len() as i32,
                max: super::pagination::MAX_PAGE_SIZE,
            });
        }
        ids.iter().try_for_each(|id| arg("ids", id))?;
        let root = root(ctx).await?;
        Ok(ids.iter().map(|id| NodeId::decode(id).and_then(|n| n.resolve(&root))).collect())
    }

    /// A state by slug or ISO alpha-2 or alpha-3 code, in any case ('ke', 'KE', 'KEN').
    async fn state(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Slug, ISO alpha-2 or ISO alpha-3 code.")] code: String,
    ) -> ApiResult<Option<State>> {
        arg("code", &code)?;
        let root = root(ctx).await?;
        Ok(root.cat.state_by_code(&code).map(|i| State(root.at(i))))
    }

    /// States, ordered by name.
    async fn states(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the states.")] filter: Option<StateFilter>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> ApiResult<StateConnection> {
        let args = PageArgs { first, after, last, before };
        let root = root(ctx).await?;
        let cat = &root.cat;
        let f = filter.unwrap_or_default();
        if let Some(p) = &f.process {
            arg("process", p)?;
            if cat.process(p).is_none() {
                return Err(ApiError::BadUserInput(format!("unknown process '{p}'")));
            }
        }
        let name = f.name.as_deref().map(|n| arg("name", n).map(|_| fold(n))).transpose()?;
        let role: Option<crate::domain::MembershipRole> = f.membership_role.map(Into::into);
        let continent: Option<crate::domain::Continent> = f.continent.map(Into::into);
        let items: Vec<usize> = (0..cat.ds.states.len())
            .filter(|&i| {
                let s = &cat.ds.states[i];
                continent.is_none_or(|c| s.continent == c)
                    && name.as_ref().is_none_or(|n| fold(&s.name).contains(n.as_str()))
                    && (f.process.is_none() && role.is_none()
                        || cat.memberships_of_actor(s.slug.as_str()).iter().any(|&m| {
                            let m = &cat.ds.memberships[m];
                            f.process.as_ref().is_none_or(|p| m.process.as_str() == p)
                                && role.is_none_or(|r| m.role == r)
                        }))
            })
            .collect();
        page(&items, |i| cat.state_key(i), false, args, |i| State(root.at(i))).map(Into::into)
    }

    /// An organisation by slug ('icmpd').
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's slug.")] slug: String,
    ) -> ApiResult<Option<Organization>> {
        arg("slug", &slug)?;
        let root = root(ctx).await?;
        Ok(root.cat.organization(&slug).map(|i| Organization(root.at(i))))
    }

    /// Every organisation, by slug.
    async fn organizations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Organization>> {
        let root = root(ctx).await?;
        Ok((0..root.cat.ds.organizations.len()).map(|i| Organization(root.at(i))).collect())
    }

    /// A person by slug ('badr-abdelatty').
    async fn person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's slug: the name in kebab case.")] slug: String,
    ) -> ApiResult<Option<Person>> {
        arg("slug", &slug)?;
        let root = root(ctx).await?;
        Ok(root.cat.person(&slug).map(|i| Person(root.at(i))))
    }

    /// The people the sources name in a role, by slug.
    async fn people(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> ApiResult<PersonConnection> {
        let root = root(ctx).await?;
        let cat = &root.cat;
        page_by(
            cat.ds.people.len(),
            |i| i,
            |i| cat.ds.people[i].slug.to_string(),
            false,
            PageArgs { first, after, last, before },
            |i| Person(root.at(i)),
        )
        .map(Into::into)
    }

    /// Ranked full-text search over names, titles, summaries and commitment texts, people's names
    /// and the titles of their posts, and over the French and Arabic names of states,
    /// organisations, processes and documents. Case- and
    /// accent-insensitive, and by English word stems: "trafficker" finds "trafficking"; in Arabic
    /// script, diacritics, the alef variants and taa marbuta do not matter. Every word must
    /// match; a match in a name or title ranks above one in a text, and a record whose name is
    /// exactly the words searched ranks above both. The index lives in the store and changes with
    /// every write.
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Words to find (at most 200 bytes).")] text: String,
        #[graphql(desc = "How many hits (at most 100).", default_with = "Some(20)")] first: Option<i32>,
    ) -> ApiResult<Vec<SearchHit>> {
        arg("text", &text)?;
        let n = super::pagination::page_size("first", first.unwrap_or(20))?;
        let root = root(ctx).await?;
        let curator = super::curator(ctx)?;
        let terms = crate::domain::terms(&text);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        // (collection, key) -> (terms matched, score)
        let mut found: std::collections::HashMap<(Collection, String), (usize, usize)> = Default::default();
        for term in &terms {
            let hits = curator
                .store()
                .search(term, root.cat.meta.revision, &root.cat.ds)
                .map_err(|e| ApiError::Internal(format!("search: {e}")))?;
            let names =
                crate::seed::reference::name_hits(term).into_iter().map(|(c, k)| (c, k.to_owned(), Field::Title));
            // A record found twice by one term (in its English and its French name) counts once,
            // in its best field.
            let mut best: std::collections::HashMap<(Collection, String), Field> = Default::default();
            for (c, key, field) in hits.into_iter().chain(names) {
                let f = best.entry((c, key)).or_insert(field);
                *f = (*f).min(field);
            }
            for (record, field) in best {
                let e = found.entry(record).or_default();
                e.0 += 1;
                e.1 += if field == Field::Title { 3 } else { 1 };
            }
        }
        let cat = &root.cat;
        let mut hits: Vec<(usize, Collection, usize, SearchHit)> = found
            .into_iter()
            .filter(|(_, (matched, _))| *matched == terms.len())
            .filter_map(|((c, key), (_, score))| {
                let (ix, hit) = match c {
                    Collection::States => cat.state(&key).map(|i| (i, SearchHit::State(State(root.at(i))))),
                    Collection::Organizations => {
                        cat.organization(&key).map(|i| (i, SearchHit::Organization(Organization(root.at(i)))))
                    }
                    Collection::Processes => cat.process(&key).map(|i| (i, SearchHit::Process(Process(root.at(i))))),
                    Collection::Meetings => cat.meeting(&key).map(|i| (i, SearchHit::Meeting(Meeting(root.at(i))))),
                    Collection::Documents => cat.document(&key).map(|i| (i, SearchHit::Document(Document(root.at(i))))),
                    Collection::Commitments => {
                        cat.commitment(&key).map(|i| (i, SearchHit::Commitment(Commitment(root.at(i)))))
                    }
                    Collection::People => cat.person(&key).map(|i| (i, SearchHit::Person(Person(root.at(i))))),
                    _ => None,
                }?;
                // An exact name outranks any number of partial matches. A person has one name, in
                // no other language, so it is compared here.
                let named = match c {
                    Collection::People => crate::domain::terms(&cat.ds.people[ix].name) == terms,
                    _ => cat.is_named(c, ix, &terms),
                };
                let exact = if named { 1000 } else { 0 };
                Some((score + exact, c, ix, hit))
            })
            .collect();
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        Ok(hits.into_iter().take(n).map(|(_, _, _, h)| h).collect())
    }

    /// The chairmanship of a process in force on a date (null in a gap). A term runs from the
    /// first day its start may mean to the last day its end may mean; on a handover day, or
    /// where the handover is known only to the month or year, the later term is returned. Where
    /// sources disagree on a term's dates, its `notes` (kind CONFLICT) say which value was kept.
    async fn chair_on(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Process slug ('khartoum-process').")] process: String,
        #[graphql(desc = "The day.")] date: Date,
    ) -> ApiResult<Option<Chairmanship>> {
        arg("process", &process)?;
        let root = root(ctx).await?;
        if root.cat.process(&process).is_none() {
            return Err(ApiError::BadUserInput(format!("unknown process '{process}'")));
        }
        Ok(root.cat.chair_on(&process, date.0).map(|t| Chairmanship(root.at(t))))
    }

    /// Pairs of actors that organised meetings together (host, co-host, chair, co-chair), most
    /// shared meetings first, then by the pair's slugs.
    async fn co_host_pairs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only meetings of this process.")] process: Option<String>,
        #[graphql(desc = "Only meetings on or after this day.")] from: Option<Date>,
        #[graphql(desc = "Only meetings on or before this day.")] to: Option<Date>,
        #[graphql(desc = "How many pairs (at most 100).", default_with = "Some(50)")] first: Option<i32>,
    ) -> ApiResult<Vec<ActorPair>> {
        let root = aggregate_root(ctx).await?;
        let filter = MeetingFilter { process, from, to, ..Default::default() };
        let q = filter.to_query(&root.cat)?;
        let n = super::pagination::page_size("first", first.unwrap_or(50))?;
        Ok(root.cat.pairs(&q).into_iter().take(n).map(|pair| ActorPair { rec: root.clone(), pair }).collect())
    }

    /// Meeting counts grouped by one dimension, over the meetings a filter selects (the same
    /// filter as `meetings`). Years ascend; other groups come largest first.
    async fn meeting_counts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The dimension to group by.")] group_by: MeetingGrouping,
        #[graphql(desc = "Which meetings to count (all when omitted).")] filter: Option<MeetingFilter>,
    ) -> ApiResult<Vec<MeetingCount>> {
        let root = aggregate_root(ctx).await?;
        let q = filter.unwrap_or_default().to_query(&root.cat)?;
        Ok(root.cat.meeting_counts(group_by.into(), &q).into_iter().map(Into::into).collect())
    }

    /// For each commitment of a document, the meetings classified under its domain, with the
    /// first and the last of them. Empty for a document without commitments.
    async fn commitment_coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Document slug ('cairo-action-plan').")] document: String,
    ) -> ApiResult<Vec<CommitmentCoverage>> {
        arg("document", &document)?;
        let root = aggregate_root(ctx).await?;
        if root.cat.document(&document).is_none() {
            return Err(ApiError::BadUserInput(format!("unknown document '{document}'")));
        }
        Ok(root
            .cat
            .commitment_coverage(&document)
            .into_iter()
            .map(|coverage| CommitmentCoverage { rec: root.clone(), coverage })
            .collect())
    }

    /// A state or organisation by slug ('de', 'auc').
    async fn actor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The actor's slug.")] slug: String,
    ) -> ApiResult<Option<Actor>> {
        arg("slug", &slug)?;
        let root = root(ctx).await?;
        Ok(root.actor(&slug))
    }

    /// A process by slug ('khartoum-process', 'rabat-process').
    async fn process(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The process's slug.")] slug: String,
    ) -> ApiResult<Option<Process>> {
        arg("slug", &slug)?;
        let root = root(ctx).await?;
        Ok(root.cat.process(&slug).map(|i| Process(root.at(i))))
    }

    /// Every process, by slug.
    async fn processes(&self, ctx: &Context<'_>) -> ApiResult<Vec<Process>> {
        let root = root(ctx).await?;
        Ok((0..root.cat.ds.processes.len()).map(|i| Process(root.at(i))).collect())
    }

    /// Chair terms, chronological within each process; only one process's when `process` is given.
    async fn chairmanships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Process slug.")] process: Option<String>,
    ) -> ApiResult<Vec<Chairmanship>> {
        let root = root(ctx).await?;
        let cat = &root.cat;
        let processes: Vec<&str> = match &process {
            Some(p) => {
                arg("process", p)?;
                if cat.process(p).is_none() {
                    return Err(ApiError::BadUserInput(format!("unknown process '{p}'")));
                }
                vec![p.as_str()]
            }
            None => cat.ds.processes.iter().map(|p| p.slug.as_str()).collect(),
        };
        Ok(processes
            .into_iter()
            .flat_map(|p| cat.chairs_of_process(p).iter().map(|&t| Chairmanship(root.at(t))))
            .collect())
    }

    /// A meeting by slug.
    async fn meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting's slug.")] slug: String,
    ) -> ApiResult<Option<Meeting>> {
        arg("slug", &slug)?;
        let root = root(ctx).await?;
        Ok(root.cat.meeting(&slug).map(|i| Meeting(root.at(i))))
    }

    /// Meetings, filtered and paged. A meeting dated only to the month or year sorts at the start
    /// of its interval and matches `from`/`to` if its interval meets the range; ties by slug.
    #[allow(clippy::too_many_arguments)]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the meetings.")] filter: Option<MeetingFilter>,
        #[graphql(desc = "Newest or oldest first.", default_with = "Some(MeetingOrder::StartDateDesc)")]
        order_by: Option<MeetingOrder>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> ApiResult<MeetingConnection> {
        let page = PageArgs { first, after, last, before };
        let root = root(ctx).await?;
        let query = filter.unwrap_or_default().to_query(&root.cat)?;
        super::types::meetings_page(&root, &query, order_by, page)
    }

    /// Records deleted at `since` or later, oldest first: the deletions that the `updatedSince`
    /// filters cannot list. Pass the `dataset.lastChange` of your previous sync, as to
    /// `updatedSince`. They come from the change history the server keeps (its last 10,000
    /// writes unless configured otherwise; on an etcd cluster, etcd's history back to its last
    /// compaction); a `since` older than that history is refused with
    /// `HISTORY_EXPIRED`, whose `extensions.oldestTime` is the earliest time it answers from:
    /// reload everything instead.
    async fn deleted(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Deleted at or after this time (inclusive).")] since: DateTime,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
    ) -> ApiResult<DeletionConnection> {
        let root = root(ctx).await?;
        let meta = &root.cat.meta;
        let records = match super::curator(ctx)?.store().deletions_since(since.0, meta.revision) {
            Ok(records) => records,
            Err(HistoryError::TooEarly { since, oldest }) => {
                let oldest = crate::store::rfc3339(oldest);
                return Err(ApiError::HistoryExpired {
                    message: format!(
                        "the change history no longer holds every deletion since {}; it holds those since {oldest}: \
                         reload everything instead",
                        crate::store::rfc3339(since)
                    ),
                    oldest: ("oldestTime", oldest),
                });
            }
            Err(e) => return Err(ApiError::Internal(format!("reading the change history failed: {e}"))),
        };
        let key = |i: usize| format!("{:020}.{:010}", records[i].revision, records[i].index);
        let page = PageArgs { first, after, last: None, before: None };
        let node = |i: usize| Deletion::of_record(records[i].clone(), meta);
        Ok(page_by(records.len(), |i| i, key, false, page, node)?.into())
    }

    /// A document by slug ('cairo-action-plan').
    async fn document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document's slug.")] slug: String,
    ) -> ApiResult<Option<Document>> {
        arg("slug", &slug)?;
        let root = root(ctx).await?;
        Ok(root.cat.document(&slug).map(|i| Document(root.at(i))))
    }

    /// Every document, by adoption date.
    async fn documents(&self, ctx: &Context<'_>) -> ApiResult<Vec<Document>> {
        let root = root(ctx).await?;
        Ok((0..root.cat.ds.documents.len()).map(|i| Document(root.at(i))).collect())
    }

    /// An action-plan item by code ('cap-4.2', 'cap-approach-3').
    async fn commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item's code.")] code: String,
    ) -> ApiResult<Option<Commitment>> {
        arg("code", &code)?;
        let root = root(ctx).await?;
        Ok(root.cat.commitment(&code).map(|i| Commitment(root.at(i))))
    }

    /// Action-plan items: by document, cross-cutting approaches first, then commitments by domain and number.
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Conditions on the items.")] filter: Option<CommitmentFilter>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
    ) -> ApiResult<CommitmentConnection> {
        let root = root(ctx).await?;
        let cat = &root.cat;
        let f = filter.unwrap_or_default();
        if let Some(d) = &f.document {
            arg("document", d)?;
            if cat.document(d).is_none() {
                return Err(ApiError::BadUserInput(format!("unknown document '{d}'")));
            }
        }
        let text = f.text.as_deref().unwrap_or("");
        arg("text", text)?;
        let words = filter_words(text);
        let domain = domain_number(f.domain)?;
        let kind: Option<crate::domain::CommitmentKind> = f.kind.map(Into::into);
        let items: Vec<usize> = (0..cat.ds.commitments.len())
            .filter(|&i| {
                let c = &cat.ds.commitments[i];
                f.document.as_ref().is_none_or(|d| c.document.as_str() == d)
                    && domain.is_none_or(|d| c.domain == Some(d))
                    && kind.is_none_or(|k| c.kind == k)
                    && (words.is_empty() || {
                        let t = fold(&format!("{} {}", c.title.as_deref().unwrap_or(""), c.text));
                        words.iter().all(|w| t.contains(w.as_str()))
                    })
            })
            .collect();
        page(
            &items,
            |i| cat.commitment_key(i),
            false,
            PageArgs { first, after, last, before },
            |i| Commitment(root.at(i)),
        )
        .map(Into::into)
    }

    /// A source by slug.
    async fn source(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The source's slug.")] slug: String,
    ) -> ApiResult<Option<Source>> {
        arg("slug", &slug)?;
        let root = root(ctx).await?;
        Ok(root.cat.source(&slug).map(|i| Source(root.at(i))))
    }

    /// Every source the dataset cites, by slug.
    async fn sources(&self, ctx: &Context<'_>) -> ApiResult<Vec<Source>> {
        let root = root(ctx).await?;
        Ok((0..root.cat.ds.sources.len()).map(|i| Source(root.at(i))).collect())
    }

    /// What the dataset holds and when it last changed.
    async fn dataset(&self, ctx: &Context<'_>) -> ApiResult<DatasetInfo> {
        Ok(DatasetInfo(root(ctx).await?))
    }
}
