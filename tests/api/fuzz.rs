//! The fuzz targets, run for a bounded number of inputs in every `cargo test` (and so in CI):
//! the same bodies that `fuzz/` runs for as long as one likes with cargo-fuzz
//! (see `khartoum_graphql::fuzzing` and the README's "Fuzzing" section).
//!
//! Inputs are valid values of each target, mutated (bytes flipped, inserted, deleted, spliced,
//! cut), and plain random bytes, from a generator seeded per run: a failure prints the seed, and
//! `FUZZ_SEED=<seed>` repeats it.

use crate::helpers::{seed_dir, Rng};
use khartoum_graphql::domain::{PartialDate, Slug};
use khartoum_graphql::fuzzing;
use khartoum_graphql::graphql::pagination::encode_cursor;
use khartoum_graphql::store::codec;
use serde::Serialize;
use std::time::Instant;

/// Bytes that often matter to parsers: digits, separators, quotes, braces, the codec's varint
/// markers and the ends of the byte range.
const INTERESTING: &[u8] = b"0123456789-:\"{}[],\\ \n\x00\x01\xfb\xfc\xfd\xfe\xff";

/// One mutation of `input`, or random bytes now and then.
fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut v = input.to_vec();
    if rng.below(20) == 0 {
        return (0..rng.below(64)).map(|_| rng.byte()).collect();
    }
    for _ in 0..=rng.below(4) {
        let len = v.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 => {
                let i = rng.below(len + 1);
                v.insert(i, if rng.below(2) == 0 { rng.byte() } else { INTERESTING[rng.below(INTERESTING.len())] });
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                v.drain(i..i + n);
            }
            4 => v.truncate(rng.below(len + 1)),
            5 if len > 0 => {
                // Repeat a chunk: a length prefix then overstates what follows.
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                let chunk = v[i..i + n].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, chunk);
            }
            _ => {
                // Splice in the tail of another input.
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                let at = rng.below(len + 1);
                v.truncate(at);
                v.extend_from_slice(&other[from..]);
            }
        }
    }
    v
}

/// What a run did.
struct Ran {
    /// Whether the target accepted each corpus entry, in order.
    corpus: Vec<bool>,
    /// How many mutants ran, and how many of them the target accepted (and so round-tripped).
    mutants: usize,
    accepted: usize,
}

impl Ran {
    /// Checks that the target accepted exactly the first `valid` corpus entries and refused the
    /// rest, and that the mutants reached both outcomes: a target that refuses everything, or
    /// accepts everything, checks no round trip or no refusal.
    fn check(&self, name: &str, valid: usize) {
        let expected: Vec<bool> = (0..self.corpus.len()).map(|i| i < valid).collect();
        assert_eq!(self.corpus, expected, "fuzz {name}: which corpus entries were accepted");
        assert!(
            self.accepted > 0 && self.accepted < self.mutants,
            "fuzz {name}: {} of {} mutants accepted",
            self.accepted,
            self.mutants
        );
    }
}

/// Runs `target` on every corpus entry and then on `count` mutations of them; `target` returns
/// whether it accepted an input.
fn run(name: &str, corpus: &[Vec<u8>], count: usize, target: impl Fn(&[u8]) -> bool) -> Ran {
    assert!(!corpus.is_empty(), "fuzz {name}: an empty corpus fuzzes nothing");
    let seed = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    let mut rng = Rng(seed);
    let started = Instant::now();
    let accepted_corpus: Vec<bool> = corpus.iter().map(|input| target(input)).collect();
    let mut accepted = 0;
    for _ in 0..count {
        let base = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, base, corpus);
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(&input))) {
            Ok(ok) => accepted += usize::from(ok),
            Err(_) => panic!(
                "fuzz target {name} failed on input {input:?} (FUZZ_SEED={seed}); add it to fuzz/regressions/{name}/"
            ),
        }
    }
    println!(
        "fuzz {name}: {} corpus inputs and {count} mutants ({accepted} accepted) in {:.1} s (FUZZ_SEED={seed})",
        corpus.len(),
        started.elapsed().as_secs_f64()
    );
    Ran { corpus: accepted_corpus, mutants: count, accepted }
}

/// The inputs kept under `fuzz/regressions/<target>/`: crashes found by longer runs, kept once
/// fixed, and inputs at the edges of what the target accepts. Every target has some; each of
/// those kept so far is malformed, so the target must refuse it.
fn regressions(target: &str) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let inputs: Vec<Vec<u8>> = entries.map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect();
    assert!(!inputs.is_empty(), "{} holds no input", dir.display());
    inputs
}

#[test]
fn the_partial_date_parser_never_panics_and_round_trips_what_it_accepts() {
    let mut corpus: Vec<Vec<u8>> =
        ["2023", "2023-11", "2023-11-14", "2024-02-29", "1000-01-01", "9999-12-31", "2023-02-29"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
    corpus.extend(regressions("partial_date"));
    // All but 2023-02-29 (not a leap year) and the regressions are dates.
    run("partial_date", &corpus, 20_000, fuzzing::partial_date).check("partial_date", 6);
}

#[test]
fn cursor_decoding_never_panics_and_round_trips_what_it_accepts() {
    let mut corpus: Vec<Vec<u8>> = ["2023-11-14\u{0}2023-11-abuja", "", "ke", "é\u{0}ü", "k1:"]
        .iter()
        .map(|k| encode_cursor(k).into_bytes())
        .collect();
    corpus.push(b"not a cursor".to_vec());
    corpus.extend(regressions("cursor"));
    run("cursor", &corpus, 20_000, fuzzing::cursor).check("cursor", 5);
}

#[test]
fn the_codec_never_panics_on_stored_bytes_and_round_trips_what_it_decodes() {
    let seed = khartoum_graphql::seed::load(&seed_dir()).unwrap();
    let ds = &seed.dataset;
    let mut corpus = Vec::new();
    fn add<T: Serialize>(corpus: &mut Vec<Vec<u8>>, pick: u8, values: impl IntoIterator<Item = T>) {
        for v in values.into_iter().take(8) {
            let mut input = vec![pick];
            input.extend(codec::encode(&v).unwrap());
            corpus.push(input);
        }
    }
    add(&mut corpus, 0, &ds.sources);
    add(&mut corpus, 1, &ds.states);
    add(&mut corpus, 2, &ds.organizations);
    add(&mut corpus, 3, &ds.processes);
    add(&mut corpus, 4, &ds.memberships);
    add(&mut corpus, 5, &ds.chairmanships);
    add(&mut corpus, 6, &ds.meetings);
    add(&mut corpus, 7, &ds.documents);
    add(&mut corpus, 8, &ds.commitments);
    add(&mut corpus, 9, ["2023", "2024-02", "2024-02-29"].map(|d| PartialDate::parse(d).unwrap()));
    add(&mut corpus, 10, ["ke", "khartoum-process"].map(|s| Slug::parse(s).unwrap()));
    add(&mut corpus, 11, [(1_700_000_000_000i64, 1_700_000_000_001i64)]);
    let valid = corpus.len();
    corpus.extend(regressions("codec"));
    run("codec", &corpus, 20_000, fuzzing::codec).check("codec", valid);
}

#[test]
fn the_seed_loader_never_panics_on_a_broken_file_and_round_trips_what_it_accepts() {
    let base = fuzzing::seed_texts(&seed_dir()).unwrap();
    // Each file whole (the real seed, which loads), then each cut to a few records so that
    // mutations reach past its first problem (those refer to records cut away, and are refused).
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    let mut cut: Vec<Vec<u8>> = Vec::new();
    for (i, text) in base.iter().enumerate() {
        let mut whole = vec![i as u8];
        whole.extend(text.as_bytes());
        corpus.push(whole);
        let records: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
        let few = serde_json::to_string_pretty(&records[..records.len().min(2)]).unwrap();
        let mut input = vec![i as u8];
        input.extend(few.as_bytes());
        cut.push(input);
    }
    let valid = corpus.len();
    corpus.extend(cut);
    corpus.extend(regressions("seed_file"));
    // Each input loads and validates the whole seed (about 250 KB of JSON): fewer of them. Only
    // the refusal of the mutants is certain: most break the JSON, few keep every reference.
    let ran = run("seed_file", &corpus, 40, |data| fuzzing::seed_file(&base, data));
    assert!(ran.corpus[..valid].iter().all(|&ok| ok), "every real seed file is accepted whole");
    assert!(ran.corpus[valid + base.len()..].iter().all(|&ok| !ok), "every regression input is refused");
    assert!(ran.accepted < ran.mutants, "a mutant of a seed file was refused");
}
