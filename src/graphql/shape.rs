//! The schema as the engine's own passes need it, read from the schema's SDL: the cost model
//! ([`super::limits`]), the direct path ([`super::direct`]) and the validator of new documents
//! ([`super::validate`]). Reading the SDL, rather than restating the schema by hand, keeps them
//! from drifting from the types async-graphql builds.

use super::pagination::DEFAULT_PAGE_SIZE;
use async_graphql::parser::types::{
    BaseType, InputValueDefinition, ServiceDocument, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Positioned, Value};
// foldhash rather than the standard SipHash: these maps are looked up for every field of every
// new query, and SipHash was 5–6% of the server's CPU on never-seen texts (issue 7).
use foldhash::{HashMap, HashSet};

/// What the engine needs to know of one field of an object or interface type.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    /// The named type the field returns (lists and non-null unwrapped).
    pub ty: String,
    /// For a paginated field (one with a `first` argument): the page size when `first` and
    /// `last` are both absent.
    pub page: Option<i32>,
    /// The arguments, by name.
    pub args: HashMap<String, Input>,
}

/// An argument of a field, or a field of an input object: its type and its default.
#[derive(Debug, Clone)]
pub struct Input {
    /// Its type, with its list and non-null wrappers.
    pub ty: Type,
    /// Its default, when the schema declares one.
    pub default: Option<Value>,
}

/// The kind of a named type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A scalar.
    Scalar,
    /// An enum, with its values.
    Enum(HashSet<String>),
    /// An object type.
    Object,
    /// An interface.
    Interface,
    /// A union.
    Union,
    /// An input object.
    InputObject,
}

impl Kind {
    /// Whether a value of this kind has fields to select (what a selection set and a fragment's
    /// type condition need).
    pub fn is_composite(&self) -> bool {
        matches!(self, Kind::Object | Kind::Interface | Kind::Union)
    }

    /// Whether this kind may be the type of a variable or an argument.
    pub fn is_input(&self) -> bool {
        matches!(self, Kind::Scalar | Kind::Enum(_) | Kind::InputObject)
    }
}

/// The inputs of a list of definitions, by name.
fn inputs(defs: &[Positioned<InputValueDefinition>]) -> HashMap<String, Input> {
    defs.iter()
        .map(|d| {
            let d = &d.node;
            (
                d.name.node.to_string(),
                Input { ty: d.ty.node.clone(), default: d.default_value.as_ref().map(|v| v.node.clone()) },
            )
        })
        .collect()
}

/// The named type under a type's list and non-null wrappers.
pub fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// The schema's types, read from its SDL: the kind of every named type, the fields of every
/// object and interface type, the object types each composite type may be, and the fields of
/// every input object. The introspection types (`__Schema`, ...) are not in the SDL, so they are
/// unknown here.
#[derive(Debug, Default)]
pub struct SchemaShape {
    kinds: HashMap<String, Kind>,
    fields: HashMap<String, HashMap<String, FieldInfo>>,
    implements: HashMap<String, HashSet<String>>,
    possible: HashMap<String, HashSet<String>>,
    input_objects: HashMap<String, HashMap<String, Input>>,
}

impl SchemaShape {
    /// Reads the shape from a schema's SDL. A type or field the SDL does not hold (the
    /// introspection types) counts as unpaginated.
    pub fn from_sdl(sdl: &str) -> SchemaShape {
        let doc: ServiceDocument = match async_graphql::parser::parse_schema(sdl) {
            Ok(doc) => doc,
            Err(e) => {
                // Our own SDL always parses; without it every field counts 1, still bounded by
                // the field and depth limits, and the direct path and its validator step aside.
                tracing::error!(error = %e, "the schema's SDL does not parse; the cost model counts every field as 1");
                return SchemaShape::default();
            }
        };
        let mut shape = SchemaShape::default();
        // The SDL leaves out the built-in scalars, which every schema has.
        for name in ["Int", "Float", "String", "Boolean", "ID"] {
            shape.kinds.insert(name.to_owned(), Kind::Scalar);
        }
        for def in doc.definitions {
            let TypeSystemDefinition::Type(ty) = def else { continue };
            let name = ty.node.name.node.to_string();
            let (kind, defs) = match ty.node.kind {
                TypeKind::Scalar => (Kind::Scalar, Vec::new()),
                TypeKind::Enum(e) => {
                    (Kind::Enum(e.values.iter().map(|v| v.node.value.node.to_string()).collect()), Vec::new())
                }
                TypeKind::Object(o) => {
                    shape.possible.entry(name.clone()).or_default().insert(name.clone());
                    for interface in &o.implements {
                        shape.possible.entry(interface.node.to_string()).or_default().insert(name.clone());
                    }
                    shape.implements.insert(name.clone(), o.implements.iter().map(|i| i.node.to_string()).collect());
                    (Kind::Object, o.fields)
                }
                TypeKind::Interface(i) => {
                    shape.possible.entry(name.clone()).or_default();
                    (Kind::Interface, i.fields)
                }
                TypeKind::Union(u) => {
                    shape.possible.insert(name.clone(), u.members.iter().map(|m| m.node.to_string()).collect());
                    (Kind::Union, Vec::new())
                }
                TypeKind::InputObject(o) => {
                    shape.input_objects.insert(name.clone(), inputs(&o.fields));
                    (Kind::InputObject, Vec::new())
                }
            };
            shape.kinds.insert(name.clone(), kind);
            if defs.is_empty() {
                continue;
            }
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
                    let args = inputs(&f.arguments);
                    (f.name.node.to_string(), FieldInfo { ty: named(&f.ty.node).to_owned(), page, args })
                })
                .collect();
            shape.fields.insert(name, map);
        }
        shape
    }

    /// The kind of a named type; `None` for a type the schema does not have.
    pub fn kind(&self, name: &str) -> Option<&Kind> {
        self.kinds.get(name)
    }

    /// A field of an object or interface type.
    pub fn field(&self, ty: &str, name: &str) -> Option<&FieldInfo> {
        self.fields.get(ty)?.get(name)
    }

    /// The fields of an input object, by name.
    pub fn input_fields(&self, ty: &str) -> Option<&HashMap<String, Input>> {
        self.input_objects.get(ty)
    }

    /// Whether an object of type `object` is of type `condition`: the same type, or an interface
    /// it implements (what a fragment's type condition asks). Not a union it belongs to: when it
    /// executes, async-graphql does not apply a fragment on a union to the union's members, and
    /// the direct path answers as it does (`tests/api/direct.rs` pins it).
    pub fn is_a(&self, object: &str, condition: &str) -> bool {
        object == condition || self.implements.get(object).is_some_and(|i| i.contains(condition))
    }

    /// Whether some object type is both of composite type `a` and of composite type `b`: whether
    /// a fragment on one may be spread where the other is expected. `false` when either is not a
    /// composite type of the schema.
    pub fn overlap(&self, a: &str, b: &str) -> bool {
        match (self.possible.get(a), self.possible.get(b)) {
            (Some(a), Some(b)) => !a.is_disjoint(b),
            _ => false,
        }
    }

    /// The default of an argument of a field, as the schema declares it.
    pub fn arg_default(&self, ty: &str, field: &str, arg: &str) -> Option<&Value> {
        self.field(ty, field)?.args.get(arg)?.default.as_ref()
    }

    /// Whether every input object in an argument's value names only fields its type declares,
    /// as validation asks. (An input object's own parser ignores fields it does not know, while
    /// async-graphql's validation refuses them; every other mistake in a value fails its parser.)
    /// An argument the schema does not know does not fit.
    pub fn arg_fits(&self, ty: &str, field: &str, arg: &str, value: &Value) -> bool {
        self.field(ty, field).and_then(|f| f.args.get(arg)).is_some_and(|input| self.fits(&input.ty, value))
    }

    fn fits(&self, ty: &Type, value: &Value) -> bool {
        match (&ty.base, value) {
            (_, Value::Null) => true,
            (BaseType::List(inner), Value::List(items)) => items.iter().all(|v| self.fits(inner.as_ref(), v)),
            (BaseType::List(inner), v) => self.fits(inner.as_ref(), v),
            (BaseType::Named(name), Value::Object(values)) => match self.input_objects.get(name.as_str()) {
                Some(fields) => values.iter().all(|(k, v)| fields.get(k.as_str()).is_some_and(|f| self.fits(&f.ty, v))),
                None => true,
            },
            (BaseType::Named(_), _) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_knows_kinds_fields_and_which_types_overlap() {
        let shape = SchemaShape::from_sdl(
            "interface Actor { name: String! } type State implements Actor { name: String! iso2: String }
             type Organization implements Actor { name: String! } type Meeting { slug: String! }
             union Hit = State | Meeting enum Role { HOST CHAIR } input Range { from: String to: String }
             scalar Date type Query { actors(role: Role = HOST): [Actor!]! }",
        );
        assert_eq!(
            shape.kind("Role"),
            Some(&Kind::Enum(["HOST".to_owned(), "CHAIR".to_owned()].into_iter().collect()))
        );
        assert_eq!(shape.kind("Date"), Some(&Kind::Scalar));
        assert_eq!(shape.kind("Boolean"), Some(&Kind::Scalar), "the built-in scalars are known");
        assert_eq!(shape.kind("Nope"), None);
        assert!(shape.kind("Hit").is_some_and(Kind::is_composite) && shape.kind("Range").is_some_and(Kind::is_input));
        assert_eq!(shape.field("Query", "actors").map(|f| f.ty.as_str()), Some("Actor"));
        assert_eq!(shape.arg_default("Query", "actors", "role"), Some(&Value::Enum(async_graphql::Name::new("HOST"))));
        assert!(shape.overlap("Actor", "State") && shape.overlap("Hit", "Actor") && shape.overlap("Hit", "Meeting"));
        assert!(!shape.overlap("Organization", "Hit") && !shape.overlap("Meeting", "Actor"));
        assert!(!shape.overlap("Role", "Role"), "an enum is not composite");
        assert!(shape.is_a("State", "Actor") && !shape.is_a("Meeting", "Actor"));
    }
}
