//! The bodies of the fuzz targets: what each must never do, and what must round-trip.
//!
//! Each function takes arbitrary bytes, returns normally for any of them, and panics only when
//! an invariant breaks (a panic inside the code under test counts as a finding too). They live
//! in the library, public, rather than in `fuzz/`, because two callers outside the crate run
//! them: the cargo-fuzz targets in `fuzz/fuzz_targets/` (long runs, on demand) and the test
//! `tests/api/fuzz.rs`, which runs every target over a bounded number of generated inputs in
//! `cargo test`, so that CI fuzzes each target for a few seconds with exactly the same code.
//!
//! Each returns whether it accepted its input (and so checked that it round-trips), so that the
//! tests can tell a target that accepts what it should from one that refuses everything.
//!
//! Nothing else calls them; they read no files (the seed target is given its base files).

use crate::catalog::Catalog;
use crate::domain::{self, Collection, Dataset, PartialDate, Slug};
use crate::graphql::pagination::{decode_cursor, encode_cursor};
use crate::store::{codec, Meta};
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

/// `PartialDate::parse` on any text: an error, or a date that prints back as the same text,
/// parses back to itself, and stands for a non-empty interval of days.
pub fn partial_date(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else { return false };
    let Ok(date) = PartialDate::parse(text) else { return false };
    assert_eq!(date.to_string(), text, "a parsed date prints as its input");
    assert_eq!(PartialDate::parse(&date.to_string()), Ok(date), "a date's text parses back to it");
    assert!(date.first_day() <= date.last_day(), "{date}: first day after last day");
    true
}

/// Cursor decoding on any text: an error, or a key that encodes to a cursor decoding to the same
/// key; and any text, encoded as a cursor, decodes back to itself. Accepted means decoded.
pub fn cursor(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    assert_eq!(decode_cursor(&encode_cursor(&text)).ok().as_deref(), Some(&*text), "cursor of {text:?}");
    let Ok(key) = decode_cursor(&text) else { return false };
    assert_eq!(decode_cursor(&encode_cursor(&key)).ok().as_deref(), Some(key.as_str()), "cursor of {key:?}");
    true
}

/// The seed loader with one seed file replaced by arbitrary bytes: the first byte picks the file
/// (by its index in [`Collection::ALL`]), the rest is its text. `base` holds the nine files'
/// texts (the real `seed/` in the fuzz targets and tests). The loader must return problems or a
/// dataset; a dataset must pass validation, and write out as seed files that load back to the
/// same files.
pub fn seed_file(base: &[String], data: &[u8]) -> bool {
    let Some((&pick, text)) = data.split_first() else { return false };
    let mut texts = base.to_vec();
    let n = texts.len().max(1);
    if let Some(slot) = texts.get_mut(usize::from(pick) % n) {
        // read_to_string refuses text that is not UTF-8 before the loader sees it.
        *slot = String::from_utf8_lossy(text).into_owned();
    }
    let Ok(seed) = crate::seed::parse("fuzz", &texts) else { return false };
    assert!(domain::validate(&seed.dataset).is_empty(), "the loader returned a dataset that fails validation");
    let written: Vec<String> = crate::seed::writer::render(&seed.dataset).into_iter().map(|(_, t)| t).collect();
    let again = crate::seed::parse("fuzz", &written).expect("written seed files load back");
    let rewritten: Vec<String> = crate::seed::writer::render(&again.dataset).into_iter().map(|(_, t)| t).collect();
    assert_eq!(written, rewritten, "seed files written from a loaded dataset load back to the same files");
    true
}

/// The store's codec on arbitrary bytes: the first byte picks a stored type, the rest are the
/// stored value (version byte first). Decoding returns an error or a value; a value encodes and
/// decodes back to itself, and a read model builds from it as it would from the store.
pub fn codec(data: &[u8]) -> bool {
    let Some((&pick, bytes)) = data.split_first() else { return false };
    match pick % 12 {
        0 => record::<domain::Source>(bytes, |ds, r| ds.sources.push(r.into())),
        1 => record::<domain::State>(bytes, |ds, r| ds.states.push(r.into())),
        2 => record::<domain::Organization>(bytes, |ds, r| ds.organizations.push(r.into())),
        3 => record::<domain::Process>(bytes, |ds, r| ds.processes.push(r.into())),
        4 => record::<domain::Membership>(bytes, |ds, r| ds.memberships.push(r.into())),
        5 => record::<domain::Chairmanship>(bytes, |ds, r| ds.chairmanships.push(r.into())),
        6 => record::<domain::Meeting>(bytes, |ds, r| ds.meetings.push(r.into())),
        7 => record::<domain::Document>(bytes, |ds, r| ds.documents.push(r.into())),
        8 => record::<domain::Commitment>(bytes, |ds, r| ds.commitments.push(r.into())),
        9 => round_trip::<PartialDate>(bytes)
            .inspect(|date| {
                // A stored date holds the invariants of a parsed one.
                assert_eq!(PartialDate::parse(&date.to_string()).as_ref(), Ok(date), "decoded date {date:?}");
                assert!(date.first_day() <= date.last_day());
            })
            .is_some(),
        10 => round_trip::<Slug>(bytes)
            .inspect(|slug| {
                assert_eq!(Slug::parse(slug.as_str()).as_ref(), Ok(slug), "decoded slug {slug:?}");
            })
            .is_some(),
        // A record's stamp: (created, updated) in milliseconds.
        _ => round_trip::<(i64, i64)>(bytes).is_some(),
    }
}

/// Decodes `bytes` as a `T`; if they decode, checks that the value round-trips.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(bytes: &[u8]) -> Option<T> {
    let value: T = codec::decode(bytes).ok()?;
    let encoded = codec::encode(&value).expect("a decoded value encodes");
    assert_eq!(codec::decode::<T>(&encoded).ok().as_ref(), Some(&value), "decode(encode(v)) == v");
    Some(value)
}

/// Decodes a record; if it decodes, round-trips it and builds a read model holding it alone
/// (its references then point nowhere, as they may in a damaged store). Whether it decoded.
fn record<T: Serialize + DeserializeOwned + PartialEq + Debug>(bytes: &[u8], put: fn(&mut Dataset, T)) -> bool {
    let Some(value) = round_trip::<T>(bytes) else { return false };
    let mut ds = Dataset::default();
    put(&mut ds, value);
    let _ = domain::validate(&ds);
    let _ = Catalog::new(ds, Meta::default(), Default::default());
    true
}

/// The texts of the seed files in a directory, in the order [`seed_file`] takes them.
pub fn seed_texts(dir: &std::path::Path) -> std::io::Result<Vec<String>> {
    Collection::ALL.iter().map(|c| std::fs::read_to_string(dir.join(c.file_name()))).collect()
}
