//! The power-cut test: the filesystem under the data directory is cut off at once, the way a
//! power cut leaves a disk, and every write the server acknowledged before the cut must be there
//! after `e2fsck` and a restart, none half-applied, with `check-store` clean.
//!
//! The cut: the data directory lives on an ext4 image on a loop device mounted with
//! `errors=remount-ro`; writing to the filesystem's `trigger_fs_error` makes ext4 abort its
//! journal at once, so nothing written after that instant (data or metadata) reaches the image,
//! and the server is then killed with SIGKILL. Anything that only sled's periodic `fsync` would
//! have made durable is lost, as in a real power cut.
//!
//! It needs root (a loop device and `mount`), as CI has (see [`crate::disk`]).

use crate::binary::*;
use crate::disk::{may_run, Disk};
use crate::durability::{create_meeting, kill_test_meetings, source_url, Failure};
use crate::helpers::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One kill-test meeting, created through the API; `Ok(true)` when the write was acknowledged,
/// `Ok(false)` when the server answered that it failed (as it must once its disk is cut off),
/// `Err` when the server could not be reached.
fn create(base: &str, slug: &str) -> Result<bool, Failure> {
    match create_meeting(base, slug) {
        Ok(v) => Ok(v["errors"].is_null() && v["data"]["createMeeting"]["slug"] == json!(slug)),
        Err(Failure::Status(..)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Restarts the server on the recovered filesystem and checks that every acknowledged meeting
/// is there and complete, that no meeting is half-applied, and that `check-store` is clean.
/// `raced` are writes acknowledged while the cut was under way: each may be missing (see the
/// stream test), but is whole where it is there.
fn every_acknowledged_write_is_there(disk: &Disk, acknowledged: &[String], raced: &[String]) {
    let (mut server, base, _) = serve_env(&disk.data(), &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
    let found = kill_test_meetings(&base);
    let _ = server.kill();
    let _ = server.wait();
    let by_slug: std::collections::HashMap<&str, &Value> =
        found.iter().map(|m| (m["slug"].as_str().unwrap(), m)).collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|s| !by_slug.contains_key(s.as_str())).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes were lost in the power cut: {lost:?}",
        lost.len(),
        acknowledged.len()
    );
    let raced_lost = raced.iter().filter(|s| !by_slug.contains_key(s.as_str())).count();
    println!(
        "power-cut test: {raced_lost} of {} writes acknowledged while the cut was under way are missing",
        raced.len()
    );
    for m in &found {
        let slug = m["slug"].as_str().unwrap();
        assert_eq!(m["hosts"], json!([{ "slug": "ke" }]), "{slug} half-applied");
        assert_eq!(m["organisers"], json!([{ "slug": "icmpd" }]), "{slug} half-applied");
        assert_eq!(m["sources"], json!([{ "url": source_url(slug) }]), "{slug} half-applied");
    }
    let check = cli(&disk.data(), &["check-store"]);
    assert!(
        check.status.success(),
        "check-store after the power cut: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn writes_acknowledged_just_before_a_power_cut_are_all_there_after_recovery() {
    if !may_run() {
        return;
    }
    let mut disk = Disk::new(128);
    let (mut server, base, _) = serve_env(&disk.data(), &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
    let acknowledged: Vec<String> = (0..5).map(|i| format!("2030-01-power-cut-{i}")).collect();
    for slug in &acknowledged {
        assert_eq!(create(&base, slug), Ok(true), "{slug} was not acknowledged before the cut");
    }
    // At once: sled's periodic fsync (every 500 ms) must not be what saves them.
    disk.cut();
    server.kill().expect("SIGKILL");
    let _ = server.wait();
    disk.recover();
    every_acknowledged_write_is_there(&disk, &acknowledged, &[]);
}

#[test]
fn a_power_cut_in_the_middle_of_a_stream_of_writes_loses_no_write_acknowledged_before_it_commits_none_after_a_failure_and_half_applies_none(
) {
    if !may_run() {
        return;
    }
    let seed = std::env::var("KILL_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    println!("power-cut test: seed {seed} (set KILL_TEST_SEED to repeat it)");
    let mut rng = Rng(seed);
    let mut disk = Disk::new(128);
    let (server, base, _) = serve_env(&disk.data(), &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (base, stop, acknowledged) = (base.clone(), Arc::clone(&stop), Arc::clone(&acknowledged));
            std::thread::spawn(move || {
                let mut refused = 0;
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let slug = format!("2030-01-power-cut-w{w}-{n}");
                    match create(&base, &slug) {
                        Ok(true) => acknowledged.lock().unwrap().push(slug),
                        // After the cut the server must refuse writes, never acknowledge them.
                        Ok(false) => refused += 1,
                        Err(_) => break, // killed
                    }
                }
                refused
            })
        })
        .collect();
    // Cut once a few writes are acknowledged (on a busy machine that takes longer), then at a
    // random moment of the stream.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 5 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(rng.next() % 700));
    let before_cut = acknowledged.lock().unwrap().len();
    disk.cut();
    // Writes in flight at the cut are refused by the server, not acknowledged: give them time to
    // meet the read-only filesystem before the kill.
    std::thread::sleep(Duration::from_millis(200));
    let log = server.finish();
    // Judged by what the server did: once a write failed on the disk, it committed none. (A
    // store opened again over files whose writeback failed could show data the disk lacks, and
    // a write acknowledged over it would be lost.)
    let failed = log.iter().position(|l| l.contains("a write failed on the disk"));
    let failed = failed.unwrap_or_else(|| panic!("no write failed on the disk after the cut: {log:?}"));
    let committed_after: Vec<&String> = log[failed..].iter().filter(|l| l.contains("committed a write")).collect();
    assert!(committed_after.is_empty(), "writes were committed after one failed on the disk: {committed_after:?}");
    stop.store(true, Ordering::Relaxed);
    let refused: usize = writers.into_iter().map(|w| w.join().expect("a writer thread")).sum();
    let acknowledged = acknowledged.lock().unwrap().clone();
    println!(
        "power-cut test: {} writes acknowledged ({before_cut} when the cut began), {refused} refused after it",
        acknowledged.len()
    );
    assert!(
        before_cut >= 5,
        "too few writes were acknowledged before the cut ({before_cut}) for the test to mean anything"
    );
    disk.recover();
    // Every write acknowledged before the cut began must be there. The ones acknowledged while
    // it was under way may not: the cut aborts ext4's journal and turns the filesystem
    // read-only a few milliseconds later, and in between an fsync can succeed for data that the
    // aborted journal can no longer make readable (a real power cut has no such in-between).
    // They are counted, and each must be whole where it is there.
    let (before, raced) = acknowledged.split_at(before_cut);
    every_acknowledged_write_is_there(&disk, before, raced);
}
