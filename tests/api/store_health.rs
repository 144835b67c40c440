//! The store's disk going wrong under a running server: a full disk, and the data directory
//! removed. Writes are refused with a clear error and nothing acknowledged is lost; `/health`
//! says the store cannot write; writes resume by themselves once space returns; and a store
//! that lost its dataset is never silently reseeded.

use crate::binary::*;
use crate::disk::{may_run, Disk};
use crate::durability::{create_meeting, kill_test_meetings, Failure};
use crate::helpers::*;
use serde_json::{json, Value};
use std::io::Write;

/// Creates a kill-test meeting: `Ok(())` when acknowledged, `Err` with what the server said.
fn create(base: &str, slug: &str) -> Result<(), String> {
    match create_meeting(base, slug) {
        Ok(v) if v["errors"].is_null() => Ok(()),
        Ok(v) => Err(v["errors"][0].to_string()),
        Err(Failure::Status(code, body)) => Err(format!("{code}: {body}")),
        Err(Failure::Transport(e)) => panic!("the server is gone: {e}"),
    }
}

/// The status code and JSON body of `/health` or `/ready`.
fn probe(base: &str, path: &str) -> (u16, Value) {
    let (code, text) = http_get(&format!("{base}{path}")).unwrap_or_else(|| panic!("{path} does not answer"));
    (code, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON ({e}): {text}")))
}

/// Fills the filesystem of `dir` with one file, until no byte more fits.
fn fill(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 1 << 20];
    while f.write_all(&chunk).is_ok() {}
    // What a whole chunk no longer fits into, smaller writes can still take.
    while f.write_all(&chunk[..4096]).is_ok() {}
    while f.write_all(&chunk[..1]).is_ok() {}
    let _ = f.sync_all();
    path
}

#[test]
fn a_full_disk_refuses_writes_cleanly_health_says_so_and_writes_resume_once_space_returns() {
    if !may_run() {
        return;
    }
    let disk = Disk::new(48);
    let (mut server, base, _) = serve_env(&disk.data(), &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
    create(&base, "2030-03-disk-before").expect("a write before the disk fills");
    assert_eq!(probe(&base, "/ready").0, 200);
    let filler = fill(&disk.mount_point());
    let mut refused = Vec::new();
    for i in 0..5 {
        let slug = format!("2030-03-disk-full-{i}");
        match create(&base, &slug) {
            Ok(()) => {}
            Err(e) => refused.push((slug, e)),
        }
    }
    assert!(!refused.is_empty(), "no write was refused on a full disk");
    for (slug, e) in &refused {
        assert!(e.contains("STORE_UNAVAILABLE"), "{slug}: {e}");
        assert!(!e.contains(disk.data().to_str().unwrap()), "the error shows a path: {e}");
    }
    let (status, body) = probe(&base, "/health");
    assert_eq!(status, 200, "/health answers while reads are served: {body}");
    assert_eq!((&body["status"], &body["store"]["writable"]), (&json!("degraded"), &json!(false)), "{body}");
    let (status, body) = probe(&base, "/ready");
    assert_eq!((status, &body["ready"]), (503, &json!(false)), "/ready while the store cannot write: {body}");
    std::fs::remove_file(&filler).unwrap();
    // Once space returns, writes resume without a restart.
    create(&base, "2030-03-disk-after").expect("a write once space returned");
    let (_, body) = probe(&base, "/health");
    assert_eq!((&body["status"], &body["store"]["writable"]), (&json!("ok"), &json!(true)), "{body}");
    assert_eq!(probe(&base, "/ready").0, 200);
    let _ = server.kill();
    let _ = server.wait();
    // Every acknowledged write is there after a restart; the store is consistent.
    let (mut server, base, _) = serve_env(&disk.data(), &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
    let found: Vec<String> = kill_test_meetings(&base).iter().map(|m| m["slug"].as_str().unwrap().to_owned()).collect();
    let _ = server.kill();
    let _ = server.wait();
    for slug in ["2030-03-disk-before", "2030-03-disk-after"] {
        assert!(found.iter().any(|s| s == slug), "{slug} is lost: {found:?}");
    }
    let check = cli(&disk.data(), &["check-store"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn a_data_directory_removed_under_a_running_server_refuses_writes_says_so_and_is_never_seeded_over() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut server, base, _) = serve_env(&data, &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
    create(&base, "2030-03-removed-before").expect("a write before the directory is removed");
    std::fs::remove_dir_all(&data).unwrap();
    let e = create(&base, "2030-03-removed-after").expect_err("a write into a removed data directory was acknowledged");
    assert!(e.contains("STORE_UNAVAILABLE"), "{e}");
    let (status, body) = probe(&base, "/health");
    assert_eq!((status, &body["store"]["writable"]), (200, &json!(false)), "{body}");
    assert!(body["store"]["problem"].as_str().unwrap_or("").contains("removed or replaced"), "{body}");
    assert_eq!(probe(&base, "/ready").0, 503);
    // Reads go on from memory, and the refused write is not among them.
    let found: Vec<String> = kill_test_meetings(&base).iter().map(|m| m["slug"].as_str().unwrap().to_owned()).collect();
    assert_eq!(found, ["2030-03-removed-before"]);
    // A directory put back in its place is not the one the server opened: still refused.
    std::fs::create_dir_all(&data).unwrap();
    assert!(create(&base, "2030-03-removed-later").is_err(), "a write was acknowledged into a replaced directory");
    let _ = server.kill();
    let _ = server.wait();
    // The next start finds the marker the server left, and seeds nothing over the loss.
    assert!(data.join("DATASET-LOST").exists(), "no marker was left in the data directory");
    let mut start = Spawned::new(
        std::process::Command::new(BIN)
            .arg("--data-dir")
            .arg(&data)
            .arg("--seed-dir")
            .arg(seed_dir())
            .args(["--bind", "127.0.0.1:0", "serve"])
            .env("NO_COLOR", "1")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the server starts"),
    );
    let (status, _) = wait_for_exit(&mut start, std::time::Duration::from_secs(30), "starting on a lost dataset");
    let said = start.finish().join("\n");
    assert!(!status.success(), "a server started on a data directory that lost its dataset: {said}");
    assert!(said.contains("lost its dataset") && said.contains("DATASET-LOST"), "{said}");
    assert!(!data.join("SEEDED").exists(), "a fresh store was seeded over the loss");
    // Reseeding on purpose is the operator's to choose, and then serving works again.
    let reseed = cli_with(&data, &seed_dir(), &["seed", "--replace"]);
    assert!(reseed.status.success(), "{}", String::from_utf8_lossy(&reseed.stderr));
    let check = cli(&data, &["check-store"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}
