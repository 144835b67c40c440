//! The power-cut tests: the filesystem under the data directory is cut off at once, the way a
//! power cut leaves a disk, and every write the server acknowledged must be there after a
//! restart, none half-applied, with `check-store` clean.
//!
//! Two cuts. On an ext4 image on a loop device mounted with `errors=remount-ro`, writing to the
//! filesystem's `trigger_fs_error` makes ext4 abort its journal, the server is killed with
//! SIGKILL, and `e2fsck` repairs the image: a real filesystem, but with an in-between (see the
//! stream test). On the FUSE filesystem of [`crate::cutfs`], which keeps only what was fsynced
//! and cuts at one instant, stricter than a disk: what `fsync` made durable is all there is, so
//! a write acknowledged without its files, or its directory entries, synced is found lost.
//!
//! They need root (a loop device, `mount`, `/dev/fuse`), as CI has (see [`crate::disk`]).

use crate::binary::*;
use crate::cutfs::{CutFs, Op};
use crate::disk::{may_run, Disk};
use crate::durability::{create_meeting, kill_test_meetings, source_url, Failure};
use crate::helpers::*;
use serde_json::{json, Value};
use std::ffi::OsString;
use std::path::Path;
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

/// Restarts the server on the recovered data directory and checks that every acknowledged
/// meeting is there and complete, that no meeting is half-applied, and that `check-store` is
/// clean. `raced` are writes acknowledged while the ext4 cut was under way: each may be missing
/// (see the ext4 stream test), but is whole where it is there.
fn every_acknowledged_write_is_there(data: &Path, acknowledged: &[String], raced: &[String]) {
    let (mut server, base, _) = serve_env(data, &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
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
    if !raced.is_empty() {
        println!(
            "power-cut test: {raced_lost} of {} writes acknowledged while the cut was under way are missing",
            raced.len()
        );
    }
    for m in &found {
        let slug = m["slug"].as_str().unwrap();
        assert_eq!(m["hosts"], json!([{ "slug": "ke" }]), "{slug} half-applied");
        assert_eq!(m["organisers"], json!([{ "slug": "icmpd" }]), "{slug} half-applied");
        assert_eq!(m["sources"], json!([{ "url": source_url(slug) }]), "{slug} half-applied");
    }
    store_is_consistent(data, "after the power cut");
}

/// `check-store` on `data` passes.
fn store_is_consistent(data: &Path, when: &str) {
    let check = cli(data, &["check-store"]);
    assert!(
        check.status.success(),
        "check-store {when}: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// The seed of a test's random choices: `KILL_TEST_SEED`, or the clock.
fn test_seed() -> u64 {
    let seed = std::env::var("KILL_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    println!("power-cut test: seed {seed} (set KILL_TEST_SEED to repeat it)");
    seed
}

/// Two clients sending kill-test meetings to the server at `base` until told to stop or the
/// server is gone.
struct Stream {
    acknowledged: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    writers: Vec<std::thread::JoinHandle<usize>>,
}

impl Stream {
    fn start(base: &str) -> Stream {
        let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let writers = (0..2)
            .map(|w| {
                let (base, stop, acknowledged) = (base.to_owned(), Arc::clone(&stop), Arc::clone(&acknowledged));
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
        Stream { acknowledged, stop, writers }
    }

    fn acknowledged(&self) -> usize {
        self.acknowledged.lock().unwrap().len()
    }

    /// Waits until a few writes are acknowledged (on a busy machine that takes longer), then for
    /// a random moment of the stream.
    fn wait_for_a_random_moment(&self, rng: &mut Rng) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while self.acknowledged() < 5 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(rng.next() % 700));
    }

    /// Stops the clients (the server must be gone); returns the writes acknowledged, and how
    /// many were refused.
    fn stop(self) -> (Vec<String>, usize) {
        self.stop.store(true, Ordering::Relaxed);
        let refused = self.writers.into_iter().map(|w| w.join().expect("a writer thread")).sum();
        let acknowledged = self.acknowledged.lock().unwrap().clone();
        (acknowledged, refused)
    }
}

/// Judged by what the server did, from its whole log: once a write failed on the disk, it
/// committed none. (A store opened again over files whose writeback failed could show data the
/// disk lacks, and a write acknowledged over it would be lost.) A disk that fails every call,
/// as the FUSE cut does, can also show first as a data directory that vanished: `stat` of sled's
/// log file fails.
fn nothing_committed_after_a_failure(log: &[String]) {
    let failed =
        log.iter().position(|l| l.contains("a write failed on the disk") || l.contains("the data directory vanished"));
    let failed = failed.unwrap_or_else(|| panic!("no write failed on the disk after the cut: {log:?}"));
    println!("power-cut test: the server's first failure: {}", log[failed]);
    let committed_after: Vec<&String> = log[failed..].iter().filter(|l| l.contains("committed a write")).collect();
    assert!(committed_after.is_empty(), "writes were committed after one failed on the disk: {committed_after:?}");
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
    every_acknowledged_write_is_there(&disk.data(), &acknowledged, &[]);
}

/// Starts a server on `data` (seeding it), streams writes to it from two clients, cuts at a
/// random moment of the stream, and kills the server once the writes in flight met the cut;
/// checks that it committed nothing after a write failed. Returns the writes acknowledged, in
/// order, and how many of them were acknowledged when the cut began.
fn cut_in_a_stream_of_writes(data: &Path, what: &str, cut: impl FnOnce()) -> (Vec<String>, usize) {
    let mut rng = Rng(test_seed());
    let (server, base, _) = serve_env(data, &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
    let stream = Stream::start(&base);
    stream.wait_for_a_random_moment(&mut rng);
    let before_cut = stream.acknowledged();
    cut();
    // Writes in flight at the cut are refused by the server, not acknowledged: give them time to
    // meet the failing filesystem before the kill.
    std::thread::sleep(Duration::from_millis(200));
    nothing_committed_after_a_failure(&server.finish());
    let (acknowledged, refused) = stream.stop();
    println!(
        "power-cut test ({what}): {} writes acknowledged ({before_cut} when the cut began), {refused} refused after it",
        acknowledged.len()
    );
    assert!(
        before_cut >= 5,
        "too few writes were acknowledged before the cut ({before_cut}) for the test to mean anything"
    );
    (acknowledged, before_cut)
}

#[test]
fn a_power_cut_in_the_middle_of_a_stream_of_writes_loses_no_write_acknowledged_before_it_commits_none_after_a_failure_and_half_applies_none(
) {
    if !may_run() {
        return;
    }
    let mut disk = Disk::new(128);
    let (acknowledged, before_cut) = cut_in_a_stream_of_writes(&disk.data(), "ext4", || disk.cut());
    disk.recover();
    // Every write acknowledged before the cut began must be there. The ones acknowledged while
    // it was under way may not: the cut aborts ext4's journal and turns the filesystem
    // read-only a few milliseconds later, and in between an fsync can succeed for data that the
    // aborted journal can no longer make readable (a real power cut has no such in-between).
    // That is the emulation's doing, not the server's: on the FUSE cut, which has no
    // in-between, every acknowledged write is found (the next test). They are counted, and each
    // must be whole where it is there.
    let (before, raced) = acknowledged.split_at(before_cut);
    every_acknowledged_write_is_there(&disk.data(), before, raced);
}

/// The cut of the FUSE filesystem ([`crate::cutfs`]) keeps exactly what was fsynced and nothing
/// else, at one instant: unlike the ext4 cut it has no in-between, so every write the server
/// acknowledged, before the cut or while it was under way, must be there. The first start seeds
/// the store on the FUSE filesystem too.
#[test]
fn a_power_cut_that_keeps_only_what_was_fsynced_loses_no_acknowledged_write_of_a_stream_and_half_applies_none() {
    if !may_run() {
        return;
    }
    let mut fs = CutFs::mount();
    let (acknowledged, _) = cut_in_a_stream_of_writes(&fs.mount_point().join("data"), "FUSE", || fs.cut());
    fs.unmount();
    every_acknowledged_write_is_there(&fs.backing().join("data"), &acknowledged, &[]);
}

/// Where the seeding test cuts.
#[derive(Debug, Clone, Copy)]
enum SeedCut {
    /// Right after the `SEEDED` marker is renamed into place, before its directory is synced.
    MarkerRenamed,
    /// Right after the directory of the renamed marker is synced: the seed has finished.
    MarkerSynced,
    /// Right after this many syncs (of files and directories) from the start.
    Syncs(u64),
}

/// Starts a server on an empty data directory of a FUSE filesystem, cuts it at `at`, and
/// returns what survived; also, how many syncs there had been at the cut.
fn seed_and_cut(at: SeedCut) -> (CutFs, u64) {
    let mut fs = CutFs::mount();
    let (mut renamed, mut syncs) = (false, 0);
    fs.cut_when(move |op| {
        syncs += u64::from(matches!(op, Op::Sync(_)));
        renamed |= *op == Op::Rename("SEEDED".into());
        match at {
            SeedCut::MarkerRenamed => renamed,
            SeedCut::MarkerSynced => renamed && *op == Op::Sync("data".into()),
            SeedCut::Syncs(n) => syncs == n,
        }
    });
    let server = std::process::Command::new(BIN)
        .arg("--data-dir")
        .arg(fs.mount_point().join("data"))
        .arg("--seed-dir")
        .arg(seed_dir())
        .args(["--bind", "127.0.0.1:0", "serve"])
        .env("RUST_LOG", SERVER_LOG)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut server = Spawned::new(server);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !fs.is_cut() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let syncs = fs.syncs();
    let cut = fs.is_cut();
    let log = server.log();
    assert!(cut, "{at:?}: the cut never came (the seed did not get there within 30 s): {log:?}");
    let _ = server.kill();
    let _ = server.wait();
    fs.unmount();
    (fs, syncs)
}

/// A cut during or right after the first start's seed leaves either a store that holds the
/// whole seed (with its `SEEDED` marker, or without it, which the next start writes) or one
/// without a dataset, which the next start seeds: never a marker over a partial dataset, which
/// the server would refuse to start on.
#[test]
fn a_power_cut_during_or_right_after_seeding_leaves_a_seeded_store_or_one_that_seeds_again() {
    if !may_run() {
        return;
    }
    let mut rng = Rng(test_seed());
    let reference = tempfile::tempdir().unwrap();
    let out = cli(&reference.path().join("data"), &["seed"]);
    assert!(out.status.success(), "seeding the reference store: {}", String::from_utf8_lossy(&out.stderr));
    let expected = export(&reference.path().join("data"));
    let (_, seed_syncs) = seed_and_cut(SeedCut::MarkerSynced);
    for at in [SeedCut::MarkerRenamed, SeedCut::MarkerSynced, SeedCut::Syncs(1 + rng.next() % seed_syncs)] {
        let (fs, _) = seed_and_cut(at);
        let data = fs.backing().join("data");
        let marker = data.join("SEEDED").exists();
        if marker {
            // The marker promises a dataset: it is there as seeded, before anything repairs it.
            store_is_consistent(&data, &format!("under the marker after a cut at {at:?}"));
            assert!(export(&data) == expected, "{at:?}: the marker survived over a dataset that is not the seed");
        }
        // The next start serves the whole seed, seeding again where the cut left no dataset.
        let (mut server, _, started) = serve_with(&data, &seed_dir());
        let _ = server.kill();
        let _ = server.wait();
        store_is_consistent(&data, &format!("after a cut at {at:?} and a restart"));
        assert!(export(&data) == expected, "{at:?}: after the restart the store does not hold the seed");
        let seeded_again = started.iter().any(|l| l.contains("seeded an empty store"));
        println!(
            "power-cut test (FUSE, seeding): cut at {at:?}: marker survived {marker}, seeded again {seeded_again}"
        );
    }
}

/// The dataset in the store at `data`, exported as JSON: file name and contents, less the
/// manifest (which holds the time of the seed).
fn export(data: &Path) -> Vec<(OsString, Vec<u8>)> {
    let out_dir = tempfile::tempdir().unwrap();
    let out = cli(data, &["export", "--format", "json", "--out", out_dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "export: {}", String::from_utf8_lossy(&out.stderr));
    let mut files: Vec<(OsString, Vec<u8>)> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name() != "manifest.json")
        .map(|e| (e.file_name(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}
