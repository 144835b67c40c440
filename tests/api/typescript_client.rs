//! The TypeScript example (`examples/typescript/`): graphql-codegen types the manual's operations
//! and writes `persisted-documents.json`, `tsc` checks the example, and Apollo Client pages
//! through every meeting against a real server that also serves those persisted documents, then
//! sends a query with Apollo's PersistedQueryLink by its APQ hash and by codegen's hash.

use crate::binary::{http_get, serve_env};
use crate::js::run_bounded;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The example's own files, which are copied next to its packages under `target/ts`.
const FILES: [&str; 6] =
    ["package.json", "package-lock.json", "extract-operations.mjs", "codegen.ts", "tsconfig.json", "src/main.ts"];

/// A copy of the example under `target/ts`, its packages installed with `npm ci` (again only when
/// the lock file changed), so that the source tree gets no `node_modules`.
fn example() -> PathBuf {
    // Tests run in parallel threads of one process: one install at a time.
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let source = Path::new(ROOT).join("examples").join("typescript");
    let dir = Path::new(ROOT).join("target").join("ts");
    let lock = std::fs::read(source.join("package-lock.json")).expect("examples/typescript/package-lock.json exists");
    let installed = std::fs::read(dir.join("node_modules").join(".installed-lock.json")).ok() == Some(lock.clone());
    std::fs::create_dir_all(dir.join("src")).expect("target/ts can be created");
    for file in FILES {
        std::fs::copy(source.join(file), dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    if !installed {
        npm(&dir, &["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
        std::fs::write(dir.join("node_modules").join(".installed-lock.json"), lock)
            .expect("the install stamp is written");
    }
    dir
}

/// Runs `npm <args>` in `dir` with the repository as `KHARTOUM_ROOT`; fails the test if it fails.
fn npm(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .env("KHARTOUM_ROOT", ROOT)
        .output()
        .expect("npm must be installed to run the TypeScript example (it ships with node)");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "npm {args:?} failed:\n{text}");
    text
}

#[test]
fn the_typescript_example_type_checks_merges_every_page_of_meetings_and_sends_persisted_queries() {
    let dir = example();
    let generated = npm(&dir, &["run", "generate"]);
    let operations = crate::helpers::manual().matches("```graphql\n").count();
    assert!(generated.contains(&format!("extracted {operations} operations")), "{generated}");
    npm(&dir, &["run", "check"]);
    npm(&dir, &["run", "build"]);

    // The server also loads codegen's persisted documents, which it refuses to start with if a
    // key is not its text's SHA-256.
    let persisted = dir.join("src").join("gql").join("persisted-documents.json");
    let documents: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&persisted).expect("codegen wrote persisted-documents.json"))
            .expect("persisted-documents.json is JSON");
    assert_eq!(documents.as_object().map(|o| o.len()), Some(operations), "one persisted document per operation");
    let data = tempfile::tempdir().unwrap();
    let seed = crate::helpers::seed_dir();
    let env = [("KHARTOUM_GRAPHQL_TRUSTED_DOCUMENTS", persisted.to_str().expect("a UTF-8 path"))];
    let (server, url, _) = serve_env(&data.path().join("data"), &seed, &env);

    let (id, _) = documents
        .as_object()
        .and_then(|o| o.iter().find(|(_, text)| text.as_str().is_some_and(|t| t.starts_with("query MeetingsPage"))))
        .expect("MeetingsPage is a persisted document");
    let (status, body) = http_get(&format!("{url}/graphql?documentId={id}")).expect("the server answers");
    assert_eq!(status, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(page["data"]["meetings"]["edges"].as_array().map(Vec::len), Some(20), "{body}");

    let mut command = Command::new("node");
    command.arg(dir.join("dist").join("main.js")).arg(format!("{url}/graphql"));
    // A bounded wait: a hung client fails the test instead of holding the suite.
    let summary = run_bounded(command, "the TypeScript example", Duration::from_secs(120));
    let _ = server.finish();
    let total = summary["totalCount"].as_u64().expect("a totalCount");
    assert!(total > 20, "more than one page of meetings: {summary}");
    assert_eq!(summary["pages"], total.div_ceil(20), "{summary}");
    assert_eq!(summary["merged"], total, "the cache merged every page into one list: {summary}");
    assert_eq!(summary["distinct"], total, "{summary}");
    // APQ: the hash alone, refused as unknown, then with the text, then the hash alone suffices.
    assert_eq!(summary["automatic"], serde_json::json!(["hash", "text", "hash"]), "{summary}");
    // The same by GET, as a CDN would see it: the retry with the text goes by POST.
    assert_eq!(summary["byGet"], serde_json::json!(["GET hash", "text", "GET hash"]), "{summary}");
    // The hash codegen gave the document names a trusted document: the hash alone suffices at once.
    assert_eq!(summary["trusted"], serde_json::json!(["hash"]), "{summary}");
}
