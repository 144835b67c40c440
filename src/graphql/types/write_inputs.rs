//! Inputs of the mutations, and how each becomes a domain record.
//!
//! Values are parsed here, at the edge (slugs, domains, texts); the rules that involve other
//! records (references, overlaps, duplicates) are the dataset's, checked by the curator after
//! the edit.

use super::enums::{Continent, MeetingKind, MeetingRole, MembershipRole, NoteKind};
use crate::curation::{CurationError, Draft, SourceDraft};
use crate::domain::{self, PartialDate, Slug};
use async_graphql::{InputObject, MaybeUndefined};

type Res<T> = Result<T, CurationError>;

/// The longest text a write accepts in one field; summaries are a paragraph, not a document.
pub const MAX_TEXT: usize = 4_000;

/// A source as a write names it. A source with the same `url` (or, without one, the same title,
/// publisher and date) is reused; otherwise a new source is created, keyed by its address.
#[derive(InputObject, Clone)]
pub struct SourceInput {
    /// A short title of the document or page.
    pub title: String,
    /// The page's public address.
    pub url: Option<String>,
    /// Who published it.
    pub publisher: Option<String>,
    /// When it was published.
    pub published: Option<PartialDate>,
    /// A file name or other reference.
    pub reference: Option<String>,
}

/// A remark on a record: an inference, a conflict between sources, or an editorial note.
#[derive(InputObject, Clone)]
pub struct NoteInput {
    /// What kind of remark.
    pub kind: NoteKind,
    /// The field it is about, as named in the seed files ('startDate'), if any.
    pub field: Option<String>,
    /// The remark, in your own words.
    pub text: String,
    /// Sources behind the remark, when they differ from the record's.
    pub sources: Option<Vec<SourceInput>>,
}

/// An actor's role at a meeting.
#[derive(InputObject, Clone)]
pub struct ParticipationInput {
    /// Actor slug.
    pub actor: String,
    /// The role held.
    pub role: MeetingRole,
    /// The person who acted for the actor, where a source names one.
    pub person: Option<String>,
    /// The slugs of the people's records (`Query.people`), where the person has one.
    pub people: Option<Vec<String>>,
    /// Whether the role is inferred rather than stated by a source (then add a note saying why).
    pub inferred: Option<bool>,
    /// A remark, for instance the basis of an inference.
    pub note: Option<String>,
    /// Sources of this participation, when they differ from the meeting's.
    pub sources: Option<Vec<SourceInput>>,
}

/// A new meeting.
#[derive(InputObject, Clone)]
pub struct CreateMeetingInput {
    /// `<yyyy>-<mm>-<place>-<topic>`, e.g. '2026-03-rome-som'.
    pub slug: String,
    /// The meeting's name.
    pub title: String,
    /// Its format.
    pub kind: MeetingKind,
    /// First day, at the precision known.
    pub start_date: PartialDate,
    /// Last day, for meetings of more than one day.
    pub end_date: Option<PartialDate>,
    /// Held online (then it has no city or country). Default false.
    pub online: Option<bool>,
    /// The city, for a meeting in person.
    pub city: Option<String>,
    /// State slug.
    pub country: Option<String>,
    /// Process slugs.
    pub processes: Vec<String>,
    /// Hosts, co-hosts, chairs, co-chairs and organisers.
    pub participations: Option<Vec<ParticipationInput>>,
    /// Approximate number of participants.
    pub attendance: Option<i32>,
    /// A short summary in your own words.
    pub summary: Option<String>,
    /// Action-plan domains (1-5) it dealt with.
    pub domains: Option<Vec<i32>>,
    /// Where the facts come from; at least one.
    pub sources: Vec<SourceInput>,
    /// Remarks: inferences, conflicts between sources.
    pub notes: Option<Vec<NoteInput>>,
}

/// Only the fields given are changed; `null` clears an optional field (`endDate`, `city`,
/// `country`, `attendance`, `summary`). Lists given replace the whole list.
#[derive(InputObject, Clone)]
pub struct UpdateMeetingInput {
    /// The meeting's name.
    pub title: MaybeUndefined<String>,
    /// Its format.
    pub kind: MaybeUndefined<MeetingKind>,
    /// First day.
    pub start_date: MaybeUndefined<PartialDate>,
    /// Last day; null clears it.
    pub end_date: MaybeUndefined<PartialDate>,
    /// Held online.
    pub online: MaybeUndefined<bool>,
    /// The city; null clears it.
    pub city: MaybeUndefined<String>,
    /// State slug; null clears it.
    pub country: MaybeUndefined<String>,
    /// Process slugs.
    pub processes: MaybeUndefined<Vec<String>>,
    /// Approximate number of participants; null clears it.
    pub attendance: MaybeUndefined<i32>,
    /// The summary; null clears it.
    pub summary: MaybeUndefined<String>,
    /// Action-plan domains.
    pub domains: MaybeUndefined<Vec<i32>>,
    /// Sources; replace the list (at least one).
    pub sources: MaybeUndefined<Vec<SourceInput>>,
    /// Remarks; replace the list.
    pub notes: MaybeUndefined<Vec<NoteInput>>,
}

/// A new chair term. Its slug is `<process>-<start year>-<state name>` unless given.
#[derive(InputObject, Clone)]
pub struct CreateChairmanshipInput {
    /// Process slug.
    pub process: String,
    /// State slug.
    pub chair: String,
    /// When the term began.
    pub start: PartialDate,
    /// When it ended; omit while it runs.
    pub end: Option<PartialDate>,
    /// The person who chaired on the state's behalf.
    pub chairperson: Option<String>,
    /// The slug of that person's record (`Query.people`), where they have one.
    pub person: Option<String>,
    /// Where the facts come from; at least one.
    pub sources: Vec<SourceInput>,
    /// The slug, when the derived one does not fit.
    pub slug: Option<String>,
    /// Remarks: inferences, conflicts between sources.
    pub notes: Option<Vec<NoteInput>>,
}

/// Only the fields given are changed; `null` clears `end` or `chairperson`.
#[derive(InputObject, Clone)]
pub struct UpdateChairmanshipInput {
    /// State slug of the chair.
    pub chair: MaybeUndefined<String>,
    /// When the term began.
    pub start: MaybeUndefined<PartialDate>,
    /// When it ended; null: it runs.
    pub end: MaybeUndefined<PartialDate>,
    /// The person who chaired; null clears it.
    pub chairperson: MaybeUndefined<String>,
    /// The slug of that person's record; null clears it.
    pub person: MaybeUndefined<String>,
    /// Sources; replace the list.
    pub sources: MaybeUndefined<Vec<SourceInput>>,
    /// Remarks; replace the list.
    pub notes: MaybeUndefined<Vec<NoteInput>>,
}

/// A new membership. Its slug is `<process>-<role>-<actor>` (with `-2`, `-3` for later spans)
/// unless given.
#[derive(InputObject, Clone)]
pub struct CreateMembershipInput {
    /// Process slug.
    pub process: String,
    /// Actor slug.
    pub actor: String,
    /// The role held.
    pub role: MembershipRole,
    /// From when.
    pub since: Option<PartialDate>,
    /// Until when; omit while it lasts.
    pub until: Option<PartialDate>,
    /// Where the facts come from; at least one.
    pub sources: Vec<SourceInput>,
    /// The slug, when the derived one does not fit.
    pub slug: Option<String>,
    /// Remarks.
    pub notes: Option<Vec<NoteInput>>,
}

/// Only the fields given are changed; `null` clears `since` or `until`.
#[derive(InputObject, Clone)]
pub struct UpdateMembershipInput {
    /// The role held.
    pub role: MaybeUndefined<MembershipRole>,
    /// From when; null clears it.
    pub since: MaybeUndefined<PartialDate>,
    /// Until when; null: it lasts.
    pub until: MaybeUndefined<PartialDate>,
    /// Sources; replace the list.
    pub sources: MaybeUndefined<Vec<SourceInput>>,
    /// Remarks; replace the list.
    pub notes: MaybeUndefined<Vec<NoteInput>>,
}

/// A new state. Its slug is its ISO 3166-1 alpha-2 code in lower case.
#[derive(InputObject, Clone)]
pub struct CreateStateInput {
    /// Lower-case ISO 3166-1 alpha-2 code ('ke').
    pub slug: String,
    /// The English short name.
    pub name: String,
    /// ISO 3166-1 alpha-3, upper case ('KEN').
    pub iso3: String,
    /// Africa or Europe.
    pub continent: Continent,
    /// Where the facts come from; at least one.
    pub sources: Vec<SourceInput>,
    /// Remarks.
    pub notes: Option<Vec<NoteInput>>,
}

/// Only the fields given are changed.
#[derive(InputObject, Clone)]
pub struct UpdateStateInput {
    /// The English short name.
    pub name: MaybeUndefined<String>,
    /// ISO 3166-1 alpha-3.
    pub iso3: MaybeUndefined<String>,
    /// Africa or Europe.
    pub continent: MaybeUndefined<Continent>,
    /// Sources; replace the list.
    pub sources: MaybeUndefined<Vec<SourceInput>>,
    /// Remarks; replace the list.
    pub notes: MaybeUndefined<Vec<NoteInput>>,
}

/// A new organisation.
#[derive(InputObject, Clone)]
pub struct CreateOrganizationInput {
    /// Acronym-based key ('icmpd').
    pub slug: String,
    /// The full name.
    pub name: String,
    /// The acronym.
    pub acronym: Option<String>,
    /// One sentence on what it is, in your own words.
    pub description: Option<String>,
    /// The slug of the organisation it is a part of.
    pub part_of: Option<String>,
    /// Where the facts come from; at least one.
    pub sources: Vec<SourceInput>,
    /// Remarks.
    pub notes: Option<Vec<NoteInput>>,
}

/// Only the fields given are changed; `null` clears `acronym` or `description`.
#[derive(InputObject, Clone)]
pub struct UpdateOrganizationInput {
    /// The full name.
    pub name: MaybeUndefined<String>,
    /// The acronym; null clears it.
    pub acronym: MaybeUndefined<String>,
    /// The description; null clears it.
    pub description: MaybeUndefined<String>,
    /// The slug of the organisation it is a part of; null clears it.
    pub part_of: MaybeUndefined<String>,
    /// Sources; replace the list.
    pub sources: MaybeUndefined<Vec<SourceInput>>,
    /// Remarks; replace the list.
    pub notes: MaybeUndefined<Vec<NoteInput>>,
}

/// A post a person held, as a source gives it.
#[derive(InputObject, Clone)]
pub struct PostInput {
    /// The title of the post as the source gives it.
    pub title: String,
    /// The slug of the state or organisation it was held for.
    pub actor: String,
    /// When the person took the post, where a source says.
    pub start: Option<PartialDate>,
    /// When the person left it, where a source says.
    pub end: Option<PartialDate>,
    /// Where the post is stated; at least one.
    pub sources: Vec<SourceInput>,
}

/// A new person. Its slug is the name in kebab case unless given.
#[derive(InputObject, Clone)]
pub struct CreatePersonInput {
    /// The name as the sources write it.
    pub name: String,
    /// The posts the person held.
    pub posts: Option<Vec<PostInput>>,
    /// Where the facts come from; at least one.
    pub sources: Vec<SourceInput>,
    /// The slug, when the derived one does not fit.
    pub slug: Option<String>,
    /// Remarks.
    pub notes: Option<Vec<NoteInput>>,
}

/// Only the fields given are changed.
#[derive(InputObject, Clone)]
pub struct UpdatePersonInput {
    /// The name.
    pub name: MaybeUndefined<String>,
    /// The posts; replace the list.
    pub posts: MaybeUndefined<Vec<PostInput>>,
    /// Sources; replace the list.
    pub sources: MaybeUndefined<Vec<SourceInput>>,
    /// Remarks; replace the list.
    pub notes: MaybeUndefined<Vec<NoteInput>>,
}

/// A new source, with a slug of your choice (derived from its address or title if omitted).
#[derive(InputObject, Clone)]
pub struct CreateSourceInput {
    /// The key records cite it by.
    pub slug: Option<String>,
    /// A short title of the document or page.
    pub title: String,
    /// The page's public address.
    pub url: Option<String>,
    /// Who published it.
    pub publisher: Option<String>,
    /// When it was published.
    pub published: Option<PartialDate>,
    /// A file name or other reference.
    pub reference: Option<String>,
}

/// Only the fields given are changed; `null` clears an optional field.
#[derive(InputObject, Clone)]
pub struct UpdateSourceInput {
    /// A short title.
    pub title: MaybeUndefined<String>,
    /// The address; null clears it.
    pub url: MaybeUndefined<String>,
    /// The publisher; null clears it.
    pub publisher: MaybeUndefined<String>,
    /// The publication date; null clears it.
    pub published: MaybeUndefined<PartialDate>,
    /// The reference; null clears it.
    pub reference: MaybeUndefined<String>,
}

/// A required text: trimmed, not empty, not longer than [`MAX_TEXT`].
pub fn text(field: &str, s: String) -> Res<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(CurationError::Invalid(format!("{field}: cannot be empty")));
    }
    if t.len() > MAX_TEXT || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(CurationError::Invalid(format!("{field}: at most {MAX_TEXT} bytes, without control characters")));
    }
    Ok(t.to_owned())
}

/// An optional text, with the same rules; empty counts as absent.
pub fn opt_text(field: &str, s: Option<String>) -> Res<Option<String>> {
    s.filter(|s| !s.trim().is_empty()).map(|s| text(field, s)).transpose()
}

/// A field of an update input that the record cannot be without: absent keeps it, a value sets
/// it, and `null` is refused rather than silently ignored (to keep the field, leave it out).
pub fn given<T>(field: &str, value: MaybeUndefined<T>) -> Res<Option<T>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Err(CurationError::Invalid(format!(
            "{field}: cannot be null; leave it out to keep its value (a list can be given as [] where empty is allowed)"
        ))),
        MaybeUndefined::Value(v) => Ok(Some(v)),
    }
}

/// A partial update of an optional field: `Undefined` keeps it, `null` clears it.
pub fn update<T>(target: &mut Option<T>, value: MaybeUndefined<T>) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => *target = None,
        MaybeUndefined::Value(v) => *target = Some(v),
    }
}

/// The reference of a partial update parsed as a slug: absent stays absent, `null` clears.
pub fn slug_update(field: &str, value: MaybeUndefined<String>) -> Res<MaybeUndefined<Slug>> {
    Ok(match value {
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Value(s) => MaybeUndefined::Value(Draft::slug(field, &s)?),
    })
}

/// Converts the value of a partial update, if it has one.
fn try_map<T, U>(value: MaybeUndefined<T>, f: impl FnOnce(T) -> Res<U>) -> Res<MaybeUndefined<U>> {
    Ok(match value {
        MaybeUndefined::Value(v) => MaybeUndefined::Value(f(v)?),
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
    })
}

/// [`update`] for a text field, checked by [`opt_text`].
pub fn update_text(field: &str, target: &mut Option<String>, value: MaybeUndefined<String>) -> Res<()> {
    let value = match value {
        MaybeUndefined::Value(v) => opt_text(field, Some(v))?.map_or(MaybeUndefined::Null, MaybeUndefined::Value),
        other => other,
    };
    update(target, value);
    Ok(())
}

fn slugs(field: &str, v: Vec<String>) -> Res<Vec<Slug>> {
    v.iter().enumerate().map(|(i, s)| Draft::slug(&format!("{field}[{i}]"), s)).collect()
}

/// Action-plan domain numbers, each 1 to 5, without repeats, in the order given.
fn domains(v: Vec<i32>) -> Res<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    for (i, d) in v.into_iter().enumerate() {
        let n = super::domain_number(Some(d)).ok().flatten().ok_or_else(|| {
            CurationError::Invalid(format!("domains[{i}]: there is no domain {d}; domains are numbered 1 to 5"))
        })?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

fn attendance(v: i32) -> Res<u32> {
    u32::try_from(v)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CurationError::Invalid(format!("attendance: {v} is not a positive number of participants")))
}

impl From<SourceInput> for SourceDraft {
    fn from(s: SourceInput) -> Self {
        SourceDraft {
            title: s.title,
            url: s.url,
            publisher: s.publisher,
            published: s.published,
            reference: s.reference,
        }
    }
}

/// The slugs of the sources named, reusing or creating them.
pub fn cite(d: &mut Draft, sources: Vec<SourceInput>) -> Res<Vec<Slug>> {
    d.cite(sources.into_iter().map(Into::into).collect())
}

/// The domain notes of note inputs.
pub fn notes(d: &mut Draft, v: Option<Vec<NoteInput>>) -> Res<Vec<domain::Note>> {
    v.unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let sources = match n.sources {
                Some(s) if !s.is_empty() => cite(d, s)?,
                _ => Vec::new(),
            };
            Ok(domain::Note {
                kind: n.kind.into(),
                field: opt_text(&format!("notes[{i}].field"), n.field)?,
                text: text(&format!("notes[{i}].text"), n.text)?,
                sources,
            })
        })
        .collect()
}

/// A participation of a meeting.
pub fn participation(d: &mut Draft, i: usize, p: ParticipationInput) -> Res<domain::Participation> {
    let sources = match p.sources {
        Some(s) if !s.is_empty() => cite(d, s)?,
        _ => Vec::new(),
    };
    Ok(domain::Participation {
        actor: Draft::slug(&format!("participations[{i}].actor"), &p.actor)?,
        role: p.role.into(),
        person: opt_text(&format!("participations[{i}].person"), p.person)?,
        people: (p.people.unwrap_or_default().iter().enumerate())
            .map(|(j, s)| Draft::slug(&format!("participations[{i}].people[{j}]"), s))
            .collect::<Res<_>>()?,
        inferred: p.inferred.unwrap_or(false),
        note: opt_text(&format!("participations[{i}].note"), p.note)?,
        sources,
    })
}

impl CreateMeetingInput {
    /// The new meeting.
    pub fn into_meeting(self, d: &mut Draft) -> Res<domain::Meeting> {
        let participations = self
            .participations
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, p)| participation(d, i, p))
            .collect::<Res<_>>()?;
        Ok(domain::Meeting {
            slug: Draft::slug("slug", &self.slug)?,
            title: text("title", self.title)?,
            kind: self.kind.into(),
            start_date: self.start_date,
            end_date: self.end_date,
            online: self.online.unwrap_or(false),
            city: opt_text("city", self.city)?,
            country: self.country.map(|c| Draft::slug("country", &c)).transpose()?,
            processes: slugs("processes", self.processes)?,
            participations,
            attendance: self.attendance.map(attendance).transpose()?,
            summary: opt_text("summary", self.summary)?,
            domains: domains(self.domains.unwrap_or_default())?,
            related: Vec::new(),
            sources: cite(d, self.sources)?,
            notes: notes(d, self.notes)?,
        })
    }
}

impl UpdateMeetingInput {
    /// Applies the fields given to the meeting `slug`.
    pub fn apply(self, d: &mut Draft, slug: &str) -> Res<()> {
        let sources = given("sources", self.sources)?.map(|s| cite(d, s)).transpose()?;
        let notes = given("notes", self.notes)?.map(|n| notes(d, Some(n))).transpose()?;
        let country = try_map(self.country, |c| Draft::slug("country", &c))?;
        let attendance = try_map(self.attendance, attendance)?;
        let processes = given("processes", self.processes)?.map(|p| slugs("processes", p)).transpose()?;
        let domains = given("domains", self.domains)?.map(domains).transpose()?;
        let title = given("title", self.title)?.map(|t| text("title", t)).transpose()?;
        let m = d.get_mut::<domain::Meeting>(slug)?;
        if let Some(t) = title {
            m.title = t;
        }
        if let Some(k) = given("kind", self.kind)? {
            m.kind = k.into();
        }
        if let Some(s) = given("startDate", self.start_date)? {
            m.start_date = s;
        }
        update(&mut m.end_date, self.end_date);
        if let Some(o) = given("online", self.online)? {
            m.online = o;
        }
        update_text("city", &mut m.city, self.city)?;
        update(&mut m.country, country);
        if let Some(p) = processes {
            m.processes = p;
        }
        update(&mut m.attendance, attendance);
        update_text("summary", &mut m.summary, self.summary)?;
        if let Some(x) = domains {
            m.domains = x;
        }
        if let Some(s) = sources {
            m.sources = s;
        }
        if let Some(n) = notes {
            m.notes = n;
        }
        Ok(())
    }
}

impl CreateChairmanshipInput {
    /// The new chair term; its slug is derived from the process, the start year and the state's
    /// name unless one is given.
    pub fn into_chairmanship(self, d: &mut Draft) -> Res<domain::Chairmanship> {
        let process = Draft::slug("process", &self.process)?;
        let chair = Draft::slug("chair", &self.chair)?;
        let slug = match self.slug {
            Some(s) => Draft::slug("slug", &s)?,
            None => {
                let state = d
                    .get::<domain::State>(chair.as_str())
                    .map_err(|_| CurationError::Invalid(format!("chair: unknown state '{chair}'")))?;
                crate::curation::name_slug(&format!("{process} {} {}", self.start.year(), state.name))
                    .ok_or_else(|| CurationError::Invalid("slug: cannot derive one; give a slug".into()))?
            }
        };
        Ok(domain::Chairmanship {
            slug,
            process,
            chair,
            start: Some(self.start),
            end: self.end,
            chairperson: opt_text("chairperson", self.chairperson)?,
            person: self.person.map(|p| Draft::slug("person", &p)).transpose()?,
            sources: cite(d, self.sources)?,
            notes: notes(d, self.notes)?,
        })
    }
}

impl UpdateChairmanshipInput {
    /// Applies the fields given to the chair term `slug`.
    pub fn apply(self, d: &mut Draft, slug: &str) -> Res<()> {
        let sources = given("sources", self.sources)?.map(|s| cite(d, s)).transpose()?;
        let notes = given("notes", self.notes)?.map(|n| notes(d, Some(n))).transpose()?;
        let chair = given("chair", self.chair)?.map(|c| Draft::slug("chair", &c)).transpose()?;
        let person = slug_update("person", self.person)?;
        let t = d.get_mut::<domain::Chairmanship>(slug)?;
        if let Some(c) = chair {
            t.chair = c;
        }
        if let Some(s) = given("start", self.start)? {
            t.start = Some(s);
        }
        update(&mut t.end, self.end);
        update_text("chairperson", &mut t.chairperson, self.chairperson)?;
        update(&mut t.person, person);
        if let Some(s) = sources {
            t.sources = s;
        }
        if let Some(n) = notes {
            t.notes = n;
        }
        Ok(())
    }
}

impl CreateMembershipInput {
    /// The new membership; its slug is derived unless given.
    pub fn into_membership(self, d: &mut Draft) -> Res<domain::Membership> {
        let process = Draft::slug("process", &self.process)?;
        let actor = Draft::slug("actor", &self.actor)?;
        let role: domain::MembershipRole = self.role.into();
        let slug = match self.slug {
            Some(s) => Draft::slug("slug", &s)?,
            None => {
                let role_name = domain::variant_name(&role).to_lowercase();
                let base = crate::curation::name_slug(&format!("{process} {role_name} {actor}"))
                    .ok_or_else(|| CurationError::Invalid("slug: cannot derive one; give a slug".into()))?;
                d.free_key::<domain::Membership>(&base)
            }
        };
        Ok(domain::Membership {
            slug,
            process,
            actor,
            role,
            since: self.since,
            since_qualifier: None,
            since_no_later_than: None,
            until: self.until,
            sources: cite(d, self.sources)?,
            notes: notes(d, self.notes)?,
        })
    }
}

impl UpdateMembershipInput {
    /// Applies the fields given to the membership `slug`.
    pub fn apply(self, d: &mut Draft, slug: &str) -> Res<()> {
        let sources = given("sources", self.sources)?.map(|s| cite(d, s)).transpose()?;
        let notes = given("notes", self.notes)?.map(|n| notes(d, Some(n))).transpose()?;
        let m = d.get_mut::<domain::Membership>(slug)?;
        if let Some(r) = given("role", self.role)? {
            m.role = r.into();
        }
        if !self.since.is_undefined() {
            // A start given through the API is the start itself: the bounds recorded from the
            // seed no longer describe it.
            m.since_qualifier = None;
            m.since_no_later_than = None;
        }
        update(&mut m.since, self.since);
        update(&mut m.until, self.until);
        if let Some(s) = sources {
            m.sources = s;
        }
        if let Some(n) = notes {
            m.notes = n;
        }
        Ok(())
    }
}

impl CreateStateInput {
    /// The new state; its `iso2` is its slug in upper case.
    pub fn into_state(self, d: &mut Draft) -> Res<domain::State> {
        let slug = Draft::slug("slug", &self.slug)?;
        Ok(domain::State {
            iso2: slug.as_str().to_ascii_uppercase(),
            slug,
            name: text("name", self.name)?,
            iso3: text("iso3", self.iso3)?,
            continent: self.continent.into(),
            sources: cite(d, self.sources)?,
            notes: notes(d, self.notes)?,
        })
    }
}

impl UpdateStateInput {
    /// Applies the fields given to the state `slug`.
    pub fn apply(self, d: &mut Draft, slug: &str) -> Res<()> {
        let sources = given("sources", self.sources)?.map(|s| cite(d, s)).transpose()?;
        let notes = given("notes", self.notes)?.map(|n| notes(d, Some(n))).transpose()?;
        let name = given("name", self.name)?.map(|n| text("name", n)).transpose()?;
        let iso3 = given("iso3", self.iso3)?.map(|n| text("iso3", n)).transpose()?;
        let s = d.get_mut::<domain::State>(slug)?;
        if let Some(n) = name {
            s.name = n;
        }
        if let Some(i) = iso3 {
            s.iso3 = i;
        }
        if let Some(c) = given("continent", self.continent)? {
            s.continent = c.into();
        }
        if let Some(x) = sources {
            s.sources = x;
        }
        if let Some(n) = notes {
            s.notes = n;
        }
        Ok(())
    }
}

impl CreateOrganizationInput {
    /// The new organisation.
    pub fn into_organization(self, d: &mut Draft) -> Res<domain::Organization> {
        Ok(domain::Organization {
            slug: Draft::slug("slug", &self.slug)?,
            name: text("name", self.name)?,
            acronym: opt_text("acronym", self.acronym)?,
            description: opt_text("description", self.description)?,
            part_of: self.part_of.map(|p| Draft::slug("partOf", &p)).transpose()?,
            sources: cite(d, self.sources)?,
            notes: notes(d, self.notes)?,
        })
    }
}

impl UpdateOrganizationInput {
    /// Applies the fields given to the organisation `slug`.
    pub fn apply(self, d: &mut Draft, slug: &str) -> Res<()> {
        let sources = given("sources", self.sources)?.map(|s| cite(d, s)).transpose()?;
        let notes = given("notes", self.notes)?.map(|n| notes(d, Some(n))).transpose()?;
        let name = given("name", self.name)?.map(|n| text("name", n)).transpose()?;
        let part_of = slug_update("partOf", self.part_of)?;
        let o = d.get_mut::<domain::Organization>(slug)?;
        if let Some(n) = name {
            o.name = n;
        }
        update_text("acronym", &mut o.acronym, self.acronym)?;
        update_text("description", &mut o.description, self.description)?;
        update(&mut o.part_of, part_of);
        if let Some(x) = sources {
            o.sources = x;
        }
        if let Some(n) = notes {
            o.notes = n;
        }
        Ok(())
    }
}

/// The posts of a person.
fn posts(d: &mut Draft, v: Vec<PostInput>) -> Res<Vec<domain::Post>> {
    (v.into_iter().enumerate())
        .map(|(i, p)| {
            Ok(domain::Post {
                title: text(&format!("posts[{i}].title"), p.title)?,
                actor: Draft::slug(&format!("posts[{i}].actor"), &p.actor)?,
                start: p.start,
                end: p.end,
                sources: cite(d, p.sources)?,
            })
        })
        .collect()
}

impl CreatePersonInput {
    /// The new person.
    pub fn into_person(self, d: &mut Draft) -> Res<domain::Person> {
        let name = text("name", self.name)?;
        let slug = match self.slug {
            Some(s) => Draft::slug("slug", &s)?,
            None => crate::curation::name_slug(&name)
                .ok_or_else(|| CurationError::Invalid("slug: cannot derive one; give a slug".into()))?,
        };
        Ok(domain::Person {
            slug,
            name,
            posts: posts(d, self.posts.unwrap_or_default())?,
            sources: cite(d, self.sources)?,
            notes: notes(d, self.notes)?,
        })
    }
}

impl UpdatePersonInput {
    /// Applies the fields given to the person `slug`.
    pub fn apply(self, d: &mut Draft, slug: &str) -> Res<()> {
        let sources = given("sources", self.sources)?.map(|s| cite(d, s)).transpose()?;
        let notes = given("notes", self.notes)?.map(|n| notes(d, Some(n))).transpose()?;
        let posts = given("posts", self.posts)?.map(|p| posts(d, p)).transpose()?;
        let name = given("name", self.name)?.map(|n| text("name", n)).transpose()?;
        let p = d.get_mut::<domain::Person>(slug)?;
        if let Some(n) = name {
            p.name = n;
        }
        if let Some(x) = posts {
            p.posts = x;
        }
        if let Some(x) = sources {
            p.sources = x;
        }
        if let Some(n) = notes {
            p.notes = n;
        }
        Ok(())
    }
}

impl CreateSourceInput {
    /// The new source; its slug is derived from its address or title unless given.
    pub fn into_source(self, d: &Draft) -> Res<domain::Source> {
        let title = text("title", self.title)?;
        let url = opt_text("url", self.url)?;
        let slug = match self.slug {
            Some(s) => Draft::slug("slug", &s)?,
            None => {
                let base = crate::curation::source_slug(url.as_deref(), &title)
                    .ok_or_else(|| CurationError::Invalid("slug: cannot derive one; give a slug".into()))?;
                d.free_key::<domain::Source>(&base)
            }
        };
        Ok(domain::Source {
            slug,
            title,
            url,
            publisher: opt_text("publisher", self.publisher)?,
            published: self.published,
            reference: opt_text("reference", self.reference)?,
            archived: None,
            archived_at: None,
            not_archived: None,
        })
    }
}

impl UpdateSourceInput {
    /// Applies the fields given to the source `slug`.
    pub fn apply(self, d: &mut Draft, slug: &str) -> Res<()> {
        let title = given("title", self.title)?.map(|t| text("title", t)).transpose()?;
        let s = d.get_mut::<domain::Source>(slug)?;
        if let Some(t) = title {
            s.title = t;
        }
        update_text("url", &mut s.url, self.url)?;
        update_text("publisher", &mut s.publisher, self.publisher)?;
        update(&mut s.published, self.published);
        update_text("reference", &mut s.reference, self.reference)?;
        Ok(())
    }
}
