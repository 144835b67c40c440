//! Secondary indexes: which index entries a record owns.
//!
//! Each index is a sled tree of composite keys with empty values, parts joined by a 0 byte
//! (slugs never contain one). Dates are written `YYYYMMDD` so keys sort chronologically.
//! Both the writer and the consistency check derive entries from here, so they cannot disagree.

use crate::domain::{Chairmanship, Field, Meeting, MeetingRole, Membership, PartialDate, Record, Searchable};

/// The index trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Index {
    /// `date 0 slug`
    MeetingsByStart,
    /// `actor 0 role 0 date 0 slug`
    MeetingsByActorRole,
    /// `process 0 date 0 slug`
    MeetingsByProcess,
    /// `country 0 date 0 slug`
    MeetingsByCountry,
    /// `domain 0 date 0 slug`
    MeetingsByDomain,
    /// `process 0 slug`
    MembershipsByProcess,
    /// `actor 0 slug`
    MembershipsByActor,
    /// `process 0 start 0 slug`
    ChairmanshipsByProcessStart,
    /// `term 0 collection 0 field 0 key`: the full-text index (see [`search_entries`]).
    Search,
}

impl Index {
    /// Every index.
    pub const ALL: [Index; 9] = [
        Index::MeetingsByStart,
        Index::MeetingsByActorRole,
        Index::MeetingsByProcess,
        Index::MeetingsByCountry,
        Index::MeetingsByDomain,
        Index::MembershipsByProcess,
        Index::MembershipsByActor,
        Index::ChairmanshipsByProcessStart,
        Index::Search,
    ];

    /// The sled tree's name.
    pub fn tree_name(self) -> &'static str {
        match self {
            Index::MeetingsByStart => "idx:meetings:start",
            Index::MeetingsByActorRole => "idx:meetings:actor-role",
            Index::MeetingsByProcess => "idx:meetings:process",
            Index::MeetingsByCountry => "idx:meetings:country",
            Index::MeetingsByDomain => "idx:meetings:domain",
            Index::MembershipsByProcess => "idx:memberships:process",
            Index::MembershipsByActor => "idx:memberships:actor",
            Index::ChairmanshipsByProcessStart => "idx:chairmanships:process-start",
            Index::Search => "idx:search",
        }
    }
}

/// Joins key parts with 0 bytes.
pub fn key(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(&0u8)
}

/// `YYYYMMDD` of the first day a partial date stands for; `00000000` for no date, so undated
/// records sort first.
pub fn date_part(d: Option<PartialDate>) -> Vec<u8> {
    d.map_or_else(|| b"00000000".to_vec(), |d| d.first_day().format("%Y%m%d").to_string().into_bytes())
}

fn role_part(r: MeetingRole) -> &'static [u8] {
    match r {
        MeetingRole::Host => b"host",
        MeetingRole::CoHost => b"co-host",
        MeetingRole::Chair => b"chair",
        MeetingRole::CoChair => b"co-chair",
        MeetingRole::Organiser => b"organiser",
    }
}

/// The index entries a meeting owns.
pub fn meeting_entries(m: &Meeting) -> Vec<(Index, Vec<u8>)> {
    let date = date_part(Some(m.start_date));
    let slug = m.slug.as_str().as_bytes();
    let mut out = vec![(Index::MeetingsByStart, key(&[&date, slug]))];
    for p in &m.participations {
        out.push((Index::MeetingsByActorRole, key(&[p.actor.as_str().as_bytes(), role_part(p.role), &date, slug])));
    }
    for p in &m.processes {
        out.push((Index::MeetingsByProcess, key(&[p.as_str().as_bytes(), &date, slug])));
    }
    if let Some(c) = &m.country {
        out.push((Index::MeetingsByCountry, key(&[c.as_str().as_bytes(), &date, slug])));
    }
    for d in &m.domains {
        out.push((Index::MeetingsByDomain, key(&[&[b'0' + d], &date, slug])));
    }
    out
}

/// The index entries a membership owns.
pub fn membership_entries(m: &Membership) -> Vec<(Index, Vec<u8>)> {
    let slug = m.slug.as_str().as_bytes();
    vec![
        (Index::MembershipsByProcess, key(&[m.process.as_str().as_bytes(), slug])),
        (Index::MembershipsByActor, key(&[m.actor.as_str().as_bytes(), slug])),
    ]
}

/// The index entries a chairmanship owns.
pub fn chairmanship_entries(c: &Chairmanship) -> Vec<(Index, Vec<u8>)> {
    let slug = c.slug.as_str().as_bytes();
    vec![(Index::ChairmanshipsByProcessStart, key(&[c.process.as_str().as_bytes(), &date_part(c.start), slug]))]
}

/// The version of the index layout. A store whose indexes were built by another version has
/// them rebuilt from its records when it is opened.
pub const INDEX_VERSION: u8 = 2;

/// The one-letter code of a search field in index keys.
pub fn field_part(f: Field) -> &'static [u8] {
    match f {
        Field::Title => b"t",
        Field::Body => b"b",
    }
}

/// The field a search index key was found in.
pub fn field_of(part: &[u8]) -> Field {
    if part == b"t" {
        Field::Title
    } else {
        Field::Body
    }
}

/// The full-text entries a record owns: one per distinct search term, with the field it was
/// found in. The collection is part of the key because keys are unique only within one.
pub fn search_entries<T: Record + Searchable>(r: &T) -> Vec<(Index, Vec<u8>)> {
    let collection = super::tree_name(T::COLLECTION).as_bytes();
    r.search_terms()
        .into_iter()
        .map(|(term, field)| {
            (Index::Search, key(&[term.as_bytes(), collection, field_part(field), r.key().as_bytes()]))
        })
        .collect()
}

/// The record slug an index key points at: its last part.
pub fn target(key: &[u8]) -> &[u8] {
    key.rsplit(|b| *b == 0).next().unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_keys_sort_chronologically_and_undated_first() {
        let d = |s| Some(PartialDate::parse(s).unwrap());
        let mut keys = vec![date_part(d("2019-03-07")), date_part(None), date_part(d("2018")), date_part(d("2019-03"))];
        keys.sort();
        assert_eq!(keys, [b"00000000".to_vec(), b"20180101".to_vec(), b"20190301".to_vec(), b"20190307".to_vec()]);
    }

    #[test]
    fn index_key_target_is_the_last_part() {
        let k = key(&[b"ke", b"host", b"20230704", b"2023-07-nairobi-idps"]);
        assert_eq!(target(&k), b"2023-07-nairobi-idps");
    }
}
