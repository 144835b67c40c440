//! The command line: subcommands and flags, each flag with an environment-variable fallback.

use crate::http::rate_limit::{RateLimits, DEFAULT_RATE_LIMIT};
use crate::http::server::ServerLimits;
use crate::http::ws::{WsLimits, DEFAULT_WS_LIMITS};
use crate::store::Location;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use ipnet::IpNet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A GraphQL API over the public record of the Khartoum Process (EU-Horn of Africa Migration
/// Route Initiative): its members, chairs, meetings, declarations and commitments.
///
/// Without a command it serves: serve is the default command, and the options below are its
/// options. Each command's `--help` lists the options it takes; they may come before or after the
/// command.
#[derive(Debug, Parser)]
#[command(name = "khartoum-graphql", version)]
pub struct Cli {
    /// The options of `serve`, the default command; given before any command, they apply to it.
    #[command(flatten)]
    pub serve: ServeArgs,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the store is.
#[derive(Debug, Clone, Default, Args)]
pub struct DataDirArg {
    /// Directory of the embedded store; `serve` and `seed` create it if missing [default: ./data].
    #[arg(long, env = "KHARTOUM_GRAPHQL_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The store: `sled:<dir>` (the embedded store, the same as --data-dir) or
    /// `etcd:<endpoint>[,<endpoint>…]`, an etcd cluster shared by several servers (for example
    /// `etcd:http://127.0.0.1:2379,http://127.0.0.1:22379,http://127.0.0.1:32379`) [default:
    /// sled:<--data-dir>].
    #[arg(long, env = "KHARTOUM_GRAPHQL_STORE", value_name = "sled:DIR|etcd:URL,…")]
    pub store: Option<Location>,
}

/// Where the seed files are.
#[derive(Debug, Clone, Default, Args)]
pub struct SeedDirArg {
    /// Directory of the seed JSON files an empty store is seeded from [default: ./seed].
    #[arg(long, env = "KHARTOUM_GRAPHQL_SEED_DIR", value_name = "DIR")]
    pub seed_dir: Option<PathBuf>,
}

/// The options of `serve`. Every one is optional here, so that one given after the command can
/// override one given before it ([`Cli::resolve`] applies the defaults).
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address and port to serve on [default: 127.0.0.1:8000].
    #[arg(long, env = "KHARTOUM_GRAPHQL_BIND", value_name = "ADDRESS:PORT")]
    pub bind: Option<SocketAddr>,
    /// Where the embedded store is.
    #[command(flatten)]
    pub data: DataDirArg,
    /// Where the seed files are.
    #[command(flatten)]
    pub seed: SeedDirArg,
    /// File of write tokens, one per line (`#` starts a comment). Tokens can also be given,
    /// comma-separated, in the environment variable KHARTOUM_GRAPHQL_TOKENS. Without any token,
    /// the API is read-only.
    #[arg(long, env = "KHARTOUM_GRAPHQL_TOKENS_FILE", value_name = "FILE")]
    pub tokens_file: Option<PathBuf>,
    /// Serve the benchmark baseline route `/bench/baseline/{name}` (for `bench/run` only; never
    /// in production). Hidden from `--help`.
    #[cfg(feature = "bench-hooks")]
    #[arg(long, env = "KHARTOUM_GRAPHQL_BENCH_BASELINE", hide = true)]
    pub bench_baseline: bool,
    /// Trusted documents: a JSON object from SHA-256 hash to document text, as graphql-codegen's
    /// client preset writes it (`persisted-documents.json`). Clients may then send
    /// `documentId: "sha256:<hash>"` instead of the text.
    #[arg(long, env = "KHARTOUM_GRAPHQL_TRUSTED_DOCUMENTS", value_name = "FILE")]
    pub trusted_documents: Option<PathBuf>,
    /// Run only the trusted documents (`--trusted-documents`): every other document is refused
    /// with TRUSTED_DOCUMENTS_ONLY, and clients cannot register new ones.
    #[arg(long, env = "KHARTOUM_GRAPHQL_TRUSTED_ONLY")]
    pub trusted_only: bool,
    /// Seconds a connection may take to send a complete request head, or stay idle between two
    /// requests, before it is closed [default: 10].
    #[arg(long, env = "KHARTOUM_GRAPHQL_HEADER_TIMEOUT", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: Option<u64>,
    /// Connections served at once; one more is answered 503 with Retry-After and closed. Keep it
    /// below the process's limit of open files (`ulimit -n`) [default: 1024].
    #[arg(long, env = "KHARTOUM_GRAPHQL_MAX_CONNECTIONS", value_name = "COUNT", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: Option<u64>,
    /// Seconds that shutdown (SIGTERM, SIGINT, SIGHUP) waits for open connections to finish
    /// before it drops them and exits [default: 20].
    #[arg(long, env = "KHARTOUM_GRAPHQL_SHUTDOWN_GRACE", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_grace: Option<u64>,
    /// Seconds a request may take, its body and its execution included, before it is answered
    /// 408 with the code REQUEST_TIMEOUT; a decimal such as 0.5 is allowed [default: 10].
    #[arg(long, env = "KHARTOUM_GRAPHQL_REQUEST_TIMEOUT", value_name = "SECONDS", value_parser = request_seconds)]
    pub request_timeout: Option<Duration>,
    /// Seconds a request that asks for at least a dataset version (X-Min-Dataset-Version) waits
    /// for this server to reach it, before it is answered 503 with Retry-After and the code
    /// DATASET_VERSION_NOT_REACHED; a decimal such as 0.5 is allowed [default: 5].
    #[arg(long, env = "KHARTOUM_GRAPHQL_MIN_VERSION_WAIT", value_name = "SECONDS", value_parser = request_seconds)]
    pub min_version_wait: Option<Duration>,
    /// Writes the change history keeps, for `changes(after:)` and `deleted(since:)`; each write
    /// beyond it drops the oldest [default: 10000].
    #[arg(long, env = "KHARTOUM_GRAPHQL_CHANGE_HISTORY", value_name = "WRITES", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub change_history: Option<u64>,
    /// Operations one WebSocket may run at once (subscriptions, and queries not yet answered);
    /// one more is answered with an `error` message with the code TOO_MANY_SUBSCRIPTIONS
    /// [default: 100].
    #[arg(long, env = "KHARTOUM_GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET", value_name = "COUNT", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_subscriptions_per_socket: Option<u64>,
    /// WebSockets one client address may hold open; one more upgrade is answered 429 with
    /// Retry-After and the code TOO_MANY_SOCKETS [default: 16].
    #[arg(long, env = "KHARTOUM_GRAPHQL_MAX_SOCKETS_PER_ADDRESS", value_name = "COUNT", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_sockets_per_address: Option<u64>,
    /// Seconds a WebSocket may take to send `connection_init` before it is closed with 4408
    /// [default: 10].
    #[arg(long, env = "KHARTOUM_GRAPHQL_WS_INIT_TIMEOUT", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub ws_init_timeout: Option<u64>,
    /// Cost points (a query's `extensions.cost`; at least 1 a request) each client address may
    /// spend per minute on /graphql; beyond it, 429 with Retry-After and the code RATE_LIMITED.
    /// 0 turns the limit off [default: 20000].
    #[arg(long, env = "KHARTOUM_GRAPHQL_RATE_LIMIT", value_name = "POINTS")]
    pub rate_limit: Option<u32>,
    /// A proxy (an address or a CIDR range) whose X-Forwarded-For names the client; repeat it for
    /// several, or give a comma-separated list in the environment. From any other peer the header
    /// is ignored.
    #[arg(long = "trusted-proxy", env = "KHARTOUM_GRAPHQL_TRUSTED_PROXIES", value_name = "IP|CIDR", value_delimiter = ',', value_parser = parse_net)]
    pub trusted_proxy: Vec<IpNet>,
    /// Leave "Did you mean …?" suggestions out of error messages, so that a misspelt field does
    /// not reveal the names near it (the schema itself stays open to introspection).
    #[arg(long, env = "KHARTOUM_GRAPHQL_NO_SUGGESTIONS")]
    pub no_suggestions: bool,
}

/// An address or a CIDR range: a bare address is a range of one.
fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is neither an IP address nor a CIDR range (such as 10.0.0.0/8)"))
}

/// The server loop's limits when no option sets them.
pub const DEFAULT_SERVER_LIMITS: ServerLimits =
    ServerLimits { header_timeout: Duration::from_secs(10), max_connections: 1024, grace: Duration::from_secs(20) };

/// The address `serve` listens on unless told otherwise.
pub const DEFAULT_BIND: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8000);

/// The flag and the environment variable that choose the address: named in the error that a busy
/// port gives.
pub const BIND_FLAG: &str = "--bind";
/// See [`BIND_FLAG`].
pub const BIND_ENV: &str = "KHARTOUM_GRAPHQL_BIND";

/// The settings a command runs with, once the command line is resolved: an option given after the
/// command wins over the same option given before it, then come the environment and the default.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address and port to serve on.
    pub bind: SocketAddr,
    /// Directory of the embedded store.
    pub data_dir: PathBuf,
    /// The store: `--store`, or the embedded store in `data_dir`.
    pub store: Location,
    /// Directory of the seed JSON files.
    pub seed_dir: PathBuf,
    /// File of write tokens, if any.
    pub tokens_file: Option<PathBuf>,
    /// Whether to serve the benchmark baseline route.
    #[cfg(feature = "bench-hooks")]
    pub bench_baseline: bool,
    /// The file of trusted documents, if any.
    pub trusted_documents: Option<PathBuf>,
    /// Whether only the trusted documents run.
    pub trusted_only: bool,
    /// The server loop's limits.
    pub server: ServerLimits,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// Longest a request waits for the dataset version it asks for.
    pub min_version_wait: Duration,
    /// Writes the change history keeps.
    pub change_history: u64,
    /// What one WebSocket, and one client address, may hold.
    pub websocket: WsLimits,
    /// The per-client budget and the trusted proxies.
    pub rate_limits: RateLimits,
    /// Whether error messages may suggest names ("Did you mean …?").
    pub suggestions: bool,
}

impl Cli {
    /// Parses the process's command line, exiting with clap's message (or the help) when it is
    /// not one the binary accepts, and resolves it.
    pub fn parse_and_resolve() -> (Command, Config) {
        let matches = Cli::command().get_matches();
        let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        cli.resolve(&matches)
    }

    /// The command to run (`serve` when none is given) and the settings it runs with. `matches`
    /// are the ones this was parsed from: they tell an option typed after the command from one
    /// its environment variable supplied.
    pub fn resolve(self, matches: &ArgMatches) -> (Command, Config) {
        let before = self.serve;
        let command = self.command.unwrap_or_else(|| Command::Serve(ServeArgs::default()));
        let after_matches = matches.subcommand().map(|(_, m)| m);
        let typed_after = |id: &str| {
            after_matches
                .is_some_and(|m| m.try_contains_id(id).is_ok() && m.value_source(id) == Some(ValueSource::CommandLine))
        };
        fn choose<T>(typed_after: bool, after: Option<T>, before: Option<T>) -> Option<T> {
            if typed_after {
                after
            } else {
                before.or(after)
            }
        }
        let pick = |after: Option<PathBuf>, before: Option<PathBuf>, id: &str| choose(typed_after(id), after, before);
        let seconds = |after: Option<u64>, before: Option<u64>, id: &str, default: Duration| {
            choose(typed_after(id), after, before).map_or(default, Duration::from_secs)
        };
        let count = |after: Option<u64>, before: Option<u64>, id: &str, default: usize| {
            choose(typed_after(id), after, before).map_or(default, |n| usize::try_from(n).unwrap_or(usize::MAX))
        };
        // What the command itself was given.
        let (after, data, seed) = match &command {
            Command::Serve(args) => (args.clone(), args.data.clone(), args.seed.clone()),
            Command::Seed { data, seed, .. } => (ServeArgs::default(), data.clone(), seed.clone()),
            Command::CheckSeed { seed } => (ServeArgs::default(), DataDirArg::default(), seed.clone()),
            Command::CheckStore { data } | Command::Export { data, .. } => {
                (ServeArgs::default(), data.clone(), SeedDirArg::default())
            }
            Command::Schema => (ServeArgs::default(), DataDirArg::default(), SeedDirArg::default()),
        };
        let bind = if typed_after("bind") { after.bind } else { before.bind.or(after.bind) };
        let data_dir = pick(data.data_dir, before.data.data_dir, "data_dir").unwrap_or_else(|| PathBuf::from("./data"));
        let store = choose(typed_after("store"), data.store, before.data.store);
        let config = Config {
            bind: bind.unwrap_or(DEFAULT_BIND),
            store: store.unwrap_or_else(|| Location::Sled(data_dir.clone())),
            data_dir,
            seed_dir: pick(seed.seed_dir, before.seed.seed_dir, "seed_dir").unwrap_or_else(|| PathBuf::from("./seed")),
            tokens_file: pick(after.tokens_file.clone(), before.tokens_file.clone(), "tokens_file"),
            #[cfg(feature = "bench-hooks")]
            bench_baseline: after.bench_baseline || before.bench_baseline,
            trusted_documents: pick(
                after.trusted_documents.clone(),
                before.trusted_documents.clone(),
                "trusted_documents",
            ),
            trusted_only: after.trusted_only || before.trusted_only,
            server: ServerLimits {
                header_timeout: seconds(
                    after.header_timeout,
                    before.header_timeout,
                    "header_timeout",
                    DEFAULT_SERVER_LIMITS.header_timeout,
                ),
                max_connections: choose(typed_after("max_connections"), after.max_connections, before.max_connections)
                    .map_or(DEFAULT_SERVER_LIMITS.max_connections, |n| usize::try_from(n).unwrap_or(usize::MAX)),
                grace: seconds(
                    after.shutdown_grace,
                    before.shutdown_grace,
                    "shutdown_grace",
                    DEFAULT_SERVER_LIMITS.grace,
                ),
            },
            request_timeout: choose(typed_after("request_timeout"), after.request_timeout, before.request_timeout)
                .unwrap_or(crate::app::DEFAULT_REQUEST_TIMEOUT),
            min_version_wait: choose(typed_after("min_version_wait"), after.min_version_wait, before.min_version_wait)
                .unwrap_or(crate::app::DEFAULT_MIN_VERSION_WAIT),
            change_history: choose(typed_after("change_history"), after.change_history, before.change_history)
                .unwrap_or(crate::store::DEFAULT_HISTORY_LIMIT),
            websocket: WsLimits {
                max_subscriptions_per_socket: count(
                    after.max_subscriptions_per_socket,
                    before.max_subscriptions_per_socket,
                    "max_subscriptions_per_socket",
                    DEFAULT_WS_LIMITS.max_subscriptions_per_socket,
                ),
                max_sockets_per_address: count(
                    after.max_sockets_per_address,
                    before.max_sockets_per_address,
                    "max_sockets_per_address",
                    DEFAULT_WS_LIMITS.max_sockets_per_address,
                ),
                init_timeout: seconds(
                    after.ws_init_timeout,
                    before.ws_init_timeout,
                    "ws_init_timeout",
                    DEFAULT_WS_LIMITS.init_timeout,
                ),
            },
            rate_limits: RateLimits {
                points_per_minute: choose(typed_after("rate_limit"), after.rate_limit, before.rate_limit)
                    .unwrap_or(DEFAULT_RATE_LIMIT),
                trusted_proxies: if typed_after("trusted_proxy") || before.trusted_proxy.is_empty() {
                    after.trusted_proxy.clone()
                } else {
                    before.trusted_proxy.clone()
                },
            },
            suggestions: !(after.no_suggestions || before.no_suggestions),
        };
        (command, config)
    }
}

/// A request time limit: a number of seconds from 0.01 to 3600, decimals allowed.
fn request_seconds(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if (0.01..=3600.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("'{text}' is not a number of seconds from 0.01 to 3600")),
    }
}

/// The environment variable that holds write tokens, comma-separated. It is read directly rather
/// than through a flag, so that tokens never appear in a process listing.
pub const TOKENS_ENV: &str = "KHARTOUM_GRAPHQL_TOKENS";

impl Config {
    /// The write tokens from the environment and the tokens file.
    pub fn tokens(&self) -> Result<crate::curation::Tokens, crate::curation::TokensError> {
        let list = std::env::var(TOKENS_ENV).ok();
        crate::curation::Tokens::load(list.as_deref(), self.tokens_file.as_deref())
    }
}

/// The commands.
// One value is parsed at start-up and read once: the size of `serve`'s options costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the API (GraphiQL at GET /graphql); the default command. Seeds an empty store first.
    Serve(ServeArgs),
    /// Seed an empty store from the seed files, or reload a seeded one with --replace.
    Seed {
        /// Where the embedded store is.
        #[command(flatten)]
        data: DataDirArg,
        /// Where the seed files are.
        #[command(flatten)]
        seed: SeedDirArg,
        /// Replace whatever the store holds with the seed files.
        #[arg(long)]
        replace: bool,
    },
    /// Validate the seed files and report every problem, without touching the store.
    CheckSeed {
        /// Where the seed files are.
        #[command(flatten)]
        seed: SeedDirArg,
    },
    /// Check that the store is consistent: every index entry points at a record, every record
    /// is in every index it belongs to, and the change history misses no write.
    CheckStore {
        /// Where the embedded store is.
        #[command(flatten)]
        data: DataDirArg,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Write the store's dataset into a directory: as seed files (the default; commit them to
    /// `seed/` to keep what was curated through the API), or as the bulk exports the server offers
    /// at /export/ (CSV, JSON or JSONL tables, cohosts.graphml and manifest.json). Stop the server
    /// first (the store allows one process).
    Export {
        /// Where the embedded store is.
        #[command(flatten)]
        data: DataDirArg,
        /// The directory to write into; created if missing. Existing files of the same names there
        /// are replaced.
        #[arg(long)]
        out: PathBuf,
        /// What to write: `seed` files, or every table as `csv`, `json` or `jsonl`, with the
        /// co-host network (GraphML) and a manifest.
        #[arg(long, value_enum, default_value_t = ExportFormat::Seed)]
        format: ExportFormat,
    },
}

/// The formats of the `export` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The seed files, as `seed/` holds them.
    Seed,
    /// Every table as RFC 4180 CSV.
    Csv,
    /// Every table as a JSON array of objects.
    Json,
    /// Every table as JSON Lines.
    Jsonl,
}
