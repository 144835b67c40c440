//! The nine export tables, each a pure function of the read model.
//!
//! Columns, table by table (`sources`, `source_urls` and `notes` as described in the module
//! above; `*_slug`/`*_name` pairs name both ends of a relationship):
//! - `meetings`: slug, title, kind, start_date, end_date, online, city, country_slug,
//!   country_name, latitude, longitude, geonames_id (the city's, from the gazetteer), processes, hosts, co_hosts, chairs, co_chairs, organisers (slugs), attendance,
//!   domains, summary, sources, source_urls, notes.
//! - `participations`, one row per role an actor held at a meeting: meeting_slug, meeting_title,
//!   meeting_start_date, actor_slug, actor_name, actor_kind (`state` or `organization`), role,
//!   person, inferred, note, sources, source_urls, people (the slugs of the people's records).
//!   A participation that cites no source of its own lists the meeting's, as the API's
//!   `Participation.sources` does.
//! - `chairmanships`: slug, process_slug, process_name, chair_slug, chair_name, chairperson,
//!   start, end, sources, source_urls, notes, person_slug.
//! - `memberships`: slug, process_slug, process_name, actor_slug, actor_name, actor_kind, role,
//!   since, since_qualifier (`NO_LATER_THAN`, `NO_EARLIER_THAN`, or empty when `since` is the
//!   start itself), since_no_later_than (an upper bound on the start where a source gives one),
//!   until, sources, source_urls, notes.
//! - `commitments`: code, document_slug, document_title, kind, domain, domain_title, number,
//!   title, text, sources, source_urls, notes.
//! - `states`: slug, name, iso2, iso3, continent, sources, source_urls, notes.
//! - `organizations`: slug, name, acronym, description, sources, source_urls, notes,
//!   part_of_slug (the organisation it is a part of).
//! - `people`: slug, name, sources, source_urls, notes.
//! - `posts`, one row per post a person held: person_slug, person_name, number (its place
//!   among the person's posts, from 1), title, actor_slug, actor_name, actor_kind, start, end,
//!   sources, source_urls.
//!
//! A note reads `KIND (field): text`, or `KIND: text` when it is about the whole record.

use super::{Cell, Column, ForeignKey, Schema, Table};
use crate::catalog::{ActorRef, Catalog};
use crate::domain::{variant_name as name, MeetingRole, Note, PartialDate, Slug};

/// Every table, in the order the manifest lists them.
pub fn all(cat: &Catalog) -> Vec<Table> {
    vec![
        meetings(cat),
        participations(cat),
        chairmanships(cat),
        memberships(cat),
        commitments(cat),
        states(cat),
        organizations(cat),
        people(cat),
        posts(cat),
    ]
}

/// The schema of every table, in the order of [`all`]: the single definition of the columns,
/// from which both the rows ([`Table::of`]) and the data package are made.
pub const SCHEMAS: [&Schema; 9] =
    [&MEETINGS, &PARTICIPATIONS, &CHAIRMANSHIPS, &MEMBERSHIPS, &COMMITMENTS, &STATES, &ORGANIZATIONS, &PEOPLE, &POSTS];

/// The columns every record's table ends with.
macro_rules! cited {
    () => {
        [Column::list("sources"), Column::list("source_urls"), Column::list("notes")]
    };
}

/// `meetings`: one row per meeting.
pub const MEETINGS: Schema = Schema {
    name: "meetings",
    columns: &concat_columns::<24>(
        &[
            Column::text("slug"),
            Column::text("title"),
            Column::text("kind"),
            Column::date("start_date"),
            Column::optional_date("end_date"),
            Column::boolean("online"),
            Column::optional_text("city"),
            Column::optional_text("country_slug"),
            Column::optional_text("country_name"),
            Column::optional_number("latitude"),
            Column::optional_number("longitude"),
            Column::optional_integer("geonames_id"),
            Column::list("processes"),
            Column::list("hosts"),
            Column::list("co_hosts"),
            Column::list("chairs"),
            Column::list("co_chairs"),
            Column::list("organisers"),
            Column::optional_integer("attendance"),
            Column::integers("domains"),
            Column::optional_text("summary"),
        ],
        &cited!(),
    ),
    primary_key: &["slug"],
    foreign_keys: &[ForeignKey { column: "country_slug", table: "states", to: "slug" }],
};

/// `participations`: one row per role an actor held at a meeting.
pub const PARTICIPATIONS: Schema = Schema {
    name: "participations",
    columns: &[
        Column::text("meeting_slug"),
        Column::text("meeting_title"),
        Column::date("meeting_start_date"),
        Column::text("actor_slug"),
        Column::text("actor_name"),
        Column::text("actor_kind"),
        Column::text("role"),
        Column::optional_text("person"),
        Column::boolean("inferred"),
        Column::optional_text("note"),
        Column::list("sources"),
        Column::list("source_urls"),
        Column::list("people"),
    ],
    primary_key: &["meeting_slug", "actor_slug", "role"],
    foreign_keys: &[ForeignKey { column: "meeting_slug", table: "meetings", to: "slug" }],
};

/// `chairmanships`: one row per chair term.
pub const CHAIRMANSHIPS: Schema = Schema {
    name: "chairmanships",
    columns: &concat_columns::<12>(
        &concat_columns::<11>(
            &[
                Column::text("slug"),
                Column::text("process_slug"),
                Column::text("process_name"),
                Column::text("chair_slug"),
                Column::text("chair_name"),
                Column::optional_text("chairperson"),
                Column::optional_date("start"),
                Column::optional_date("end"),
            ],
            &cited!(),
        ),
        &[Column::optional_text("person_slug")],
    ),
    primary_key: &["slug"],
    foreign_keys: &[ForeignKey { column: "person_slug", table: "people", to: "slug" }],
};

/// `memberships`: one row per membership of an actor in a process.
pub const MEMBERSHIPS: Schema = Schema {
    name: "memberships",
    columns: &concat_columns::<14>(
        &[
            Column::text("slug"),
            Column::text("process_slug"),
            Column::text("process_name"),
            Column::text("actor_slug"),
            Column::text("actor_name"),
            Column::text("actor_kind"),
            Column::text("role"),
            Column::optional_date("since"),
            Column::optional_text("since_qualifier"),
            Column::optional_date("since_no_later_than"),
            Column::optional_date("until"),
        ],
        &cited!(),
    ),
    primary_key: &["slug"],
    foreign_keys: &[],
};

/// `commitments`: one row per item of an action plan.
pub const COMMITMENTS: Schema = Schema {
    name: "commitments",
    columns: &concat_columns::<12>(
        &[
            Column::text("code"),
            Column::text("document_slug"),
            Column::optional_text("document_title"),
            Column::text("kind"),
            Column::optional_integer("domain"),
            Column::optional_text("domain_title"),
            Column::optional_integer("number"),
            Column::optional_text("title"),
            Column::text("text"),
        ],
        &cited!(),
    ),
    primary_key: &["code"],
    foreign_keys: &[],
};

/// `states`: one row per state.
pub const STATES: Schema = Schema {
    name: "states",
    columns: &concat_columns::<8>(
        &[
            Column::text("slug"),
            Column::text("name"),
            Column::text("iso2"),
            Column::text("iso3"),
            Column::text("continent"),
        ],
        &cited!(),
    ),
    primary_key: &["slug"],
    foreign_keys: &[],
};

/// `organizations`: one row per organisation.
pub const ORGANIZATIONS: Schema = Schema {
    name: "organizations",
    columns: &concat_columns::<8>(
        &concat_columns::<7>(
            &[
                Column::text("slug"),
                Column::text("name"),
                Column::optional_text("acronym"),
                Column::optional_text("description"),
            ],
            &cited!(),
        ),
        &[Column::optional_text("part_of_slug")],
    ),
    primary_key: &["slug"],
    foreign_keys: &[ForeignKey { column: "part_of_slug", table: "organizations", to: "slug" }],
};

/// Two lists of columns as one array, at compile time; `N` must be their total length, or the
/// build fails.
const fn concat_columns<const N: usize>(a: &[Column], b: &[Column]) -> [Column; N] {
    assert!(a.len() + b.len() == N, "N is the number of columns");
    let mut out = [Column::text(""); N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - a.len()];
        i += 1;
    }
    out
}

/// One row per meeting, chronological.
pub fn meetings(cat: &Catalog) -> Table {
    let mut t = Table::of(&MEETINGS);
    for (i, m) in cat.ds.meetings.iter().enumerate() {
        let place = cat.place_of(i);
        let with_role = |role: MeetingRole| {
            Cell::List(m.participations.iter().filter(|p| p.role == role).map(|p| p.actor.to_string()).collect())
        };
        let country = m.country.as_ref().and_then(|c| cat.state(c.as_str())).map(|i| &cat.ds.states[i]);
        t.rows.push(vec![
            Cell::Text(m.slug.to_string()),
            Cell::Text(m.title.clone()),
            Cell::Text(name(&m.kind)),
            Cell::Text(m.start_date.to_string()),
            date(m.end_date),
            Cell::Bool(m.online),
            Cell::opt(m.city.clone()),
            Cell::opt(m.country.as_ref().map(ToString::to_string)),
            Cell::opt(country.map(|s| s.name.clone())),
            place.map_or(Cell::Null, |p| Cell::Float(p.coordinates.latitude)),
            place.map_or(Cell::Null, |p| Cell::Float(p.coordinates.longitude)),
            place.map_or(Cell::Null, |p| Cell::Int(p.geonames_id.into())),
            slugs(&m.processes),
            with_role(MeetingRole::Host),
            with_role(MeetingRole::CoHost),
            with_role(MeetingRole::Chair),
            with_role(MeetingRole::CoChair),
            with_role(MeetingRole::Organiser),
            m.attendance.map_or(Cell::Null, |n| Cell::Int(n.into())),
            Cell::Numbers(m.domains.iter().map(|&d| d.into()).collect()),
            Cell::opt(m.summary.clone()),
            slugs(&m.sources),
            source_urls(cat, &m.sources),
            notes(&m.notes),
        ]);
    }
    t
}

/// One row per role an actor held at a meeting, meetings chronological, roles in the order
/// recorded.
pub fn participations(cat: &Catalog) -> Table {
    let mut t = Table::of(&PARTICIPATIONS);
    for m in &cat.ds.meetings {
        for p in &m.participations {
            let (actor_name, actor_kind) = actor(cat, &p.actor);
            // "Empty means the meeting's own", as the seed format and the API's field say.
            let sources = if p.sources.is_empty() { &m.sources } else { &p.sources };
            t.rows.push(vec![
                Cell::Text(m.slug.to_string()),
                Cell::Text(m.title.clone()),
                Cell::Text(m.start_date.to_string()),
                Cell::Text(p.actor.to_string()),
                actor_name,
                actor_kind,
                Cell::Text(name(&p.role)),
                Cell::opt(p.person.clone()),
                Cell::Bool(p.inferred),
                Cell::opt(p.note.clone()),
                slugs(sources),
                source_urls(cat, sources),
                slugs(&p.people),
            ]);
        }
    }
    t
}

/// One row per chair term, chronological.
pub fn chairmanships(cat: &Catalog) -> Table {
    let mut t = Table::of(&CHAIRMANSHIPS);
    for c in &cat.ds.chairmanships {
        t.rows.push(vec![
            Cell::Text(c.slug.to_string()),
            Cell::Text(c.process.to_string()),
            process_name(cat, &c.process),
            Cell::Text(c.chair.to_string()),
            actor(cat, &c.chair).0,
            Cell::opt(c.chairperson.clone()),
            date(c.start),
            date(c.end),
            slugs(&c.sources),
            source_urls(cat, &c.sources),
            notes(&c.notes),
            Cell::opt(c.person.as_ref().map(ToString::to_string)),
        ]);
    }
    t
}

/// One row per membership, by slug.
pub fn memberships(cat: &Catalog) -> Table {
    let mut t = Table::of(&MEMBERSHIPS);
    for m in &cat.ds.memberships {
        let (actor_name, actor_kind) = actor(cat, &m.actor);
        t.rows.push(vec![
            Cell::Text(m.slug.to_string()),
            Cell::Text(m.process.to_string()),
            process_name(cat, &m.process),
            Cell::Text(m.actor.to_string()),
            actor_name,
            actor_kind,
            Cell::Text(name(&m.role)),
            date(m.since),
            m.since_qualifier.as_ref().map_or(Cell::Null, |q| Cell::Text(name(q))),
            date(m.since_no_later_than),
            date(m.until),
            slugs(&m.sources),
            source_urls(cat, &m.sources),
            notes(&m.notes),
        ]);
    }
    t
}

/// One row per item of an action plan: by document, the approaches first, then by domain and
/// number.
pub fn commitments(cat: &Catalog) -> Table {
    let mut t = Table::of(&COMMITMENTS);
    for c in &cat.ds.commitments {
        let document = cat.document(c.document.as_str()).map(|i| &cat.ds.documents[i]);
        let domain_title = c
            .domain
            .and_then(|n| document.and_then(|d| d.domains.iter().find(|x| x.number == n)))
            .map(|d| d.title.clone());
        t.rows.push(vec![
            Cell::Text(c.code.clone()),
            Cell::Text(c.document.to_string()),
            Cell::opt(document.map(|d| d.title.clone())),
            Cell::Text(name(&c.kind)),
            c.domain.map_or(Cell::Null, |n| Cell::Int(n.into())),
            Cell::opt(domain_title),
            c.number.map_or(Cell::Null, |n| Cell::Int(n.into())),
            Cell::opt(c.title.clone()),
            Cell::Text(c.text.clone()),
            slugs(&c.sources),
            source_urls(cat, &c.sources),
            notes(&c.notes),
        ]);
    }
    t
}

/// One row per state, by name.
pub fn states(cat: &Catalog) -> Table {
    let mut t = Table::of(&STATES);
    for s in &cat.ds.states {
        t.rows.push(vec![
            Cell::Text(s.slug.to_string()),
            Cell::Text(s.name.clone()),
            Cell::Text(s.iso2.clone()),
            Cell::Text(s.iso3.clone()),
            Cell::Text(name(&s.continent)),
            slugs(&s.sources),
            source_urls(cat, &s.sources),
            notes(&s.notes),
        ]);
    }
    t
}

/// One row per organisation, by slug.
pub fn organizations(cat: &Catalog) -> Table {
    let mut t = Table::of(&ORGANIZATIONS);
    for o in &cat.ds.organizations {
        t.rows.push(vec![
            Cell::Text(o.slug.to_string()),
            Cell::Text(o.name.clone()),
            Cell::opt(o.acronym.clone()),
            Cell::opt(o.description.clone()),
            slugs(&o.sources),
            source_urls(cat, &o.sources),
            notes(&o.notes),
            Cell::opt(o.part_of.as_ref().map(ToString::to_string)),
        ]);
    }
    t
}

/// `people`: one row per person.
pub const PEOPLE: Schema = Schema {
    name: "people",
    columns: &concat_columns::<5>(&[Column::text("slug"), Column::text("name")], &cited!()),
    primary_key: &["slug"],
    foreign_keys: &[],
};

/// `posts`: one row per post a person held.
pub const POSTS: Schema = Schema {
    name: "posts",
    columns: &[
        Column::text("person_slug"),
        Column::text("person_name"),
        Column::integer("number"),
        Column::text("title"),
        Column::text("actor_slug"),
        Column::text("actor_name"),
        Column::text("actor_kind"),
        Column::optional_date("start"),
        Column::optional_date("end"),
        Column::list("sources"),
        Column::list("source_urls"),
    ],
    primary_key: &["person_slug", "number"],
    foreign_keys: &[ForeignKey { column: "person_slug", table: "people", to: "slug" }],
};

/// One row per person, by slug.
pub fn people(cat: &Catalog) -> Table {
    let mut t = Table::of(&PEOPLE);
    for p in &cat.ds.people {
        t.rows.push(vec![
            Cell::Text(p.slug.to_string()),
            Cell::Text(p.name.clone()),
            slugs(&p.sources),
            source_urls(cat, &p.sources),
            notes(&p.notes),
        ]);
    }
    t
}

/// One row per post, by person, in the order the person's record gives them.
pub fn posts(cat: &Catalog) -> Table {
    let mut t = Table::of(&POSTS);
    for p in &cat.ds.people {
        for (n, post) in (1..).zip(&p.posts) {
            let (actor_name, actor_kind) = actor(cat, &post.actor);
            t.rows.push(vec![
                Cell::Text(p.slug.to_string()),
                Cell::Text(p.name.clone()),
                Cell::Int(n),
                Cell::Text(post.title.clone()),
                Cell::Text(post.actor.to_string()),
                actor_name,
                actor_kind,
                date(post.start),
                date(post.end),
                slugs(&post.sources),
                source_urls(cat, &post.sources),
            ]);
        }
    }
    t
}

// ----- cells -----

fn date(d: Option<PartialDate>) -> Cell {
    Cell::opt(d.map(|d| d.to_string()))
}

fn slugs(v: &[Slug]) -> Cell {
    Cell::List(v.iter().map(ToString::to_string).collect())
}

/// The address of each source, in the order cited. A source document has no address; its file
/// name stands in, so the list keeps one item per source.
fn source_urls(cat: &Catalog, v: &[Slug]) -> Cell {
    Cell::List(
        v.iter()
            .map(|slug| {
                cat.source(slug.as_str())
                    .map(|i| &cat.ds.sources[i])
                    .and_then(|s| s.url.clone().or_else(|| s.reference.clone()))
                    .unwrap_or_default()
            })
            .collect(),
    )
}

fn notes(v: &[Note]) -> Cell {
    Cell::List(
        v.iter()
            .map(|n| match &n.field {
                Some(field) => format!("{} ({field}): {}", name(&n.kind), n.text),
                None => format!("{}: {}", name(&n.kind), n.text),
            })
            .collect(),
    )
}

/// An actor's name and kind (`state` or `organization`).
pub(super) fn actor(cat: &Catalog, slug: &Slug) -> (Cell, Cell) {
    match cat.actor(slug.as_str()) {
        Some(ActorRef::State(i)) => (Cell::Text(cat.ds.states[i].name.clone()), Cell::Text("state".into())),
        Some(ActorRef::Organization(i)) => {
            (Cell::Text(cat.ds.organizations[i].name.clone()), Cell::Text("organization".into()))
        }
        // The dataset is validated before it is stored, so every reference resolves.
        None => (Cell::Null, Cell::Null),
    }
}

fn process_name(cat: &Catalog, slug: &Slug) -> Cell {
    Cell::opt(cat.process(slug.as_str()).map(|i| cat.ds.processes[i].name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Stamps;
    use crate::export::Kind;
    use crate::store::Meta;

    /// Whether a cell may stand in a column: the data package promises what the rows hold.
    fn fits(cell: &Cell, column: &Column) -> bool {
        match (cell, column.kind) {
            (Cell::Null, _) => !column.required,
            (Cell::Text(t), Kind::Date) => PartialDate::parse(t).is_ok(),
            (Cell::Text(t), Kind::Text) => !column.required || !t.is_empty(),
            (Cell::Int(_), Kind::Integer) | (Cell::Float(_), Kind::Number) | (Cell::Bool(_), Kind::Boolean) => true,
            (Cell::List(_), Kind::Texts) | (Cell::Numbers(_), Kind::Integers) => true,
            _ => false,
        }
    }

    #[test]
    fn every_cell_of_every_seed_table_is_what_its_schema_declares() {
        let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seed");
        let cat = Catalog::new(crate::seed::load(&seed).expect("the seed").dataset, Meta::default(), Stamps::default());
        for (table, schema) in all(&cat).iter().zip(SCHEMAS) {
            assert_eq!(table.name, schema.name);
            assert!(!table.rows.is_empty(), "{}", table.name);
            for row in &table.rows {
                for (cell, column) in row.iter().zip(schema.columns) {
                    assert!(fits(cell, column), "{}.{}: {cell:?}", table.name, column.name);
                }
            }
        }
    }
}
