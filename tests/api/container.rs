//! The `Dockerfile`: Docker cannot run here, so its structure is read and checked (the stages, a
//! user without privileges, the health check, the data volume, the port), and the command line it
//! gives the binary is run outside Docker with the environment it sets. `.ci/run` also lints the
//! file with hadolint.

use crate::binary::{Spawned, BIN};
use crate::first_run::{log_field, serving_line};
use crate::helpers::seed_dir;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// One instruction: its keyword in upper case and the rest of its (continued) line.
#[derive(Debug)]
struct Instruction {
    keyword: String,
    args: String,
}

/// The instructions of a Dockerfile, with continuation lines joined and comments left out.
fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                let (keyword, args) = current.split_once(char::is_whitespace).unwrap_or((&current, ""));
                out.push(Instruction { keyword: keyword.to_ascii_uppercase(), args: args.trim().to_owned() });
                current.clear();
            }
        }
    }
    out
}

/// A JSON-array (exec form) argument list, which the command line must be written in.
fn exec_form(args: &str) -> Vec<String> {
    serde_json::from_str(args).unwrap_or_else(|e| panic!("not in JSON (exec) form ({e}): {args}"))
}

/// The image the Dockerfile builds, as far as a test can read it.
struct Image {
    /// The stages, each with its name and instructions.
    stages: Vec<(String, Vec<Instruction>)>,
}

impl Image {
    fn read() -> Image {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Dockerfile");
        let text = std::fs::read_to_string(&path).expect("the repository has a Dockerfile");
        let mut stages: Vec<(String, Vec<Instruction>)> = Vec::new();
        for i in instructions(&text) {
            if i.keyword == "FROM" {
                let words: Vec<&str> = i.args.split_whitespace().collect();
                let name = match words.as_slice() {
                    [_, as_, name] if as_.eq_ignore_ascii_case("as") => (*name).to_owned(),
                    _ => stages.len().to_string(),
                };
                stages.push((name, Vec::new()));
            } else {
                stages.last_mut().expect("FROM comes first").1.push(i);
            }
        }
        Image { stages }
    }

    /// The final stage's instructions: what the image runs.
    fn run_stage(&self) -> &[Instruction] {
        &self.stages.last().expect("a stage").1
    }

    /// The arguments of the final stage's last `keyword` instruction.
    fn last(&self, keyword: &str) -> Option<&str> {
        self.run_stage().iter().rev().find(|i| i.keyword == keyword).map(|i| i.args.as_str())
    }

    /// The environment the final stage sets (`ENV K=V ...`).
    fn env(&self) -> HashMap<String, String> {
        let mut env = HashMap::new();
        for i in self.run_stage().iter().filter(|i| i.keyword == "ENV") {
            for pair in i.args.split_whitespace() {
                let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("ENV in K=V form: {}", i.args));
                env.insert(k.to_owned(), v.to_owned());
            }
        }
        env
    }
}

#[test]
fn the_dockerfile_builds_with_the_dist_profile_in_a_stage_of_its_own() {
    let image = Image::read();
    assert!(image.stages.len() >= 2, "a multi-stage build: {} stage(s)", image.stages.len());
    let (build_name, build) = &image.stages[0];
    let runs: Vec<&str> = build.iter().filter(|i| i.keyword == "RUN").map(|i| i.args.as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("cargo build --profile dist --locked")), "{runs:?}");
    let copies_binary = image.run_stage().iter().any(|i| {
        i.keyword == "COPY"
            && i.args.starts_with(&format!("--from={build_name} "))
            && i.args.contains("khartoum-graphql")
    });
    assert!(copies_binary, "the final stage copies the binary from the build stage");
    let cargo_in_final = image.run_stage().iter().any(|i| i.args.contains("cargo "));
    assert!(!cargo_in_final, "the final stage carries no toolchain");
}

#[test]
fn the_image_runs_as_a_user_without_privileges_with_a_health_check_a_data_volume_and_its_port() {
    let image = Image::read();
    let user = image.last("USER").expect("the final stage sets USER");
    let name = user.split(':').next().unwrap();
    assert!(!["root", "0", ""].contains(&name), "the image runs as {user}");
    let env = image.env();
    let data = env.get("KHARTOUM_GRAPHQL_DATA_DIR").expect("the image sets the data directory");
    let volume = image.last("VOLUME").expect("the data directory is a VOLUME");
    let volumes: Vec<String> = if volume.starts_with('[') {
        exec_form(volume)
    } else {
        volume.split_whitespace().map(str::to_owned).collect()
    };
    assert!(volumes.contains(data), "VOLUME {volume} holds the data directory {data}");
    let bind = env.get("KHARTOUM_GRAPHQL_BIND").expect("the image sets the address");
    assert!(bind.starts_with("0.0.0.0:"), "inside a container the server must listen on every interface: {bind}");
    let port = bind.rsplit(':').next().unwrap();
    let exposed = image.last("EXPOSE").expect("the image EXPOSEs its port");
    assert!(exposed.split_whitespace().any(|p| p.trim_end_matches("/tcp") == port), "EXPOSE {exposed}, bind {bind}");
    let health = image.last("HEALTHCHECK").expect("the image has a HEALTHCHECK");
    let command = health.split_once("CMD ").expect("HEALTHCHECK ... CMD [...]").1;
    let url = exec_form(command).into_iter().find(|a| a.starts_with("http://")).expect("the check asks a URL");
    assert!(
        url.starts_with(&format!("http://127.0.0.1:{port}/")),
        "the health check asks {url}, the server listens on {bind}"
    );
    let seed = env.get("KHARTOUM_GRAPHQL_SEED_DIR").expect("the image sets the seed directory");
    let copies_seed = image.run_stage().iter().any(|i| {
        i.keyword == "COPY" && i.args.split_whitespace().collect::<Vec<_>>() == ["seed/", &format!("{seed}/")]
    });
    assert!(copies_seed, "the final stage copies seed/ to {seed}");
}

#[test]
fn the_images_command_line_serves_and_answers_its_health_check_outside_docker() {
    let image = Image::read();
    let mut args = exec_form(image.last("ENTRYPOINT").expect("an ENTRYPOINT"));
    assert_eq!(args.remove(0), "khartoum-graphql", "the entrypoint is the binary");
    args.extend(exec_form(image.last("CMD").expect("a CMD")));
    let health = image.last("HEALTHCHECK").unwrap().split_once("CMD ").unwrap().1;
    let url = exec_form(health).into_iter().find(|a| a.starts_with("http://")).unwrap();
    let path = url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap();
    // The image's environment, with the directories and the address a test can use.
    let dir = tempfile::tempdir().unwrap();
    let mut env = image.env();
    env.insert("KHARTOUM_GRAPHQL_BIND".into(), "127.0.0.1:0".into());
    env.insert("KHARTOUM_GRAPHQL_DATA_DIR".into(), dir.path().join("data").display().to_string());
    env.insert("KHARTOUM_GRAPHQL_SEED_DIR".into(), seed_dir().display().to_string());
    let mut child = Spawned::new(
        Command::new(BIN)
            .args(&args)
            .env_clear()
            .envs(&env)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts"),
    );
    let line = serving_line(&mut child);
    let base = log_field(&line, "landing_page").expect("the log gives the landing page");
    let status = ureq::get(&format!("{}{}", base.trim_end_matches('/'), path)).call().map(|r| r.status());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status.ok(), Some(200), "GET {path} on the server started with {args:?}");
}
