//! The read model: an immutable, indexed view of one committed state of the store.
//!
//! A `Catalog` is built only from what [`crate::store::Store::load`] returns and is never written
//! to; the server swaps in a new one after each committed change. Every join and filter the API
//! offers is answered from its in-memory indexes, so a page of meetings with their hosts,
//! co-hosts and countries costs no store reads at all, however many fields it asks for.

mod aggregates;
mod longest;
mod meetings;

pub use crate::domain::fold;
pub use aggregates::{Coverage, Group, Grouping, Handover, Pair};
pub use longest::Longest;

use crate::domain::*;
use crate::store::{Meta, Operation, RecordChange};
use chrono::{DateTime, NaiveDate, Utc};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use meetings::{Lists, MeetingIndex, Relayout, GONE};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A state or an organisation, by position in the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorRef {
    /// Index into `dataset.states`.
    State(usize),
    /// Index into `dataset.organizations`.
    Organization(usize),
}

/// Which meetings to select. Every part narrows the selection; `None` and empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct MeetingQuery {
    /// Only these kinds.
    pub kinds: Vec<MeetingKind>,
    /// Only meetings of all these processes.
    pub processes: Vec<String>,
    /// Only meetings where each of these actors held one of the given roles (any role if empty).
    pub actors: Vec<(String, Vec<MeetingRole>)>,
    /// Only meetings held in this state.
    pub country: Option<String>,
    /// Only meetings held in this city, lower-cased (a city is compared in any case).
    pub city: Option<String>,
    /// Only online (true) or in-person (false) meetings.
    pub online: Option<bool>,
    /// Only meetings whose span reaches this day or later.
    pub from: Option<NaiveDate>,
    /// Only meetings whose span starts on this day or earlier.
    pub to: Option<NaiveDate>,
    /// Only meetings classified under this domain number.
    pub domain: Option<u8>,
    /// Only meetings whose title or summary contains all these words (folded).
    pub words: Vec<String>,
    /// Only meetings created or changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
}

/// The meetings a query selects, in position (chronological) order: the positions in `head`,
/// then the range `tail`. An unfiltered list is all tail, so it is never materialised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Positions listed one by one, rising.
    pub head: Vec<usize>,
    /// A range of positions after the last of `head`.
    pub tail: std::ops::Range<usize>,
}

impl Selection {
    /// How many meetings are selected.
    pub fn len(&self) -> usize {
        self.head.len() + self.tail.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The position of the `i`-th selected meeting (`i < len()`).
    pub fn get(&self, i: usize) -> usize {
        match self.head.get(i) {
            Some(&m) => m,
            None => self.tail.start + (i - self.head.len()),
        }
    }

    /// Every selected position, as a list.
    pub fn to_vec(&self) -> Vec<usize> {
        self.head.iter().copied().chain(self.tail.clone()).collect()
    }
}

/// One partner of an actor: the other actor and the meetings they organised together.
#[derive(Debug, Clone, PartialEq)]
pub struct Partner {
    /// The other actor.
    pub actor: ActorRef,
    /// Meeting indexes, chronological.
    pub meetings: Vec<usize>,
}

/// The indexed read model of one dataset. Every collection of `ds` is in API order (see
/// [`Catalog::new`]), and every index below lists positions in that order.
pub struct Catalog {
    /// The records.
    pub ds: Dataset,
    /// The store's metadata for this state.
    pub meta: Meta,
    /// When each record was created and last changed, by collection and key.
    stamps: Stamps,
    sources: HashMap<String, usize>,
    states: HashMap<String, usize>,
    state_codes: HashMap<String, usize>,
    organizations: HashMap<String, usize>,
    processes: HashMap<String, usize>,
    memberships: HashMap<String, usize>,
    chairmanships: HashMap<String, usize>,
    documents: HashMap<String, usize>,
    commitments: HashMap<String, usize>,
    people: HashMap<String, usize>,
    /// Every index over the meetings.
    idx: MeetingIndex,
    memberships_by_process: HashMap<String, Vec<usize>>,
    memberships_by_actor: HashMap<String, Vec<usize>>,
    chairs_by_process: HashMap<String, Vec<usize>>,
    chairs_by_state: HashMap<String, Vec<usize>>,
    documents_by_process: HashMap<String, Vec<usize>>,
    commitments_by_document: HashMap<String, Vec<usize>>,
    /// Per person: the chair terms that link them, chronological.
    chairs_by_person: HashMap<String, Vec<usize>>,
    /// Per organisation: the organisations that are part of it, by slug.
    parts: HashMap<String, Vec<usize>>,
    /// Per meeting: documents adopted there.
    adopted: Vec<Vec<usize>>,
    /// Per actor: its partners, most shared meetings first.
    partners: Lists<String, Partner>,
    /// The longest list of each kind, measured on first use.
    longest: std::sync::OnceLock<Longest>,
}

fn positions<T>(items: &[T], key: impl Fn(&T) -> String) -> HashMap<String, usize> {
    items.iter().enumerate().map(|(i, t)| (key(t), i)).collect()
}

impl Catalog {
    /// Builds the read model of a dataset the store has loaded. Each collection is first put in
    /// the order the API lists it, so a record's position is its rank: lists are ranges of
    /// positions, and no request sorts anything.
    pub fn new(mut ds: Dataset, meta: Meta, stamps: Stamps) -> Catalog {
        ds.meetings.sort_by(|a, b| a.start_date.cmp(&b.start_date).then_with(|| a.slug.cmp(&b.slug)));
        let idx = MeetingIndex::of(&ds.meetings);
        let mut cat = Catalog::with(ds, meta, stamps, idx);
        cat.partners = cat.build_partners();
        cat
    }

    /// The read model after a committed change, from this one, the read model before it: `ds` is
    /// this read model's dataset with the records of `changes` as the store now holds them (in
    /// any order), `meta` and `stamps` the store's after the change.
    ///
    /// The small collections are indexed again whole; the meetings' indexes are carried over and
    /// changed where the changed meetings stand ([`MeetingIndex::after`]), so the cost follows
    /// the change rather than the number of meetings. Debug builds (the tests) check the result
    /// against [`Catalog::new`] on the same dataset.
    pub fn after(&self, mut ds: Dataset, meta: Meta, stamps: Stamps, changes: &[RecordChange]) -> Catalog {
        let meetings: Vec<&RecordChange> = changes.iter().filter(|c| c.collection == Collection::Meetings).collect();
        let changed: Vec<&str> = meetings.iter().map(|c| c.key.as_str()).collect();
        let mut wanted: Vec<&str> =
            meetings.iter().filter(|c| c.operation != Operation::Deleted).map(|c| c.key.as_str()).collect();
        // The changed records are looked for from the end, where the store's read-back puts them.
        let mut present = Vec::with_capacity(wanted.len());
        for m in ds.meetings.iter().rev() {
            if wanted.is_empty() {
                break;
            }
            if let Some(i) = wanted.iter().position(|k| *k == m.slug.as_str()) {
                wanted.swap_remove(i);
                present.push(Arc::clone(m));
            }
        }
        let (laid_out, layout) = Relayout::of(&self.ds.meetings, &self.idx.positions, &changed, present);
        ds.meetings = laid_out;
        let idx = self.idx.after(&self.ds.meetings, &ds.meetings, &layout);
        let mut cat = Catalog::with(ds, meta, stamps, idx);
        // Partners name actors by position, which only an added, removed or renamed (states are
        // in order of name) state or organisation moves.
        let actors_moved =
            self.ds.states.len() != cat.ds.states.len() || actor_slugs(&self.ds).ne(actor_slugs(&cat.ds));
        cat.partners = self.partners_after(&cat, &layout, actors_moved);
        #[cfg(debug_assertions)]
        cat.assert_same_as(&Catalog::new(cat.ds.clone(), cat.meta.clone(), cat.stamps.clone()));
        cat
    }

    /// The read model of `ds` with the meetings' indexes `idx`, without partners: the other
    /// collections are put in API order and indexed, and each meeting's adopted documents found.
    fn with(mut ds: Dataset, meta: Meta, stamps: Stamps, idx: MeetingIndex) -> Catalog {
        ds.sources.sort_by(|a, b| a.slug.cmp(&b.slug));
        ds.states.sort_by_cached_key(state_sort_key);
        ds.organizations.sort_by(|a, b| a.slug.cmp(&b.slug));
        ds.processes.sort_by(|a, b| a.slug.cmp(&b.slug));
        ds.memberships.sort_by(|a, b| a.slug.cmp(&b.slug));
        // Chronological: by start, then by end (a running term last), so that two terms known
        // only to start in the same year still follow each other in the order they ended.
        ds.chairmanships.sort_by_key(|t| (t.start, t.end.map_or(NaiveDate::MAX, |e| e.last_day()), t.slug.clone()));
        ds.documents.sort_by(|a, b| (a.adopted, &a.slug).cmp(&(b.adopted, &b.slug)));
        ds.commitments.sort_by_cached_key(commitment_sort_key);
        ds.people.sort_by(|a, b| a.slug.cmp(&b.slug));

        let mut adopted = vec![Vec::new(); ds.meetings.len()];
        let mut documents_by_process: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in ds.documents.iter().enumerate() {
            if let Some(&m) = d.adopted_at.as_ref().and_then(|s| idx.positions.get(s.as_str())) {
                adopted[m].push(i);
            }
            for p in &d.processes {
                documents_by_process.entry(p.to_string()).or_default().push(i);
            }
        }

        let mut memberships_by_process: HashMap<String, Vec<usize>> = HashMap::new();
        let mut memberships_by_actor: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in ds.memberships.iter().enumerate() {
            memberships_by_process.entry(m.process.to_string()).or_default().push(i);
            memberships_by_actor.entry(m.actor.to_string()).or_default().push(i);
        }
        let mut chairs_by_process: HashMap<String, Vec<usize>> = HashMap::new();
        let mut chairs_by_state: HashMap<String, Vec<usize>> = HashMap::new();
        let mut chairs_by_person: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in ds.chairmanships.iter().enumerate() {
            chairs_by_process.entry(t.process.to_string()).or_default().push(i);
            chairs_by_state.entry(t.chair.to_string()).or_default().push(i);
            if let Some(person) = &t.person {
                chairs_by_person.entry(person.to_string()).or_default().push(i);
            }
        }
        let mut parts: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in ds.organizations.iter().enumerate() {
            if let Some(parent) = &o.part_of {
                parts.entry(parent.to_string()).or_default().push(i);
            }
        }
        let mut commitments_by_document: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in ds.commitments.iter().enumerate() {
            commitments_by_document.entry(c.document.to_string()).or_default().push(i);
        }
        let mut state_codes = HashMap::new();
        for (i, s) in ds.states.iter().enumerate() {
            state_codes.insert(s.iso2.to_ascii_lowercase(), i);
            state_codes.insert(s.iso3.to_ascii_lowercase(), i);
        }

        Catalog {
            sources: positions(&ds.sources, |s| s.slug.to_string()),
            states: positions(&ds.states, |s| s.slug.to_string()),
            organizations: positions(&ds.organizations, |s| s.slug.to_string()),
            processes: positions(&ds.processes, |s| s.slug.to_string()),
            memberships: positions(&ds.memberships, |s| s.slug.to_string()),
            chairmanships: positions(&ds.chairmanships, |s| s.slug.to_string()),
            documents: positions(&ds.documents, |s| s.slug.to_string()),
            commitments: positions(&ds.commitments, |s| s.code.clone()),
            people: positions(&ds.people, |s| s.slug.to_string()),
            state_codes,
            idx,
            memberships_by_process,
            memberships_by_actor,
            chairs_by_process,
            chairs_by_state,
            documents_by_process,
            commitments_by_document,
            chairs_by_person,
            parts,
            adopted,
            partners: HashMap::new(),
            longest: std::sync::OnceLock::new(),
            ds,
            meta,
            stamps,
        }
    }

    /// Requires this read model to equal `whole`, the one built from scratch from the same
    /// dataset, naming the first part that differs.
    #[cfg(any(test, debug_assertions))]
    fn assert_same_as(&self, whole: &Catalog) {
        assert!(self.ds == whole.ds, "the records differ from those of a whole build");
        let (a, b) = (&self.idx, &whole.idx);
        assert!(a.positions == b.positions, "the meetings' positions differ from a whole build");
        assert!(a.by_actor == b.by_actor, "the meetings by actor differ from a whole build");
        assert!(a.by_process == b.by_process, "the meetings by process differ from a whole build");
        assert!(a.by_country == b.by_country, "the meetings by country differ from a whole build");
        assert!(a.by_domain == b.by_domain, "the meetings by domain differ from a whole build");
        assert!(
            a.participations_by_person == b.participations_by_person,
            "the participations by person differ from a whole build"
        );
        assert!(a.relations == b.relations, "the meetings' relations differ from a whole build");
        assert!(
            a.folded == b.folded && a.starts == b.starts,
            "the meetings' texts or starts differ from a whole build"
        );
        assert!(a.reach == b.reach, "the meetings' reach differs from a whole build");
        assert!(self.adopted == whole.adopted, "the documents adopted at meetings differ from a whole build");
        assert!(self.partners == whole.partners, "the partners differ from a whole build");
    }

    /// Whether a name of record `ix` of collection `c` (its English name, title, acronym or alias,
    /// or a French or Arabic name) consists of exactly the search terms `terms`: a search for
    /// "Sudan" or "Soudan" ranks Sudan above South Sudan by it.
    pub fn is_named(&self, c: Collection, ix: usize, terms: &[String]) -> bool {
        let (key, mut names): (&str, Vec<&str>) = match c {
            Collection::States => {
                let s = &self.ds.states[ix];
                (s.slug.as_str(), vec![s.name.as_str()])
            }
            Collection::Organizations => {
                let o = &self.ds.organizations[ix];
                (o.slug.as_str(), std::iter::once(o.name.as_str()).chain(o.acronym.as_deref()).collect())
            }
            Collection::Processes => {
                let p = &self.ds.processes[ix];
                (p.slug.as_str(), std::iter::once(p.name.as_str()).chain(p.alias.as_deref()).collect())
            }
            Collection::Documents => {
                let d = &self.ds.documents[ix];
                (d.slug.as_str(), vec![d.title.as_str()])
            }
            _ => return false,
        };
        names.extend(crate::seed::reference::names_of(c, key).iter().map(|n| n.text.as_str()));
        names.into_iter().any(|n| crate::domain::terms(n) == terms)
    }

    /// Where meeting `m` was held, from the gazetteer: `None` for a meeting held online, one
    /// without a city, and one in a city the gazetteer lacks.
    pub fn place_of(&self, m: usize) -> Option<&'static Place> {
        let meeting = &self.ds.meetings[m];
        match (&meeting.country, &meeting.city) {
            (Some(country), Some(city)) if !meeting.online => crate::seed::reference::place(country.as_str(), city),
            _ => None,
        }
    }

    /// The slugs of the actors that organised meeting `m` (host, co-host, chair or co-chair),
    /// sorted, each once.
    pub fn organisers(&self, m: usize) -> Vec<&str> {
        let mut v: Vec<&str> = self.ds.meetings[m]
            .participations
            .iter()
            .filter(|p| p.role.is_organising())
            .map(|p| p.actor.as_str())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn build_partners(&self) -> Lists<String, Partner> {
        // actor -> partner -> meetings, from the organising roles of each meeting.
        let mut pairs: HashMap<&str, BTreeMap<&str, Vec<usize>>> = HashMap::new();
        for m in 0..self.ds.meetings.len() {
            let organisers = self.organisers(m);
            for a in &organisers {
                for b in &organisers {
                    if a != b {
                        pairs.entry(a).or_default().entry(b).or_default().push(m);
                    }
                }
            }
        }
        pairs
            .into_iter()
            .map(|(a, partners)| {
                let mut list: Vec<Partner> = partners
                    .into_iter()
                    .filter_map(|(b, meetings)| Some(Partner { actor: self.actor(b)?, meetings }))
                    .collect();
                self.rank_partners(&mut list);
                (a.to_owned(), Arc::new(list))
            })
            .filter(|(_, list)| !list.is_empty())
            .collect()
    }

    /// Puts an actor's partners in API order: most shared meetings first, then by slug.
    fn rank_partners(&self, list: &mut [Partner]) {
        list.sort_by(|x, y| {
            (y.meetings.len().cmp(&x.meetings.len()))
                .then_with(|| self.actor_slug(x.actor).cmp(self.actor_slug(y.actor)))
        });
    }

    /// The partners of `next`, the read model after a change laid out by `layout`, from this
    /// one's: the meetings the change removed leave the lists of their organisers, the others
    /// move to their new positions, and the added meetings join the lists of theirs. When states
    /// or organisations moved (`actors_moved`), every partner is looked up again by slug.
    fn partners_after(&self, next: &Catalog, layout: &Relayout, actors_moved: bool) -> Lists<String, Partner> {
        let mut partners = self.partners.clone();
        let mut affected: HashSet<String> = HashSet::new();
        for &p in &layout.removed {
            affected.extend(self.organisers(p).into_iter().map(str::to_owned));
        }
        for &q in &layout.inserted {
            affected.extend(next.organisers(q).into_iter().map(str::to_owned));
        }
        let moved = layout.first_moved;
        for (a, list) in partners.iter_mut() {
            let reaches = list.iter().any(|p| p.meetings.last().is_some_and(|&m| m >= moved));
            if !(reaches || actors_moved || affected.contains(a)) {
                continue;
            }
            let list = Arc::make_mut(list);
            for p in list.iter_mut() {
                p.meetings.retain_mut(|m| {
                    if *m >= moved {
                        *m = layout.remap[*m];
                    }
                    *m != GONE
                });
            }
            if actors_moved {
                list.retain_mut(|p| match next.actor(self.actor_slug(p.actor).as_str()) {
                    Some(actor) => {
                        p.actor = actor;
                        true
                    }
                    None => false,
                });
            }
            list.retain(|p| !p.meetings.is_empty());
        }
        for &q in &layout.inserted {
            let organisers = next.organisers(q);
            for a in &organisers {
                for b in organisers.iter().filter(|b| *b != a) {
                    let Some(actor) = next.actor(b) else { continue };
                    let list = Arc::make_mut(partners.entry((*a).to_owned()).or_default());
                    match list.iter_mut().find(|p| p.actor == actor) {
                        Some(p) => {
                            let at = p.meetings.partition_point(|&m| m < q);
                            p.meetings.insert(at, q);
                        }
                        None => list.push(Partner { actor, meetings: vec![q] }),
                    }
                }
            }
        }
        for a in &affected {
            if let Some(list) = partners.get_mut(a.as_str()) {
                if list.is_empty() {
                    partners.remove(a.as_str());
                } else {
                    next.rank_partners(Arc::make_mut(list).as_mut_slice());
                }
            }
        }
        if actors_moved {
            partners.retain(|_, list| !list.is_empty());
            for list in partners.values_mut() {
                next.rank_partners(Arc::make_mut(list).as_mut_slice());
            }
        }
        partners
    }

    /// The longest list of each kind in this read model, which the cost of a query is measured
    /// by.
    pub fn longest(&self) -> &Longest {
        self.longest.get_or_init(|| Longest::of(self))
    }

    // ----- look-ups by key -----

    /// A source by slug.
    pub fn source(&self, slug: &str) -> Option<usize> {
        self.sources.get(slug).copied()
    }
    /// A state by slug.
    pub fn state(&self, slug: &str) -> Option<usize> {
        self.states.get(slug).copied()
    }
    /// A state by slug, ISO alpha-2 or alpha-3 code, in any case.
    pub fn state_by_code(&self, code: &str) -> Option<usize> {
        self.state_codes.get(&code.trim().to_ascii_lowercase()).copied()
    }
    /// An organisation by slug.
    pub fn organization(&self, slug: &str) -> Option<usize> {
        self.organizations.get(slug).copied()
    }
    /// A state or organisation by slug.
    pub fn actor(&self, slug: &str) -> Option<ActorRef> {
        self.state(slug).map(ActorRef::State).or_else(|| self.organization(slug).map(ActorRef::Organization))
    }
    /// A process by slug.
    pub fn process(&self, slug: &str) -> Option<usize> {
        self.processes.get(slug).copied()
    }
    /// A membership by slug.
    pub fn membership(&self, slug: &str) -> Option<usize> {
        self.memberships.get(slug).copied()
    }
    /// A chairmanship by slug.
    pub fn chairmanship(&self, slug: &str) -> Option<usize> {
        self.chairmanships.get(slug).copied()
    }
    /// A meeting by slug.
    pub fn meeting(&self, slug: &str) -> Option<usize> {
        self.idx.positions.get(slug).copied()
    }
    /// A document by slug.
    pub fn document(&self, slug: &str) -> Option<usize> {
        self.documents.get(slug).copied()
    }
    /// A commitment by code.
    pub fn commitment(&self, code: &str) -> Option<usize> {
        self.commitments.get(code).copied()
    }
    /// A person by slug.
    pub fn person(&self, slug: &str) -> Option<usize> {
        self.people.get(slug).copied()
    }

    // ----- relations -----

    /// The sort key of a state in API order.
    pub fn state_key(&self, i: usize) -> String {
        state_sort_key(&self.ds.states[i])
    }
    /// The sort key of a commitment in API order.
    pub fn commitment_key(&self, i: usize) -> String {
        commitment_sort_key(&self.ds.commitments[i])
    }
    /// The sort key of a meeting in chronological order: its rank, zero-padded.
    pub fn meeting_key(&self, m: usize) -> String {
        let meeting = &self.ds.meetings[m];
        format!("{}\u{1f}{}\u{1f}{}", meeting.start_date.first_day(), precision_rank(meeting.start_date), meeting.slug)
    }

    /// Memberships of a process, in dataset order.
    pub fn memberships_of_process(&self, process: &str) -> &[usize] {
        self.memberships_by_process.get(process).map_or(&[], Vec::as_slice)
    }
    /// Memberships of an actor.
    pub fn memberships_of_actor(&self, actor: &str) -> &[usize] {
        self.memberships_by_actor.get(actor).map_or(&[], Vec::as_slice)
    }
    /// Chair terms of a process, chronological.
    pub fn chairs_of_process(&self, process: &str) -> &[usize] {
        self.chairs_by_process.get(process).map_or(&[], Vec::as_slice)
    }
    /// Chair terms held by a state, chronological.
    pub fn chairs_of_state(&self, state: &str) -> &[usize] {
        self.chairs_by_state.get(state).map_or(&[], Vec::as_slice)
    }
    /// Documents of a process, by adoption date.
    pub fn documents_of_process(&self, process: &str) -> &[usize] {
        self.documents_by_process.get(process).map_or(&[], Vec::as_slice)
    }
    /// Commitments of a document, in API order.
    pub fn commitments_of_document(&self, document: &str) -> &[usize] {
        self.commitments_by_document.get(document).map_or(&[], Vec::as_slice)
    }
    /// The participations that name a person, as (meeting, participation) positions, chronological.
    pub fn participations_of_person(&self, person: &str) -> &[(usize, usize)] {
        self.idx.participations_by_person.get(person).map_or(&[], |l| l.as_slice())
    }
    /// The chair terms a person held for their state, chronological.
    pub fn chairs_of_person(&self, person: &str) -> &[usize] {
        self.chairs_by_person.get(person).map_or(&[], Vec::as_slice)
    }
    /// The organisations that are part of an organisation, by slug.
    pub fn parts_of(&self, organization: &str) -> &[usize] {
        self.parts.get(organization).map_or(&[], Vec::as_slice)
    }
    /// A meeting's relations, each with the other meeting, chronological.
    pub fn relations_of(&self, m: usize) -> &[(RelationKind, usize)] {
        &self.idx.relations[m]
    }
    /// Documents adopted at a meeting.
    pub fn adopted_at(&self, m: usize) -> &[usize] {
        &self.adopted[m]
    }
    /// An actor's partners, most shared meetings first.
    pub fn partners_of(&self, actor: &str) -> &[Partner] {
        self.partners.get(actor).map_or(&[], |l| l.as_slice())
    }
    /// Meetings classified under a domain number, chronological.
    pub fn meetings_in_domain(&self, number: u8) -> &[usize] {
        self.idx.by_domain.get(&number).map_or(&[], |l| l.as_slice())
    }

    /// The chair terms of a process that may have been in force at some time in `[from, to]`:
    /// begun by `to` and not ended before `from`. Several terms qualify on a handover day, or
    /// when the period is known only to the month or year ("2025" meets the term that ended in
    /// April 2025 and the one that began then).
    pub fn chairs_during(&self, process: &str, from: NaiveDate, to: NaiveDate) -> Vec<usize> {
        self.chairs_of_process(process).iter().copied().filter(|&t| self.term_meets(t, from, to)).collect()
    }

    /// Whether a chair term may have run at some time in `[from, to]`.
    pub fn term_meets(&self, t: usize, from: NaiveDate, to: NaiveDate) -> bool {
        let term = &self.ds.chairmanships[t];
        term.start.is_some_and(|s| s.first_day() <= to) && term.end.is_none_or(|e| e.last_day() >= from)
    }

    /// The days a meeting may have started on: the interval of its start date.
    pub fn meeting_start_span(&self, m: usize) -> (NaiveDate, NaiveDate) {
        let start = self.ds.meetings[m].start_date;
        (start.first_day(), start.last_day())
    }

    /// The meetings of a term's process that may have started during the term, chronological.
    pub fn meetings_in_term(&self, t: usize) -> Vec<usize> {
        let term = &self.ds.chairmanships[t];
        self.idx
            .by_process
            .get(term.process.as_str())
            .map(|ms| {
                ms.iter()
                    .copied()
                    .filter(|&m| {
                        let (from, to) = self.meeting_start_span(m);
                        self.term_meets(t, from, to)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether a membership may have been in force on a day ([`crate::domain::Membership::in_force`]).
    pub fn membership_in_force(&self, i: usize, day: NaiveDate) -> bool {
        self.ds.memberships[i].in_force(day)
    }

    /// The meetings a query selects, chronological.
    pub fn meetings(&self, q: &MeetingQuery) -> Vec<usize> {
        self.select(q).to_vec()
    }

    /// The meetings a query selects, chronological, without copying more than it must. The date
    /// bounds cut a window of positions by binary search; inside it, the narrowest index the
    /// query names gives the candidates (an actor's, a process's, a country's or a domain's
    /// meetings, each list in position order), and only those are checked against the other
    /// conditions. A query with no condition but dates is a range of positions, not a list, so
    /// the unfiltered list costs the same at any size.
    pub fn select(&self, q: &MeetingQuery) -> Selection {
        let n = self.ds.meetings.len();
        // Meetings from `lo` on may reach `from`; those before `hi` start by `to`.
        let lo = q.from.map_or(0, |f| self.idx.reach.partition_point(|&d| d < f));
        let hi = q.to.map_or(n, |t| self.idx.starts.partition_point(|&d| d <= t));
        if lo >= hi {
            return Selection::default();
        }
        let window = |list: &[usize]| -> Vec<usize> {
            let a = list.partition_point(|&m| m < lo);
            let b = list.partition_point(|&m| m < hi);
            list[a..b].to_vec()
        };
        let empty: Vec<usize> = Vec::new();
        let roles_ok = |roles: &[MeetingRole], r: MeetingRole| roles.is_empty() || roles.contains(&r);
        // Candidates from the narrowest index; the other conditions are checked one by one.
        let mut candidates: Vec<usize> = if let Some((actor, roles)) = q.actors.first() {
            let ms: &[(usize, MeetingRole)] = self.idx.by_actor.get(actor.as_str()).map_or(&[], |l| l.as_slice());
            let a = ms.partition_point(|&(m, _)| m < lo);
            let b = ms.partition_point(|&(m, _)| m < hi);
            let mut v: Vec<usize> = ms[a..b].iter().filter(|(_, r)| roles_ok(roles, *r)).map(|(m, _)| *m).collect();
            v.dedup();
            v
        } else if let Some(p) = q.processes.first() {
            window(self.idx.by_process.get(p.as_str()).map_or(&empty, |l| l))
        } else if let Some(c) = &q.country {
            window(self.idx.by_country.get(c.as_str()).map_or(&empty, |l| l))
        } else if let Some(d) = q.domain {
            window(self.meetings_in_domain(d))
        } else if q.kinds.is_empty()
            && q.city.is_none()
            && q.online.is_none()
            && q.words.is_empty()
            && q.updated_since.is_none()
        {
            // Only dates: every meeting starting on `from` or later (and by `to`) matches; before
            // that, only those whose span still reaches `from`.
            let mid = q.from.map_or(lo, |f| lo + self.idx.starts[lo..hi].partition_point(|&d| d < f));
            let head = (lo..mid).filter(|&m| intervals_intersect(self.ds.meetings[m].interval(), q.from, q.to));
            return Selection { head: head.collect(), tail: mid..hi };
        } else {
            (lo..hi).collect()
        };
        candidates.retain(|&m| {
            let meeting = &self.ds.meetings[m];
            (q.kinds.is_empty() || q.kinds.contains(&meeting.kind))
                && q.processes.iter().all(|p| meeting.processes.iter().any(|x| x.as_str() == p))
                && q.country.as_ref().is_none_or(|c| meeting.country.as_ref().is_some_and(|x| x.as_str() == c))
                && q.city.as_ref().is_none_or(|c| meeting.city.as_ref().is_some_and(|x| x.to_lowercase() == *c))
                && q.online.is_none_or(|o| meeting.online == o)
                && q.domain.is_none_or(|d| meeting.domains.contains(&d))
                && intervals_intersect(meeting.interval(), q.from, q.to)
                && q.actors.iter().skip(1).all(|(a, roles)| {
                    meeting.participations.iter().any(|p| p.actor.as_str() == a && roles_ok(roles, p.role))
                })
                && q.words.iter().all(|w| self.idx.folded[m].contains(w.as_str()))
                && q.updated_since
                    .is_none_or(|t| self.stamp(Collection::Meetings, meeting.slug.as_str()).updated_at >= t)
        });
        Selection { head: candidates, tail: 0..0 }
    }

    /// Every record's stamp, by collection and key, as the store held them.
    pub fn stamps(&self) -> &Stamps {
        &self.stamps
    }

    /// When a record was created and last changed. A record without a stamp (in a store seeded
    /// before stamps were kept) counts as created at the last change of the dataset.
    pub fn stamp(&self, c: Collection, key: &str) -> Stamp {
        self.stamps.get(&(c, key.to_owned())).copied().unwrap_or_else(|| {
            let at = DateTime::parse_from_rfc3339(&self.meta.last_change).map(|t| t.to_utc()).unwrap_or_default();
            Stamp::new(at)
        })
    }
}

/// The slugs of the states, then of the organisations, in API order: what an [`ActorRef`]
/// points at.
fn actor_slugs(ds: &Dataset) -> impl Iterator<Item = &str> {
    (ds.states.iter().map(|s| s.slug.as_str())).chain(ds.organizations.iter().map(|o| o.slug.as_str()))
}

fn precision_rank(d: PartialDate) -> u8 {
    match d.precision() {
        Precision::Year => 0,
        Precision::Month => 1,
        Precision::Day => 2,
    }
}

fn state_sort_key(s: &Arc<State>) -> String {
    format!("{}\u{1f}{}", fold(&s.name), s.slug)
}

fn commitment_sort_key(c: &Arc<Commitment>) -> String {
    let kind = match c.kind {
        CommitmentKind::CrossCuttingApproach => 0,
        CommitmentKind::Commitment => 1,
    };
    format!(
        "{}\u{1f}{kind}\u{1f}{:03}\u{1f}{:03}\u{1f}{}",
        c.document,
        c.domain.unwrap_or(0),
        c.number.unwrap_or(0),
        c.code
    )
}

/// The words of a text filter, folded; empty words dropped.
pub fn filter_words(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    fold(text).split_whitespace().filter(|w| seen.insert(w.to_string())).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The catalog of the real record scaled 8×: long meetings, partial dates and repeated dates.
    fn catalog() -> Catalog {
        let real = crate::seed::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")).expect("the seed").dataset;
        let ds = crate::seed::synthetic::scale(&real, 8).expect("a scale");
        Catalog::new(ds, Meta::default(), Stamps::default())
    }

    /// What the selection must be: every meeting checked one by one.
    fn brute_force(cat: &Catalog, q: &MeetingQuery) -> Vec<usize> {
        (0..cat.ds.meetings.len())
            .filter(|&m| {
                let meeting = &cat.ds.meetings[m];
                intervals_intersect(meeting.interval(), q.from, q.to)
                    && q.online.is_none_or(|o| meeting.online == o)
                    && q.actors.iter().all(|(a, roles)| {
                        meeting
                            .participations
                            .iter()
                            .any(|p| p.actor.as_str() == a && (roles.is_empty() || roles.contains(&p.role)))
                    })
            })
            .collect()
    }

    #[test]
    fn index_backed_selection_matches_checking_every_meeting() {
        let cat = catalog();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let bounds =
            [None, Some("1950-01-01"), Some("1990-06-15"), Some("2016-01-01"), Some("2019-12-31"), Some("2030-01-01")];
        let mut checked = 0;
        for from in bounds {
            for to in bounds {
                for actors in [vec![], vec![("eg".to_owned(), vec![MeetingRole::Host, MeetingRole::Chair])]] {
                    for online in [None, Some(true)] {
                        let q = MeetingQuery {
                            from: from.map(day),
                            to: to.map(day),
                            actors: actors.clone(),
                            online,
                            ..Default::default()
                        };
                        let want = brute_force(&cat, &q);
                        let got = cat.select(&q);
                        assert_eq!(got.to_vec(), want, "{from:?}..{to:?} {actors:?} {online:?}");
                        assert_eq!(got.len(), want.len());
                        checked += usize::from(!want.is_empty());
                    }
                }
            }
        }
        assert!(checked > 20, "most queries select something ({checked})");
    }

    #[test]
    fn an_unfiltered_selection_is_a_range_not_a_list() {
        let cat = catalog();
        let all = cat.select(&MeetingQuery::default());
        assert!(all.head.is_empty());
        assert_eq!(all.tail, 0..cat.ds.meetings.len());
    }

    /// `cat` after `edit`, carried over by [`Catalog::after`], which must equal the read model
    /// built whole from the same records.
    fn carried(cat: &Catalog, edit: impl FnOnce(&mut Dataset) -> Vec<RecordChange>) -> Catalog {
        let mut ds = cat.ds.clone();
        let changes = edit(&mut ds);
        let next = cat.after(ds, Meta::default(), Stamps::default(), &changes);
        next.assert_same_as(&Catalog::new(next.ds.clone(), Meta::default(), Stamps::default()));
        next
    }

    fn change(collection: Collection, key: &str, operation: Operation) -> RecordChange {
        RecordChange { collection, key: key.to_owned(), operation }
    }

    /// The meeting at position `m`, to change, and the change that says so.
    fn meeting_at(ds: &mut Dataset, m: usize) -> (&mut Meeting, RecordChange) {
        let c = change(Collection::Meetings, ds.meetings[m].slug.as_str(), Operation::Updated);
        (Arc::make_mut(&mut ds.meetings[m]), c)
    }

    #[test]
    fn a_read_model_carried_over_any_change_equals_the_one_built_whole() {
        let mut cat = catalog();
        let related =
            (0..cat.ds.meetings.len()).filter(|&m| !cat.ds.meetings[m].related.is_empty()).collect::<Vec<_>>();
        assert!(related.len() > 4, "the scaled record has related meetings");
        let n = cat.ds.meetings.len();
        // A title changed in place.
        cat = carried(&cat, |ds| {
            let (m, c) = meeting_at(ds, 10);
            m.title.push_str(" (renamed)");
            vec![c]
        });
        // A meeting moved far later, and one moved to the start.
        cat = carried(&cat, |ds| {
            let (m, a) = meeting_at(ds, 5);
            m.start_date = PartialDate::parse("2040-01-02").unwrap();
            m.end_date = None;
            let (m, b) = meeting_at(ds, n - 3);
            m.start_date = PartialDate::parse("1900").unwrap();
            m.end_date = None;
            vec![a, b]
        });
        // A new meeting among the old ones, related to one and organised by two actors.
        cat = carried(&cat, |ds| {
            let mut m = (*ds.meetings[related[0]]).clone();
            m.slug = Slug::parse("2016-a-new-meeting").unwrap();
            m.start_date = PartialDate::parse("2016-03").unwrap();
            m.end_date = None;
            m.related = vec![Relation { kind: RelationKind::BuildsOn, meeting: ds.meetings[related[1]].slug.clone() }];
            ds.meetings.push(Arc::new(m));
            vec![change(Collection::Meetings, "2016-a-new-meeting", Operation::Created)]
        });
        // A meeting others relate to, changed and moved.
        cat = carried(&cat, |ds| {
            let target = &ds.meetings[related[3]].related[0].meeting;
            let at = ds.meetings.iter().position(|m| &m.slug == target).unwrap();
            let (m, c) = meeting_at(ds, at);
            m.title.push_str(" (moved)");
            m.start_date = PartialDate::parse("2031").unwrap();
            m.end_date = None;
            vec![c]
        });
        // A meeting others relate to, deleted; and one that relates to others, losing its
        // relations and gaining an organiser.
        cat = carried(&cat, |ds| {
            let at = ds.meetings.iter().position(|m| m.slug == ds.meetings[related[2]].related[0].meeting).unwrap();
            let gone = ds.meetings.remove(at);
            let at = ds.meetings.iter().position(|m| m.slug.as_str() == "2016-a-new-meeting").unwrap();
            let (m, c) = meeting_at(ds, at);
            m.related.clear();
            let mut p = m.participations[0].clone();
            p.actor = Slug::parse("ke").unwrap();
            p.role = MeetingRole::CoHost;
            m.participations.push(p);
            vec![change(Collection::Meetings, gone.slug.as_str(), Operation::Deleted), c]
        });
        // An actor's least frequent partner made its most frequent by new meetings of the two.
        let (actor, last, most) = {
            let (a, list) = cat.partners.iter().filter(|(_, l)| l.len() > 2).max_by_key(|(_, l)| l.len()).unwrap();
            (a.clone(), cat.actor_slug(list[list.len() - 1].actor).clone(), list[0].meetings.len())
        };
        cat = carried(&cat, |ds| {
            (0..=most)
                .map(|i| {
                    let mut m = (*ds.meetings[i]).clone();
                    m.slug = Slug::parse(&format!("2020-pair-{i}")).unwrap();
                    m.participations = [(actor.as_str(), MeetingRole::Host), (last.as_str(), MeetingRole::CoHost)]
                        .map(|(a, role)| Participation {
                            actor: Slug::parse(a).unwrap(),
                            role,
                            person: None,
                            people: Vec::new(),
                            inferred: false,
                            note: None,
                            sources: m.sources.clone(),
                        })
                        .to_vec();
                    m.related.clear();
                    ds.meetings.push(Arc::new(m));
                    change(Collection::Meetings, &format!("2020-pair-{i}"), Operation::Created)
                })
                .collect()
        });
        assert_eq!(cat.actor_slug(cat.partners_of(&actor)[0].actor), &last, "the partners are ranked again");
        // A state changed where it stands: the partners, which name actors by position, are kept.
        let kept = carried(&cat, |ds| {
            let s = ds.states.iter_mut().find(|s| s.slug.as_str() == "ke").unwrap();
            Arc::make_mut(s).notes.clear();
            vec![change(Collection::States, "ke", Operation::Updated)]
        });
        assert!(cat.partners.iter().all(|(a, l)| Arc::ptr_eq(l, &kept.partners[a])), "the partner lists are shared");
        cat = kept;
        // A state renamed beside a meeting change: partners are looked up again.
        cat = carried(&cat, |ds| {
            let s = ds.states.iter_mut().find(|s| s.slug.as_str() == "ke").unwrap();
            Arc::make_mut(s).name = "Zzz Kenya".into();
            let (m, c) = meeting_at(ds, 0);
            m.summary = Some("Reworded".into());
            vec![change(Collection::States, "ke", Operation::Updated), c]
        });
        // A document adopted elsewhere, and nothing of the meetings changed.
        let adopted = cat.ds.documents.iter().position(|d| d.adopted_at.is_some()).expect("an adopted document");
        let elsewhere = cat.ds.meetings[7].slug.clone();
        carried(&cat, |ds| {
            let d = Arc::make_mut(&mut ds.documents[adopted]);
            d.adopted_at = Some(elsewhere);
            vec![change(Collection::Documents, d.slug.as_str(), Operation::Updated)]
        });
    }

    #[test]
    fn a_change_in_place_copies_no_list_it_does_not_reach() {
        let cat = catalog();
        let last = cat.ds.meetings.len() - 1;
        let next = carried(&cat, |ds| {
            let (m, c) = meeting_at(ds, last);
            m.attendance = Some(42);
            vec![c]
        });
        let named: HashSet<&str> = cat.ds.meetings[last].participations.iter().map(|p| p.actor.as_str()).collect();
        let (shared, copied): (Vec<&String>, Vec<&String>) =
            cat.idx.by_actor.keys().partition(|a| Arc::ptr_eq(&cat.idx.by_actor[*a], &next.idx.by_actor[*a]));
        assert!(
            copied.iter().all(|a| named.contains(a.as_str())),
            "only the lists of its actors are copied: {copied:?}"
        );
        assert!(shared.len() > named.len(), "the others are shared");
        assert!(Arc::ptr_eq(&cat.ds.meetings[0], &next.ds.meetings[0]), "and so are the records");
    }
}
