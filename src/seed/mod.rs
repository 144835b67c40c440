//! Loading the dataset from the seed files in `seed/`.
//!
//! Reading is all-or-nothing: every file is read, every record converted and the whole
//! [`Dataset`] validated before anything is returned, and a failure reports every problem found,
//! each located as `seed/meetings.json: meeting '<slug>': <field>: <what>`. [`export`] writes a
//! dataset back in the same format; writing to the store is the store's job.

mod files;
pub mod reference;
#[cfg(any(test, feature = "bench-hooks"))]
pub mod synthetic;
pub mod writer;

use crate::domain::{self, Collection, Dataset, PartialDate, Problem, Slug};
use files::*;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A validated dataset and the version of the files it came from.
#[derive(Debug, Clone)]
pub struct Seed {
    /// The records.
    pub dataset: Dataset,
    /// A digest of the seed files: it changes whenever any of them changes.
    pub version: String,
}

/// Why the seed directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The files were read but hold problems; nothing was loaded.
    #[error("{} problem(s) in the seed files:\n{}", .0.len(), .0.join("\n"))]
    Invalid(Vec<String>),
}

/// Reads, converts and validates every seed file in `dir`.
pub fn load(dir: &Path) -> Result<Seed, SeedError> {
    parse(&dir.display().to_string(), &read_files(dir, std::fs::read_to_string)?)
}

/// Each seed file in `dir`, in the order of [`Collection::ALL`], as `read` gives it.
fn read_files<T>(dir: &Path, read: impl Fn(PathBuf) -> std::io::Result<T>) -> Result<Vec<T>, SeedError> {
    Collection::ALL
        .iter()
        .map(|c| {
            let path = dir.join(c.file_name());
            read(path.clone()).map_err(|source| SeedError::Io { path, source })
        })
        .collect()
}

/// The version of the seed files in `dir`, as [`load`] would report it, from their bytes alone:
/// nothing is parsed or validated, so it costs a read and a digest (a fifth of a second for
/// 96 MB, where [`load`] takes seconds). A server opening a seeded store compares it with the
/// store's seed version to tell whether the files changed since.
pub fn version_of(dir: &Path) -> Result<String, SeedError> {
    Ok(digest(read_files(dir, std::fs::read)?.iter().map(Vec::as_slice)))
}

/// The digest of the seed files' contents, given in the order of [`Collection::ALL`].
fn digest<'a>(texts: impl Iterator<Item = &'a [u8]>) -> String {
    let mut hasher = Sha256::new();
    for (c, text) in Collection::ALL.iter().zip(texts) {
        // The file name goes into the digest too, so moving content between files changes it.
        hasher.update(c.file_name().as_bytes());
        hasher.update([0]);
        hasher.update(text);
        hasher.update([0]);
    }
    hex::encode(&hasher.finalize()[..8])
}

/// Converts and validates the seed files' texts, given in the order of [`Collection::ALL`];
/// `dir` only locates the problems. [`load`] after reading the files, and the fuzz target for
/// the loader ([`crate::fuzzing::seed_file`]), which has no files.
pub fn parse(dir: &str, texts: &[String]) -> Result<Seed, SeedError> {
    if texts.len() != Collection::ALL.len() {
        return Err(SeedError::Invalid(vec![format!(
            "{dir}: {} seed files given, {} expected",
            texts.len(),
            Collection::ALL.len()
        )]));
    }
    let version = digest(texts.iter().map(String::as_bytes));
    let mut loader = Loader { dir: dir.to_owned(), errors: Vec::new() };
    let dataset = Dataset {
        sources: loader.file(Collection::Sources, &texts[0], Loader::source),
        states: loader.file(Collection::States, &texts[1], Loader::state),
        organizations: loader.file(Collection::Organizations, &texts[2], Loader::organization),
        processes: loader.file(Collection::Processes, &texts[3], Loader::process),
        memberships: loader.file(Collection::Memberships, &texts[4], Loader::membership),
        chairmanships: loader.file(Collection::Chairmanships, &texts[5], Loader::chairmanship),
        meetings: loader.file(Collection::Meetings, &texts[6], Loader::meeting),
        documents: loader.file(Collection::Documents, &texts[7], Loader::document),
        commitments: loader.file(Collection::Commitments, &texts[8], Loader::commitment),
        people: loader.file(Collection::People, &texts[9], Loader::person),
    };
    // Referential checks on a partly converted dataset would report echoes of the shape errors
    // (an "unknown actor" whose record failed to parse), so they run only on clean input.
    if loader.errors.is_empty() {
        let located: Vec<String> = domain::validate(&dataset).iter().map(|p| loader.located(p)).collect();
        loader.errors.extend(located);
    }
    if loader.errors.is_empty() {
        Ok(Seed { dataset, version })
    } else {
        Err(SeedError::Invalid(loader.errors))
    }
}

/// Converts records and collects every error, located by file, record and field.
struct Loader {
    dir: String,
    errors: Vec<String>,
}

/// The record being converted, for locating its errors.
struct At {
    collection: Collection,
    record: String,
    problems: Vec<Problem>,
}

impl At {
    fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            kind: domain::ProblemKind::Invalid,
            collection: self.collection,
            record: self.record.clone(),
            field: field.into(),
            message: message.into(),
        });
    }

    fn slug(&mut self, field: &str, s: &str) -> Slug {
        Slug::parse(s).unwrap_or_else(|e| {
            self.fail(field, format!("'{}': {e}", truncate(s)));
            Slug::parse("invalid").expect("a constant slug")
        })
    }

    fn slugs(&mut self, field: &str, v: &[String]) -> Vec<Slug> {
        v.iter().enumerate().map(|(i, s)| self.slug(&format!("{field}[{i}]"), s)).collect()
    }

    fn date(&mut self, field: &str, s: Option<&str>) -> Option<PartialDate> {
        s.and_then(|s| PartialDate::parse(s).map_err(|e| self.fail(field, e.to_string())).ok())
    }

    /// Parses an enum value by its SCREAMING_SNAKE_CASE name, through the domain type's serde.
    fn variant<T: DeserializeOwned>(&mut self, field: &str, s: &str) -> Option<T> {
        serde_json::from_value(serde_json::Value::String(s.to_owned()))
            .map_err(|_| self.fail(field, format!("unknown value '{}'", truncate(s))))
            .ok()
    }

    fn notes(&mut self, v: Vec<NoteFile>) -> Vec<domain::Note> {
        v.into_iter()
            .enumerate()
            .filter_map(|(i, n)| {
                Some(domain::Note {
                    kind: self.variant(&format!("notes[{i}].kind"), &n.kind)?,
                    field: n.field,
                    sources: self.slugs(&format!("notes[{i}].sources"), &n.sources),
                    text: n.text,
                })
            })
            .collect()
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(60).flat_map(char::escape_default).collect()
}

impl Loader {
    fn located(&self, p: &Problem) -> String {
        format!("{}/{}: {p}", self.dir, p.collection.file_name())
    }

    /// Parses one file: a JSON array whose elements are converted one by one, so that one bad
    /// record does not hide the problems of the others.
    fn file<F: DeserializeOwned, T>(
        &mut self,
        c: Collection,
        text: &str,
        convert: fn(&mut At, F) -> Option<T>,
    ) -> Vec<Arc<T>> {
        let where_ = format!("{}/{}", self.dir, c.file_name());
        let values: Vec<serde_json::Value> = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                self.errors.push(format!("{where_}: not a JSON array of records: {e}"));
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(values.len());
        for (i, value) in values.into_iter().enumerate() {
            let key = ["slug", "code"]
                .iter()
                .find_map(|k| value.get(k).and_then(|v| v.as_str()))
                .map_or_else(|| format!("#{i}"), str::to_owned);
            let mut at = At { collection: c, record: key, problems: Vec::new() };
            match serde_json::from_value::<F>(value) {
                Err(e) => at.fail("", e.to_string()),
                Ok(file) => {
                    if let Some(t) = convert(&mut at, file) {
                        if at.problems.is_empty() {
                            out.push(Arc::new(t));
                        }
                    }
                }
            }
            let located: Vec<String> = at.problems.iter().map(|p| self.located(p)).collect();
            self.errors.extend(located);
        }
        out
    }

    fn source(at: &mut At, f: SourceFile) -> Option<domain::Source> {
        Some(domain::Source {
            slug: at.slug("slug", &f.slug),
            published: at.date("published", f.published.as_deref()),
            title: f.title,
            url: f.url,
            archived_at: at.date("archivedAt", f.archived_at.as_deref()),
            publisher: f.publisher,
            reference: f.reference,
            archived: f.archived,
            not_archived: f.not_archived,
        })
    }

    fn state(at: &mut At, f: StateFile) -> Option<domain::State> {
        Some(domain::State {
            slug: at.slug("slug", &f.slug),
            sources: at.slugs("sources", &f.sources),
            notes: at.notes(f.notes),
            name: f.name,
            iso2: f.iso2,
            iso3: f.iso3,
            continent: at.variant("continent", &f.continent)?,
        })
    }

    fn organization(at: &mut At, f: OrganizationFile) -> Option<domain::Organization> {
        Some(domain::Organization {
            slug: at.slug("slug", &f.slug),
            sources: at.slugs("sources", &f.sources),
            notes: at.notes(f.notes),
            part_of: f.part_of.as_deref().map(|p| at.slug("partOf", p)),
            name: f.name,
            acronym: f.acronym,
            description: f.description,
        })
    }

    fn process(at: &mut At, f: ProcessFile) -> Option<domain::Process> {
        Some(domain::Process {
            slug: at.slug("slug", &f.slug),
            established: at.date("established", f.established.as_deref()),
            sources: at.slugs("sources", &f.sources),
            notes: at.notes(f.notes),
            name: f.name,
            alias: f.alias,
            description: f.description,
        })
    }

    fn membership(at: &mut At, f: MembershipFile) -> Option<domain::Membership> {
        Some(domain::Membership {
            slug: at.slug("slug", &f.slug),
            process: at.slug("process", &f.process),
            actor: at.slug("actor", &f.actor),
            since: at.date("since", f.since.as_deref()),
            since_qualifier: match f.since_qualifier {
                Some(q) => Some(at.variant("sinceQualifier", &q)?),
                None => None,
            },
            since_no_later_than: at.date("sinceNoLaterThan", f.since_no_later_than.as_deref()),
            until: at.date("until", f.until.as_deref()),
            sources: at.slugs("sources", &f.sources),
            notes: at.notes(f.notes),
            role: at.variant("role", &f.role)?,
        })
    }

    fn chairmanship(at: &mut At, f: ChairmanshipFile) -> Option<domain::Chairmanship> {
        Some(domain::Chairmanship {
            slug: at.slug("slug", &f.slug),
            process: at.slug("process", &f.process),
            chair: at.slug("chair", &f.chair),
            start: at.date("start", f.start.as_deref()),
            end: at.date("end", f.end.as_deref()),
            sources: at.slugs("sources", &f.sources),
            notes: at.notes(f.notes),
            person: f.person.as_deref().map(|p| at.slug("person", p)),
            chairperson: f.chairperson,
        })
    }

    fn meeting(at: &mut At, f: MeetingFile) -> Option<domain::Meeting> {
        let participations = f
            .participations
            .into_iter()
            .enumerate()
            .filter_map(|(i, p)| {
                Some(domain::Participation {
                    actor: at.slug(&format!("participations[{i}].actor"), &p.actor),
                    role: at.variant(&format!("participations[{i}].role"), &p.role)?,
                    sources: at.slugs(&format!("participations[{i}].sources"), &p.sources),
                    people: at.slugs(&format!("participations[{i}].people"), &p.people),
                    person: p.person,
                    inferred: p.inferred,
                    note: p.note,
                })
            })
            .collect();
        let related = f
            .related
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| {
                Some(domain::Relation {
                    kind: at.variant(&format!("related[{i}].kind"), &r.kind)?,
                    meeting: at.slug(&format!("related[{i}].meeting"), &r.meeting),
                })
            })
            .collect();
        let start_date = at.date("startDate", Some(&f.start_date));
        Some(domain::Meeting {
            slug: at.slug("slug", &f.slug),
            end_date: at.date("endDate", f.end_date.as_deref()),
            country: f.country.as_deref().map(|c| at.slug("country", c)),
            processes: at.slugs("processes", &f.processes),
            sources: at.slugs("sources", &f.sources),
            notes: at.notes(f.notes),
            participations,
            related,
            title: f.title,
            online: f.online,
            city: f.city,
            attendance: f.attendance,
            summary: f.summary,
            domains: f.domains,
            kind: at.variant("kind", &f.kind)?,
            start_date: start_date?,
        })
    }

    fn document(at: &mut At, f: DocumentFile) -> Option<domain::Document> {
        Some(domain::Document {
            slug: at.slug("slug", &f.slug),
            adopted: at.date("adopted", f.adopted.as_deref()),
            adopted_at: f.adopted_at.as_deref().map(|m| at.slug("adoptedAt", m)),
            processes: at.slugs("processes", &f.processes),
            sources: at.slugs("sources", &f.sources),
            notes: at.notes(f.notes),
            domains: f.domains.into_iter().map(|d| domain::Domain { number: d.number, title: d.title }).collect(),
            title: f.title,
            summary: f.summary,
            kind: at.variant("kind", &f.kind)?,
        })
    }

    fn commitment(at: &mut At, f: CommitmentFile) -> Option<domain::Commitment> {
        Some(domain::Commitment {
            document: at.slug("document", &f.document),
            sources: at.slugs("sources", &f.sources),
            notes: at.notes(f.notes),
            code: f.code,
            domain: f.domain,
            number: f.number,
            title: f.title,
            text: f.text,
            kind: at.variant("kind", &f.kind)?,
        })
    }

    fn person(at: &mut At, f: PersonFile) -> Option<domain::Person> {
        let posts = f
            .posts
            .into_iter()
            .enumerate()
            .map(|(i, p)| domain::Post {
                actor: at.slug(&format!("posts[{i}].actor"), &p.actor),
                start: at.date(&format!("posts[{i}].start"), p.start.as_deref()),
                end: at.date(&format!("posts[{i}].end"), p.end.as_deref()),
                sources: at.slugs(&format!("posts[{i}].sources"), &p.sources),
                title: p.title,
            })
            .collect();
        Some(domain::Person {
            slug: at.slug("slug", &f.slug),
            sources: at.slugs("sources", &f.sources),
            notes: at.notes(f.notes),
            name: f.name,
            posts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_from_the_bytes_alone_is_the_version_load_reports() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
        assert_eq!(version_of(&dir).unwrap(), load(&dir).unwrap().version);
    }

    #[test]
    fn the_version_from_the_bytes_changes_with_one_byte_of_one_file() {
        let dir = tempfile::tempdir().unwrap();
        for c in Collection::ALL {
            std::fs::write(dir.path().join(c.file_name()), "[]").unwrap();
        }
        let before = version_of(dir.path()).unwrap();
        std::fs::write(dir.path().join("meetings.json"), "[ ]").unwrap();
        assert_ne!(version_of(dir.path()).unwrap(), before);
        std::fs::remove_file(dir.path().join("states.json")).unwrap();
        assert!(matches!(version_of(dir.path()), Err(SeedError::Io { .. })));
    }
}
