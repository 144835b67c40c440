//! The journalists' aggregates: actor pairs, meeting counts and commitment coverage.

use super::*;
use crate::catalog::{Coverage, Group, Grouping, Pair};
use async_graphql::{Enum, Object, SimpleObject};

/// Two actors that organised meetings together (host, co-host, chair or co-chair of the same
/// meeting).
pub struct ActorPair {
    pub(crate) rec: Rec,
    pub(crate) pair: Pair,
}

/// Two actors that organised meetings together (host, co-host, chair or co-chair of the same
/// meeting), with those meetings.
#[Object(serial)]
impl ActorPair {
    /// The actor whose slug sorts first.
    async fn a(&self) -> Actor {
        self.rec.actor_ref(self.pair.a)
    }

    /// The other actor.
    async fn b(&self) -> Actor {
        self.rec.actor_ref(self.pair.b)
    }

    /// Number of meetings both organised.
    async fn count(&self) -> i32 {
        self.pair.meetings.len() as i32
    }

    /// The meetings both organised, chronological.
    async fn meetings(&self) -> Vec<Meeting> {
        self.pair.meetings.iter().map(|&m| Meeting(self.rec.at(m))).collect()
    }

    /// Where the pairing comes from: the sources of the two actors' roles at those meetings (a
    /// role without sources of its own stands on its meeting's sources), each once.
    async fn sources(&self) -> Vec<Source> {
        let cat = &self.rec.cat;
        let (a, b) = (cat.actor_slug(self.pair.a), cat.actor_slug(self.pair.b));
        let mut out: Vec<crate::domain::Slug> = Vec::new();
        for &m in &self.pair.meetings {
            let meeting = &cat.ds.meetings[m];
            for p in
                meeting.participations.iter().filter(|p| p.role.is_organising() && (&p.actor == a || &p.actor == b))
            {
                let cited = if p.sources.is_empty() { &meeting.sources } else { &p.sources };
                for s in cited {
                    if !out.contains(s) {
                        out.push(s.clone());
                    }
                }
            }
        }
        self.rec.sources(&out)
    }
}

/// A dimension to count meetings by.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "Grouping")]
pub enum MeetingGrouping {
    /// The year the meeting started (key '2021').
    Year,
    /// Its kind (key 'THEMATIC_MEETING').
    Kind,
    /// The state it was held in (key 'ke'; 'online' for online meetings).
    Country,
    /// Each of its hosts (key 'de'); a meeting with two hosts counts for both.
    Host,
    /// Each of its processes (key 'khartoum-process').
    Process,
    /// Each action-plan domain it was classified under (key '1').
    Domain,
}

/// How many meetings fall in one group.
#[derive(SimpleObject)]
#[graphql(serial)]
pub struct MeetingCount {
    /// The group's key: a year, an enum value, or a slug.
    pub key: String,
    /// A human-readable label for the key.
    pub label: String,
    /// The number of meetings.
    pub count: i32,
}

impl From<Group> for MeetingCount {
    fn from(g: Group) -> Self {
        MeetingCount { key: g.key, label: g.label, count: g.count as i32 }
    }
}

/// The meetings classified under a commitment's domain.
pub struct CommitmentCoverage {
    pub(crate) rec: Rec,
    pub(crate) coverage: Coverage,
}

/// The meetings classified under a commitment's action-plan domain (for a cross-cutting
/// approach, under any domain of its document). The classification is editorial: a meeting is
/// filed under the domains its summary deals with.
#[Object(serial)]
impl CommitmentCoverage {
    /// The commitment.
    async fn commitment(&self) -> Commitment {
        Commitment(self.rec.at(self.coverage.commitment))
    }

    /// How many meetings are classified under its domain.
    async fn meeting_count(&self) -> i32 {
        self.coverage.meetings.len() as i32
    }

    /// The earliest of them.
    async fn first(&self) -> Option<Meeting> {
        self.coverage.meetings.first().map(|&m| Meeting(self.rec.at(m)))
    }

    /// The latest of them.
    async fn last(&self) -> Option<Meeting> {
        self.coverage.meetings.last().map(|&m| Meeting(self.rec.at(m)))
    }

    /// All of them, chronological.
    async fn meetings(&self) -> Vec<Meeting> {
        self.coverage.meetings.iter().map(|&m| Meeting(self.rec.at(m))).collect()
    }
}
