//! A three-member etcd cluster on loopback ports, in a temporary directory, for the replica tests
//! and the benchmark: Debian's `etcd` (package etcd-server), killed when the cluster is dropped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The etcd binary that `.ci/run` installs.
pub const ETCD: &str = "/usr/bin/etcd";

/// The environment variable that lets a person skip the etcd tests on a machine without etcd.
pub const SKIP: &str = "KHARTOUM_SKIP_ETCD_TESTS";

/// One member: its name, ports and process (none while it is killed).
struct Member {
    name: String,
    client: u16,
    peer: u16,
    child: Option<Child>,
}

/// A running cluster. Dropping it kills every member.
pub struct Cluster {
    dir: tempfile::TempDir,
    members: Vec<Member>,
    initial: String,
    /// Flags every member starts with besides those that place it.
    extra: Vec<String>,
}

/// Whether the etcd tests are skipped, saying so loudly when they are: only when a person sets
/// [`SKIP`]; a missing etcd is otherwise a failure.
pub fn skipped(test: &str) -> bool {
    if std::env::var_os(SKIP).is_some() {
        eprintln!("SKIPPED {test}: {SKIP} is set, so no etcd cluster is started; unset it to run this test");
        return true;
    }
    assert!(
        std::path::Path::new(ETCD).exists(),
        "{ETCD} is missing: install Debian's etcd-server (`.ci/run` does), or set {SKIP} to skip the etcd tests"
    );
    false
}

/// How many times [`Cluster::start_with`] starts a cluster whose member exited at once.
const START_ATTEMPTS: usize = 3;

/// A port free on 127.0.0.1 now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Cluster {
    /// Starts `n` members and waits until the cluster answers.
    pub fn start(n: usize) -> Cluster {
        Cluster::start_with(n, &[])
    }

    /// Starts `n` members, each with the etcd flags `extra` too, and waits until the cluster
    /// answers.
    ///
    /// A port found free can be taken (by another test's connection) before etcd binds it; a
    /// member that exits while the cluster starts is taken for that, and the cluster is started
    /// again on other ports, up to [`START_ATTEMPTS`] times.
    pub fn start_with(n: usize, extra: &[&str]) -> Cluster {
        for attempt in 1..=START_ATTEMPTS {
            let mut cluster = Cluster::spawn_all(n, extra);
            match cluster.wait_started() {
                Ok(()) => return cluster,
                Err(exited) if attempt < START_ATTEMPTS => {
                    eprintln!("etcd member {exited} exited while the cluster started; starting again on other ports");
                }
                Err(exited) => panic!(
                    "etcd member {exited} exited while the cluster started, {START_ATTEMPTS} times; its log:\n{}",
                    cluster.log(exited)
                ),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    fn spawn_all(n: usize, extra: &[&str]) -> Cluster {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let members: Vec<Member> = (0..n)
            .map(|i| Member { name: format!("m{i}"), client: free_port(), peer: free_port(), child: None })
            .collect();
        let initial =
            members.iter().map(|m| format!("{}=http://127.0.0.1:{}", m.name, m.peer)).collect::<Vec<_>>().join(",");
        let extra = extra.iter().map(|f| (*f).to_owned()).collect();
        let mut cluster = Cluster { dir, members, initial, extra };
        for i in 0..n {
            cluster.spawn(i, "new");
        }
        cluster
    }

    /// Waits, up to 30 s, until every member is healthy; the index of a member that exited
    /// meanwhile otherwise.
    fn wait_started(&mut self) -> Result<(), usize> {
        let started = Instant::now();
        loop {
            let exited = |m: &mut Member| m.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if let Some(exited) = self.members.iter_mut().position(exited) {
                return Err(exited);
            }
            if self.running_healthy() {
                return Ok(());
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the etcd cluster did not start in 30 s{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The log of member `i`.
    fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{}.log", self.members[i].name))).unwrap_or_default()
    }

    /// The last lines of every member's log, for a failure's message.
    fn logs(&self) -> String {
        let tail = |log: String| {
            log.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
        };
        (0..self.members.len()).map(|i| format!("\n--- {} ---\n{}", self.members[i].name, tail(self.log(i)))).collect()
    }

    fn spawn(&mut self, i: usize, state: &str) {
        let m = &self.members[i];
        let client = format!("http://127.0.0.1:{}", m.client);
        let peer = format!("http://127.0.0.1:{}", m.peer);
        let log = std::fs::File::create(self.dir.path().join(format!("{}.log", m.name))).expect("a log file");
        let child = Command::new(ETCD)
            .args(["--name", &m.name])
            .arg("--data-dir")
            .arg(self.dir.path().join(&m.name))
            .args(["--listen-client-urls", &client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", &self.initial, "--initial-cluster-state", state])
            .args(["--initial-cluster-token", "khartoum-graphql-test"])
            // Elections within a second on a busy machine, rather than etcd's WAN-friendly defaults.
            .args(["--heartbeat-interval", "50", "--election-timeout", "500"])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("etcd starts");
        self.members[i].child = Some(child);
    }

    /// The client URLs of every member.
    pub fn endpoints(&self) -> Vec<String> {
        self.members.iter().map(|m| format!("http://127.0.0.1:{}", m.client)).collect()
    }

    /// The `--store` value naming the cluster.
    pub fn store(&self) -> String {
        format!("etcd:{}", self.endpoints().join(","))
    }

    /// Whether member `i` answers `/health` as healthy (it has a leader).
    fn healthy(&self, i: usize) -> bool {
        let url = format!("http://127.0.0.1:{}/health", self.members[i].client);
        ureq::get(&url)
            .timeout(Duration::from_millis(500))
            .call()
            .ok()
            .and_then(|r| r.into_string().ok())
            .is_some_and(|body| body.contains("\"true\""))
    }

    /// Whether every running member is healthy.
    fn running_healthy(&self) -> bool {
        (0..self.members.len()).filter(|i| self.members[*i].child.is_some()).all(|i| self.healthy(i))
    }

    /// Waits, up to 30 s, until every running member is healthy.
    pub fn wait_healthy(&self) {
        let started = Instant::now();
        while !self.running_healthy() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the etcd cluster did not become healthy in 30 s{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The index of the member that leads now, as the members' status says.
    pub fn leader(&self) -> usize {
        let started = Instant::now();
        loop {
            for (i, m) in self.members.iter().enumerate().filter(|(_, m)| m.child.is_some()) {
                let url = format!("http://127.0.0.1:{}/v3/maintenance/status", m.client);
                let status = ureq::post(&url).timeout(Duration::from_millis(500)).send_string("{}");
                let Some(body) = status.ok().and_then(|r| r.into_string().ok()) else { continue };
                let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let (me, leader) = (&v["header"]["member_id"], &v["leader"]);
                if !leader.is_null() && me == leader {
                    return i;
                }
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no etcd member leads after 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Compacts the cluster's history: the revisions before `revision` are forgotten, as an
    /// operator's `etcdctl compact` (or etcd's automatic compaction) does.
    pub fn compact(&self, revision: u64) {
        let m = self.members.iter().find(|m| m.child.is_some()).expect("a running member");
        let url = format!("http://127.0.0.1:{}/v3/kv/compaction", m.client);
        let body = serde_json::json!({ "revision": revision.to_string(), "physical": true }).to_string();
        let answer = ureq::post(&url).timeout(Duration::from_secs(10)).send_string(&body);
        assert!(answer.is_ok(), "the cluster compacts at revision {revision}: {answer:?}");
    }

    /// Kills member `i` (SIGKILL) and waits for it to exit.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.members[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts member `i` again on its data directory.
    pub fn restart(&mut self, i: usize) {
        self.spawn(i, "existing");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.kill(i);
        }
    }
}
