//! The command line: subcommands and flags, each flag with an environment-variable fallback.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// A GraphQL API over the public record of the Khartoum Process (EU-Horn of Africa Migration
/// Route Initiative): its members, chairs, meetings, declarations and commitments.
#[derive(Debug, Parser)]
#[command(name = "khartoum-graphql", version)]
pub struct Cli {
    /// Where the data lives.
    #[command(flatten)]
    pub config: Config,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings shared by every command.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to serve on.
    #[arg(long, env = "KHARTOUM_GRAPHQL_BIND", default_value = "127.0.0.1:8000", global = true)]
    pub bind: SocketAddr,
    /// Directory of the embedded store; `serve` and `seed` create it if missing.
    #[arg(long, env = "KHARTOUM_GRAPHQL_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Directory of the seed JSON files an empty store is seeded from.
    #[arg(long, env = "KHARTOUM_GRAPHQL_SEED_DIR", default_value = "./seed", global = true)]
    pub seed_dir: PathBuf,
    /// File of write tokens, one per line (`#` starts a comment). Tokens can also be given,
    /// comma-separated, in the environment variable KHARTOUM_GRAPHQL_TOKENS. Without any token,
    /// the API is read-only.
    #[arg(long, env = "KHARTOUM_GRAPHQL_TOKENS_FILE", global = true)]
    pub tokens_file: Option<PathBuf>,
    /// Serve the benchmark baseline route `/bench/baseline/{name}` (for `bench/run` only; never
    /// in production). Hidden from `--help`.
    #[cfg(feature = "bench-hooks")]
    #[arg(long, env = "KHARTOUM_GRAPHQL_BENCH_BASELINE", hide = true, global = true)]
    pub bench_baseline: bool,
    /// Trusted documents: a JSON object from SHA-256 hash to document text, as graphql-codegen's
    /// client preset writes it (`persisted-documents.json`). Clients may then send
    /// `documentId: "sha256:<hash>"` instead of the text.
    #[arg(long, env = "KHARTOUM_GRAPHQL_TRUSTED_DOCUMENTS", global = true)]
    pub trusted_documents: Option<PathBuf>,
    /// Run only the trusted documents (`--trusted-documents`): every other document is refused
    /// with TRUSTED_DOCUMENTS_ONLY, and clients cannot register new ones.
    #[arg(long, env = "KHARTOUM_GRAPHQL_TRUSTED_ONLY", global = true, requires = "trusted_documents")]
    pub trusted_only: bool,
    /// The limits of the server loop.
    #[command(flatten)]
    pub server: ServerLimits,
}

/// What `serve` allows a connection: the defenses against slow and silent clients.
#[derive(Debug, Clone, Args)]
pub struct ServerLimits {
    /// Seconds a connection may take to send a complete request head, or stay idle between two
    /// requests, before it is closed.
    #[arg(long, env = "KHARTOUM_GRAPHQL_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    pub header_timeout: u64,
    /// Connections served at once; one more is answered 503 with Retry-After and closed. Keep it
    /// below the process's limit of open files (`ulimit -n`).
    #[arg(long, env = "KHARTOUM_GRAPHQL_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000), global = true)]
    pub max_connections: u64,
    /// Seconds that shutdown (SIGTERM, SIGINT, SIGHUP) waits for open connections to finish
    /// before it drops them and exits.
    #[arg(long, env = "KHARTOUM_GRAPHQL_SHUTDOWN_GRACE", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=3600), global = true)]
    pub shutdown_grace: u64,
}

impl ServerLimits {
    /// The limits as the server loop takes them.
    pub fn limits(&self) -> crate::http::server::ServerLimits {
        use std::time::Duration;
        crate::http::server::ServerLimits {
            header_timeout: Duration::from_secs(self.header_timeout),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            grace: Duration::from_secs(self.shutdown_grace),
        }
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
    /// Serve the API (GraphiQL at GET /graphql). Seeds an empty store first.
    Serve,
    /// Seed an empty store from the seed files, or reload a seeded one with --replace.
    Seed {
        /// Replace whatever the store holds with the seed files.
        #[arg(long)]
        replace: bool,
    },
    /// Validate the seed files and report every problem, without touching the store.
    CheckSeed,
    /// Check that the store is consistent: every index entry points at a record, and every
    /// record is in every index it belongs to.
    CheckStore,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Write the store's dataset into a directory: as seed files (the default; commit them to
    /// `seed/` to keep what was curated through the API), or as the bulk exports the server offers
    /// at /export/ (CSV, JSON or JSONL tables, cohosts.graphml and manifest.json). Stop the server
    /// first (the store allows one process).
    Export {
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
