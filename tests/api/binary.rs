//! Running the real binary: its commands, and a server on a free port.

use crate::helpers::seed_dir;
use std::io::{BufRead, BufReader};
use std::ops::{Deref, DerefMut};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_khartoum-graphql");

/// The log filter a test server runs with unless the caller sets `RUST_LOG`: every request the
/// server starts and finishes, and every write it commits, are logged at debug level, so tests
/// can judge by what the server did rather than by the client's clock.
pub const SERVER_LOG: &str = "info,tower_http=debug,khartoum_graphql=debug,sled=off";

pub fn cli(data: &std::path::Path, args: &[&str]) -> Output {
    cli_with(data, &seed_dir(), args)
}

/// Like [`cli`], with a seed directory of the caller's.
pub fn cli_with(data: &std::path::Path, seed: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .arg("--seed-dir")
        .arg(seed)
        .args(args)
        .env("RUST_LOG", "info")
        .output()
        .expect("the binary runs")
}

/// A spawned process that is killed and reaped when dropped, so that a test that fails (or
/// panics) while it runs leaves nothing behind. It derefs to its [`Child`], so `kill()`, `wait()`
/// and `id()` work as on the child itself. When its stderr is captured, every line of it is kept,
/// to the end of the process: [`Spawned::log`] and [`Spawned::finish`].
pub struct Spawned {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
    reader: Option<JoinHandle<()>>,
}

impl Spawned {
    /// Guards a child; if its stderr is piped, collects every line of it (without ANSI colours).
    pub fn new(mut child: Child) -> Spawned {
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let reader = child.stderr.take().map(|stderr| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    log.lock().unwrap().push(strip_ansi(&line));
                }
            })
        });
        Spawned { child, log, reader }
    }

    /// The log lines written so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until a log line satisfies `found`, at most `within`; returns that line.
    pub fn wait_for_line(&mut self, within: Duration, found: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + within;
        let mut seen = 0;
        loop {
            {
                let log = self.log.lock().unwrap();
                if let Some(line) = log[seen..].iter().find(|l| found(l)) {
                    return Some(line.clone());
                }
                seen = log.len();
            }
            let exited = self.child.try_wait().ok().flatten().is_some();
            if Instant::now() >= deadline || (exited && self.reader.as_ref().is_some_and(JoinHandle::is_finished)) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the process if it still runs, reaps it, and returns its whole log: every line it
    /// wrote to stderr up to its end.
    pub fn finish(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the log reader");
        }
        self.log()
    }
}

impl Deref for Spawned {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.child
    }
}

impl DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        // Killing a process that has exited and been reaped fails harmlessly.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on a free port and waits until it logs that it is serving; returns the server
/// and its base URL.
pub fn serve(data: &std::path::Path) -> (Spawned, String) {
    let (server, url, _) = serve_with(data, &seed_dir());
    (server, url)
}

/// Like [`serve`], with a seed directory of the caller's, also returning the log lines up to the
/// one that says the server is serving.
pub fn serve_with(data: &std::path::Path, seed: &std::path::Path) -> (Spawned, String, Vec<String>) {
    serve_env(data, seed, &[])
}

/// Like [`serve_with`], with extra environment variables (write tokens, or `RUST_LOG` in place of
/// [`SERVER_LOG`], for instance).
pub fn serve_env(
    data: &std::path::Path,
    seed: &std::path::Path,
    env: &[(&str, &str)],
) -> (Spawned, String, Vec<String>) {
    let child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .arg("--seed-dir")
        .arg(seed)
        .args(["--bind", "127.0.0.1:0", "serve"])
        .env("RUST_LOG", SERVER_LOG)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut server = Spawned::new(child);
    let Some(line) = server.wait_for_line(Duration::from_secs(30), |l| l.contains("address=")) else {
        panic!("the server did not report that it is serving within 30 s: {:?}", server.finish());
    };
    let rest = line.split("address=").nth(1).unwrap();
    let url = rest.split_whitespace().next().unwrap().trim_end_matches("/graphql").to_owned();
    let log = server.log().into_iter().take_while(|l| !l.contains("address=")).collect();
    (server, url, log)
}

/// The text without its ANSI colour sequences.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Sends a signal (`TERM`, `INT`, `HUP`) to a child with `kill`.
pub fn send_signal(child: &Child, name: &str) {
    let status = Command::new("kill").arg(format!("-{name}")).arg(child.id().to_string()).status().expect("kill runs");
    assert!(status.success(), "kill -{name} failed");
}

/// Waits for the child to exit, at most `within`, and returns how it exited and how long that
/// took; kills it and fails the test (naming `what` it was waiting after) if it does not exit.
pub fn wait_for_exit(child: &mut Child, within: Duration, what: &str) -> (ExitStatus, Duration) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status, started.elapsed());
        }
        if started.elapsed() > within {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server did not stop within {within:?} of {what}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A plain GET of `url`: its status and body, whatever the status; `None` when no answer came
/// (the connection failed or broke).
pub fn http_get(url: &str) -> Option<(u16, String)> {
    match ureq::get(url).timeout(Duration::from_secs(5)).call() {
        Ok(r) => Some((r.status(), r.into_string().unwrap_or_default())),
        Err(ureq::Error::Status(code, r)) => Some((code, r.into_string().unwrap_or_default())),
        Err(ureq::Error::Transport(_)) => None,
    }
}
