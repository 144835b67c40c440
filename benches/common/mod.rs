//! What the benchmarks share: the synthetic record written as seed files, and a process's memory.
//! (A directory, not `benches/common.rs`, so that Cargo does not take it for a benchmark.)

use khartoum_graphql::domain::Dataset;
use khartoum_graphql::seed::{self, synthetic};
use std::path::Path;

/// Writes the real record `real` scaled `n`× into `dir` as seed files; returns how many meetings
/// they hold.
pub fn write_scaled_seed(real: &Dataset, n: u32, dir: &Path) -> usize {
    let ds = synthetic::scale(real, n).expect("a valid scale");
    seed::writer::write(&ds, dir).expect("the seed files are written");
    ds.meetings.len()
}

/// VmRSS and VmHWM of a process, in kB (0 where `/proc` does not say).
pub fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
