//! Fuzz target: see `khartoum_graphql::fuzzing::codec` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    khartoum_graphql::fuzzing::codec(data);
});
