//! Questions journalists ask of the whole record: who chaired on a day, who organised meetings
//! with whom, how many meetings per year or host, and which meetings dealt with a commitment.
//! Pure reads of one [`Catalog`]; the GraphQL layer only wraps the answers.

use super::{ActorRef, Catalog, MeetingQuery};
use crate::domain::{variant_name, Collection, CommitmentKind, Language, MeetingRole};
use chrono::{Datelike, NaiveDate};
use foldhash::{HashMap, HashMapExt};
use std::collections::BTreeMap;

/// One dimension to count meetings by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// The year the meeting started.
    Year,
    /// Its kind.
    Kind,
    /// The state it was held in.
    Country,
    /// Each of its hosts.
    Host,
    /// Each of its processes.
    Process,
    /// Each action-plan domain it was classified under.
    Domain,
}

/// A group of meetings and its size. A meeting with two hosts counts in both hosts' groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// A year, an enum name, a slug or a domain number; `none` for meetings without one.
    pub key: String,
    /// A human-readable label.
    pub label: String,
    /// How many meetings.
    pub count: usize,
}

/// Two actors that organised meetings together, and those meetings (chronological).
#[derive(Debug, Clone)]
pub struct Pair {
    /// The actor whose slug sorts first.
    pub a: ActorRef,
    /// The other.
    pub b: ActorRef,
    /// Meeting positions.
    pub meetings: Vec<usize>,
}

/// The meetings classified under a commitment's domain.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// The commitment's position.
    pub commitment: usize,
    /// Meeting positions, chronological.
    pub meetings: Vec<usize>,
}

/// How a chair term meets the one before it in its process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Handover {
    /// Days no chair is known to have been in force between the two terms; `None` when there is
    /// no previous term, a date is missing, or the partial dates leave it open.
    pub gap_days: Option<i64>,
    /// Whether the two terms certainly overlap by more than the handover day.
    pub overlaps: bool,
}

impl Catalog {
    /// The chair term of a process in force on `day`. A term runs from the first day its start
    /// may mean to the last day its end may mean; on a handover day, or where a handover is
    /// known only to the month or year, the later term is the answer. `None` in a gap.
    pub fn chair_on(&self, process: &str, day: NaiveDate) -> Option<usize> {
        self.chairs_during(process, day, day).into_iter().last()
    }

    /// How term `t` meets the previous term of its process.
    pub fn handover(&self, t: usize) -> Handover {
        let term = &self.ds.chairmanships[t];
        let terms = self.chairs_of_process(term.process.as_str());
        let Some(pos) = terms.iter().position(|&x| x == t) else { return Handover::default() };
        let Some(&prev) = pos.checked_sub(1).and_then(|p| terms.get(p)) else { return Handover::default() };
        let prev = &self.ds.chairmanships[prev];
        let (Some(end), Some(start)) = (prev.end, term.start) else { return Handover::default() };
        // Certain gap: from the last day the previous term may have run to the first day this
        // one may have begun. Certain overlap: this one began, at the latest, before the
        // previous one ended, at the earliest.
        let gap = (start.first_day() - end.last_day()).num_days() - 1;
        Handover { gap_days: Some(gap.max(0)), overlaps: start.last_day() < end.first_day() }
    }

    /// Pairs of actors that organised the same meetings (host, co-host, chair, co-chair), over
    /// the meetings `q` selects; most shared meetings first, then by the slugs of the pair.
    pub fn pairs(&self, q: &MeetingQuery) -> Vec<Pair> {
        let mut shared: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        for m in self.meetings(q) {
            let organisers = self.organisers(m);
            for (i, a) in organisers.iter().enumerate() {
                for b in &organisers[i + 1..] {
                    shared.entry((a, b)).or_default().push(m);
                }
            }
        }
        let mut out: Vec<Pair> = shared
            .into_iter()
            .filter_map(|((a, b), meetings)| Some(Pair { a: self.actor(a)?, b: self.actor(b)?, meetings }))
            .collect();
        // The map was ordered by slugs; a stable sort keeps that order among equal counts.
        out.sort_by_key(|p| std::cmp::Reverse(p.meetings.len()));
        out
    }

    /// Meeting counts by one dimension, over the meetings `q` selects. Years ascend; the other
    /// groups come largest first, then by label.
    pub fn meeting_counts(&self, grouping: Grouping, q: &MeetingQuery) -> Vec<Group> {
        let mut groups: HashMap<String, (String, usize)> = HashMap::new();
        let mut add = |key: String, label: String| groups.entry(key).or_insert((label, 0)).1 += 1;
        let none = || ("none".to_owned(), "(none)".to_owned());
        for m in self.meetings(q) {
            let meeting = &self.ds.meetings[m];
            match grouping {
                Grouping::Year => {
                    let y = meeting.start_date.first_day().year().to_string();
                    add(y.clone(), y);
                }
                Grouping::Kind => {
                    let key = variant_name(&meeting.kind);
                    add(key.clone(), humanise(&key));
                }
                Grouping::Country => {
                    let (k, l) = meeting
                        .country
                        .as_ref()
                        .and_then(|c| self.state(c.as_str()))
                        .map(|s| (self.ds.states[s].slug.to_string(), self.ds.states[s].name.clone()))
                        .unwrap_or_else(|| if meeting.online { ("online".into(), "Online".into()) } else { none() });
                    add(k, l);
                }
                Grouping::Host => {
                    let hosts: Vec<&str> = meeting
                        .participations
                        .iter()
                        .filter(|p| p.role == MeetingRole::Host)
                        .map(|p| p.actor.as_str())
                        .collect();
                    if hosts.is_empty() {
                        let (k, l) = none();
                        add(k, l);
                    }
                    for h in hosts {
                        add(h.to_owned(), self.actor_name(h));
                    }
                }
                Grouping::Process => {
                    for p in &meeting.processes {
                        let label = self
                            .process(p.as_str())
                            .map_or_else(|| p.to_string(), |i| self.ds.processes[i].name.clone());
                        add(p.to_string(), label);
                    }
                }
                Grouping::Domain => {
                    if meeting.domains.is_empty() {
                        let (k, l) = none();
                        add(k, l);
                    }
                    for d in &meeting.domains {
                        add(d.to_string(), self.domain_title(*d).unwrap_or_else(|| format!("Domain {d}")));
                    }
                }
            }
        }
        let mut out: Vec<Group> = groups.into_iter().map(|(key, (label, count))| Group { key, label, count }).collect();
        if grouping == Grouping::Year {
            out.sort_by(|a, b| a.key.cmp(&b.key));
        } else {
            out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        }
        out
    }

    /// For each commitment of a document, the meetings classified under its domain; a
    /// cross-cutting approach, which belongs to every domain, is covered by the meetings
    /// classified under any domain of the document.
    pub fn commitment_coverage(&self, document: &str) -> Vec<Coverage> {
        let Some(d) = self.document(document) else { return Vec::new() };
        let domains: Vec<u8> = self.ds.documents[d].domains.iter().map(|x| x.number).collect();
        self.commitments_of_document(document)
            .iter()
            .map(|&c| {
                let cm = &self.ds.commitments[c];
                let meetings = match (cm.kind, cm.domain) {
                    (CommitmentKind::Commitment, Some(n)) => self.meetings_in_domain(n).to_vec(),
                    _ => {
                        let mut v: Vec<usize> =
                            domains.iter().flat_map(|&n| self.meetings_in_domain(n)).copied().collect();
                        v.sort_unstable();
                        v.dedup();
                        v
                    }
                };
                Coverage { commitment: c, meetings }
            })
            .collect()
    }

    /// The slug of an actor.
    pub fn actor_slug(&self, a: ActorRef) -> &crate::domain::Slug {
        match a {
            ActorRef::State(i) => &self.ds.states[i].slug,
            ActorRef::Organization(i) => &self.ds.organizations[i].slug,
        }
    }

    /// The name of a state or organisation, or the slug if it names neither.
    pub fn actor_name(&self, slug: &str) -> String {
        self.actor_name_in(slug, Language::En)
    }

    /// The name of a state or organisation in `lang` where an archived source gives one (else
    /// its English name), or the slug if it names neither.
    pub fn actor_name_in(&self, slug: &str, lang: Language) -> String {
        let (collection, english) = match self.actor(slug) {
            Some(ActorRef::State(i)) => (Collection::States, &self.ds.states[i].name),
            Some(ActorRef::Organization(i)) => (Collection::Organizations, &self.ds.organizations[i].name),
            None => return slug.to_owned(),
        };
        crate::seed::reference::name_in(collection, slug, english, lang).to_owned()
    }

    /// The title of an action-plan domain, from the first action plan that has it.
    pub fn domain_title(&self, number: u8) -> Option<String> {
        self.ds.documents.iter().flat_map(|d| &d.domains).find(|x| x.number == number).map(|x| x.title.clone())
    }
}

/// `THEMATIC_MEETING` → `Thematic meeting`.
fn humanise(name: &str) -> String {
    let lower = name.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
