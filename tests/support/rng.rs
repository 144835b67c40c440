//! A small xorshift generator, reproducible from its seed (tests print the seed they use).
//!
//! One file for the integration tests (`tests/api/helpers.rs`) and the library's own unit tests
//! (`src/graphql/engine.rs`), which include it by path: a unit test cannot import from the
//! integration tests, and a test-only generator does not belong in the library.

// Each test crate that includes this file uses only part of it.
#![allow(dead_code)]

/// The generator; its state is the seed until the first draw.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in `low..high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low)
    }

    /// A random byte.
    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}
