//! Synthetic data for growth benchmarks: the real record scaled N×, with every reference
//! resolving and the shapes of the real record.
//!
//! [`scale`] makes `n` replicas of the meetings. Replica `r` is placed along three axes, so that
//! growth comes the way a longer-lived, wider process would bring it rather than as flat copies:
//!
//! - **more actors**: `a = ⌈∛n⌉` actor groups. Group 0 is the real states and organisations;
//!   group `g > 0` is a synthetic copy of each (`ke-g3`, "Kenya (synthetic 3)", a unique made-up
//!   ISO alpha-3 code) with copies of its memberships. A replica's participations and country
//!   name the actors of its group.
//! - **longer histories**: `h = min(a, ⌈n / a⌉)` eras. Era `e` is the real record moved `e × span`
//!   years into the past, where `span` covers every meeting and chair date of the record (rounded
//!   up to whole leap cycles), so eras never overlap. The chair terms are repeated in every era,
//!   chaired by the states of group `e mod a`; the term that runs today ends, in an earlier era,
//!   on the day the next era's first term begins, so terms never overlap. Memberships start
//!   `(h − 1) × span` years earlier.
//! - **more meetings per actor**: replicas beyond `a × h` fall on the same (group, era) again.
//!
//! Replica 0 is the real record unchanged, and `scale(ds, 1)` returns the dataset as it is.
//! Processes, documents and commitments are not multiplied (documents keep pointing at the real
//! meetings that adopted them). Every synthetic record cites the sources of the record it copies
//! and one extra source that says it is synthetic. The generator is pure arithmetic: the same
//! input and `n` always give the same output.
//!
//! It is run by the growth benchmark (`cargo bench --bench growth`), which writes the scaled
//! dataset as seed files with [`super::writer::write`]; it is not a command of the server, so
//! no synthetic record can reach a production store by accident.

use super::SeedError;
use crate::domain::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The largest scale accepted: beyond it the made-up ISO alpha-3 codes would run out.
pub const MAX_SCALE: u32 = 100_000;

/// The slug of the source every synthetic record cites.
pub const SYNTHETIC_SOURCE: &str = "synthetic-growth-data";

/// The real record `ds` scaled `n`×: `n` times its meetings, more actors, longer histories (see
/// the module documentation). The result passes [`crate::domain::validate`] whenever `ds` does.
pub fn scale(ds: &Dataset, n: u32) -> Result<Dataset, SeedError> {
    if !(1..=MAX_SCALE).contains(&n) {
        return Err(SeedError::Invalid(vec![format!("the scale must be between 1 and {MAX_SCALE}, not {n}")]));
    }
    if n == 1 {
        return Ok(ds.clone());
    }
    let groups = (1..=n).find(|a| a * a * a >= n).unwrap_or(n);
    let eras = groups.min(n.div_ceil(groups));
    let span = history_span(ds);
    let source = slug(SYNTHETIC_SOURCE)?;
    let mut out = ds.clone();
    out.sources.push(Arc::new(Source {
        slug: source.clone(),
        title: format!("Synthetic data: the public record scaled {n}× for growth benchmarks"),
        url: None,
        publisher: Some("khartoum-graphql".into()),
        published: None,
        reference: Some("src/seed/synthetic.rs".into()),
        archived: None,
        archived_at: None,
        not_archived: Some("Generated data: there is no text to archive.".into()),
    }));
    let cite = |sources: &[Slug]| -> Vec<Slug> {
        let mut v = sources.to_vec();
        v.push(source.clone());
        v
    };

    // More actors: one synthetic copy of every state and organisation per extra group.
    let mut codes = free_iso3(ds);
    for g in 1..groups {
        for s in &ds.states {
            let sl = actor_in(&s.slug, g)?;
            let iso3 = codes.next().ok_or_else(|| {
                SeedError::Invalid(vec![format!("scale {n} needs more made-up ISO alpha-3 codes than exist")])
            })?;
            out.states.push(Arc::new(State {
                iso2: sl.as_str().to_ascii_uppercase(),
                iso3,
                slug: sl,
                name: format!("{} (synthetic {g})", s.name),
                continent: s.continent,
                sources: cite(&s.sources),
                notes: s.notes.clone(),
            }));
        }
        for o in &ds.organizations {
            out.organizations.push(Arc::new(Organization {
                slug: actor_in(&o.slug, g)?,
                name: format!("{} (synthetic {g})", o.name),
                acronym: o.acronym.as_ref().map(|a| format!("{a}-{g}")),
                part_of: o.part_of.as_ref().map(|p| actor_in(p, g)).transpose()?,
                sources: cite(&o.sources),
                ..(**o).clone()
            }));
        }
    }

    // Longer histories: memberships reach back over every era, in every group.
    let back = (eras - 1) * span;
    for m in &mut out.memberships {
        let m = Arc::make_mut(m);
        m.since = m.since.map(|d| shift(d, back));
    }
    for g in 1..groups {
        for m in &ds.memberships {
            out.memberships.push(Arc::new(Membership {
                slug: slug(&format!("{}-g{g}", m.slug))?,
                actor: actor_in(&m.actor, g)?,
                since: m.since.map(|d| shift(d, back)),
                sources: cite(&m.sources),
                ..(**m).clone()
            }));
        }
    }
    // The chair terms again in every earlier era, chaired by another group's states.
    let mut first_start: HashMap<&str, PartialDate> = HashMap::new();
    for t in &ds.chairmanships {
        if let Some(s) = t.start {
            let e = first_start.entry(t.process.as_str()).or_insert(s);
            *e = (*e).min(s);
        }
    }
    for e in 1..eras {
        for t in &ds.chairmanships {
            // A running term ends where the next era's chair sequence begins.
            let end = match t.end {
                Some(d) => Some(shift(d, e * span)),
                None => first_start.get(t.process.as_str()).map(|&d| shift(d, (e - 1) * span)),
            };
            out.chairmanships.push(Arc::new(Chairmanship {
                slug: slug(&format!("{}-e{e}", t.slug))?,
                chair: actor_in(&t.chair, e % groups)?,
                start: t.start.map(|d| shift(d, e * span)),
                end,
                sources: cite(&t.sources),
                ..(**t).clone()
            }));
        }
    }

    // More meetings: replica r falls in actor group r mod a, era (r / a) mod h.
    for r in 1..n {
        let (g, e) = (r % groups, (r / groups) % eras);
        let years = e * span;
        for m in &ds.meetings {
            out.meetings.push(Arc::new(Meeting {
                slug: meeting_in(&m.slug, r, years)?,
                start_date: shift(m.start_date, years),
                end_date: m.end_date.map(|d| shift(d, years)),
                country: m.country.as_ref().map(|c| actor_in(c, g)).transpose()?,
                participations: m
                    .participations
                    .iter()
                    .map(|p| Ok(Participation { actor: actor_in(&p.actor, g)?, ..p.clone() }))
                    .collect::<Result<_, SeedError>>()?,
                related: m
                    .related
                    .iter()
                    .map(|x| Ok(Relation { kind: x.kind, meeting: meeting_in(&x.meeting, r, years)? }))
                    .collect::<Result<_, SeedError>>()?,
                sources: cite(&m.sources),
                ..(**m).clone()
            }));
        }
    }
    Ok(out)
}

fn slug(s: &str) -> Result<Slug, SeedError> {
    Slug::parse(s).map_err(|e| SeedError::Invalid(vec![format!("synthetic slug '{s}': {e}")]))
}

/// The copy of an actor in group `g` (the actor itself in group 0).
fn actor_in(actor: &Slug, g: u32) -> Result<Slug, SeedError> {
    if g == 0 {
        Ok(actor.clone())
    } else {
        slug(&format!("{actor}-g{g}"))
    }
}

/// The slug of a meeting's copy in replica `r`, `years` earlier: the leading year of the slug
/// moves with the date, and a suffix keeps copies apart (replica 0 is the meeting itself).
fn meeting_in(meeting: &Slug, r: u32, years: u32) -> Result<Slug, SeedError> {
    if r == 0 {
        return Ok(meeting.clone());
    }
    let s = meeting.as_str();
    let moved = match s.get(..4).and_then(|y| y.parse::<u32>().ok()) {
        Some(y) if s.as_bytes().get(4) == Some(&b'-') && y >= 1000 + years => format!("{}{}", y - years, &s[4..]),
        _ => s.to_owned(),
    };
    let suffix = format!("-x{r}");
    let keep = moved.len().min(MAX_SLUG_LEN - suffix.len());
    slug(&format!("{}{suffix}", moved[..keep].trim_end_matches('-')))
}

/// A date `years` earlier, at the same precision; 29 February becomes the 28th in a common year.
fn shift(d: PartialDate, years: u32) -> PartialDate {
    let text = d.to_string();
    let year = (d.year() - years as i32).max(1000);
    let moved = format!("{year:04}{}", &text[4..]);
    PartialDate::parse(&moved)
        .or_else(|_| PartialDate::parse(&moved.replace("-02-29", "-02-28")))
        // Only 29 February can fail to exist in another year, and the 28th always does.
        .unwrap_or(d)
}

/// Years covered by every meeting and chair date, rounded up to whole four-year leap cycles so
/// that most 29 Februaries survive a move by a multiple of it.
fn history_span(ds: &Dataset) -> u32 {
    let dates = ds
        .meetings
        .iter()
        .flat_map(|m| [Some(m.start_date), m.end_date])
        .chain(ds.chairmanships.iter().flat_map(|t| [t.start, t.end]))
        .flatten()
        .map(|d| d.year());
    let (lo, hi) = dates.fold((i32::MAX, i32::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let years = if lo > hi { 1 } else { (hi - lo + 1) as u32 };
    years.div_ceil(4) * 4
}

/// Three-letter codes no state of `ds` uses, in a fixed order, starting from `ZZZ` downwards so
/// that they are far from the assigned ones.
fn free_iso3(ds: &Dataset) -> impl Iterator<Item = String> {
    let used: HashSet<String> = ds.states.iter().map(|s| s.iso3.clone()).collect();
    (0..26u32 * 26 * 26).filter_map(move |i| {
        let letter = |k: u32| char::from(b'Z' - (k % 26) as u8);
        let code: String = [letter(i / 676), letter(i / 26), letter(i)].into_iter().collect();
        (!used.contains(&code)).then_some(code)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn real() -> Dataset {
        super::super::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed")).expect("the real seed loads").dataset
    }

    #[test]
    fn scale_one_is_the_real_record_unchanged() {
        let ds = real();
        assert_eq!(scale(&ds, 1).unwrap(), ds);
    }

    #[test]
    fn scaled_datasets_pass_validation_with_every_reference_resolving() {
        let ds = real();
        for n in [2, 3, 8, 27, 30] {
            let out = scale(&ds, n).unwrap();
            let problems = validate(&out);
            assert!(problems.is_empty(), "scale {n}: {} problems, first: {}", problems.len(), problems[0]);
            assert_eq!(out.meetings.len(), ds.meetings.len() * n as usize, "scale {n}");
        }
    }

    #[test]
    fn scaling_adds_actors_history_and_meetings_per_actor() {
        let ds = real();
        let out = scale(&ds, 27).unwrap();
        // 3 actor groups, 3 eras, 3 replicas per (group, era).
        assert_eq!(out.states.len(), ds.states.len() * 3);
        assert_eq!(out.organizations.len(), ds.organizations.len() * 3);
        assert_eq!(out.memberships.len(), ds.memberships.len() * 3);
        assert_eq!(out.chairmanships.len(), ds.chairmanships.len() * 3);
        let earliest = |d: &Dataset| d.meetings.iter().map(|m| m.start_date).min().unwrap();
        assert!(earliest(&out).year() <= earliest(&ds).year() - 2 * 20, "history reaches back two more eras");
        let of = |d: &Dataset, a: &str| {
            d.meetings.iter().filter(|m| m.participations.iter().any(|p| p.actor.as_str() == a)).count()
        };
        assert_eq!(of(&out, "ke"), of(&ds, "ke") * 9, "each real actor is in 9 of the 27 replicas");
        assert_eq!(of(&out, "ke-g2"), of(&ds, "ke") * 9, "and so is each synthetic copy");
        assert!(out.chairmanships.iter().any(|t| t.chair.as_str().ends_with("-g1")), "synthetic states chair too");
    }

    #[test]
    fn synthetic_records_cite_the_synthetic_source() {
        let out = scale(&real(), 8).unwrap();
        assert!(out.sources.iter().any(|s| s.slug.as_str() == SYNTHETIC_SOURCE));
        let copy = out.meetings.iter().find(|m| m.slug.as_str().ends_with("-x5")).expect("a copied meeting");
        assert!(copy.sources.iter().any(|s| s.as_str() == SYNTHETIC_SOURCE));
    }

    #[test]
    fn the_generator_is_deterministic() {
        let ds = real();
        assert_eq!(scale(&ds, 9).unwrap(), scale(&ds, 9).unwrap());
    }

    #[test]
    fn a_scale_out_of_range_is_an_error() {
        let ds = real();
        assert!(scale(&ds, 0).is_err());
        assert!(scale(&ds, MAX_SCALE + 1).is_err());
    }

    #[test]
    fn shifted_dates_keep_their_precision_and_leap_days_survive_or_fall_back() {
        let d = |s| PartialDate::parse(s).unwrap();
        assert_eq!(shift(d("2019-03"), 24).to_string(), "1995-03");
        assert_eq!(shift(d("2016-02-29"), 24).to_string(), "1992-02-29");
        assert_eq!(shift(d("2016-02-29"), 116).to_string(), "1900-02-28");
    }
}
