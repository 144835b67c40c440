//! Differential fuzzing: mutated corpus documents and generated documents, each run through both
//! parsers. Deterministic (fixed seed), a few thousand inputs, seconds in a debug build. For a
//! longer run on demand, set `FUZZ_SEED` to another seed, and run it several times.

use crate::helpers::Rng;

use super::grammar;
use super::support::{compare, corpus, Outcome};

const SEED: u64 = 0x6b68_6172_746f_756d;
const MUTANTS: usize = 4_000;
const GENERATED: usize = 1_500;
const SOUPS: usize = 1_000;

/// Tokens and fragments of tokens worth inserting: each is where some rule starts, stops or turns.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ":",
    "$",
    "@",
    "!",
    "=",
    "...",
    "..",
    "on ",
    "on",
    "\"",
    "\"\"\"",
    "\\",
    "\\u",
    "\\uD800",
    "\\u00e9",
    "\\\"\"\"",
    "#",
    "# é\n",
    "\n",
    "\r",
    "\r\n",
    ",",
    "query",
    "mutation",
    "subscription",
    "fragment",
    "true",
    "false",
    "null",
    "-",
    "0",
    "01",
    "1.5e3",
    "1e400",
    ".",
    "e",
    "E+",
    "\u{feff}",
    "é",
    "中",
    "\u{1F600}",
    "\"\"\"\n  x\n \"\"\"",
    " ",
    "\t",
    "a",
    "_",
    "F",
    "$v",
    "@d",
    "[Int!]!",
    "on T",
    "... on T { a }",
    "...F",
    "{ a }",
    "(a: 1)",
];

/// Separators between generated tokens: whatever pest skips between tokens.
const SEPARATORS: &[&str] =
    &[" ", " ", " ", "\n  ", ",", ", ", "\r\n", "\r", "\t", "\u{feff}", " # comment é 中\n", "#\r", " ,\n\t"];

/// Pieces of values, for soups that stress the lexer: numbers, strings and keywords run together.
const VALUE_PIECES: &[&str] = &[
    "0", "01", "-", "-0", "1", "12", ".", ".5", "e", "E", "+", "e5", "x", "_", " ", ",", "\n", "true", "false", "null",
    "nullx", "ENUM", "$v", "$ v", "\"", "\"\"", "\"\"\"", "\\", "\\\"\"\"", "\\u", "00e9", "D800", "dfff", "\\n", "é",
    "\r", "\t", "[", "]", "{", "}", "a:", "# c\n", "\u{feff}",
];

/// Pieces of selection sets, for soups around fragments, type conditions and aliases.
const SELECTION_PIECES: &[&str] = &[
    "...", "..", "on", "on ", "onT", "T", " ", "\n", ",", "\t", "\u{feff}", "#c\n", "{", "}", "a", "b:", ":", "@d",
    "@ d", "(x: 1)", "(", ")", "$v", "query", "fragment", "F", "on T", "{ a }",
];

/// A random concatenation of `pieces` inside `before` and `after`.
fn soup(rng: &mut Rng, pieces: &[&str], before: &str, after: &str) -> String {
    let mut text = before.to_owned();
    for _ in 0..rng.between(1, 10) {
        text.push_str(pieces[rng.below(pieces.len())]);
    }
    text.push_str(after);
    text
}

fn seeds() -> Vec<String> {
    let hand_written = [
        grammar::BLOCK_STRINGS,
        grammar::STRINGS,
        grammar::NUMBERS,
        grammar::VALUES,
        grammar::VARIABLES,
        grammar::DIRECTIVES,
        grammar::SELECTIONS,
        grammar::OPERATIONS,
        grammar::WHITESPACE,
    ];
    let mut seeds: Vec<String> = corpus().into_iter().map(|(_, text)| text).collect();
    seeds.extend(hand_written.iter().flat_map(|cases| cases.iter().map(|case| case.to_string())));
    seeds
}

fn random_char(rng: &mut Rng) -> char {
    let (low, high) = match rng.below(4) {
        0 => (0x20, 0x7e),
        1 => (0x80, 0x7ff),
        2 => (0x800, 0xffff),
        _ => (0x1_0000, 0x10_ffff),
    };
    // Surrogates are not characters: draw again.
    loop {
        if let Some(c) = char::from_u32(low + rng.below((high - low + 1) as usize) as u32) {
            return c;
        }
    }
}

/// One to three random edits of `text`, at character boundaries.
fn mutate(rng: &mut Rng, text: &str, other: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..rng.between(1, 4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(9) {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 => {
                let end = (at + rng.between(1, 12)).min(chars.len());
                chars.drain(at..end);
            }
            2 => chars.insert(at, random_char(rng)),
            3 | 4 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                chars.splice(at..at, token.chars());
            }
            5 => {
                let end = (at + rng.between(1, 40)).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, copy);
            }
            6 => {
                let other: Vec<char> = other.chars().collect();
                let from = rng.below(other.len() + 1);
                chars.truncate(at);
                chars.extend_from_slice(&other[from..]);
            }
            7 => {
                // Change whitespace: the same document, skipped differently.
                let separator = SEPARATORS[rng.below(SEPARATORS.len())];
                let mut out = Vec::with_capacity(chars.len());
                for &c in &chars {
                    if c == ' ' && rng.below(4) == 0 {
                        out.extend(separator.chars());
                    } else {
                        out.push(c);
                    }
                }
                chars = out;
            }
            _ if chars.len() >= 2 => {
                let (last, other) = (chars.len() - 1, rng.below(chars.len()));
                chars.swap(at.min(last), other);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// A generator of random, mostly valid documents, with random separators between tokens.
struct Generator<'r> {
    rng: &'r mut Rng,
    out: String,
}

impl Generator<'_> {
    fn token(&mut self, token: &str) {
        self.out.push_str(token);
        let separator = SEPARATORS[self.rng.below(SEPARATORS.len())];
        self.out.push_str(separator);
    }

    fn name(&mut self) {
        const NAMES: &[&str] = &["a", "id", "name", "_x", "on", "true", "null", "query", "fragment", "F2", "nodes"];
        let name = NAMES[self.rng.below(NAMES.len())];
        self.token(name);
    }

    fn document(&mut self) {
        let definitions = self.rng.between(1, 4);
        let mut has_operation = false;
        for index in 0..definitions {
            match self.rng.below(4) {
                0 if definitions == 1 => {
                    self.selection_set(0);
                    has_operation = true;
                }
                0 | 1 => {
                    has_operation = true;
                    let keyword = ["query", "mutation", "subscription"][self.rng.below(3)];
                    self.token(keyword);
                    self.token(&format!("Op{index}"));
                    if self.rng.below(2) == 0 {
                        self.variable_definitions();
                    }
                    self.directives(false);
                    self.selection_set(0);
                }
                _ => {
                    self.token("fragment");
                    self.token(&format!("Frag{index}"));
                    self.type_condition();
                    self.directives(false);
                    self.selection_set(0);
                }
            }
        }
        if !has_operation {
            self.token("query");
            self.token("Last");
            self.selection_set(0);
        }
    }

    fn variable_definitions(&mut self) {
        self.token("(");
        for index in 0..self.rng.below(3) {
            self.token("$");
            self.token(&format!("v{index}"));
            self.token(":");
            let ty = ["Int", "Int!", "[Int]", "[Int!]!", "[[ID]!]"][self.rng.below(5)];
            self.token(ty);
            self.directives(false);
            if self.rng.below(2) == 0 {
                self.token("=");
                self.value(true, 0);
            }
        }
        self.token(")");
    }

    fn type_condition(&mut self) {
        // `on` takes whitespace but no comment before the type name.
        let gap = [" ", "\n", ",", "\t", "\u{feff}", "\r\n "][self.rng.below(6)];
        self.out.push_str("on");
        self.out.push_str(gap);
        self.name();
    }

    fn directives(&mut self, constant: bool) {
        for _ in 0..self.rng.below(3).saturating_sub(1) {
            self.token("@");
            self.name();
            self.arguments(constant);
        }
    }

    fn arguments(&mut self, constant: bool) {
        if self.rng.below(2) == 0 {
            return;
        }
        self.token("(");
        for _ in 0..self.rng.between(1, 4) {
            self.name();
            self.token(":");
            self.value(constant, 0);
        }
        self.token(")");
    }

    fn selection_set(&mut self, depth: usize) {
        self.token("{");
        for _ in 0..self.rng.between(1, 4) {
            match self.rng.below(8) {
                0 => {
                    self.token("...");
                    self.name();
                    self.directives(false);
                }
                1 if depth < 3 => {
                    self.token("...");
                    if self.rng.below(2) == 0 {
                        self.type_condition();
                    }
                    self.directives(false);
                    self.selection_set(depth + 1);
                }
                _ => {
                    if self.rng.below(4) == 0 {
                        self.name();
                        self.token(":");
                    }
                    self.name();
                    self.arguments(false);
                    self.directives(false);
                    if depth < 3 && self.rng.below(3) == 0 {
                        self.selection_set(depth + 1);
                    }
                }
            }
        }
        self.token("}");
    }

    fn value(&mut self, constant: bool, depth: usize) {
        const ATOMS: &[&str] = &[
            "0",
            "-0",
            "42",
            "-7",
            "1.5",
            "-2.5e-3",
            "6E+2",
            "12345678901234567890",
            "true",
            "false",
            "null",
            "ENUM",
            "on",
            "\"\"",
            "\"a b\"",
            "\"é\\u00e9\\n\\\"\"",
            "\"\"\"\n   block\n     text\n\"\"\"",
            "\"\"\"a\\\"\"\"b\"\"\"",
        ];
        match self.rng.below(10) {
            0 if !constant => {
                self.token("$");
                self.token("v0");
            }
            1 if depth < 3 => {
                self.token("[");
                for _ in 0..self.rng.below(4) {
                    self.value(constant, depth + 1);
                }
                self.token("]");
            }
            2 if depth < 3 => {
                self.token("{");
                for _ in 0..self.rng.below(4) {
                    self.name();
                    self.token(":");
                    self.value(constant, depth + 1);
                }
                self.token("}");
            }
            _ => {
                let atom = ATOMS[self.rng.below(ATOMS.len())];
                self.token(atom);
            }
        }
    }
}

/// Counts of outcomes for one family of inputs.
#[derive(Debug, Default)]
struct Tally {
    same: usize,
    fell_back: usize,
    rejected: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Same => self.same += 1,
            Outcome::FellBack => self.fell_back += 1,
            Outcome::BothRejected => self.rejected += 1,
        }
    }
}

#[test]
fn mutated_and_generated_documents_parse_like_pest_or_fall_back() {
    let seed = std::env::var("FUZZ_SEED").map_or(SEED, |seed| seed.parse().expect("FUZZ_SEED is a number"));
    let mut rng = Rng(seed | 1);
    let seeds = seeds();

    let mut unmutated = Tally::default();
    for seed in &seeds {
        unmutated.add(compare(seed));
    }

    let mut mutants = Tally::default();
    for _ in 0..MUTANTS {
        let text = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())];
        mutants.add(compare(&mutate(&mut rng, text, other)));
    }

    let mut generated = Tally::default();
    let mut generated_mutants = Tally::default();
    for _ in 0..GENERATED {
        let mut generator = Generator { rng: &mut rng, out: String::new() };
        generator.document();
        let document = generator.out;
        generated.add(compare(&document));
        generated_mutants.add(compare(&mutate(&mut rng, &document, &document)));
    }

    let mut soups = Tally::default();
    for _ in 0..SOUPS {
        soups.add(compare(&soup(&mut rng, VALUE_PIECES, "{ f(a: [", "]) }")));
        soups.add(compare(&soup(&mut rng, VALUE_PIECES, "query($v: Int = ", ") { f }")));
        soups.add(compare(&soup(&mut rng, SELECTION_PIECES, "{ ", " }")));
        soups.add(compare(&soup(&mut rng, SELECTION_PIECES, "", "")));
    }

    println!("seeds: {unmutated:?}");
    println!("soups: {soups:?}");
    println!("mutated seeds: {mutants:?}");
    println!("generated: {generated:?}");
    println!("mutated generated: {generated_mutants:?}");
    let fell_back =
        unmutated.fell_back + mutants.fell_back + generated.fell_back + generated_mutants.fell_back + soups.fell_back;
    println!("inputs pest parsed but we handed to the fallback: {fell_back}");

    // We only fall back on values or types nested past 128 levels, which none of these reach.
    assert_eq!(fell_back, 0);
    // Both families must exercise both paths, or the test proves little.
    assert!(mutants.same > MUTANTS / 5 && mutants.rejected > MUTANTS / 5, "{mutants:?}");
    assert!(generated.same > GENERATED * 9 / 10, "{generated:?}");
    assert!(generated_mutants.same > GENERATED / 10 && generated_mutants.rejected > GENERATED / 10);
    assert!(soups.same > SOUPS / 4 && soups.rejected > SOUPS, "{soups:?}");
}
