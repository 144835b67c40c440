//! Behaviour tests through the public interface: GraphQL and HTTP on the production router,
//! the CLI binary, and the store, each test on its own temporary store.

mod helpers;

mod cli;
mod contract;
mod curation;
mod dataset;
mod durability;
mod errors;
mod http;
mod journalists;
mod meetings;
mod nodes;
mod process;
mod readme;
mod seed_export;
mod seed_validation;
mod store;
