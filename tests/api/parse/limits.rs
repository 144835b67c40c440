//! Nesting limits: the same as async-graphql's for selection sets, bounded recursion elsewhere.

use super::support::{compare, Outcome};
use khartoum_graphql::graphql::parse::parse_query;

/// A query whose innermost field sits `levels` selection sets deep.
fn nested_fields(levels: usize) -> String {
    format!("{}x{}", "{ a ".repeat(levels), " }".repeat(levels))
}

#[test]
fn ten_thousand_open_braces_return_none_without_overflowing() {
    assert!(parse_query(&"{".repeat(10_000)).is_none());
    assert!(parse_query(&format!("{{ a(b: {}) }}", "[".repeat(10_000))).is_none());
    assert!(parse_query(&format!("{{ a(b: {}) }}", "{c: ".repeat(10_000))).is_none());
    assert!(parse_query(&format!("query($a: {}Int) {{ a }}", "[".repeat(10_000))).is_none());
    assert!(parse_query(&"{ ... ".repeat(10_000)).is_none());
}

#[test]
fn well_formed_but_too_deep_documents_return_none() {
    assert!(parse_query(&nested_fields(5_000)).is_none());
    let list = format!("{{ a(b: {}1{}) }}", "[".repeat(5_000), "]".repeat(5_000));
    assert!(parse_query(&list).is_none());
}

#[test]
fn selection_sets_nest_exactly_as_deep_as_async_graphql_allows() {
    // async-graphql allows 64 levels below an operation's own selection set.
    assert_eq!(compare(&nested_fields(65)), Outcome::Same);
    assert_eq!(compare(&nested_fields(66)), Outcome::BothRejected);
    let inline = |levels: usize| format!("{}x{}", "{ ... ".repeat(levels), " }".repeat(levels));
    assert_eq!(compare(&inline(65)), Outcome::Same);
    assert_eq!(compare(&inline(66)), Outcome::BothRejected);
    let in_fragment = format!("{{ ...F }} fragment F on T {}", nested_fields(66));
    assert_eq!(compare(&in_fragment), Outcome::BothRejected);
}

#[test]
fn values_and_types_nested_past_our_bound_fall_back_to_pest() {
    let list = |depth: usize| format!("{{ a(b: {}1{}) }}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(compare(&list(128)), Outcome::Same);
    assert_eq!(compare(&list(129)), Outcome::FellBack);
    let ty = |depth: usize| format!("query($v: {}Int{}) {{ a }}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(compare(&ty(128)), Outcome::Same);
    assert_eq!(compare(&ty(129)), Outcome::FellBack);
}

#[test]
fn the_deepest_document_we_accept_fits_a_small_stack() {
    // 65 levels of selection sets, then a value of 128 nested lists in an argument, and a type of
    // 128 nested lists: our recursion is bounded by these limits whatever the input. This needs
    // about 800 KiB in a debug build, under 200 KiB in release; threads get 2 MiB by default.
    let value = format!("{}1{}", "[".repeat(128), "]".repeat(128));
    let ty = format!("{}Int{}", "[".repeat(128), "]".repeat(128));
    let query = format!("query($v: {ty}) {}x(a: {value}){}", "{ a ".repeat(65), " }".repeat(65));
    let parsed = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || parse_query(&query).is_some())
        .expect("a thread")
        .join()
        .expect("no stack overflow");
    assert!(parsed);
}
