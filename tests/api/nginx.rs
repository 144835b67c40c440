//! `deploy/nginx.conf` in front of the server: stock nginx (`/usr/sbin/nginx`, which `.ci/run`
//! installs) serves the README's queries, sent by GET, from its cache, and a write shows through
//! the cache once the answers' max-age has passed (and the background update has landed).

use crate::helpers::*;
use khartoum_graphql::http::examples::examples;
use khartoum_graphql::http::graphql_http::MAX_AGE;
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NGINX: &str = "/usr/sbin/nginx";

/// An nginx process, stopped when dropped: SIGTERM to the master, which stops its workers too
/// (SIGKILL would leave them running).
pub(crate) struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// Starts nginx with `deploy/nginx.conf` (its upstream pointed at `upstream`, its cache and files
/// in `dir`) and returns it with its base URL once it accepts connections.
fn start_nginx(dir: &Path, upstream: &str) -> (Nginx, String) {
    start_site(dir, "nginx.conf", &[("server 127.0.0.1:8000;", format!("server {upstream};"))])
}

/// Starts nginx with the site `deploy/<file>`, its cache and files in `dir`, its listening port
/// a free one and each `(from, to)` of `replace` replaced; returns it with its base URL once it
/// accepts connections.
pub(crate) fn start_site(dir: &Path, file: &str, replace: &[(&str, String)]) -> (Nginx, String) {
    assert!(Path::new(NGINX).exists(), "{NGINX} is missing: install nginx (.ci/run does) to run this test");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let site = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy").join(file)).unwrap();
    let cache = dir.join("cache");
    let mut replaced = site;
    let common = [
        ("/var/cache/nginx/khartoum-graphql", cache.display().to_string()),
        ("listen 8080;", format!("listen 127.0.0.1:{port};")),
    ];
    for (from, to) in common.iter().chain(replace) {
        assert!(replaced.contains(from), "deploy/{file} no longer holds `{from}`, which this test replaces");
        replaced = replaced.replace(from, to);
    }
    std::fs::write(dir.join("site.conf"), replaced).unwrap();
    let d = dir.display();
    // Started by root, the workers must run as root too, to write into a temporary directory only
    // root can enter.
    let user = if is_root() { "user root;" } else { "" };
    let main = format!(
        "{user}\ndaemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 256; }}\n\
         http {{ access_log off; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
         include {d}/site.conf; }}\n"
    );
    std::fs::write(dir.join("nginx.conf"), main).unwrap();
    let child = Command::new(NGINX)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let nginx = Nginx(child);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
        assert!(started.elapsed() < Duration::from_secs(10), "nginx did not start listening in 10 s: {log}");
        std::thread::sleep(Duration::from_millis(50));
    }
    (nginx, format!("http://127.0.0.1:{port}"))
}

/// The URL of a query sent by GET.
fn get_url(base: &str, query: &str) -> String {
    format!("{base}/graphql?query={}", form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>())
}

/// GETs a URL through nginx: the body and nginx's cache status.
fn fetch(url: &str) -> (String, String) {
    let response = ureq::get(url).set("Accept", "application/json").call().unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.header("X-Cache-Status").unwrap_or("none").to_owned();
    (response.into_string().expect("a body"), status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_serves_the_readme_queries_from_its_cache_and_a_write_shows_within_max_age() {
    let app = spawn_app();
    let upstream = app.serve().await;
    let dir = tempfile::tempdir().unwrap();
    let (_nginx, base) = start_nginx(dir.path(), upstream.trim_start_matches("http://"));

    let urls: Vec<String> = examples().iter().map(|e| get_url(&base, &e.query)).collect();
    assert!(urls.len() >= 8, "the README has {} examples", urls.len());
    let (total, cached) = tokio::task::spawn_blocking(move || {
        let (mut total, mut cached) = (0usize, 0usize);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            for url in &urls {
                let (body, status) = fetch(url);
                assert!(body.contains("\"data\"") && !body.contains("\"errors\""), "{url}: {body}");
                total += 1;
                // Answered from the cache: fresh, stale while it updates, or after a 304.
                cached += usize::from(matches!(status.as_str(), "HIT" | "STALE" | "UPDATING" | "REVALIDATED"));
            }
        }
        (total, cached)
    })
    .await
    .unwrap();
    println!("nginx: {cached} of {total} GETs of the README's queries answered from its cache in 10 s");
    assert!(total >= 200, "only {total} requests in 10 s");
    assert!(cached * 100 >= total * 99, "only {cached} of {total} answered from nginx's cache");

    // A write: the cached answer changes within the max-age.
    let query = r#"{ meeting(slug: "2025-aswan-legal-pathways") { summary } }"#;
    let url = get_url(&base, query);
    let before = tokio::task::spawn_blocking({
        let url = url.clone();
        move || {
            fetch(&url);
            fetch(&url)
        }
    })
    .await
    .unwrap();
    assert_eq!(before.1, "HIT", "the second GET is answered from the cache: {}", before.0);
    let summary = "Summary written through the API while nginx caches.";
    app.write_data(
        r#"mutation($s: String!) { updateMeeting(slug: "2025-aswan-legal-pathways", input: { summary: $s }) { slug } }"#,
        json!({ "s": summary }),
    )
    .await;
    let written = Instant::now();
    let seen = tokio::task::spawn_blocking(move || loop {
        let (body, _) = fetch(&url);
        if body.contains(summary) {
            return written.elapsed();
        }
        // Bounded: the max-age, and a second for the background update to land.
        assert!(written.elapsed() < Duration::from_secs(MAX_AGE + 2), "the write is not visible after {MAX_AGE} s");
        std::thread::sleep(Duration::from_millis(100));
    })
    .await
    .unwrap();
    println!("nginx: the write was visible after {:.1} s (max-age {MAX_AGE} s)", seen.as_secs_f64());
}
