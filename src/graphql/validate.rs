//! A validator for new query documents, conservative by design: it says a document is valid
//! only when it can tell that every rule async-graphql's validation applies passes, and says
//! nothing otherwise, when async-graphql validates the document as before.
//!
//! Why: on a query text the server has never seen, async-graphql's validation was 15–20% of the
//! server's CPU time (issue 7): its visitor runs twenty rules, each looking types up by name in
//! maps hashed with SipHash. This walk does the same checks in one pass over the document,
//! against the [`SchemaShape`] read from the SDL.
//!
//! What "conservative" buys: a document this validator passes is one async-graphql passes too,
//! while the reverse need not hold. Whatever it does not model it refuses, and the engine then
//! asks async-graphql ([`super::engine::Engine::direct`]): operations other than queries,
//! introspection fields, directives other than `@skip` and `@include` on fields and fragments, a
//! variable inside a value that stands for a list of one, a response name selected twice unless
//! both are the same leaf with the same arguments, and anything invalid, whose errors
//! async-graphql words. In debug builds, which the tests run, the engine checks every document
//! this validator passes against async-graphql's validation.
//!
//! Rules, as async-graphql names them: ArgumentsOfCorrectType, DefaultValuesOfCorrectType,
//! FieldsOnCorrectType, FragmentsOnCompositeTypes, KnownArgumentNames, NoFragmentCycles,
//! KnownFragmentNames, KnownTypeNames, NoUndefinedVariables, NoUnusedFragments,
//! NoUnusedVariables, UniqueArgumentNames, UniqueVariableNames, VariablesAreInputTypes,
//! VariableInAllowedPosition, ScalarLeafs, PossibleFragmentSpreads, ProvidedNonNullArguments,
//! KnownDirectives, DirectivesUnique, OverlappingFieldsCanBeMerged (UploadFile concerns only
//! mutations).

use super::scalars;
use super::shape::{Kind, SchemaShape};
use async_graphql::parser::types::{
    BaseType, Directive, ExecutableDocument, Field, OperationType, Selection, SelectionSet, Type,
};
use async_graphql::{Name, Positioned};
use async_graphql_value::Value as AstValue;
// foldhash rather than the standard SipHash: these maps are looked up for every field of every
// new query, and SipHash was 5–6% of the server's CPU on never-seen texts (issue 7).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// Whether `doc` is certainly valid against the schema `shape` describes: `true` only when every
/// rule async-graphql applies passes. `false` says "ask async-graphql", not "invalid".
pub fn is_valid(shape: &SchemaShape, doc: &ExecutableDocument) -> bool {
    Validator { shape, doc, scopes: HashMap::new() }.document().is_some()
}

/// A check that passes (`Some`) or leaves the document to async-graphql (`None`), so that `?`
/// stops the walk at the first doubt.
type Check = Option<()>;

fn ensure(condition: bool) -> Check {
    condition.then_some(())
}

/// Where a variable may be used: an operation (by its place in the document) or a fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Scope<'a> {
    Operation(usize),
    Fragment(&'a str),
}

/// What one scope uses: variables, with the type each place expects, and fragments.
#[derive(Debug, Default)]
struct Uses<'a> {
    variables: Vec<(Name, Type)>,
    spreads: Vec<&'a str>,
}

struct Validator<'a> {
    shape: &'a SchemaShape,
    doc: &'a ExecutableDocument,
    scopes: HashMap<Scope<'a>, Uses<'a>>,
}

/// The type `@skip(if:)` and `@include(if:)` expect.
fn boolean() -> Type {
    Type { base: BaseType::Named(Name::new("Boolean")), nullable: false }
}

impl<'a> Validator<'a> {
    fn document(&mut self) -> Check {
        for (name, fragment) in &self.doc.fragments {
            let fragment = &fragment.node;
            let on = fragment.type_condition.node.on.node.as_str();
            ensure(self.shape.kind(on).is_some_and(Kind::is_composite) && fragment.directives.is_empty())?;
            self.selection_set(Scope::Fragment(name.as_str()), &fragment.selection_set, on)?;
        }
        self.fragments_acyclic()?;
        let mut reached = HashSet::new();
        for (index, (_, operation)) in self.doc.operations.iter().enumerate() {
            let operation = &operation.node;
            ensure(operation.ty == OperationType::Query && operation.directives.is_empty())?;
            let scope = Scope::Operation(index);
            self.selection_set(scope, &operation.selection_set, "Query")?;
            let mut defined: HashMap<&str, Type> = HashMap::new();
            for definition in &operation.variable_definitions {
                let definition = &definition.node;
                let ty = &definition.var_type.node;
                ensure(definition.directives.is_empty())?;
                ensure(self.shape.kind(super::shape::named(ty)).is_some_and(Kind::is_input))?;
                if let Some(default) = &definition.default_value {
                    self.argument(scope, ty, &default.node.clone().into_value())?;
                }
                // A nullable variable with a default stands where a non-null value is expected,
                // as async-graphql's VariableInAllowedPosition has it.
                let usable =
                    Type { base: ty.base.clone(), nullable: ty.nullable && definition.default_value.is_none() };
                ensure(defined.insert(definition.name.node.as_str(), usable).is_none())?;
            }
            // Every use must be of a defined variable, in a place that accepts it, and every
            // defined variable must be used.
            let used = self.reach(scope, &mut reached);
            for &(name, expected) in &used {
                ensure(defined.get(name).is_some_and(|ty| allowed(expected, ty)))?;
            }
            ensure(used.iter().map(|(name, _)| *name).collect::<HashSet<_>>().len() == defined.len())?;
        }
        ensure(reached.len() == self.doc.fragments.len())
    }

    /// The variables `scope` uses, with the fragments it spreads and theirs, each with the type
    /// its place expects; every fragment reached is added to `reached`.
    fn reach(&self, scope: Scope<'a>, reached: &mut HashSet<&'a str>) -> Vec<(&str, &Type)> {
        let mut used = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![scope];
        while let Some(scope) = stack.pop() {
            let Some(uses) = self.scopes.get(&scope) else { continue };
            used.extend(uses.variables.iter().map(|(name, ty)| (name.as_str(), ty)));
            for &spread in &uses.spreads {
                reached.insert(spread);
                if seen.insert(spread) {
                    stack.push(Scope::Fragment(spread));
                }
            }
        }
        used
    }

    /// Refuses a cycle of fragment spreads (NoFragmentCycles), which every later walk would
    /// otherwise have to guard against.
    fn fragments_acyclic(&self) -> Check {
        fn spreads(set: &SelectionSet, out: &mut Vec<Name>) {
            for selection in &set.items {
                match &selection.node {
                    Selection::Field(field) => spreads(&field.node.selection_set.node, out),
                    Selection::InlineFragment(inline) => spreads(&inline.node.selection_set.node, out),
                    Selection::FragmentSpread(spread) => out.push(spread.node.fragment_name.node.clone()),
                }
            }
        }
        let graph: HashMap<&Name, Vec<Name>> = self
            .doc
            .fragments
            .iter()
            .map(|(name, fragment)| {
                let mut out = Vec::new();
                spreads(&fragment.node.selection_set.node, &mut out);
                (name, out)
            })
            .collect();
        // Depth-first, colouring each fragment: on the path (false) or finished (true).
        fn visit<'g>(
            name: &'g Name,
            graph: &'g HashMap<&Name, Vec<Name>>,
            state: &mut HashMap<&'g Name, bool>,
        ) -> Check {
            match state.get(name) {
                Some(true) => return Some(()),
                Some(false) => return None,
                None => {}
            }
            state.insert(name, false);
            for next in graph.get(name).into_iter().flatten() {
                visit(next, graph, state)?;
            }
            state.insert(name, true);
            Some(())
        }
        let mut state = HashMap::new();
        graph.keys().try_for_each(|name| visit(name, &graph, &mut state))
    }

    fn uses(&mut self, scope: Scope<'a>) -> &mut Uses<'a> {
        self.scopes.entry(scope).or_default()
    }

    /// One selection set whose fields belong to the composite type `parent`.
    fn selection_set(&mut self, scope: Scope<'a>, set: &'a Positioned<SelectionSet>, parent: &'a str) -> Check {
        self.mergeable(set)?;
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => self.field(scope, &field.node, parent)?,
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    self.directives(scope, &inline.directives)?;
                    let on = match &inline.type_condition {
                        Some(condition) => {
                            let on = condition.node.on.node.as_str();
                            ensure(self.shape.overlap(on, parent))?;
                            on
                        }
                        None => parent,
                    };
                    self.selection_set(scope, &inline.selection_set, on)?;
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    self.directives(scope, &spread.directives)?;
                    let name = &spread.fragment_name.node;
                    let fragment = self.doc.fragments.get(name)?;
                    ensure(self.shape.overlap(&fragment.node.type_condition.node.on.node, parent))?;
                    self.uses(scope).spreads.push(name.as_str());
                }
            }
        }
        Some(())
    }

    fn field(&mut self, scope: Scope<'a>, field: &'a Field, parent: &'a str) -> Check {
        let name = field.name.node.as_str();
        if name == "__typename" {
            // async-graphql's visitor does not visit what a `__typename` carries, so a variable
            // used there would count as unused: only the bare field is certain.
            return ensure(
                field.arguments.is_empty() && field.directives.is_empty() && field.selection_set.node.items.is_empty(),
            );
        }
        let info = self.shape.field(parent, name)?;
        let mut given = HashSet::new();
        for (argument, value) in &field.arguments {
            let argument = argument.node.as_str();
            ensure(given.insert(argument))?;
            let input = info.args.get(argument)?;
            self.argument(scope, &input.ty, &value.node)?;
        }
        for (argument, input) in &info.args {
            ensure(input.ty.nullable || input.default.is_some() || given.contains(argument.as_str()))?;
        }
        self.directives(scope, &field.directives)?;
        let kind = self.shape.kind(&info.ty)?;
        let selected = !field.selection_set.node.items.is_empty();
        ensure(kind.is_composite() == selected)?;
        if selected {
            self.selection_set(scope, &field.selection_set, &info.ty)?;
        }
        Some(())
    }

    /// A value where `ty` is expected: an argument's, or a variable's default. A variable's use
    /// is recorded, with the type its place expects, for its operation to check. A literal is
    /// checked as async-graphql's `is_valid_input_value` checks it, following variables into list
    /// items and input-object fields as async-graphql's visitor follows them. Left to
    /// async-graphql: a variable where a list stands for a list of one (the visitor does not
    /// follow it there), and a non-object where an input object is expected (which async-graphql
    /// lets pass validation and fail later).
    fn argument(&mut self, scope: Scope<'a>, ty: &Type, value: &AstValue) -> Check {
        match (value, &ty.base) {
            (AstValue::Variable(name), _) => {
                self.uses(scope).variables.push((name.clone(), ty.clone()));
                Some(())
            }
            (AstValue::Null, _) => ensure(ty.nullable),
            (AstValue::List(items), BaseType::List(inner)) => {
                items.iter().try_for_each(|item| self.argument(scope, inner, item))
            }
            // A single value where a list is expected stands for a list of one.
            (_, BaseType::List(inner)) => {
                value.clone().into_const()?;
                self.argument(scope, inner, value)
            }
            (_, BaseType::Named(name)) => match (self.shape.kind(name)?, value) {
                (Kind::InputObject, AstValue::Object(given)) => {
                    let fields = self.shape.input_fields(name)?;
                    ensure(given.keys().all(|key| fields.contains_key(key.as_str())))?;
                    fields.iter().try_for_each(|(key, field)| match given.get(key.as_str()) {
                        Some(value) => self.argument(scope, &field.ty, value),
                        None => ensure(field.ty.nullable || field.default.is_some()),
                    })
                }
                (Kind::Scalar, _) => ensure(scalars::validator(name)?(&value.clone().into_const()?)),
                (Kind::Enum(values), AstValue::Enum(v)) => ensure(values.contains(v.as_str())),
                (Kind::Enum(values), AstValue::String(v)) => ensure(values.contains(v.as_str())),
                _ => None,
            },
        }
    }

    /// `@skip(if:)` and `@include(if:)`, once each; any other directive is left to async-graphql.
    fn directives(&mut self, scope: Scope<'a>, directives: &'a [Positioned<Directive>]) -> Check {
        let mut seen = HashSet::new();
        for directive in directives {
            let directive = &directive.node;
            let name = directive.name.node.as_str();
            ensure(matches!(name, "skip" | "include") && seen.insert(name))?;
            let [(argument, value)] = directive.arguments.as_slice() else { return None };
            ensure(argument.node == "if")?;
            self.argument(scope, &boolean(), &value.node)?;
        }
        Some(())
    }

    /// OverlappingFieldsCanBeMerged, more strictly than async-graphql: two selections of one
    /// response name anywhere in the set (fragments included, whatever their type) must be the
    /// same leaf field with the same arguments.
    fn mergeable(&self, set: &'a Positioned<SelectionSet>) -> Check {
        let mut fields = Vec::new();
        self.flatten(&set.node, &mut fields, &mut Vec::new());
        let mut by_name: HashMap<&str, &Field> = HashMap::with_capacity(fields.len());
        for field in fields {
            let key = field.alias.as_ref().unwrap_or(&field.name).node.as_str();
            if let Some(first) = by_name.insert(key, field) {
                ensure(
                    first.name.node == field.name.node
                        && first.arguments.len() == field.arguments.len()
                        && first.arguments.iter().all(|(name, value)| field.get_argument(&name.node) == Some(value))
                        && first.selection_set.node.items.is_empty()
                        && field.selection_set.node.items.is_empty(),
                )?;
            }
        }
        Some(())
    }

    /// The fields of a selection set, with those of its fragments; each named fragment once (the
    /// fragments were checked for cycles first).
    fn flatten(&self, set: &'a SelectionSet, out: &mut Vec<&'a Field>, spread: &mut Vec<&'a str>) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => out.push(&field.node),
                Selection::InlineFragment(inline) => self.flatten(&inline.node.selection_set.node, out, spread),
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    if let Some(fragment) = self.doc.fragments.get(&s.node.fragment_name.node) {
                        if !spread.contains(&name) {
                            spread.push(name);
                            self.flatten(&fragment.node.selection_set.node, out, spread);
                        }
                    }
                }
            }
        }
    }
}

/// Whether a variable of type `variable` may stand where `location` is expected, exactly as
/// async-graphql's `MetaTypeName::is_subtype` decides it: a non-null variable fits a nullable
/// named type, but not a nullable list (async-graphql's rule is stricter there than the
/// specification's, and this one must not be looser).
fn allowed(location: &Type, variable: &Type) -> bool {
    fn fits(location: (&BaseType, bool), variable: (&BaseType, bool)) -> bool {
        match (location, variable) {
            ((l, false), (v, false)) => fits((l, true), (v, true)),
            ((l @ BaseType::Named(_), true), (v, false)) => fits((l, true), (v, true)),
            ((BaseType::Named(l), true), (BaseType::Named(v), true)) => l == v,
            ((BaseType::List(l), true), (BaseType::List(v), true)) => {
                fits((&l.base, l.nullable), (&v.base, v.nullable))
            }
            _ => false,
        }
    }
    fits((&location.base, location.nullable), (&variable.base, variable.nullable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(query: &str) -> bool {
        thread_local! {
            static SHAPE: SchemaShape = SchemaShape::from_sdl(&crate::graphql::sdl());
        }
        let doc = async_graphql::parser::parse_query(query).expect("the query parses");
        SHAPE.with(|shape| is_valid(shape, &doc))
    }

    #[test]
    fn the_benchmark_workloads_and_the_readme_examples_pass() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/workloads");
        for name in ["list", "detail", "aggregate", "search"] {
            let query = std::fs::read_to_string(dir.join(format!("{name}.graphql"))).expect("the workload reads");
            assert!(passes(&query), "the {name} workload");
        }
        let examples = crate::http::examples::examples();
        let passed = examples.iter().filter(|e| passes(&e.query)).count();
        // Examples that use introspection or mutations are left to async-graphql; the rest pass.
        assert!(passed * 4 >= examples.len() * 3, "only {passed} of {} README examples pass", examples.len());
    }

    #[test]
    fn fragments_variables_directives_and_repeated_leaves_pass() {
        for query in [
            "query ($f: MeetingFilter, $n: Int = 5, $all: Boolean!) { meetings(filter: $f, first: $n) { \
             nodes { ...M slug @include(if: $all) } } } fragment M on Meeting { slug title __typename }",
            "{ search(text: \"x\") { ... on Actor { name } ... on Meeting { slug } } }",
            "{ meetings(filter: {kinds: [SENIOR_OFFICIALS_MEETING], from: \"2019-05-01\"}, orderBy: START_DATE_ASC) { totalCount } }",
            "{ meetings(filter: {kinds: SENIOR_OFFICIALS_MEETING}) { totalCount } }",
            "query ($d: Date = \"2019-05-01\") { chairOn(process: \"khartoum-process\", date: $d) { start } }",
            "query ($a: String, $r: [MeetingRole!], $k: MeetingKind!, $from: Date) { \
             meetings(filter: {actor: $a, roles: $r, kinds: [$k, SUMMIT], from: $from}) { totalCount } }",
            "{ state(code: \"eg\") { ... { slug } ...on State { slug } } }",
        ] {
            assert!(passes(query), "{query}");
        }
    }

    #[test]
    fn every_rule_refuses_what_it_should() {
        for (rule, query) in [
            ("an unknown field", "{ meetings { nodes { nope } } }"),
            ("a field on a union", "{ search(text: \"x\") { name } }"),
            ("an unknown argument", "{ meetings(nope: 1) { totalCount } }"),
            ("a repeated argument", "{ meetings(first: 1, first: 2) { totalCount } }"),
            ("a missing required argument", "{ state { slug } }"),
            ("a literal of the wrong type", "{ meetings(first: \"x\") { totalCount } }"),
            ("null for a non-null argument", "{ state(code: null) { slug } }"),
            ("an unknown enum value", "{ meetings(orderBy: SIDEWAYS) { totalCount } }"),
            ("an unknown input field", "{ meetings(filter: {nope: 1}) { totalCount } }"),
            ("a bad custom scalar literal", "{ meetings(filter: {from: \"May\"}) { totalCount } }"),
            ("a leaf with a selection", "{ meetings { totalCount { x } } }"),
            ("an object without one", "{ meetings }"),
            ("an unknown fragment", "{ meetings { ...Nope } }"),
            ("an unused fragment", "{ processes { slug } } fragment F on Meeting { slug }"),
            ("a fragment on a scalar", "{ processes { slug } ...F } fragment F on String { x }"),
            ("an impossible spread", "{ processes { ...F } } fragment F on Meeting { slug }"),
            ("an impossible inline fragment", "{ processes { ... on Meeting { slug } } }"),
            (
                "a fragment cycle",
                "{ meetings { nodes { ...A } } } fragment A on Meeting { ...B } fragment B on Meeting { ...A }",
            ),
            ("an undefined variable", "{ meetings(first: $n) { totalCount } }"),
            ("an unused variable", "query ($n: Int) { processes { slug } }"),
            ("a repeated variable", "query ($n: Int, $n: Int) { meetings(first: $n) { totalCount } }"),
            ("an output type as a variable", "query ($m: Meeting) { processes { slug } }"),
            ("an unknown variable type", "query ($m: Nope) { meetings(first: $m) { totalCount } }"),
            ("a variable in the wrong place", "query ($s: String) { meetings(first: $s) { totalCount } }"),
            ("a nullable variable for a non-null argument", "query ($c: String) { state(code: $c) { slug } }"),
            (
                "a non-null list for a nullable list",
                "query ($k: [MeetingKind!]!) { meetings(filter: {kinds: $k}) { totalCount } }",
            ),
            ("a bad default", "query ($n: Int = \"x\") { meetings(first: $n) { totalCount } }"),
            (
                "a variable in the wrong place in an object",
                "query ($n: Int) { meetings(filter: {actor: $n}) { totalCount } }",
            ),
            (
                "a variable in the wrong place in a list",
                "query ($k: String) { meetings(filter: {kinds: [$k]}) { totalCount } }",
            ),
            (
                "an unknown input field holding a variable",
                "query ($a: String) { meetings(filter: {nope: $a}) { totalCount } }",
            ),
            ("an unknown directive", "{ processes @nope { slug } }"),
            ("a repeated directive", "{ processes @skip(if: false) @skip(if: true) { slug } }"),
            ("a directive without its argument", "{ processes @skip { slug } }"),
            ("conflicting fields", "{ processes { slug: name slug } }"),
            ("conflicting arguments", "{ meetings(first: 1) { totalCount } meetings(first: 2) { totalCount } }"),
            ("a mutation", "mutation { deleteMeeting(slug: \"x\") { slug } }"),
            ("introspection", "{ __schema { queryType { name } } }"),
        ] {
            assert!(!passes(query), "{rule} passed: {query}");
        }
    }

    #[test]
    fn a_variable_fits_where_async_graphql_lets_it() {
        let ty = |s: &str| {
            let doc = async_graphql::parser::parse_query(format!("query ($v: {s}) {{ a }}")).expect("it parses");
            let op = doc.operations.iter().next().expect("one operation").1;
            op.node.variable_definitions[0].node.var_type.node.clone()
        };
        assert!(
            allowed(&ty("Int"), &ty("Int")) && allowed(&ty("Int"), &ty("Int!")) && allowed(&ty("Int!"), &ty("Int!"))
        );
        assert!(!allowed(&ty("Int!"), &ty("Int")) && !allowed(&ty("Int"), &ty("Float")));
        assert!(allowed(&ty("[Int]"), &ty("[Int]")) && allowed(&ty("[Int]"), &ty("[Int!]")));
        assert!(allowed(&ty("[Int!]!"), &ty("[Int!]!")) && !allowed(&ty("[Int!]"), &ty("[Int]")));
        assert!(!allowed(&ty("[Int]"), &ty("[Int]!")), "async-graphql refuses a non-null list for a nullable one");
        assert!(!allowed(&ty("Int"), &ty("[Int]")) && !allowed(&ty("[Int]"), &ty("Int")));
    }
}
