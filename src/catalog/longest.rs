//! How long each kind of list in the read model is at its longest.
//!
//! A query's cost must be known before it runs, and a list that is not paged (a meeting's hosts,
//! a term's meetings, an actor's partners) can only be costed by how many items it may hold. The
//! honest bound is the longest such list in the data being served: it is exact for today's
//! record, it grows when the record grows, and a curated write that lengthens a list raises the
//! bound in the read model built for that write. The figures are computed once per read model,
//! on first use, so a write does not pay for them.

use super::{Catalog, Grouping, MeetingQuery};
use crate::domain::{MeetingRole, Slug};
use std::collections::HashSet;

/// How many sets of meeting roles there are: one bit per role of [`MeetingRole::ALL`].
const ROLE_SETS: usize = 1 << MeetingRole::ALL.len();

/// The longest list of one meeting's participations in each set of roles. A list filtered to
/// some roles (`participations(roles: [HOST])`, `hosts`) is bounded by the longest list of those
/// roles, not by the longest list of all: a meeting that lists forty participants may have one
/// host, and a query for hosts should not pay for the participants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParticipationsByRoles([usize; ROLE_SETS]);

impl Default for ParticipationsByRoles {
    fn default() -> Self {
        ParticipationsByRoles([0; ROLE_SETS])
    }
}

impl ParticipationsByRoles {
    /// The bit of a role in a set.
    fn bit(role: MeetingRole) -> usize {
        1 << MeetingRole::ALL.iter().position(|&r| r == role).unwrap_or(0)
    }

    /// Measures the participation lists of every meeting, for every set of roles.
    fn of(cat: &Catalog) -> Self {
        // Meetings with the same number of participations in each role bound every set alike;
        // at 1000× the record most share a handful of shapes, so each shape is summed once.
        let shapes: HashSet<[usize; MeetingRole::ALL.len()]> = cat
            .ds
            .meetings
            .iter()
            .map(|m| {
                let mut counts = [0; MeetingRole::ALL.len()];
                for p in &m.participations {
                    counts[Self::bit(p.role).trailing_zeros() as usize] += 1;
                }
                counts
            })
            .collect();
        let mut out = [0; ROLE_SETS];
        for (set, longest) in out.iter_mut().enumerate() {
            // The empty set is every role, as the API's `roles` argument reads an empty list.
            let set = if set == 0 { ROLE_SETS - 1 } else { set };
            *longest = shapes
                .iter()
                .map(|counts| (0..counts.len()).filter(|i| set & (1 << i) != 0).map(|i| counts[i]).sum())
                .max()
                .unwrap_or(0);
        }
        ParticipationsByRoles(out)
    }

    /// The most participations one meeting lists in any of `roles` (in any role when `roles` is
    /// empty).
    pub fn of_roles(&self, roles: &[MeetingRole]) -> usize {
        self.0[roles.iter().fold(0, |set, &r| set | Self::bit(r))]
    }
}

/// The longest list of each kind in one read model. Every figure is a maximum over all records
/// of the kind named, so it bounds the list of any one of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Longest {
    /// Sources cited by one record, one participation or one note.
    pub sources: usize,
    /// Notes on one record.
    pub notes: usize,
    /// Participations recorded for one meeting.
    pub participations: usize,
    /// Participations recorded for one meeting in each set of roles.
    pub participations_by_roles: ParticipationsByRoles,
    /// Processes one meeting or document belongs to.
    pub processes_of_record: usize,
    /// Meetings that may have started during one chair term.
    pub meetings_of_term: usize,
    /// Meetings two actors organised together.
    pub meetings_of_pair: usize,
    /// Distinct sources behind one pair of actors' shared meetings.
    pub sources_of_pair: usize,
    /// Partners of one actor.
    pub partners: usize,
    /// Memberships of one actor.
    pub memberships_of_actor: usize,
    /// Memberships in one process.
    pub memberships_of_process: usize,
    /// Chair terms of one process.
    pub chairs_of_process: usize,
    /// Chair terms held by one state.
    pub chairs_of_state: usize,
    /// Chair terms one meeting may have fallen under.
    pub chairs_of_meeting: usize,
    /// Documents of one process.
    pub documents_of_process: usize,
    /// Documents adopted at one meeting.
    pub documents_of_meeting: usize,
    /// Domains of one document, or one meeting's domains of the reference plan.
    pub domains: usize,
    /// Commitments of one document.
    pub commitments_of_document: usize,
    /// Commitments under one domain of one document.
    pub commitments_of_domain: usize,
    /// Meetings classified under one domain.
    pub meetings_of_domain: usize,
    /// Relations of one meeting, both directions.
    pub relations: usize,
    /// Groups of one `meetingCounts` grouping over every meeting.
    pub meeting_groups: usize,
    /// Posts of one person.
    pub posts: usize,
    /// People linked from one participation.
    pub people_of_participation: usize,
    /// Participations that name one person.
    pub participations_of_person: usize,
    /// Chair terms held by one person.
    pub chairs_of_person: usize,
    /// Parts of one organisation.
    pub parts: usize,
}

impl Longest {
    /// Measures every list of a read model.
    pub fn of(cat: &Catalog) -> Longest {
        let ds = &cat.ds;
        let most = |lengths: &mut dyn Iterator<Item = usize>| lengths.max().unwrap_or(0);
        let longest_in = |map: &foldhash::HashMap<String, Vec<usize>>| most(&mut map.values().map(Vec::len));

        // Every list of sources and notes the API shows: a record's, a participation's, a note's.
        let cited = ds.citations().map(|(sources, _)| sources.len());
        let of_participations = ds.meetings.iter().flat_map(|m| m.participations.iter().map(|p| p.sources.len()));
        let of_posts = ds.people.iter().flat_map(|p| p.posts.iter().map(|x| x.sources.len()));
        let of_notes = ds.citations().flat_map(|(_, notes)| notes.iter().map(|n| n.sources.len()));
        let sources = most(&mut cited.chain(of_participations).chain(of_posts).chain(of_notes));
        let notes = most(&mut ds.citations().map(|(_, notes)| notes.len()));

        // The sources one meeting can contribute to a pair: its own and its participations'.
        let sources_of_meeting = most(&mut ds.meetings.iter().map(|m| {
            let mut cited: Vec<&Slug> =
                m.sources.iter().chain(m.participations.iter().flat_map(|p| &p.sources)).collect();
            cited.sort_unstable();
            cited.dedup();
            cited.len()
        }));
        let pairs = cat.pairs(&MeetingQuery::default());
        let meetings_of_pair = most(&mut pairs.iter().map(|p| p.meetings.len()));

        let all = MeetingQuery::default();
        let groupings =
            [Grouping::Year, Grouping::Kind, Grouping::Country, Grouping::Host, Grouping::Process, Grouping::Domain];
        Longest {
            sources,
            notes,
            participations: most(&mut ds.meetings.iter().map(|m| m.participations.len())),
            participations_by_roles: ParticipationsByRoles::of(cat),
            processes_of_record: most(
                &mut ds
                    .meetings
                    .iter()
                    .map(|m| m.processes.len())
                    .chain(ds.documents.iter().map(|d| d.processes.len())),
            ),
            meetings_of_term: most(&mut (0..ds.chairmanships.len()).map(|t| cat.meetings_in_term(t).len())),
            meetings_of_pair,
            sources_of_pair: meetings_of_pair.saturating_mul(sources_of_meeting).min(ds.sources.len()),
            partners: most(&mut cat.partners.values().map(|l| l.len())),
            memberships_of_actor: longest_in(&cat.memberships_by_actor),
            memberships_of_process: longest_in(&cat.memberships_by_process),
            chairs_of_process: longest_in(&cat.chairs_by_process),
            chairs_of_state: longest_in(&cat.chairs_by_state),
            chairs_of_meeting: most(&mut (0..ds.meetings.len()).map(|m| {
                let (from, to) = cat.meeting_start_span(m);
                ds.meetings[m].processes.iter().map(|p| cat.chairs_during(p.as_str(), from, to).len()).sum()
            })),
            documents_of_process: longest_in(&cat.documents_by_process),
            documents_of_meeting: most(&mut cat.adopted.iter().map(Vec::len)),
            domains: most(
                &mut ds.documents.iter().map(|d| d.domains.len()).chain(ds.meetings.iter().map(|m| m.domains.len())),
            ),
            commitments_of_document: longest_in(&cat.commitments_by_document),
            commitments_of_domain: {
                let mut per_domain: foldhash::HashMap<(&str, u8), usize> = foldhash::HashMap::default();
                for c in &ds.commitments {
                    if let Some(domain) = c.domain {
                        *per_domain.entry((c.document.as_str(), domain)).or_default() += 1;
                    }
                }
                most(&mut per_domain.into_values())
            },
            meetings_of_domain: most(&mut cat.idx.by_domain.values().map(|l| l.len())),
            relations: most(&mut cat.idx.relations.iter().map(|r| r.len())),
            meeting_groups: most(&mut groupings.into_iter().map(|g| cat.meeting_counts(g, &all).len())),
            posts: most(&mut ds.people.iter().map(|p| p.posts.len())),
            people_of_participation: most(
                &mut ds.meetings.iter().flat_map(|m| m.participations.iter().map(|p| p.people.len())),
            ),
            participations_of_person: most(&mut cat.idx.participations_by_person.values().map(|l| l.len())),
            chairs_of_person: longest_in(&cat.chairs_by_person),
            parts: longest_in(&cat.parts),
        }
    }
}
