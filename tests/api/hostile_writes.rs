//! Writes of hostile text and shapes: what a curator (or a stolen token) sends must never make
//! an export unreadable, a source address dangerous, or one meeting a cost for every later write.

use crate::helpers::*;
use serde_json::{json, Value};

const CREATE_MEETING: &str = r#"mutation($input: CreateMeetingInput!) { createMeeting(input: $input) { slug title } }"#;
const UPDATE_SOURCE: &str =
    r#"mutation($slug: String!, $input: UpdateSourceInput!) { updateSource(slug: $slug, input: $input) { slug url } }"#;

/// A meeting that Kenya hosts and ICMPD organises, with the given title and source address.
fn meeting(slug: &str, title: &str, url: &str) -> Value {
    json!({
        "slug": slug, "title": title, "kind": "WEBINAR", "startDate": "2030-02-01", "online": true,
        "processes": ["khartoum-process"],
        "participations": [{ "actor": "ke", "role": "HOST" }, { "actor": "icmpd", "role": "ORGANISER" }],
        "sources": [{ "title": "A page", "url": url }]
    })
}

/// Reads an export back with XML and CSV parsers that are not the ones that wrote it.
async fn exports_still_parse(app: &TestApp) {
    let graphml = app.get("/export/cohosts.graphml").await;
    roxmltree::Document::parse(&graphml.body).unwrap_or_else(|e| panic!("cohosts.graphml is not well-formed XML: {e}"));
    for table in ["meetings", "sources", "participations"] {
        let csv = app.get(&format!("/export/{table}.csv")).await;
        let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
        for row in reader.records() {
            row.unwrap_or_else(|e| panic!("{table}.csv does not parse: {e}"));
        }
    }
}

#[tokio::test]
async fn text_that_xml_cannot_hold_is_refused_in_every_curated_string_and_the_exports_stay_readable() {
    let app = spawn_app();
    for (i, bad) in
        ["\u{fffe}", "\u{ffff}", "\u{1}", "\u{1b}[2J", "\u{7f}", "\u{fdd0}", "\u{10ffff}"].iter().enumerate()
    {
        // In a title, in a new source's title, and in an existing source's publisher.
        let slug = format!("2030-02-hostile-{i}");
        let (code, message) = app
            .write_error(
                CREATE_MEETING,
                json!({ "input": meeting(&slug, &format!("A {bad} B"), "https://example.org/a") }),
            )
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "{bad:?} in a title: {message}");
        let c = bad.chars().next().unwrap();
        if !c.is_control() {
            // Control characters are refused earlier, where the request's values are read;
            // noncharacters, where the record is checked.
            assert!(message.contains(&format!("U+{:04X}", c as u32)), "{message}");
        }
        let mut input = meeting(&slug, "A plain title", "https://example.org/b");
        input["sources"][0]["title"] = json!(format!("Page {bad}"));
        let (code, message) = app.write_error(CREATE_MEETING, json!({ "input": input })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{bad:?} in a new source's title: {message}");
        let (code, message) = app
            .write_error(UPDATE_SOURCE, json!({ "slug": "seed-000", "input": { "publisher": format!("X{bad}") } }))
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "{bad:?} in a publisher: {message}");
        assert!(app.data("query($s: String!) { meeting(slug: $s) { slug } }", json!({ "s": slug })).await["meeting"]
            .is_null());
    }
    // Hostile but legitimate text goes in, and comes out of every export readable.
    let title = "<script>alert(1)</script> & \"quotes\" 'single' =SUM(A1) السودان \u{202e}rtl \u{fffd} 😀";
    let data = app
        .write_data(CREATE_MEETING, json!({ "input": meeting("2030-02-hostile-ok", title, "https://example.org/ok") }))
        .await;
    assert_eq!(data["createMeeting"]["title"], title);
    exports_still_parse(&app).await;
}

#[tokio::test]
async fn a_source_address_must_be_an_http_or_https_url() {
    let app = spawn_app();
    for bad in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<b>x</b>",
        "ftp://example.org/x",
        "https://",
        "http:/example.org",
        "example.org/page",
        "https://exa mple.org/",
    ] {
        let (code, message) =
            app.write_error(CREATE_MEETING, json!({ "input": meeting("2030-02-bad-url", "T", bad) })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{bad}: {message}");
        assert!(message.contains("http or https"), "{bad}: {message}");
        let (code, message) =
            app.write_error(UPDATE_SOURCE, json!({ "slug": "seed-000", "input": { "url": bad } })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{bad} on update: {message}");
    }
    for good in ["https://example.org/", "http://EXAMPLE.org/a?b=c#d", "HTTPS://example.org"] {
        let data = app.write_data(UPDATE_SOURCE, json!({ "slug": "seed-000", "input": { "url": good } })).await;
        assert_eq!(data["updateSource"]["url"], good);
    }
}

#[tokio::test]
async fn a_meeting_lists_at_most_the_published_number_of_participations() {
    let app = spawn_app();
    let max = khartoum_graphql::domain::MAX_PARTICIPATIONS;
    // Every actor of the record in every role that does not need a person, until past the cap.
    let actors = app.data("{ states(first: 100) { nodes { slug } } organizations { slug } }", json!({})).await;
    let slugs: Vec<String> =
        slugs(&actors["states"]["nodes"]).into_iter().chain(slugs(&actors["organizations"])).collect();
    let roles = ["HOST", "CO_HOST", "ORGANISER", "CHAIR", "CO_CHAIR"];
    let all: Vec<Value> =
        roles.iter().flat_map(|role| slugs.iter().map(move |a| json!({ "actor": a, "role": role }))).collect();
    assert!(all.len() > max, "the record has too few actors ({}) to pass the cap of {max}", all.len());
    let mut input = meeting("2030-02-crowded", "Crowded", "https://example.org/crowded");
    input["participations"] = json!(all[..max + 1]);
    let (code, message) = app.write_error(CREATE_MEETING, json!({ "input": input.clone() })).await;
    assert_eq!(code, "BAD_USER_INPUT", "{message}");
    assert!(message.contains(&format!("at most {max} participations")), "{message}");
    input["participations"] = json!(all[..max]);
    app.write_data(CREATE_MEETING, json!({ "input": input })).await;
}

#[tokio::test]
async fn a_null_for_a_field_a_record_cannot_be_without_is_refused_not_ignored() {
    let app = spawn_app();
    let slug = "2022-07-mombasa-skills-mobility";
    let read = "query($s: String!) { meeting(slug: $s) { title kind startDate online processes { slug } sources { url } notes { text } } }";
    let before = app.data(read, json!({ "s": slug })).await;
    let update =
        "mutation($s: String!, $input: UpdateMeetingInput!) { updateMeeting(slug: $s, input: $input) { slug } }";
    for field in ["title", "kind", "startDate", "online", "processes", "domains", "sources", "notes"] {
        let (code, message) = app.write_error(update, json!({ "s": slug, "input": { field: null } })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{field}: null: {message}");
        assert!(message.starts_with(&format!("{field}: cannot be null")), "{message}");
    }
    // Inline, as the issue's client sent it.
    let (code, _) = app
        .write_error(
            &format!(r#"mutation {{ updateMeeting(slug: "{slug}", input: {{ title: null }}) {{ slug }} }}"#),
            json!({}),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    let (code, _) = app
        .write_error("mutation { updateSource(slug: \"seed-000\", input: { title: null }) { slug } }", json!({}))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert_eq!(app.data(read, json!({ "s": slug })).await, before, "a refused write changed the meeting");
    // Left out, a field keeps its value.
    app.write_data(update, json!({ "s": slug, "input": { "summary": "A summary" } })).await;
    let after = app.data(read, json!({ "s": slug })).await;
    assert_eq!(after["meeting"]["title"], before["meeting"]["title"]);
}
