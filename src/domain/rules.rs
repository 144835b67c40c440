//! The consistency rules of a [`Dataset`]: unique keys, references that resolve, sane dates,
//! non-overlapping chair terms, and a source for every record.
//!
//! The seed loader and the mutations both run these rules, so a record that the API
//! accepts is one the seed files could hold.

use super::*;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::fmt;

/// Which collection of the dataset a problem is in; each is one seed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Collection {
    /// `sources.json`
    Sources,
    /// `states.json`
    States,
    /// `organizations.json`
    Organizations,
    /// `processes.json`
    Processes,
    /// `memberships.json`
    Memberships,
    /// `chairmanships.json`
    Chairmanships,
    /// `meetings.json`
    Meetings,
    /// `documents.json`
    Documents,
    /// `commitments.json`
    Commitments,
    /// `people.json`
    People,
}

impl Collection {
    /// Every collection, in the order the seed loader reads them.
    pub const ALL: [Collection; 10] = [
        Collection::Sources,
        Collection::States,
        Collection::Organizations,
        Collection::Processes,
        Collection::Memberships,
        Collection::Chairmanships,
        Collection::Meetings,
        Collection::Documents,
        Collection::Commitments,
        Collection::People,
    ];

    /// The seed file's name.
    pub fn file_name(self) -> &'static str {
        match self {
            Collection::Sources => "sources.json",
            Collection::States => "states.json",
            Collection::Organizations => "organizations.json",
            Collection::Processes => "processes.json",
            Collection::Memberships => "memberships.json",
            Collection::Chairmanships => "chairmanships.json",
            Collection::Meetings => "meetings.json",
            Collection::Documents => "documents.json",
            Collection::Commitments => "commitments.json",
            Collection::People => "people.json",
        }
    }

    /// What one record is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Collection::Sources => "source",
            Collection::States => "state",
            Collection::Organizations => "organization",
            Collection::Processes => "process",
            Collection::Memberships => "membership",
            Collection::Chairmanships => "chairmanship",
            Collection::Meetings => "meeting",
            Collection::Documents => "document",
            Collection::Commitments => "commitment",
            Collection::People => "person",
        }
    }
}

/// What sort of rule a [`Problem`] breaks; writes answer each sort with its own error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// A value is malformed or out of range.
    Invalid,
    /// A reference names no record of the kind it must name.
    UnknownReference,
    /// The record clashes with another one: a duplicate key, or overlapping chair terms.
    Conflict,
}

/// One broken rule, located by collection, record key and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The sort of rule broken.
    pub kind: ProblemKind,
    /// The collection (seed file).
    pub collection: Collection,
    /// The record's slug or code (or `#<index>` when it has none).
    pub record: String,
    /// The field path, e.g. `participations[0].actor`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    /// `meeting '2021-11-geneva': participations[0].actor: unknown actor 'ethopia'`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} '{}': ", self.collection.noun(), self.record)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// What [`is_web_address`] requires, as errors say it.
pub const WEB_ADDRESS_RULE: &str = "a source's address is an http or https URL with a host (a record of the web)";

/// Whether `url` is an absolute `http` or `https` address with a host: a page anyone can open.
/// Other schemes (`javascript:`, `file:`, `data:`) are no record of the web, and some run code
/// when a reader clicks them.
pub fn is_web_address(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
        && !host.is_empty()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Checks every rule over the whole dataset and returns all problems found (none: consistent).
pub fn validate(ds: &Dataset) -> Vec<Problem> {
    let mut v = Validator::new(ds);
    v.run();
    v.problems
}

/// The problems an edit brought into `ds`, which obeyed every rule before the edit changed the
/// records `touched` names (and no others, nor any key): the same problems [`validate`] finds,
/// found by checking the rules that records can break, so that the cost follows the edit rather
/// than the size of the record (every rule runs again when the edit deleted a record or changed a
/// document, which others depend on).
pub fn validate_edit(ds: &Dataset, touched: &[(Collection, String)]) -> Vec<Problem> {
    let mut v = Validator::new(ds);
    v.run_touched(touched);
    v.problems
}

/// Whether `ds` has a record of collection `c` with key `key`.
fn has(ds: &Dataset, c: Collection, key: &str) -> bool {
    fn any<T: Record>(ds: &Dataset, key: &str) -> bool {
        T::all(ds).iter().any(|r| r.key() == key)
    }
    match c {
        Collection::Sources => any::<Source>(ds, key),
        Collection::States => any::<State>(ds, key),
        Collection::Organizations => any::<Organization>(ds, key),
        Collection::Processes => any::<Process>(ds, key),
        Collection::Memberships => any::<Membership>(ds, key),
        Collection::Chairmanships => any::<Chairmanship>(ds, key),
        Collection::Meetings => any::<Meeting>(ds, key),
        Collection::Documents => any::<Document>(ds, key),
        Collection::Commitments => any::<Commitment>(ds, key),
        Collection::People => any::<Person>(ds, key),
    }
}

/// What kind of record a reference must name.
#[derive(Clone, Copy)]
enum Target {
    State,
    Actor,
    Process,
    Meeting,
    Person,
    Organization,
}

struct Validator<'a> {
    ds: &'a Dataset,
    problems: Vec<Problem>,
    sources: HashSet<&'a str>,
    states: HashSet<&'a str>,
    actors: HashSet<&'a str>,
    processes: HashSet<&'a str>,
    meetings: HashSet<&'a str>,
    people: HashSet<&'a str>,
    organizations: HashSet<&'a str>,
    documents: HashMap<&'a str, &'a Document>,
    domain_numbers: HashSet<u8>,
}

impl<'a> Validator<'a> {
    fn new(ds: &'a Dataset) -> Self {
        let states: HashSet<&str> = ds.states.iter().map(|s| s.slug.as_str()).collect();
        let actors = states.iter().copied().chain(ds.organizations.iter().map(|o| o.slug.as_str())).collect();
        Validator {
            ds,
            problems: Vec::new(),
            sources: ds.sources.iter().map(|s| s.slug.as_str()).collect(),
            states,
            actors,
            processes: ds.processes.iter().map(|p| p.slug.as_str()).collect(),
            meetings: ds.meetings.iter().map(|m| m.slug.as_str()).collect(),
            people: ds.people.iter().map(|p| p.slug.as_str()).collect(),
            organizations: ds.organizations.iter().map(|o| o.slug.as_str()).collect(),
            documents: ds.documents.iter().map(|d| (d.slug.as_str(), &**d)).collect(),
            domain_numbers: ds
                .documents
                .iter()
                .filter(|d| d.kind == DocumentKind::ActionPlan)
                .flat_map(|d| d.domains.iter().map(|x| x.number))
                .collect(),
        }
    }

    fn problem(&mut self, c: Collection, record: &str, field: impl Into<String>, message: impl Into<String>) {
        self.report(ProblemKind::Invalid, c, record, field, message);
    }

    fn report(
        &mut self,
        kind: ProblemKind,
        c: Collection,
        record: &str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.problems.push(Problem {
            kind,
            collection: c,
            record: record.to_owned(),
            field: field.into(),
            message: message.into(),
        });
    }

    fn run(&mut self) {
        let ds = self.ds;
        self.unique(Collection::Sources, ds.sources.iter().map(|s| s.slug.as_str()));
        self.unique(Collection::States, ds.states.iter().map(|s| s.slug.as_str()));
        self.unique(Collection::Organizations, ds.organizations.iter().map(|s| s.slug.as_str()));
        self.unique(Collection::Processes, ds.processes.iter().map(|s| s.slug.as_str()));
        self.unique(Collection::Memberships, ds.memberships.iter().map(|s| s.slug.as_str()));
        self.unique(Collection::Chairmanships, ds.chairmanships.iter().map(|s| s.slug.as_str()));
        self.unique(Collection::Meetings, ds.meetings.iter().map(|s| s.slug.as_str()));
        self.unique(Collection::Documents, ds.documents.iter().map(|s| s.slug.as_str()));
        self.unique(Collection::Commitments, ds.commitments.iter().map(|s| s.code.as_str()));
        self.unique(Collection::People, ds.people.iter().map(|s| s.slug.as_str()));
        for s in &ds.sources {
            self.source(s);
        }
        for s in &ds.states {
            self.state(s);
        }
        for o in &ds.organizations {
            self.organization(o);
        }
        for p in &ds.processes {
            self.process(p);
        }
        for m in &ds.memberships {
            self.membership(m);
        }
        for t in &ds.chairmanships {
            self.chairmanship(t);
        }
        self.chair_overlaps();
        for p in &ds.people {
            self.person(p);
        }
        for m in &ds.meetings {
            self.meeting(m);
        }
        for d in &ds.documents {
            self.document(d);
        }
        for cm in &ds.commitments {
            self.commitment(cm);
        }
    }

    /// The rules `run` checks, for the records `touched` names alone, in a dataset that obeyed
    /// every rule before an edit that changed those records and no others (their keys
    /// unchanged). Whether a rule can break elsewhere decides what runs: a record's own rules and
    /// the uniqueness of its key; the chair terms' overlaps when a term changed; and every rule
    /// when a record was deleted (others may refer to it) or a document changed (its domains
    /// bind commitments and meetings).
    fn run_touched(&mut self, touched: &[(Collection, String)]) {
        let ds = self.ds;
        let deleted = touched.iter().any(|(c, key)| !has(ds, *c, key));
        if deleted || touched.iter().any(|(c, _)| *c == Collection::Documents) {
            return self.run();
        }
        let mut keys: Vec<&(Collection, String)> = touched.iter().collect();
        keys.sort();
        keys.dedup();
        for (c, key) in keys {
            let key = key.as_str();
            match c {
                Collection::Sources => self.touched(key, Self::source),
                Collection::States => {
                    self.touched(key, Self::state);
                    // A state's slug taken by an organisation is that organisation's problem.
                    for o in ds.organizations.iter().filter(|o| o.slug.as_str() == key) {
                        self.organization(o);
                    }
                }
                Collection::Organizations => self.touched(key, Self::organization),
                Collection::Processes => self.touched(key, Self::process),
                Collection::Memberships => self.touched(key, Self::membership),
                Collection::Chairmanships => self.touched(key, Self::chairmanship),
                Collection::Meetings => self.touched(key, Self::meeting),
                Collection::Documents => self.touched(key, Self::document),
                Collection::Commitments => self.touched(key, Self::commitment),
                Collection::People => self.touched(key, Self::person),
            }
        }
        if touched.iter().any(|(c, _)| *c == Collection::Chairmanships) {
            self.chair_overlaps();
        }
    }

    /// Checks the records of type `T` whose key is `key`: each by `rule`, and that there is one.
    fn touched<T: Record>(&mut self, key: &str, rule: impl Fn(&mut Self, &'a T)) {
        let same: Vec<&'a T> = T::all(self.ds).iter().filter(|r| r.key() == key).map(|r| &**r).collect();
        self.unique(T::COLLECTION, same.iter().map(|r| r.key()));
        for r in same {
            rule(self, r);
        }
    }

    fn source(&mut self, s: &'a Source) {
        if let Some(url) = &s.url {
            if !is_web_address(url) {
                self.problem(Collection::Sources, s.slug.as_str(), "url", WEB_ADDRESS_RULE);
            }
        }
    }

    fn state(&mut self, s: &'a State) {
        let c = Collection::States;
        let key = s.slug.as_str();
        if s.iso2 != key.to_ascii_uppercase() {
            self.problem(
                c,
                key,
                "iso2",
                format!("'{}' does not match the slug (expected '{}')", s.iso2, key.to_ascii_uppercase()),
            );
        }
        if s.iso3.len() != 3 || !s.iso3.bytes().all(|b| b.is_ascii_uppercase()) {
            self.problem(c, key, "iso3", format!("'{}' is not three upper-case letters", s.iso3));
        }
        self.common(c, key, &s.sources, &s.notes);
    }

    fn organization(&mut self, o: &'a Organization) {
        let (c, key) = (Collection::Organizations, o.slug.as_str());
        if self.states.contains(key) {
            self.report(
                ProblemKind::Conflict,
                c,
                key,
                "slug",
                "a state already has this slug; actor slugs must be unique",
            );
        }
        if let Some(parent) = &o.part_of {
            if parent == &o.slug {
                self.problem(c, key, "partOf", "an organisation cannot be a part of itself");
            } else {
                self.reference(c, key, "partOf", parent, Target::Organization);
            }
        }
        self.common(c, key, &o.sources, &o.notes);
    }

    fn process(&mut self, p: &'a Process) {
        self.common(Collection::Processes, p.slug.as_str(), &p.sources, &p.notes);
    }

    fn membership(&mut self, m: &'a Membership) {
        let (c, key) = (Collection::Memberships, m.slug.as_str());
        self.reference(c, key, "process", &m.process, Target::Process);
        self.reference(c, key, "actor", &m.actor, Target::Actor);
        self.order(c, key, "until", m.since, m.until);
        self.order(c, key, "sinceNoLaterThan", m.since, m.since_no_later_than);
        if m.since_no_later_than.is_some() && m.since_qualifier == Some(crate::domain::SinceQualifier::NoLaterThan) {
            self.problem(c, key, "sinceNoLaterThan", "`since` is already the upper bound of the start (NO_LATER_THAN)");
        }
        self.common(c, key, &m.sources, &m.notes);
    }

    fn chairmanship(&mut self, t: &'a Chairmanship) {
        let (c, key) = (Collection::Chairmanships, t.slug.as_str());
        self.reference(c, key, "process", &t.process, Target::Process);
        self.reference(c, key, "chair", &t.chair, Target::State);
        self.order(c, key, "end", t.start, t.end);
        if let Some(person) = &t.person {
            self.reference(c, key, "person", person, Target::Person);
        }
        self.common(c, key, &t.sources, &t.notes);
    }

    fn person(&mut self, p: &'a Person) {
        let (c, key) = (Collection::People, p.slug.as_str());
        if p.name.trim().is_empty() {
            self.problem(c, key, "name", "a person needs a name");
        }
        for (i, post) in p.posts.iter().enumerate() {
            if post.title.trim().is_empty() {
                self.problem(c, key, format!("posts[{i}].title"), "a post needs a title");
            }
            self.reference(c, key, format!("posts[{i}].actor"), &post.actor, Target::Actor);
            self.order(c, key, &format!("posts[{i}].end"), post.start, post.end);
            self.cited(c, key, &format!("posts[{i}].sources"), &post.sources);
        }
        self.common(c, key, &p.sources, &p.notes);
    }

    fn document(&mut self, d: &'a Document) {
        let (c, key) = (Collection::Documents, d.slug.as_str());
        if let Some(at) = &d.adopted_at {
            self.reference(c, key, "adoptedAt", at, Target::Meeting);
        }
        for (i, p) in d.processes.iter().enumerate() {
            self.reference(c, key, format!("processes[{i}]"), p, Target::Process);
        }
        let mut seen = HashSet::new();
        for (i, dom) in d.domains.iter().enumerate() {
            if !seen.insert(dom.number) {
                self.problem(c, key, format!("domains[{i}].number"), format!("domain {} appears twice", dom.number));
            }
        }
        self.common(c, key, &d.sources, &d.notes);
    }

    fn commitment(&mut self, cm: &'a Commitment) {
        let (c, key) = (Collection::Commitments, cm.code.as_str());
        match self.documents.get(cm.document.as_str()) {
            None => self.report(
                ProblemKind::UnknownReference,
                c,
                key,
                "document",
                format!("unknown document '{}'", cm.document),
            ),
            Some(doc) => {
                if let Some(n) = cm.domain {
                    if !doc.domains.iter().any(|d| d.number == n) {
                        self.problem(c, key, "domain", format!("document '{}' has no domain {n}", cm.document));
                    }
                }
            }
        }
        match (cm.kind, cm.domain) {
            (CommitmentKind::Commitment, None) => self.problem(c, key, "domain", "a commitment belongs to a domain"),
            (CommitmentKind::CrossCuttingApproach, Some(_)) => {
                self.problem(c, key, "domain", "a cross-cutting approach belongs to no single domain")
            }
            _ => {}
        }
        if cm.text.trim().is_empty() {
            self.problem(c, key, "text", "the text cannot be empty");
        }
        self.common(c, key, &cm.sources, &cm.notes);
    }

    fn meeting(&mut self, m: &'a Meeting) {
        let (c, key) = (Collection::Meetings, m.slug.as_str());
        if let Some(country) = &m.country {
            self.reference(c, key, "country", country, Target::State);
        }
        if m.online && (m.city.is_some() || m.country.is_some()) {
            self.problem(c, key, "online", "an online meeting has no city or country");
        }
        if m.processes.is_empty() {
            self.problem(c, key, "processes", "a meeting belongs to at least one process");
        }
        for (i, p) in m.processes.iter().enumerate() {
            self.reference(c, key, format!("processes[{i}]"), p, Target::Process);
        }
        if m.participations.len() > MAX_PARTICIPATIONS {
            self.problem(
                c,
                key,
                "participations",
                format!("a meeting lists at most {MAX_PARTICIPATIONS} participations, not {}", m.participations.len()),
            );
        }
        let mut seen = HashSet::new();
        for (i, p) in m.participations.iter().enumerate() {
            self.reference(c, key, format!("participations[{i}].actor"), &p.actor, Target::Actor);
            if !seen.insert((p.actor.as_str(), p.role)) {
                self.problem(
                    c,
                    key,
                    format!("participations[{i}]"),
                    format!("'{}' has the role {:?} twice", p.actor, p.role),
                );
            }
            for (j, person) in p.people.iter().enumerate() {
                self.reference(c, key, format!("participations[{i}].people[{j}]"), person, Target::Person);
            }
            self.cited(c, key, &format!("participations[{i}].sources"), &p.sources);
        }
        if m.attendance == Some(0) {
            self.problem(c, key, "attendance", "attendance must be positive when given");
        }
        for (i, d) in m.domains.iter().enumerate() {
            if !self.domain_numbers.contains(d) {
                self.problem(c, key, format!("domains[{i}]"), format!("no action plan has a domain {d}"));
            }
        }
        for (i, r) in m.related.iter().enumerate() {
            let field = format!("related[{i}].meeting");
            if r.meeting == m.slug {
                self.problem(c, key, field, "a meeting cannot relate to itself");
            } else {
                self.reference(c, key, field, &r.meeting, Target::Meeting);
            }
        }
        self.order(c, key, "endDate", Some(m.start_date), m.end_date);
        self.common(c, key, &m.sources, &m.notes);
    }

    fn unique<'s>(&mut self, c: Collection, keys: impl Iterator<Item = &'s str>) {
        let mut seen = HashSet::new();
        for k in keys {
            if !seen.insert(k) {
                self.report(ProblemKind::Conflict, c, k, "slug", "duplicate: another record has the same key");
            }
        }
    }

    fn reference(&mut self, c: Collection, key: &str, field: impl Into<String>, target: &Slug, kind: Target) {
        let (set, what) = match kind {
            Target::State => (&self.states, "state"),
            Target::Actor => (&self.actors, "actor"),
            Target::Process => (&self.processes, "process"),
            Target::Meeting => (&self.meetings, "meeting"),
            Target::Person => (&self.people, "person"),
            Target::Organization => (&self.organizations, "organization"),
        };
        if !set.contains(target.as_str()) {
            self.report(ProblemKind::UnknownReference, c, key, field, format!("unknown {what} '{target}'"));
        }
    }

    /// `end` must not fall before `start`: the end's interval must reach the start's first day.
    fn order(&mut self, c: Collection, key: &str, field: &str, start: Option<PartialDate>, end: Option<PartialDate>) {
        if let (Some(s), Some(e)) = (start, end) {
            if e.last_day() < s.first_day() {
                self.problem(c, key, field, format!("{e} is before the start {s}"));
            }
        }
    }

    fn common(&mut self, c: Collection, key: &str, sources: &[Slug], notes: &[Note]) {
        if sources.is_empty() {
            self.problem(c, key, "sources", "every record needs at least one source");
        }
        self.cited(c, key, "sources", sources);
        for (i, n) in notes.iter().enumerate() {
            self.cited(c, key, &format!("notes[{i}].sources"), &n.sources);
            if n.text.trim().is_empty() {
                self.problem(c, key, format!("notes[{i}].text"), "a note needs a text");
            }
        }
    }

    fn cited(&mut self, c: Collection, key: &str, field: &str, sources: &[Slug]) {
        for (i, s) in sources.iter().enumerate() {
            if !self.sources.contains(s.as_str()) {
                self.report(
                    ProblemKind::UnknownReference,
                    c,
                    key,
                    format!("{field}[{i}]"),
                    format!("unknown source '{s}'"),
                );
            }
        }
    }

    /// Terms of one process must not overlap by more than a handover day, unless a note on the
    /// dates that meet (the earlier term's end, the later one's start) explains it.
    fn chair_overlaps(&mut self) {
        let mut by_process: HashMap<&str, Vec<&Chairmanship>> = HashMap::new();
        for t in &self.ds.chairmanships {
            by_process.entry(t.process.as_str()).or_default().push(t);
        }
        let mut found = Vec::new();
        for terms in by_process.values_mut() {
            terms.sort_by_key(|t| (t.start, t.slug.clone()));
            for (i, a) in terms.iter().enumerate() {
                for b in &terms[i + 1..] {
                    let (Some(a_start), Some(b_start)) = (a.start, b.start) else { continue };
                    // Two terms overlap only if they must: the earlier one's end, at its earliest,
                    // falls after the later one's start at its latest. A handover known only to the
                    // month (one term ends in 2021-11, the next starts in 2021-11) is not an overlap;
                    // a term that still runs overlaps every later one.
                    let a_end = a.end.map(|e| e.first_day());
                    let overlaps =
                        a_end.is_none_or(|e| e > b_start.last_day()) && b_start.first_day() >= a_start.first_day();
                    // Only a note on the dates that meet explains an overlap: the earlier term's
                    // end or the later one's start (or a note on the whole term's dates).
                    let on = |t: &Chairmanship, field: &str| {
                        t.notes.iter().any(|n| match n.field.as_deref() {
                            Some(f) => f == field,
                            None => n.kind != NoteKind::Editorial,
                        })
                    };
                    let explained = on(a, "end") || on(b, "start");
                    if overlaps && !explained {
                        found.push((b.slug.to_string(), a.slug.to_string()));
                    }
                }
            }
        }
        found.sort();
        for (b, a) in found {
            self.report(
                ProblemKind::Conflict,
                Collection::Chairmanships,
                &b,
                "start",
                format!("overlaps the term '{a}' and no note explains why"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    fn real() -> Dataset {
        crate::seed::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")).expect("the seed").dataset
    }

    fn said(problems: &[Problem]) -> Vec<String> {
        let mut v: Vec<String> = problems.iter().map(ToString::to_string).collect();
        v.sort();
        v
    }

    fn date(s: &str) -> Option<PartialDate> {
        Some(PartialDate::parse(s).expect("a date"))
    }

    /// Applies `edit` to the real record, which obeys every rule, and returns what every rule and
    /// the edit's rules find, in that order.
    fn both(edit: impl FnOnce(&mut Dataset) -> Vec<(Collection, String)>) -> (Vec<String>, Vec<String>) {
        let mut ds = real();
        assert!(validate(&ds).is_empty(), "the real record obeys every rule");
        let touched = edit(&mut ds);
        (said(&validate(&ds)), said(&validate_edit(&ds, &touched)))
    }

    #[test]
    fn an_edit_s_rules_find_every_problem_that_every_rule_finds() {
        type Edit = Box<dyn FnOnce(&mut Dataset) -> Vec<(Collection, String)>>;
        let edits: Vec<(&str, Edit)> = vec![
            (
                "a participation of an unknown actor",
                Box::new(|ds| {
                    let m = Arc::make_mut(
                        ds.meetings.iter_mut().find(|m| !m.participations.is_empty()).expect("a participation"),
                    );
                    let mut p = m.participations[0].clone();
                    p.actor = Slug::parse("atlantis").unwrap();
                    m.participations.push(p);
                    vec![(Collection::Meetings, m.slug.to_string())]
                }),
            ),
            (
                "a second meeting with the key of another",
                Box::new(|ds| {
                    let m = ds.meetings[3].clone();
                    let key = m.slug.to_string();
                    ds.meetings.push(m);
                    vec![(Collection::Meetings, key)]
                }),
            ),
            (
                "a meeting related to itself",
                Box::new(|ds| {
                    let m = Arc::make_mut(&mut ds.meetings[5]);
                    m.related.push(Relation { kind: RelationKind::BuildsOn, meeting: m.slug.clone() });
                    vec![(Collection::Meetings, m.slug.to_string())]
                }),
            ),
            (
                "a new state with an organisation's slug",
                Box::new(|ds| {
                    let mut s = (*ds.states[0]).clone();
                    s.slug = ds.organizations[0].slug.clone();
                    let key = s.slug.to_string();
                    ds.states.push(Arc::new(s));
                    vec![(Collection::States, key)]
                }),
            ),
            (
                "a chair term that runs into the next",
                Box::new(|ds| {
                    let t =
                        Arc::make_mut(ds.chairmanships.iter_mut().find(|t| t.end.is_some()).expect("an ended term"));
                    t.end = None;
                    t.notes.clear();
                    vec![(Collection::Chairmanships, t.slug.to_string())]
                }),
            ),
            (
                "a membership that ends before it starts",
                Box::new(|ds| {
                    let m = Arc::make_mut(&mut ds.memberships[0]);
                    m.since = date("2020");
                    m.until = date("2015");
                    vec![(Collection::Memberships, m.slug.to_string())]
                }),
            ),
            (
                "a post held for an unknown actor",
                Box::new(|ds| {
                    let p = Arc::make_mut(ds.people.iter_mut().find(|p| !p.posts.is_empty()).expect("a post"));
                    p.posts[0].actor = Slug::parse("atlantis").unwrap();
                    vec![(Collection::People, p.slug.to_string())]
                }),
            ),
            (
                "a source at a javascript: address",
                Box::new(|ds| {
                    let s = Arc::make_mut(&mut ds.sources[0]);
                    s.url = Some("javascript:alert(1)".into());
                    vec![(Collection::Sources, s.slug.to_string())]
                }),
            ),
            (
                "a commitment in a domain its document lacks",
                Box::new(|ds| {
                    let c =
                        Arc::make_mut(ds.commitments.iter_mut().find(|c| c.domain.is_some()).expect("a commitment"));
                    c.domain = Some(99);
                    vec![(Collection::Commitments, c.code.clone())]
                }),
            ),
            (
                "a state deleted while meetings and memberships name it",
                Box::new(|ds| {
                    let at = ds.states.iter().position(|s| s.slug.as_str() == "et").expect("Ethiopia");
                    let s = ds.states.remove(at);
                    vec![(Collection::States, s.slug.to_string())]
                }),
            ),
            (
                "a document that loses the domains commitments and meetings name",
                Box::new(|ds| {
                    let plan =
                        ds.commitments.iter().find(|c| c.domain.is_some()).expect("a commitment").document.clone();
                    let d = Arc::make_mut(ds.documents.iter_mut().find(|d| d.slug == plan).expect("its action plan"));
                    d.domains.clear();
                    vec![(Collection::Documents, d.slug.to_string())]
                }),
            ),
        ];
        for (what, edit) in edits {
            let (every, edited) = both(edit);
            assert!(!every.is_empty(), "{what}: breaks a rule");
            assert_eq!(edited, every, "{what}");
        }
    }

    #[test]
    fn an_edit_that_breaks_no_rule_finds_no_problem() {
        let (every, edited) = both(|ds| {
            let m = Arc::make_mut(&mut ds.meetings[0]);
            m.title.push_str(" (renamed)");
            vec![(Collection::Meetings, m.slug.to_string())]
        });
        assert!(every.is_empty() && edited.is_empty(), "{every:?} {edited:?}");
    }
}
