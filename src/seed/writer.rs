//! Writing a dataset back in the seed format, so that what was curated through the API can be
//! committed to `seed/` and rebuild the store from scratch.
//!
//! Records are written in the order they are given (the read model's API order, when the CLI
//! exports), two-space indented, with absent values and empty lists left out. Seeding from the
//! files and exporting again gives the same bytes.

use super::files::*;
use super::SeedError;
use crate::domain::{self, variant_name as name, Collection, Dataset, Slug};
use serde::Serialize;
use std::path::Path;

/// The seed files of a dataset: each file's name and its text.
pub fn render(ds: &Dataset) -> Vec<(&'static str, String)> {
    vec![
        (Collection::Sources.file_name(), json(ds.sources.iter().map(|r| source(r)))),
        (Collection::States.file_name(), json(ds.states.iter().map(|r| state(r)))),
        (Collection::Organizations.file_name(), json(ds.organizations.iter().map(|r| organization(r)))),
        (Collection::Processes.file_name(), json(ds.processes.iter().map(|r| process(r)))),
        (Collection::Memberships.file_name(), json(ds.memberships.iter().map(|r| membership(r)))),
        (Collection::Chairmanships.file_name(), json(ds.chairmanships.iter().map(|r| chairmanship(r)))),
        (Collection::Meetings.file_name(), json(ds.meetings.iter().map(|r| meeting(r)))),
        (Collection::Documents.file_name(), json(ds.documents.iter().map(|r| document(r)))),
        (Collection::Commitments.file_name(), json(ds.commitments.iter().map(|r| commitment(r)))),
        (Collection::People.file_name(), json(ds.people.iter().map(|r| person(r)))),
    ]
}

/// Writes the seed files of a dataset into `dir`, creating it if needed. Each file is written to
/// a temporary name and renamed, so a failed export never leaves a half-written file.
pub fn write(ds: &Dataset, dir: &Path) -> Result<(), SeedError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| SeedError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for (name, text) in render(ds) {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
    }
    Ok(())
}

fn json<T: Serialize>(records: impl Iterator<Item = T>) -> String {
    let records: Vec<T> = records.collect();
    // Serialising plain structs of strings, numbers and lists cannot fail.
    let mut text = serde_json::to_string_pretty(&records).unwrap_or_default();
    text.push('\n');
    text
}

fn strings(v: &[Slug]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

fn date(d: Option<domain::PartialDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn notes(v: &[domain::Note]) -> Vec<NoteFile> {
    v.iter()
        .map(|n| NoteFile {
            kind: name(&n.kind),
            field: n.field.clone(),
            text: n.text.clone(),
            sources: strings(&n.sources),
        })
        .collect()
}

fn source(s: &domain::Source) -> SourceFile {
    SourceFile {
        slug: s.slug.to_string(),
        title: s.title.clone(),
        url: s.url.clone(),
        publisher: s.publisher.clone(),
        published: date(s.published),
        reference: s.reference.clone(),
        archived: s.archived.clone(),
        archived_at: date(s.archived_at),
        not_archived: s.not_archived.clone(),
    }
}

fn state(s: &domain::State) -> StateFile {
    StateFile {
        slug: s.slug.to_string(),
        name: s.name.clone(),
        iso2: s.iso2.clone(),
        iso3: s.iso3.clone(),
        continent: name(&s.continent),
        sources: strings(&s.sources),
        notes: notes(&s.notes),
    }
}

fn organization(o: &domain::Organization) -> OrganizationFile {
    OrganizationFile {
        slug: o.slug.to_string(),
        name: o.name.clone(),
        acronym: o.acronym.clone(),
        description: o.description.clone(),
        part_of: o.part_of.as_ref().map(ToString::to_string),
        sources: strings(&o.sources),
        notes: notes(&o.notes),
    }
}

fn process(p: &domain::Process) -> ProcessFile {
    ProcessFile {
        slug: p.slug.to_string(),
        name: p.name.clone(),
        alias: p.alias.clone(),
        established: date(p.established),
        description: p.description.clone(),
        sources: strings(&p.sources),
        notes: notes(&p.notes),
    }
}

fn membership(m: &domain::Membership) -> MembershipFile {
    MembershipFile {
        slug: m.slug.to_string(),
        process: m.process.to_string(),
        actor: m.actor.to_string(),
        role: name(&m.role),
        since: date(m.since),
        since_qualifier: m.since_qualifier.as_ref().map(name),
        since_no_later_than: date(m.since_no_later_than),
        until: date(m.until),
        sources: strings(&m.sources),
        notes: notes(&m.notes),
    }
}

fn chairmanship(t: &domain::Chairmanship) -> ChairmanshipFile {
    ChairmanshipFile {
        slug: t.slug.to_string(),
        process: t.process.to_string(),
        chair: t.chair.to_string(),
        start: date(t.start),
        end: date(t.end),
        chairperson: t.chairperson.clone(),
        person: t.person.as_ref().map(ToString::to_string),
        sources: strings(&t.sources),
        notes: notes(&t.notes),
    }
}

fn meeting(m: &domain::Meeting) -> MeetingFile {
    MeetingFile {
        slug: m.slug.to_string(),
        title: m.title.clone(),
        kind: name(&m.kind),
        start_date: m.start_date.to_string(),
        end_date: date(m.end_date),
        online: m.online,
        city: m.city.clone(),
        country: m.country.as_ref().map(ToString::to_string),
        processes: strings(&m.processes),
        participations: m
            .participations
            .iter()
            .map(|p| ParticipationFile {
                actor: p.actor.to_string(),
                role: name(&p.role),
                person: p.person.clone(),
                people: strings(&p.people),
                inferred: p.inferred,
                note: p.note.clone(),
                sources: strings(&p.sources),
            })
            .collect(),
        attendance: m.attendance,
        summary: m.summary.clone(),
        domains: m.domains.clone(),
        related: m
            .related
            .iter()
            .map(|r| RelationFile { kind: name(&r.kind), meeting: r.meeting.to_string() })
            .collect(),
        sources: strings(&m.sources),
        notes: notes(&m.notes),
    }
}

fn document(d: &domain::Document) -> DocumentFile {
    DocumentFile {
        slug: d.slug.to_string(),
        title: d.title.clone(),
        kind: name(&d.kind),
        adopted: date(d.adopted),
        adopted_at: d.adopted_at.as_ref().map(ToString::to_string),
        processes: strings(&d.processes),
        domains: d.domains.iter().map(|x| DomainFile { number: x.number, title: x.title.clone() }).collect(),
        summary: d.summary.clone(),
        sources: strings(&d.sources),
        notes: notes(&d.notes),
    }
}

fn person(p: &domain::Person) -> PersonFile {
    PersonFile {
        slug: p.slug.to_string(),
        name: p.name.clone(),
        posts: p
            .posts
            .iter()
            .map(|x| PostFile {
                title: x.title.clone(),
                actor: x.actor.to_string(),
                start: date(x.start),
                end: date(x.end),
                sources: strings(&x.sources),
            })
            .collect(),
        sources: strings(&p.sources),
        notes: notes(&p.notes),
    }
}

fn commitment(c: &domain::Commitment) -> CommitmentFile {
    CommitmentFile {
        code: c.code.clone(),
        kind: name(&c.kind),
        document: c.document.to_string(),
        domain: c.domain,
        number: c.number,
        title: c.title.clone(),
        text: c.text.clone(),
        sources: strings(&c.sources),
        notes: notes(&c.notes),
    }
}
