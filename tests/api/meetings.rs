//! Lists of meetings, states and commitments: Relay paging forwards and backwards, order, page-size
//! errors, and every filter field, each checked against an answer worked out here from the seed
//! files with the documented rule, never copied from the API.

use crate::helpers::*;
use serde_json::json;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

// ----- the seed, read independently of the API -----

/// Lower case without accents: "Schüler" and "SCHULER" fold to the same text.
fn fold(s: &str) -> String {
    s.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// Whether every word of a text filter occurs, folded, in `haystack`.
pub fn all_words_in(words: &str, haystack: &str) -> bool {
    let hay = fold(haystack);
    fold(words).split_whitespace().all(|w| hay.contains(w))
}

/// A meeting of seed/meetings.json, with what the filters look at.
pub struct SeedMeeting {
    pub slug: String,
    pub start: String,
    /// First day of the start date.
    pub first: String,
    /// Last day of the end date, or of the start date when there is no end.
    pub last: String,
    pub kind: String,
    pub processes: Vec<String>,
    /// (actor, role), in the order recorded.
    pub participations: Vec<(String, String)>,
    pub country: Option<String>,
    pub online: bool,
    pub domains: Vec<i64>,
    pub title_and_summary: String,
}

/// Every seed meeting, chronological: by the first day of the start date; on the same day the
/// less precise date first (a year, then a month, then a day), then by slug.
pub fn seed_meetings() -> Vec<SeedMeeting> {
    let mut v: Vec<SeedMeeting> = seed_file("meetings.json")
        .iter()
        .map(|m| {
            let start = text(m, "startDate").unwrap().to_owned();
            let end = text(m, "endDate").unwrap_or(&start).to_owned();
            SeedMeeting {
                slug: text(m, "slug").unwrap().to_owned(),
                first: first_day(&start),
                last: last_day(&end),
                start,
                kind: text(m, "kind").unwrap().to_owned(),
                processes: strings(m, "processes"),
                // Optional in the seed format: absent means none.
                participations: m.get("participations").and_then(Value::as_array).map_or_else(Vec::new, |a| {
                    a.iter()
                        .map(|p| (text(p, "actor").unwrap().to_owned(), text(p, "role").unwrap().to_owned()))
                        .collect()
                }),
                country: text(m, "country").map(str::to_owned),
                online: m["online"].as_bool().unwrap(),
                domains: m
                    .get("domains")
                    .and_then(Value::as_array)
                    .map_or_else(Vec::new, |a| a.iter().map(|d| d.as_i64().unwrap()).collect()),
                title_and_summary: format!("{} {}", text(m, "title").unwrap(), text(m, "summary").unwrap_or("")),
            }
        })
        .collect();
    v.sort_by(|a, b| chronological((&a.start, &a.slug)).cmp(&chronological((&b.start, &b.slug))));
    v
}

/// The sort key of a meeting by its start date (as written, "2023", "2023-11" or "2023-11-14")
/// and slug: the first day the date may mean, then its precision (the length of its text: a year
/// is the least precise), then the slug.
fn chronological<'a>((start, slug): (&str, &'a str)) -> (String, usize, &'a str) {
    (first_day(start), start.len(), slug)
}

/// The slugs of the seed meetings that satisfy `keep`, oldest first.
pub fn oldest_first(keep: impl Fn(&SeedMeeting) -> bool) -> Vec<String> {
    seed_meetings().into_iter().filter(|m| keep(m)).map(|m| m.slug).collect()
}

/// The slugs of the seed meetings that satisfy `keep`, newest first (the default order).
pub fn newest_first(keep: impl Fn(&SeedMeeting) -> bool) -> Vec<String> {
    let mut v = oldest_first(keep);
    v.reverse();
    v
}

/// Whether a seed meeting's span shares a day with the closed range [from, to].
pub fn meets_range(m: &SeedMeeting, from: Option<&str>, to: Option<&str>) -> bool {
    from.is_none_or(|f| m.last.as_str() >= f) && to.is_none_or(|t| m.first.as_str() <= t)
}

// ----- queries -----

const MEETINGS_PAGE: &str = r#"
query($filter: MeetingFilter, $orderBy: MeetingOrder, $first: Int, $after: String, $last: Int, $before: String) {
  meetings(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { slug } }
    nodes { slug }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

const STATE_MEETINGS_PAGE: &str = r#"
query($code: String!, $roles: [MeetingRole!], $filter: MeetingFilter, $orderBy: MeetingOrder,
      $first: Int, $after: String, $last: Int, $before: String) {
  state(code: $code) {
    meetings(roles: $roles, filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { slug } }
      nodes { slug }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"#;

const ACTOR_MEETINGS_PAGE: &str = r#"
query($code: String!, $roles: [MeetingRole!], $filter: MeetingFilter, $orderBy: MeetingOrder,
      $first: Int, $after: String, $last: Int, $before: String) {
  actor(slug: $code) {
    meetings(roles: $roles, filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { slug } }
      nodes { slug }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"#;

const ORGANIZATION_MEETINGS_PAGE: &str = r#"
query($code: String!, $roles: [MeetingRole!], $filter: MeetingFilter, $orderBy: MeetingOrder,
      $first: Int, $after: String, $last: Int, $before: String) {
  organization(slug: $code) {
    meetings(roles: $roles, filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { slug } }
      nodes { slug }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"#;

const PROCESS_MEETINGS_PAGE: &str = r#"
query($slug: String!, $filter: MeetingFilter, $orderBy: MeetingOrder,
      $first: Int, $after: String, $last: Int, $before: String) {
  process(slug: $slug) {
    meetings(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { slug } }
      nodes { slug }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}"#;

const STATES_PAGE: &str = r#"
query($filter: StateFilter, $first: Int, $after: String, $last: Int, $before: String) {
  states(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { slug } }
    nodes { slug }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

const COMMITMENTS_PAGE: &str = r#"
query($filter: CommitmentFilter, $first: Int, $after: String, $last: Int, $before: String) {
  commitments(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { slug: code } }
    nodes { slug: code }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

const DOMAIN_MEETINGS_PAGE: &str = r#"
query($first: Int, $after: String) {
  document(slug: "cairo-action-plan") {
    domains { number meetings(first: $first, after: $after) { totalCount nodes { slug } } }
  }
}"#;

/// One page of a connection, as the API returned it.
#[derive(Debug, Clone, PartialEq)]
struct Page {
    slugs: Vec<String>,
    cursors: Vec<String>,
    total: i64,
    has_next: bool,
    has_previous: bool,
    start: Option<String>,
    end: Option<String>,
}

impl Page {
    /// Reads a connection object and checks what must hold of any page: `nodes` and `edges`
    /// agree, and the start and end cursors are those of the first and last edge.
    fn of(conn: &Value) -> Page {
        let edges = conn["edges"].as_array().unwrap_or_else(|| panic!("no edges in {conn}"));
        let slugs: Vec<String> = edges.iter().map(|e| e["node"]["slug"].as_str().unwrap().to_owned()).collect();
        let cursors: Vec<String> = edges.iter().map(|e| e["cursor"].as_str().unwrap().to_owned()).collect();
        assert_eq!(slugs, crate::helpers::slugs(&conn["nodes"]), "nodes and edges disagree in {conn}");
        let info = &conn["pageInfo"];
        let page = Page {
            slugs,
            total: conn["totalCount"].as_i64().unwrap(),
            has_next: info["hasNextPage"].as_bool().unwrap(),
            has_previous: info["hasPreviousPage"].as_bool().unwrap(),
            start: info["startCursor"].as_str().map(str::to_owned),
            end: info["endCursor"].as_str().map(str::to_owned),
            cursors,
        };
        assert_eq!(page.start.as_ref(), page.cursors.first(), "startCursor is the first edge's in {conn}");
        assert_eq!(page.end.as_ref(), page.cursors.last(), "endCursor is the last edge's in {conn}");
        assert_eq!(page.cursors.iter().collect::<HashSet<_>>().len(), page.cursors.len(), "cursors are distinct");
        page
    }
}

/// Runs `MEETINGS_PAGE` with these variables and reads the page.
async fn meetings_page(app: &TestApp, vars: Value) -> Page {
    Page::of(&app.data(MEETINGS_PAGE, vars).await["meetings"])
}

/// Every meeting a filter selects on `Query.meetings`, newest first, in one page of 100; checks
/// that `totalCount` agrees.
async fn filtered(app: &TestApp, filter: Value) -> Vec<String> {
    let page = meetings_page(app, json!({ "filter": filter, "first": 100 })).await;
    assert!(!page.has_next, "more than 100 meetings match {filter}");
    assert_eq!(page.total, page.slugs.len() as i64, "totalCount for {filter}");
    page.slugs
}

/// Pages forward through a connection with `first: size`, checking each page's `pageInfo`.
async fn page_forward(app: &TestApp, query: &str, root: &[&str], vars: Value, size: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut v = vars.clone();
        v["first"] = json!(size);
        v["after"] = json!(after);
        let data = app.data(query, v).await;
        let page = Page::of(root.iter().fold(&data, |d, k| &d[*k]));
        assert_eq!(page.has_previous, !pages.is_empty(), "hasPreviousPage on forward page {}", pages.len());
        let seen: usize = pages.iter().map(Vec::len).sum::<usize>() + page.slugs.len();
        assert_eq!(page.has_next, seen < page.total as usize, "hasNextPage on forward page {}", pages.len());
        if page.has_next {
            assert_eq!(page.slugs.len(), size, "a page before the last one is full");
        } else {
            assert!(!page.slugs.is_empty() || page.total == 0, "the last page is not empty");
        }
        let done = !page.has_next;
        after = page.end.clone();
        pages.push(page.slugs);
        if done {
            return pages;
        }
        assert!(pages.len() < 1000, "paging does not end");
    }
}

/// Pages backward through a connection with `last: size`, checking each page's `pageInfo`;
/// returns the pages in the order fetched (the end of the list first).
async fn page_backward(app: &TestApp, query: &str, root: &[&str], vars: Value, size: usize) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let mut v = vars.clone();
        v["last"] = json!(size);
        v["before"] = json!(before);
        let data = app.data(query, v).await;
        let page = Page::of(root.iter().fold(&data, |d, k| &d[*k]));
        assert_eq!(page.has_next, !pages.is_empty(), "hasNextPage on backward page {}", pages.len());
        let seen: usize = pages.iter().map(Vec::len).sum::<usize>() + page.slugs.len();
        assert_eq!(page.has_previous, seen < page.total as usize, "hasPreviousPage on backward page {}", pages.len());
        if page.has_previous {
            assert_eq!(page.slugs.len(), size, "a page after the first one is full");
        }
        let done = !page.has_previous;
        before = page.start.clone();
        pages.push(page.slugs);
        if done {
            return pages;
        }
        assert!(pages.len() < 1000, "paging does not end");
    }
}

// ----- paging and order -----

#[tokio::test]
async fn paging_forward_seven_at_a_time_visits_every_meeting_once_in_the_order_of_one_big_page() {
    let app = spawn_app();
    let all = seed_meetings().len();
    for order in [json!(null), json!("START_DATE_ASC"), json!("START_DATE_DESC")] {
        let vars = if order.is_null() { json!({}) } else { json!({ "orderBy": order }) };
        // Pages of 100: one page while there are at most 100 meetings, compared page by page beyond.
        let big = page_forward(&app, MEETINGS_PAGE, &["meetings"], vars.clone(), 100).await;
        assert_eq!(big.len(), all.div_ceil(100).max(1), "pages of 100");
        let big = big.concat();
        assert_eq!(big.len(), all, "pages of 100 hold every meeting");
        if all <= 100 {
            let one = meetings_page(&app, with(&vars, json!({ "first": 100 }))).await;
            assert!(!one.has_next && !one.has_previous, "one page of 100 is the whole list");
            assert_eq!(one.total, all as i64);
        }

        let pages = page_forward(&app, MEETINGS_PAGE, &["meetings"], vars, 7).await;
        assert_eq!(pages.len(), all.div_ceil(7), "number of pages of 7");
        let walked: Vec<String> = pages.concat();
        assert_eq!(walked, big, "paging with first: 7 and after ({order})");
        let expected = if order == json!("START_DATE_ASC") { oldest_first(|_| true) } else { newest_first(|_| true) };
        assert_eq!(walked, expected, "order {order}");
    }
}

#[tokio::test]
async fn paging_backward_with_last_and_before_gives_the_same_pages_from_the_end() {
    let app = spawn_app();
    for order in ["START_DATE_ASC", "START_DATE_DESC"] {
        let vars = json!({ "orderBy": order });
        let forward = page_forward(&app, MEETINGS_PAGE, &["meetings"], vars.clone(), 7).await.concat();
        let backward = page_backward(&app, MEETINGS_PAGE, &["meetings"], vars, 7).await;
        // The last page backward is the short one, at the start of the list.
        let n = forward.len();
        assert_eq!(backward.last().unwrap().len(), if n % 7 == 0 { 7 } else { n % 7 });
        let mut rebuilt = backward.clone();
        rebuilt.reverse();
        assert_eq!(rebuilt.concat(), forward, "backward pages, read from the start, are the list ({order})");
        // Each backward page is the seven meetings just before the previous page's start.
        for (i, page) in backward.iter().enumerate() {
            let end = n - 7 * i;
            assert_eq!(page[..], forward[end - page.len()..end], "backward page {i} ({order})");
        }
    }
}

#[tokio::test]
async fn a_page_after_the_last_cursor_is_empty_and_has_no_cursors() {
    let app = spawn_app();
    let last = meetings_page(&app, json!({ "last": 1 })).await;
    assert!(!last.has_next && last.has_previous);
    let beyond = meetings_page(&app, json!({ "first": 5, "after": last.end })).await;
    assert!(beyond.slugs.is_empty(), "nothing after the last meeting: {beyond:?}");
    assert_eq!((beyond.start, beyond.end), (None, None));
    assert!(!beyond.has_next && beyond.has_previous);
    assert_eq!(beyond.total, seed_meetings().len() as i64, "totalCount does not depend on the page");

    let first = meetings_page(&app, json!({ "first": 1 })).await;
    let before = meetings_page(&app, json!({ "last": 5, "before": first.start })).await;
    assert!(before.slugs.is_empty(), "nothing before the first meeting: {before:?}");
    assert!(before.has_next && !before.has_previous);
}

#[tokio::test]
async fn after_and_before_together_give_the_meetings_between_the_two_cursors() {
    let app = spawn_app();
    let all = meetings_page(&app, json!({ "first": 100 })).await;
    let (a, b) = (3, 12);
    let between = meetings_page(&app, json!({ "after": all.cursors[a], "before": all.cursors[b], "first": 100 })).await;
    assert_eq!(between.slugs, all.slugs[a + 1..b]);
    let tail = meetings_page(&app, json!({ "after": all.cursors[a], "before": all.cursors[b], "last": 2 })).await;
    assert_eq!(tail.slugs, all.slugs[b - 2..b]);
}

#[tokio::test]
async fn a_list_without_first_or_last_gives_a_page_of_twenty() {
    let app = spawn_app();
    let page = meetings_page(&app, json!({})).await;
    assert_eq!(page.slugs, newest_first(|_| true)[..20]);
    assert!(page.has_next && !page.has_previous);
    let states = Page::of(&app.data(STATES_PAGE, json!({})).await["states"]);
    assert_eq!(states.slugs.len(), 20);
    let commitments = Page::of(&app.data(COMMITMENTS_PAGE, json!({})).await["commitments"]);
    assert_eq!(commitments.slugs.len(), 20);
}

#[tokio::test]
async fn ascending_and_descending_orders_are_exact_reverses_with_partial_dates_at_the_start_of_their_interval() {
    let app = spawn_app();
    let asc = filtered_ordered(&app, "START_DATE_ASC").await;
    let mut desc = filtered_ordered(&app, "START_DATE_DESC").await;
    desc.reverse();
    assert_eq!(asc, desc);
    assert_eq!(asc, oldest_first(|_| true));
    // A meeting known only to the year sorts on 1 January, before every other meeting that year.
    let pos = |slug: &str| asc.iter().position(|s| s == slug).unwrap_or_else(|| panic!("{slug} missing"));
    let year_only = seed_meetings().into_iter().find(|m| m.start.len() == 4).expect("a meeting dated to the year");
    let year = &year_only.start;
    for m in seed_meetings().iter().filter(|m| m.start.starts_with(year.as_str()) && m.slug != year_only.slug) {
        assert!(pos(&year_only.slug) < pos(&m.slug), "{} sorts before {}", year_only.slug, m.slug);
    }
}

async fn filtered_ordered(app: &TestApp, order: &str) -> Vec<String> {
    meetings_page(app, json!({ "orderBy": order, "first": 100 })).await.slugs
}

#[tokio::test]
async fn an_explicit_null_order_behaves_as_the_default_newest_first() {
    let app = spawn_app();
    let newest = newest_first(|_| true);
    let q = "{ meetings(orderBy: null, first: 100) { nodes { slug } } }";
    assert_eq!(slugs(&app.data(q, json!({})).await["meetings"]["nodes"]), newest, "literal null");
    let by_var = meetings_page(&app, json!({ "orderBy": null, "first": 100 })).await;
    assert_eq!(by_var.slugs, newest, "variable set to null");
    let absent = meetings_page(&app, json!({ "first": 100 })).await;
    assert_eq!(absent.slugs, newest, "variable absent");

    let de = newest_first(|m| m.participations.iter().any(|(a, _)| a == "de"));
    for query in [STATE_MEETINGS_PAGE, ACTOR_MEETINGS_PAGE] {
        let data = app.data(query, json!({ "code": "de", "orderBy": null, "first": 100 })).await;
        let conn = data.as_object().unwrap().values().next().unwrap();
        assert_eq!(Page::of(&conn["meetings"]).slugs, de);
    }
    let kp = newest_first(|m| m.processes.iter().any(|p| p == "khartoum-process"));
    let data =
        app.data(PROCESS_MEETINGS_PAGE, json!({ "slug": "khartoum-process", "orderBy": null, "first": 100 })).await;
    assert_eq!(Page::of(&data["process"]["meetings"]).slugs, kp);
    let q = r#"{ process(slug: "khartoum-process") { meetings(orderBy: null, first: 100) { nodes { slug } } }
               actor(slug: "de") { meetings(orderBy: null, first: 100) { nodes { slug } } } }"#;
    let data = app.data(q, json!({})).await;
    assert_eq!(slugs(&data["process"]["meetings"]["nodes"]), kp);
    assert_eq!(slugs(&data["actor"]["meetings"]["nodes"]), de);
}

#[tokio::test]
async fn meetings_that_start_on_the_same_day_are_ordered_by_slug() {
    let app = spawn_app();
    let ms = seed_meetings();
    let mut shared_days: Vec<&str> =
        ms.iter().filter(|m| ms.iter().filter(|o| o.first == m.first).count() > 1).map(|m| m.first.as_str()).collect();
    shared_days.dedup();
    assert!(!shared_days.is_empty(), "the seed has meetings that start on the same day");
    for day in shared_days {
        let mut same: Vec<String> = ms.iter().filter(|m| m.first == day).map(|m| m.slug.clone()).collect();
        same.sort();
        let filter = json!({ "from": day, "to": day });
        let asc = meetings_page(&app, json!({ "filter": filter, "orderBy": "START_DATE_ASC", "first": 100 })).await;
        let on_day: Vec<String> = asc.slugs.into_iter().filter(|s| same.contains(s)).collect();
        assert_eq!(on_day, same, "ascending, {day}");
        let desc = meetings_page(&app, json!({ "filter": filter, "orderBy": "START_DATE_DESC", "first": 100 })).await;
        let mut on_day: Vec<String> = desc.slugs.into_iter().filter(|s| same.contains(s)).collect();
        on_day.reverse();
        assert_eq!(on_day, same, "descending is the exact reverse, {day}");
        // Paging one at a time splits the tie without losing or repeating a meeting.
        let pages = page_forward(
            &app,
            MEETINGS_PAGE,
            &["meetings"],
            json!({ "filter": filter, "orderBy": "START_DATE_ASC" }),
            1,
        )
        .await;
        let walked: Vec<String> = pages.concat().into_iter().filter(|s| same.contains(s)).collect();
        assert_eq!(walked, same, "paging one by one, {day}");
    }
}

#[tokio::test]
async fn total_count_counts_every_match_across_pages() {
    let app = spawn_app();
    let rabat = newest_first(|m| m.processes.iter().any(|p| p == "rabat-process"));
    let page = meetings_page(&app, json!({ "filter": { "process": "rabat-process" }, "first": 2 })).await;
    assert_eq!(page.total, rabat.len() as i64);
    assert_eq!(page.slugs, rabat[..2]);
    let later =
        meetings_page(&app, json!({ "filter": { "process": "rabat-process" }, "first": 2, "after": page.end })).await;
    assert_eq!(later.total, rabat.len() as i64, "totalCount on a later page");
    assert_eq!(later.slugs, rabat[2..4]);
    let none = meetings_page(&app, json!({ "filter": { "text": "no-such-word-anywhere" }, "first": 5 })).await;
    assert_eq!((none.total, none.slugs.len(), none.has_next, none.has_previous), (0, 0, false, false));
    assert_eq!((none.start, none.end), (None, None));
}

#[tokio::test]
async fn the_meetings_of_a_process_and_of_a_state_page_like_the_top_level_list() {
    let app = spawn_app();
    let kp = newest_first(|m| m.processes.iter().any(|p| p == "khartoum-process"));
    let pages =
        page_forward(&app, PROCESS_MEETINGS_PAGE, &["process", "meetings"], json!({ "slug": "khartoum-process" }), 7)
            .await;
    assert_eq!(pages.concat(), kp);
    let back =
        page_backward(&app, PROCESS_MEETINGS_PAGE, &["process", "meetings"], json!({ "slug": "khartoum-process" }), 7)
            .await;
    assert_eq!(back.into_iter().rev().collect::<Vec<_>>().concat(), kp);

    let eg = oldest_first(|m| m.participations.iter().any(|(a, _)| a == "eg"));
    let vars = json!({ "code": "eg", "orderBy": "START_DATE_ASC" });
    assert_eq!(page_forward(&app, STATE_MEETINGS_PAGE, &["state", "meetings"], vars.clone(), 3).await.concat(), eg);
    assert_eq!(page_forward(&app, ACTOR_MEETINGS_PAGE, &["actor", "meetings"], vars, 3).await.concat(), eg);
}

// ----- page-size errors -----

/// Every connection that takes first/after/last/before, with the variables it needs.
fn paged_fields() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("Query.meetings", MEETINGS_PAGE, json!({})),
        ("State.meetings", STATE_MEETINGS_PAGE, json!({ "code": "de" })),
        ("Actor.meetings", ACTOR_MEETINGS_PAGE, json!({ "code": "de" })),
        ("Organization.meetings", ORGANIZATION_MEETINGS_PAGE, json!({ "code": "icmpd" })),
        ("Process.meetings", PROCESS_MEETINGS_PAGE, json!({ "slug": "khartoum-process" })),
        ("Query.states", STATES_PAGE, json!({})),
        ("Query.commitments", COMMITMENTS_PAGE, json!({})),
    ]
}

fn with(base: &Value, extra: Value) -> Value {
    let mut v = base.clone();
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

#[tokio::test]
async fn a_page_larger_than_one_hundred_is_refused_with_page_size_exceeded() {
    let app = spawn_app();
    for (field, query, vars) in paged_fields() {
        for args in [json!({ "first": 101 }), json!({ "last": 101 }), json!({ "first": 100000 })] {
            let (code, message) = app.error(query, with(&vars, args.clone())).await;
            assert_eq!(code, "PAGE_SIZE_EXCEEDED", "{field} with {args}: {message}");
            assert!(message.contains("100"), "{field}: the message names the maximum: {message}");
        }
    }
    let (code, _) = app.error(DOMAIN_MEETINGS_PAGE, json!({ "first": 101 })).await;
    assert_eq!(code, "PAGE_SIZE_EXCEEDED", "Domain.meetings");
}

#[tokio::test]
async fn a_page_of_exactly_one_hundred_is_accepted() {
    let app = spawn_app();
    for (field, query, vars) in paged_fields() {
        for args in [json!({ "first": 100 }), json!({ "last": 100 }), json!({ "first": 0 })] {
            let resp = app.run(query, with(&vars, args.clone())).await;
            assert!(resp.get("errors").is_none(), "{field} with {args}: {resp}");
        }
    }
    let resp = app.run(DOMAIN_MEETINGS_PAGE, json!({ "first": 100 })).await;
    assert!(resp.get("errors").is_none(), "Domain.meetings: {resp}");
}

#[tokio::test]
async fn a_negative_page_size_is_bad_user_input() {
    let app = spawn_app();
    for (field, query, vars) in paged_fields() {
        for args in [json!({ "first": -1 }), json!({ "last": -1 })] {
            let (code, message) = app.error(query, with(&vars, args.clone())).await;
            assert_eq!(code, "BAD_USER_INPUT", "{field} with {args}: {message}");
        }
    }
    let (code, _) = app.error(DOMAIN_MEETINGS_PAGE, json!({ "first": -1 })).await;
    assert_eq!(code, "BAD_USER_INPUT", "Domain.meetings");
}

#[tokio::test]
async fn first_and_last_together_are_bad_user_input() {
    let app = spawn_app();
    for (field, query, vars) in paged_fields() {
        let (code, message) = app.error(query, with(&vars, json!({ "first": 2, "last": 2 }))).await;
        assert_eq!(code, "BAD_USER_INPUT", "{field}: {message}");
    }
}

#[tokio::test]
async fn a_cursor_the_api_did_not_make_is_bad_user_input() {
    let app = spawn_app();
    // Not base64; base64 of text without the cursor's prefix; empty.
    let bad = ["not a cursor!", "aGVsbG8", ""];
    for (field, query, vars) in paged_fields() {
        for cursor in bad {
            for arg in ["after", "before"] {
                let (code, message) = app.error(query, with(&vars, json!({ arg: cursor, "first": 3 }))).await;
                assert_eq!(code, "BAD_USER_INPUT", "{field} with {arg}: {cursor:?}: {message}");
            }
        }
    }
    let (code, _) = app.error(DOMAIN_MEETINGS_PAGE, json!({ "after": "not a cursor!" })).await;
    assert_eq!(code, "BAD_USER_INPUT", "Domain.meetings");
}

// ----- MeetingFilter -----

#[tokio::test]
async fn meeting_filter_kinds_keeps_meetings_of_any_listed_kind() {
    let app = spawn_app();
    for kinds in [vec!["WEBINAR"], vec!["WEBINAR", "VIRTUAL_MEETING"], vec!["MINISTERIAL_CONFERENCE", "SUMMIT"]] {
        let expected = newest_first(|m| kinds.contains(&m.kind.as_str()));
        assert!(!expected.is_empty());
        assert_eq!(filtered(&app, json!({ "kinds": kinds })).await, expected, "{kinds:?}");
    }
    assert_eq!(filtered(&app, json!({ "kinds": [] })).await, newest_first(|_| true), "an empty list does not filter");
}

#[tokio::test]
async fn meeting_filter_process_keeps_the_meetings_of_that_process() {
    let app = spawn_app();
    for p in ["khartoum-process", "rabat-process"] {
        let expected = newest_first(|m| m.processes.iter().any(|x| x == p));
        assert!(!expected.is_empty());
        assert_eq!(filtered(&app, json!({ "process": p })).await, expected, "{p}");
    }
}

#[tokio::test]
async fn meeting_filter_actor_keeps_meetings_where_it_held_any_or_one_of_the_given_roles() {
    let app = spawn_app();
    for actor in ["de", "eg", "it", "icmpd", "auc"] {
        let expected = newest_first(|m| m.participations.iter().any(|(a, _)| a == actor));
        assert!(!expected.is_empty(), "{actor} took part in meetings");
        assert_eq!(filtered(&app, json!({ "actor": actor })).await, expected, "{actor}, any role");
        for roles in [vec!["HOST"], vec!["CO_HOST", "CO_CHAIR"], vec!["CHAIR", "ORGANISER"]] {
            let expected =
                newest_first(|m| m.participations.iter().any(|(a, r)| a == actor && roles.contains(&r.as_str())));
            let got = filtered(&app, json!({ "actor": actor, "roles": roles })).await;
            assert_eq!(got, expected, "{actor} as {roles:?}");
        }
    }
    // Italy both hosted and co-chaired one meeting: it appears once.
    let it = filtered(&app, json!({ "actor": "it", "roles": ["HOST", "CO_CHAIR"] })).await;
    assert_eq!(it.iter().collect::<HashSet<_>>().len(), it.len(), "no meeting twice: {it:?}");
}

#[tokio::test]
async fn meeting_filter_country_keeps_meetings_held_in_that_state() {
    let app = spawn_app();
    for c in ["eg", "et", "de", "ke", "fr"] {
        let expected = newest_first(|m| m.country.as_deref() == Some(c));
        assert_eq!(filtered(&app, json!({ "country": c })).await, expected, "{c}");
    }
}

#[tokio::test]
async fn meeting_filter_online_keeps_online_or_in_person_meetings() {
    let app = spawn_app();
    for online in [true, false] {
        let expected = newest_first(|m| m.online == online);
        assert!(!expected.is_empty());
        assert_eq!(filtered(&app, json!({ "online": online })).await, expected, "online: {online}");
    }
}

#[tokio::test]
async fn meeting_filter_from_and_to_keep_meetings_whose_span_meets_the_range() {
    let app = spawn_app();
    let ranges = [
        (Some("2020-01-01"), Some("2020-12-31")),
        (Some("2014-11-28"), Some("2014-11-28")),
        (Some("2023-01-01"), None),
        (None, Some("2015-06-30")),
        (Some("2022-03-22"), Some("2022-03-22")),
        (Some("2024-02-01"), Some("2024-02-01")),
        (Some("2016-12-01"), Some("2016-12-31")),
        (Some("2030-01-01"), None),
    ];
    for (from, to) in ranges {
        let expected = newest_first(|m| meets_range(m, from, to));
        let mut filter = json!({});
        if let Some(f) = from {
            filter["from"] = json!(f);
        }
        if let Some(t) = to {
            filter["to"] = json!(t);
        }
        assert_eq!(filtered(&app, filter.clone()).await, expected, "{filter}");
    }
    // A meeting that spans two days matches a range that holds only its second day.
    let two_days = filtered(&app, json!({ "from": "2016-12-01", "to": "2016-12-01" })).await;
    assert!(two_days.contains(&"2016-11-cidade-velha-visa-facilitation".to_owned()), "{two_days:?}");
}

#[tokio::test]
async fn a_meeting_dated_only_to_the_year_or_month_matches_a_range_that_meets_its_interval() {
    let app = spawn_app();
    let partial: Vec<SeedMeeting> = seed_meetings().into_iter().filter(|m| m.start.len() < 10).collect();
    assert!(partial.iter().any(|m| m.start.len() == 4) && partial.iter().any(|m| m.start.len() == 7));
    for m in &partial {
        let (first, last) = (first_day(&m.start), last_day(&m.start));
        // The last day, the first day, and a range that begins before and ends inside.
        for (from, to) in [(last.clone(), last.clone()), (first.clone(), first.clone()), ("2000-01-01".into(), first)] {
            let got = filtered(&app, json!({ "from": from, "to": to })).await;
            assert!(got.contains(&m.slug), "{} ({}) matches {from}..{to}: {got:?}", m.slug, m.start);
            assert_eq!(got, newest_first(|x| meets_range(x, Some(&from), Some(&to))), "{from}..{to}");
        }
        // The day after the interval ends does not meet it.
        let after = filtered(&app, json!({ "from": next_day(&last) })).await;
        assert!(!after.contains(&m.slug), "{} ({}) does not match from the day after {last}", m.slug, m.start);
    }
    let dated_to_the_year = partial.iter().find(|m| m.start.len() == 4).unwrap();
    let last = last_day(&dated_to_the_year.start);
    let year_only = filtered(&app, json!({ "from": last, "to": last })).await;
    assert!(year_only.contains(&dated_to_the_year.slug), "{year_only:?}");
    let month_only = filtered(&app, json!({ "from": "2020-03-31", "to": "2020-04-30" })).await;
    assert!(month_only.contains(&"2020-03-the-hague-steering-committee".to_owned()), "{month_only:?}");
}

/// The day after an ISO date.
fn next_day(d: &str) -> String {
    let (y, m, day): (u32, u32, u32) = (d[..4].parse().unwrap(), d[5..7].parse().unwrap(), d[8..].parse().unwrap());
    if day < days_in_month(y, m) {
        format!("{y:04}-{m:02}-{:02}", day + 1)
    } else if m < 12 {
        format!("{y:04}-{:02}-01", m + 1)
    } else {
        format!("{:04}-01-01", y + 1)
    }
}

#[tokio::test]
async fn meeting_filter_domain_keeps_meetings_classified_under_it() {
    let app = spawn_app();
    for d in 1..=5 {
        let expected = newest_first(|m| m.domains.contains(&d));
        assert!(!expected.is_empty(), "domain {d}");
        assert_eq!(filtered(&app, json!({ "domain": d })).await, expected, "domain {d}");
    }
}

#[tokio::test]
async fn meeting_filter_text_needs_every_word_ignoring_case_and_accents() {
    let app = spawn_app();
    let cases = [
        "steering",
        "STEERING committee",
        "Bérlin steering",
        "SCHULER",
        "schüler",
        "francois-noel",
        "François",
        "return reintegration",
        "   climate   mobility  ",
        "no-such-word-anywhere",
    ];
    for words in cases {
        let expected = newest_first(|m| all_words_in(words, &m.title_and_summary));
        assert_eq!(filtered(&app, json!({ "text": words })).await, expected, "{words:?}");
    }
    // The accented and unaccented spellings find the same meeting.
    let plain = filtered(&app, json!({ "text": "schuler" })).await;
    assert!(!plain.is_empty(), "a summary names Manfred Schüler");
    assert_eq!(plain, filtered(&app, json!({ "text": "SCHÜLER" })).await);
    assert_eq!(filtered(&app, json!({ "text": "" })).await, newest_first(|_| true), "an empty text does not filter");
}

#[tokio::test]
async fn meeting_filter_fields_combine_so_that_all_must_hold() {
    let app = spawn_app();
    let filter = json!({
        "process": "khartoum-process",
        "kinds": ["SENIOR_OFFICIALS_MEETING", "STEERING_COMMITTEE_MEETING"],
        "from": "2017-01-01",
        "to": "2023-12-31",
        "online": false,
    });
    let expected = newest_first(|m| {
        m.processes.iter().any(|p| p == "khartoum-process")
            && ["SENIOR_OFFICIALS_MEETING", "STEERING_COMMITTEE_MEETING"].contains(&m.kind.as_str())
            && meets_range(m, Some("2017-01-01"), Some("2023-12-31"))
            && !m.online
    });
    assert!(expected.len() > 3);
    assert_eq!(filtered(&app, filter).await, expected);

    let filter = json!({ "actor": "eg", "roles": ["HOST"], "country": "eg", "domain": 4, "text": "cairo" });
    let expected = newest_first(|m| {
        m.participations.iter().any(|(a, r)| a == "eg" && r == "HOST")
            && m.country.as_deref() == Some("eg")
            && m.domains.contains(&4)
            && all_words_in("cairo", &m.title_and_summary)
    });
    assert_eq!(filtered(&app, filter).await, expected);
}

#[tokio::test]
async fn state_and_process_meetings_apply_the_filter_within_their_own_meetings() {
    let app = spawn_app();
    // Germany's meetings of the Khartoum Process from 2023 on.
    let filter = json!({ "process": "khartoum-process", "from": "2023-01-01" });
    let expected = newest_first(|m| {
        m.participations.iter().any(|(a, _)| a == "de")
            && m.processes.iter().any(|p| p == "khartoum-process")
            && meets_range(m, Some("2023-01-01"), None)
    });
    let data = app.data(STATE_MEETINGS_PAGE, json!({ "code": "de", "filter": filter, "first": 100 })).await;
    let page = Page::of(&data["state"]["meetings"]);
    assert_eq!((page.slugs.clone(), page.total), (expected.clone(), expected.len() as i64));

    // The Khartoum Process's meetings that were also Rabat Process meetings.
    let expected = newest_first(|m| m.processes.len() == 2);
    let data = app
        .data(
            PROCESS_MEETINGS_PAGE,
            json!({ "slug": "khartoum-process", "filter": { "process": "rabat-process" }, "first": 100 }),
        )
        .await;
    assert_eq!(Page::of(&data["process"]["meetings"]).slugs, expected);

    // Germany's meetings that Kenya co-hosted or hosted: two actors, each with its roles.
    let expected = newest_first(|m| {
        m.participations.iter().any(|(a, r)| a == "de" && r == "CO_HOST")
            && m.participations.iter().any(|(a, r)| a == "ke" && (r == "HOST" || r == "CO_HOST"))
    });
    let vars = json!({ "code": "de", "roles": ["CO_HOST"], "filter": { "actor": "ke", "roles": ["HOST", "CO_HOST"] }, "first": 100 });
    let data = app.data(STATE_MEETINGS_PAGE, vars).await;
    assert_eq!(Page::of(&data["state"]["meetings"]).slugs, expected);
}

#[tokio::test]
async fn a_meeting_filter_naming_an_unknown_process_actor_or_country_is_bad_user_input() {
    let app = spawn_app();
    for filter in [
        json!({ "process": "no-such-process" }),
        json!({ "actor": "zz" }),
        json!({ "actor": "zz", "roles": ["HOST"] }),
        json!({ "country": "zz" }),
        json!({ "country": "icmpd" }),
    ] {
        let (code, message) = app.error(MEETINGS_PAGE, json!({ "filter": filter })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{filter}: {message}");
        let (code, message) = app.error(STATE_MEETINGS_PAGE, json!({ "code": "de", "filter": filter })).await;
        assert_eq!(code, "BAD_USER_INPUT", "State.meetings {filter}: {message}");
        let vars = json!({ "slug": "khartoum-process", "filter": filter });
        let (code, message) = app.error(PROCESS_MEETINGS_PAGE, vars).await;
        assert_eq!(code, "BAD_USER_INPUT", "Process.meetings {filter}: {message}");
    }
}

#[tokio::test]
async fn a_meeting_filter_domain_outside_one_to_five_is_bad_user_input() {
    let app = spawn_app();
    for d in [9, 0, 6, -1] {
        let (code, message) = app.error(MEETINGS_PAGE, json!({ "filter": { "domain": d } })).await;
        assert_eq!(code, "BAD_USER_INPUT", "domain {d}: {message}");
    }
}

#[tokio::test]
async fn a_meeting_filter_from_after_to_is_bad_user_input() {
    let app = spawn_app();
    let (code, message) =
        app.error(MEETINGS_PAGE, json!({ "filter": { "from": "2020-02-01", "to": "2020-01-31" } })).await;
    assert_eq!(code, "BAD_USER_INPUT", "{message}");
    let vars = json!({ "code": "de", "filter": { "from": "2024-01-01", "to": "2023-01-01" } });
    let (code, message) = app.error(ACTOR_MEETINGS_PAGE, vars).await;
    assert_eq!(code, "BAD_USER_INPUT", "Actor.meetings: {message}");
    // The same day on both sides is a valid one-day range.
    let same = filtered(&app, json!({ "from": "2022-03-22", "to": "2022-03-22" })).await;
    assert_eq!(same, newest_first(|m| meets_range(m, Some("2022-03-22"), Some("2022-03-22"))));
}

// ----- the Actor interface path -----

#[tokio::test]
async fn actor_meetings_through_the_interface_equal_state_meetings_argument_for_argument() {
    let app = spawn_app();
    let q = r#"{
      actor(slug: "de") { meetings(roles: [CO_HOST], first: 3) { totalCount nodes { slug } edges { cursor }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
      state(code: "de") { meetings(roles: [CO_HOST], first: 3) { totalCount nodes { slug } edges { cursor }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
    }"#;
    let data = app.data(q, json!({})).await;
    assert_eq!(data["actor"]["meetings"], data["state"]["meetings"]);
    let co_hosted = newest_first(|m| m.participations.iter().any(|(a, r)| a == "de" && r == "CO_HOST"));
    assert!(co_hosted.len() > 3, "Germany co-hosted more than three meetings");
    assert_eq!(slugs(&data["actor"]["meetings"]["nodes"]), co_hosted[..3]);
    assert_eq!(data["actor"]["meetings"]["totalCount"], json!(co_hosted.len()));
    assert_eq!(data["actor"]["meetings"]["pageInfo"]["hasNextPage"], json!(true));

    // Every argument in its place, each with a value that changes the answer.
    let mut cursors = Page::of(
        &app.data(STATE_MEETINGS_PAGE, json!({ "code": "de", "orderBy": "START_DATE_ASC", "first": 100 })).await
            ["state"]["meetings"],
    )
    .cursors;
    let de_asc = oldest_first(|m| m.participations.iter().any(|(a, _)| a == "de"));
    let after = cursors.remove(0);
    let before = cursors.pop().unwrap();
    for args in [
        json!({ "roles": ["HOST", "CO_HOST", "CO_CHAIR"], "filter": { "from": "2022-01-01" }, "orderBy": "START_DATE_ASC",
                "first": 2, "after": after }),
        json!({ "roles": ["HOST", "CO_HOST", "CO_CHAIR"], "filter": { "to": "2023-12-31" }, "orderBy": "START_DATE_ASC",
                "last": 2, "before": before }),
        json!({ "orderBy": "START_DATE_ASC", "first": 3, "after": after }),
        json!({ "orderBy": "START_DATE_DESC", "last": 1 }),
        json!({ "first": 1, "before": before, "orderBy": "START_DATE_ASC" }),
    ] {
        let vars = with(&json!({ "code": "de" }), args.clone());
        let state = Page::of(&app.data(STATE_MEETINGS_PAGE, vars.clone()).await["state"]["meetings"]);
        let actor = Page::of(&app.data(ACTOR_MEETINGS_PAGE, vars).await["actor"]["meetings"]);
        assert_eq!(actor, state, "{args}");
    }
    // And the values land where they should, worked out from the seed: after the first of the
    // matching meetings, the next two.
    let matching = oldest_first(|m| {
        m.participations.iter().any(|(a, r)| a == "de" && ["HOST", "CO_HOST", "CO_CHAIR"].contains(&r.as_str()))
            && meets_range(m, Some("2022-01-01"), None)
    });
    assert!(matching.len() >= 3);
    let all = Page::of(
        &app.data(STATE_MEETINGS_PAGE, json!({ "code": "de", "orderBy": "START_DATE_ASC", "first": 100 })).await
            ["state"]["meetings"],
    );
    assert_eq!(all.slugs, de_asc);
    let at = all.slugs.iter().position(|s| *s == matching[0]).unwrap();
    let vars = json!({ "code": "de", "roles": ["HOST", "CO_HOST", "CO_CHAIR"], "filter": { "from": "2022-01-01" },
                       "orderBy": "START_DATE_ASC", "first": 2, "after": all.cursors[at] });
    let actor = Page::of(&app.data(ACTOR_MEETINGS_PAGE, vars).await["actor"]["meetings"]);
    assert_eq!(actor.slugs, matching[1..3]);
    assert_eq!(actor.total, matching.len() as i64);

    // An organisation through the interface and directly.
    for args in [json!({ "first": 2 }), json!({ "roles": ["ORGANISER"], "orderBy": "START_DATE_ASC", "last": 2 })] {
        let vars = with(&json!({ "code": "icmpd" }), args.clone());
        let org = Page::of(&app.data(ORGANIZATION_MEETINGS_PAGE, vars.clone()).await["organization"]["meetings"]);
        let actor = Page::of(&app.data(ACTOR_MEETINGS_PAGE, vars).await["actor"]["meetings"]);
        assert_eq!(actor, org, "icmpd {args}");
    }
    // The interface path refuses a page that is too large, like the direct one.
    let (code, _) = app.error(ACTOR_MEETINGS_PAGE, json!({ "code": "de", "first": 101 })).await;
    assert_eq!(code, "PAGE_SIZE_EXCEEDED");
    let (code, _) = app.error(ACTOR_MEETINGS_PAGE, json!({ "code": "auc", "last": -3 })).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

// ----- StateFilter -----

/// A state of seed/states.json with its memberships as (process, role).
struct SeedState {
    slug: String,
    name: String,
    continent: String,
    memberships: Vec<(String, String)>,
}

/// Every seed state, in API order: by name (folded), ties by slug.
fn seed_states() -> Vec<SeedState> {
    let memberships = seed_file("memberships.json");
    let mut v: Vec<SeedState> = seed_file("states.json")
        .iter()
        .map(|s| {
            let slug = text(s, "slug").unwrap().to_owned();
            SeedState {
                memberships: memberships
                    .iter()
                    .filter(|m| text(m, "actor") == Some(slug.as_str()))
                    .map(|m| (text(m, "process").unwrap().to_owned(), text(m, "role").unwrap().to_owned()))
                    .collect(),
                slug,
                name: text(s, "name").unwrap().to_owned(),
                continent: text(s, "continent").unwrap().to_owned(),
            }
        })
        .collect();
    v.sort_by(|a, b| (fold(&a.name), &a.slug).cmp(&(fold(&b.name), &b.slug)));
    v
}

fn states_where(keep: impl Fn(&SeedState) -> bool) -> Vec<String> {
    seed_states().into_iter().filter(|s| keep(s)).map(|s| s.slug).collect()
}

async fn states(app: &TestApp, filter: Value) -> Vec<String> {
    let page = Page::of(&app.data(STATES_PAGE, json!({ "filter": filter, "first": 100 })).await["states"]);
    assert!(!page.has_next);
    assert_eq!(page.total, page.slugs.len() as i64, "totalCount for {filter}");
    page.slugs
}

#[tokio::test]
async fn states_are_ordered_by_name_and_page_forward_and_backward() {
    let app = spawn_app();
    let all = states_where(|_| true);
    assert!(all.len() > 20);
    assert_eq!(states(&app, json!(null)).await, all);
    assert_eq!(page_forward(&app, STATES_PAGE, &["states"], json!({}), 7).await.concat(), all);
    let back = page_backward(&app, STATES_PAGE, &["states"], json!({}), 7).await;
    assert_eq!(back.into_iter().rev().collect::<Vec<_>>().concat(), all);
}

#[tokio::test]
async fn state_filter_continent_keeps_the_states_of_that_continent() {
    let app = spawn_app();
    for c in ["AFRICA", "EUROPE"] {
        let expected = states_where(|s| s.continent == c);
        assert!(!expected.is_empty());
        assert_eq!(states(&app, json!({ "continent": c })).await, expected, "{c}");
    }
}

#[tokio::test]
async fn state_filter_process_keeps_states_with_a_membership_in_it() {
    let app = spawn_app();
    for p in ["khartoum-process", "rabat-process"] {
        let expected = states_where(|s| s.memberships.iter().any(|(mp, _)| mp == p));
        assert_eq!(states(&app, json!({ "process": p })).await, expected, "{p}");
    }
    let (code, message) = app.error(STATES_PAGE, json!({ "filter": { "process": "no-such-process" } })).await;
    assert_eq!(code, "BAD_USER_INPUT", "{message}");
}

#[tokio::test]
async fn state_filter_membership_role_keeps_states_holding_that_role() {
    let app = spawn_app();
    for role in ["MEMBER", "STEERING_COMMITTEE", "SECRETARIAT", "PARTNER", "OBSERVER"] {
        let expected = states_where(|s| s.memberships.iter().any(|(_, r)| r == role));
        assert_eq!(states(&app, json!({ "membershipRole": role })).await, expected, "{role}");
        let expected = states_where(|s| s.memberships.iter().any(|(p, r)| r == role && p == "khartoum-process"));
        let got = states(&app, json!({ "membershipRole": role, "process": "khartoum-process" })).await;
        assert_eq!(got, expected, "{role} in the Khartoum Process");
    }
    let steering = states(&app, json!({ "membershipRole": "STEERING_COMMITTEE" })).await;
    assert!(!steering.is_empty() && steering.len() < seed_states().len());
}

#[tokio::test]
async fn state_filter_name_is_a_substring_ignoring_case_and_accents() {
    let app = spawn_app();
    for name in ["sudan", "SUDAN", "south sud", "Sudán", "UNITED", "ia", "i", "zzz"] {
        let expected = states_where(|s| fold(&s.name).contains(&fold(name)));
        assert_eq!(states(&app, json!({ "name": name })).await, expected, "{name:?}");
    }
    assert_eq!(states(&app, json!({ "name": "sudan" })).await, ["ss", "sd"], "South Sudan sorts before Sudan");
    let both = json!({ "name": "ia", "continent": "AFRICA", "process": "khartoum-process" });
    let expected = states_where(|s| {
        fold(&s.name).contains("ia")
            && s.continent == "AFRICA"
            && s.memberships.iter().any(|(p, _)| p == "khartoum-process")
    });
    assert_eq!(states(&app, both).await, expected);
}

// ----- CommitmentFilter -----

/// A commitment of seed/commitments.json.
struct SeedCommitment {
    code: String,
    kind: String,
    document: String,
    domain: Option<i64>,
    number: Option<i64>,
    title_and_text: String,
}

/// Every seed commitment in API order: by document, approaches first, then domain and number.
fn seed_commitments() -> Vec<SeedCommitment> {
    let mut v: Vec<SeedCommitment> = seed_file("commitments.json")
        .iter()
        .map(|c| SeedCommitment {
            code: text(c, "code").unwrap().to_owned(),
            kind: text(c, "kind").unwrap().to_owned(),
            document: text(c, "document").unwrap().to_owned(),
            domain: c.get("domain").and_then(Value::as_i64),
            number: c.get("number").and_then(Value::as_i64),
            title_and_text: format!("{} {}", text(c, "title").unwrap_or(""), text(c, "text").unwrap()),
        })
        .collect();
    v.sort_by_key(|c| {
        (
            c.document.clone(),
            c.kind != "CROSS_CUTTING_APPROACH",
            c.domain.unwrap_or(0),
            c.number.unwrap_or(0),
            c.code.clone(),
        )
    });
    v
}

fn commitments_where(keep: impl Fn(&SeedCommitment) -> bool) -> Vec<String> {
    seed_commitments().into_iter().filter(|c| keep(c)).map(|c| c.code).collect()
}

async fn commitments(app: &TestApp, filter: Value) -> Vec<String> {
    let page = Page::of(&app.data(COMMITMENTS_PAGE, json!({ "filter": filter, "first": 100 })).await["commitments"]);
    assert!(!page.has_next);
    assert_eq!(page.total, page.slugs.len() as i64, "totalCount for {filter}");
    page.slugs
}

#[tokio::test]
async fn commitments_come_approaches_first_then_by_domain_and_number_and_page_both_ways() {
    let app = spawn_app();
    let all = commitments_where(|_| true);
    assert_eq!(commitments(&app, json!(null)).await, all);
    assert_eq!(all[0], "cap-approach-1");
    assert_eq!(page_forward(&app, COMMITMENTS_PAGE, &["commitments"], json!({}), 7).await.concat(), all);
    let back = page_backward(&app, COMMITMENTS_PAGE, &["commitments"], json!({}), 7).await;
    assert_eq!(back.into_iter().rev().collect::<Vec<_>>().concat(), all);
}

#[tokio::test]
async fn commitment_filter_document_keeps_that_documents_items() {
    let app = spawn_app();
    for d in seed_file("documents.json").iter().map(|d| text(d, "slug").unwrap().to_owned()) {
        let expected = commitments_where(|c| c.document == d);
        assert_eq!(commitments(&app, json!({ "document": d })).await, expected, "{d}");
    }
    assert!(!commitments(&app, json!({ "document": "cairo-action-plan" })).await.is_empty());
    let (code, message) = app.error(COMMITMENTS_PAGE, json!({ "filter": { "document": "no-such-document" } })).await;
    assert_eq!(code, "BAD_USER_INPUT", "{message}");
}

#[tokio::test]
async fn commitment_filter_domain_keeps_the_commitments_of_that_domain() {
    let app = spawn_app();
    for d in 1..=5 {
        let expected = commitments_where(|c| c.domain == Some(d));
        assert!(!expected.is_empty(), "domain {d}");
        assert_eq!(commitments(&app, json!({ "domain": d })).await, expected, "domain {d}");
    }
}

#[tokio::test]
async fn a_commitment_filter_domain_outside_one_to_five_is_bad_user_input() {
    let app = spawn_app();
    for d in [9, 0, -1] {
        let (code, message) = app.error(COMMITMENTS_PAGE, json!({ "filter": { "domain": d } })).await;
        assert_eq!(code, "BAD_USER_INPUT", "domain {d}: {message}");
    }
}

#[tokio::test]
async fn commitment_filter_kind_keeps_approaches_or_commitments() {
    let app = spawn_app();
    for kind in ["CROSS_CUTTING_APPROACH", "COMMITMENT"] {
        let expected = commitments_where(|c| c.kind == kind);
        assert!(!expected.is_empty());
        assert_eq!(commitments(&app, json!({ "kind": kind })).await, expected, "{kind}");
    }
}

#[tokio::test]
async fn commitment_filter_text_needs_every_word_of_title_or_text_ignoring_case_and_accents() {
    let app = spawn_app();
    for words in ["RETURN", "return readmission", "whole-of-route", "Régional approach", "trafficking smuggling", "zzz"]
    {
        let expected = commitments_where(|c| all_words_in(words, &c.title_and_text));
        assert_eq!(commitments(&app, json!({ "text": words })).await, expected, "{words:?}");
    }
    assert!(!commitments(&app, json!({ "text": "return" })).await.is_empty());
    let combined = json!({ "document": "cairo-action-plan", "domain": 4, "kind": "COMMITMENT", "text": "return" });
    let expected = commitments_where(|c| {
        c.document == "cairo-action-plan"
            && c.domain == Some(4)
            && c.kind == "COMMITMENT"
            && all_words_in("return", &c.title_and_text)
    });
    assert_eq!(commitments(&app, combined).await, expected);
}

// ----- sanity of the independent answers -----

#[test]
fn the_seed_has_the_cases_these_tests_rely_on() {
    let ms = seed_meetings();
    assert!(ms.iter().any(|m| m.start.len() == 4) && ms.iter().any(|m| m.start.len() == 7));
    let days: BTreeSet<&str> = ms.iter().map(|m| m.first.as_str()).collect();
    assert!(days.len() < ms.len(), "two meetings start on the same day");
    assert!(ms.iter().any(|m| m.last > last_day(&m.start)), "a meeting spans more than one day");
    assert_eq!(last_day("2024-02"), "2024-02-29");
    assert_eq!(last_day("2023-02"), "2023-02-28");
    assert_eq!(next_day("2023-12-31"), "2024-01-01");
    assert_eq!(fold("Côte d'Ivoire SCHÜLER"), "cote d'ivoire schuler");
}

#[tokio::test]
async fn on_the_same_day_the_less_precise_date_comes_first_and_then_the_slug() {
    let app = spawn_app();
    // The seed has no two meetings that start on the same day at different precisions: these
    // four all start on 1 January 2037, given in an order that is none of the orders checked.
    let made = [
        ("2037-01-rome-day-b", "2037-01-01"),
        ("2037-rome-year", "2037"),
        ("2037-01-rome-day-a", "2037-01-01"),
        ("2037-01-rome-month", "2037-01"),
    ];
    let create = r#"mutation($slug: String!, $start: PartialDate!) {
      createMeeting(input: { slug: $slug, title: "Same-day order", kind: WEBINAR, startDate: $start, online: true,
        processes: ["khartoum-process"], sources: [{ title: "Order test", url: "https://example.org/order" }] }) { slug }
    }"#;
    for (slug, start) in made {
        app.write_data(create, json!({ "slug": slug, "start": start })).await;
    }
    let mut expected: Vec<(&str, &str)> = made.to_vec();
    expected.sort_by_key(|&(slug, start)| chronological((start, slug)));
    let expected: Vec<&str> = expected.into_iter().map(|(slug, _)| slug).collect();
    assert_eq!(expected, ["2037-rome-year", "2037-01-rome-month", "2037-01-rome-day-a", "2037-01-rome-day-b"]);
    let filter = json!({ "from": "2037-01-01", "to": "2037-01-01" });
    let asc = meetings_page(&app, json!({ "filter": filter, "orderBy": "START_DATE_ASC", "first": 10 })).await;
    assert_eq!(asc.slugs, expected);
    let desc = meetings_page(&app, json!({ "filter": filter, "orderBy": "START_DATE_DESC", "first": 10 })).await;
    let mut newest_first = expected.clone();
    newest_first.reverse();
    assert_eq!(desc.slugs, newest_first);
}
