//! The command line: subcommands and flags, each flag with an environment-variable fallback.

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

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

/// Where the embedded store is.
#[derive(Debug, Clone, Default, Args)]
pub struct DataDirArg {
    /// Directory of the embedded store; `serve` and `seed` create it if missing [default: ./data].
    #[arg(long, env = "KHARTOUM_GRAPHQL_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
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
    #[arg(long, env = "KHARTOUM_GRAPHQL_BENCH_BASELINE", hide = true)]
    pub bench_baseline: bool,
}

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
    /// Directory of the seed JSON files.
    pub seed_dir: PathBuf,
    /// File of write tokens, if any.
    pub tokens_file: Option<PathBuf>,
    /// Whether to serve the benchmark baseline route.
    pub bench_baseline: bool,
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
        let pick = |after: Option<PathBuf>, before: Option<PathBuf>, id: &str| {
            if typed_after(id) {
                after
            } else {
                before.or(after)
            }
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
        let config = Config {
            bind: bind.unwrap_or(DEFAULT_BIND),
            data_dir: pick(data.data_dir, before.data.data_dir, "data_dir").unwrap_or_else(|| PathBuf::from("./data")),
            seed_dir: pick(seed.seed_dir, before.seed.seed_dir, "seed_dir").unwrap_or_else(|| PathBuf::from("./seed")),
            tokens_file: pick(after.tokens_file, before.tokens_file, "tokens_file"),
            bench_baseline: after.bench_baseline || before.bench_baseline,
        };
        (command, config)
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
    /// Check that the store is consistent: every index entry points at a record, and every
    /// record is in every index it belongs to.
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
