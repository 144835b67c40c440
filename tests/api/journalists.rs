//! Questions a data journalist would put to the API, each answered through GraphQL and compared
//! with what the sources in `sources/` say: who hosted what, who chaired when, what the
//! Cairo Action Plan commits to, who sat on the steering committee, which meetings were online.

use crate::archived_sources::assert_source_says;
use crate::helpers::*;
use crate::meetings::{all_words_in, meets_range, newest_first, oldest_first, seed_meetings, SeedMeeting};
use crate::nodes::{seed_related, seed_terms};
use serde_json::json;
use serde_json::Value;
use std::collections::BTreeSet;

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
    // "With Italy as the outgoing Chair, Eritrea took up this role": a handover, on one day.
    assert_source_says(ASMARA_SOM, "With Italy as the outgoing Chair, Eritrea took up this role for the year of 2019.");
    let seed = seed_terms("khartoum-process");
    for pair in seed.windows(2) {
        assert_eq!(pair[0]["end"], pair[1]["start"], "the seed: {} hands over to {}", pair[0]["slug"], pair[1]["slug"]);
    }
    let app = spawn_app();
    let data = app
        .data(
            r#"{ chairmanships(process: "khartoum-process") { slug start end next { slug start } previous { slug } } }"#,
            json!({}),
        )
        .await;
    let terms = data["chairmanships"].as_array().unwrap();
    assert_eq!(slugs(&data["chairmanships"]), seed.iter().map(|t| must(t, "slug").to_owned()).collect::<Vec<_>>());
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
    assert_source_says(WEBSITE_LAUNCH, "five EU Member States (Italy, France, Germany, UK, Malta)");
    assert_source_says(ACTORS_PAGE, "five EU Member States (Italy, France, Germany, UK, Netherlands)");
    let seat = |actor: &str| {
        seed_file("memberships.json")
            .into_iter()
            .find(|m| m["actor"] == json!(actor) && m["role"] == "STEERING_COMMITTEE")
            .unwrap_or_else(|| panic!("a seat for {actor}"))
    };
    let (malta, netherlands) = (seat("mt"), seat("nl"));
    // The last day Malta's seat certainly ran, and the first day after it may have ended.
    let before = first_day(must(&netherlands, "since"));
    let before = last_day(&before[..4].parse::<u32>().map(|y| (y - 1).to_string()).unwrap());
    let after = next_day(&last_day(must(&malta, "until")));
    let app = spawn_app();
    let on = |day: String| {
        let app = &app;
        async move {
            sorted(actor_slugs(&app.data(STEERING_COMMITTEE, json!({ "asOf": day })).await["process"]["memberships"]))
        }
    };
    let listed_before = on(before.clone()).await;
    assert!(
        listed_before.contains(&"mt".to_owned()) && !listed_before.contains(&"nl".to_owned()),
        "{before}: {listed_before:?}"
    );
    let listed_after = on(after.clone()).await;
    assert!(
        listed_after.contains(&"nl".to_owned()) && !listed_after.contains(&"mt".to_owned()),
        "{after}: {listed_after:?}"
    );
    assert!(listed_after.contains(&"eeas".to_owned()), "the EEAS is listed from 2019: {listed_after:?}");
}

#[tokio::test]
async fn uganda_was_endorsed_to_the_steering_committee_in_april_2024() {
    let kampala_post = "kampalapost-com-index-php-content-uganda-joins-khartoum-process-steering-committee-during";
    assert_source_says(kampala_post, "posted onApril 19, 2024");
    assert_source_says(
        kampala_post,
        "Uganda has been endorsed to the Khartoum Process Steering Committee, an announcement made during the Senior Officials’ Meeting taking place in Cairo, Egypt from April 17 -18.",
    );
    // Its membership began after the Berlin meeting of May 2017, on a day no source gives.
    assert_source_says(
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
    // Germany's partners worked out from the seed: the actors that hosted, co-hosted, chaired or
    // co-chaired a meeting Germany also did, most shared meetings first, then by slug.
    let mut partners: Vec<(String, Vec<String>)> = Vec::new();
    for m in seed_meetings() {
        let organisers: Vec<&String> =
            m.participations.iter().filter(|(_, r)| ORGANISING.contains(&r.as_str())).map(|(a, _)| a).collect();
        if !organisers.iter().any(|a| *a == "de") {
            continue;
        }
        let mut others: Vec<&String> = organisers.into_iter().filter(|a| *a != "de").collect();
        others.sort();
        others.dedup();
        for a in others {
            match partners.iter_mut().find(|(p, _)| p == a) {
                Some((_, ms)) => ms.push(m.slug.clone()),
                None => partners.push((a.clone(), vec![m.slug.clone()])),
            }
        }
    }
    partners.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    assert_eq!(partners[0].0, "ke", "Kenya first: {partners:?}");
    assert!(partners[0].1.len() > partners[1].1.len(), "and alone: {partners:?}");
    let expected: Vec<Value> = partners
        .iter()
        .map(|(a, ms)| {
            let meetings: Vec<Value> = ms.iter().map(|m| json!({ "slug": m })).collect();
            json!({ "actor": { "slug": a }, "count": ms.len(), "meetings": meetings })
        })
        .collect();
    let app = spawn_app();
    let data = app
        .data(r#"{ actor(slug: "de") { name partners { actor { slug } count meetings { slug } } } }"#, json!({}))
        .await;
    assert_eq!(data["actor"]["name"], "Germany");
    assert_eq!(data["actor"]["partners"], Value::Array(expected));
}

#[tokio::test]
async fn switzerland_worked_with_ethiopia_twice_on_return_and_reintegration() {
    let app = spawn_app();
    let data = app
        .data(
            r#"{ state(code: "CHE") {
                    meetings(roles: [HOST, CO_HOST, CHAIR, CO_CHAIR], orderBy: START_DATE_ASC) {
                        nodes { slug participations(roles: [HOST, CO_HOST, CHAIR, CO_CHAIR]) { role actor { slug } } }
                    }
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
    let sources = seed_file("sources.json");
    let source = |slug: &str| sources.iter().find(|s| s["slug"] == json!(slug)).unwrap().clone();
    let seed_participation = |meeting: &str, role: &str| {
        let m = seed_file("meetings.json").into_iter().find(|m| m["slug"] == json!(meeting)).unwrap();
        let p = m["participations"].as_array().unwrap().iter().find(|p| p["role"] == json!(role)).unwrap().clone();
        (m, p)
    };
    // Rome: the co-chairs' participation cites sources of its own, not the meeting's.
    let (rome, p) = seed_participation("2014-11-rome-ministerial-conference", "CO_CHAIR");
    let own = strings(&p, "sources");
    assert!(!own.is_empty() && own != strings(&rome, "sources"), "the seed gives the co-chairs sources of their own");
    let cited: Vec<Value> = own.iter().map(|s| json!({ "slug": s, "url": or_null(&source(s), "url") })).collect();
    assert_eq!(
        data["rome"]["participations"],
        json!([{ "actor": { "slug": must(&p, "actor") }, "person": or_null(&p, "person"), "sources": cited }])
    );
    // Geneva: Ethiopia's co-hosting cites nothing of its own, so it cites the meeting's sources.
    let (geneva, p) = seed_participation("2021-11-geneva-return-reintegration", "CO_HOST");
    assert!(strings(&p, "sources").is_empty());
    let cited: Vec<Value> = strings(&geneva, "sources")
        .iter()
        .map(|s| json!({ "slug": s, "reference": or_null(&source(s), "reference") }))
        .collect();
    assert_eq!(data["geneva"]["participations"], json!([{ "actor": { "slug": must(&p, "actor") }, "sources": cited }]));
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
            r#"{ som: meeting(slug: "2023-03-berlin-som") { startDate kind chairmanships { slug chair { slug } } related { kind meeting { slug } } }
                 sc: meeting(slug: "2023-03-berlin-steering-committee") { startDate kind chairmanships { slug chair { slug } } } }"#,
            json!({}),
        )
        .await;
    // The German term begins on the SOM's day and South Sudan's ends on it, in the seed.
    let terms = seed_terms("khartoum-process");
    let german = terms.iter().position(|t| t["chair"] == "de").unwrap();
    assert_eq!(terms[german - 1]["chair"], "ss", "South Sudan came before Germany");
    assert_eq!(data["som"]["startDate"], terms[german]["start"]);
    assert_eq!(data["som"]["kind"], "SENIOR_OFFICIALS_MEETING");
    assert_eq!(pluck(&data["som"]["chairmanships"], "slug"), terms_of_meeting("2023-03-berlin-som"));
    assert_eq!(
        pluck(&data["som"]["chairmanships"], "slug"),
        [must(&terms[german - 1], "slug"), must(&terms[german], "slug")]
    );
    let related: Vec<(String, String)> =
        seed_related(&seed_file("meetings.json"), "2023-03-berlin-som").into_iter().collect();
    assert_eq!(related, [("PRECEDED_BY".to_owned(), "2023-03-berlin-steering-committee".to_owned())]);
    // The Steering Committee met the day before, still under South Sudan.
    assert_eq!(data["sc"]["startDate"].as_str(), Some(previous_day(must(&terms[german], "start")).as_str()));
    assert_eq!(data["sc"]["kind"], "STEERING_COMMITTEE_MEETING");
    assert_eq!(pluck(&data["sc"]["chairmanships"], "slug"), [must(&terms[german - 1], "slug")]);
}

#[tokio::test]
async fn the_german_chairmanship_covers_the_meetings_the_seed_dates_within_it() {
    let term = seed_file("chairmanships.json").into_iter().find(|t| t["chair"] == "de").unwrap();
    let app = spawn_app();
    let data = app
        .data(r#"{ state(code: "de") { chairmanships { slug start end chairperson meetings { slug } } } }"#, json!({}))
        .await;
    let terms = data["state"]["chairmanships"].as_array().unwrap();
    assert_eq!(terms.len(), 1);
    let got = &terms[0];
    for field in ["slug", "start", "end", "chairperson"] {
        assert_eq!(got[field], or_null(&term, field), "{field}");
    }
    let expected = meetings_of_term(&term);
    assert!(expected.len() > 5, "{expected:?}");
    assert_eq!(slugs(&got["meetings"]), expected);
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
    assert_source_says(
        AHRAM,
        "Egypt previously held the presidency of the Khartoum Process at its inception in 2014 and resumed the role in April 2024, succeeding Germany.",
    );
    let expected: Vec<Value> = seed_terms("khartoum-process")
        .iter()
        .filter(|t| t["chair"] == "eg")
        .map(|t| json!({ "start": t["start"], "end": or_null(t, "end"), "chairperson": or_null(t, "chairperson"), "process": { "slug": "khartoum-process" } }))
        .collect();
    assert_eq!(expected.len(), 2);
    assert!(expected[0]["start"].as_str().unwrap().starts_with("2014"));
    assert!(expected[1]["start"].as_str().unwrap().starts_with("2024-04"));
    let app = spawn_app();
    let data = app
        .data(r#"{ state(code: "EGY") { chairmanships { start end chairperson process { slug } } } }"#, json!({}))
        .await;
    assert_eq!(data["state"]["chairmanships"], Value::Array(expected));
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
    assert_source_says(MENA, "Launched in November 2014 at its first ministerial conference in Rome");
    assert_source_says(MENA, "The Second Ministerial Meeting of the Khartoum Process wrapped up on Wednesday");
    let seed = seed_file("meetings.json");
    let mut expected: Vec<&Value> = seed
        .iter()
        .filter(|m| {
            m["kind"] == "MINISTERIAL_CONFERENCE" && strings(m, "processes").iter().any(|p| p == "khartoum-process")
        })
        .collect();
    expected.sort_by_key(|m| first_day(must(m, "startDate")));
    assert_eq!(expected.len(), 2, "a first and a second");
    let documents = seed_file("documents.json");
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
    assert_eq!(nodes.len(), expected.len());
    for (got, m) in nodes.iter().zip(&expected) {
        let slug = must(m, "slug");
        assert_eq!((&got["slug"], &got["startDate"], &got["city"]), (&m["slug"], &m["startDate"], &m["city"]));
        let adopted: Vec<String> =
            documents.iter().filter(|d| d["adoptedAt"] == json!(slug)).map(|d| must(d, "slug").to_owned()).collect();
        let mut listed = slugs(&got["adoptedDocuments"]);
        listed.sort();
        let mut adopted = adopted;
        adopted.sort();
        assert_eq!(listed, adopted, "{slug}");
    }
    assert_eq!((nodes[0]["city"].as_str(), &nodes[0]["startDate"].as_str().unwrap()[..7]), (Some("Rome"), "2014-11"));
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
    // The 4Ps series reader: the whole series was organised under the Dutch chair's guidance.
    assert_source_says(
        "khartoumprocess-net-news-and-events-news-97-trafficking-in-human-beings-the-4ps-revisited",
        "The Webinar Series, the four Background Notes and the present Reader have been organised and developed under the guidance",
    );
    assert_eq!(
        data["state"]["organised"]["nodes"],
        json!([
            { "slug": "2020-07-online-covid-19-human-mobility", "online": true },
            { "slug": "2021-03-online-4ps-prevention", "online": true },
            { "slug": "2021-04-online-4ps-protection", "online": true },
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
    assert_source_says(ACTIVITIES_24, "The webinar was the first in a 4-Module Webinar Series");
    let seed = seed_file("meetings.json");
    let expected: BTreeSet<(String, String)> = seed_related(&seed, "2021-03-online-4ps-prevention");
    assert_eq!(expected.len(), 3, "the three other modules: {expected:?}");
    assert!(expected.iter().all(|(k, _)| k == "PART_OF_SERIES"), "{expected:?}");
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meeting(slug: "2021-03-online-4ps-prevention") { related { kind meeting { slug startDate } } } }"#,
            json!({}),
        )
        .await;
    let related = data["meeting"]["related"].as_array().unwrap();
    let got: BTreeSet<(String, String)> =
        related.iter().map(|r| (must(r, "kind").to_owned(), must(&r["meeting"], "slug").to_owned())).collect();
    assert_eq!(got, expected);
    let starts: Vec<&str> = related.iter().map(|r| r["meeting"]["startDate"].as_str().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "chronological: {starts:?}");
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
    let expected = newest_first(|m| all_words_in("CLIMATE", &m.title_and_summary));
    assert!(expected.len() >= 3, "{expected:?}");
    let app = spawn_app();
    let data = app.data(r#"{ meetings(filter: { text: "CLIMATE" }) { totalCount nodes { slug } } }"#, json!({})).await;
    assert_eq!(slugs(&data["meetings"]["nodes"]), expected);
    assert_eq!(data["meetings"]["totalCount"], json!(expected.len()));
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
    // Domains are an editorial classification of this dataset; domain 5 of the Joint Valletta
    // Action Plan is return, readmission and reintegration.
    let jvap = seed_file("documents.json").into_iter().find(|d| d["slug"] == "joint-valletta-action-plan").unwrap();
    let five = jvap["domains"].as_array().unwrap().iter().find(|d| d["number"] == 5).unwrap().clone();
    assert_source_says("jvapfollowup-org-en-about", must(&five, "title"));
    let expected = oldest_first(|m| m.processes.iter().any(|p| p == "khartoum-process") && m.domains.contains(&5));
    for slug in ["2021-11-geneva-return-reintegration", "2021-09-online-return-reintegration-roundtable"] {
        assert!(expected.contains(&slug.to_owned()), "{slug} in {expected:?}");
    }
    let app = spawn_app();
    let data = app
        .data(
            r#"{ meetings(filter: { process: "khartoum-process", domain: 5 }, orderBy: START_DATE_ASC) { totalCount nodes { slug } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(slugs(&data["meetings"]["nodes"]), expected);
}

#[tokio::test]
async fn a_meeting_dated_only_to_the_year_lists_every_chair_term_it_may_fall_in() {
    let year_only: Vec<String> =
        oldest_first(|m| m.start.len() == 4 && m.processes.iter().any(|p| p == "khartoum-process"));
    assert!(!year_only.is_empty());
    let app = spawn_app();
    let mut spanning = 0;
    for slug in &year_only {
        let data = app
            .data(r#"query($s: String!) { meeting(slug: $s) { chairmanships { slug } } }"#, json!({ "s": slug }))
            .await;
        let expected = terms_of_meeting(slug);
        assert_eq!(pluck(&data["meeting"]["chairmanships"], "slug"), expected, "{slug}");
        spanning += usize::from(expected.len() > 1);
        // And each of those terms lists the meeting.
        for term in &expected {
            let t = app
                .data(
                    r#"query($p: String!) { chairmanships(process: $p) { slug meetings { slug } } }"#,
                    json!({ "p": "khartoum-process" }),
                )
                .await;
            let t = t["chairmanships"].as_array().unwrap().iter().find(|x| x["slug"] == json!(term)).unwrap().clone();
            assert!(slugs(&t["meetings"]).contains(slug), "{term} lists {slug}");
        }
    }
    assert!(spanning > 0, "a year-only meeting falls in more than one term: {year_only:?}");
}

#[tokio::test]
async fn chair_terms_starting_in_the_same_year_follow_each_other_in_the_order_they_ended() {
    let seed = seed_terms("rabat-process");
    let (a, b) = seed
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .find(|(a, b)| a["start"] == b["start"])
        .expect("two Rabat Process terms start in the same year in the seed");
    assert!(last_day(must(&a, "end")) <= b.get("end").and_then(Value::as_str).map_or_else(|| "9999".into(), last_day));
    let app = spawn_app();
    let data = app
        .data(
            r#"{ chairmanships(process: "rabat-process") { slug start end previous { slug } next { slug } } }"#,
            json!({}),
        )
        .await;
    let terms = data["chairmanships"].as_array().unwrap();
    let order: Vec<&str> = terms.iter().map(|t| t["slug"].as_str().unwrap()).collect();
    let first = order.iter().position(|s| *s == must(&a, "slug")).unwrap();
    let second = order.iter().position(|s| *s == must(&b, "slug")).unwrap();
    assert_eq!(second, first + 1, "{order:?}");
    assert_eq!(terms[first]["next"]["slug"], b["slug"]);
    assert_eq!(terms[second]["previous"]["slug"], a["slug"]);
}

// ----- what the tests below derive their answers from: the seed files and the archived pages -----

/// The Asmara SOM page of March 2019.
const ASMARA_SOM: &str = "khartoumprocess-net-news-and-events-news-83-senior-officials-meeting-asmara-eritrea-7-marc";
/// The Africa-EU Partnership's news of the website launch, 21 November 2016.
const WEBSITE_LAUNCH: &str = "africa-eu-partnership-org-en-stay-informed-news-khartoum-process-website-goes-live";
/// The Khartoum Process actors-and-governance page (2019, under Eritrea's chairmanship).
const ACTORS_PAGE: &str = "khartoumprocess-net-about-actors-and-governance";
/// Ahram Online, 8 April 2025.
const AHRAM: &str = "english-ahram-org-eg-newscontent-1-1234-544196-egypt-foreign-affairs-egypt-to-host-second";
/// MENA, 9 April 2025.
const MENA: &str = "mena-org-eg-news-dbcall-table-textnews-id-11131620";
/// The Khartoum Process activities page from item 24 (2020-2021).
const ACTIVITIES_24: &str = "khartoumprocess-net-activities-start-24";

/// The roles in which an actor organises a meeting, as `partners` counts them.
const ORGANISING: [&str; 4] = ["HOST", "CO_HOST", "CHAIR", "CO_CHAIR"];

/// A day as `YYYY-MM-DD`, moved by `days`.
fn shifted(day: &str, days: i64) -> String {
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    (d + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

fn next_day(day: &str) -> String {
    shifted(day, 1)
}

fn previous_day(day: &str) -> String {
    shifted(day, -1)
}

/// The first and last day a chair term may cover: from the first day of its start to the last
/// day of its end, or on with no end.
fn term_span(t: &Value) -> (String, String) {
    (first_day(must(t, "start")), text(t, "end").map_or_else(|| "9999-12-31".to_owned(), last_day))
}

/// The terms (slugs, chronological) a seed meeting may have taken place in: every term of one of
/// its processes whose span shares a day with the meeting's.
fn terms_of_meeting(slug: &str) -> Vec<String> {
    let m = seed_meetings().into_iter().find(|m| m.slug == slug).unwrap_or_else(|| panic!("no meeting {slug}"));
    m.processes
        .iter()
        .flat_map(|p| seed_terms(p))
        .filter(|t| {
            let (from, to) = term_span(t);
            meets_range(&m, Some(&from), Some(&to))
        })
        .map(|t| must(&t, "slug").to_owned())
        .collect()
}

/// The meetings (slugs, chronological) that may have taken place in a seed chair term.
fn meetings_of_term(term: &Value) -> Vec<String> {
    let (from, to) = term_span(term);
    let process = must(term, "process");
    oldest_first(|m| m.processes.iter().any(|p| p == process) && meets_range(m, Some(&from), Some(&to)))
}
