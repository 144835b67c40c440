//! Meetings per year, by kind, as an SVG drawn from the read model: one column per year (years
//! without meetings included, so quiet years show), stacked by kind, with a legend.
//!
//! A meeting counts in the year its start date names, however precisely that is known. Every
//! segment is a `rect class="meetings"` with `data-year`, `data-kind` and `data-count` and a
//! `<title>` tooltip, so that people can hover and tests can count.

use super::escape;
use super::texts::Texts;
use crate::catalog::{Catalog, MeetingQuery};
use crate::domain::{variant_name, MeetingKind};
use std::collections::BTreeMap;
use std::fmt::Write;

const WIDTH: f64 = 960.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 22.0;
const PLOT: f64 = 220.0;
const AXIS: f64 = 26.0;
const LEGEND_ROW: f64 = 20.0;
const LEGEND_COLUMNS: usize = 4;

/// Every kind, in stacking order (bottom up), with its colour. `data-kind` carries the kind's
/// API name ([`variant_name`]); the label is the page's ([`Texts::kind`]).
const KINDS: [(MeetingKind, &str); 10] = [
    (MeetingKind::MinisterialConference, "#1f77b4"),
    (MeetingKind::Summit, "#17becf"),
    (MeetingKind::SeniorOfficialsMeeting, "#ff7f0e"),
    (MeetingKind::SteeringCommitteeMeeting, "#2ca02c"),
    (MeetingKind::ThematicMeeting, "#9467bd"),
    (MeetingKind::ThematicWorkshop, "#8c564b"),
    (MeetingKind::Roundtable, "#e377c2"),
    (MeetingKind::Training, "#bcbd22"),
    (MeetingKind::Webinar, "#d62728"),
    (MeetingKind::VirtualMeeting, "#7f7f7f"),
];

/// The position of a kind in [`KINDS`].
fn kind_index(kind: MeetingKind) -> usize {
    KINDS.iter().position(|(k, ..)| *k == kind).unwrap_or(0)
}

/// Meetings of `process` per year and kind: year → kind index → count.
pub fn counts(catalog: &Catalog, process: &str) -> BTreeMap<i32, BTreeMap<usize, usize>> {
    let query = MeetingQuery { processes: vec![process.to_owned()], ..MeetingQuery::default() };
    let mut counts: BTreeMap<i32, BTreeMap<usize, usize>> = BTreeMap::new();
    for m in catalog.meetings(&query) {
        let meeting = &catalog.ds.meetings[m];
        *counts.entry(meeting.start_date.year()).or_default().entry(kind_index(meeting.kind)).or_default() += 1;
    }
    counts
}

/// A round top for the count axis, and the step of its grid lines.
fn scale(max: usize) -> (usize, usize) {
    let step = if max <= 10 {
        2
    } else if max <= 25 {
        5
    } else {
        10
    };
    (max.div_ceil(step).max(1) * step, step)
}

/// The SVG of the meetings of `process` per year, stacked by kind.
pub fn svg(catalog: &Catalog, process: &str, texts: &Texts) -> String {
    let counts = counts(catalog, process);
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return super::note_svg("meetings-per-year", texts.no_meetings);
    };
    let present: Vec<usize> =
        (0..KINDS.len()).filter(|k| counts.values().any(|per_kind| per_kind.contains_key(k))).collect();
    let max = counts.values().map(|per_kind| per_kind.values().sum::<usize>()).max().unwrap_or(0);
    let (top, step) = scale(max);
    let years = (last - first + 1) as usize;
    let column = (WIDTH - LEFT - RIGHT) / years as f64;
    let bar = column * 0.7;
    let y = |count: f64| TOP + PLOT - count / top as f64 * PLOT;
    let legend_top = TOP + PLOT + AXIS + 8.0;
    let height = legend_top + present.len().div_ceil(LEGEND_COLUMNS) as f64 * LEGEND_ROW + 4.0;

    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart meetings-per-year" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="meetings-per-year-title" font-family="system-ui, sans-serif" font-size="12">
<title id="meetings-per-year-title">{}, {first}–{last}</title>"##,
        escape(texts.meetings_heading),
    );
    // The count axis: grid lines with their values.
    for value in (0..=top).step_by(step) {
        let gy = y(value as f64);
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke="{}" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">{value}</text>"##,
            WIDTH - RIGHT,
            if value == 0 { "#888" } else { "#e3e3e3" },
            LEFT - 6.0,
            gy + 4.0,
        );
    }
    for (i, year) in (first..=last).enumerate() {
        let x = LEFT + i as f64 * column + (column - bar) / 2.0;
        let centre = x + bar / 2.0;
        let _ = writeln!(
            out,
            r##"<text class="year" x="{centre:.1}" y="{:.1}" text-anchor="middle" fill="#555">{year}</text>"##,
            TOP + PLOT + 18.0
        );
        let Some(per_kind) = counts.get(&year) else { continue };
        let mut below = 0usize;
        for (&k, &count) in per_kind {
            let (kind, color) = KINDS[k];
            let (name, label) = (variant_name(&kind), texts.kind(kind));
            let (y0, y1) = (y((below + count) as f64), y(below as f64));
            let _ = writeln!(
                out,
                r##"<rect class="meetings" x="{x:.1}" y="{y0:.1}" width="{bar:.1}" height="{:.1}" fill="{color}" stroke="#fff" stroke-width="0.5" data-year="{year}" data-kind="{name}" data-count="{count}"><title>{year}, {}: {}</title></rect>"##,
                y1 - y0,
                escape(label),
                escape(&texts.meetings(count)),
            );
            below += count;
        }
        let _ = writeln!(
            out,
            r##"<text class="total" x="{centre:.1}" y="{:.1}" text-anchor="middle" fill="#222">{below}</text>"##,
            y(below as f64) - 4.0
        );
    }
    // The legend: the kinds that occur, in stacking order.
    let legend_width = (WIDTH - LEFT) / LEGEND_COLUMNS as f64;
    for (i, &k) in present.iter().enumerate() {
        let (kind, color) = KINDS[k];
        let (name, label) = (variant_name(&kind), texts.kind(kind));
        let lx = LEFT + (i % LEGEND_COLUMNS) as f64 * legend_width;
        let ly = legend_top + (i / LEGEND_COLUMNS) as f64 * LEGEND_ROW;
        let _ = writeln!(
            out,
            r##"<g class="legend" data-kind="{name}"><rect x="{lx:.1}" y="{ly:.1}" width="12" height="12" fill="{color}"/><text x="{:.1}" y="{:.1}" fill="#222">{}</text></g>"##,
            lx + 18.0,
            ly + 10.5,
            escape(label),
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
    use std::collections::{BTreeSet, HashSet};

    /// The Khartoum Process meetings of the seed, as (year, kind).
    fn seed_meetings() -> Vec<(i32, MeetingKind)> {
        catalog()
            .ds
            .meetings
            .iter()
            .filter(|m| m.processes.iter().any(|p| p.as_str() == "khartoum-process"))
            .map(|m| (m.start_date.year(), m.kind))
            .collect()
    }

    #[test]
    fn every_year_and_kind_with_meetings_gets_one_segment() {
        let meetings = seed_meetings();
        let pairs: HashSet<(i32, MeetingKind)> = meetings.iter().copied().collect();
        let svg = svg(&catalog(), "khartoum-process", &EN);
        assert_eq!(svg.matches(r#"<rect class="meetings""#).count(), pairs.len());
        // The segments add up to every meeting.
        let total: usize = svg
            .match_indices(r#"data-count=""#)
            .map(|(i, m)| svg[i + m.len()..].split('"').next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0))
            .sum();
        assert_eq!(total, meetings.len());
    }

    #[test]
    fn every_year_between_the_first_and_last_has_a_column_and_each_kind_a_legend_entry() {
        let meetings = seed_meetings();
        let years: BTreeSet<i32> = meetings.iter().map(|(y, _)| *y).collect();
        let (first, last) = (years.first().copied().unwrap_or(0), years.last().copied().unwrap_or(0));
        let kinds: HashSet<MeetingKind> = meetings.iter().map(|(_, k)| *k).collect();
        let svg = svg(&catalog(), "khartoum-process", &EN);
        assert_eq!(svg.matches(r#"class="year""#).count(), (last - first + 1) as usize);
        assert_eq!(svg.matches(r#"class="legend""#).count(), kinds.len());
    }

    #[test]
    fn the_count_axis_rounds_up() {
        assert_eq!(scale(0), (2, 2));
        assert_eq!(scale(7), (8, 2));
        assert_eq!(scale(10), (10, 2));
        assert_eq!(scale(11), (15, 5));
        assert_eq!(scale(26), (30, 10));
    }

    #[test]
    fn every_kind_has_a_stacking_place_and_distinct_colour() {
        let colours: HashSet<&str> = KINDS.iter().map(|k| k.1).collect();
        assert_eq!(colours.len(), KINDS.len());
        for (i, (kind, ..)) in KINDS.iter().enumerate() {
            assert_eq!(kind_index(*kind), i);
        }
    }
}
