//! Running the node scripts of `tests/js/` from Rust tests: installing their packages, finding
//! Chromium, and running a script with a time limit.
//!
//! The packages (`tests/js/package.json`, pinned by `package-lock.json`) are installed with
//! `npm ci` under `target/js/`, once per lock-file change, so the source tree stays clean.
//! `.ci/run` runs the same install ahead of the tests.

use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Where the test scripts are.
pub fn scripts_dir() -> PathBuf {
    Path::new(ROOT).join("tests").join("js")
}

/// Where screenshots go: a test artefact, git-ignored with the rest of `target/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(ROOT).join("target").join("browser-artifacts");
    std::fs::create_dir_all(&dir).expect("target/browser-artifacts can be created");
    dir
}

/// The folder whose `node_modules` holds the packages of `tests/js/package.json`, installed with
/// `npm ci` if they are missing or the lock file changed since.
pub fn deps_dir() -> PathBuf {
    // Tests run in parallel threads of one process: one install at a time.
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(ROOT).join("target").join("js");
    let lock = std::fs::read(scripts_dir().join("package-lock.json")).expect("tests/js/package-lock.json exists");
    let installed = std::fs::read(dir.join("package-lock.json")).ok().as_ref() == Some(&lock)
        && dir.join("node_modules").join(".package-lock.json").exists();
    if !installed {
        std::fs::create_dir_all(&dir).expect("target/js can be created");
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(scripts_dir().join(file), dir.join(file)).expect("the package files copy");
        }
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm must be installed to run the browser and conformance tests (it ships with node)");
        assert!(status.success(), "npm ci in target/js failed");
    }
    dir
}

/// The variable a person sets to skip the browser tests, on a machine without Chromium.
pub const SKIP_BROWSER_TESTS: &str = "KHARTOUM_SKIP_BROWSER_TESTS";

/// Debian's Chromium. A missing Chromium fails the test: a browser test never passes by not
/// running. Only when a person sets [`SKIP_BROWSER_TESTS`] is it skipped (`None`), loudly.
pub fn chromium() -> Option<PathBuf> {
    if std::env::var_os(SKIP_BROWSER_TESTS).is_some_and(|v| !v.is_empty()) {
        // Straight to stderr, past the test harness's capture, so that it shows on a passing run.
        let bar = "!".repeat(100);
        let _ = writeln!(
            std::io::stderr(),
            "\n{bar}\nSKIPPED: browser test, because {SKIP_BROWSER_TESTS} is set. Unset it to run the browser tests.\n{bar}\n"
        );
        return None;
    }
    let path = std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "the browser tests need Chromium at {}. Install it with: apt-get install chromium \
         (or set CHROMIUM to its path). To skip them on this machine, set {SKIP_BROWSER_TESTS}=1.",
        path.display()
    );
    Some(path)
}

/// Runs `node tests/js/<script> <args>` and returns the JSON object it prints last. Fails the
/// test if node fails, prints no JSON, or runs longer than `limit`.
pub fn run_script(script: &str, args: &[&str], env: &[(&str, &Path)], limit: Duration) -> Value {
    let mut command = Command::new("node");
    command.arg(scripts_dir().join(script)).args(args).env("JS_DEPS_DIR", deps_dir());
    for (key, value) in env {
        command.env(key, value);
    }
    run_bounded(command, &format!("node {script} {args:?}"), limit)
}

/// Runs `command` (a node program), fails the test if it runs longer than `limit` or fails, and
/// returns the last line of its output that is JSON. `what` names it in failure messages.
pub fn run_bounded(mut command: Command, what: &str, limit: Duration) -> Value {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("node must be installed to run the browser, conformance and client tests");
    // Drain both pipes on their own threads, so a chatty script cannot block on a full pipe.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("node can be waited for") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} ran longer than {limit:?}; stderr:\n{}", stderr.join().unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    assert!(status.success(), "{what} failed ({status}):\n{stdout}\n{stderr}");
    let last = stdout.lines().rev().find(|l| l.trim_start().starts_with(['{', '['])).unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{what} printed no JSON ({e}):\n{stdout}\n{stderr}"))
}
