//! The chair timeline of a process, as an SVG drawn from the read model: one row per term, each a
//! bar on a time axis.
//!
//! A term's dates may be known only to the month or the year. Its bar runs from the first day
//! its start may mean to the last day its end may mean, and the imprecise ends are hatched, so a
//! term known only as "2014 to 2016" still draws, honestly wide. A running term runs to `today`
//! and ends in an arrow. A stretch of days that no term can have covered is shaded as a gap.
//!
//! Every term bar is a `rect class="term"` with `data-chair`, `data-start` and `data-end` and a
//! `<title>` tooltip, so that people can hover and tests can count.

use super::texts::{fill, Texts};
use super::{escape, PALETTE};
use crate::catalog::Catalog;
use crate::domain::{Chairmanship, PartialDate, Precision};
use chrono::{Datelike, Days, NaiveDate};
use std::fmt::Write;

const WIDTH: f64 = 960.0;
/// The column of chair names and dates left of the bars.
const LABEL_WIDTH: f64 = 290.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 8.0;
const ROW: f64 = 26.0;
const BAR: f64 = 16.0;
const AXIS: f64 = 30.0;

/// One drawable term: where its bar runs and what it says.
struct Bar<'a> {
    term: &'a Chairmanship,
    /// The chair's name in the page's language.
    chair: String,
    /// First day the term may have begun.
    from: NaiveDate,
    /// Last day it may have lasted to (today, while it runs).
    to: NaiveDate,
    running: bool,
}

/// The term's dates as people read them: "2014 – 2016", "since 2025-04-09".
fn dates(term: &Chairmanship, start: PartialDate, texts: &Texts) -> String {
    match term.end {
        Some(end) => format!("{start} – {end}"),
        None => fill(texts.since, &[("start", &start.to_string())]),
    }
}

/// The day after a date (the right edge of its day on the axis).
fn next_day(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(d)
}

/// The SVG of the chair terms of `process` as of `today`. Terms with no known start cannot be
/// placed on the axis; the caption counts them (see [`undated_terms`]).
pub fn svg(catalog: &Catalog, process: &str, today: NaiveDate, texts: &Texts) -> String {
    let bars: Vec<Bar> = catalog
        .chairs_of_process(process)
        .iter()
        .filter_map(|&t| {
            let term = &catalog.ds.chairmanships[t];
            let start = term.start?;
            let chair = catalog.actor_name_in(term.chair.as_str(), texts.lang);
            let (to, running) = match term.end {
                Some(end) => (end.last_day(), false),
                None => (today.max(start.last_day()), true),
            };
            Some(Bar { term, chair, from: start.first_day(), to, running })
        })
        .collect();
    // A colour per chair, in the order chairs first appear: a state that chaired twice keeps its
    // colour, and up to ten chairs all differ.
    let mut chairs: Vec<&str> = Vec::new();
    for bar in &bars {
        if !chairs.contains(&bar.term.chair.as_str()) {
            chairs.push(bar.term.chair.as_str());
        }
    }
    let colour = |chair: &str| PALETTE[chairs.iter().position(|c| *c == chair).unwrap_or(0) % PALETTE.len()];
    let (Some(first), Some(last)) = (bars.iter().map(|b| b.from).min(), bars.iter().map(|b| b.to).max()) else {
        return empty(texts);
    };
    let first_year = first.year();
    let last_year = last.year();
    let origin = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or(first);
    let end = NaiveDate::from_ymd_opt(last_year + 1, 1, 1).unwrap_or(last);
    let span = (end - origin).num_days().max(1) as f64;
    let plot = WIDTH - LABEL_WIDTH - RIGHT;
    let x = |d: NaiveDate| LABEL_WIDTH + (d - origin).num_days() as f64 / span * plot;
    let rows_bottom = TOP + bars.len() as f64 * ROW;
    let height = rows_bottom + AXIS;

    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart chair-timeline" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="chair-timeline-title" font-family="system-ui, sans-serif" font-size="12">
<title id="chair-timeline-title">{title}</title>
<defs><pattern id="chair-timeline-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#fff" fill-opacity="0.6"/></pattern></defs>
"##,
        title =
            escape(&fill(texts.terms_title, &[("first", &first_year.to_string()), ("last", &last_year.to_string())])),
    );

    // Gaps: days that no term can have covered, between the union of the terms so far and the
    // next term to begin.
    let mut by_start: Vec<&Bar<'_>> = bars.iter().collect();
    by_start.sort_by_key(|b| b.from);
    let mut covered = by_start[0].to;
    for bar in &by_start[1..] {
        if bar.from > next_day(covered) {
            let from = next_day(covered);
            let until = bar.from.pred_opt().unwrap_or(bar.from);
            let _ = writeln!(
                out,
                r##"<rect class="gap" x="{:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="#d62728" fill-opacity="0.12"><title>{}</title></rect>"##,
                x(from),
                (x(bar.from) - x(from)).max(1.0),
                rows_bottom - TOP,
                escape(&fill(texts.no_chair, &[("from", &from.to_string()), ("until", &until.to_string())])),
            );
        }
        covered = covered.max(bar.to);
    }

    // The year grid and its labels, each label centred in its year.
    for year in first_year..=last_year + 1 {
        let Some(jan1) = NaiveDate::from_ymd_opt(year, 1, 1) else { continue };
        let gx = x(jan1);
        let _ = writeln!(
            out,
            r##"<line x1="{gx:.1}" y1="{TOP}" x2="{gx:.1}" y2="{rows_bottom}" stroke="#ccc" stroke-width="1"/>"##
        );
        if year <= last_year {
            let mid = x(jan1) + plot / (last_year - first_year + 1) as f64 / 2.0;
            let _ = writeln!(
                out,
                r##"<text class="year" x="{mid:.1}" y="{:.1}" text-anchor="middle" fill="#555">{year}</text>"##,
                rows_bottom + 18.0
            );
        }
    }

    for (row, bar) in bars.iter().enumerate() {
        let y = TOP + row as f64 * ROW + (ROW - BAR) / 2.0;
        let text_y = y + BAR / 2.0 + 4.0;
        let Some(start) = bar.term.start else { continue };
        let when = dates(bar.term, start, texts);
        let person =
            bar.term.chairperson.as_deref().map(|p| fill(texts.chaired_by, &[("person", p)])).unwrap_or_default();
        let color = colour(bar.term.chair.as_str());
        let (x0, x1) = (x(bar.from), x(next_day(bar.to)));
        let _ = write!(
            out,
            r##"<g class="term-row">
<text x="4" y="{text_y:.1}" fill="#222">{chair}</text>
<text x="{label_end:.1}" y="{text_y:.1}" text-anchor="end" fill="#666">{when}</text>
<rect class="term" x="{x0:.1}" y="{y:.1}" width="{w:.1}" height="{BAR}" rx="2" fill="{color}" data-chair="{slug}" data-start="{start}" data-end="{end}" data-running="{running}"><title>{chair}: {when}{person}</title></rect>
"##,
            chair = escape(&bar.chair),
            label_end = LABEL_WIDTH - 10.0,
            when = escape(&when),
            w = (x1 - x0).max(2.0),
            slug = escape(bar.term.chair.as_str()),
            end = bar.term.end.map(|e| e.to_string()).unwrap_or_default(),
            running = bar.running,
            person = escape(&person),
        );
        // Hatch the ends known only to the month or year: the term began or ended somewhere in
        // there.
        for date in [Some(start), bar.term.end].into_iter().flatten() {
            if date.precision() != Precision::Day {
                let (f0, f1) = (x(date.first_day()), x(next_day(date.last_day())));
                let _ = writeln!(
                    out,
                    r##"<rect class="imprecise" x="{f0:.1}" y="{y:.1}" width="{:.1}" height="{BAR}" fill="url(#chair-timeline-hatch)"><title>{}</title></rect>"##,
                    (f1 - f0).max(1.0),
                    escape(&fill(texts.known_only_as, &[("date", &date.to_string())])),
                );
            }
        }
        if bar.running {
            let _ = writeln!(
                out,
                r##"<path class="running" d="M{x1:.1},{y:.1} l9,{h:.1} l-9,{h:.1} z" fill="{color}"><title>{}</title></path>"##,
                escape(texts.still_running),
                h = BAR / 2.0
            );
        }
        out.push_str("</g>\n");
    }

    if today >= origin && today < end {
        let tx = x(today);
        let _ = writeln!(
            out,
            r##"<line class="today" x1="{tx:.1}" y1="{TOP}" x2="{tx:.1}" y2="{rows_bottom}" stroke="#333" stroke-dasharray="3 3"><title>{}</title></line>"##,
            escape(&fill(texts.today, &[("date", &today.to_string())])),
        );
    }
    out.push_str("</svg>");
    out
}

/// How many terms of a process have no known start, and so no bar.
pub fn undated_terms(catalog: &Catalog, process: &str) -> usize {
    catalog.chairs_of_process(process).iter().filter(|&&t| catalog.ds.chairmanships[t].start.is_none()).count()
}

/// The SVG for a process without dated terms.
fn empty(texts: &Texts) -> String {
    super::note_svg("chair-timeline", texts.no_terms)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{catalog, catalog_with};
    use super::super::texts::EN;
    use super::*;
    use std::sync::Arc;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_dated_term_of_the_seed_gets_one_bar() {
        let cat = catalog();
        let dated = cat
            .ds
            .chairmanships
            .iter()
            .filter(|t| t.process.as_str() == "khartoum-process" && t.start.is_some())
            .count();
        assert!(dated > 0);
        let svg = svg(&cat, "khartoum-process", day(2026, 6, 1), &EN);
        assert_eq!(svg.matches(r#"<rect class="term""#).count(), dated);
        assert_eq!(undated_terms(&cat, "khartoum-process"), 0);
        // Each term's chair is named on its bar.
        for t in cat.ds.chairmanships.iter().filter(|t| t.process.as_str() == "khartoum-process") {
            assert!(svg.contains(&format!(r#"data-chair="{}""#, t.chair)), "{}", t.slug);
        }
    }

    #[test]
    fn terms_known_to_the_year_or_month_draw_with_hatched_ends() {
        let cat = catalog();
        let imprecise: usize = cat
            .ds
            .chairmanships
            .iter()
            .filter(|t| t.process.as_str() == "khartoum-process")
            .map(|t| [t.start, t.end].iter().flatten().filter(|d| d.precision() != Precision::Day).count())
            .sum();
        let svg = svg(&cat, "khartoum-process", day(2026, 6, 1), &EN);
        assert_eq!(svg.matches(r#"class="imprecise""#).count(), imprecise);
    }

    #[test]
    fn the_running_term_runs_to_today_with_an_arrow() {
        let cat = catalog();
        let running =
            cat.ds.chairmanships.iter().filter(|t| t.process.as_str() == "khartoum-process" && t.end.is_none()).count();
        let svg = svg(&cat, "khartoum-process", day(2026, 6, 1), &EN);
        assert_eq!(svg.matches(r#"data-running="true""#).count(), running);
        assert_eq!(svg.matches(r#"class="running""#).count(), running);
        assert!(svg.contains(r#"class="today""#));
    }

    #[test]
    fn a_stretch_no_term_covers_is_shaded_as_a_gap() {
        let cat = catalog();
        let before = svg(&cat, "khartoum-process", day(2026, 6, 1), &EN);
        // In the seed each term begins where the last one ended.
        assert_eq!(before.matches(r#"class="gap""#).count(), 0);
        // Leave a whole calendar year after the first term without a chair.
        let cat = catalog_with(|ds| {
            let mut terms: Vec<usize> = (0..ds.chairmanships.len())
                .filter(|&i| ds.chairmanships[i].process.as_str() == "khartoum-process")
                .collect();
            terms.sort_by_key(|&i| ds.chairmanships[i].start);
            let first_end = ds.chairmanships[terms[0]].end.expect("the first term ended");
            let later = PartialDate::parse(&(first_end.year() + 2).to_string()).expect("a year");
            for &i in &terms[1..] {
                if ds.chairmanships[i].start.is_some_and(|s| s < later) {
                    Arc::make_mut(&mut ds.chairmanships[i]).start = Some(later);
                }
                if ds.chairmanships[i].end.is_some_and(|e| e < later) {
                    Arc::make_mut(&mut ds.chairmanships[i]).end = Some(later);
                }
            }
        });
        let after = svg(&cat, "khartoum-process", day(2026, 6, 1), &EN);
        assert_eq!(after.matches(r#"class="gap""#).count(), 1, "{after}");
    }

    #[test]
    fn a_process_without_terms_draws_a_note() {
        let svg = svg(&catalog(), "no-such-process", day(2026, 6, 1), &EN);
        assert!(svg.starts_with("<svg") && svg.contains("No dated chair terms"));
        assert_eq!(svg.matches(r#"class="term""#).count(), 0);
    }
}
