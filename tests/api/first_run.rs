//! What a newcomer meets on a first run of the binary: a busy port, each command's `--help`, the
//! options before or after the command, and the start-up log.

use crate::binary::{strip_ansi, Spawned, BIN};
use crate::helpers::seed_dir;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Runs the binary with `args` and no environment variable of its own that could change them.
fn run(args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    for var in ["BIND", "DATA_DIR", "SEED_DIR", "TOKENS_FILE", "TOKENS", "BENCH_BASELINE"] {
        command.env_remove(format!("KHARTOUM_GRAPHQL_{var}"));
    }
    command.args(args).env("NO_COLOR", "1").output().expect("the binary runs")
}

/// The lines of stderr that start with `error:`.
fn errors(out: &Output) -> Vec<String> {
    strip_ansi(&String::from_utf8_lossy(&out.stderr))
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_busy_port_names_the_flag_and_the_variable_before_anything_is_written_to_disk() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let seed = seed_dir();
    let seed = seed.to_str().unwrap();
    // The options before the command, after it, and with no command at all.
    let cases: [Vec<&str>; 3] = [
        vec!["--bind", &busy, "--data-dir", "DATA", "--seed-dir", seed, "serve"],
        vec!["serve", "--bind", &busy, "--data-dir", "DATA", "--seed-dir", seed],
        vec!["--bind", &busy, "--data-dir", "DATA", "--seed-dir", seed],
    ];
    for (i, case) in cases.iter().enumerate() {
        let data = dir.path().join(format!("data-{i}"));
        let args: Vec<&str> = case.iter().map(|a| if *a == "DATA" { data.to_str().unwrap() } else { a }).collect();
        let out = run(&args);
        assert!(!out.status.success(), "{args:?} served on a busy port");
        let errors = errors(&out);
        assert_eq!(errors.len(), 1, "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let line = &errors[0];
        assert!(line.contains(&busy), "the error names the address: {line}");
        assert!(line.contains("--bind") && line.contains("KHARTOUM_GRAPHQL_BIND"), "{line}");
        assert!(!data.exists(), "{args:?} created {} before finding the port busy", data.display());
    }
    drop(taken);
}

#[test]
fn each_commands_help_lists_only_the_options_it_takes_and_says_that_serve_is_the_default() {
    let help = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let top = help(&["--help"]);
    assert!(top.contains("serve is the default") || top.contains("(default: serve)"), "{top}");
    // (command, options it takes, options it must not list)
    let commands: [(&str, &[&str], &[&str]); 6] = [
        ("serve", &["--bind", "--data-dir", "--seed-dir", "--tokens-file"], &[]),
        ("seed", &["--data-dir", "--seed-dir", "--replace"], &["--bind", "--tokens-file"]),
        ("check-seed", &["--seed-dir"], &["--bind", "--data-dir", "--tokens-file"]),
        ("check-store", &["--data-dir"], &["--bind", "--seed-dir", "--tokens-file"]),
        ("schema", &[], &["--bind", "--data-dir", "--seed-dir", "--tokens-file"]),
        ("export", &["--data-dir", "--out", "--format"], &["--bind", "--seed-dir", "--tokens-file"]),
    ];
    for (command, takes, lacks) in commands {
        let text = help(&[command, "--help"]);
        for option in takes {
            assert!(text.contains(option), "`{command} --help` lacks {option}:\n{text}");
        }
        for option in lacks {
            assert!(!text.contains(option), "`{command} --help` lists {option}, which it does not use:\n{text}");
        }
        assert!(!text.contains("--bench-baseline"), "{text}");
    }
    assert!(help(&["serve", "--help"]).contains("default"), "serve's help says it is the default command");
}

#[test]
fn an_option_after_the_command_wins_over_the_same_option_before_it() {
    let real = seed_dir();
    let real = real.to_str().unwrap();
    let missing = tempfile::tempdir().unwrap();
    let missing = missing.path().join("no-seed-here");
    let missing = missing.to_str().unwrap();
    assert!(run(&["--seed-dir", real, "check-seed"]).status.success());
    assert!(run(&["check-seed", "--seed-dir", real]).status.success());
    assert!(!run(&["--seed-dir", missing, "check-seed"]).status.success());
    assert!(!run(&["check-seed", "--seed-dir", missing]).status.success());
    assert!(run(&["--seed-dir", missing, "check-seed", "--seed-dir", real]).status.success());
    assert!(!run(&["--seed-dir", real, "check-seed", "--seed-dir", missing]).status.success());
}

#[test]
fn the_start_up_log_points_at_the_landing_page_and_at_graphql() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Spawned::new(
        Command::new(BIN)
            .arg("serve")
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--seed-dir")
            .arg(seed_dir())
            .args(["--bind", "127.0.0.1:0"])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts"),
    );
    let line = serving_line(&mut child);
    drop(child);
    let graphql = log_field(&line, "address").unwrap_or_default();
    let landing = log_field(&line, "landing_page").unwrap_or_default();
    assert!(graphql.starts_with("http://127.0.0.1:") && graphql.ends_with("/graphql"), "{line}");
    assert_eq!(landing, graphql.trim_end_matches("graphql"), "{line}");
}

/// The log line in which a server started with piped stderr says it is serving. Fails the test,
/// with the log so far, if none comes within 30 s.
pub fn serving_line(server: &mut Spawned) -> String {
    server
        .wait_for_line(Duration::from_secs(30), |l| l.contains("serving") && l.contains("address="))
        .unwrap_or_else(|| panic!("the server did not say it is serving within 30 s:\n{}", server.log().join("\n")))
}

/// The value of `key=` in a log line.
pub fn log_field(line: &str, key: &str) -> Option<String> {
    line.split(&format!("{key}=")).nth(1).and_then(|rest| rest.split_whitespace().next()).map(str::to_owned)
}
