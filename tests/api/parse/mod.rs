//! Our query parser (`khartoum_graphql::graphql::parse`) against async-graphql's, which it must
//! match exactly: the same document, positions included, or `None` (when async-graphql's parser
//! then reads the text or words its error). Hand-written cases for each feature of the grammar
//! and each quirk of async-graphql's pest grammar, the nesting limits, and differential fuzzing.

mod fuzz;
mod grammar;
mod limits;
mod support;

pub use support::corpus;
