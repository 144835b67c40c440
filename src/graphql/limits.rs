//! The published limits on a query, and the measure of a query against them.
//!
//! Every limit is checked before anything runs, on the parsed document and the request's
//! variables, by one walk over the operation that will run (fragments expanded). The walk is
//! bounded by the limits themselves: it stops at the first one exceeded, so a fragment bomb, an
//! alias flood or a cycle costs a few microseconds, not an exponential expansion. The text is
//! checked before it is parsed: its length in bytes, and how deep its brackets nest, because the
//! parser is recursive and must never meet a nesting deep enough to exhaust a stack.
//!
//! The cost model is the one the schema description and the README publish: every field counts
//! 1, and a field that returns a list counts 1 plus the most items it can return times the cost
//! of one item, so nested lists multiply. For a paginated field (one with a `first` argument)
//! that is its page size: `first`, else `last`, else the argument's default, at most
//! [`MAX_PAGE_SIZE`] (a larger one is refused by the field itself, with `PAGE_SIZE_EXCEEDED`);
//! the lists inside its page (`nodes`, `edges`) are that page. For any other list it is the
//! longest that list is in the data being served ([`ListBounds`]), which `dataset { listBounds }`
//! publishes; a list narrowed by a `roles` argument counts the longest list of the roles given,
//! so that asking for a meeting's hosts does not pay for its forty participants. The schema's own SDL tells which fields are paginated and which are lists
//! ([`SchemaShape`]), so the model cannot drift from the schema. How many times a field's
//! selection counts is [`Walk::multiplier`]'s answer, the one place a field's size enters the
//! model.
//!
//! Paths into introspection (`__schema`, `__type`) may nest deeper than the data's fields: the
//! standard introspection query that GraphiQL, IDEs and code generators send nests 15 deep, and
//! what lies below those fields is the schema, whose size does not grow with the data.

use super::codes;
use super::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet, ServiceDocument,
    Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{ErrorExtensions, Name, Positioned, ServerError, Value, Variables};
// foldhash rather than the standard SipHash: the map is looked up for every field of every
// query measured, and its keys come from our own schema, not from requests.
use foldhash::HashMap;

/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// Deepest nesting of brackets (`{`, `(`, `[`) the text may have before it is parsed.
pub const MAX_NESTING: usize = 64;
/// Deepest nesting of fields a query over the data may have.
pub const MAX_DEPTH: usize = 12;
/// Deepest nesting of fields along a path through `__schema` or `__type`.
pub const MAX_INTROSPECTION_DEPTH: usize = 20;
/// Most fields a query may select, counting every alias and every field of every fragment spread.
pub const MAX_FIELDS: usize = 1_000;
/// Most aliases a query may use.
pub const MAX_ALIASES: usize = 50;
/// Most directives a query may carry, counted where fragments are spread.
pub const MAX_DIRECTIVES: usize = 50;
/// Highest cost a query may have.
pub const MAX_COST: usize = 5_000;

/// What a query asks for, measured against the limits before it runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measure {
    /// The cost, by the published model.
    pub cost: usize,
    /// The deepest nesting of fields.
    pub depth: usize,
    /// The fields selected, fragments expanded.
    pub fields: usize,
    /// The aliases used, fragments expanded.
    pub aliases: usize,
    /// The directives used, fragments expanded.
    pub directives: usize,
}

impl Measure {
    /// The measure and its limits, as the response's `extensions.cost` reports them.
    pub fn to_value(self) -> Value {
        let n = |v: usize| Value::from(v as u64);
        Value::Object(
            [
                ("cost", n(self.cost)),
                ("maxCost", n(MAX_COST)),
                ("depth", n(self.depth)),
                ("maxDepth", n(MAX_DEPTH)),
                ("fields", n(self.fields)),
                ("maxFields", n(MAX_FIELDS)),
                ("aliases", n(self.aliases)),
                ("maxAliases", n(MAX_ALIASES)),
                ("directives", n(self.directives)),
                ("maxDirectives", n(MAX_DIRECTIVES)),
            ]
            .into_iter()
            .map(|(k, v)| (Name::new(k), v))
            .collect(),
        )
    }
}

/// Why a query is refused before it runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// The text is longer than [`MAX_QUERY_BYTES`].
    #[error("Query is too large: {bytes} bytes, the limit is {MAX_QUERY_BYTES}.")]
    TooLarge {
        /// The text's length.
        bytes: usize,
    },
    /// The text nests brackets deeper than [`MAX_NESTING`], or the fields nest deeper than their limit.
    #[error("Query is nested too deep: the limit is {MAX_DEPTH} levels of fields ({MAX_INTROSPECTION_DEPTH} under __schema and __type).")]
    TooDeep,
    /// More fields than [`MAX_FIELDS`].
    #[error("Query selects too many fields: more than {MAX_FIELDS}, counting each alias and each fragment where it is spread.")]
    TooManyFields,
    /// More aliases than [`MAX_ALIASES`].
    #[error("Query uses too many aliases: more than {MAX_ALIASES}.")]
    TooManyAliases,
    /// More directives than [`MAX_DIRECTIVES`].
    #[error("Query uses too many directives: more than {MAX_DIRECTIVES}.")]
    TooManyDirectives,
    /// A cost above [`MAX_COST`].
    #[error("Query is too complex: its cost is {cost}, the limit is {MAX_COST}. Ask for smaller pages (`first`) or fewer nested lists.")]
    TooCostly {
        /// The query's cost.
        cost: usize,
    },
    /// A string argument (literal or variable) holds a control character other than a tab or a
    /// line break: no slug, code, name or text of the record has one.
    #[error("Argument `{argument}` holds the control character U+{code:04X}; strings may hold tabs and line breaks, but no other control characters.")]
    ControlCharacter {
        /// The argument or variable.
        argument: String,
        /// The character.
        code: u32,
    },
    /// A fragment spreads itself, directly or through others.
    #[error("Fragment \"{0}\" spreads itself, directly or through other fragments.")]
    FragmentCycle(String),
}

impl LimitError {
    /// The `extensions.code` of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            LimitError::TooLarge { .. } => codes::QUERY_TOO_LARGE,
            LimitError::TooDeep => codes::QUERY_TOO_DEEP,
            LimitError::TooManyFields => codes::TOO_MANY_FIELDS,
            LimitError::TooManyAliases => codes::TOO_MANY_ALIASES,
            LimitError::TooManyDirectives => codes::TOO_MANY_DIRECTIVES,
            LimitError::TooCostly { .. } => codes::QUERY_TOO_COMPLEX,
            LimitError::ControlCharacter { .. } => codes::BAD_USER_INPUT,
            LimitError::FragmentCycle(_) => codes::GRAPHQL_VALIDATION_FAILED,
        }
    }

    /// The refusal as a GraphQL error, with its code (and the cost, when that is the cause).
    pub fn to_server_error(&self) -> ServerError {
        let code = self.code();
        let cost = match self {
            LimitError::TooCostly { cost } => Some(*cost),
            _ => None,
        };
        self.extend_with(|_, e| {
            e.set("code", code);
            if let Some(cost) = cost {
                e.set("cost", cost as u64);
                e.set("maxCost", MAX_COST as u64);
            }
        })
        .into_server_error(async_graphql::Pos::default())
    }
}

/// Checks the text before it is parsed: its length, and how deep its brackets nest (outside
/// strings and comments), so that the recursive parser never meets a nesting that could exhaust
/// its stack.
pub fn check_text(query: &str) -> Result<(), LimitError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(LimitError::TooLarge { bytes: query.len() });
    }
    let (mut depth, mut in_string, mut in_comment, mut escaped) = (0usize, false, false, false);
    for b in query.bytes() {
        match b {
            _ if in_comment => in_comment = b != b'\n' && b != b'\r',
            _ if in_string => {
                // Block strings ("""…""") toggle this three times, which ends inside them only
                // when they hold an odd number of quotes; that can only undercount nesting inside
                // a string literal, which the parser does not recurse into.
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            }
            b'"' => in_string = true,
            b'#' => in_comment = true,
            b'{' | b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(LimitError::TooDeep);
                }
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Refuses a value holding a string with a control character other than tab, line feed and
/// carriage return, at any depth of lists and input objects.
fn check_control(argument: &str, value: &Value) -> Result<(), LimitError> {
    match value {
        Value::String(s) => match s.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
            Some(c) => Err(LimitError::ControlCharacter { argument: argument.to_owned(), code: c as u32 }),
            None => Ok(()),
        },
        Value::List(items) => items.iter().try_for_each(|v| check_control(argument, v)),
        Value::Object(fields) => fields.values().try_for_each(|v| check_control(argument, v)),
        _ => Ok(()),
    }
}

/// What the cost model needs to know of one field of an object or interface type.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    /// The named type the field returns (lists and non-null unwrapped), whose fields its
    /// selection selects.
    pub ty: String,
    /// For a paginated field (one with a `first` argument): the page size when `first` and
    /// `last` are both absent.
    pub page: Option<i32>,
    /// Whether the field is a plain list: a list without a `first` argument, outside a page.
    /// Its size comes from the [`ListBounds`].
    pub list: bool,
}

/// How many items each plain list of the schema can hold: a list field without a `first`
/// argument, such as a meeting's hosts or a term's meetings.
pub trait ListBounds {
    /// The most items field `field` of type `ty` can return, or `None` when not known. `roles`
    /// holds the names of the values its `roles` argument gives, as the query writes them (none
    /// when the argument is absent, null or empty, which every `roles` argument reads as all): a
    /// list filtered to some roles may be bounded by the longest list of those roles.
    fn longest(&self, ty: &str, field: &str, roles: &[String]) -> Option<usize>;
}

/// What a plain list counts when its bound is not known: as much as the largest page. The read
/// model knows every list of the schema (a test holds it to that), so this applies only where
/// a request is measured without one.
pub const UNKNOWN_LIST_LENGTH: usize = MAX_PAGE_SIZE as usize;

/// Bounds that know no list: every plain list counts [`UNKNOWN_LIST_LENGTH`].
pub struct UnknownLists;

impl ListBounds for UnknownLists {
    fn longest(&self, _: &str, _: &str, _: &[String]) -> Option<usize> {
        None
    }
}

/// Whether a type is a list, under its non-null wrapper.
fn is_list(ty: &Type) -> bool {
    matches!(ty.base, BaseType::List(_))
}

/// The named type under a type's list and non-null wrappers.
fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// The fields of every object and interface type of the schema, read from its SDL. The
/// introspection types (`__Schema`, ...) are not in the SDL, so their fields are unknown here and
/// count as plain fields.
#[derive(Debug, Default)]
pub struct SchemaShape {
    fields: HashMap<String, HashMap<String, FieldInfo>>,
}

impl SchemaShape {
    /// Reads the shape from a schema's SDL.
    pub fn from_sdl(sdl: &str) -> SchemaShape {
        let doc: ServiceDocument = match async_graphql::parser::parse_schema(sdl) {
            Ok(doc) => doc,
            Err(e) => {
                // Our own SDL always parses; without it every field counts 1, still bounded by
                // the field and depth limits.
                tracing::error!(error = %e, "the schema's SDL does not parse; the cost model counts every field as 1");
                return SchemaShape::default();
            }
        };
        let mut shape = SchemaShape::default();
        for def in doc.definitions {
            let TypeSystemDefinition::Type(ty) = def else { continue };
            let defs = match ty.node.kind {
                TypeKind::Object(o) => o.fields,
                TypeKind::Interface(i) => i.fields,
                _ => continue,
            };
            let map = defs
                .into_iter()
                .map(|f| {
                    let f = f.node;
                    let page = f.arguments.iter().find(|a| a.node.name.node == "first").map(|a| {
                        match a.node.default_value.as_ref().map(|d| &d.node) {
                            Some(Value::Number(n)) => n.as_i64().map_or(DEFAULT_PAGE_SIZE, |n| n as i32),
                            _ => DEFAULT_PAGE_SIZE,
                        }
                    });
                    let list = is_list(&f.ty.node);
                    (f.name.node.to_string(), FieldInfo { ty: named(&f.ty.node).to_owned(), page, list })
                })
                .collect();
            shape.fields.insert(ty.node.name.node.to_string(), map);
        }
        // A paginated field that returns a connection: the lists inside the connection (`nodes`,
        // `edges`) are the page itself, which the paginated field has counted. A paginated field
        // that is itself a list is its page, and the lists of its items are plain lists.
        let connections: Vec<String> = shape
            .fields
            .values()
            .flat_map(|fields| fields.values())
            .filter(|f| f.page.is_some() && !f.list)
            .map(|f| f.ty.clone())
            .collect();
        for connection in connections {
            if let Some(fields) = shape.fields.get_mut(&connection) {
                fields.values_mut().for_each(|f| f.list = false);
            }
        }
        for f in shape.fields.values_mut().flat_map(|fields| fields.values_mut()) {
            f.list &= f.page.is_none();
        }
        shape
    }

    /// Every plain list of the schema, as (type, field), sorted.
    pub fn lists(&self) -> Vec<(&str, &str)> {
        let mut lists: Vec<(&str, &str)> = self
            .fields
            .iter()
            .flat_map(|(ty, fields)| {
                fields.iter().filter(|(_, f)| f.list).map(move |(name, _)| (ty.as_str(), name.as_str()))
            })
            .collect();
        lists.sort_unstable();
        lists
    }

    /// A field of an object or interface type.
    pub fn field(&self, ty: &str, name: &str) -> Option<&FieldInfo> {
        self.fields.get(ty)?.get(name)
    }
}

impl SchemaShape {
    /// Measures one operation of `doc` with `variables`, its plain lists counted by `lists`, and
    /// refuses it at the first limit it exceeds.
    pub fn measure(
        &self,
        doc: &ExecutableDocument,
        operation: &OperationDefinition,
        variables: &Variables,
        lists: &dyn ListBounds,
    ) -> Result<Measure, LimitError> {
        for (name, value) in variables.iter() {
            check_control(name.as_str(), value)?;
        }
        let root = match operation.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => "Subscription",
        };
        // Directives outside the selections count too: on the operation, on its variables and on
        // every fragment definition of the document (each one is validated and can add an error).
        let directives = operation.directives.len()
            + operation.variable_definitions.iter().map(|v| v.node.directives.len()).sum::<usize>()
            + doc.fragments.values().map(|f| f.node.directives.len()).sum::<usize>();
        if directives > MAX_DIRECTIVES {
            return Err(LimitError::TooManyDirectives);
        }
        let measure = Measure { directives, ..Measure::default() };
        let mut walk = Walk { shape: self, lists, doc, operation, variables, spreading: Vec::new(), measure };
        let cost = walk.selection_set(&operation.selection_set, Some(root), 0, false)?;
        walk.measure.cost = cost;
        if cost > MAX_COST {
            return Err(LimitError::TooCostly { cost });
        }
        Ok(walk.measure)
    }
}

struct Walk<'a> {
    shape: &'a SchemaShape,
    lists: &'a dyn ListBounds,
    doc: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    /// Fragments being expanded, to refuse a cycle instead of following it.
    spreading: Vec<&'a str>,
    measure: Measure,
}

impl<'a> Walk<'a> {
    /// The cost of a selection set whose fields belong to `ty`, at `depth` fields below the root.
    fn selection_set(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        ty: Option<&'a str>,
        depth: usize,
        introspection: bool,
    ) -> Result<usize, LimitError> {
        let mut total = 0usize;
        for selection in &set.node.items {
            let directives = match &selection.node {
                Selection::Field(f) => f.node.directives.len(),
                Selection::InlineFragment(f) => f.node.directives.len(),
                Selection::FragmentSpread(f) => f.node.directives.len(),
            };
            self.measure.directives += directives;
            if self.measure.directives > MAX_DIRECTIVES {
                return Err(LimitError::TooManyDirectives);
            }
            let item = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    self.measure.fields += 1;
                    if self.measure.fields > MAX_FIELDS {
                        return Err(LimitError::TooManyFields);
                    }
                    if field.alias.is_some() {
                        self.measure.aliases += 1;
                        if self.measure.aliases > MAX_ALIASES {
                            return Err(LimitError::TooManyAliases);
                        }
                    }
                    let introspection = introspection || name == "__schema" || name == "__type";
                    let depth = depth + 1;
                    let limit = if introspection { MAX_INTROSPECTION_DEPTH } else { MAX_DEPTH };
                    if depth > limit {
                        return Err(LimitError::TooDeep);
                    }
                    self.measure.depth = self.measure.depth.max(depth);
                    for (argument, value) in &field.arguments {
                        // Variables were checked with the request; a literal is checked here.
                        let literal = value.node.clone().into_const_with(|_| Ok::<_, ()>(Value::Null));
                        if let Ok(literal) = literal {
                            check_control(argument.node.as_str(), &literal)?;
                        }
                    }
                    let info = ty.and_then(|ty| self.shape.field(ty, name));
                    let child =
                        self.selection_set(&field.selection_set, info.map(|i| i.ty.as_str()), depth, introspection)?;
                    // 1, plus the selection's cost times how many items the field may return; a
                    // list of scalars counts as if each item were a field.
                    let child = if field.selection_set.node.items.is_empty() && info.is_some_and(|i| i.list) {
                        1
                    } else {
                        child
                    };
                    let multiplier = self.multiplier(ty.unwrap_or_default(), info, field);
                    1usize.saturating_add(multiplier.saturating_mul(child))
                }
                Selection::InlineFragment(fragment) => {
                    let ty = fragment.node.type_condition.as_ref().map(|c| c.node.on.node.as_str()).or(ty);
                    self.selection_set(&fragment.node.selection_set, ty, depth, introspection)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    // An unknown fragment is refused by validation, with its name.
                    let Some(fragment) = self.doc.fragments.get(&spread.node.fragment_name.node) else { continue };
                    if self.spreading.contains(&name) {
                        return Err(LimitError::FragmentCycle(name.to_owned()));
                    }
                    self.spreading.push(name);
                    let ty = Some(fragment.node.type_condition.node.on.node.as_str());
                    let cost = self.selection_set(&fragment.node.selection_set, ty, depth, introspection)?;
                    self.spreading.pop();
                    cost
                }
            };
            total = total.saturating_add(item);
        }
        Ok(total)
    }

    /// How many times a field's selection counts: for a paginated field its page size (`first`,
    /// else `last`, else the field's default, at most [`MAX_PAGE_SIZE`], at least 1); for a
    /// plain list the longest it can be (at least 1); for any other field 1.
    fn multiplier(&self, ty: &str, info: Option<&FieldInfo>, field: &Field) -> usize {
        let Some(info) = info else { return 1 };
        if info.list {
            let roles = self.names(field, "roles");
            let longest = self.lists.longest(ty, field.name.node.as_str(), &roles).unwrap_or(UNKNOWN_LIST_LENGTH);
            return longest.max(1);
        }
        let Some(default) = info.page else { return 1 };
        let n = self.argument(field, "first").or_else(|| self.argument(field, "last")).unwrap_or(default);
        n.clamp(1, MAX_PAGE_SIZE) as usize
    }

    /// The enum values of a list argument, literal or from a variable, by name (none when it is
    /// absent, null or not a list of names, which validation refuses anyway).
    fn names(&self, field: &Field, name: &str) -> Vec<String> {
        match self.value(field, name) {
            // A single value stands for a list of one, as GraphQL's input coercion has it.
            Some(Value::List(items)) => items.iter().filter_map(enum_name).collect(),
            Some(value) => enum_name(&value).into_iter().collect(),
            None => Vec::new(),
        }
    }

    /// An integer argument, literal or from a variable (or the variable's default).
    fn argument(&self, field: &Field, name: &str) -> Option<i32> {
        match self.value(field, name) {
            // Out-of-range sizes are refused by the field; for the cost they are the maximum.
            Some(Value::Number(n)) => {
                Some(n.as_i64().map_or(MAX_PAGE_SIZE, |n| n.clamp(-1, MAX_PAGE_SIZE as i64) as i32))
            }
            _ => None,
        }
    }

    /// An argument's value, literal or from a variable (or the variable's default).
    fn value(&self, field: &Field, name: &str) -> Option<Value> {
        field
            .get_argument(name)?
            .node
            .clone()
            .into_const_with(|var| {
                match self.variables.get(&var) {
                    Some(value) => Some(value.clone()),
                    None => self
                        .operation
                        .variable_definitions
                        .iter()
                        .find(|d| d.node.name.node == var)
                        .and_then(|d| d.node.default_value.as_ref())
                        .map(|d| d.node.clone()),
                }
                .ok_or(())
            })
            .ok()
    }
}

/// The name of an enum value: written in the query it is an enum, sent in JSON variables a string.
fn enum_name(value: &Value) -> Option<String> {
    match value {
        Value::Enum(name) => Some(name.to_string()),
        Value::String(name) => Some(name.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    const SDL: &str = "type Query { meetings(first: Int, last: Int): MeetingConnection! search(q: String!, first: Int = 7): [Hit!]! meeting(slug: String!): Meeting }
        type MeetingConnection { nodes: [Meeting!]! totalCount: Int! }
        type Meeting { slug: String! title: String! related: [Meeting!]! hosts(first: Int): MeetingConnection! participations(roles: [Role!]): [Hit!]! }
        enum Role { HOST PARTICIPANT }
        type Hit { title: String! }";

    /// The data the tests measure against: a meeting relates to at most three others.
    struct Lists;

    impl ListBounds for Lists {
        fn longest(&self, ty: &str, field: &str, roles: &[String]) -> Option<usize> {
            match (ty, field) {
                ("Meeting", "related") => Some(3),
                // Forty participations, of which at most two hosts.
                ("Meeting", "participations") if roles == ["HOST"] => Some(2),
                ("Meeting", "participations") => Some(40),
                _ => None,
            }
        }
    }

    fn measure(query: &str, variables: serde_json::Value) -> Result<Measure, LimitError> {
        let doc = parse_query(query).expect("the query parses");
        let operation = &doc.operations.iter().next().expect("one operation").1.node;
        SchemaShape::from_sdl(SDL).measure(&doc, operation, &Variables::from_json(variables), &Lists)
    }

    #[test]
    fn a_plain_list_counts_its_longest_and_nested_lists_multiply() {
        // 1 for meeting, 1 for slug, then related: 1 + 3 items of 1 field.
        let q = "{ meeting(slug: \"a\") { slug related { slug } } }";
        assert_eq!(measure(q, serde_json::json!({})).map(|m| m.cost), Ok(1 + 1 + (1 + 3)));
        // Each level of related multiplies by 3.
        let q = "{ meeting(slug: \"a\") { related { related { related { slug } } } } }";
        assert_eq!(measure(q, serde_json::json!({})).map(|m| m.cost), Ok(1 + 1 + 3 * (1 + 3 * (1 + 3))));
        // Inside a page, a meeting's related lists multiply with the page.
        let q = "{ meetings(first: 10) { nodes { related { slug } } } }";
        assert_eq!(measure(q, serde_json::json!({})).map(|m| m.cost), Ok(1 + 10 * (1 + (1 + 3))));
    }

    #[test]
    fn a_list_filtered_by_roles_counts_the_longest_list_of_those_roles_however_they_are_given() {
        let cost = |q: &str, v: serde_json::Value| measure(q, v).map(|m| m.cost);
        let all = Ok(1 + (1 + 40));
        let hosts = Ok(1 + (1 + 2));
        assert_eq!(cost("{ meeting(slug: \"a\") { participations { title } } }", serde_json::json!({})), all);
        assert_eq!(
            cost("{ meeting(slug: \"a\") { participations(roles: []) { title } } }", serde_json::json!({})),
            all
        );
        assert_eq!(
            cost("{ meeting(slug: \"a\") { participations(roles: [HOST]) { title } } }", serde_json::json!({})),
            hosts
        );
        assert_eq!(
            cost("{ meeting(slug: \"a\") { participations(roles: HOST) { title } } }", serde_json::json!({})),
            hosts
        );
        let q = "query($r: [Role!]) { meeting(slug: \"a\") { participations(roles: $r) { title } } }";
        assert_eq!(cost(q, serde_json::json!({ "r": ["HOST"] })), hosts);
        assert_eq!(cost(q, serde_json::json!({ "r": null })), all);
        let q = "query($r: [Role!] = [HOST]) { meeting(slug: \"a\") { participations(roles: $r) { title } } }";
        assert_eq!(cost(q, serde_json::json!({})), hosts);
    }

    #[test]
    fn a_list_nested_deep_enough_is_refused_before_it_runs() {
        let q = format!("{{ meeting(slug: \"a\") {{ {} slug {} }} }}", "related { ".repeat(9), "} ".repeat(9));
        assert!(matches!(measure(&q, serde_json::json!({})), Err(LimitError::TooCostly { .. })));
    }

    #[test]
    fn a_list_the_bounds_do_not_know_counts_as_the_largest_page() {
        let shape = SchemaShape::from_sdl(SDL);
        let doc = parse_query("{ meeting(slug: \"a\") { related { slug } } }").expect("the query parses");
        let operation = &doc.operations.iter().next().expect("one operation").1.node;
        let cost = shape.measure(&doc, operation, &Variables::default(), &UnknownLists).map(|m| m.cost);
        assert_eq!(cost, Ok(1 + 1 + UNKNOWN_LIST_LENGTH));
    }

    #[test]
    fn the_lists_of_a_page_are_not_plain_lists() {
        let shape = SchemaShape::from_sdl(SDL);
        assert_eq!(shape.lists(), vec![("Meeting", "participations"), ("Meeting", "related")]);
    }

    #[test]
    fn every_field_counts_one_and_a_page_multiplies_its_items() {
        assert_eq!(measure("{ meeting(slug: \"a\") { slug title } }", serde_json::json!({})).map(|m| m.cost), Ok(3));
        // 1 for meetings, 1 for totalCount, and nodes (1 + 2) for each of the 10 items.
        assert_eq!(
            measure("{ meetings(first: 10) { totalCount nodes { slug title } } }", serde_json::json!({}))
                .map(|m| m.cost),
            Ok(1 + 10 * (1 + 3))
        );
    }

    #[test]
    fn a_page_size_comes_from_a_variable_a_default_or_the_argument_default() {
        let q = "query($n: Int) { meetings(first: $n) { nodes { slug } } }";
        assert_eq!(measure(q, serde_json::json!({"n": 3})).map(|m| m.cost), Ok(1 + 3 * 2));
        let q = "query($n: Int = 4) { meetings(first: $n) { nodes { slug } } }";
        assert_eq!(measure(q, serde_json::json!({})).map(|m| m.cost), Ok(1 + 4 * 2));
        assert_eq!(measure("{ meetings { nodes { slug } } }", serde_json::json!({})).map(|m| m.cost), Ok(1 + 20 * 2));
        assert_eq!(measure("{ search(q: \"x\") { title } }", serde_json::json!({})).map(|m| m.cost), Ok(1 + 7));
        assert_eq!(
            measure("{ meetings(last: 2) { nodes { slug } } }", serde_json::json!({})).map(|m| m.cost),
            Ok(1 + 2 * 2)
        );
    }

    #[test]
    fn nested_pages_multiply_until_the_cost_is_refused() {
        let q = "{ meetings(first: 100) { nodes { hosts(first: 100) { nodes { slug } } } } }";
        assert_eq!(measure(q, serde_json::json!({})), Err(LimitError::TooCostly { cost: 1 + 100 * (1 + 1 + 100 * 2) }));
        // A page size beyond the maximum counts as the maximum (the field refuses it itself).
        let q = "{ meetings(first: 1000000000) { nodes { slug } } }";
        assert_eq!(measure(q, serde_json::json!({})).map(|m| m.cost), Ok(1 + 100 * 2));
    }

    #[test]
    fn depth_counts_fields_along_the_deepest_path_and_introspection_may_go_deeper() {
        // `pairs` times `meeting { related {`, then `slug`: 2 * pairs + 1 fields deep.
        let nest = |pairs: usize| {
            format!("{{ {} slug {} }}", "meeting(slug: \"a\") { related { ".repeat(pairs), "} }".repeat(pairs))
        };
        assert_eq!(measure(&nest(5), serde_json::json!({})).map(|m| m.depth), Ok(11));
        assert_eq!(measure(&nest(6), serde_json::json!({})), Err(LimitError::TooDeep));
        let intro = format!("{{ __schema {{ {} name {} }} }}", "types { ".repeat(15), "} ".repeat(15));
        assert_eq!(measure(&intro, serde_json::json!({})).map(|m| m.depth), Ok(17));
        let intro = format!("{{ __schema {{ {} name {} }} }}", "types { ".repeat(19), "} ".repeat(19));
        assert_eq!(measure(&intro, serde_json::json!({})), Err(LimitError::TooDeep));
    }

    #[test]
    fn fragments_count_where_they_are_spread_and_a_cycle_is_refused() {
        let q = "{ a: meeting(slug: \"a\") { ...F } b: meeting(slug: \"b\") { ...F } } fragment F on Meeting { slug title }";
        assert_eq!(
            measure(q, serde_json::json!({})),
            Ok(Measure { cost: 6, depth: 2, fields: 6, aliases: 2, directives: 0 })
        );
        let q = "{ meeting(slug: \"a\") { ...F } } fragment F on Meeting { related { ...F } }";
        assert_eq!(measure(q, serde_json::json!({})), Err(LimitError::FragmentCycle("F".into())));
    }

    #[test]
    fn a_fragment_bomb_stops_at_the_field_limit() {
        let mut q = String::from("{ meeting(slug: \"a\") { ...F0 } }");
        for i in 0..30 {
            q.push_str(&format!(" fragment F{i} on Meeting {{ ...F{} ...F{} }}", i + 1, i + 1));
        }
        q.push_str(" fragment F30 on Meeting { slug }");
        assert_eq!(measure(&q, serde_json::json!({})), Err(LimitError::TooManyFields));
    }

    #[test]
    fn aliases_and_directives_are_counted() {
        let aliases: String = (0..51).map(|i| format!(" a{i}: __typename")).collect();
        assert_eq!(measure(&format!("{{{aliases} }}"), serde_json::json!({})), Err(LimitError::TooManyAliases));
        let directives = " @skip(if: false)".repeat(51);
        assert_eq!(
            measure(&format!("{{ __typename{directives} }}"), serde_json::json!({})),
            Err(LimitError::TooManyDirectives)
        );
        // On the operation, on a variable definition, on a fragment definition (used or not),
        // and spread over all three and the selections.
        let at = " @x".repeat(51);
        for q in [
            format!("query Q{at} {{ __typename }}"),
            format!("query Q($v: Int{at}) {{ __typename }}"),
            format!("{{ __typename }} fragment F on Meeting{at} {{ slug }}"),
            format!(
                "query Q($v: Int{}){} {{ __typename{} }} fragment F on Meeting{} {{ slug }}",
                " @x".repeat(13),
                " @x".repeat(13),
                " @x".repeat(13),
                " @x".repeat(13)
            ),
        ] {
            assert_eq!(measure(&q, serde_json::json!({})), Err(LimitError::TooManyDirectives), "{q}");
        }
        let fifty = " @x".repeat(50);
        assert!(measure(&format!("query Q{fifty} {{ __typename }}"), serde_json::json!({})).is_ok());
    }

    #[test]
    fn control_characters_are_refused_in_literals_and_variables_but_not_tabs_or_line_breaks() {
        let refused = |q: &str, v: serde_json::Value| matches!(measure(q, v), Err(LimitError::ControlCharacter { .. }));
        assert!(refused("{ meeting(slug: \"a\\u0000b\") { slug } }", serde_json::json!({})));
        assert!(refused("query($s: String!) { meeting(slug: $s) { slug } }", serde_json::json!({"s": "a\u{7}"})));
        assert!(refused(
            "query($f: [String!]) { meeting(slug: \"a\") { slug } }",
            serde_json::json!({"f": ["ok", "b\u{1b}"]})
        ));
        assert!(!refused("{ meeting(slug: \"a\\tb\\nc\") { slug } }", serde_json::json!({})));
        assert!(!refused("{ meeting(slug: \"Köln – ☃\") { slug } }", serde_json::json!({})));
    }

    #[test]
    fn the_text_is_refused_when_too_long_or_nested_too_deep_before_parsing() {
        assert_eq!(
            check_text(&" ".repeat(MAX_QUERY_BYTES + 1)),
            Err(LimitError::TooLarge { bytes: MAX_QUERY_BYTES + 1 })
        );
        assert_eq!(check_text(&"{".repeat(MAX_NESTING + 1)), Err(LimitError::TooDeep));
        assert_eq!(check_text(&"{".repeat(MAX_NESTING)), Ok(()));
        // Brackets inside strings and comments do not nest.
        let quoted = format!("{{ a(s: \"{}\\\"\") # {}\n }}", "{".repeat(100), "(".repeat(100));
        assert_eq!(check_text(&quoted), Ok(()));
    }
}
