//! The former shapes of stored types whose layout changed, so that a store written by an older
//! build is read, not refused. bincode is not self-describing: bytes of format version 1 decode
//! only into the version-1 shape, which is then converted, filling what it lacked with "unknown".

use super::codec::{self, CodecError};
use crate::domain::{self, MeetingKind, MeetingRole, MembershipRole, Note, PartialDate, Relation, Slug};
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

/// A membership as format versions 2 and 3 stored it: without the upper bound on its start.
#[derive(Deserialize)]
struct MembershipV3 {
    slug: Slug,
    process: Slug,
    actor: Slug,
    role: MembershipRole,
    since: Option<PartialDate>,
    since_qualifier: Option<domain::SinceQualifier>,
    until: Option<PartialDate>,
    sources: Vec<Slug>,
    notes: Vec<Note>,
}

/// An organisation as format versions 1 and 2 stored it: without the organisation it is part of.
#[derive(Deserialize)]
struct OrganizationV2 {
    slug: Slug,
    name: String,
    acronym: Option<String>,
    description: Option<String>,
    sources: Vec<Slug>,
    notes: Vec<Note>,
}

/// A participation as format versions 1 and 2 stored it: without the links to people.
#[derive(Deserialize)]
struct ParticipationV2 {
    actor: Slug,
    role: MeetingRole,
    person: Option<String>,
    inferred: bool,
    note: Option<String>,
    sources: Vec<Slug>,
}

/// A meeting as format versions 1 and 2 stored it: its participations without links to people.
#[derive(Deserialize)]
struct MeetingV2 {
    slug: Slug,
    title: String,
    kind: MeetingKind,
    start_date: PartialDate,
    end_date: Option<PartialDate>,
    online: bool,
    city: Option<String>,
    country: Option<Slug>,
    processes: Vec<Slug>,
    participations: Vec<ParticipationV2>,
    attendance: Option<u32>,
    summary: Option<String>,
    domains: Vec<u8>,
    related: Vec<Relation>,
    sources: Vec<Slug>,
    notes: Vec<Note>,
}

/// A chair term as format versions 1 and 2 stored it: without the link to its chairperson's record.
#[derive(Deserialize)]
struct ChairmanshipV2 {
    slug: Slug,
    process: Slug,
    chair: Slug,
    start: Option<PartialDate>,
    end: Option<PartialDate>,
    chairperson: Option<String>,
    sources: Vec<Slug>,
    notes: Vec<Note>,
}

/// Decodes bytes of any readable version: the current layout, or, for bytes of version `last_old`
/// or older, the former shape converted.
fn read<T: DeserializeOwned, Old: DeserializeOwned>(
    bytes: &[u8],
    last_old: u8,
    from_old: impl FnOnce(Old) -> T,
) -> Result<T, CodecError> {
    if codec::version(bytes)? > last_old {
        return codec::decode(bytes);
    }
    codec::decode(bytes).map(from_old)
}

/// Decodes a stored source of any readable version.
pub(super) fn source(bytes: &[u8]) -> Result<domain::Source, CodecError> {
    read(bytes, 1, |s: SourceV1| domain::Source {
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

/// Decodes a stored membership of any readable version: version 1 without its start qualifier,
/// versions 2 and 3 without the upper bound on its start.
pub(super) fn membership(bytes: &[u8]) -> Result<domain::Membership, CodecError> {
    if codec::version(bytes)? <= 1 {
        let m: MembershipV1 = codec::decode(bytes)?;
        return Ok(domain::Membership {
            slug: m.slug,
            process: m.process,
            actor: m.actor,
            role: m.role,
            since: m.since,
            since_qualifier: None,
            since_no_later_than: None,
            until: m.until,
            sources: m.sources,
            notes: m.notes,
        });
    }
    read(bytes, 3, |m: MembershipV3| domain::Membership {
        slug: m.slug,
        process: m.process,
        actor: m.actor,
        role: m.role,
        since: m.since,
        since_qualifier: m.since_qualifier,
        since_no_later_than: None,
        until: m.until,
        sources: m.sources,
        notes: m.notes,
    })
}

/// Decodes a stored organisation of any readable version; older ones are part of none.
pub(super) fn organization(bytes: &[u8]) -> Result<domain::Organization, CodecError> {
    read(bytes, 2, |o: OrganizationV2| domain::Organization {
        slug: o.slug,
        name: o.name,
        acronym: o.acronym,
        description: o.description,
        part_of: None,
        sources: o.sources,
        notes: o.notes,
    })
}

/// Decodes a stored meeting of any readable version; older ones link no people.
pub(super) fn meeting(bytes: &[u8]) -> Result<domain::Meeting, CodecError> {
    read(bytes, 2, |m: MeetingV2| domain::Meeting {
        slug: m.slug,
        title: m.title,
        kind: m.kind,
        start_date: m.start_date,
        end_date: m.end_date,
        online: m.online,
        city: m.city,
        country: m.country,
        processes: m.processes,
        participations: m
            .participations
            .into_iter()
            .map(|p| domain::Participation {
                actor: p.actor,
                role: p.role,
                person: p.person,
                people: Vec::new(),
                inferred: p.inferred,
                note: p.note,
                sources: p.sources,
            })
            .collect(),
        attendance: m.attendance,
        summary: m.summary,
        domains: m.domains,
        related: m.related,
        sources: m.sources,
        notes: m.notes,
    })
}

/// Decodes a stored chair term of any readable version; older ones link no person.
pub(super) fn chairmanship(bytes: &[u8]) -> Result<domain::Chairmanship, CodecError> {
    read(bytes, 2, |t: ChairmanshipV2| domain::Chairmanship {
        slug: t.slug,
        process: t.process,
        chair: t.chair,
        start: t.start,
        end: t.end,
        chairperson: t.chairperson,
        person: None,
        sources: t.sources,
        notes: t.notes,
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
    fn a_membership_written_by_format_version_3_reads_with_its_qualifier_and_no_upper_bound() {
        let since = PartialDate::parse("2014-11-28").unwrap();
        let v3 = (
            slug("kp-member-ug"),
            slug("kp"),
            slug("ug"),
            MembershipRole::Member,
            Some(since),
            Some(domain::SinceQualifier::NoEarlierThan),
            None::<PartialDate>,
            vec![slug("seed-002")],
            Vec::<Note>::new(),
        );
        let mut bytes = codec::encode(&v3).unwrap();
        bytes[0] = 3;
        let m = membership(&bytes).unwrap();
        assert_eq!(
            (m.slug.as_str(), m.since, m.since_qualifier, m.since_no_later_than),
            ("kp-member-ug", Some(since), Some(domain::SinceQualifier::NoEarlierThan), None)
        );
        let now = domain::Membership { since_no_later_than: Some(PartialDate::parse("2020-03-05").unwrap()), ..m };
        assert_eq!(membership(&codec::encode(&now).unwrap()).unwrap(), now);
    }

    #[test]
    fn an_organisation_written_by_format_version_2_reads_as_part_of_none() {
        let v2 =
            (slug("ec"), "European Commission", Some("EC"), None::<String>, vec![slug("seed-002")], Vec::<Note>::new());
        let mut bytes = codec::encode(&v2).unwrap();
        bytes[0] = 2;
        let o = organization(&bytes).unwrap();
        assert_eq!((o.slug.as_str(), o.acronym.as_deref(), &o.part_of), ("ec", Some("EC"), &None));
        let now = domain::Organization { slug: slug("dg-intpa"), part_of: Some(slug("ec")), ..o };
        assert_eq!(organization(&codec::encode(&now).unwrap()).unwrap(), now);
    }

    #[test]
    fn a_chair_term_written_by_format_version_2_reads_with_no_person_linked() {
        let v2 = (
            slug("khartoum-process-2024-egypt"),
            slug("khartoum-process"),
            slug("eg"),
            Some(PartialDate::parse("2024-04-17").unwrap()),
            None::<PartialDate>,
            Some("Wael Badawi"),
            vec![slug("seed-001")],
            Vec::<Note>::new(),
        );
        let mut bytes = codec::encode(&v2).unwrap();
        bytes[0] = 2;
        let t = chairmanship(&bytes).unwrap();
        assert_eq!((t.chair.as_str(), t.chairperson.as_deref(), &t.person), ("eg", Some("Wael Badawi"), &None));
        let now = domain::Chairmanship { person: Some(slug("wael-badawi")), ..t };
        assert_eq!(chairmanship(&codec::encode(&now).unwrap()).unwrap(), now);
    }

    #[test]
    fn a_participation_written_by_format_version_2_reads_with_no_people_linked() {
        let participation =
            (slug("eg"), MeetingRole::Chair, Some("Badr Abdelatty"), false, None::<String>, Vec::<Slug>::new());
        let v2 = (
            (
                slug("2025-04-cairo-ministerial-conference"),
                "2nd Ministerial Conference",
                MeetingKind::MinisterialConference,
            ),
            (PartialDate::parse("2025-04-09").unwrap(), None::<PartialDate>, false, Some("Cairo"), Some(slug("eg"))),
            (vec![slug("khartoum-process")], vec![participation], None::<u32>, None::<String>, Vec::<u8>::new()),
            (Vec::<Relation>::new(), vec![slug("seed-000")], Vec::<Note>::new()),
        );
        let mut bytes = codec::encode(&v2).unwrap();
        bytes[0] = 2;
        let m = meeting(&bytes).unwrap();
        let p = &m.participations[0];
        assert_eq!((p.actor.as_str(), p.person.as_deref(), p.people.len()), ("eg", Some("Badr Abdelatty"), 0));
        let mut now = m.clone();
        now.participations[0].people = vec![slug("badr-abdelatty")];
        assert_eq!(meeting(&codec::encode(&now).unwrap()).unwrap(), now);
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
