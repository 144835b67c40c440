//! The longest each plain list of the schema can be, read from the read model: what the cost
//! model multiplies a list's selection by ([`super::limits`]), and what `dataset { listBounds }`
//! publishes. A plain list is a list field without a `first` argument (a meeting's hosts, a
//! term's meetings, an actor's partners); paginated fields are bounded by their page size.
//!
//! Every plain list of the schema has its row here; a test holds the table to the schema, so a
//! new list field cannot go uncosted.

use super::limits::ListBounds;
use super::pagination::MAX_PAGE_SIZE;
use super::types::{Language, MeetingRole};
use crate::catalog::Catalog;
use crate::domain;
use crate::seed::reference;
use async_graphql::EnumType;
use std::sync::LazyLock;

/// A record has at most one name per language.
fn languages() -> usize {
    Language::items().len()
}

/// The most sources behind one French or Arabic name, and behind one gazetteer entry: both come
/// from the archived reference files built into the binary, so they are measured once.
static REFERENCE_SOURCES: LazyLock<(usize, usize)> = LazyLock::new(|| {
    let names = reference::all_names().flat_map(|(_, _, names)| names.iter().map(|n| n.sources.len())).max();
    let places = reference::places().iter().map(|p| p.sources.len()).max();
    (names.unwrap_or(0), places.unwrap_or(0))
});

/// How one list's bound is read from a read model.
type Bound = fn(&Catalog) -> usize;

/// How the bound of a list narrowed by its `roles` argument is read from a read model, given the
/// roles (never empty: without roles the list's row in [`LISTS`] bounds it).
type RolesBound = fn(&Catalog, &[domain::MeetingRole]) -> usize;

/// The plain lists a `roles` argument narrows, with the figure that bounds them for some roles.
const NARROWED: &[(&str, &str, RolesBound)] =
    &[("Meeting", "participations", |c, roles| c.longest().participations_by_roles.of_roles(roles))];

/// The longest list of one meeting's participations in one role: what bounds `hosts`, `chairs`...
fn in_role(c: &Catalog, role: domain::MeetingRole) -> usize {
    c.longest().participations_by_roles.of_roles(&[role])
}

/// The meeting roles of the names a query gives, unknown names left out (validation refuses them).
fn meeting_roles(names: &[String]) -> Vec<domain::MeetingRole> {
    let items = MeetingRole::items();
    names.iter().filter_map(|n| items.iter().find(|i| i.name == n.as_str())).map(|i| i.value.into()).collect()
}

/// Every plain list of the schema, by type and field, with the figure that bounds it.
const LISTS: &[(&str, &str, Bound)] = &[
    ("Actor", "names", |_| languages()),
    ("Actor", "partners", |c| c.longest().partners),
    ("Actor", "sources", |c| c.longest().sources),
    ("ActorPair", "meetings", |c| c.longest().meetings_of_pair),
    ("ActorPair", "sources", |c| c.longest().sources_of_pair),
    ("Chairmanship", "meetings", |c| c.longest().meetings_of_term),
    ("Chairmanship", "notes", |c| c.longest().notes),
    ("Chairmanship", "sources", |c| c.longest().sources),
    ("Commitment", "notes", |c| c.longest().notes),
    ("Commitment", "sources", |c| c.longest().sources),
    ("CommitmentCoverage", "meetings", |c| c.longest().meetings_of_domain),
    ("Coordinates", "sources", |_| REFERENCE_SOURCES.1),
    ("DatasetInfo", "listBounds", |_| LISTS.len()),
    ("Document", "commitments", |c| c.longest().commitments_of_document),
    ("Document", "domains", |c| c.longest().domains),
    ("Document", "names", |_| languages()),
    ("Document", "notes", |c| c.longest().notes),
    ("Document", "processes", |c| c.longest().processes_of_record),
    ("Document", "sources", |c| c.longest().sources),
    ("Domain", "commitments", |c| c.longest().commitments_of_domain),
    // An English name stands on its record's sources; the others on the reference file's.
    ("LocalizedName", "sources", |c| c.longest().sources.max(REFERENCE_SOURCES.0)),
    ("Meeting", "adoptedDocuments", |c| c.longest().documents_of_meeting),
    ("Meeting", "chairmanships", |c| c.longest().chairs_of_meeting),
    ("Meeting", "chairs", |c| in_role(c, domain::MeetingRole::Chair)),
    ("Meeting", "coChairs", |c| in_role(c, domain::MeetingRole::CoChair)),
    ("Meeting", "coHosts", |c| in_role(c, domain::MeetingRole::CoHost)),
    ("Meeting", "domains", |c| c.longest().domains),
    ("Meeting", "hosts", |c| in_role(c, domain::MeetingRole::Host)),
    ("Meeting", "notes", |c| c.longest().notes),
    ("Meeting", "organisers", |c| in_role(c, domain::MeetingRole::Organiser)),
    ("Meeting", "participations", |c| c.longest().participations),
    ("Meeting", "processes", |c| c.longest().processes_of_record),
    ("Meeting", "related", |c| c.longest().relations),
    ("Meeting", "sources", |c| c.longest().sources),
    ("Membership", "notes", |c| c.longest().notes),
    ("Membership", "sources", |c| c.longest().sources),
    ("Note", "sources", |c| c.longest().sources),
    ("Organization", "memberships", |c| c.longest().memberships_of_actor),
    ("Organization", "names", |_| languages()),
    ("Organization", "notes", |c| c.longest().notes),
    ("Organization", "partners", |c| c.longest().partners),
    ("Organization", "parts", |c| c.longest().parts),
    ("Organization", "sources", |c| c.longest().sources),
    ("Participation", "people", |c| c.longest().people_of_participation),
    ("Participation", "sources", |c| c.longest().sources),
    ("Partnership", "meetings", |c| c.longest().meetings_of_pair),
    ("Person", "chairmanships", |c| c.longest().chairs_of_person),
    ("Person", "notes", |c| c.longest().notes),
    ("Person", "participations", |c| c.longest().participations_of_person),
    ("Person", "posts", |c| c.longest().posts),
    ("Person", "sources", |c| c.longest().sources),
    ("Post", "sources", |c| c.longest().sources),
    ("Process", "chairmanships", |c| c.longest().chairs_of_process),
    ("Process", "documents", |c| c.longest().documents_of_process),
    ("Process", "memberships", |c| c.longest().memberships_of_process),
    ("Process", "names", |_| languages()),
    ("Process", "notes", |c| c.longest().notes),
    ("Process", "sources", |c| c.longest().sources),
    ("Query", "chairmanships", |c| c.ds.chairmanships.len()),
    ("Query", "commitmentCoverage", |c| c.longest().commitments_of_document),
    ("Query", "documents", |c| c.ds.documents.len()),
    ("Query", "meetingCounts", |c| c.longest().meeting_groups),
    // At most as many as the ids given, which the field caps at the largest page.
    ("Query", "nodes", |_| MAX_PAGE_SIZE as usize),
    ("Query", "organizations", |c| c.ds.organizations.len()),
    ("Query", "processes", |c| c.ds.processes.len()),
    ("Query", "sources", |c| c.ds.sources.len()),
    ("State", "chairmanships", |c| c.longest().chairs_of_state),
    ("State", "memberships", |c| c.longest().memberships_of_actor),
    ("State", "names", |_| languages()),
    ("State", "notes", |c| c.longest().notes),
    ("State", "partners", |c| c.longest().partners),
    ("State", "sources", |c| c.longest().sources),
];

/// The bounds of the plain lists in one read model.
pub struct CatalogLists<'a>(pub &'a Catalog);

impl ListBounds for CatalogLists<'_> {
    fn longest(&self, ty: &str, field: &str, roles: &[String]) -> Option<usize> {
        let roles = meeting_roles(roles);
        let narrowed = NARROWED.iter().find(|(t, f, _)| *t == ty && *f == field);
        match narrowed {
            Some((_, _, bound)) if !roles.is_empty() => Some(bound(self.0, &roles)),
            _ => LISTS.iter().find(|(t, f, _)| *t == ty && *f == field).map(|(_, _, bound)| bound(self.0)),
        }
    }
}

/// Every plain list with its bound in a read model, as (type, field, longest), sorted.
pub fn bounds(cat: &Catalog) -> impl Iterator<Item = (&'static str, &'static str, usize)> + '_ {
    LISTS.iter().map(move |(ty, field, bound)| (*ty, *field, bound(cat)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::limits::SchemaShape;

    #[test]
    fn every_plain_list_of_the_schema_has_a_bound_and_every_bound_a_list() {
        let shape = SchemaShape::from_sdl(&crate::graphql::sdl());
        let schema: Vec<(&str, &str)> = shape.lists();
        let table: Vec<(&str, &str)> = LISTS.iter().map(|(t, f, _)| (*t, *f)).collect();
        let missing: Vec<_> = schema.iter().filter(|l| !table.contains(l)).collect();
        let stale: Vec<_> = table.iter().filter(|l| !schema.contains(l)).collect();
        assert!(missing.is_empty(), "plain lists without a bound in LISTS: {missing:?}");
        assert!(stale.is_empty(), "bounds in LISTS for fields that are not plain lists: {stale:?}");
        assert!(table.windows(2).all(|w| w[0] < w[1]), "LISTS is sorted by type and field, each once");
    }
}
