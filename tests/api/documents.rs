//! Documents the sources name beside the ones the record began with: each recorded as its source
//! describes it, adopted at the meeting the source places it at (a report: dated by the meeting it
//! was written for).

use crate::archived_sources::assert_source_says;
use crate::helpers::*;
use serde_json::json;

const DOCUMENT: &str = r#"query($slug: String!) { document(slug: $slug) {
    kind adopted adoptedAt { slug adoptedDocuments { slug } } processes { slug } sources { slug }
} }"#;

#[tokio::test]
async fn the_valletta_political_declaration_was_adopted_at_the_summit_that_adopted_the_joint_action_plan() {
    // seed-000: the heads of state and government gathered in Malta in November 2015 "through a
    // political declaration", which "also established the Joint Valletta Action Plan (JVAP)".
    assert_source_says(
        "seed-000",
        "In November 2015, European and African Heads of State and Government gathered in Malta",
    );
    assert_source_says("seed-000", "through a political declaration");
    let app = spawn_app();
    let d = app.data(DOCUMENT, json!({ "slug": "valletta-political-declaration" })).await["document"].clone();
    assert_eq!(d["kind"], "DECLARATION");
    assert_eq!(d["adopted"], "2015-11");
    let adopted_there = pluck(&d["adoptedAt"]["adoptedDocuments"], "slug");
    assert!(adopted_there.contains(&"joint-valletta-action-plan".to_owned()), "{adopted_there:?}");
    assert!(adopted_there.contains(&"valletta-political-declaration".to_owned()), "{adopted_there:?}");
}

#[tokio::test]
async fn the_sharm_el_sheikh_plan_of_action_is_the_steering_committees_of_april_2015() {
    let seed = seed_file("documents.json");
    let plan = seed.iter().find(|d| d["slug"] == "sharm-el-sheikh-plan-of-action").expect("recorded");
    let app = spawn_app();
    let d = app.data(DOCUMENT, json!({ "slug": "sharm-el-sheikh-plan-of-action" })).await["document"].clone();
    assert_eq!(d["kind"], "ACTION_PLAN");
    assert_eq!(d["adoptedAt"]["slug"], plan["adoptedAt"]);
    assert_eq!(pluck(&d["processes"], "slug"), strings(plan, "processes"));
    assert_eq!(pluck(&d["sources"], "slug"), strings(plan, "sources"));
    let meeting = app
        .data(
            r#"query($slug: String!) { meeting(slug: $slug) { kind startDate } }"#,
            json!({ "slug": plan["adoptedAt"] }),
        )
        .await;
    assert_eq!(meeting["meeting"]["kind"], "STEERING_COMMITTEE_MEETING");
    assert!(must(&meeting["meeting"], "startDate").starts_with(must(plan, "adopted")));
}

#[tokio::test]
async fn the_icmpd_auc_memorandum_was_signed_in_december_2020_as_icmpds_press_release_says() {
    let seed = seed_file("documents.json");
    let mou = seed.iter().find(|d| d["slug"] == "icmpd-auc-memorandum-of-understanding").expect("recorded");
    let source = strings(mou, "sources")[0].clone();
    assert_source_says(&source, "11 December 2020");
    assert_source_says(&source, "The African Union Commission on Thursday, signed a MoU with the International Centre for Migration Policy Development (ICMPD)");
    let app = spawn_app();
    let d = app.data(DOCUMENT, json!({ "slug": "icmpd-auc-memorandum-of-understanding" })).await["document"].clone();
    assert_eq!(d["kind"], "MEMORANDUM_OF_UNDERSTANDING");
    assert_eq!(d["adopted"], "2020-12");
    assert_eq!(pluck(&d["sources"], "slug"), vec![source]);
}

#[tokio::test]
async fn the_khartoum_process_analysis_reports_are_reports_of_the_month_of_the_meeting_each_was_written_for() {
    // seed-004 names the first only by what it was written for; the second's text is archived.
    assert_source_says(
        "seed-004",
        "the Analysis Report of Khartoum Process prepared for the JVAP Senior Officials’ Meeting in Malta in February 2017",
    );
    assert_source_says(
        "docslib-org-doc-10896162-1-introduction",
        "Analysis Report of the Process in preparation for the Joint Valletta Action Plan (JVAP) Senior Officials’ Meeting (SOM) of 14 and 15 November 2018",
    );
    let app = spawn_app();
    for (slug, meeting, adopted) in [
        ("khartoum-process-analysis-report-2017", "2017-02-malta-jvap-som", "2017-02"),
        ("khartoum-process-analysis-report-2018", "2018-11-addis-ababa-jvap-som", "2018-11"),
    ] {
        let d = app.data(DOCUMENT, json!({ "slug": slug })).await["document"].clone();
        assert_eq!(d["kind"], "REPORT", "{slug}");
        assert_eq!(d["adopted"], adopted, "{slug}");
        // Written for a meeting, adopted by none.
        assert!(d["adoptedAt"].is_null(), "{slug}: {d}");
        assert_eq!(pluck(&d["processes"], "slug"), ["khartoum-process"], "{slug}");
        // The month recorded is the month of the meeting the report was written for.
        let m = app
            .data(r#"query($slug: String!) { meeting(slug: $slug) { startDate } }"#, json!({ "slug": meeting }))
            .await["meeting"]
            .clone();
        assert!(must(&m, "startDate").starts_with(adopted), "{slug}: {m}");
    }
}
