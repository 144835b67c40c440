//! How much memory a parsed document holds: the bytes of every allocation its tree owns, counted
//! by walking it. The cache of parsed documents is bounded by this figure rather than by the
//! length of the texts, because what a text costs once parsed depends on its shape, not its
//! length: a text of bare one-letter fields takes a hundred times its length, a text of long
//! string arguments about its length, a comment nothing.
//!
//! The walk counts what each vector, map and name asks the allocator for (by their capacities),
//! not the allocator's own rounding and bookkeeping, which depend on the allocator. A test
//! compares the figure with what a parse really allocates.

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, FragmentDefinition, OperationDefinition, Selection,
    SelectionSet, Type, TypeCondition, VariableDefinition,
};
use async_graphql::parser::Positioned;
use async_graphql::Name;
use async_graphql_value::{ConstValue, Value};
use std::collections::HashMap;
use std::mem::size_of;

/// The bytes of memory a parsed document holds, the document itself included (it is kept behind
/// an `Arc`).
pub fn parsed_bytes(document: &ExecutableDocument) -> usize {
    let operations = match &document.operations {
        DocumentOperations::Single(operation) => operation_bytes(&operation.node),
        DocumentOperations::Multiple(operations) => {
            map_bytes(operations)
                + operations.iter().map(|(name, op)| shared_str_bytes(name) + operation_bytes(&op.node)).sum::<usize>()
        }
    };
    let fragments = map_bytes(&document.fragments)
        + document
            .fragments
            .iter()
            .map(|(name, fragment)| shared_str_bytes(name) + fragment_bytes(&fragment.node))
            .sum::<usize>();
    // The `Arc` of the document: two counts and the document.
    2 * size_of::<usize>() + size_of::<ExecutableDocument>() + operations + fragments
}

/// A text behind an `Arc<str>` (a name, or the query text a cache keeps): two counts and the text.
pub fn shared_str_bytes(text: &str) -> usize {
    2 * size_of::<usize>() + text.len()
}

/// The table of a hash map: its buckets and one control byte each, plus a group of trailing
/// control bytes (hashbrown's layout); nothing when it never allocated.
fn map_bytes<K, V>(map: &HashMap<K, V>) -> usize {
    if map.capacity() == 0 {
        return 0;
    }
    // hashbrown keeps at most seven eighths of its buckets full, and has a power of two of them.
    let buckets = (map.capacity() * 8).div_ceil(7).next_power_of_two();
    buckets * (size_of::<(K, V)>() + 1) + 16
}

/// A vector's buffer, by its capacity.
fn vec_bytes<T>(items: &Vec<T>) -> usize {
    items.capacity() * size_of::<T>()
}

fn operation_bytes(operation: &OperationDefinition) -> usize {
    vec_bytes(&operation.variable_definitions)
        + operation.variable_definitions.iter().map(|v| variable_bytes(&v.node)).sum::<usize>()
        + directives_bytes(&operation.directives)
        + selection_set_bytes(&operation.selection_set.node)
}

fn fragment_bytes(fragment: &FragmentDefinition) -> usize {
    type_condition_bytes(&fragment.type_condition.node)
        + directives_bytes(&fragment.directives)
        + selection_set_bytes(&fragment.selection_set.node)
}

fn type_condition_bytes(condition: &TypeCondition) -> usize {
    shared_str_bytes(&condition.on.node)
}

fn variable_bytes(variable: &VariableDefinition) -> usize {
    shared_str_bytes(&variable.name.node)
        + type_bytes(&variable.var_type.node)
        + directives_bytes(&variable.directives)
        + variable.default_value.as_ref().map_or(0, |v| const_value_bytes(&v.node))
}

fn type_bytes(ty: &Type) -> usize {
    match &ty.base {
        async_graphql::parser::types::BaseType::Named(name) => shared_str_bytes(name),
        async_graphql::parser::types::BaseType::List(inner) => size_of::<Type>() + type_bytes(inner),
    }
}

fn directives_bytes(directives: &Vec<Positioned<Directive>>) -> usize {
    vec_bytes(directives)
        + directives
            .iter()
            .map(|d| shared_str_bytes(&d.node.name.node) + arguments_bytes(&d.node.arguments))
            .sum::<usize>()
}

fn arguments_bytes(arguments: &Vec<(Positioned<Name>, Positioned<Value>)>) -> usize {
    vec_bytes(arguments)
        + arguments.iter().map(|(name, value)| shared_str_bytes(&name.node) + value_bytes(&value.node)).sum::<usize>()
}

fn selection_set_bytes(set: &SelectionSet) -> usize {
    vec_bytes(&set.items)
        + set
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    field.alias.as_ref().map_or(0, |a| shared_str_bytes(&a.node))
                        + shared_str_bytes(&field.name.node)
                        + arguments_bytes(&field.arguments)
                        + directives_bytes(&field.directives)
                        + selection_set_bytes(&field.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    shared_str_bytes(&spread.node.fragment_name.node) + directives_bytes(&spread.node.directives)
                }
                Selection::InlineFragment(inline) => {
                    inline.node.type_condition.as_ref().map_or(0, |c| type_condition_bytes(&c.node))
                        + directives_bytes(&inline.node.directives)
                        + selection_set_bytes(&inline.node.selection_set.node)
                }
            })
            .sum::<usize>()
}

/// A value as written in a query: what its strings, names, lists and objects allocate.
fn value_bytes(value: &Value) -> usize {
    match value {
        Value::Variable(name) | Value::Enum(name) => shared_str_bytes(name),
        Value::String(s) => s.capacity(),
        Value::Binary(b) => b.len(),
        Value::List(items) => vec_bytes(items) + items.iter().map(value_bytes).sum::<usize>(),
        Value::Object(fields) => {
            index_map_bytes(fields.capacity(), size_of::<(Name, Value)>())
                + fields.iter().map(|(name, v)| shared_str_bytes(name) + value_bytes(v)).sum::<usize>()
        }
        Value::Null | Value::Number(_) | Value::Boolean(_) => 0,
    }
}

/// A constant value (a variable's default): as [`value_bytes`].
fn const_value_bytes(value: &ConstValue) -> usize {
    match value {
        ConstValue::Enum(name) => shared_str_bytes(name),
        ConstValue::String(s) => s.capacity(),
        ConstValue::Binary(b) => b.len(),
        ConstValue::List(items) => vec_bytes(items) + items.iter().map(const_value_bytes).sum::<usize>(),
        ConstValue::Object(fields) => {
            index_map_bytes(fields.capacity(), size_of::<(Name, ConstValue)>())
                + fields.iter().map(|(name, v)| shared_str_bytes(name) + const_value_bytes(v)).sum::<usize>()
        }
        ConstValue::Null | ConstValue::Number(_) | ConstValue::Boolean(_) => 0,
    }
}

/// An `IndexMap` of `capacity`: its entries (each with its hash) and an index table of `usize`s
/// with a control byte each.
fn index_map_bytes(capacity: usize, entry: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = (capacity * 8).div_ceil(7).next_power_of_two();
    capacity * (entry + size_of::<u64>()) + buckets * (size_of::<usize>() + 1) + 16
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::sync::Arc;

    /// The system allocator, counting on each thread the bytes asked for less the bytes freed,
    /// so that a test can see what one parse keeps.
    struct Counting;

    thread_local! {
        static HELD: Cell<isize> = const { Cell::new(0) };
    }

    fn count(bytes: isize) {
        // `try_with`: a thread being torn down frees after its locals are gone.
        let _ = HELD.try_with(|held| held.set(held.get() + bytes));
    }

    // SAFETY: every call goes to `System` unchanged; the counting touches no allocation.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count(layout.size() as isize);
            // SAFETY: the caller's contract is `System`'s.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            count(-(layout.size() as isize));
            // SAFETY: as above.
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count(new_size as isize - layout.size() as isize);
            // SAFETY: as above.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    /// Parses `text` behind an `Arc`, as the cache keeps it, and returns the document with the
    /// bytes the parse left allocated.
    fn parse_counted(text: &str) -> (Arc<ExecutableDocument>, usize) {
        let before = HELD.with(Cell::get);
        let document = Arc::new(async_graphql::parser::parse_query(text).expect("it parses"));
        let held = HELD.with(Cell::get) - before;
        (document, usize::try_from(held).expect("a parse holds memory"))
    }

    #[test]
    fn the_size_of_a_parsed_document_is_what_its_parse_allocated_whatever_its_shape() {
        let bare = format!("{{{} }}", " a".repeat(4_000));
        let aliases = format!(
            "{{ {} }}",
            (0..50).map(|i| format!("a{i}: coHostPairs(first: 1) {{ count }}")).collect::<Vec<_>>().join(" ")
        );
        let everything = r#"
            query Meetings($first: Int = 5, $filter: MeetingFilter = {kinds: [SENIOR_OFFICIALS], from: "2015"}, $skip: Boolean!)
                @cached {
              meetings(first: $first, filter: $filter, orderBy: START_DESC) @include(if: true) {
                nodes { ...Meeting ... on Meeting @skip(if: $skip) { title summary } }
                pageInfo { endCursor hasNextPage }
              }
              a: search(text: "Khartoum \"Process\" with a long enough string to be its own allocation") { __typename }
              b: meetings(filter: {hosts: ["italy", "egypt", "ethiopia"], text: null, nested: {list: [[1, 2.5], []]}}) { totalCount }
            }
            query Other { dataset { version } }
            fragment Meeting on Meeting @deprecated { slug kind startDate place { name country { name } } hosts { slug } }
        "#;
        let comment = format!("{{ dataset {{ version }} }} #{}", "x".repeat(10_000));
        for (shape, text) in [
            ("bare fields", bare.as_str()),
            ("aliases", &aliases),
            ("everything", everything),
            ("a long comment", &comment),
        ] {
            let (document, held) = parse_counted(text);
            let estimate = parsed_bytes(&document);
            // Within an eighth: the walk follows every allocation the tree owns, and only the
            // hash tables' sizes are derived rather than read.
            assert!(
                estimate * 8 >= held * 7 && estimate * 8 <= held * 9,
                "{shape}: the walk says {estimate} bytes, the parse allocated {held} ({} bytes of text)",
                text.len()
            );
        }
    }
}
