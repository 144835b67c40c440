//! The direct path: a query over the read model, run without async-graphql's executor, by the
//! same resolvers, with its answer written straight to JSON.
//!
//! Why: async-graphql resolves every field through a boxed future, builds the answer as a tree of
//! `IndexMap`s keyed by SipHash, and only then serialises it. On a frontend's list page, that
//! machinery was about two thirds of the server's CPU time per request and our resolvers 3%
//! (issue 7). Our resolvers read memory and never wait, so none of it is needed to run them.
//!
//! How: each type the path covers implements [`Object`], a `match` from a field's name to the
//! plain method that holds the field's body, which the type's async-graphql resolver calls too;
//! arguments are read as async-graphql reads them ([`Field::arg`]). The walk over the selection
//! set mirrors async-graphql's: fragments by type condition, `@skip` and `@include`,
//! `__typename`, an object with no field selected answered as `null`, a repeated leaf answered
//! once.
//!
//! What it leaves to async-graphql, by stepping aside ([`Bail`]) before anything is sent:
//! anything that is not a query, a document that does not validate (the engine validates a
//! document before it sends the first direct answer to it, [`super::engine::Engine::direct`]),
//! introspection other than `__typename`, a field or type it
//! does not cover, a directive other than `@skip` and `@include`, an object field selected twice
//! under one name (async-graphql merges them), a variable or argument that does not read, and
//! any field error: a field that fails, fails on the general path, which reports it with its
//! path and nulls what the specification says. So
//! the direct path answers only what the general path would answer without an error, and it
//! answers it with the same bytes: in debug builds, which the tests run, the transport checks
//! every direct answer against the general executor's (`graphql_http::answer_query`).

use super::pagination::PageArgs;
use super::shape::SchemaShape;
use async_graphql::parser::types::{self as ast, ExecutableDocument, OperationDefinition, Selection, SelectionSet};
use async_graphql::{InputType, OutputType, Positioned, Value as ConstValue, Variables};

/// Why the direct path stepped aside for async-graphql's executor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bail(pub &'static str);

/// The outcome of writing one value.
pub type Written = Result<(), Bail>;

/// A GraphQL object type the direct path can write. Its name is async-graphql's
/// ([`OutputType::introspection_type_name`]: for an interface value, that of the type behind it),
/// so `__typename` and fragments see the types async-graphql sees.
pub trait Object {
    /// Writes the value of one field of this object (never `__typename`), or steps aside.
    fn field(&self, field: &mut Field<'_, '_>) -> Written;
}

/// A value a field can return.
pub trait Output {
    /// Writes the value, with the selection set of its field (empty for a leaf).
    fn write<'a>(&self, selection: &'a SelectionSet, exec: &mut Exec<'a>) -> Written;
}

/// One run of the direct path: the document, the operation, the variables, and the answer
/// being written.
pub struct Exec<'a> {
    doc: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    shape: &'a SchemaShape,
    out: Vec<u8>,
    /// The response keys written so far in each object being written, innermost last.
    keys: Vec<&'a str>,
}

/// Runs a query operation of a validated document against `root`, the fields of `Query`, and
/// returns the JSON of its `data`; or steps aside.
pub fn execute(
    doc: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    shape: &SchemaShape,
    root: &impl Object,
) -> Result<Vec<u8>, Bail> {
    if operation.ty != ast::OperationType::Query {
        return Err(Bail("not a query"));
    }
    let mut exec = Exec { doc, operation, variables, shape, out: Vec::with_capacity(8 * 1024), keys: Vec::new() };
    exec.object_named(root, &super::Query::type_name(), &operation.selection_set.node)?;
    Ok(exec.out)
}

impl<'a> Exec<'a> {
    /// Writes a JSON string.
    fn string(&mut self, s: &str) {
        json_string(&mut self.out, s);
    }

    /// Writes a value of async-graphql's, as a scalar or an enum serialises.
    fn value(&mut self, value: &ConstValue) {
        let _ = serde_json::to_writer(&mut self.out, value);
    }

    /// Writes an enum's value by its GraphQL name, found as async-graphql's `enum_value` finds it
    /// but without making a `Name` (an allocation) only to serialise it.
    pub fn enumeration<E: async_graphql::EnumType>(&mut self, value: E) {
        match E::items().iter().find(|item| item.value == value) {
            Some(item) => self.string(item.name),
            // Every value is among its type's items; were one not, this does what async-graphql
            // does with it, rather than write nothing.
            None => self.value(&async_graphql::resolver_utils::enum_value(value)),
        }
    }

    /// Writes an object: its fields in the order selected, or `null` when none is selected, as
    /// async-graphql answers an object with no field.
    pub fn object<O: Object + OutputType>(&mut self, object: &O, selection: &'a SelectionSet) -> Written {
        self.object_named(object, &object.introspection_type_name(), selection)
    }

    /// Writes an object of the type named `name`.
    fn object_named<O: Object + ?Sized>(&mut self, object: &O, name: &str, selection: &'a SelectionSet) -> Written {
        let start = self.out.len();
        let keys = self.keys.len();
        self.out.push(b'{');
        self.collect(object, name, selection, keys)?;
        if self.keys.len() == keys {
            self.out.truncate(start);
            self.out.extend_from_slice(b"null");
        } else {
            self.out.push(b'}');
        }
        self.keys.truncate(keys);
        Ok(())
    }

    /// Writes the fields of a selection set that apply to an object of the type named `name`,
    /// fragments spread.
    fn collect<O: Object + ?Sized>(
        &mut self,
        object: &O,
        name: &str,
        selection: &'a SelectionSet,
        keys: usize,
    ) -> Written {
        for item in &selection.items {
            if self.skipped(item.node.directives())? {
                continue;
            }
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.as_str();
                    if self.keys[keys..].contains(&key) {
                        // Validation made both the same field with the same arguments, so a leaf
                        // has the same value twice, and async-graphql keeps the first. An object's
                        // two selections would have to be merged.
                        if field.selection_set.node.items.is_empty() {
                            continue;
                        }
                        return Err(Bail("an object field selected twice under one name"));
                    }
                    if self.keys.len() > keys {
                        self.out.push(b',');
                    }
                    self.keys.push(key);
                    self.string(key);
                    self.out.push(b':');
                    match field.name.node.as_str() {
                        "__typename" => self.string(name),
                        other if other.starts_with("__") => return Err(Bail("introspection")),
                        _ => object.field(&mut Field { exec: self, field, parent: name })?,
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let fragment = self.doc.fragments.get(&spread.node.fragment_name.node).ok_or(Bail("a fragment"))?;
                    if self.shape.is_a(name, &fragment.node.type_condition.node.on.node) {
                        self.collect(object, name, &fragment.node.selection_set.node, keys)?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    let applies =
                        inline.node.type_condition.as_ref().is_none_or(|c| self.shape.is_a(name, &c.node.on.node));
                    if applies {
                        self.collect(object, name, &inline.node.selection_set.node, keys)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `@skip` or `@include` leaves a selection out. async-graphql decides it before it
    /// runs, from the request's variables alone (not their defaults); a condition that is not a
    /// boolean is one its validation may refuse, so the direct path steps aside for it.
    fn skipped(&self, directives: &[Positioned<ast::Directive>]) -> Result<bool, Bail> {
        for directive in directives {
            let include = match directive.node.name.node.as_str() {
                "skip" => false,
                "include" => true,
                _ => return Err(Bail("a directive")),
            };
            let Some(condition) = directive.node.get_argument("if") else { continue };
            let value = condition
                .node
                .clone()
                .into_const_with(|name| self.variables.get(&name).cloned().ok_or(()))
                .map_err(|_| Bail("a directive's variable"))?;
            if include != bool::parse(Some(value)).map_err(|_| Bail("a directive's condition"))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The value of a variable, or its default, as async-graphql reads it.
    fn variable(&self, name: &str) -> Result<ConstValue, Bail> {
        let definition = self
            .operation
            .variable_definitions
            .iter()
            .find(|d| d.node.name.node == name)
            .ok_or(Bail("an undeclared variable"))?;
        self.variables
            .get(&definition.node.name.node)
            .or_else(|| definition.node.default_value())
            .cloned()
            .ok_or(Bail("a missing variable"))
    }
}

/// One field being written: what an [`Object`] reads its name and arguments from, and writes its
/// value with.
pub struct Field<'x, 'a> {
    exec: &'x mut Exec<'a>,
    field: &'a ast::Field,
    /// The name of the object's type.
    parent: &'x str,
}

impl Field<'_, '_> {
    /// The field's name in the schema.
    pub fn name(&self) -> &str {
        &self.field.name.node
    }

    /// An argument, read as async-graphql reads it: variables put in, the schema's default when
    /// it is absent, then the type's own parser.
    pub fn arg<T: InputType>(&self, name: &str) -> Result<T, Bail> {
        let exec = &*self.exec;
        let field = self.field.name.node.as_str();
        let value = match self.field.get_argument(name) {
            Some(value) => {
                let value = value.node.clone().into_const_with(|var| exec.variable(&var))?;
                if !exec.shape.arg_fits(self.parent, field, name, &value) {
                    return Err(Bail("an input object with a field its type lacks"));
                }
                Some(value)
            }
            None => exec.shape.arg_default(self.parent, field, name).cloned(),
        };
        T::parse(value).map_err(|_| Bail("an argument that does not read"))
    }

    /// The paging arguments of a connection field: `first`, `after`, `last` and `before`.
    pub fn page(&self) -> Result<PageArgs, Bail> {
        Ok(PageArgs {
            first: self.arg("first")?,
            after: self.arg("after")?,
            last: self.arg("last")?,
            before: self.arg("before")?,
        })
    }

    /// Writes the field's value.
    pub fn put(&mut self, value: impl Output) -> Written {
        value.write(&self.field.selection_set.node, self.exec)
    }

    /// Steps aside: a field this type does not cover on the direct path.
    pub fn uncovered(&self) -> Written {
        Err(Bail("a field the direct path does not cover"))
    }
}

impl Output for str {
    fn write<'a>(&self, _: &'a SelectionSet, exec: &mut Exec<'a>) -> Written {
        exec.string(self);
        Ok(())
    }
}

impl Output for String {
    fn write<'a>(&self, selection: &'a SelectionSet, exec: &mut Exec<'a>) -> Written {
        self.as_str().write(selection, exec)
    }
}

impl<T: Output + ?Sized> Output for &T {
    fn write<'a>(&self, selection: &'a SelectionSet, exec: &mut Exec<'a>) -> Written {
        (**self).write(selection, exec)
    }
}

impl Output for bool {
    fn write<'a>(&self, _: &'a SelectionSet, exec: &mut Exec<'a>) -> Written {
        exec.out.extend_from_slice(if *self { b"true" } else { b"false" });
        Ok(())
    }
}

impl Output for i32 {
    fn write<'a>(&self, _: &'a SelectionSet, exec: &mut Exec<'a>) -> Written {
        let _ = serde_json::to_writer(&mut exec.out, self);
        Ok(())
    }
}

impl<T: Output> Output for Option<T> {
    fn write<'a>(&self, selection: &'a SelectionSet, exec: &mut Exec<'a>) -> Written {
        match self {
            Some(value) => value.write(selection, exec),
            None => {
                exec.out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }
}

impl<T: Output> Output for Vec<T> {
    fn write<'a>(&self, selection: &'a SelectionSet, exec: &mut Exec<'a>) -> Written {
        exec.out.push(b'[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                exec.out.push(b',');
            }
            item.write(selection, exec)?;
        }
        exec.out.push(b']');
        Ok(())
    }
}

/// A field error: the general path reports it, with its path.
impl<T: Output> Output for super::error::ApiResult<T> {
    fn write<'a>(&self, selection: &'a SelectionSet, exec: &mut Exec<'a>) -> Written {
        match self {
            Ok(value) => value.write(selection, exec),
            Err(_) => Err(Bail("a field error")),
        }
    }
}

/// Scalars, written as async-graphql writes them: their value, serialised.
macro_rules! scalar_output {
    ($($ty:ty),* $(,)?) => {$(
        impl Output for $ty {
            fn write<'a>(&self, _: &'a SelectionSet, exec: &mut Exec<'a>) -> Written {
                exec.value(&async_graphql::ScalarType::to_value(self));
                Ok(())
            }
        }
    )*};
}

scalar_output!(async_graphql::ID, crate::domain::PartialDate, super::scalars::Date, super::scalars::DateTime);

/// Enums, written by their GraphQL names.
macro_rules! enum_output {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::graphql::direct::Output for $ty {
            fn write<'a>(
                &self,
                _: &'a async_graphql::parser::types::SelectionSet,
                exec: &mut $crate::graphql::direct::Exec<'a>,
            ) -> $crate::graphql::direct::Written {
                exec.enumeration(*self);
                Ok(())
            }
        }
    )*};
}

pub(crate) use enum_output;

/// Object types: their selection written by [`Exec::object`].
macro_rules! object_output {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::graphql::direct::Output for $ty {
            fn write<'a>(
                &self,
                selection: &'a async_graphql::parser::types::SelectionSet,
                exec: &mut $crate::graphql::direct::Exec<'a>,
            ) -> $crate::graphql::direct::Written {
                exec.object(self, selection)
            }
        }
    )*};
}

pub(crate) use object_output;

/// Writes `s` as a JSON string, byte for byte as serde_json writes it (which is how async-graphql's
/// answers are written).
fn json_string(out: &mut Vec<u8>, s: &str) {
    // Nearly every string of the record needs no escaping, and serde_json checks that a byte at a
    // time: it was the largest single cost of writing a list page. This test has no early exit,
    // so the compiler checks many bytes at once; a string that passes is copied whole. It looks
    // for exactly the bytes serde_json escapes: control characters, the quote and the backslash.
    let plain = !s.bytes().fold(false, |escape, b| escape | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if plain {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // serde_json writes to a Vec without failing.
        let _ = serde_json::to_writer(out, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_exactly_as_serde_json_writes_them() {
        let mut cases: Vec<String> = (0u8..0x80).map(|b| format!("a{}b", b as char)).collect();
        cases.extend(
            [
                "",
                "Khartoum",
                "Addis Ababa \u{2013} \"Valletta\"",
                "line\nbreak\ttab",
                "back\\slash",
                "\u{7f}\u{80}é→🙂",
            ]
            .map(str::to_owned),
        );
        // Long strings, so that the test covers the wide loop and its tail.
        cases.push("x".repeat(100));
        cases.push(format!("{}\"{}", "y".repeat(70), "z".repeat(9)));
        cases.push(format!("{}\u{1}", "w".repeat(64)));
        for case in cases {
            let mut ours = Vec::new();
            json_string(&mut ours, &case);
            assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&case).unwrap(), "{case:?}");
        }
    }
}
