//! The Python example (`examples/python/`): gql runs the manual's example queries against a real
//! server and pages through every meeting.

use crate::binary::serve;
use crate::helpers::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The Python of the virtualenv under `target/py` with the packages of
/// `examples/python/requirements.txt`.
fn python() -> PathBuf {
    let requirements = Path::new(ROOT).join("examples").join("python").join("requirements.txt");
    virtualenv("py", &requirements).join("bin").join("python")
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
