//! The benchmark baseline route `/bench/baseline/{name}`: absent unless the server is started with
//! `--bench-baseline`, and then an echo of exactly the bytes that were PUT. And the benchmark's
//! workloads, which must keep answering without errors as the schema moves.

use crate::binary::*;
use crate::helpers::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use khartoum_graphql::http::baseline::Baselines;
use std::sync::Arc;
use std::time::Duration;

/// A body with multi-byte characters and a trailing newline, so that any re-encoding shows.
const BODY: &str = "{\"data\":{\"meetings\":{\"nodes\":[{\"title\":\"Réunion à Addis-Abeba — 2023\"}]}}}\n";
const MEDIA_TYPE: &str = "application/graphql-response+json; charset=utf-8";

fn put(name: &str) -> Request<Body> {
    Request::put(format!("/bench/baseline/{name}"))
        .header(header::CONTENT_TYPE, MEDIA_TYPE)
        .body(Body::from(BODY))
        .unwrap()
}

fn post(name: &str) -> Request<Body> {
    Request::post(format!("/bench/baseline/{name}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"query":"{ dataset { version } }"}"#))
        .unwrap()
}

/// A test app whose baseline is on, as `--bench-baseline` makes it.
fn spawn_app_with_baseline() -> TestApp {
    let mut test = spawn_app();
    Arc::get_mut(&mut test.app).expect("the app is not shared yet").bench_baseline = Baselines::on();
    test
}

#[tokio::test]
async fn the_baseline_route_is_not_found_when_the_flag_is_off() {
    let app = spawn_app();
    assert!(!app.app.bench_baseline.is_on(), "the baseline must be off by default");
    assert_eq!(app.send(put("list")).await.status, StatusCode::NOT_FOUND, "PUT");
    assert_eq!(app.get("/bench/baseline/list").await.status, StatusCode::NOT_FOUND, "GET");
    assert_eq!(app.send(post("list")).await.status, StatusCode::NOT_FOUND, "POST");
}

#[tokio::test]
async fn the_baseline_returns_exactly_the_bytes_and_media_type_that_were_put() {
    let app = spawn_app_with_baseline();
    assert_eq!(app.send(put("list")).await.status, StatusCode::NO_CONTENT);

    let got = app.get("/bench/baseline/list").await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, BODY);
    assert_eq!(got.headers[header::CONTENT_TYPE], MEDIA_TYPE);

    // A POST's own body is read and dropped; the answer is still the stored one.
    let got = app.send(post("list")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, BODY);
    assert_eq!(got.headers[header::CONTENT_TYPE], MEDIA_TYPE);
}

#[tokio::test]
async fn a_baseline_name_never_put_is_not_found_and_a_second_put_replaces_the_first() {
    let app = spawn_app_with_baseline();
    assert_eq!(app.get("/bench/baseline/detail").await.status, StatusCode::NOT_FOUND);

    assert_eq!(app.send(put("detail")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/bench/baseline/detail").await.body, BODY, "the first PUT is stored");
    let replaced = Request::put("/bench/baseline/detail").body(Body::from("second")).unwrap();
    assert_eq!(app.send(replaced).await.status, StatusCode::NO_CONTENT);
    let got = app.get("/bench/baseline/detail").await;
    assert_eq!(got.body, "second");
    assert!(got.headers.get(header::CONTENT_TYPE).is_none(), "a PUT without a media type stores none");
}

#[test]
fn the_real_server_serves_the_baseline_only_when_the_environment_turns_it_on() {
    let status = |base: &str| -> u16 {
        match ureq::put(&format!("{base}/bench/baseline/list"))
            .set("Content-Type", MEDIA_TYPE)
            .timeout(Duration::from_secs(10))
            .send_string(BODY)
        {
            Ok(resp) => resp.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("the server does not answer: {e}"),
        }
    };

    let dir = tempfile::tempdir().unwrap();
    let (mut off, base, _) = serve_env(&dir.path().join("off"), &seed_dir(), &[]);
    let off_status = status(&base);
    let _ = off.kill();
    let _ = off.wait();
    assert_eq!(off_status, 404, "without the flag the route must not exist");

    let (mut on, base, _) =
        serve_env(&dir.path().join("on"), &seed_dir(), &[("KHARTOUM_GRAPHQL_BENCH_BASELINE", "true")]);
    let put_status = status(&base);
    let got = ureq::post(&format!("{base}/bench/baseline/list"))
        .set("Content-Type", "application/json")
        .timeout(Duration::from_secs(10))
        .send_string(r#"{"query":"{ dataset { version } }"}"#)
        .map(|r| (r.content_type().to_owned(), r.into_string().unwrap()));
    let _ = on.kill();
    let _ = on.wait();
    assert_eq!(put_status, 204);
    let (media_type, body) = got.expect("the baseline answers 200");
    assert_eq!(body, BODY);
    assert_eq!(media_type, "application/graphql-response+json");
}

#[tokio::test]
async fn every_benchmark_workload_runs_without_errors_on_the_seed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/workloads");
    let app = spawn_app();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str()?.strip_suffix(".graphql").map(str::to_owned))
        .collect();
    names.sort();
    assert!(names.len() >= 6, "the workloads are missing: {names:?}");
    for name in names {
        let (query, variables) = workload(&name);
        // With the write token, which the queries do not need and the mutations do.
        let resp = app.write(&query, variables).await;
        assert!(resp.get("errors").is_none(), "bench/workloads/{name}.graphql: {resp}");
        assert!(resp["data"].is_object(), "bench/workloads/{name}.graphql: {resp}");
    }
}
