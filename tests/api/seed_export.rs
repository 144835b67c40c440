//! Export in the seed format: the round trip seed → store → files, and curated changes that
//! survive export → seed into a fresh store.

use crate::binary::*;
use crate::helpers::*;
use khartoum_graphql::seed;
use serde_json::json;

#[test]
fn exporting_a_freshly_seeded_store_gives_back_the_seed_files_byte_for_byte() {
    let app = spawn_app();
    for (name, text) in seed::writer::render(&app.app.catalog().ds) {
        let original = std::fs::read_to_string(seed_dir().join(name)).unwrap();
        assert!(text == original, "seed/{name} differs from its export; regenerate it with `khartoum-graphql export`");
    }
}

#[test]
fn the_export_command_writes_the_seed_files_of_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(cli(&data, &["seed"]).status.success());
    let out_dir = dir.path().join("out");
    let out = cli(&data, &["export", "--out", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_the_seed_files_are_in(&out_dir);
}

/// Asserts that `out_dir` holds exactly the seed files, byte for byte.
pub(crate) fn assert_the_seed_files_are_in(out_dir: &std::path::Path) {
    let mut names: Vec<String> =
        std::fs::read_dir(out_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let mut expected: Vec<String> =
        khartoum_graphql::domain::Collection::ALL.iter().map(|c| c.file_name().to_owned()).collect();
    expected.sort();
    assert_eq!(names, expected, "exactly the seed files, no temporary ones left");
    for name in names {
        assert_eq!(
            std::fs::read(out_dir.join(&name)).unwrap(),
            std::fs::read(seed_dir().join(&name)).unwrap(),
            "{name} round-trips"
        );
    }
}

#[tokio::test]
async fn curated_changes_survive_export_and_seeding_a_fresh_store() {
    let app = spawn_app();
    let create = r#"mutation($s: [SourceInput!]!) {
      createMeeting(input: { slug: "2026-11-rome-som", title: "Senior Officials Meeting", kind: SENIOR_OFFICIALS_MEETING,
        startDate: "2026-11", city: "Rome", country: "it", processes: ["khartoum-process"],
        participations: [{ actor: "it", role: HOST, inferred: true, note: "Host city's government, by custom" }],
        sources: $s }) { slug }
    }"#;
    app.write_data(create, json!({ "s": [{ "title": "SOM announcement", "url": "https://example.org/som-2026", "published": "2026-10" }] }))
        .await;
    app.write_data(
        r#"mutation { updateChairmanship(slug: "khartoum-process-2025-france", input: { end: "2026-11" }) { slug } }"#,
        json!({}),
    )
    .await;
    app.write_data(r#"mutation { deleteMeeting(slug: "2025-aswan-legal-pathways") { slug } }"#, json!({})).await;
    app.write_data(
        r#"mutation { linkMeetings(meeting: "2026-11-rome-som", kind: BUILDS_ON, other: "2025-04-cairo-ministerial-conference") { slug } }"#,
        json!({}),
    )
    .await;

    let exported = tempfile::tempdir().unwrap();
    seed::writer::write(&app.app.catalog().ds, exported.path()).unwrap();
    let reseeded = spawn_app_with_seed(exported.path());
    assert_eq!(reseeded.app.catalog().ds, app.app.catalog().ds, "the fresh store holds the curated dataset");
    let q = r#"{ meeting(slug: "2026-11-rome-som") { hosts { slug } participations { inferred note } sources { url published }
                  related { kind meeting { slug } } }
                 process(slug: "khartoum-process") { chairmanships { slug end } } gone: meeting(slug: "2025-aswan-legal-pathways") { slug } }"#;
    assert_eq!(reseeded.data(q, json!({})).await, app.data(q, json!({})).await);
    let data = reseeded.data(q, json!({})).await;
    let terms = data["process"]["chairmanships"].as_array().unwrap();
    assert_eq!(terms.iter().find(|t| t["slug"] == "khartoum-process-2025-france").unwrap()["end"], "2026-11");
    assert!(data["gone"].is_null());
    assert_eq!(data["meeting"]["participations"][0]["inferred"], true);
}
