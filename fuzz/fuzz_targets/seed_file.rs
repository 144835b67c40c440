//! Fuzz target: see `khartoum_graphql::fuzzing::seed_file` for what it checks. The other eight
//! seed files are the project's real ones, read once.
#![no_main]

use std::sync::OnceLock;

static BASE: OnceLock<Vec<String>> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let base = BASE.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../seed");
        khartoum_graphql::fuzzing::seed_texts(&dir).expect("the seed files are readable")
    });
    khartoum_graphql::fuzzing::seed_file(base, data);
});
