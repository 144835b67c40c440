//! The seed files' JSON shapes. They are kept apart from the domain types because they carry
//! JSON-only niceties (optional fields, defaults, camelCase, unknown fields rejected) and keep
//! raw strings, so that a malformed slug or date is reported with its record and field.

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    pub slug: String,
    pub title: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub reference: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteFile {
    pub kind: String,
    pub field: Option<String>,
    pub text: String,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    pub slug: String,
    pub name: String,
    pub iso2: String,
    pub iso3: String,
    pub continent: String,
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Vec<NoteFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationFile {
    pub slug: String,
    pub name: String,
    pub acronym: Option<String>,
    pub description: Option<String>,
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Vec<NoteFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessFile {
    pub slug: String,
    pub name: String,
    pub alias: Option<String>,
    pub established: Option<String>,
    pub description: Option<String>,
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Vec<NoteFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipFile {
    pub slug: String,
    pub process: String,
    pub actor: String,
    pub role: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Vec<NoteFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChairmanshipFile {
    pub slug: String,
    pub process: String,
    pub chair: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub chairperson: Option<String>,
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Vec<NoteFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipationFile {
    pub actor: String,
    pub role: String,
    pub person: Option<String>,
    #[serde(default)]
    pub inferred: bool,
    pub note: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationFile {
    pub kind: String,
    pub meeting: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MeetingFile {
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub online: bool,
    pub city: Option<String>,
    pub country: Option<String>,
    pub processes: Vec<String>,
    #[serde(default)]
    pub participations: Vec<ParticipationFile>,
    pub attendance: Option<u32>,
    pub summary: Option<String>,
    #[serde(default)]
    pub domains: Vec<u8>,
    #[serde(default)]
    pub related: Vec<RelationFile>,
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Vec<NoteFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainFile {
    pub number: u8,
    pub title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DocumentFile {
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub adopted: Option<String>,
    pub adopted_at: Option<String>,
    #[serde(default)]
    pub processes: Vec<String>,
    #[serde(default)]
    pub domains: Vec<DomainFile>,
    pub summary: Option<String>,
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Vec<NoteFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentFile {
    pub code: String,
    pub kind: String,
    pub document: String,
    pub domain: Option<u8>,
    pub number: Option<u8>,
    pub title: Option<String>,
    pub text: String,
    pub sources: Vec<String>,
    #[serde(default)]
    pub notes: Vec<NoteFile>,
}
