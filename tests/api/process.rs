//! Running the real binary: its commands, and a server on a free port.

use crate::helpers::seed_dir;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_khartoum-graphql");

pub fn cli(data: &std::path::Path, args: &[&str]) -> Output {
    cli_with(data, &seed_dir(), args)
}

/// Like [`cli`], with a seed directory of the caller's.
pub fn cli_with(data: &std::path::Path, seed: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .arg("--seed-dir")
        .arg(seed)
        .args(args)
        .env("RUST_LOG", "info")
        .output()
        .expect("the binary runs")
}

/// Starts `serve` on a free port and waits until it logs that it is serving; returns the child
/// and its base URL.
pub fn serve(data: &std::path::Path) -> (Child, String) {
    let (child, url, _) = serve_with(data, &seed_dir());
    (child, url)
}

/// Like [`serve`], with a seed directory of the caller's, also returning the log lines up to the
/// one that says the server is serving.
pub fn serve_with(data: &std::path::Path, seed: &std::path::Path) -> (Child, String, Vec<String>) {
    serve_env(data, seed, &[])
}

/// Like [`serve_with`], with extra environment variables (write tokens, for instance).
pub fn serve_env(data: &std::path::Path, seed: &std::path::Path, env: &[(&str, &str)]) -> (Child, String, Vec<String>) {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .arg("--seed-dir")
        .arg(seed)
        .args(["--bind", "127.0.0.1:0", "serve"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut log = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let line = strip_ansi(&line);
            if let Some(rest) = line.split("address=").nth(1) {
                let url = rest.split_whitespace().next().unwrap().trim_end_matches("/graphql").to_owned();
                return (child, url, log);
            }
            log.push(line);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not report that it is serving within 30 s");
}

pub fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
