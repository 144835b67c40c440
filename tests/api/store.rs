//! The store: seeding, reopening, the consistency check, format versions, and a read path that
//! does not touch the store at all.

use crate::helpers::*;
use khartoum_graphql::app::App;
use khartoum_graphql::domain::{Collection, Dataset, Field, Record, Searchable};
use khartoum_graphql::store::{index, Store, StoreError};
use serde_json::json;
use std::sync::Arc;

/// The embedded store behind a test app: these tests look at its trees and indexes.
fn sled(app: &App) -> &Store {
    app.store().sled().expect("the test app runs on the embedded store")
}

fn sorted(mut ds: Dataset) -> Dataset {
    ds.sources.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.states.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.organizations.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.processes.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.memberships.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.chairmanships.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.meetings.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.documents.sort_by(|a, b| a.slug.cmp(&b.slug));
    ds.commitments.sort_by(|a, b| a.code.cmp(&b.code));
    ds
}

#[test]
fn the_store_gives_back_exactly_the_seeded_dataset_and_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let seed = khartoum_graphql::seed::load(&seed_dir()).unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(store.meta().unwrap().is_none(), "a new store holds no dataset");
    let meta = store.replace_all(&seed.dataset, &seed.version).unwrap();
    assert_eq!(meta.version, seed.version);
    assert_eq!(store.meta().unwrap().unwrap(), meta);
    assert_eq!(store.load().unwrap(), sorted(seed.dataset));
}

#[tokio::test]
async fn an_existing_store_is_opened_not_reseeded() {
    let first = spawn_app();
    let data_dir = first.dir.path().join("data");
    let version = first.app.catalog().meta.version.clone();
    drop(first.app);
    // A changed seed directory: the store must keep serving what it holds.
    let changed = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(seed_dir()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, changed.path().join(path.file_name().unwrap())).unwrap();
    }
    let meetings = changed.path().join("meetings.json");
    let text = std::fs::read_to_string(&meetings).unwrap().replace("Thematic Meeting", "Renamed Meeting");
    std::fs::write(&meetings, text).unwrap();
    let reopened = App::open(&data_dir, changed.path(), Default::default()).unwrap();
    assert_eq!(reopened.catalog().meta.version, version);
    assert!(reopened.catalog().ds.meetings.iter().all(|m| !m.title.contains("Renamed")));
}

#[test]
fn the_consistency_check_passes_on_a_seeded_store_and_finds_a_missing_index_entry() {
    let app = spawn_app();
    assert_eq!(sled(&app.app).check().unwrap(), Vec::<String>::new());
    let cat = app.app.catalog();
    let meeting = cat
        .ds
        .meetings
        .iter()
        .find(|m| m.slug.as_str().starts_with("2023-07-nairobi"))
        .expect("the July 2023 Nairobi meeting");
    let (ix, key) = index::meeting_entries(meeting)
        .into_iter()
        .find(|(ix, _)| *ix == index::Index::MeetingsByActorRole)
        .expect("the meeting has participations");
    sled(&app.app).corrupt_index_for_test(ix, &key).unwrap();
    let problems = sled(&app.app).check().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("is missing") && problems[0].contains(meeting.slug.as_str()), "{}", problems[0]);
}

#[test]
fn index_scans_list_an_actors_meetings_in_a_role_chronologically() {
    let app = spawn_app();
    let store = sled(&app.app);
    let co_hosted = store.index_scan(index::Index::MeetingsByActorRole, &index::key(&[b"de", b"co-host"])).unwrap();
    let cat = app.app.catalog();
    let mut expected: Vec<&Arc<khartoum_graphql::domain::Meeting>> = cat
        .ds
        .meetings
        .iter()
        .filter(|m| {
            m.participations
                .iter()
                .any(|p| p.actor.as_str() == "de" && p.role == khartoum_graphql::domain::MeetingRole::CoHost)
        })
        .collect();
    expected.sort_by_key(|m| (m.start_date.first_day(), m.slug.clone()));
    assert!(!expected.is_empty());
    assert_eq!(co_hosted, expected.iter().map(|m| m.slug.to_string()).collect::<Vec<_>>());
}

#[test]
fn a_second_open_of_the_same_directory_is_refused_as_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    let second = Store::open(dir.path());
    assert!(matches!(second, Err(StoreError::InUse(_))), "{:?}", second.err());
    assert_eq!(
        second.err().unwrap().to_string(),
        format!(
            "data directory {} is in use by another process; stop that process first (a store admits one), or pass another --data-dir",
            dir.path().display()
        )
    );
}

#[test]
fn a_store_written_by_a_newer_format_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    {
        // No background flusher, whose thread would hold the lock for a moment after the drop.
        let db = sled::Config::new().path(dir.path()).flush_every_ms(None).open().unwrap();
        db.open_tree("meta").unwrap().insert("format", &[99u8]).unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(dir.path()).err().expect("a newer format is refused");
    assert!(matches!(err, StoreError::NewerFormat { found: 99, .. }), "{err:?}");
    assert!(err.to_string().contains("rebuild it with `khartoum-graphql seed` from seed/"), "{err}");
}

#[test]
fn a_data_directory_that_is_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data");
    std::fs::write(&file, "not a store").unwrap();
    assert!(matches!(Store::open(&file), Err(StoreError::NotADirectory(_))));
}

#[tokio::test]
async fn a_page_of_twenty_meetings_with_hosts_co_hosts_and_country_reads_nothing_from_the_store() {
    let app = spawn_app();
    let query = "query ($n: Int) { meetings(first: $n) { nodes { slug hosts { slug name } coHosts { slug name } country { name iso3 } chairs { slug } } } }";
    let before = sled(&app.app).reads();
    let one = app.data(query, json!({"n": 1})).await;
    let after_one = sled(&app.app).reads();
    let twenty = app.data(query, json!({"n": 20})).await;
    let after_twenty = sled(&app.app).reads();
    assert_eq!(one["meetings"]["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(twenty["meetings"]["nodes"].as_array().unwrap().len(), 20);
    // The read model answers every field: no store look-up per page, let alone per field.
    assert_eq!(after_one - before, 0);
    assert_eq!(after_twenty - after_one, 0);
    // The read model itself came from the store: rebuilding it reads every record once.
    app.app.reload().unwrap();
    assert!(sled(&app.app).reads() > after_twenty);
}

#[test]
fn a_store_seeded_by_an_older_build_gets_the_indexes_and_stamps_of_this_one_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let app = App::open(&data, &seed_dir(), Default::default()).unwrap();
        sled(&app).downgrade_for_test().unwrap();
        let problems = sled(&app).check().unwrap();
        assert!(problems.iter().any(|p| p.contains("idx:search")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("has no stamp")), "{problems:?}");
    }
    let app = App::open(&data, &seed_dir(), Default::default()).unwrap();
    assert_eq!(sled(&app).check().unwrap(), Vec::<String>::new());
    assert!(!sled(&app).upgrade_indexes().unwrap(), "nothing left to upgrade");
}

/// Every (term, collection, key, field) the records of the read model own, by term: what a scan
/// of the records finds, to hold the store's full-text index against.
fn search_entries_of_the_records(
    app: &khartoum_graphql::app::App,
) -> std::collections::BTreeMap<String, Vec<(Collection, String, Field)>> {
    fn add<T: Record + Searchable>(
        records: &[Arc<T>],
        out: &mut std::collections::BTreeMap<String, Vec<(Collection, String, Field)>>,
    ) {
        for r in records {
            for (term, field) in r.search_terms() {
                out.entry(term).or_default().push((T::COLLECTION, r.key().to_owned(), field));
            }
        }
    }
    let cat = app.catalog();
    let mut out = Default::default();
    add(&cat.ds.states, &mut out);
    add(&cat.ds.organizations, &mut out);
    add(&cat.ds.processes, &mut out);
    add(&cat.ds.meetings, &mut out);
    add(&cat.ds.documents, &mut out);
    add(&cat.ds.commitments, &mut out);
    add(&cat.ds.people, &mut out);
    out
}

/// Asserts that the store's search finds, for every term of every record, exactly the records
/// that own it, each in the field it was found in.
fn assert_search_finds_what_the_records_hold(app: &khartoum_graphql::app::App) {
    let expected = search_entries_of_the_records(app);
    assert!(expected.len() > 500, "the seed has hundreds of terms: {}", expected.len());
    for (term, mut want) in expected {
        let mut got = sled(app).search(&term).unwrap();
        got.sort();
        want.sort();
        assert_eq!(got, want, "search for '{term}'");
    }
}

#[test]
fn search_finds_for_every_term_exactly_the_records_that_hold_it() {
    let app = spawn_app();
    assert_search_finds_what_the_records_hold(&app.app);
    assert!(sled(&app.app).search("zzxqv").unwrap().is_empty());
}

#[tokio::test]
async fn writes_that_change_the_text_of_meetings_sharing_common_words_keep_the_index_exact() {
    let app = spawn_app();
    let slug = "2023-07-nairobi-idp-protection";
    let before = sled(&app.app).search("meet").unwrap().len();
    assert!(before > 4 * usize::from(index::BUCKETS), "'meet' is in many records, several per posting list: {before}");
    let update = r#"mutation($slug: String!, $input: UpdateMeetingInput!) { updateMeeting(slug: $slug, input: $input) { slug } }"#;
    let input = json!({ "title": "Quokka gathering", "summary": "Nothing but quokkas." });
    app.write_data(update, json!({ "slug": slug, "input": input })).await;
    assert_eq!(sled(&app.app).check().unwrap(), Vec::<String>::new());
    assert_search_finds_what_the_records_hold(&app.app);
    let quokka = sled(&app.app).search("quokka").unwrap();
    assert_eq!(quokka.iter().map(|(_, k, _)| k.as_str()).collect::<Vec<_>>(), [slug]);
    app.write_data(r#"mutation { deleteMeeting(slug: "2023-07-nairobi-idp-protection") { slug } }"#, json!({})).await;
    assert_eq!(sled(&app.app).check().unwrap(), Vec::<String>::new());
    assert_search_finds_what_the_records_hold(&app.app);
    assert!(sled(&app.app).search("quokka").unwrap().is_empty());
}

#[test]
fn a_store_written_by_the_previous_build_with_one_key_per_index_entry_is_upgraded_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let co_hosted =
        |app: &App| sled(app).index_scan(index::Index::MeetingsByActorRole, &index::key(&[b"de", b"co-host"]));
    let (want_scan, want_search) = {
        let app = App::open(&data, &seed_dir(), Default::default()).unwrap();
        let want = (co_hosted(&app).unwrap(), sled(&app).search("traffick").unwrap());
        sled(&app).write_layout_2_for_test().unwrap();
        // This build does not read that layout: the check sees every list as damaged.
        let problems = sled(&app).check().unwrap();
        assert!(problems.iter().any(|p| p.contains("idx:search") && p.contains("does not decode")), "{problems:?}");
        want
    };
    assert!(!want_scan.is_empty() && !want_search.is_empty());
    let app = App::open(&data, &seed_dir(), Default::default()).unwrap();
    assert_eq!(sled(&app).check().unwrap(), Vec::<String>::new());
    assert!(!sled(&app).upgrade_indexes().unwrap(), "nothing left to upgrade");
    assert_eq!(co_hosted(&app).unwrap(), want_scan);
    assert_eq!(sled(&app).search("traffick").unwrap(), want_search);
    assert_search_finds_what_the_records_hold(&app);
}

#[test]
fn reading_back_the_records_a_commit_touched_takes_what_the_store_holds_for_each() {
    use khartoum_graphql::domain::Stamp;
    use khartoum_graphql::store::{Operation, RecordChange};
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("data"), &seed_dir(), Default::default()).unwrap();
    let store = sled(&app);
    let stored = store.load().unwrap();
    let stamps = store.stamps().unwrap();

    // A copy that disagrees with the store on three records: one changed, one missing, one extra.
    let mut ds = stored.clone();
    Arc::make_mut(&mut ds.states[0]).name = "Not what the store holds".into();
    let missing = ds.meetings.remove(0);
    let mut extra = (*ds.sources[0]).clone();
    extra.slug = khartoum_graphql::domain::Slug::parse("not-in-the-store").unwrap();
    ds.sources.push(Arc::new(extra));
    let mut copy_stamps = stamps.clone();
    copy_stamps.remove(&(Collection::Meetings, missing.slug.to_string()));
    copy_stamps.insert((Collection::Sources, "not-in-the-store".into()), Stamp::new(khartoum_graphql::store::now()));

    let change = |collection, key: &str, operation| RecordChange { collection, key: key.into(), operation };
    let changes = [
        change(Collection::Sources, "not-in-the-store", Operation::Deleted),
        change(Collection::States, stored.states[0].key(), Operation::Updated),
        change(Collection::Meetings, missing.key(), Operation::Created),
    ];
    store.read_back(&mut ds, &mut copy_stamps, &changes).unwrap();
    assert!(sorted(ds) == sorted(stored), "the copy now holds what the store holds");
    assert!(copy_stamps == stamps, "and so do its stamps");
}

#[test]
fn a_clock_that_steps_backwards_never_takes_last_change_or_a_stamp_back_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&dir.path().join("data"), &seed_dir(), Default::default()).unwrap();
    let store = sled(&app);
    let mut before = store.load().unwrap();
    let first_at = khartoum_graphql::store::now();
    let mut after = before.clone();
    Arc::make_mut(&mut after.states[0]).name = "First write".into();
    let first = store.commit(&before, &after, None, first_at).unwrap();
    // The clock steps back an hour before the next write.
    before = after.clone();
    Arc::make_mut(&mut after.states[0]).name = "Second write".into();
    let second = store.commit(&before, &after, None, first_at - chrono::Duration::hours(1)).unwrap();
    assert!(
        second.meta.last_change > first.meta.last_change,
        "lastChange went from {} to {}",
        first.meta.last_change,
        second.meta.last_change
    );
    let key = (Collection::States, after.states[0].slug.to_string());
    let stamp = store.stamps().unwrap()[&key];
    assert!(
        khartoum_graphql::store::rfc3339(stamp.updated_at) == second.meta.last_change,
        "the record's updatedAt ({:?}) is the change's time ({})",
        stamp.updated_at,
        second.meta.last_change
    );
}

#[test]
fn a_store_held_by_another_handle_is_waited_for_up_to_a_second_and_then_called_in_use() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let held = Store::open(dir.path()).unwrap();

    // Held throughout: refused as in use, and not before the second it waits has passed.
    let started = Instant::now();
    let Err(StoreError::InUse(path)) = Store::open(dir.path()) else { panic!("a held store opened twice") };
    assert_eq!(path, dir.path());
    assert!(started.elapsed() >= Duration::from_secs(1), "gave up after {:?}", started.elapsed());

    // Released 200 ms after a second opener started: that opener waits, and gets the store.
    let (tx, rx) = std::sync::mpsc::channel();
    let path = dir.path().to_owned();
    let opener = std::thread::spawn(move || {
        let started = Instant::now();
        tx.send(()).unwrap();
        Store::open(&path).map(|store| (store, started.elapsed()))
    });
    rx.recv().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    drop(held);
    let (_store, waited) = opener.join().unwrap().expect("the opener gets the store once it is released");
    assert!(waited >= Duration::from_millis(200), "it opened while the store was held ({waited:?})");
    println!("the second opener waited {waited:?} for a store released after 200 ms");
}
