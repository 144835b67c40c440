//! The binary: its commands, a second server on the same data directory, and graceful shutdown.

use crate::binary::*;
use crate::helpers::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn a_second_server_on_the_same_data_directory_exits_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut first, _) = serve(&data);
    let second = cli(&data, &["--bind", "127.0.0.1:0", "serve"]);
    let _ = first.kill();
    let _ = first.wait();
    assert!(!second.status.success());
    let stderr = strip_ansi(&String::from_utf8_lossy(&second.stderr));
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors, [format!("error: data directory {} is in use by another process; stop that process first (a store admits one), or pass another --data-dir", data.display())], "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_command_started_while_a_server_holds_the_store_waits_and_gets_it_once_the_server_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut first, _) = serve(&data);
    let second = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .arg("check-store")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("check-store starts");
    let mut second = Spawned::new(second);
    // The second process says when it meets the held lock; only then is the first stopped, so
    // the second is known to have found the store held and to have waited for it.
    let met = second.wait_for_line(Duration::from_secs(30), |l| l.contains("the data directory is held; waiting"));
    let _ = first.kill();
    let _ = first.wait();
    assert!(met.is_some(), "check-store never met the held store: {:?}", second.log());
    let (exit, _) = wait_for_exit(&mut second, Duration::from_secs(30), "check-store");
    let log = second.finish();
    assert!(exit.success(), "check-store failed after the server let go of the store: {log:?}");
    assert!(!log.iter().any(|l| l.contains("in use")), "{log:?}");
}

#[test]
fn sigterm_and_sigint_each_finish_gracefully_and_the_store_reopens_with_the_write() {
    for signal in ["TERM", "INT"] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let (mut server, base, _) = serve_env(&data, &seed_dir(), &[("KHARTOUM_GRAPHQL_TOKENS", TOKEN)]);
        let body = r#"{"query":"mutation { updateMeeting(slug: \"2025-aswan-legal-pathways\", input: { attendance: 51 }) { attendance } }"}"#;
        let written = ureq::post(&format!("{base}/graphql"))
            .set("Content-Type", "application/json")
            .set("Authorization", &format!("Bearer {TOKEN}"))
            .send_string(body)
            .unwrap()
            .into_string()
            .unwrap();
        assert!(written.contains(r#""attendance":51"#), "{written}");
        send_signal(&server, signal);
        let (exit, _) = wait_for_exit(&mut server, Duration::from_secs(20), &format!("SIG{signal}"));
        assert!(exit.success(), "SIG{signal}: {exit:?}");
        let log = server.finish();
        // The graceful path, not a default signal disposition: it drained and flushed.
        let shutdown = log.iter().position(|l| l.contains("shutting down: finishing in-flight requests"));
        let stopped = log.iter().position(|l| l.ends_with("stopped"));
        assert!(matches!((shutdown, stopped), (Some(a), Some(b)) if a < b), "SIG{signal}: {log:#?}");
        let check = cli(&data, &["check-store"]);
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
        let export = dir.path().join("export");
        let out = cli(&data, &["export", "--format", "json", "--out", export.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let meetings: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(export.join("meetings.json")).unwrap()).unwrap();
        let aswan = meetings.as_array().unwrap().iter().find(|m| m["slug"] == "2025-aswan-legal-pathways").unwrap();
        assert_eq!(aswan["attendance"], 51, "SIG{signal}: {aswan}");
    }
}

#[test]
fn check_seed_accepts_the_real_seed_and_counts_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["check-seed"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(": ok (version ") && stdout.contains("25 commitments"), "{stdout}");
    assert!(!dir.path().join("db").exists(), "check-seed must not create a store");
}

#[test]
fn check_seed_lists_every_problem_and_fails() {
    let seed = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, seed.path().join(path.file_name().unwrap())).unwrap();
    }
    let states = seed.path().join("states.json");
    let text = std::fs::read_to_string(&states).unwrap().replacen("\"AFRICA\"", "\"ATLANTIS\"", 2);
    std::fs::write(&states, text).unwrap();
    let out = Command::new(BIN).arg("--seed-dir").arg(seed.path()).arg("check-seed").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 problem(s) in the seed files"), "{stderr}");
    assert_eq!(stderr.matches("continent: unknown value 'ATLANTIS'").count(), 2, "{stderr}");
}

#[test]
fn seed_refuses_to_overwrite_without_replace_and_reloads_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = cli(dir.path(), &["seed"]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let again = cli(dir.path(), &["seed"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("use `seed --replace`"));
    let replaced = cli(dir.path(), &["seed", "--replace"]);
    assert!(replaced.status.success());
    assert!(String::from_utf8_lossy(&replaced.stdout).starts_with("seeded "));
    let check = cli(dir.path(), &["check-store"]);
    assert!(check.status.success());
    assert!(String::from_utf8_lossy(&check.stdout).ends_with("consistent\n"));
}

#[test]
fn schema_prints_the_committed_schema() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["schema"]);
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), committed);
}

#[test]
fn help_documents_every_command_and_flag_with_its_environment_variable() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "serve",
        "seed",
        "check-seed",
        "check-store",
        "schema",
        "--bind",
        "KHARTOUM_GRAPHQL_BIND",
        "--data-dir",
        "KHARTOUM_GRAPHQL_DATA_DIR",
        "--store",
        "KHARTOUM_GRAPHQL_STORE",
        "--seed-dir",
        "KHARTOUM_GRAPHQL_SEED_DIR",
        "127.0.0.1:8000",
    ] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
    let seed_help = Command::new(BIN).args(["seed", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&seed_help.stdout).contains("--replace"));
}

#[test]
fn a_server_says_in_one_line_when_the_seed_files_differ_from_its_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(cli(&data, &["seed"]).status.success());
    let (mut same, _, log) = serve_with(&data, &seed_dir());
    let _ = same.kill();
    let _ = same.wait();
    assert!(!log.iter().any(|l| l.contains("differ")), "{log:?}");

    let changed = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, changed.path().join(path.file_name().unwrap())).unwrap();
    }
    let processes = changed.path().join("processes.json");
    let text = std::fs::read_to_string(&processes).unwrap();
    std::fs::write(&processes, text.replacen("Khartoum Process", "Khartoum Process (edited)", 1)).unwrap();
    let (mut edited, _, log) = serve_with(&data, changed.path());
    let _ = edited.kill();
    let _ = edited.wait();
    let lines: Vec<&String> = log.iter().filter(|l| l.contains("differ")).collect();
    assert_eq!(lines.len(), 1, "{log:?}");
    assert!(lines[0].contains("seed --replace"), "{}", lines[0]);
}

#[test]
fn a_server_says_when_the_seed_files_cannot_be_loaded_and_serves_its_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(cli(&data, &["seed"]).status.success());
    let broken = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, broken.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(broken.path().join("meetings.json"), "[ not json").unwrap();
    let (mut server, base, log) = serve_with(&data, broken.path());
    let health = ureq::get(&format!("{base}/health")).call().unwrap().into_string().unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(log.iter().any(|l| l.contains("the seed files cannot be loaded")), "{log:?}");
    assert!(log.iter().any(|l| l.contains("meetings.json") && l.contains("not a JSON array")), "{log:?}");
    assert!(!log.iter().any(|l| l.contains("differ")), "{log:?}");
    assert!(health.contains(r#""status":"ok""#), "{health}");
}

#[test]
fn a_tokens_file_enables_writes_and_no_token_is_ever_logged() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tokens");
    std::fs::write(&file, format!("# the curators\n\n{TOKEN}\n")).unwrap();
    const WRONG: &str = "some-other-token-0123456789";
    // The most verbose level, of every crate: whatever any layer logs about a request is seen.
    let (server, base, _) = serve_env(
        &dir.path().join("data"),
        &seed_dir(),
        &[("KHARTOUM_GRAPHQL_TOKENS_FILE", file.to_str().unwrap()), ("RUST_LOG", "trace")],
    );
    let write = |token: &str| {
        let body = r#"{"query":"mutation { updateMeeting(slug: \"2025-aswan-legal-pathways\", input: { attendance: 50 }) { attendance } }"}"#;
        let resp = ureq::post(&format!("{base}/graphql"))
            .set("Content-Type", "application/json")
            .set("Authorization", &format!("Bearer {token}"))
            .send_string(body)
            .unwrap();
        resp.into_string().unwrap()
    };
    let accepted = write(TOKEN);
    let refused = write(WRONG);
    // The whole log, to the server's end: lines written while and after the requests ran too.
    let log = server.finish();
    assert!(accepted.contains(r#""attendance":50"#), "{accepted}");
    assert!(refused.contains("UNAUTHENTICATED"), "{refused}");
    assert!(log.iter().any(|l| l.contains("writes are enabled")), "{log:?}");
    // The requests themselves were logged, so the search below looked where a token could be.
    assert!(log.iter().filter(|l| l.contains("started processing request")).count() >= 2, "{log:?}");
    assert!(log.iter().any(|l| l.contains("committed a write")), "{log:?}");
    for token in [TOKEN, WRONG] {
        assert!(log.iter().all(|l| !l.contains(token)), "the token {token} was logged: {log:#?}");
    }
}

#[test]
fn a_short_token_stops_the_server_with_one_line_that_does_not_echo_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--bind", "127.0.0.1:0", "serve"])
        .env("KHARTOUM_GRAPHQL_TOKENS", "abc123")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = strip_ansi(&String::from_utf8_lossy(&out.stderr));
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("shorter than 16") && !stderr.contains("abc123"), "{stderr}");
}
