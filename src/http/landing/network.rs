//! Who organised meetings of a process with whom, as an SVG drawn from the read model: the
//! co-host network of [`Catalog::pairs`]. Each actor that organised a meeting together with
//! another (host, co-host, chair or co-chair) is a node; each such pair is a line, thicker the
//! more meetings the two shared.
//!
//! The layout is a circle, ordered by how many partners each actor has (most first, clockwise
//! from the top; then by slug), so the same data always draws the same picture and the best
//! connected actors sit together at the top.
//!
//! Every node is a `g class="actor"` with `data-actor` and `data-partners`, every line a
//! `line class="pair"` with `data-a`, `data-b` and `data-count`, each with a `<title>`.

use super::escape;
use super::texts::{fill, Texts};
use crate::catalog::{Catalog, MeetingQuery, Pair};
use std::collections::BTreeMap;
use std::f64::consts::PI;
use std::fmt::Write;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 620.0;
/// The circle's radius: room left on either side for names.
const RING: f64 = 250.0;

/// One actor of the network: how many partners it has and how many meetings it organised with
/// others (a meeting counts once per partner).
pub struct Node {
    /// Its slug.
    pub slug: String,
    /// How many actors it organised meetings with.
    pub partners: usize,
    /// Its meetings with partners, summed over the partners.
    pub shared: usize,
}

/// The co-hosting pairs of `process`, and their actors in drawing order.
pub fn network(catalog: &Catalog, process: &str) -> (Vec<Pair>, Vec<Node>) {
    let query = MeetingQuery { processes: vec![process.to_owned()], ..MeetingQuery::default() };
    let pairs = catalog.pairs(&query);
    let mut nodes: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for pair in &pairs {
        for actor in [pair.a, pair.b] {
            let node = nodes.entry(catalog.actor_slug(actor).as_str()).or_default();
            node.0 += 1;
            node.1 += pair.meetings.len();
        }
    }
    let mut nodes: Vec<Node> =
        nodes.into_iter().map(|(slug, (partners, shared))| Node { slug: slug.to_owned(), partners, shared }).collect();
    // Stable: equals stay in slug order.
    nodes.sort_by_key(|n| std::cmp::Reverse(n.partners));
    (pairs, nodes)
}

/// The SVG of the co-host network of `process`, with its texts in `texts`.
pub fn svg(catalog: &Catalog, process: &str, texts: &Texts) -> String {
    let (pairs, nodes) = network(catalog, process);
    if nodes.is_empty() {
        return super::note_svg("co-host-network", texts.no_meetings);
    }
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let angle = |i: usize| -PI / 2.0 + 2.0 * PI * i as f64 / nodes.len() as f64;
    let at = |i: usize, r: f64| (cx + r * angle(i).cos(), cy + r * angle(i).sin());
    let position: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.slug.as_str(), i)).collect();
    let name = |slug: &str| catalog.actor_name_in(slug, texts.lang);

    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart co-host-network" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="co-host-network-title" font-family="system-ui, sans-serif" font-size="12">
<title id="co-host-network-title">{}</title>"##,
        escape(texts.network_heading),
    );
    // Lines first, the lightest underneath.
    let mut by_weight: Vec<&Pair> = pairs.iter().collect();
    by_weight.sort_by_key(|p| p.meetings.len());
    for pair in by_weight {
        let (a, b) = (catalog.actor_slug(pair.a).as_str(), catalog.actor_slug(pair.b).as_str());
        let (Some(&i), Some(&j)) = (position.get(a), position.get(b)) else { continue };
        let ((x1, y1), (x2, y2)) = (at(i, RING), at(j, RING));
        let count = pair.meetings.len();
        let title = fill(texts.pair_title, &[("a", &name(a)), ("b", &name(b)), ("count", &texts.meetings(count))]);
        let _ = writeln!(
            out,
            r##"<line class="pair" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#4e79a7" stroke-opacity="0.45" stroke-width="{:.1}" stroke-linecap="round" data-a="{}" data-b="{}" data-count="{count}"><title>{}</title></line>"##,
            1.0 + 1.5 * ((count - 1) as f64).sqrt(),
            escape(a),
            escape(b),
            escape(&title),
        );
    }
    for (i, node) in nodes.iter().enumerate() {
        let (x, y) = at(i, RING);
        let (lx, ly) = at(i, RING + 10.0);
        // Names run outwards: to the right on the right half, to the left on the left half.
        let anchor = if angle(i).cos() >= -1e-9 { "start" } else { "end" };
        let actor = name(&node.slug);
        let title = fill(
            texts.actor_title,
            &[("actor", &actor), ("partners", &node.partners.to_string()), ("meetings", &node.shared.to_string())],
        );
        let _ = writeln!(
            out,
            r##"<g class="actor" data-actor="{slug}" data-partners="{partners}"><title>{title}</title><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="#f28e2b" stroke="#fff" stroke-width="1"/><text x="{lx:.1}" y="{:.1}" text-anchor="{anchor}" fill="#222">{actor}</text></g>"##,
            ly + 4.0,
            slug = escape(&node.slug),
            partners = node.partners,
            r = 3.0 + 1.5 * (node.partners as f64).sqrt(),
            title = escape(&title),
            actor = escape(&actor),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::catalog;
    use super::super::texts::EN;
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    /// The co-organising pairs of the Khartoum Process meetings of the seed, counted from the
    /// meetings' participations.
    fn seed_pairs() -> HashMap<(String, String), usize> {
        let mut pairs = HashMap::new();
        for m in catalog().ds.meetings.iter().filter(|m| m.processes.iter().any(|p| p.as_str() == "khartoum-process")) {
            let organisers: BTreeSet<String> =
                m.participations.iter().filter(|p| p.role.is_organising()).map(|p| p.actor.to_string()).collect();
            let organisers: Vec<&String> = organisers.iter().collect();
            for (i, a) in organisers.iter().enumerate() {
                for b in &organisers[i + 1..] {
                    *pairs.entry(((*a).clone(), (*b).clone())).or_default() += 1;
                }
            }
        }
        pairs
    }

    #[test]
    fn every_co_hosting_pair_is_one_line_weighted_by_its_meetings() {
        let expected = seed_pairs();
        assert!(!expected.is_empty());
        let svg = svg(&catalog(), "khartoum-process", &EN);
        assert_eq!(svg.matches(r#"<line class="pair""#).count(), expected.len());
        for ((a, b), count) in &expected {
            let line = format!(r#"data-a="{a}" data-b="{b}" data-count="{count}""#);
            assert!(svg.contains(&line), "{line}");
        }
    }

    #[test]
    fn every_actor_of_a_pair_is_one_node_with_its_partner_count() {
        let expected = seed_pairs();
        let mut partners: HashMap<&str, usize> = HashMap::new();
        for (a, b) in expected.keys() {
            *partners.entry(a).or_default() += 1;
            *partners.entry(b).or_default() += 1;
        }
        let svg = svg(&catalog(), "khartoum-process", &EN);
        assert_eq!(svg.matches(r#"<g class="actor""#).count(), partners.len());
        for (actor, n) in &partners {
            assert!(svg.contains(&format!(r#"data-actor="{actor}" data-partners="{n}""#)), "{actor}");
        }
    }

    #[test]
    fn nodes_go_round_the_circle_most_partners_first() {
        let (_, nodes) = network(&catalog(), "khartoum-process");
        assert!(nodes
            .windows(2)
            .all(|w| w[0].partners > w[1].partners || (w[0].partners == w[1].partners && w[0].slug < w[1].slug)));
        // The same data draws the same picture.
        assert_eq!(svg(&catalog(), "khartoum-process", &EN), svg(&catalog(), "khartoum-process", &EN));
    }

    #[test]
    fn a_process_without_meetings_draws_a_note_saying_so() {
        let svg = svg(&catalog(), "no-such-process", &EN);
        assert!(svg.contains(r#"class="chart co-host-network""#) && svg.contains(EN.no_meetings), "{svg}");
    }
}
