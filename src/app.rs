//! The running service's state: the curator (the store and the read model derived from it) and
//! the schema.
//!
//! The read model is rebuilt only from what the store returns and swapped in whole, so readers
//! always see one committed state and nothing writes to it directly.

use crate::catalog::Catalog;
use crate::curation::{Curator, Tokens};
use crate::export::ExportCache;
use crate::graphql::engine::Engine;
use crate::seed::{self, SeedError};
use crate::store::{Backend, Location, Store, StoreError};
use std::path::Path;
use std::sync::Arc;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store is empty and the seed files could not be loaded.
    #[error("the store is empty and cannot be seeded: {0}")]
    Seed(#[from] SeedError),
}

/// Everything a request needs. Shared by all requests behind an `Arc`.
pub struct App {
    /// The store, the read model, and the one writer that changes them.
    pub curator: Arc<Curator>,
    /// The GraphQL schema behind the published limits, with its cache of parsed documents and
    /// its persisted documents.
    pub engine: Engine,
    /// The bulk exports of the dataset being served, rendered once per dataset version.
    pub exports: ExportCache,
    /// The benchmark baseline route's stored answers; off unless `--bench-baseline` is given.
    #[cfg(feature = "bench-hooks")]
    pub bench_baseline: crate::baseline::Baselines,
    /// Longest a request may take before it is answered 408 (`--request-timeout`).
    pub request_timeout: std::time::Duration,
    /// Longest a request that asks for at least a dataset version waits for it
    /// (`--min-version-wait`).
    pub min_version_wait: std::time::Duration,
}

/// Longest a request may take unless `--request-timeout` says otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Longest a request waits for the dataset version it asks for unless `--min-version-wait` says
/// otherwise: within the request time limit, so that the wait ends in its own answer.
pub const DEFAULT_MIN_VERSION_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl App {
    /// Opens the store in `data_dir`, seeds it from `seed_dir` if it holds no dataset, and builds
    /// the read model. An existing store is never reseeded; if the seed files have changed since,
    /// one log line says so.
    pub fn open(data_dir: &Path, seed_dir: &Path, tokens: Tokens) -> Result<App, AppError> {
        let store = Store::open(data_dir)?;
        let Some(meta) = store.meta()? else {
            let seed = seed::load(seed_dir)?;
            let meta = store.replace_all(&seed.dataset, &seed.version)?;
            tracing::info!(version = %meta.version, seed_dir = %seed_dir.display(), "seeded an empty store");
            return Self::from_store(store, tokens);
        };
        if store.upgrade_indexes()? {
            tracing::info!("rebuilt the store's indexes for this build's layout");
        }
        // Unchanged seed files cost a digest of their bytes (0.2 s for the 96 MB of 1000× the
        // record); only files whose digest differs, or that cannot be read, are loaded.
        if !seed::version_of(seed_dir).is_ok_and(|v| v == meta.seed_version) {
            warn_about_changed_seed(seed_dir, &meta.seed_version);
        }
        Self::from_store(store, tokens)
    }

    /// Opens the store at `location` and builds the read model: an embedded store as
    /// [`App::open`] does; an etcd cluster must hold a dataset (seeding a cluster is one
    /// operator's step, `khartoum-graphql seed --store etcd:…`, not every replica's), and the read
    /// model then follows what other servers write.
    pub fn open_at(location: &Location, seed_dir: &Path, tokens: Tokens) -> Result<App, AppError> {
        match location {
            Location::Sled(dir) => Self::open(dir, seed_dir, tokens),
            Location::Etcd(endpoints) => {
                let store = Backend::open(location)?;
                if store.meta()?.is_none() {
                    return Err(StoreError::EtcdEmpty(endpoints.join(",")).into());
                }
                Self::from_backend(store, tokens)
            }
        }
    }

    /// Wraps an already seeded embedded store.
    pub fn from_store(store: Store, tokens: Tokens) -> Result<App, AppError> {
        Self::from_backend(Backend::Sled(store), tokens)
    }

    /// Wraps an already seeded store.
    pub fn from_backend(store: Backend, tokens: Tokens) -> Result<App, AppError> {
        Ok(App {
            curator: Curator::new(store, tokens)?,
            engine: Engine::new(),
            exports: ExportCache::default(),
            #[cfg(feature = "bench-hooks")]
            bench_baseline: Default::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            min_version_wait: DEFAULT_MIN_VERSION_WAIT,
        })
    }

    /// The store.
    pub fn store(&self) -> &Backend {
        self.curator.store()
    }

    /// The read model as of now. Requests hold on to it for their whole execution.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.curator.catalog()
    }

    /// Rebuilds the read model from the store and swaps it in.
    pub fn reload(&self) -> Result<(), StoreError> {
        self.curator.reload()
    }
}

/// Says in the log how the seed files in `seed_dir`, which are not the ones the store was seeded
/// from (`seeded`), differ: they load and have another version, or they cannot be loaded. Only
/// called when their digest differs or they cannot be read, so the cost of loading them is paid
/// only then.
fn warn_about_changed_seed(seed_dir: &Path, seeded: &str) {
    match seed::load(seed_dir) {
        Ok(seed) if seed.version != seeded => tracing::warn!(
            store_seed_version = %seeded,
            seed_files_version = %seed.version,
            "the seed files differ from the ones this store was seeded from; \
             run `khartoum-graphql seed --replace` to reload them"
        ),
        Ok(_) => {}
        Err(e) => {
            // One log line per problem: a list inside one line would break it.
            let problems = match e {
                SeedError::Invalid(list) => list,
                other => vec![other.to_string()],
            };
            tracing::warn!(
                problems = problems.len(),
                "the seed files cannot be loaded; serving the existing store, unchanged"
            );
            for problem in problems.iter().take(20) {
                tracing::warn!("{problem}");
            }
        }
    }
}
