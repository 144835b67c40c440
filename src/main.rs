//! The `khartoum-graphql` binary: parses the command line and runs one command.

use anyhow::Context;
use khartoum_graphql::config::{Cli, Command, Config, ExportFormat, BIND_ENV, BIND_FLAG};
use khartoum_graphql::graphql::{engine::Engine, persisted::Persisted};
use khartoum_graphql::store::{Backend, Location};
use khartoum_graphql::{app::App, curation::Tokens, export, graphql, http, seed};
use std::process::ExitCode;
use std::sync::Arc;

// mimalloc rather than the system allocator: a GraphQL request allocates many small objects, and
// it measurably cuts the CPU per request (`bench/run` shows it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let (command, config) = Cli::parse_and_resolve();
    tracing_subscriber::fmt()
        .with_env_filter(
            // sled's own log lines repeat, less clearly, the one-line errors this binary prints
            // about a damaged store; RUST_LOG=sled=warn brings them back.
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=info,sled=off".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command, config)) {
        Ok(code) => code,
        Err(e) => {
            // One line for one cause; the seed loader's list of problems keeps its own lines.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(_) => serve(config).await,
        Command::Seed { replace, .. } => {
            // The seed files are read and validated before the store is touched, so that broken
            // files leave a seeded store as it was.
            let store = if replace { Backend::open_to_replace(&config.store)? } else { Backend::open(&config.store)? };
            if store.meta()?.is_some() && !replace {
                eprintln!("the store in {} is already seeded; use `seed --replace` to reload it", named(&config.store));
                return Ok(ExitCode::FAILURE);
            }
            let seed = seed::load(&config.seed_dir)?;
            let meta = store.replace_all(&seed.dataset, &seed.version).context("writing the seed into the store")?;
            println!("seeded {} from {} (version {})", named(&config.store), config.seed_dir.display(), meta.version);
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckSeed { .. } => {
            let seed = seed::load(&config.seed_dir)?;
            let ds = &seed.dataset;
            println!(
                "{}: ok (version {}): {} sources, {} states, {} organizations, {} processes, {} memberships, {} chairmanships, {} meetings, {} participations, {} documents, {} commitments, {} people, {} posts",
                config.seed_dir.display(),
                seed.version,
                ds.sources.len(),
                ds.states.len(),
                ds.organizations.len(),
                ds.processes.len(),
                ds.memberships.len(),
                ds.chairmanships.len(),
                ds.meetings.len(),
                ds.meetings.iter().map(|m| m.participations.len()).sum::<usize>(),
                ds.documents.len(),
                ds.commitments.len(),
                ds.people.len(),
                ds.people.iter().map(|p| p.posts.len()).sum::<usize>()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckStore { .. } => {
            let store = Backend::open_existing(&config.store)?;
            let problems = store.check()?;
            for p in &problems {
                println!("{p}");
            }
            if problems.is_empty() {
                println!("{}: consistent", named(&config.store));
                Ok(ExitCode::SUCCESS)
            } else {
                println!("{} problem(s)", problems.len());
                Ok(ExitCode::FAILURE)
            }
        }
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { out, format, .. } => {
            let store = Backend::open_existing(&config.store)?;
            // An export is what the store is rebuilt from: one from a damaged store would carry
            // the damage into seed/.
            let problems = store.check()?.len();
            if problems > 0 {
                anyhow::bail!(
                    "the store in {} is inconsistent ({problems} problem(s); `khartoum-graphql check-store` lists them), so it is not exported; rebuild it with `khartoum-graphql seed` from seed/ or your last export",
                    named(&config.store)
                );
            }
            let app = App::from_backend(store, Tokens::default())?;
            let catalog = app.catalog();
            if catalog.meta.version.is_empty() {
                anyhow::bail!("the store in {} holds no dataset to export", named(&config.store));
            }
            let format = match format {
                ExportFormat::Seed => None,
                ExportFormat::Csv => Some(export::Format::Csv),
                ExportFormat::Json => Some(export::Format::Json),
                ExportFormat::Jsonl => Some(export::Format::Jsonl),
            };
            match format {
                None => seed::writer::write(&catalog.ds, &out)?,
                Some(format) => {
                    let names = export::write_dir(&catalog, format, &out)?;
                    println!("wrote {}", names.join(", "));
                }
            }
            println!("exported version {} to {}", catalog.meta.version, out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let tokens = config.tokens()?;
    let read_only = tokens.is_empty();
    let count = tokens.len();
    // The port is taken before the store is opened, so that a busy port stops the server before
    // anything is written to disk (an empty data directory would otherwise be seeded first), with
    // the flag and the variable that choose another.
    let listener = tokio::net::TcpListener::bind(config.bind).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on {}: {e}; choose another address with {BIND_FLAG} (e.g. `{BIND_FLAG} 127.0.0.1:9000`) or the environment variable {BIND_ENV}",
            config.bind
        )
    })?;
    // The store is opened before anything is logged, so that a store that cannot be used gives
    // one line on stderr: the error.
    let mut app = App::open_at(&config.store, &config.seed_dir, tokens)?;
    if read_only {
        tracing::info!("no write token is configured: the API is read-only (see KHARTOUM_GRAPHQL_TOKENS)");
    } else {
        tracing::info!(tokens = count, "writes are enabled for bearer tokens");
    }
    app.request_timeout = config.request_timeout;
    app.min_version_wait = config.min_version_wait;
    app.store().set_history_limit(config.change_history);
    if config.trusted_only && config.trusted_documents.is_none() {
        anyhow::bail!("--trusted-only runs only the trusted documents: name their file with --trusted-documents FILE");
    }
    let policies = http::Policies { websocket: config.websocket, rate_limits: config.rate_limits.clone() };
    let persisted = match &config.trusted_documents {
        Some(path) => {
            let persisted = Persisted::load(path, config.trusted_only)?;
            tracing::info!(
                documents = persisted.trusted_count(),
                trusted_only = config.trusted_only,
                file = %path.display(),
                "loaded the trusted documents"
            );
            persisted
        }
        None => Persisted::default(),
    };
    if config.trusted_documents.is_some() || !config.suggestions {
        app.engine = Engine::with_options(persisted, config.suggestions);
    }
    #[cfg(feature = "bench-hooks")]
    if config.bench_baseline {
        tracing::warn!("serving the benchmark baseline at /bench/baseline/{{name}}: for bench/run only");
        app.bench_baseline = khartoum_graphql::baseline::Baselines::on();
    }
    let app = Arc::new(app);
    // Registered before the server says it is serving, so that no signal falls into a gap.
    let shutdown = shutdown_signal().context("installing the signal handlers")?;
    let address = listener.local_addr().unwrap_or(config.bind);
    tracing::info!(
        address = %format!("http://{address}/graphql"),
        landing_page = %format!("http://{address}/"),
        ready_in_ms = started.elapsed().as_millis() as u64,
        "serving"
    );
    let limits = config.server;
    if let http::server::Drained::Dropped(open) =
        http::server::serve(listener, http::router_with(Arc::clone(&app), policies), limits, shutdown).await
    {
        tracing::warn!(
            open,
            grace_s = limits.grace.as_secs(),
            "connections still open after the grace period were dropped"
        );
    }
    app.store().flush().await.context("flushing the store on shutdown")?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// A store as messages name it: the embedded store by its data directory, an etcd cluster as
/// `etcd:<endpoints>`.
fn named(store: &Location) -> String {
    match store {
        Location::Sled(dir) => dir.display().to_string(),
        Location::Etcd(_) => store.to_string(),
    }
}

/// Installs the SIGINT, SIGTERM and SIGHUP handlers now, and returns a future that resolves on
/// any of them; in-flight requests then finish before the server stops. SIGHUP drains like
/// SIGTERM rather than killing at once (its default): a terminal closing, or a supervisor that
/// sends it, must not cut writes short. The server reads no configuration to reload.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    Ok(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
            _ = hangup.recv() => "SIGHUP",
        };
        tracing::info!(signal = name, "shutting down: finishing in-flight requests");
    })
}

/// Ctrl-C elsewhere.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing in-flight requests");
    })
}
