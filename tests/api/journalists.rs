//! Questions a data journalist would put to the API, each answered through GraphQL and compared
//! with what the sources in `sources/` say: who hosted what, who chaired when, what the
//! Cairo Action Plan commits to, who sat on the steering committee, which meetings were online.

use crate::helpers::*;
use crate::meetings::{meets_range, oldest_first, seed_meetings, SeedMeeting};
use serde_json::json;
use serde_json::Value;

const STEERING_COMMITTEE: &str = r#"query($asOf: Date) {
    process(slug: "khartoum-process") {
        memberships(roles: [STEERING_COMMITTEE], asOf: $asOf) {
            actor { __typename slug ... on State { continent } }
        }
    }
}"#;

#[tokio::test]
async fn ethiopia_co_hosted_the_geneva_2021_return_meeting() {
    // seed-004: "On 24 and 25 November 2021, Switzerland, with Ethiopia as co-host, welcomed
    // delegates from the Khartoum Process to Geneva".
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meetings(filter: { country: "ch", from: "2021-11-01", to: "2021-11-30" }) {
                    nodes { slug city hosts { name } coHosts { name } }
                } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["meetings"]["nodes"],
        json!([{
            "slug": "2021-11-geneva-return-reintegration",
            "city": "Geneva",
            "hosts": [{ "name": "Switzerland" }],
            "coHosts": [{ "name": "Ethiopia" }]
        }])
    );
}

#[tokio::test]
async fn kenya_hosted_the_mombasa_and_nairobi_thematic_meetings_and_co_hosted_two_more() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ state(code: "KE") {
                    hosted: meetings(roles: [HOST], orderBy: START_DATE_ASC) { totalCount nodes { slug city } }
                    coHosted: meetings(roles: [CO_HOST], orderBy: START_DATE_ASC) { totalCount nodes { slug city } }
                } }"#,
            json!({}),
        )
        .await;
    // seed-004: Mombasa, 12-13 July 2022 and Nairobi, 4-5 July 2023, both hosted by Kenya.
    assert_eq!(
        data["state"]["hosted"]["nodes"],
        json!([
            { "slug": "2022-07-mombasa-skills-mobility", "city": "Mombasa" },
            { "slug": "2023-07-nairobi-idp-protection", "city": "Nairobi" }
        ])
    );
    // seed-004: Stockholm 2018 "Sweden, together with Kenya as co-host"; the February 2024
    // Nairobi workshop was "Co-hosted by Kenya and Germany".
    assert_eq!(
        data["state"]["coHosted"]["nodes"],
        json!([
            { "slug": "2018-09-stockholm-women-girls-protection", "city": "Stockholm" },
            { "slug": "2024-02-nairobi-law-enforcement-trafficking-workshop", "city": "Nairobi" }
        ])
    );
}

#[tokio::test]
async fn the_meetings_that_took_place_in_kenya_are_those_the_seed_places_there() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meetings(filter: { country: "ke" }, orderBy: START_DATE_ASC) { totalCount nodes { slug startDate } } }"#,
            json!({}),
        )
        .await;
    // seed/meetings.json, read apart from the API: five meetings, from Nairobi 2018 to Nairobi 2024.
    let expected: Vec<Value> = seed_meetings()
        .into_iter()
        .filter(|m| m.country.as_deref() == Some("ke"))
        .map(|m| json!({ "slug": m.slug, "startDate": m.start }))
        .collect();
    assert_eq!(data["meetings"]["totalCount"], json!(expected.len()));
    assert_eq!(data["meetings"]["nodes"], json!(expected));
}

#[tokio::test]
async fn south_sudan_held_the_chair_when_the_mombasa_meeting_took_place() {
    // public-record.json: South Sudan chaired from the Kampala SOM (22-23 March 2022) to the
    // Berlin SOM (16 March 2023); Mombasa was on 12-13 July 2022.
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meeting(slug: "2022-07-mombasa-skills-mobility") {
                    chairmanships { chair { name } start end process { slug } }
                } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["meeting"]["chairmanships"],
        json!([{ "chair": { "name": "South Sudan" }, "start": "2022-03", "end": "2023-03-16", "process": { "slug": "khartoum-process" } }])
    );
}

#[tokio::test]
async fn domain_4_of_the_cairo_action_plan_lists_the_commitments_the_seed_files_under_it() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ commitments(filter: { document: "cairo-action-plan", domain: 4 }) { totalCount nodes { code number } }
                 document(slug: "cairo-action-plan") { domains { number commitments { code } } } }"#,
            json!({}),
        )
        .await;
    // seed/commitments.json, read apart from the API: four, cap-4.1 to cap-4.4.
    let expected: Vec<String> = seed_file("commitments.json")
        .iter()
        .filter(|c| c["document"] == "cairo-action-plan" && c["domain"] == 4 && c["kind"] == "COMMITMENT")
        .map(|c| text(c, "code").unwrap().to_owned())
        .collect();
    assert_eq!(data["commitments"]["totalCount"], json!(expected.len()));
    assert_eq!(pluck(&data["commitments"]["nodes"], "code"), expected);
    let domain4 = data["document"]["domains"].as_array().unwrap().iter().find(|d| d["number"] == 4).unwrap().clone();
    assert_eq!(pluck(&domain4["commitments"], "code"), expected);
}

#[tokio::test]
async fn the_meetings_germany_co_hosted_are_listed_with_their_hosts_and_co_hosts() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ state(code: "DEU") { meetings(roles: [CO_HOST], orderBy: START_DATE_ASC) {
                    totalCount nodes { slug hosts { slug } coHosts { slug } }
                } } }"#,
            json!({}),
        )
        .await;
    let conn = &data["state"]["meetings"];
    // seed/meetings.json, read apart from the API: four, from Mombasa 2022 to Nairobi 2024.
    let with_role = |m: &SeedMeeting, role: &str| -> Value {
        json!(m.participations.iter().filter(|(_, r)| r == role).map(|(a, _)| json!({ "slug": a })).collect::<Vec<_>>())
    };
    let expected: Vec<Value> = seed_meetings()
        .iter()
        .filter(|m| m.participations.iter().any(|(a, r)| a == "de" && r == "CO_HOST"))
        .map(|m| json!({ "slug": m.slug, "hosts": with_role(m, "HOST"), "coHosts": with_role(m, "CO_HOST") }))
        .collect();
    assert_eq!(conn["totalCount"], json!(expected.len()));
    assert_eq!(conn["nodes"], json!(expected));
}

#[tokio::test]
async fn the_chair_timeline_gives_each_term_at_the_precision_the_sources_allow() {
    // public-record.json, chairmanships: only the first two terms and the Dutch/South Sudanese
    // handover (Kampala, 22-23 March 2022) lack an exact day.
    let app = spawn_app();
    let data = app
        .data(r#"{ process(slug: "khartoum-process") { chairmanships { chair { slug } start end } } }"#, json!({}))
        .await;
    assert_eq!(
        data["process"]["chairmanships"],
        json!([
            { "chair": { "slug": "eg" }, "start": "2014", "end": "2016" },
            { "chair": { "slug": "gb" }, "start": "2016", "end": "2016-12" },
            { "chair": { "slug": "et" }, "start": "2016-12", "end": "2017-12-07" },
            { "chair": { "slug": "it" }, "start": "2017-12-07", "end": "2019-03-07" },
            { "chair": { "slug": "er" }, "start": "2019-03-07", "end": "2020-03-05" },
            { "chair": { "slug": "nl" }, "start": "2020-03-05", "end": "2022-03" },
            { "chair": { "slug": "ss" }, "start": "2022-03", "end": "2023-03-16" },
            { "chair": { "slug": "de" }, "start": "2023-03-16", "end": "2024-04-17" },
            { "chair": { "slug": "eg" }, "start": "2024-04-17", "end": "2025-04-09" },
            { "chair": { "slug": "fr" }, "start": "2025-04-09", "end": null }
        ])
    );
}

#[tokio::test]
async fn each_chair_term_ends_the_day_the_next_one_begins() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ chairmanships(process: "khartoum-process") { slug start end next { slug start } previous { slug } } }"#,
            json!({}),
        )
        .await;
    let terms = data["chairmanships"].as_array().unwrap();
    for pair in terms.windows(2) {
        assert_eq!(pair[0]["next"]["slug"], pair[1]["slug"]);
        assert_eq!(pair[1]["previous"]["slug"], pair[0]["slug"]);
        assert_eq!(pair[0]["end"], pair[1]["start"], "{} hands over to {}", pair[0]["slug"], pair[1]["slug"]);
    }
    assert!(terms[0]["previous"].is_null());
    assert!(terms[terms.len() - 1]["next"].is_null());
}

#[tokio::test]
async fn the_cairo_action_plan_reads_as_five_approaches_then_five_domains_of_four_commitments() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ document(slug: "cairo-action-plan") {
                    title adopted
                    commitments { code kind title }
                    domains { number commitments { code } }
                } }"#,
            json!({}),
        )
        .await;
    let doc = &data["document"];
    assert_eq!((doc["title"].as_str(), doc["adopted"].as_str()), (Some("Cairo Action Plan"), Some("2025-04-09")));
    let approaches: Vec<&str> = doc["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "CROSS_CUTTING_APPROACH")
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    // seed-003, the five bullets before Domain 1.
    assert_eq!(
        approaches,
        [
            "A regional and whole-of-route approach",
            "An inclusive and multi-stakeholder approach",
            "A human rights-based approach",
            "Racism, discrimination and xenophobia",
            "Inclusive and sensitive approach for groups in vulnerable situations"
        ]
    );
    let by_domain: Vec<(i64, Vec<String>)> = doc["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["number"].as_i64().unwrap(), pluck(&d["commitments"], "code")))
        .collect();
    let expected: Vec<(i64, Vec<String>)> =
        (1..=5).map(|d| (d, (1..=4).map(|n| format!("cap-{d}.{n}")).collect())).collect();
    assert_eq!(by_domain, expected);
}

#[tokio::test]
async fn in_mid_2017_the_steering_committee_had_five_european_and_five_african_states_and_two_commissions() {
    // public-record.json, steering_committee (21 November 2016): Italy, France, Germany, UK, Malta;
    // Egypt, Eritrea, Ethiopia, South Sudan, Sudan; the European Commission and the AUC.
    let app = spawn_app();
    let data = app.data(STEERING_COMMITTEE, json!({ "asOf": "2017-06-01" })).await;
    assert_eq!(
        sorted(actor_slugs(&data["process"]["memberships"])),
        owned(&["auc", "de", "ec", "eg", "er", "et", "fr", "gb", "it", "mt", "sd", "ss"])
    );
}

#[tokio::test]
async fn after_the_2024_enlargement_the_steering_committee_has_six_states_per_continent() {
    // public-record.json: the current Steering Committee page lists Finland, France, Germany,
    // Italy, Sweden, the Netherlands; Egypt, Eritrea, Ethiopia, South Sudan, Sudan*, Uganda, with
    // Somalia filling Sudan's seat; and the EC, the EEAS and the AUC.
    let app = spawn_app();
    let data = app.data(STEERING_COMMITTEE, json!({ "asOf": "2025-01-01" })).await;
    let list = &data["process"]["memberships"];
    assert_eq!(
        sorted(actor_slugs(list)),
        owned(&["auc", "de", "ec", "eeas", "eg", "er", "et", "fi", "fr", "it", "nl", "sd", "se", "so", "ss", "ug"])
    );
    let on = |continent: &str| -> Vec<String> {
        let mut v: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["actor"]["continent"] == continent)
            .map(|m| m["actor"]["slug"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(on("EUROPE"), ["de", "fi", "fr", "it", "nl", "se"]);
    // Six seats, with Somalia standing in for Sudan.
    assert_eq!(on("AFRICA"), ["eg", "er", "et", "sd", "so", "ss", "ug"]);
    assert!(!sorted(actor_slugs(list)).contains(&"gb".to_owned()), "the UK is no longer listed in 2024");
}

#[tokio::test]
async fn the_netherlands_replaced_malta_on_the_steering_committee_by_2019() {
    // November 2016 list: Malta; 2019 actors page: the Netherlands.
    let app = spawn_app();
    let before = app.data(STEERING_COMMITTEE, json!({ "asOf": "2018-06-01" })).await;
    let before = sorted(actor_slugs(&before["process"]["memberships"]));
    assert!(before.contains(&"mt".to_owned()) && !before.contains(&"nl".to_owned()), "{before:?}");
    let after = app.data(STEERING_COMMITTEE, json!({ "asOf": "2020-06-01" })).await;
    let after = sorted(actor_slugs(&after["process"]["memberships"]));
    assert!(after.contains(&"nl".to_owned()) && !after.contains(&"mt".to_owned()), "{after:?}");
    assert!(after.contains(&"eeas".to_owned()), "the EEAS is listed from 2019: {after:?}");
}

#[tokio::test]
async fn uganda_was_endorsed_to_the_steering_committee_in_april_2024() {
    let kampala_post = "kampalapost-com-index-php-content-uganda-joins-khartoum-process-steering-committee-during";
    crate::archived_sources::assert_source_says(kampala_post, "posted onApril 19, 2024");
    crate::archived_sources::assert_source_says(
        kampala_post,
        "Uganda has been endorsed to the Khartoum Process Steering Committee, an announcement made during the Senior Officials’ Meeting taking place in Cairo, Egypt from April 17 -18.",
    );
    // Its membership began after the Berlin meeting of May 2017, on a day no source gives.
    crate::archived_sources::assert_source_says(
        "khartoumprocess-net-news-and-events-news-47-on-to-the-next-thematic-international",
        "Uganda also joined the Process for the first time during its inception in the steps to obtaining membership of the Process.",
    );
    let app = spawn_app();
    let q = r#"{ state(code: "ug") { name memberships { role since sinceQualifier until process { slug } } } }"#;
    let data = app.data(q, json!({})).await;
    assert_eq!(data["state"]["name"], "Uganda");
    assert_eq!(
        data["state"]["memberships"],
        json!([
            { "role": "MEMBER", "since": "2017-05-18", "sinceQualifier": "NO_EARLIER_THAN", "until": null, "process": { "slug": "khartoum-process" } },
            { "role": "STEERING_COMMITTEE", "since": "2024-04", "sinceQualifier": null, "until": null, "process": { "slug": "khartoum-process" } }
        ])
    );
}

#[tokio::test]
async fn the_online_meetings_are_those_the_seed_holds_online_and_have_no_place() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meetings(filter: { online: true }, orderBy: START_DATE_ASC) { totalCount nodes { slug kind city country { slug } } } }"#,
            json!({}),
        )
        .await;
    let conn = &data["meetings"];
    // seed/meetings.json, read apart from the API: eight, all in 2020 and 2021.
    let expected = oldest_first(|m| m.online);
    assert_eq!(conn["totalCount"], json!(expected.len()));
    assert_eq!(slugs(&conn["nodes"]), expected);
    assert!(
        conn["nodes"].as_array().unwrap().iter().all(|m| m["city"].is_null() && m["country"].is_null()),
        "an online meeting has no place"
    );
}

#[tokio::test]
async fn the_meetings_of_2021_are_listed_and_the_khartoum_process_filter_keeps_its_own() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ all: meetings(filter: { from: "2021-01-01", to: "2021-12-31" }, orderBy: START_DATE_ASC) { totalCount nodes { slug } }
                 kp: meetings(filter: { process: "khartoum-process", from: "2021-01-01", to: "2021-12-31" }, orderBy: START_DATE_ASC) { totalCount nodes { slug } } }"#,
            json!({}),
        )
        .await;
    // seed/meetings.json, read apart from the API: eight in 2021, all but the Rabat Process SOM
    // in Malabo in the Khartoum Process.
    let in_2021 = |m: &SeedMeeting| meets_range(m, Some("2021-01-01"), Some("2021-12-31"));
    let all = oldest_first(in_2021);
    let kp = oldest_first(|m| in_2021(m) && m.processes.iter().any(|p| p == "khartoum-process"));
    assert_eq!((&data["all"]["totalCount"], &data["kp"]["totalCount"]), (&json!(all.len()), &json!(kp.len())));
    assert_eq!(slugs(&data["all"]["nodes"]), all);
    assert_eq!(slugs(&data["kp"]["nodes"]), kp);
    assert!(kp.len() < all.len(), "the process filter keeps out a meeting of another process");
}

#[tokio::test]
async fn the_meetings_of_both_the_khartoum_and_the_rabat_process_are_those_the_seed_gives_both() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ process(slug: "khartoum-process") {
                    meetings(filter: { process: "rabat-process" }, orderBy: START_DATE_ASC) { totalCount nodes { slug } }
                } }"#,
            json!({}),
        )
        .await;
    let conn = &data["process"]["meetings"];
    // seed/meetings.json, read apart from the API: seven, from Valletta 2015 to Berlin 2023.
    let both =
        |m: &SeedMeeting| ["khartoum-process", "rabat-process"].iter().all(|p| m.processes.iter().any(|q| q == p));
    let expected = oldest_first(both);
    assert_eq!(conn["totalCount"], json!(expected.len()));
    assert_eq!(slugs(&conn["nodes"]), expected);
}

#[tokio::test]
async fn germany_organised_meetings_most_often_with_kenya() {
    let app = spawn_app();
    let data = app
        .data(r#"{ actor(slug: "de") { name partners { actor { slug } count meetings { slug } } } }"#, json!({}))
        .await;
    assert_eq!(data["actor"]["name"], "Germany");
    assert_eq!(
        data["actor"]["partners"],
        json!([
            { "actor": { "slug": "ke" }, "count": 3, "meetings": [
                { "slug": "2022-07-mombasa-skills-mobility" },
                { "slug": "2023-07-nairobi-idp-protection" },
                { "slug": "2024-02-nairobi-law-enforcement-trafficking-workshop" }
            ] },
            { "actor": { "slug": "auc" }, "count": 1, "meetings": [{ "slug": "2023-10-berlin-climate-mobility" }] },
            { "actor": { "slug": "et" }, "count": 1, "meetings": [{ "slug": "2022-10-addis-ababa-climate-change-migration" }] }
        ])
    );
}

#[tokio::test]
async fn switzerland_worked_with_ethiopia_twice_on_return_and_reintegration() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ state(code: "CHE") {
                    meetings(orderBy: START_DATE_ASC) { nodes { slug participations { role actor { slug } } } }
                    partners { actor { slug } count }
                } }"#,
            json!({}),
        )
        .await;
    let roles: Vec<(String, String)> = data["state"]["meetings"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            m["participations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["actor"]["slug"] == "ch")
                .map(|p| (m["slug"].as_str().unwrap().to_owned(), p["role"].as_str().unwrap().to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    // seed-004: co-chair in Asmara (October 2019), co-host of the virtual roundtable (21 September
    // 2021) with Ethiopia, host in Geneva (November 2021) with Ethiopia as co-host.
    assert_eq!(
        roles,
        [
            ("2019-10-asmara-diaspora-development".to_owned(), "CO_CHAIR".to_owned()),
            ("2021-09-online-return-reintegration-roundtable".to_owned(), "CO_HOST".to_owned()),
            ("2021-11-geneva-return-reintegration".to_owned(), "HOST".to_owned())
        ]
    );
    assert_eq!(
        data["state"]["partners"],
        json!([{ "actor": { "slug": "et" }, "count": 2 }, { "actor": { "slug": "er" }, "count": 1 }])
    );
}

#[tokio::test]
async fn a_participation_cites_its_own_sources_or_else_the_meetings() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ rome: meeting(slug: "2014-11-rome-ministerial-conference") {
                    participations(roles: [CO_CHAIR]) { actor { slug } person sources { slug url } }
                 }
                 geneva: meeting(slug: "2021-11-geneva-return-reintegration") {
                    participations(roles: [CO_HOST]) { actor { slug } sources { slug reference } }
                 } }"#,
            json!({}),
        )
        .await;
    // The Italian foreign ministry's accreditation notice names the two co-chairing ministers.
    assert_eq!(
        data["rome"]["participations"],
        json!([{
            "actor": { "slug": "it" },
            "person": "Paolo Gentiloni; Angelino Alfano",
            "sources": [{
                "slug": "esteri-it-en-sala-stampa-archivionotizie-notestampa-2014-11-20141125-accrediti-khartoum",
                "url": "https://www.esteri.it/en/sala_stampa/archivionotizie/notestampa/2014/11/20141125_accrediti_khartoum"
            }]
        }])
    );
    // Ethiopia's co-hosting in Geneva is stated in the meetings list, the meeting's own source.
    assert_eq!(
        data["geneva"]["participations"],
        json!([{ "actor": { "slug": "et" }, "sources": [{ "slug": "seed-004", "reference": "sources/004_481fa7d32c32a6a9.txt" }] }])
    );
}

#[tokio::test]
async fn the_cairo_handover_conference_adopted_two_documents_and_falls_in_both_chair_terms() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meeting(slug: "2025-04-cairo-ministerial-conference") {
                    title startDate
                    adoptedDocuments { slug title kind }
                    chairmanships { chair { name } chairperson }
                    chairs { slug }
                    participations(roles: [CHAIR]) { person }
                } }"#,
            json!({}),
        )
        .await;
    let m = &data["meeting"];
    assert_eq!(m["title"], "2nd Ministerial Conference of the Khartoum Process");
    assert_eq!(m["startDate"], "2025-04-09");
    let mut docs: Vec<(String, String)> = m["adoptedDocuments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["title"].as_str().unwrap().to_owned(), d["kind"].as_str().unwrap().to_owned()))
        .collect();
    docs.sort();
    assert_eq!(
        docs,
        [
            ("Cairo Action Plan".to_owned(), "ACTION_PLAN".to_owned()),
            ("Cairo Ministerial Declaration".to_owned(), "DECLARATION".to_owned())
        ]
    );
    // seed-001: outgoing Chair Ambassador Dr Wael Badawi; seed-000: incoming Chair, France's
    // Minister Buffet. A handover day belongs to both terms.
    assert_eq!(
        m["chairmanships"],
        json!([
            { "chair": { "name": "Egypt" }, "chairperson": "Wael Badawi" },
            { "chair": { "name": "France" }, "chairperson": "François-Noël Buffet" }
        ])
    );
    assert_eq!(slugs(&m["chairs"]), ["eg"]);
    assert_eq!(m["participations"], json!([{ "person": "Badr Abdelatty" }]));
}

#[tokio::test]
async fn south_sudan_handed_the_chair_to_germany_at_the_berlin_som_of_16_march_2023() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ som: meeting(slug: "2023-03-berlin-som") { startDate kind chairmanships { chair { slug } } related { kind meeting { slug } } }
                 sc: meeting(slug: "2023-03-berlin-steering-committee") { startDate kind chairmanships { chair { slug } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["som"]["startDate"], "2023-03-16");
    assert_eq!(data["som"]["kind"], "SENIOR_OFFICIALS_MEETING");
    assert_eq!(data["som"]["chairmanships"], json!([{ "chair": { "slug": "ss" } }, { "chair": { "slug": "de" } }]));
    assert_eq!(
        data["som"]["related"],
        json!([{ "kind": "PRECEDED_BY", "meeting": { "slug": "2023-03-berlin-steering-committee" } }])
    );
    // The Steering Committee met the day before, still under South Sudan.
    assert_eq!(data["sc"]["startDate"], "2023-03-15");
    assert_eq!(data["sc"]["kind"], "STEERING_COMMITTEE_MEETING");
    assert_eq!(data["sc"]["chairmanships"], json!([{ "chair": { "slug": "ss" } }]));
}

#[tokio::test]
async fn nine_meetings_fell_under_the_german_chairmanship() {
    let app = spawn_app();
    let data = app
        .data(r#"{ state(code: "de") { chairmanships { slug start end chairperson meetings { slug } } } }"#, json!({}))
        .await;
    let terms = data["state"]["chairmanships"].as_array().unwrap();
    assert_eq!(terms.len(), 1);
    let term = &terms[0];
    assert_eq!(term["slug"], "khartoum-process-2023-germany");
    assert_eq!((term["start"].as_str(), term["end"].as_str()), (Some("2023-03-16"), Some("2024-04-17")));
    assert_eq!(term["chairperson"], "Manfred Schüler");
    assert_eq!(
        slugs(&term["meetings"]),
        [
            "2023-03-berlin-som",
            "2023-05-kampala-climate-mobility-data-workshop",
            "2023-07-nairobi-idp-protection",
            "2023-09-vienna-extraordinary-steering-committee",
            "2023-10-berlin-climate-mobility",
            "2023-11-stockholm-whole-of-government",
            "2024-02-nairobi-law-enforcement-trafficking-workshop",
            "2024-04-cairo-steering-committee",
            "2024-04-cairo-som"
        ]
    );
}

#[tokio::test]
async fn ethiopia_chaired_every_khartoum_process_meeting_of_2017() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ process(slug: "khartoum-process") {
                    meetings(filter: { from: "2017-01-01", to: "2017-12-31" }, orderBy: START_DATE_ASC) {
                        nodes { slug chairmanships { slug } }
                    }
                } }"#,
            json!({}),
        )
        .await;
    let nodes = data["process"]["meetings"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 7);
    for m in nodes {
        let terms = pluck(&m["chairmanships"], "slug");
        assert!(terms.contains(&"khartoum-process-2016-ethiopia".to_owned()), "{}: {terms:?}", m["slug"]);
    }
    // The Rome SOM of 7 December 2017 "solidified Ethiopia's handover" to Italy.
    let rome = nodes.iter().find(|m| m["slug"] == "2017-12-rome-som").unwrap();
    assert_eq!(
        pluck(&rome["chairmanships"], "slug"),
        ["khartoum-process-2016-ethiopia", "khartoum-process-2017-italy"]
    );
}

#[tokio::test]
async fn egypt_chaired_the_process_twice_ten_years_apart() {
    let app = spawn_app();
    let data = app
        .data(r#"{ state(code: "EGY") { chairmanships { start end chairperson process { slug } } } }"#, json!({}))
        .await;
    assert_eq!(
        data["state"]["chairmanships"],
        json!([
            { "start": "2014", "end": "2016", "chairperson": null, "process": { "slug": "khartoum-process" } },
            { "start": "2024-04-17", "end": "2025-04-09", "chairperson": "Wael Badawi", "process": { "slug": "khartoum-process" } }
        ])
    );
}

#[tokio::test]
async fn france_is_the_current_chair_and_no_successor_is_known() {
    // seed-002: "Current Chair: France", "Upcoming Chair: TBD".
    let app = spawn_app();
    let data = app
        .data(
            r#"{ process(slug: "khartoum-process") { currentChair { chair { name } start end isCurrent next { slug } previous { chair { name } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["process"]["currentChair"],
        json!({ "chair": { "name": "France" }, "start": "2025-04-09", "end": null, "isCurrent": true, "next": null, "previous": { "chair": { "name": "Egypt" } } })
    );
}

#[tokio::test]
async fn the_2024_cairo_som_drew_76_participants() {
    // public-record.json: "The event drew 76 participants representing 26 African and European
    // countries, along with 12 partner organisations."
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meetings(filter: { country: "eg", kinds: [SENIOR_OFFICIALS_MEETING], from: "2024-01-01", to: "2024-12-31" }) {
                    nodes { slug startDate endDate attendance }
                } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["meetings"]["nodes"],
        json!([{ "slug": "2024-04-cairo-som", "startDate": "2024-04-17", "endDate": "2024-04-18", "attendance": 76 }])
    );
}

#[tokio::test]
async fn the_khartoum_process_held_two_ministerial_conferences_rome_2014_and_cairo_2025() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ process(slug: "khartoum-process") {
                    meetings(filter: { kinds: [MINISTERIAL_CONFERENCE] }, orderBy: START_DATE_ASC) {
                        nodes { slug startDate city adoptedDocuments { slug } }
                    }
                } }"#,
            json!({}),
        )
        .await;
    let nodes = data["process"]["meetings"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(
        (nodes[0]["slug"].as_str(), nodes[0]["startDate"].as_str(), nodes[0]["city"].as_str()),
        (Some("2014-11-rome-ministerial-conference"), Some("2014-11-28"), Some("Rome"))
    );
    assert_eq!(slugs(&nodes[0]["adoptedDocuments"]), ["rome-declaration"]);
    assert_eq!(
        (nodes[1]["slug"].as_str(), nodes[1]["startDate"].as_str(), nodes[1]["city"].as_str()),
        (Some("2025-04-cairo-ministerial-conference"), Some("2025-04-09"), Some("Cairo"))
    );
}

#[tokio::test]
async fn the_thematic_meetings_of_2019_are_those_the_seed_dates_in_2019() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meetings(filter: { process: "khartoum-process", kinds: [THEMATIC_MEETING], from: "2019-01-01", to: "2019-12-31" }, orderBy: START_DATE_ASC) {
                    totalCount nodes { slug city startDate }
                } }"#,
            json!({}),
        )
        .await;
    // seed/meetings.json, read apart from the API: two, in Cairo and Asmara.
    let records = seed_file("meetings.json");
    let expected: Vec<Value> = oldest_first(|m| {
        m.kind == "THEMATIC_MEETING"
            && m.processes.iter().any(|p| p == "khartoum-process")
            && meets_range(m, Some("2019-01-01"), Some("2019-12-31"))
    })
    .iter()
    .map(|slug| {
        let m = records.iter().find(|m| m["slug"] == slug.as_str()).unwrap();
        json!({ "slug": slug, "city": m["city"], "startDate": m["startDate"] })
    })
    .collect();
    assert_eq!(data["meetings"]["nodes"], json!(expected));
}

#[tokio::test]
async fn the_khartoum_process_meetings_of_2023_are_those_the_seed_dates_in_2023() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ process(slug: "khartoum-process") {
                    meetings(filter: { from: "2023-01-01", to: "2023-12-31" }, orderBy: START_DATE_ASC) { totalCount nodes { slug } }
                } }"#,
            json!({}),
        )
        .await;
    // seed/meetings.json, read apart from the API: seven, from Berlin in March to Stockholm in November.
    let expected = oldest_first(|m| {
        meets_range(m, Some("2023-01-01"), Some("2023-12-31")) && m.processes.iter().any(|p| p == "khartoum-process")
    });
    assert_eq!(data["process"]["meetings"]["totalCount"], json!(expected.len()));
    assert_eq!(slugs(&data["process"]["meetings"]["nodes"]), expected);
}

#[tokio::test]
async fn the_netherlands_organised_the_online_events_of_its_chairmanship() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ state(code: "NL") {
                    organised: meetings(roles: [ORGANISER], orderBy: START_DATE_ASC) { nodes { slug online } }
                    hosted: meetings(roles: [HOST], orderBy: START_DATE_ASC) { nodes { slug } }
                } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["state"]["organised"]["nodes"],
        json!([
            { "slug": "2020-07-online-covid-19-human-mobility", "online": true },
            { "slug": "2021-05-online-4ps-prosecution", "online": true },
            { "slug": "2021-06-online-4ps-partnership", "online": true }
        ])
    );
    // seed-004: The Hague 2018 "hosted by The Netherlands"; The Hague SOM 2020 "hosted and chaired
    // by The Netherlands"; the virtual SC of 2 December 2020 "hosted and chaired by the 2020 Chair".
    assert_eq!(
        slugs(&data["state"]["hosted"]["nodes"]),
        ["2018-06-the-hague-awareness-raising", "2020-03-the-hague-som", "2020-12-online-steering-committee"]
    );
}

#[tokio::test]
async fn the_four_4ps_webinars_are_linked_as_one_series() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meeting(slug: "2021-03-online-4ps-prevention") { related { kind meeting { slug startDate } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["meeting"]["related"],
        json!([
            { "kind": "PART_OF_SERIES", "meeting": { "slug": "2021-04-online-4ps-protection", "startDate": "2021-04-28" } },
            { "kind": "PART_OF_SERIES", "meeting": { "slug": "2021-05-online-4ps-prosecution", "startDate": "2021-05-26" } },
            { "kind": "PART_OF_SERIES", "meeting": { "slug": "2021-06-online-4ps-partnership", "startDate": "2021-06-30" } }
        ])
    );
}

#[tokio::test]
async fn the_berlin_flagship_meeting_built_on_the_addis_ababa_and_kampala_climate_meetings() {
    // seed-004: Germany "has picked up the thread with various events on the topic that culminated
    // into the Khartoum Process flagship thematic meeting".
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meeting(slug: "2023-10-berlin-climate-mobility") { related { kind meeting { slug hosts { slug } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["meeting"]["related"],
        json!([
            { "kind": "BUILDS_ON", "meeting": { "slug": "2022-10-addis-ababa-climate-change-migration", "hosts": [{ "slug": "et" }] } },
            { "kind": "BUILDS_ON", "meeting": { "slug": "2023-05-kampala-climate-mobility-data-workshop", "hosts": [{ "slug": "ug" }] } }
        ])
    );
}

#[tokio::test]
async fn a_search_for_climate_finds_the_meetings_on_climate_and_mobility() {
    let app = spawn_app();
    let data = app.data(r#"{ meetings(filter: { text: "CLIMATE" }) { totalCount nodes { slug } } }"#, json!({})).await;
    assert_eq!(
        slugs(&data["meetings"]["nodes"]),
        [
            "2023-10-berlin-climate-mobility",
            "2023-05-kampala-climate-mobility-data-workshop",
            "2023-03-berlin-som",
            "2022-10-addis-ababa-climate-change-migration"
        ]
    );
}

#[tokio::test]
async fn the_rabat_process_had_eleven_chair_terms_ending_with_switzerland() {
    // public-record.json, rabat_process.chairs: Morocco 2015, Portugal 2016, Mali until
    // 21 March 2017, Belgium, Burkina Faso, Equatorial Guinea, Spain, Morocco, Portugal, Nigeria,
    // Switzerland. Sorted here by start and then end, so that two terms that both start in 2016
    // come in the order they ended.
    let app = spawn_app();
    let data = app
        .data(
            r#"{ chairmanships(process: "rabat-process") { start end isCurrent chair { slug continent } } }"#,
            json!({}),
        )
        .await;
    let mut terms: Vec<(String, String, String, String)> = data["chairmanships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let s = |v: &Value| v.as_str().unwrap_or("9999").to_owned();
            (s(&t["start"]), s(&t["end"]), s(&t["chair"]["slug"]), s(&t["chair"]["continent"]))
        })
        .collect();
    terms.sort();
    let chairs: Vec<&str> = terms.iter().map(|t| t.2.as_str()).collect();
    assert_eq!(chairs, ["ma", "pt", "ml", "be", "bf", "gq", "es", "ma", "pt", "ng", "ch"]);
    // Where the record has no gap, an African chair follows a European one and the reverse; no
    // source names a chair between Burkina Faso (from May 2018) and Equatorial Guinea (from 2020).
    let continents: Vec<&str> = terms.iter().map(|t| t.3.as_str()).collect();
    assert_eq!(
        continents,
        ["AFRICA", "EUROPE", "AFRICA", "EUROPE", "AFRICA", "AFRICA", "EUROPE", "AFRICA", "EUROPE", "AFRICA", "EUROPE"]
    );
    let current: Vec<&Value> =
        data["chairmanships"].as_array().unwrap().iter().filter(|t| t["isCurrent"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["chair"]["slug"], "ch");
}

#[tokio::test]
async fn meetings_classified_under_return_and_reintegration_include_geneva_and_its_roundtable() {
    // Domains are an editorial classification of this dataset; domain 5 is return, readmission and
    // reintegration.
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meetings(filter: { process: "khartoum-process", domain: 5 }, orderBy: START_DATE_ASC) { totalCount nodes { slug } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        slugs(&data["meetings"]["nodes"]),
        [
            "2014-11-rome-ministerial-conference",
            "2015-11-valletta-summit",
            "2016-10-addis-ababa-return-readmission-reintegration",
            "2017-02-malta-jvap-som",
            "2018-11-addis-ababa-jvap-som",
            "2021-09-online-return-reintegration-roundtable",
            "2021-11-geneva-return-reintegration",
            "2023-11-stockholm-whole-of-government",
            "2025-04-cairo-ministerial-conference"
        ]
    );
}

#[tokio::test]
async fn a_meeting_dated_only_to_the_year_lists_every_chair_term_it_may_fall_in() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meeting(slug: "2025-aswan-legal-pathways") { startDate chairmanships { slug } }
                 france: chairmanships(process: "khartoum-process") { slug meetings { slug } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["meeting"]["startDate"], "2025");
    assert_eq!(
        slugs(&data["meeting"]["chairmanships"]),
        ["khartoum-process-2024-egypt", "khartoum-process-2025-france"]
    );
    let france =
        data["france"].as_array().unwrap().iter().find(|t| t["slug"] == "khartoum-process-2025-france").unwrap();
    assert!(slugs(&france["meetings"]).contains(&"2025-aswan-legal-pathways".to_owned()), "{france}");
}

#[tokio::test]
async fn chair_terms_starting_in_the_same_year_follow_each_other_in_the_order_they_ended() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ chairmanships(process: "rabat-process") { slug start end previous { slug } next { slug } } }"#,
            json!({}),
        )
        .await;
    let terms = data["chairmanships"].as_array().unwrap();
    let order: Vec<&str> = terms.iter().map(|t| t["slug"].as_str().unwrap()).collect();
    let portugal = order.iter().position(|s| s.contains("portugal")).expect("a Portuguese term");
    let mali = order.iter().position(|s| s.contains("mali")).expect("a Malian term");
    assert_eq!(terms[portugal]["start"], terms[mali]["start"], "both start in the same year");
    assert!(portugal < mali, "Portugal's 2016 term ended before Mali's: {order:?}");
    assert_eq!(terms[portugal]["next"]["slug"], terms[mali]["slug"]);
    assert_eq!(terms[mali]["previous"]["slug"], terms[portugal]["slug"]);
}
