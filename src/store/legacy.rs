//! The former shapes of stored types whose layout changed, so that a store written by an older
//! build is read, not refused. bincode is not self-describing: bytes of format version 1 decode
//! only into the version-1 shape, which is then converted, filling what it lacked with "unknown".

use super::codec::{self, CodecError};
use crate::domain::{self, MembershipRole, Note, PartialDate, Slug};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// A source as format version 1 stored it: without its archive fields.
#[derive(Deserialize)]
struct SourceV1 {
    slug: Slug,
    title: String,
    url: Option<String>,
    publisher: Option<String>,
    published: Option<PartialDate>,
    reference: Option<String>,
}

/// A membership as format version 1 stored it: without its start qualifier.
#[derive(Deserialize)]
struct MembershipV1 {
    slug: Slug,
    process: Slug,
    actor: Slug,
    role: MembershipRole,
    since: Option<PartialDate>,
    until: Option<PartialDate>,
    sources: Vec<Slug>,
    notes: Vec<Note>,
}

/// Decodes bytes of any readable version: the current layout, or the version-1 shape converted.
fn read<T: DeserializeOwned, V1: DeserializeOwned>(
    bytes: &[u8],
    from_v1: impl FnOnce(V1) -> T,
) -> Result<T, CodecError> {
    if codec::version(bytes)? > 1 {
        return codec::decode(bytes);
    }
    codec::decode(bytes).map(from_v1)
}

/// Decodes a stored source of any readable version.
pub(super) fn source(bytes: &[u8]) -> Result<domain::Source, CodecError> {
    read(bytes, |s: SourceV1| domain::Source {
        slug: s.slug,
        title: s.title,
        url: s.url,
        publisher: s.publisher,
        published: s.published,
        reference: s.reference,
        archived: None,
        archived_at: None,
        not_archived: None,
    })
}

/// Decodes a stored membership of any readable version.
pub(super) fn membership(bytes: &[u8]) -> Result<domain::Membership, CodecError> {
    read(bytes, |m: MembershipV1| domain::Membership {
        slug: m.slug,
        process: m.process,
        actor: m.actor,
        role: m.role,
        since: m.since,
        since_qualifier: None,
        until: m.until,
        sources: m.sources,
        notes: m.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// The bytes format version 1 wrote for a value: its encoding behind the version byte 1.
    fn written_by_version_1<T: Serialize>(v: &T) -> Vec<u8> {
        let mut bytes = codec::encode(v).unwrap();
        bytes[0] = 1;
        bytes
    }

    fn slug(s: &str) -> Slug {
        Slug::parse(s).unwrap()
    }

    #[test]
    fn a_source_written_by_format_version_1_reads_with_no_archived_copy() {
        // The version-1 layout, field by field, as a tuple serialises it.
        let v1 = (
            slug("seed-000"),
            "News item",
            Some("https://x.example/a"),
            None::<String>,
            None::<PartialDate>,
            None::<String>,
        );
        let s = source(&written_by_version_1(&v1)).unwrap();
        assert_eq!(
            (s.slug.as_str(), s.title.as_str(), s.url.as_deref()),
            ("seed-000", "News item", Some("https://x.example/a"))
        );
        assert_eq!((&s.archived, s.archived_at, &s.not_archived), (&None, None, &None));
        // The current layout round-trips through the same function.
        let now = domain::Source { archived: Some("sources/pages/a.txt".into()), ..s };
        assert_eq!(source(&codec::encode(&now).unwrap()).unwrap(), now);
    }

    #[test]
    fn a_membership_written_by_format_version_1_reads_with_no_start_qualifier() {
        let since = PartialDate::parse("2016-11-21").unwrap();
        let v1 = (
            slug("kp-member-de"),
            slug("kp"),
            slug("de"),
            MembershipRole::Member,
            Some(since),
            None::<PartialDate>,
            vec![slug("seed-002")],
            Vec::<Note>::new(),
        );
        let m = membership(&written_by_version_1(&v1)).unwrap();
        assert_eq!((m.slug.as_str(), m.since, m.since_qualifier, m.until), ("kp-member-de", Some(since), None, None));
        assert_eq!(m.sources, vec![slug("seed-002")]);
        let now = domain::Membership { since_qualifier: Some(domain::SinceQualifier::NoLaterThan), ..m };
        assert_eq!(membership(&codec::encode(&now).unwrap()).unwrap(), now);
    }

    #[test]
    fn version_1_bytes_do_not_decode_with_the_current_source_layout() {
        // Why the former shape is needed: read as the current layout, the old bytes run short.
        let v1 = (slug("seed-000"), "News item", None::<String>, None::<String>, None::<PartialDate>, None::<String>);
        let mut bytes = written_by_version_1(&v1);
        bytes[0] = codec::FORMAT_VERSION;
        assert!(codec::decode::<domain::Source>(&bytes).is_err());
    }
}
