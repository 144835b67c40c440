//! The server loop against slow and silent clients, through the real binary: a client that
//! stops mid-header is dropped, a crowd of idle sockets cannot lock others out, and shutdown
//! finishes within its grace period whatever the clients do, on SIGTERM as on SIGHUP.

use crate::binary::*;
use crate::helpers::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A connection that sends the start of a request head and then nothing, as a slowloris client.
fn stalled(base: &str) -> TcpStream {
    let mut s = TcpStream::connect(base.trim_start_matches("http://")).expect("a connection");
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").unwrap();
    s
}

/// Reads what the server sends until it closes the connection, for at most `within`; `None` if
/// the connection was still open then.
fn read_until_closed(s: &mut TcpStream, within: Duration) -> Option<String> {
    s.set_read_timeout(Some(within)).unwrap();
    let mut out = Vec::new();
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(String::from_utf8_lossy(&out).into_owned()),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(String::from_utf8_lossy(&out).into_owned())
            }
            Err(_) => return None,
        }
        if started.elapsed() > within {
            return None;
        }
    }
}

#[test]
fn a_client_that_stops_in_the_middle_of_its_request_head_is_disconnected_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, base, _) =
        serve_env(&dir.path().join("data"), &seed_dir(), &[("KHARTOUM_GRAPHQL_HEADER_TIMEOUT", "1")]);
    let mut slow = stalled(&base);
    let closed = read_until_closed(&mut slow, Duration::from_secs(15));
    assert!(closed.is_some(), "a client silent mid-header was still connected 15 s later (header timeout 1 s)");
    // An ordinary client is served all along.
    assert_eq!(http_get(&format!("{base}/health")).map(|(s, _)| s), Some(200));
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn connections_over_the_limit_are_answered_503_and_served_again_once_idle_ones_time_out() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, base, _) = serve_env(
        &dir.path().join("data"),
        &seed_dir(),
        &[("KHARTOUM_GRAPHQL_MAX_CONNECTIONS", "4"), ("KHARTOUM_GRAPHQL_HEADER_TIMEOUT", "2")],
    );
    let crowd: Vec<TcpStream> = (0..4).map(|_| stalled(&base)).collect();
    // Let the server accept all four before the fifth arrives.
    std::thread::sleep(Duration::from_millis(300));
    let mut fifth = TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    fifth.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let answer =
        read_until_closed(&mut fifth, Duration::from_secs(10)).expect("the fifth connection is answered and closed");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("retry-after: 1"), "{answer}");
    assert!(answer.contains(r#""code":"SERVICE_UNAVAILABLE""#), "{answer}");
    // Once the silent ones are dropped, clients are served again.
    let started = Instant::now();
    let served = loop {
        match http_get(&format!("{base}/health")) {
            Some((200, _)) => break true,
            _ if started.elapsed() > Duration::from_secs(15) => break false,
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    assert!(served, "no client was served within 15 s after the idle connections timed out");
    drop(crowd);
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn sigterm_finishes_within_the_grace_period_while_a_client_holds_a_connection_mid_header() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, base, _) = serve_env(
        &dir.path().join("data"),
        &seed_dir(),
        &[("KHARTOUM_GRAPHQL_HEADER_TIMEOUT", "600"), ("KHARTOUM_GRAPHQL_SHUTDOWN_GRACE", "2")],
    );
    let _slow: Vec<TcpStream> = (0..3).map(|_| stalled(&base)).collect();
    std::thread::sleep(Duration::from_millis(200));
    send_signal(&server, "TERM");
    let (status, _) = wait_for_exit(&mut server, Duration::from_secs(15), "SIGTERM with a grace of 2 s");
    assert!(status.success(), "{status:?}");
}

#[test]
fn sighup_drains_and_stops_the_server_like_sigterm_instead_of_killing_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut server, base, _) = serve_env(&data, &seed_dir(), &[("KHARTOUM_GRAPHQL_SHUTDOWN_GRACE", "5")]);
    assert_eq!(http_get(&format!("{base}/health")).map(|(s, _)| s), Some(200));
    send_signal(&server, "HUP");
    let (status, _) = wait_for_exit(&mut server, Duration::from_secs(15), "SIGHUP");
    // Killed by the signal, a process has no exit code; drained, it exits 0.
    assert_eq!(status.code(), Some(0), "{status:?}");
    let check = cli(&data, &["check-store"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn a_request_still_running_at_the_time_limit_is_answered_408_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, base, _) =
        serve_env(&dir.path().join("data"), &seed_dir(), &[("KHARTOUM_GRAPHQL_REQUEST_TIMEOUT", "1")]);
    // A POST whose body never comes in full: the request is still being read at the limit.
    let mut slow = TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    slow.write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":")
        .unwrap();
    let answer = read_until_closed(&mut slow, Duration::from_secs(15)).unwrap_or_default();
    let head = answer.lines().next().unwrap_or("");
    assert!(head.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"REQUEST_TIMEOUT""#), "{answer}");
    // The limit given, not the default.
    assert!(answer.contains("longer than 1 s"), "{answer}");
    let _ = server.kill();
    let _ = server.wait();
}

/// How many times the real record the CPU-bound test scales it to: enough that one query of
/// fifty aggregates over every meeting runs well past [`CPU_BOUND_LIMIT`] in a debug build.
const CPU_BOUND_SCALE: u32 = 100;
/// The request time limit of the CPU-bound test, in seconds.
const CPU_BOUND_LIMIT: &str = "0.03";

/// A GET of a query: its status, body and how long the answer took; `None` when none came
/// within `within`.
fn timed_query(base: &str, query: &str, within: Duration) -> Option<(u16, String, Duration)> {
    let url = format!("{base}/graphql?query={}", form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>());
    let started = Instant::now();
    let answer = match ureq::get(&url).set("Accept", "application/json").timeout(within).call() {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(ureq::Error::Transport(_)) => return None,
    };
    Some((answer.0, answer.1, started.elapsed()))
}

#[test]
fn a_query_still_computing_at_the_time_limit_is_stopped_and_answered_408_while_other_clients_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed");
    let real = khartoum_graphql::seed::load(&seed_dir()).expect("the real seed loads").dataset;
    let scaled = khartoum_graphql::seed::synthetic::scale(&real, CPU_BOUND_SCALE).expect("the record scales");
    khartoum_graphql::seed::writer::write(&scaled, &seed).expect("the scaled seed is written");
    let (server, base, _) =
        serve_env(&dir.path().join("data"), &seed, &[("KHARTOUM_GRAPHQL_REQUEST_TIMEOUT", CPU_BOUND_LIMIT)]);

    // Each co-host aggregate reads every meeting; one is cheap in cost, fifty add up in time.
    let one = "{ coHostPairs(first: 1) { __typename } }";
    // The first query of a read model also measures its lists for the cost model: time the second.
    for _ in 0..2 {
        assert_eq!(timed_query(&base, one, Duration::from_secs(30)).map(|a| a.0), Some(200));
    }
    let (_, _, single) = timed_query(&base, &one.replace("first: 1", "first: 2"), Duration::from_secs(30))
        .expect("one aggregate is answered");
    let aliases = 50;
    let limit = Duration::from_secs_f64(CPU_BOUND_LIMIT.parse().unwrap());
    assert!(
        single * aliases > limit * 5,
        "one aggregate took {single:?}: {aliases} of them would not run far past the {limit:?} limit, so \
         the test would mean nothing; raise CPU_BOUND_SCALE"
    );
    let heavy = format!(
        "{{ {} }}",
        (0..aliases).map(|i| format!("a{i}: coHostPairs(first: 1) {{ __typename }}")).collect::<Vec<_>>().join(" ")
    );

    let light = std::thread::spawn({
        let base = base.clone();
        move || {
            // Another client, while the heavy query runs: answered, each in far less than the
            // heavy query's run.
            std::thread::sleep(Duration::from_millis(200));
            (0..5).map(|_| timed_query(&base, "{ dataset { version } }", Duration::from_secs(30))).collect::<Vec<_>>()
        }
    });
    let (status, body, took) =
        timed_query(&base, &heavy, Duration::from_secs(30)).expect("the heavy query is answered");
    println!("cpu-bound test: one aggregate {single:?}, fifty answered {status} after {took:?}");
    assert_eq!(status, 408, "{}", &body[..body.len().min(300)]);
    assert!(body.contains(r#""code":"REQUEST_TIMEOUT""#), "{body}");
    // Stopped at the limit, not after running to its end.
    assert!(took < single * aliases, "answered after {took:?}, as late as running to the end would take");
    for answer in light.join().expect("the light client") {
        let (status, body, _) = answer.expect("the light client is answered");
        assert_eq!((status, body.contains("version")), (200, true), "{body}");
    }
    drop(server);
}
