//! Behaviour tests through the public interface: GraphQL and HTTP on the production router,
//! the CLI binary, the store, and the pages in a real browser, each test on its own temporary
//! store.

mod helpers;
mod js;

mod bench_baseline;
mod browser;
mod cli;
mod conformance;
mod container;
mod contract;
mod curation;
mod dataset;
mod disk;
mod durability;
mod errors;
mod exports;
mod faults;
mod first_run;
mod fuzz;
mod graphiql;
mod graphql_over_http;
mod hostile;
mod hostile_writes;
mod http;
mod journalist_queries;
mod journalists;
mod landing;
mod meetings;
mod names;
mod nginx;
mod nodes;
mod persisted;
mod places;
mod power_cut;
mod process;
mod python_client;
mod readme;
mod seed_export;
mod seed_validation;
mod server_limits;
mod shutdown;
mod standalone;
mod store;
mod store_health;
