//! The Python example (`examples/python/`): gql runs the manual's example queries against a real
//! server and pages through every meeting.

use crate::helpers::*;
use crate::process::serve;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The virtualenv under `target/py` with the packages of `examples/python/requirements.txt`,
/// created with pip if it is missing or the requirements changed since.
fn python() -> PathBuf {
    // Tests run in parallel threads of one process: one install at a time.
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(ROOT).join("target").join("py");
    let wanted = Path::new(ROOT).join("examples").join("python").join("requirements.txt");
    let stamp = venv.join("requirements.txt");
    let requirements = std::fs::read(&wanted).expect("examples/python/requirements.txt exists");
    if std::fs::read(&stamp).ok().as_ref() != Some(&requirements) {
        let status = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 runs");
        assert!(status.success(), "python3 -m venv target/py failed (Debian: apt-get install python3-venv)");
        let status = Command::new(venv.join("bin").join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&wanted)
            .status()
            .expect("pip runs");
        assert!(status.success(), "pip install -r examples/python/requirements.txt failed");
        std::fs::copy(&wanted, &stamp).expect("the requirements stamp is written");
    }
    venv.join("bin").join("python")
}

#[test]
fn the_python_example_runs_every_manual_query_with_gql_and_pages_through_every_meeting() {
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let (mut server, url) = serve(&dir.path().join("data"));
    let mut child = Command::new(python)
        .arg(Path::new(ROOT).join("examples").join("python").join("example.py"))
        .arg(format!("{url}/graphql"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    // A bounded wait: a hung client fails the test instead of holding the suite.
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = server.kill();
    let _ = server.wait();
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = status.unwrap_or_else(|| panic!("the example ran longer than 120 s:\n{stdout}\n{stderr}"));
    assert!(status.success(), "the example failed ({status}):\n{stdout}\n{stderr}");
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("no JSON summary ({e}):\n{stdout}"));
    let examples = manual().matches("```graphql\n").count();
    assert_eq!(summary["operations"], examples, "{stdout}");
    let total = summary["totalCount"].as_u64().unwrap();
    assert!(total > 20, "more than one page of meetings: {summary}");
    assert_eq!(summary["meetings"], total, "{summary}");
    assert_eq!(summary["distinct"], total, "{summary}");
}
