//! The indexes over the meetings, the one collection that grows with the record's history.
//!
//! They are built whole when a dataset is loaded ([`MeetingIndex::of`]), and carried from one
//! read model to the next when a write changes some meetings ([`MeetingIndex::after`]): the
//! meetings a write removed or changed leave the indexes, the meetings after them move to their
//! new positions, and the changed and new meetings enter where they now stand. Lists are shared
//! between successive read models (`Arc`), so a list no change reaches is not copied, and the
//! cost of a write follows the meetings it changed and the lists that name them, not the size
//! of the record.

use crate::domain::{fold, Meeting, RelationKind};
use chrono::NaiveDate;
use foldhash::{HashMap, HashMapExt};
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::Arc;

/// Lists of meeting positions (with what each entry carries) by key, each list in position
/// order, each shared until a change reaches it.
pub(super) type Lists<K, T> = HashMap<K, Arc<Vec<T>>>;

/// A meeting's relations, each with the other meeting, in position order.
pub(super) type Relations = Arc<[(RelationKind, usize)]>;

/// Marks an old position that has no new one (a removed or changed meeting) and a new position
/// that has no old one (a new or changed meeting).
pub(super) const GONE: usize = usize::MAX;

/// Every index over the meetings of one dataset, by position in chronological order.
#[derive(Clone, PartialEq)]
pub(super) struct MeetingIndex {
    /// Position by slug.
    pub(super) positions: HashMap<String, usize>,
    /// Per actor: (meeting, role), one entry per participation, in participation order within a
    /// meeting.
    pub(super) by_actor: Lists<String, (usize, crate::domain::MeetingRole)>,
    /// Per process.
    pub(super) by_process: Lists<String, usize>,
    /// Per host country.
    pub(super) by_country: Lists<String, usize>,
    /// Per domain number.
    pub(super) by_domain: Lists<u8, usize>,
    /// Per person: (meeting, participation) of the participations that name them.
    pub(super) participations_by_person: Lists<String, (usize, usize)>,
    /// Per meeting: its relations, the recorded ones and the inverses of those pointing at it.
    pub(super) relations: Vec<Relations>,
    /// Per meeting: folded title and summary, for text filters.
    pub(super) folded: Vec<Arc<str>>,
    /// Per meeting: the first day of its start. Rises along the positions, so a `to` bound is a
    /// binary search.
    pub(super) starts: Vec<NaiveDate>,
    /// Per position: the latest last day of the meetings up to it. Rises too, so the meetings
    /// that all end before a `from` bound are a prefix, found by binary search.
    pub(super) reach: Vec<NaiveDate>,
}

/// How the meetings of one read model map onto those of the next.
#[derive(Debug, Default)]
pub(super) struct Relayout {
    /// Per old position: the new one, or [`GONE`].
    pub(super) remap: Vec<usize>,
    /// Per new position: the old one, or [`GONE`].
    pub(super) origin: Vec<usize>,
    /// The old positions of the meetings removed or changed, rising.
    pub(super) removed: Vec<usize>,
    /// The new positions of the meetings added or changed, rising.
    pub(super) inserted: Vec<usize>,
    /// The first old position whose new position differs (removed ones included): entries
    /// before it keep their values.
    pub(super) first_moved: usize,
}

impl Relayout {
    /// The meetings of the next read model, in chronological order, and how they map onto
    /// `old`'s: `old` without the meetings `changed` names, and with `present` (the records now
    /// held for those of them that still exist) where their dates and slugs place them.
    /// `positions` gives `old`'s positions by slug.
    pub(super) fn of(
        old: &[Arc<Meeting>],
        positions: &HashMap<String, usize>,
        changed: &[&str],
        mut present: Vec<Arc<Meeting>>,
    ) -> (Vec<Arc<Meeting>>, Relayout) {
        let mut removed: Vec<usize> = changed.iter().filter_map(|k| positions.get(*k).copied()).collect();
        removed.sort_unstable();
        removed.dedup();
        present.sort_by(|a, b| chronological(a, b));
        // Where each new record goes among the old ones, as an index into `old`.
        let places: Vec<usize> =
            present.iter().map(|r| old.partition_point(|m| chronological(m, r) == std::cmp::Ordering::Less)).collect();
        let n = old.len() - removed.len() + present.len();
        let mut out = Vec::with_capacity(n);
        let mut layout = Relayout {
            remap: vec![GONE; old.len()],
            origin: Vec::with_capacity(n),
            removed,
            inserted: Vec::with_capacity(present.len()),
            first_moved: old.len(),
        };
        let mut next = present.into_iter().zip(places).peekable();
        let mut gone = layout.removed.iter().copied().peekable();
        for (i, m) in old.iter().enumerate() {
            while let Some((r, _)) = next.next_if(|(_, at)| *at <= i) {
                layout.inserted.push(out.len());
                layout.origin.push(GONE);
                out.push(r);
            }
            if gone.next_if_eq(&i).is_some() {
                layout.first_moved = layout.first_moved.min(i);
                continue;
            }
            if out.len() != i {
                layout.first_moved = layout.first_moved.min(i);
            }
            layout.remap[i] = out.len();
            layout.origin.push(i);
            out.push(Arc::clone(m));
        }
        for (r, _) in next {
            layout.inserted.push(out.len());
            layout.origin.push(GONE);
            out.push(r);
        }
        (out, layout)
    }

    /// The new position of old position `p`, or [`GONE`].
    fn new_of(&self, p: usize) -> usize {
        if p < self.first_moved {
            p
        } else {
            self.remap[p]
        }
    }
}

/// The order of meetings in every list: by start date, then by slug.
fn chronological(a: &Meeting, b: &Meeting) -> std::cmp::Ordering {
    a.start_date.cmp(&b.start_date).then_with(|| a.slug.cmp(&b.slug))
}

impl MeetingIndex {
    /// The indexes of `meetings`, which are in chronological order.
    pub(super) fn of(meetings: &[Arc<Meeting>]) -> MeetingIndex {
        let empty: Relations = Arc::from([]);
        let mut idx = MeetingIndex {
            positions: meetings.iter().enumerate().map(|(i, m)| (m.slug.to_string(), i)).collect(),
            by_actor: HashMap::new(),
            by_process: HashMap::new(),
            by_country: HashMap::new(),
            by_domain: HashMap::new(),
            participations_by_person: HashMap::new(),
            relations: vec![empty; meetings.len()],
            folded: meetings.iter().map(|m| folded(m)).collect(),
            starts: meetings.iter().map(|m| m.start_date.first_day()).collect(),
            reach: Vec::new(),
        };
        for (m, meeting) in meetings.iter().enumerate() {
            idx.enter(m, meeting);
        }
        idx.relate_all(meetings);
        idx.reach = reach(meetings, &[], 0);
        idx
    }

    /// The indexes of `new`, the meetings after a change laid out by `layout`, from these, the
    /// indexes of `old`: only the entries of the meetings the change removed or added, and of the
    /// meetings after the first that moved, are touched.
    pub(super) fn after(&self, old: &[Arc<Meeting>], new: &[Arc<Meeting>], layout: &Relayout) -> MeetingIndex {
        let moved = layout.first_moved;
        let kept = |q: usize, o: usize| (o != GONE).then_some(o).ok_or(q);
        let empty: Relations = Arc::from([]);
        let mut idx = MeetingIndex {
            positions: self.positions.clone(),
            by_actor: self.by_actor.clone(),
            by_process: self.by_process.clone(),
            by_country: self.by_country.clone(),
            by_domain: self.by_domain.clone(),
            participations_by_person: self.participations_by_person.clone(),
            // The per-meeting values of the meetings kept, in their new places; those of the
            // added ones are set below.
            relations: (layout.origin.iter().enumerate())
                .map(|(q, &o)| match kept(q, o) {
                    Err(_) => empty.clone(),
                    Ok(o) if self.relations[o].iter().all(|&(_, x)| x < moved) => self.relations[o].clone(),
                    Ok(o) => (self.relations[o].iter())
                        .map(|&(k, x)| (k, layout.new_of(x)))
                        .filter(|&(_, x)| x != GONE)
                        .collect(),
                })
                .collect(),
            folded: (layout.origin.iter().enumerate())
                .map(|(q, &o)| kept(q, o).map_or_else(|q| folded(&new[q]), |o| self.folded[o].clone()))
                .collect(),
            starts: (layout.origin.iter().enumerate())
                .map(|(q, &o)| kept(q, o).map_or_else(|q| new[q].start_date.first_day(), |o| self.starts[o]))
                .collect(),
            reach: Vec::new(),
        };
        // The removed meetings leave the lists that name them, and the others take their new
        // positions.
        for &p in &layout.removed {
            idx.leave(p, &old[p]);
        }
        if moved < old.len() {
            shift(&mut idx.by_actor, layout);
            shift(&mut idx.by_process, layout);
            shift(&mut idx.by_country, layout);
            shift(&mut idx.by_domain, layout);
            shift(&mut idx.participations_by_person, layout);
            for p in idx.positions.values_mut().filter(|p| **p >= moved) {
                *p = layout.remap[*p];
            }
        }
        for &q in &layout.inserted {
            idx.positions.insert(new[q].slug.to_string(), q);
            idx.enter(q, &new[q]);
        }
        // The meetings whose relations may change: the removed and added ones, and those they
        // relate to before and after. Every meeting that points at one of them is among the added
        // ones or holds the inverse in its relations: those laid out above, or, for a changed
        // meeting, those of its old position.
        let mut candidates: HashMap<usize, Vec<usize>> = HashMap::new();
        let new_of = |o: &(RelationKind, usize)| Some(layout.new_of(o.1)).filter(|&x| x != GONE);
        for &p in &layout.removed {
            for o in self.relations[p].iter().filter_map(new_of) {
                candidates.entry(o).or_default();
            }
        }
        for &q in &layout.inserted {
            let targets = new[q].related.iter().filter_map(|r| idx.positions.get(r.meeting.as_str()).copied());
            for o in targets {
                candidates.entry(o).or_default();
            }
            let before = self.positions.get(new[q].slug.as_str()).map_or(&[][..], |&p| &self.relations[p][..]);
            candidates.entry(q).or_default().extend(before.iter().filter_map(new_of));
        }
        for (&x, c) in &mut candidates {
            c.extend(idx.relations[x].iter().map(|&(_, o)| o));
            c.extend(&layout.inserted);
        }
        for (x, c) in candidates {
            idx.relate(new, x, &c);
        }
        let from = (layout.inserted.first().copied().unwrap_or(new.len())).min(moved).min(new.len());
        idx.reach = reach(new, &self.reach, from);
        idx
    }

    /// Adds the list entries of `meeting`, at position `m`.
    fn enter(&mut self, m: usize, meeting: &Meeting) {
        for (i, p) in meeting.participations.iter().enumerate() {
            insert(&mut self.by_actor, p.actor.as_str(), (m, p.role));
            for person in &p.people {
                insert(&mut self.participations_by_person, person.as_str(), (m, i));
            }
        }
        for p in &meeting.processes {
            insert(&mut self.by_process, p.as_str(), m);
        }
        if let Some(c) = &meeting.country {
            insert(&mut self.by_country, c.as_str(), m);
        }
        for d in &meeting.domains {
            insert(&mut self.by_domain, d, m);
        }
    }

    /// Removes the list entries of `meeting`, at position `m`.
    fn leave(&mut self, m: usize, meeting: &Meeting) {
        for p in &meeting.participations {
            remove(&mut self.by_actor, p.actor.as_str(), m);
            for person in &p.people {
                remove(&mut self.participations_by_person, person.as_str(), m);
            }
        }
        for p in &meeting.processes {
            remove(&mut self.by_process, p.as_str(), m);
        }
        if let Some(c) = &meeting.country {
            remove(&mut self.by_country, c.as_str(), m);
        }
        for d in &meeting.domains {
            remove(&mut self.by_domain, d, m);
        }
        self.positions.remove(meeting.slug.as_str());
    }

    /// Sets every meeting's relations: its recorded ones and the inverses of those pointing at
    /// it.
    fn relate_all(&mut self, meetings: &[Arc<Meeting>]) {
        let mut all: Vec<Vec<(RelationKind, usize)>> = vec![Vec::new(); meetings.len()];
        for (m, meeting) in meetings.iter().enumerate() {
            for r in &meeting.related {
                if let Some(&other) = self.positions.get(r.meeting.as_str()) {
                    all[m].push((r.kind, other));
                    all[other].push((r.kind.inverse(), m));
                }
            }
        }
        for (m, mut rel) in all.into_iter().enumerate() {
            if !rel.is_empty() {
                sort_relations(&mut rel);
                self.relations[m] = rel.into();
            }
        }
    }

    /// Sets the relations of meeting `x` from its own recorded relations and the inverses of
    /// those of `candidates`, the meetings that may point at it.
    fn relate(&mut self, meetings: &[Arc<Meeting>], x: usize, candidates: &[usize]) {
        let slug = meetings[x].slug.as_str();
        let mut rel: Vec<(RelationKind, usize)> = meetings[x]
            .related
            .iter()
            .filter_map(|r| Some((r.kind, *self.positions.get(r.meeting.as_str())?)))
            .collect();
        for &y in candidates {
            let inverses = meetings[y].related.iter().filter(|r| r.meeting.as_str() == slug);
            rel.extend(inverses.map(|r| (r.kind.inverse(), y)));
        }
        sort_relations(&mut rel);
        self.relations[x] = rel.into();
    }
}

/// Relations in position order, the kinds of one pair in their declared order, each once.
fn sort_relations(rel: &mut Vec<(RelationKind, usize)>) {
    rel.sort_by_key(|&(kind, other)| (other, kind));
    rel.dedup();
}

fn folded(m: &Meeting) -> Arc<str> {
    fold(&format!("{} {}", m.title, m.summary.as_deref().unwrap_or(""))).into()
}

/// The running latest last day of `meetings`, taken over from `before` up to position `from`.
fn reach(meetings: &[Arc<Meeting>], before: &[NaiveDate], from: usize) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(meetings.len());
    out.extend_from_slice(&before[..from.min(before.len())]);
    let mut latest = out.last().copied().unwrap_or(NaiveDate::MIN);
    for m in &meetings[out.len()..] {
        latest = latest.max(m.interval().1);
        out.push(latest);
    }
    out
}

/// An entry of a list: a meeting position and what goes with it.
pub(super) trait Entry: Clone {
    /// The meeting's position.
    fn position(&self) -> usize;
    /// The meeting's position, to move.
    fn position_mut(&mut self) -> &mut usize;
}

impl Entry for usize {
    fn position(&self) -> usize {
        *self
    }
    fn position_mut(&mut self) -> &mut usize {
        self
    }
}

impl<T: Clone> Entry for (usize, T) {
    fn position(&self) -> usize {
        self.0
    }
    fn position_mut(&mut self) -> &mut usize {
        &mut self.0
    }
}

/// Inserts `entry` into the list of `key`, after the entries of its position and those before.
fn insert<K, Q, T: Entry>(lists: &mut Lists<K, T>, key: &Q, entry: T)
where
    K: Borrow<Q> + Hash + Eq,
    Q: ToOwned<Owned = K> + Hash + Eq + ?Sized,
{
    let list = match lists.get_mut(key) {
        Some(list) => list,
        None => lists.entry(key.to_owned()).or_default(),
    };
    let list = Arc::make_mut(list);
    let at = list.partition_point(|e| e.position() <= entry.position());
    list.insert(at, entry);
}

/// Removes the entries of position `m` from the list of `key`, and the list once empty.
fn remove<K, Q, T: Entry>(lists: &mut Lists<K, T>, key: &Q, m: usize)
where
    K: Borrow<Q> + Hash + Eq,
    Q: Hash + Eq + ?Sized,
{
    let Some(list) = lists.get_mut(key) else { return };
    let (a, b) = (list.partition_point(|e| e.position() < m), list.partition_point(|e| e.position() <= m));
    if a == b {
        return;
    }
    Arc::make_mut(list).drain(a..b);
    if list.is_empty() {
        lists.remove(key);
    }
}

/// Moves the entries at old positions from `layout.first_moved` on to their new positions,
/// copying only the lists that hold such entries.
fn shift<K, T: Entry>(lists: &mut Lists<K, T>, layout: &Relayout) {
    let moved = layout.first_moved;
    for list in lists.values_mut().filter(|l| l.last().is_some_and(|e| e.position() >= moved)) {
        let list = Arc::make_mut(list);
        let from = list.partition_point(|e| e.position() < moved);
        for e in &mut list[from..] {
            let p = e.position_mut();
            *p = layout.remap[*p];
        }
    }
}
