//! # khartoum-graphql
//!
//! A GraphQL API over the public record of the Khartoum Process (the EU-Horn of Africa Migration
//! Route Initiative): the states and organisations in it, their memberships, the chairmanships,
//! every meeting, and the declarations and action plans down to each commitment.
//!
//! # Layout
//!
//! Data flows one way: `seed/` files → [`seed`] (parse and validate) → [`store`] (sled, the only
//! source of truth) → [`catalog`] (an immutable read model derived from the store) →
//! [`graphql`] (schema and resolvers) → [`http`] (axum routes and middleware).
//!
//! - [`domain`]: plain data types and the consistency rules; no sled, JSON or GraphQL.
//! - [`seed`]: reads `seed/*.json`, reports every problem with file, record and field.
//! - [`store`]: sled trees per entity and per index, the versioned codec, all-or-nothing seeding,
//!   and the consistency check.
//! - [`catalog`]: in-memory indexes over one committed state, derived from the previous one and
//!   swapped after a write.
//! - [`graphql`]: one file per GraphQL type, errors with codes, pagination, limits.
//! - [`http`]: the router that production serves and the tests drive.
//! - [`export`]: bulk exports for data journalists: the record as CSV, JSON and JSONL tables, the
//!   co-host network as GraphML, their manifest, and any query's result flattened into a table.
//! - [`app`]: ties store, read model and schema together; [`config`]: the command line.
//! - [`fuzzing`]: the fuzz targets' bodies, shared by `fuzz/` (cargo-fuzz) and the tests.
//!
//! The `bench-hooks` feature adds what only the benchmarks and tests use: the benchmark
//! baseline route (`baseline`), the synthetic data generator (`seed::synthetic`) and the store's
//! `*_for_test` hooks. The tests turn it on (a dev-dependency of the crate on itself); a
//! production build leaves it out.

pub mod app;
#[cfg(feature = "bench-hooks")]
pub mod baseline;
pub mod catalog;
pub mod config;
pub mod curation;
pub mod domain;
pub mod export;
pub mod fuzzing;
pub mod graphql;
pub mod http;
pub mod seed;
pub mod store;
