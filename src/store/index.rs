//! Secondary indexes: which index entries a record owns, and how they are filed on disk.
//!
//! An index *entry* is a composite key, parts joined by a 0 byte (slugs never contain one), that
//! ends in the slug of the record owning it. Dates are written `YYYYMMDD` so entries sort
//! chronologically. Both the writer and the consistency check derive entries from here, so they
//! cannot disagree.
//!
//! Entries are not sled keys of their own: sled pays hundreds of bytes on disk and microseconds
//! per key, and at 1000× the record the full-text index alone holds 2.6 million entries (2.5 GB
//! and 70 s of seeding when each was a key). Instead the entries of one index that share their
//! leading parts (the *group*, see [`Index::group_parts`]: a search term, an actor and role, a
//! process) are filed together in a few *posting lists*: the sled key is the group, a 0 byte and
//! a bucket number derived from the owning record's slug ([`list_key`]), and the value is the
//! sorted members (the rest of each entry), front-coded ([`encode_list`]). Hashing records into
//! [`BUCKETS`] lists bounds how much one write rewrites: for each entry a change adds or removes,
//! it reads and rewrites the one list that holds it, which files about an eighth of the records
//! of that group (of every meeting that uses a common word), not all of them.

use super::codec::{self, CodecError};
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

    /// How many leading parts of this index's entries name the group whose entries are filed
    /// together (see the module documentation). The parts a scan asks for are whole groups or
    /// more, so a scan reads only its group's lists.
    pub fn group_parts(self) -> usize {
        match self {
            Index::MeetingsByStart => 0,
            Index::MeetingsByActorRole => 2,
            Index::MeetingsByProcess
            | Index::MeetingsByCountry
            | Index::MeetingsByDomain
            | Index::MembershipsByProcess
            | Index::MembershipsByActor
            | Index::ChairmanshipsByProcessStart
            | Index::Search => 1,
        }
    }

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
        MeetingRole::Participant => b"participant",
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
/// them rebuilt from its records when it is opened. 1: no full-text index, no stamps; 2: one
/// sled key per entry; 3: entries filed in posting lists; 4: people in the full-text index.
pub const INDEX_VERSION: u8 = 4;

/// How many posting lists one group's entries are spread over, at most. At 1000× the record
/// (measured with benches/growth.rs) 8 lists per group file the full-text index's 2.6 million
/// entries in 6,900 sled keys and 18.5 MB, the largest list 62 kB; with 32, in 23,800 keys and
/// 40 MB (front coding saves less on shorter lists), and the store was 3.2 times the seed JSON
/// instead of 2.9, for about 20 ms less per write (65 ms for a meeting's title and summary).
pub const BUCKETS: u8 = 8;

/// An entry (or a prefix of one) split into its group and what follows the group's separator:
/// `None` when it has fewer parts than a group.
pub fn split_group(index: Index, entry: &[u8]) -> Option<(&[u8], &[u8])> {
    let g = index.group_parts();
    if g == 0 {
        return Some((&entry[..0], entry));
    }
    // The position of the g-th separator: the group is what comes before it.
    let (at, _) = entry.iter().enumerate().filter(|(_, b)| **b == 0).nth(g - 1)?;
    Some((&entry[..at], &entry[at + 1..]))
}

/// The list (of `index`) that files `entry`, and the entry's member in it: `(list key, member)`.
pub fn list_key(index: Index, entry: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (group, member) = split_group(index, entry).unwrap_or((entry, &entry[entry.len()..]));
    let mut key = group.to_vec();
    if index.group_parts() > 0 {
        key.push(0);
    }
    key.push(bucket(target(entry)));
    (key, member.to_vec())
}

/// The entry a list key and one of its members stand for: the inverse of [`list_key`].
pub fn entry_of(index: Index, list: &[u8], member: &[u8]) -> Vec<u8> {
    if index.group_parts() == 0 {
        return member.to_vec();
    }
    // The list key is the group, a 0 byte and the bucket byte.
    let group = &list[..list.len().saturating_sub(2)];
    key(&[group, member])
}

/// The bucket of a record's entries: FNV-1a of its slug, so it is the same on every machine and
/// in every build (std's hashers promise neither).
fn bucket(slug: &[u8]) -> u8 {
    let hash = slug.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    (hash % u64::from(BUCKETS)) as u8
}

/// A posting list as stored: its members sorted, each as (bytes shared with the member before,
/// the bytes after those), through the codec. Neighbouring members share most of their bytes
/// (the collection, the field, a date): at 1000× the record, the full-text index's members take
/// 18.5 MB instead of 132 MB.
pub fn encode_list<'a>(members: impl IntoIterator<Item = &'a Vec<u8>>) -> Result<Vec<u8>, CodecError> {
    let mut sorted: Vec<&Vec<u8>> = members.into_iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut prev: &[u8] = &[];
    let mut coded: Vec<(u32, &[u8])> = Vec::with_capacity(sorted.len());
    for m in sorted {
        let shared = prev.iter().zip(m.iter()).take_while(|(a, b)| a == b).count();
        coded.push((u32::try_from(shared).unwrap_or(u32::MAX), &m[shared..]));
        prev = m;
    }
    codec::encode(&coded)
}

/// The members of a posting list written by [`encode_list`], in order.
pub fn decode_list(bytes: &[u8]) -> Result<Vec<Vec<u8>>, CodecError> {
    let coded: Vec<(u32, Vec<u8>)> = codec::decode(bytes)?;
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(coded.len());
    for (shared, rest) in coded {
        let prev = out.last().map_or(&[][..], Vec::as_slice);
        let shared = usize::try_from(shared).unwrap_or(usize::MAX);
        if shared > prev.len() {
            return Err(CodecError::Invalid("a posting list member shares more bytes than the one before it has"));
        }
        let mut m = prev[..shared].to_vec();
        m.extend_from_slice(&rest);
        out.push(m);
    }
    Ok(out)
}

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
    fn an_entry_is_filed_under_its_group_and_found_again() {
        let entry = key(&[b"ke", b"host", b"20230704", b"2023-07-nairobi-idps"]);
        let (list, member) = list_key(Index::MeetingsByActorRole, &entry);
        assert!(list.starts_with(b"ke\0host\0") && list.len() == b"ke\0host\0".len() + 1);
        assert!(list[list.len() - 1] < BUCKETS);
        assert_eq!(member, b"20230704\x002023-07-nairobi-idps");
        assert_eq!(entry_of(Index::MeetingsByActorRole, &list, &member), entry);
        let start = key(&[b"20230704", b"2023-07-nairobi-idps"]);
        let (list, member) = list_key(Index::MeetingsByStart, &start);
        assert_eq!((list.len(), &member), (1, &start));
        assert_eq!(entry_of(Index::MeetingsByStart, &list, &member), start);
    }

    #[test]
    fn a_record_s_entries_share_a_bucket_and_records_spread_over_buckets() {
        let a = list_key(Index::Search, &key(&[b"meet", b"meetings", b"t", b"2023-07-nairobi-idps"])).0;
        let b = list_key(Index::Search, &key(&[b"idp", b"meetings", b"b", b"2023-07-nairobi-idps"])).0;
        assert_eq!(a.last(), b.last());
        let buckets: std::collections::BTreeSet<u8> = (0..1000)
            .map(|i| {
                *list_key(Index::Search, &key(&[b"meet", b"meetings", b"t", format!("m-{i}").as_bytes()]))
                    .0
                    .last()
                    .unwrap()
            })
            .collect();
        assert_eq!(buckets.len(), usize::from(BUCKETS));
    }

    #[test]
    fn a_posting_list_round_trips_sorted_and_without_duplicates() {
        let members: Vec<Vec<u8>> =
            [&b"meetings\0t\0b"[..], b"meetings\0t\0a", b"", b"meetings\0b\0a", b"meetings\0t\0a", b"states\0t\0ke"]
                .iter()
                .map(|m| m.to_vec())
                .collect();
        let bytes = encode_list(&members).unwrap();
        let mut want = members.clone();
        want.sort();
        want.dedup();
        assert_eq!(decode_list(&bytes).unwrap(), want);
        assert!(bytes.len() < want.iter().map(Vec::len).sum::<usize>(), "shared prefixes are stored once");
    }

    #[test]
    fn a_posting_list_that_claims_more_shared_bytes_than_exist_is_refused() {
        let bytes = codec::encode(&vec![(0u32, b"ab".to_vec()), (3u32, b"c".to_vec())]).unwrap();
        assert!(matches!(decode_list(&bytes), Err(CodecError::Invalid(_))));
        assert!(decode_list(&[]).is_err());
    }

    #[test]
    fn index_key_target_is_the_last_part() {
        let k = key(&[b"ke", b"host", b"20230704", b"2023-07-nairobi-idps"]);
        assert_eq!(target(&k), b"2023-07-nairobi-idps");
    }
}
