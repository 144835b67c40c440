//! The seed loader refuses broken seed files with precise, located messages, reports every problem
//! at once, and writes nothing.

use crate::helpers::*;
use khartoum_graphql::seed::{self, SeedError};
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

/// A copy of the real seed directory, with one file's JSON changed by `edit`.
fn broken_copy(file: &str, edit: impl FnOnce(&mut Vec<Value>)) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    edit_file(dir.path(), file, edit);
    dir
}

fn edit_file(dir: &Path, file: &str, edit: impl FnOnce(&mut Vec<Value>)) {
    let path = dir.join(file);
    let mut records: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut records);
    std::fs::write(&path, serde_json::to_string_pretty(&records).unwrap()).unwrap();
}

fn record<'a>(records: &'a mut [Value], key: &str) -> &'a mut Value {
    records.iter_mut().find(|r| r["slug"] == key || r["code"] == key).unwrap_or_else(|| panic!("no record {key}"))
}

/// Loads a seed directory that must fail, and returns every problem.
fn problems(dir: &Path) -> Vec<String> {
    match seed::load(dir) {
        Ok(_) => panic!("the broken seed loaded"),
        Err(SeedError::Invalid(p)) => p,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

const GENEVA: &str = "2021-11-geneva-return-reintegration";

#[test]
fn the_real_seed_loads_cleanly() {
    let seed = seed::load(&seed_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(seed.version.len(), 16);
}

#[test]
fn seed_rejects_a_meeting_with_an_unknown_co_host() {
    // Ethiopia co-hosted Geneva 2021; misspell it where it stands among the participations.
    let mut meetings = seed_file("meetings.json");
    let i = record(&mut meetings, GENEVA)["participations"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["actor"] == "et")
        .unwrap();
    let dir = broken_copy("meetings.json", |m| record(m, GENEVA)["participations"][i]["actor"] = "ethopia".into());
    let problems = problems(dir.path());
    let d = dir.path().display();
    assert_eq!(
        problems,
        [format!("{d}/meetings.json: meeting '{GENEVA}': participations[{i}].actor: unknown actor 'ethopia'")]
    );
}

#[test]
fn seed_rejects_a_duplicate_slug() {
    let dir = broken_copy("states.json", |s| {
        let kenya = record(s, "ke").clone();
        s.push(kenya);
    });
    assert_eq!(
        problems(dir.path()),
        [format!("{}/states.json: state 'ke': slug: duplicate: another record has the same key", dir.path().display())]
    );
}

#[test]
fn seed_rejects_an_end_before_the_start() {
    let dir = broken_copy("meetings.json", |m| record(m, GENEVA)["endDate"] = "2021-11-01".into());
    let start = record(&mut seed_file("meetings.json"), GENEVA)["startDate"].as_str().unwrap().to_owned();
    assert_eq!(
        problems(dir.path()),
        [format!(
            "{}/meetings.json: meeting '{GENEVA}': endDate: 2021-11-01 is before the start {start}",
            dir.path().display()
        )]
    );
}

#[test]
fn seed_rejects_a_record_without_a_source() {
    let dir = broken_copy("chairmanships.json", |c| {
        record(c, "khartoum-process-2019-eritrea")["sources"] = Value::Array(vec![])
    });
    assert_eq!(
        problems(dir.path()),
        [format!(
            "{}/chairmanships.json: chairmanship 'khartoum-process-2019-eritrea': sources: every record needs at least one source",
            dir.path().display()
        )]
    );
}

#[test]
fn seed_rejects_a_citation_of_an_unknown_source() {
    let dir = broken_copy("states.json", |s| record(s, "ke")["sources"] = serde_json::json!(["no-such-source"]));
    assert_eq!(
        problems(dir.path()),
        [format!("{}/states.json: state 'ke': sources[0]: unknown source 'no-such-source'", dir.path().display())]
    );
}

#[test]
fn seed_rejects_a_malformed_date() {
    let dir = broken_copy("meetings.json", |m| record(m, GENEVA)["startDate"] = "2021-13-24".into());
    assert_eq!(
        problems(dir.path()),
        [format!(
            "{}/meetings.json: meeting '{GENEVA}': startDate: '2021-13-24' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD (years 1000-9999)",
            dir.path().display()
        )]
    );
}

#[test]
fn seed_rejects_an_unknown_field() {
    let dir = broken_copy("meetings.json", |m| record(m, GENEVA)["colour"] = "red".into());
    let problems = problems(dir.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    let prefix =
        format!("{}/meetings.json: meeting '{GENEVA}': unknown field `colour`, expected one of", dir.path().display());
    assert!(problems[0].starts_with(&prefix), "{}", problems[0]);
}

#[test]
fn seed_rejects_an_unknown_enum_value_and_a_malformed_slug() {
    let dir = broken_copy("meetings.json", |m| {
        let geneva = record(m, GENEVA);
        geneva["kind"] = "PICNIC".into();
        geneva["country"] = "Switzerland".into();
    });
    let d = dir.path().display();
    assert_eq!(
        problems(dir.path()),
        [
            format!("{d}/meetings.json: meeting '{GENEVA}': country: 'Switzerland': a slug has only lower-case letters a-z, digits and single hyphens between them"),
            format!("{d}/meetings.json: meeting '{GENEVA}': kind: unknown value 'PICNIC'"),
        ]
    );
}

#[test]
fn seed_rejects_overlapping_chair_terms_without_a_note() {
    let dir = broken_copy("chairmanships.json", |c| {
        let eritrea = record(c, "khartoum-process-2019-eritrea");
        eritrea["notes"] = Value::Array(vec![]);
        eritrea["end"] = "2021".into();
        let nl = record(c, "khartoum-process-2020-netherlands");
        nl["notes"] = Value::Array(vec![]);
    });
    let problems = problems(dir.path());
    assert!(
        problems.contains(&format!(
            "{}/chairmanships.json: chairmanship 'khartoum-process-2020-netherlands': start: overlaps the term 'khartoum-process-2019-eritrea' and no note explains why",
            dir.path().display()
        )),
        "{problems:?}"
    );
}

#[test]
fn seed_reports_every_problem_across_files_not_just_the_first() {
    let dir = broken_copy("meetings.json", |m| record(m, GENEVA)["startDate"] = "someday".into());
    edit_file(dir.path(), "states.json", |s| record(s, "ke")["continent"] = "ASIA".into());
    edit_file(dir.path(), "commitments.json", |c| record(c, "cap-4.2")["colour"] = "red".into());
    let problems = problems(dir.path());
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("states.json: state 'ke': continent: unknown value 'ASIA'"), "{problems:?}");
    assert!(problems[1].contains(&format!("meetings.json: meeting '{GENEVA}': startDate:")), "{problems:?}");
    assert!(problems[2].contains("commitments.json: commitment 'cap-4.2': unknown field `colour`"), "{problems:?}");
}

#[test]
fn seed_names_a_file_that_is_not_a_json_array() {
    let dir = broken_copy("processes.json", |_| {});
    std::fs::write(dir.path().join("processes.json"), "{ not json").unwrap();
    let problems = problems(dir.path());
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with(&format!("{}/processes.json: not a JSON array of records:", dir.path().display())),
        "{problems:?}"
    );
}

#[test]
fn seed_names_a_missing_file() {
    let dir = broken_copy("processes.json", |_| {});
    std::fs::remove_file(dir.path().join("documents.json")).unwrap();
    let err = seed::load(dir.path()).expect_err("a missing file fails");
    assert!(err.to_string().starts_with(&format!("cannot read {}/documents.json", dir.path().display())), "{err}");
}

#[tokio::test]
async fn a_broken_seed_directory_leaves_an_existing_store_serving_what_it_holds() {
    let app = spawn_app();
    let data_dir = app.dir.path().join("data");
    let before = app.app.catalog().meta.clone();
    drop(app.app);
    let broken = broken_copy("meetings.json", |m| record(m, GENEVA)["startDate"] = "never".into());
    let reopened = khartoum_graphql::app::App::open(&data_dir, broken.path(), Default::default()).unwrap();
    assert_eq!(reopened.catalog().meta, before);
    assert_eq!(reopened.store().check().unwrap(), Vec::<String>::new());
}

#[test]
fn an_empty_store_with_a_broken_seed_stays_empty() {
    let data = tempfile::tempdir().unwrap();
    let broken = broken_copy("meetings.json", |m| record(m, GENEVA)["startDate"] = "never".into());
    let err =
        khartoum_graphql::app::App::open(data.path(), broken.path(), Default::default()).err().expect("cannot seed");
    assert!(err.to_string().starts_with("the store is empty and cannot be seeded: 1 problem(s)"), "{err}");
    let store = khartoum_graphql::store::Store::open(data.path()).unwrap();
    assert!(store.meta().unwrap().is_none());
    assert_eq!(store.load().unwrap(), khartoum_graphql::domain::Dataset::default());
}
