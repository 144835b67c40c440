//! Hand-written documents for each feature of the grammar, and for pest's quirks.

use super::support::{compare, Outcome};
use khartoum_graphql::graphql::parse::parse_query;

fn all_same(cases: &[&str]) {
    for case in cases {
        assert_eq!(compare(case), Outcome::Same, "{case:?}");
    }
}

fn all_rejected(cases: &[&str]) {
    for case in cases {
        assert_eq!(compare(case), Outcome::BothRejected, "{case:?}");
    }
}

pub const BLOCK_STRINGS: &[&str] = &[
    "{ f(a: \"\"\"\n    hello\n      world\n    \"\"\") }",
    "{ f(a: \"\"\"first line\n   second\n     third\n\n  \n\"\"\") }",
    "{ f(a: \"\"\"a \\\"\"\" b \\\\\"\"\" c\"\"\") }",
    "{ f(a: \"\"\"\r\n\tx\r\n\t  y\r\t\n\"\"\") }",
    "{ f(a: \"\"\"\"\"\", b: \"\"\"  \"\"\", c: \"\"\"\n\n\"\"\") }",
    "{ f(a: \"\"\"  é ünïcödé \u{1F600}\n  \u{feff}x\"\"\") g }",
    "{ f(a: \"\"\"\\n is not an escape \\u0041\"\"\") }",
    "{ f(a: \"\"\"\n        deep\n  shallow\n      \n \"\"\") }",
    // Unterminated: read as `""` and then the string `"abc"`.
    "{ f(a: [\"\"\"abc\"]) }",
];

pub const STRINGS: &[&str] = &[
    r#"{ f(a: "plain", b: "", c: "quote \" slash \/ backslash \\ \b\f\n\r\t") }"#,
    r#"{ f(a: "\u00e9\u2A1a\uD7FF\uE000\uffff\u0000") }"#,
    "{ f(a: \"tab\there, nul \u{0}, bell \u{7}, é, 中文, \u{1F600}\") }",
    r##"{ f(a: "#not a comment", b: "a,b") }"##,
];

pub const NUMBERS: &[&str] = &[
    "{ f(a: 0, b: -0, c: 1, d: -1, e: 1234567890, f: -9223372036854775808, g: 18446744073709551615) }",
    "{ f(a: 1.5, b: -0.25, c: 1e10, d: 1E+10, e: -1.5e-3, f: 0.0, g: 1e308, h: 5e-324) }",
    "{ f(a: 123456789012345678901234567890, b: 18446744073709551616, c: -9223372036854775809) }",
    // `int` stops after a leading 0, so these are two numbers each.
    "{ f(a: [0123, -01, 00.5]) }",
    "{ f(a: [1 2,3,,4]) }",
];

pub const VALUES: &[&str] = &[
    "{ f(a: [], b: {}, c: [[]], d: [{}], e: null, f: true, g: false, h: ENUM, i: _x) }",
    "{ f(a: {x: 1, y: [2, {z: null}], x: 3}) }",
    "query($v: Int, $w: [Int]) { f(a: [$v, $w, {v: $v, l: [$w]}], b: $v) }",
    // `true`, `false` and `null` are literal prefixes, never the start of an enum value.
    "{ f(a: [nullable truefalse falsey true_ null1]) }",
    "{ f(a: trueb: 1) }",
    "{ f(true: 1, null: 2, on: 3, query: 4, fragment: 5) }",
    "{ f(a: $ v, b: $#comment\nw) }",
];

pub const VARIABLES: &[&str] = &[
    "query Q($a: Int, $b: Int!, $c: [Int], $d: [Int!]!, $e: [[Int]!]) { f }",
    "query Q($a: Int = 1, $b: [String!]! = [\"x\"], $c: In = {a: {b: [1.5, ENUM, null]}}) { f }",
    "query Q($a: Int @d, $b: Int @d(x: 1) @e = 2, $c: Int @d(x: $a)) { f }",
    "query Q() { f }",
    "query Q($a:Int=1$b:Int=2) { f }",
    "query Q( $a : Int = 1 , ) { f }",
];

pub const DIRECTIVES: &[&str] = &[
    "query Q @a @b(x: 1) { f @c g @d(if: true) { h } }",
    "query Q($v: Boolean!) @a(x: $v) { ...F @skip(if: $v) ... @include(if: $v) { f } ... on T @a { g } }\nfragment F on T @x(y: [1]) { f }",
    "mutation M @a { f }",
    "subscription S @ a ( b : 1 ) { f }",
    "{ f @a(x: {y: [$z]}) }",
];

pub const SELECTIONS: &[&str] = &[
    "{ a b c }",
    "{ alias: field(arg: 1) { x y: z } }",
    "{ a : b, c:d }",
    "{ ... on T { a } ... { b } ...F ...G @d }",
    "{ ...on\nT { a } }",
    "{ ...on\u{feff}T { a } }",
    "{ ...onT }",
    // A comment may not follow `on` in a type condition: this spreads `on`, then selects `T`.
    "{ ... on#c\nT { a } }",
    "{ ...on }",
    "{ __typename a: __typename }",
];

pub const OPERATIONS: &[&str] = &[
    "query { a }",
    "query Q { a }",
    "mutation { a }",
    "mutation M { a }",
    "subscription { a }",
    "subscription S { a }",
    "query A { a } query B { b } mutation C { c } subscription D { d }",
    "fragment F on T { a } query Q { ...F } fragment G on T { ...F }",
    "{ ...F } fragment F on T { a }",
    "fragment F on T { a } { ...F }",
    // Keywords are literal prefixes: these are the query `Q` and the fragment `F`.
    "queryQ { a }",
    "fragmentF on T { a } { ...F }",
    "query query { query } fragment fragment on on { on }",
];

pub const WHITESPACE: &[&str] = &[
    ",{,a,,b(,x:,1,),}",
    "\u{feff}{ a }",
    "{\u{feff}a\u{feff}b }",
    "# comment\n{ a # comment\n b } # trailing",
    "# comment with é and 中文 \u{1F600}\n{ a }",
    "{\r\n  a\r\n  b(x: \"é\")\r\n}",
    "{\r  a\r  b\r}",
    "{\n\ta\n\t\tb(x: 1)\n}",
    "{ a #\r b #\r\n c }",
    "query Q(\n  $a: Int\n) {\n  f(x: \"é\u{1F600}\", y: \"ü\") g\n}",
];

const INVALID: &[&str] = &[
    "",
    "   # only a comment",
    "{}",
    "{ a(} }",
    "{ a() }",
    "{ a",
    "query Q { a } query Q { b }",
    "{ a } { b }",
    "{ a } query Q { b }",
    "query Q { b } { a }",
    "query { a } query { b }",
    "fragment F on T { a } fragment F on T { b } { ...F }",
    "fragment F on T { a }",
    "query($a: Int = 1 @d) { a }",
    "query($a: [ Int ]) { a }",
    "query($a: Int !) { a }",
    "query($a: Int = $b) { a }",
    "{ a(x: \"\\uD83D\\uDE00\") }",
    "{ a(x: \"\\u12\") }",
    "{ a(x: \"\\x\") }",
    "{ a(x: \"line\nbreak\") }",
    "{ a(x: \"unterminated) }",
    "{ a(x: 1e400) }",
    "{ a(x: 1abc) }",
    "{ a(x: 1.5e) }",
    "{ a(x: 1.) }",
    "{ a(x: -) }",
    "{ a(x: +1) }",
    "{ a(x: 0123) }",
    "{ ... on T }",
    "{ ... on {a} }",
    "{ ... }",
    "fragment F onT { a } { ...F }",
    "fragment F on#c\nT { a } { ...F }",
    "{ a(x: [1,) }",
    "{ a(x: {b}) }",
    "{ a(x: {b: }) }",
    "query Q @ { a }",
    "{ a } }",
    "{ a } garbage",
    "{ . . . F }",
    "{ a(x: . ) }",
    "{ é: a }",
    "{ a(x: \"\"\"never closed) }",
];

#[test]
fn block_strings_strip_common_indentation_and_keep_escaped_quotes() {
    all_same(BLOCK_STRINGS);
}

#[test]
fn strings_unescape_like_async_graphql() {
    all_same(STRINGS);
}

#[test]
fn numbers_become_the_same_serde_json_numbers() {
    all_same(NUMBERS);
}

#[test]
fn lists_objects_enums_booleans_nulls_and_variables() {
    all_same(VALUES);
}

#[test]
fn variable_definitions_with_types_defaults_and_directives() {
    all_same(VARIABLES);
}

#[test]
fn directives_on_operations_fields_fragments_and_variables() {
    all_same(DIRECTIVES);
}

#[test]
fn fields_aliases_and_fragments() {
    all_same(SELECTIONS);
}

#[test]
fn operation_kinds_and_definition_orders() {
    all_same(OPERATIONS);
}

#[test]
fn whitespace_commas_comments_bom_line_endings_and_unicode_columns() {
    all_same(WHITESPACE);
}

#[test]
fn documents_pest_refuses_return_none() {
    all_rejected(INVALID);
}

#[test]
fn positions_count_characters_and_cr_does_not_start_a_line() {
    use async_graphql::parser::types::{DocumentOperations, Selection};
    use async_graphql::Pos;

    let doc = parse_query("# ü\r{ a\r\n\u{feff}\tb(x: \"é\") }").expect("a valid query");
    let DocumentOperations::Single(op) = &doc.operations else { panic!("one anonymous operation") };
    assert_eq!(op.pos, Pos { line: 1, column: 1 }, "`\\r` resets the column only");
    let fields: Vec<_> = op
        .node
        .selection_set
        .node
        .items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => field,
            _ => panic!("only fields"),
        })
        .collect();
    assert_eq!(fields[0].pos, Pos { line: 1, column: 3 });
    assert_eq!(fields[1].pos, Pos { line: 2, column: 3 }, "the BOM and the tab are one column each");
    assert_eq!(fields[1].node.arguments[0].1.pos, Pos { line: 2, column: 8 });
    assert_eq!(fields[0].node.selection_set.pos, Pos { line: 0, column: 0 }, "a leaf field's empty selection set");
    assert_eq!(compare("# ü\r{ a\r\n\u{feff}\tb(x: \"é\") }"), Outcome::Same);
}

#[test]
fn every_real_query_parses_to_the_same_document() {
    let corpus = super::support::corpus();
    assert!(corpus.len() > 20, "only {} real queries", corpus.len());
    for (name, text) in corpus {
        assert_eq!(compare(&text), Outcome::Same, "{name}");
    }
}
