//! Bad data and faults, through the real binary: a data directory that is missing, not a
//! directory, not creatable or read-only; a damaged store; a store written by a newer build;
//! and seed files that are broken while a seeded store exists. Each must end in one line on
//! stderr that names the path and says what to do, never a panic, and must leave the store as
//! it was.

use crate::binary::*;
use crate::helpers::*;
use khartoum_graphql::domain::Collection;
use khartoum_graphql::store::{codec, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A meeting of the real seed, read back to prove a store unchanged.
const MEETING: &str = "2022-07-mombasa-skills-mobility";

/// The one line a failed command printed, after asserting that it failed without a panic and
/// printed nothing else. Log lines (the tests run the binary with `RUST_LOG=info`) are set
/// aside: they carry a timestamp and a level, and the error is the only line without them.
fn one_line_error(out: &Output) -> String {
    let stderr = strip_ansi(&String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "the command succeeded; stderr: {stderr}");
    assert_ne!(out.status.code(), Some(101), "exit code 101 is a panic: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !is_log_line(l)).collect();
    assert_eq!(lines.len(), 1, "expected exactly one line besides log lines, got: {stderr}");
    let line = lines[0];
    assert!(line.starts_with("error: ") && line.len() > "error: ".len(), "{line}");
    line.to_owned()
}

/// A line of the tracing log: `2026-11-23T12:00:00.000000Z  INFO target: message`.
fn is_log_line(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let stamp = words.next().unwrap_or("");
    let level = words.next().unwrap_or("");
    stamp.len() > 20
        && stamp.as_bytes()[4] == b'-'
        && stamp.contains('T')
        && ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level)
}

/// Runs `serve` on a free port; for the cases where it must refuse to start.
fn serve_must_fail(data: &Path) -> Output {
    cli(data, &["--bind", "127.0.0.1:0", "serve"])
}

/// A store seeded from the real seed files by the binary, in `<tmp>/data`.
fn seeded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = cli(&data, &["seed"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (dir, data)
}

/// The dataset version and one meeting's title, read through the library after the binary exits.
fn version_and_title(data: &Path) -> (String, String) {
    let store = Store::open(data).expect("the store opens");
    let version = store.meta().unwrap().expect("a dataset").version;
    let meeting =
        store.load().unwrap().meetings.into_iter().find(|m| m.slug.as_str() == MEETING).expect("the Mombasa meeting");
    (version, meeting.title.clone())
}

/// A copy of the real seed directory, to break.
fn seed_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

// ----- the data directory -----

#[test]
fn check_store_and_export_refuse_a_missing_data_directory_in_one_line_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("no-such-store");
    for args in [&["check-store"][..], &["export", "--out", dir.path().join("out").to_str().unwrap()][..]] {
        let line = one_line_error(&cli(&data, args));
        assert_eq!(
            line,
            format!(
                "error: data directory {} holds no store; create one with `khartoum-graphql seed` (or `serve`), or pass the right --data-dir",
                data.display()
            ),
            "{args:?}"
        );
        assert!(!data.exists(), "{args:?} created the data directory");
    }
    // An empty directory holds no store either, and stays empty.
    std::fs::create_dir(&data).unwrap();
    let line = one_line_error(&cli(&data, &["check-store"]));
    assert!(line.contains("holds no store"), "{line}");
    assert_eq!(std::fs::read_dir(&data).unwrap().count(), 0, "check-store wrote into an empty directory");
}

#[test]
fn a_data_directory_that_is_a_file_is_refused_in_one_line_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data");
    std::fs::write(&file, "not a store").unwrap();
    let expected = format!(
        "error: data directory {} is not a directory; pass a directory as --data-dir (a missing one is created)",
        file.display()
    );
    assert_eq!(one_line_error(&serve_must_fail(&file)), expected);
    assert_eq!(one_line_error(&cli(&file, &["seed"])), expected);
    assert_eq!(one_line_error(&cli(&file, &["check-store"])), expected);
    // A path that goes through a file is no directory either.
    let below = file.join("store");
    assert!(one_line_error(&serve_must_fail(&below)).contains("is not a directory"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a store");
}

#[test]
#[cfg(target_os = "linux")]
fn a_data_directory_that_cannot_be_created_is_refused_in_one_line() {
    // Nothing, not even root, can create a directory in /proc.
    let data = Path::new("/proc/khartoum-graphql-test/data");
    let line = one_line_error(&serve_must_fail(data));
    assert!(
        line.starts_with(&format!("error: cannot create data directory {} (", data.display()))
            && line.ends_with("create it, writable by the user running khartoum-graphql, or pass another --data-dir"),
        "{line}"
    );
}

/// A directory whose permissions this test sets, under `/tmp` (which every user may enter: a
/// temporary directory elsewhere, or the clone itself, may sit in a home of mode 0700), holding
/// a copy of the binary and of the seed files, so that an unprivileged user can run them.
struct Unprivileged {
    dir: tempfile::TempDir,
}

impl Unprivileged {
    fn new() -> Unprivileged {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new().prefix("khartoum-faults-").tempdir_in("/tmp").unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::copy(BIN, dir.path().join("khartoum-graphql")).unwrap();
        std::fs::set_permissions(dir.path().join("khartoum-graphql"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let seed = dir.path().join("seed");
        std::fs::create_dir(&seed).unwrap();
        std::fs::set_permissions(&seed, std::fs::Permissions::from_mode(0o755)).unwrap();
        for entry in std::fs::read_dir(seed_dir()).unwrap() {
            let path = entry.unwrap().path();
            let copy = seed.join(path.file_name().unwrap());
            std::fs::copy(&path, &copy).unwrap();
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        Unprivileged { dir }
    }

    /// Where the test's data directories go.
    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs the copy of the binary as a user that the permission bits apply to: as root (CI), as
    /// `nobody`, since root writes through read-only bits; as anyone else, as that user.
    fn run(&self, data: &Path, args: &[&str]) -> Output {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(self.dir.path().join("khartoum-graphql"));
        cmd.arg("--data-dir").arg(data).arg("--seed-dir").arg(self.dir.path().join("seed")).args(args);
        cmd.env("RUST_LOG", "info");
        if is_root() {
            // The supplementary groups stay root's; the modes below give groups no write access.
            cmd.uid(65534).gid(65534);
        }
        cmd.output().expect("the binary runs")
    }
}

#[test]
fn a_read_only_data_directory_is_refused_in_one_line_and_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let unprivileged = Unprivileged::new();
    let dir = unprivileged.path();
    let seeded_data = dir.join("data");
    let out = cli(&seeded_data, &["seed"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let unwritable_parent = dir.join("locked");
    std::fs::create_dir(&unwritable_parent).unwrap();
    for path in [&empty, &unwritable_parent] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    // A seeded store made read-only as a whole: the directory and every file in it.
    for entry in std::fs::read_dir(&seeded_data).unwrap() {
        let path = entry.unwrap().path();
        let mode = if path.is_dir() { 0o555 } else { 0o444 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::set_permissions(&seeded_data, std::fs::Permissions::from_mode(0o555)).unwrap();

    let advice = "give the user running khartoum-graphql write access to it, or pass another --data-dir";
    for (data, args) in [
        (&empty, &["--bind", "127.0.0.1:0", "serve"][..]),
        (&seeded_data, &["--bind", "127.0.0.1:0", "serve"][..]),
        (&seeded_data, &["check-store"][..]),
    ] {
        let line = one_line_error(&unprivileged.run(data, args));
        assert!(
            line.starts_with(&format!("error: data directory {} is not writable (", data.display()))
                && line.ends_with(advice),
            "{args:?}: {line}"
        );
    }
    let data = unwritable_parent.join("data");
    let line = one_line_error(&unprivileged.run(&data, &["--bind", "127.0.0.1:0", "serve"]));
    assert!(line.starts_with(&format!("error: cannot create data directory {} (", data.display())), "{line}");

    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    std::fs::set_permissions(&seeded_data, std::fs::Permissions::from_mode(0o755)).unwrap();
    for entry in std::fs::read_dir(&seeded_data).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(if path.is_dir() { 0o755 } else { 0o644 }))
            .unwrap();
    }
    let check = cli(&seeded_data, &["check-store"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

// ----- a damaged store -----

/// The end of every message about a store that must be rebuilt.
const REBUILD: &str = "move it aside and rebuild it with `khartoum-graphql seed` from seed/ or your last export";

#[test]
fn a_store_whose_log_file_was_emptied_is_refused_as_having_lost_its_dataset_not_reseeded() {
    let (_dir, data) = seeded();
    std::fs::write(data.join("db"), b"").unwrap();
    let expected = format!(
        "error: the store in {} has lost its dataset: it was seeded, but its files now hold none (they are damaged or were replaced); {REBUILD}",
        data.display()
    );
    assert_eq!(one_line_error(&serve_must_fail(&data)), expected);
    assert_eq!(one_line_error(&cli(&data, &["check-store"])), expected);
    assert_eq!(one_line_error(&cli(&data, &["seed"])), expected);
    assert_eq!(one_line_error(&cli(&data, &["export", "--out", data.join("out").to_str().unwrap()])), expected);
    // Still refused: nothing above reseeded it behind the user's back.
    assert_eq!(one_line_error(&cli(&data, &["check-store"])), expected);
    // `seed --replace` is the explicit repair.
    let replaced = cli(&data, &["seed", "--replace"]);
    assert!(replaced.status.success(), "{}", String::from_utf8_lossy(&replaced.stderr));
    assert!(cli(&data, &["check-store"]).status.success());
}

#[test]
fn a_store_whose_log_starts_with_garbage_is_refused_in_one_line() {
    let (_dir, data) = seeded();
    let mut bytes = std::fs::read(data.join("db")).unwrap();
    for (i, b) in bytes.iter_mut().take(4096).enumerate() {
        *b = (i as u8).wrapping_mul(151).wrapping_add(7);
    }
    std::fs::write(data.join("db"), bytes).unwrap();
    for out in [serve_must_fail(&data), cli(&data, &["check-store"])] {
        let line = one_line_error(&out);
        assert!(line.contains(&data.display().to_string()) && line.ends_with(REBUILD), "{line}");
    }
}

#[test]
fn a_store_with_a_damaged_configuration_file_is_refused_in_one_line() {
    let (_dir, data) = seeded();
    let conf = std::fs::read(data.join("conf")).unwrap();
    std::fs::write(data.join("conf"), &conf[..conf.len() / 3]).unwrap();
    for out in [serve_must_fail(&data), cli(&data, &["check-store"])] {
        let line = one_line_error(&out);
        assert!(line.starts_with(&format!("error: the store in {} is damaged (", data.display())), "{line}");
        assert!(line.ends_with(REBUILD), "{line}");
    }
}

#[test]
fn a_record_that_does_not_decode_is_reported_in_one_line_by_serve_check_store_and_export() {
    let (dir, data) = seeded();
    {
        let store = Store::open(&data).unwrap();
        // A version byte this build writes, then bytes that are no meeting.
        store.put_raw_for_test(Collection::Meetings, MEETING, &[codec::FORMAT_VERSION, 0xff, 0xff, 0xff]).unwrap();
    }
    let expected_start = format!(
        "error: the store in {} is damaged (the value in tree 'meetings' at key '{MEETING}' does not decode: ",
        data.display()
    );
    for out in [
        serve_must_fail(&data),
        cli(&data, &["check-store"]),
        cli(&data, &["export", "--out", dir.path().join("out").to_str().unwrap()]),
    ] {
        let line = one_line_error(&out);
        assert!(line.starts_with(&expected_start) && line.ends_with(REBUILD), "{line}");
    }
    assert!(!dir.path().join("out").exists(), "export wrote files from a damaged store");
}

#[test]
fn export_refuses_an_inconsistent_store_in_one_line() {
    let (dir, data) = seeded();
    {
        let store = Store::open(&data).unwrap();
        let meeting = store.load().unwrap().meetings.into_iter().find(|m| m.slug.as_str() == MEETING).unwrap();
        let (ix, key) = khartoum_graphql::store::index::meeting_entries(&meeting).into_iter().next().unwrap();
        store.corrupt_index_for_test(ix, &key).unwrap();
    }
    let out = dir.path().join("out");
    let line = one_line_error(&cli(&data, &["export", "--out", out.to_str().unwrap()]));
    assert_eq!(
        line,
        format!(
            "error: the store in {} is inconsistent (1 problem(s); `khartoum-graphql check-store` lists them), so it is not exported; rebuild it with `khartoum-graphql seed` from seed/ or your last export",
            data.display()
        )
    );
    assert!(!out.exists());
}

// ----- a store written by a newer build -----

#[test]
fn a_store_written_by_a_newer_build_is_refused_in_one_line_by_every_command() {
    let newer = codec::FORMAT_VERSION + 1;
    let expected = |data: &Path| {
        format!(
            "error: the store in {} was written by a newer build (store format {newer}, this build reads format {}); run a newer build of khartoum-graphql, or {REBUILD}",
            data.display(),
            codec::FORMAT_VERSION
        )
    };
    // The store says so in its metadata.
    let (dir, data) = seeded();
    Store::open(&data).unwrap().set_format_for_test(newer).unwrap();
    for args in [
        &["--bind", "127.0.0.1:0", "serve"][..],
        &["check-store"][..],
        &["seed"][..],
        &["seed", "--replace"][..],
        &["export", "--out", dir.path().join("out").to_str().unwrap()][..],
    ] {
        assert_eq!(one_line_error(&cli(&data, args)), expected(&data), "{args:?}");
    }
    // Or only a record does, under metadata this build wrote.
    let (_dir, data) = seeded();
    {
        let store = Store::open(&data).unwrap();
        let mut bytes = store.get_raw_for_test(Collection::Meetings, MEETING).unwrap().unwrap();
        bytes[0] = newer;
        store.put_raw_for_test(Collection::Meetings, MEETING, &bytes).unwrap();
    }
    assert_eq!(one_line_error(&serve_must_fail(&data)), expected(&data));
    assert_eq!(one_line_error(&cli(&data, &["check-store"])), expected(&data));
}

#[test]
fn a_second_process_on_a_data_directory_in_use_gets_one_line_for_every_command() {
    let (_dir, data) = seeded();
    let (mut server, _) = serve(&data);
    let expected = format!(
        "error: data directory {} is in use by another process; stop that process first (a store admits one), or pass another --data-dir",
        data.display()
    );
    let outs = [serve_must_fail(&data), cli(&data, &["check-store"]), cli(&data, &["seed", "--replace"])];
    let _ = server.kill();
    let _ = server.wait();
    for out in &outs {
        assert_eq!(one_line_error(out), expected);
    }
}

// ----- broken seed files and a seeded store -----

/// Runs `seed --replace` and `serve` against a broken seed directory and checks that the store
/// kept its version and its data; returns the error line of `seed --replace` and the warnings
/// `serve` logged.
fn broken_seed_leaves_the_store_untouched(seed: &Path) -> (String, Vec<String>) {
    let (_dir, data) = seeded();
    let before = version_and_title(&data);

    let out = cli_with(&data, seed, &["seed", "--replace"]);
    assert!(!out.status.success());
    assert_ne!(out.status.code(), Some(101));
    let stderr = strip_ansi(&String::from_utf8_lossy(&out.stderr));
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(version_and_title(&data), before, "seed --replace changed the store");

    // The log up to "serving" holds the warnings about the seed files.
    let (mut server, base, log) = serve_with(&data, seed);
    let health = ureq::get(&format!("{base}/health")).call().unwrap().into_string().unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(health.contains(&format!("\"datasetVersion\":\"{}\"", before.0)), "{health}");
    assert_eq!(version_and_title(&data), before, "serve changed the store");
    (stderr, log)
}

#[test]
fn a_seed_file_with_malformed_json_leaves_a_seeded_store_untouched_and_is_named_with_its_line_and_column() {
    let seed = seed_copy();
    let file = seed.path().join("meetings.json");
    let text = std::fs::read_to_string(&file).unwrap();
    // Drop the colon after the second record's first key.
    let at = text.match_indices("\"slug\":").nth(1).unwrap().0;
    let line = text[..at].matches('\n').count() + 1;
    // The value's opening quote then stands where the colon was expected; serde_json points
    // just past it (columns count from 1).
    let quote = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + "\"slug\" ".len();
    let column = quote + 2;
    let broken = format!("{}\"slug\" {}", &text[..at], &text[at + "\"slug\":".len()..]);
    std::fs::write(&file, broken).unwrap();

    let (stderr, log) = broken_seed_leaves_the_store_untouched(seed.path());
    let located =
        format!("{}: not a JSON array of records: expected `:` at line {line} column {column}", file.display());
    assert!(stderr.contains(&located), "wanted {located:?} in: {stderr}");
    assert!(log.iter().any(|l| l.contains(&located)), "wanted {located:?} in the server log: {log:?}");
    assert!(log.iter().any(|l| l.contains("serving the existing store, unchanged")), "{log:?}");
}

#[test]
fn a_seed_file_with_a_reference_to_nothing_leaves_a_seeded_store_untouched_and_is_named() {
    let seed = seed_copy();
    let file = seed.path().join("meetings.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let broken = text.replacen("\"actor\": \"ke\"", "\"actor\": \"atlantis\"", 1);
    assert_ne!(broken, text, "the seed has a participation of Kenya to break");
    std::fs::write(&file, broken).unwrap();

    let (stderr, log) = broken_seed_leaves_the_store_untouched(seed.path());
    for text in [stderr.as_str(), &log.join("\n")] {
        assert!(
            text.lines().any(|l| l.contains(&format!("{}: meeting '", file.display())) && l.contains("'atlantis'")),
            "wanted the file, the meeting and the unknown actor in: {text}"
        );
    }
}
