//! The engine every GraphQL request runs through, over HTTP and WebSocket alike: the published
//! limits ([`super::limits`]) checked before anything runs, a cache of parsed documents, and the
//! cost of each query reported in the response's `extensions.cost`. Execution and validation are
//! async-graphql's. A request may name its document by hash instead of sending its text
//! ([`super::persisted`]); the engine resolves it before anything else.
//!
//! Why not async-graphql's own limits and extensions: a registered extension turns off the
//! executor's per-field fast path, and its depth limit cannot tell introspection from data. The
//! limits here run once per request on a document that is parsed once per distinct text; the
//! schema underneath runs with no extension at all.
//!
//! Every refusal is a request error (no `data`, no `path`) with an `extensions.code`, so the
//! transport gives it the status the GraphQL-over-HTTP specification asks for.

use super::codes;
use super::error::ApiError;
use super::limits::{self, LimitError, ListBounds, Measure, SchemaShape};
use super::lists::CatalogLists;
use super::parsed_size;
use super::persisted::{DocumentRef, Persisted};
use super::slice::{Clock, LongRunners, Sliced};
use super::{ApiSchema, Bearer};
use crate::catalog::Catalog;
use crate::curation::Curator;
use async_graphql::futures_util::stream::{BoxStream, StreamExt};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensions, Request, Response, ServerError, Variables};
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The key of `extensions` that names the dataset version a GraphQL answer was served from.
pub const DATASET_VERSION_EXTENSION: &str = "datasetVersion";

/// How many parsed documents the cache holds at most: a few hundred distinct queries cover what
/// frontends send.
pub const DOCUMENT_CACHE_ENTRIES: usize = 512;

/// How many bytes of memory the parsed documents in the cache (and their texts) may hold. A
/// parsed document takes from about its text's length to a hundred times it, by its shape (see
/// [`parsed_size`]), and a text within the size limit may hold many more fields than the field
/// limit allows (it is parsed, and kept, before it is measured), so the cache is bounded by what
/// its documents hold, measured as each is kept: a flood of new texts cannot grow it.
pub const DOCUMENT_CACHE_BYTES: u64 = 4 * 1024 * 1024;

/// A parsed document as the cache keeps it, with the memory it holds.
#[derive(Clone)]
struct Parsed {
    document: Arc<ExecutableDocument>,
    /// The bytes of the document and of its text, counted once, when it is kept.
    bytes: u64,
}

/// Weighs a parsed document by the memory it holds, and at least a share of the cache's bytes
/// for one of its entries, so that the one bound on weight bounds both memory and count.
#[derive(Clone)]
struct HeldBytes;

impl Weighter<Arc<str>, Parsed> for HeldBytes {
    fn weight(&self, _: &Arc<str>, parsed: &Parsed) -> u64 {
        parsed.bytes.max(DOCUMENT_CACHE_BYTES / DOCUMENT_CACHE_ENTRIES as u64)
    }
}

struct Inner {
    schema: ApiSchema,
    shape: SchemaShape,
    documents: Cache<Arc<str>, Parsed, HeldBytes>,
    persisted: Persisted,
    long_runners: LongRunners,
}

/// Runs GraphQL requests within the published limits. Cheap to clone: clones share the schema
/// and the cache.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

/// A request that passed the limits, ready to run.
pub struct Prepared {
    /// The request.
    pub request: Request,
    /// Its document.
    pub doc: Arc<ExecutableDocument>,
    /// The kind of operation it runs.
    pub operation: OperationType,
    /// What it measured against the limits.
    pub measure: Measure,
}

/// An error with its code, as a request error (no path).
pub fn coded(message: impl Into<String>, code: &'static str) -> ServerError {
    ServerError::new(message, None).extend_with(|_, e| e.set("code", code)).into_server_error(Default::default())
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    /// The engine over this build's schema, with no trusted documents.
    pub fn new() -> Engine {
        Engine::with_persisted(Persisted::default())
    }

    /// The engine over this build's schema, with these trusted documents and APQ registry.
    pub fn with_persisted(persisted: Persisted) -> Engine {
        Engine::with_options(persisted, true)
    }

    /// [`Engine::with_persisted`], with or without "Did you mean …?" suggestions in validation
    /// errors.
    pub fn with_options(persisted: Persisted, suggestions: bool) -> Engine {
        let schema = super::schema_with(suggestions);
        let shape = SchemaShape::from_sdl(&schema.sdl());
        let documents = Cache::with_weighter(DOCUMENT_CACHE_ENTRIES, DOCUMENT_CACHE_BYTES, HeldBytes);
        let long_runners = LongRunners::for_this_machine();
        Engine(Arc::new(Inner { schema, shape, documents, persisted, long_runners }))
    }

    /// The trusted documents and the APQ registry.
    pub fn persisted(&self) -> &Persisted {
        &self.0.persisted
    }

    /// The schema underneath, for what the engine does not cover (its SDL).
    pub fn schema(&self) -> &ApiSchema {
        &self.0.schema
    }

    /// The parsed document of a query text: from the cache, or checked against the text limits,
    /// parsed and cached. A text that does not parse is not cached: it costs its parse each
    /// time, which the text limits bound.
    pub fn document(&self, query: &str) -> Result<Arc<ExecutableDocument>, ServerError> {
        if let Some(parsed) = self.0.documents.get(query) {
            return Ok(parsed.document);
        }
        limits::check_text(query).map_err(|e| e.to_server_error())?;
        let doc = async_graphql::parser::parse_query(query).map_err(|e| {
            let mut error = ServerError::from(e);
            error.extensions.get_or_insert_with(Default::default).set("code", codes::GRAPHQL_PARSE_FAILED);
            error
        })?;
        let document = Arc::new(doc);
        // The text is kept too, as the key.
        let bytes = (parsed_size::parsed_bytes(&document) + parsed_size::shared_str_bytes(query)) as u64;
        self.0.documents.insert(Arc::from(query), Parsed { document: Arc::clone(&document), bytes });
        Ok(document)
    }

    /// What the cache of parsed documents holds: its entries, and their bytes as counted against
    /// [`DOCUMENT_CACHE_BYTES`].
    pub fn cached_documents(&self) -> (usize, u64) {
        (self.0.documents.len(), self.0.documents.weight())
    }

    /// Parses (or finds) the document of a request that carries its text, chooses its operation
    /// and measures it against the limits, its plain lists counted by `lists`.
    pub fn prepare(&self, mut request: Request, lists: &dyn ListBounds) -> Result<Prepared, ServerError> {
        let reference = DocumentRef::text(std::mem::take(&mut request.query));
        self.prepare_document(request, reference, lists)
    }

    /// [`Engine::prepare`] for a request that names its document by text, by `documentId` or by
    /// APQ hash, its plain lists counted by `lists`. An APQ text is registered once it has parsed
    /// and passed the limits.
    pub fn prepare_document(
        &self,
        mut request: Request,
        reference: DocumentRef,
        lists: &dyn ListBounds,
    ) -> Result<Prepared, ServerError> {
        let resolved = self.0.persisted.resolve(reference).map_err(|e| coded(e.to_string(), e.code()))?;
        let doc = self.document(&resolved.text)?;
        let operation = operation(&doc, request.operation_name.as_deref())?;
        check_required_variables(operation, &request.variables)?;
        let measure = self
            .0
            .shape
            .measure(&doc, operation, &request.variables, lists)
            .map_err(|e: LimitError| e.to_server_error())?;
        if let Some(hash) = resolved.register {
            self.0.persisted.register(hash, Arc::clone(&resolved.text));
        }
        request.query = resolved.text.to_string();
        Ok(Prepared { operation: operation.ty, request, doc, measure })
    }

    /// Runs a request that [`Engine::prepare`] accepted, and reports its cost. With a deadline,
    /// the request runs in time slices, past a short while only in a place among the long
    /// runners ([`super::slice`]), and stops at the deadline: it is then answered with one
    /// request error, `REQUEST_TIMEOUT`, whatever parts of it had finished.
    pub async fn run(&self, prepared: Prepared, deadline: Option<Instant>) -> Response {
        let Prepared { mut request, doc, measure, .. } = prepared;
        request.set_parsed_query((*doc).clone());
        let name = request.operation_name.clone();
        let mut response = match deadline {
            None => self.0.schema.execute(request).await,
            Some(deadline) => {
                let clock = Clock::new(deadline, &self.0.long_runners);
                // Owned, so that a long request can go on in a long runner's thread.
                let schema = self.0.schema.clone();
                let request = request.data(Arc::clone(&clock));
                let response = Sliced::new(async move { schema.execute(request).await }, Arc::clone(&clock)).await;
                let timed_out = ApiError::TimedOut.code();
                let stopped = response.errors.iter().any(|e| {
                    e.extensions.as_ref().and_then(|x| x.get("code")) == Some(&async_graphql::Value::from(timed_out))
                });
                if stopped && clock.expired() {
                    return Response::from_errors(vec![coded(ApiError::TimedOut.message(), timed_out)]);
                }
                response
            }
        };
        code_request_errors(&mut response);
        if let Ok(op) = operation(&doc, name.as_deref()) {
            answer_schema_description(&doc, op, &mut response.data);
        }
        response.extensions.insert("cost".into(), measure.to_value());
        response
    }

    /// Runs a subscription that [`Engine::prepare`] accepted: one response per event, each with
    /// the operation's cost.
    pub fn stream(&self, prepared: Prepared) -> BoxStream<'static, Response> {
        let Prepared { mut request, doc, measure, .. } = prepared;
        request.set_parsed_query((*doc).clone());
        self.0
            .schema
            .execute_stream(request)
            .map(move |mut response| {
                code_request_errors(&mut response);
                response.extensions.insert("cost".into(), measure.to_value());
                response
            })
            .boxed()
    }
}

/// One request's run: the engine, and what its resolvers read: the read model as of the
/// request's start, the curator its writes go to, and its bearer token.
pub struct Session {
    /// The engine.
    pub engine: Engine,
    /// The read model the request reads from start to end.
    pub catalog: Arc<Catalog>,
    /// The one writer.
    pub curator: Arc<Curator>,
    /// The request's token, for writes.
    pub bearer: Bearer,
    /// When the request must be answered by, if it has a time limit.
    pub deadline: Option<Instant>,
    /// Longest a subscription that resumes after a version this server has not reached yet
    /// waits for it (`--min-version-wait`).
    pub version_wait: Duration,
}

/// What a subscription's resolver reads of [`Session::version_wait`].
#[derive(Debug, Clone, Copy)]
pub struct VersionWait(pub Duration);

impl Session {
    /// The version of the data the request reads.
    pub fn version(&self) -> &str {
        &self.catalog.meta.version
    }

    /// [`Engine::prepare_document`], with the plain lists as long as they are in this session's
    /// read model.
    pub fn prepare(&self, request: Request, reference: DocumentRef) -> Result<Prepared, ServerError> {
        self.engine.prepare_document(request, reference, &CatalogLists(&self.catalog))
    }

    /// Runs a prepared request over this session's data. The answer names the dataset version
    /// it was served from ([`DATASET_VERSION_EXTENSION`], which the HTTP transport repeats in a
    /// header): the session's, or for a mutation the version after it, so that a client can
    /// ask a server for at least the version its write made.
    pub async fn run(&self, mut prepared: Prepared) -> Response {
        let writes = prepared.operation == OperationType::Mutation;
        prepared.request =
            prepared.request.data(Arc::clone(&self.catalog)).data(Arc::clone(&self.curator)).data(self.bearer.clone());
        let mut response = self.engine.run(prepared, self.deadline).await;
        let version = if writes { self.curator.catalog().meta.version.clone() } else { self.version().to_owned() };
        response.extensions.insert(DATASET_VERSION_EXTENSION.to_owned(), async_graphql::Value::String(version));
        response
    }

    /// Runs a prepared subscription over this session's data: the read model as of its start,
    /// the curator whose changes it follows, and the token.
    pub fn stream(&self, mut prepared: Prepared) -> BoxStream<'static, Response> {
        prepared.request = (prepared.request.data(Arc::clone(&self.catalog)))
            .data(Arc::clone(&self.curator))
            .data(self.bearer.clone())
            .data(VersionWait(self.version_wait));
        self.engine.stream(prepared)
    }
}

/// The operation of a document that a request names, or its only one.
pub fn operation<'d>(doc: &'d ExecutableDocument, name: Option<&str>) -> Result<&'d OperationDefinition, ServerError> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Ok(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .get(name)
            .map(|op| &op.node)
            .ok_or_else(|| coded(format!("Unknown operation named \"{name}\"."), codes::UNKNOWN_OPERATION)),
        (DocumentOperations::Multiple(ops), None) => match ops.values().next() {
            Some(op) if ops.len() == 1 => Ok(&op.node),
            _ => Err(coded(
                "The document holds several operations: name the one to run with `operationName`.",
                codes::UNKNOWN_OPERATION,
            )),
        },
    }
}

/// Refuses a request that leaves out a variable of a non-null type without a default, or gives
/// it null, as the specification's variable coercion does before anything runs. async-graphql
/// does not check this: it starts executing and fails at the first field that reads the variable,
/// with a field error that names the variable "not defined".
fn check_required_variables(op: &OperationDefinition, variables: &Variables) -> Result<(), ServerError> {
    for def in &op.variable_definitions {
        let (name, ty) = (&def.node.name.node, &def.node.var_type.node);
        if ty.nullable {
            continue;
        }
        let message = match variables.get(name.as_str()) {
            None if def.node.default_value.is_none() => {
                format!("Variable \"${name}\" of required type \"{ty}\" was not provided.")
            }
            Some(async_graphql::Value::Null) => {
                format!("Variable \"${name}\" of non-null type \"{ty}\" must not be null.")
            }
            _ => continue,
        };
        return Err(async_graphql::Error::new(message)
            .extend_with(|_, e| e.set("code", codes::GRAPHQL_VALIDATION_FAILED))
            .into_server_error(def.pos));
    }
    Ok(())
}

/// Gives `__schema { description }` the schema's own description. The schema has none, so the
/// answer is null; async-graphql answers the text that describes its `__Schema` meta-type, which
/// a client printing SDL from introspection would take for ours. Only a query's root can select
/// `__schema`, so the walk stays at the top two levels of the answer.
fn answer_schema_description(doc: &ExecutableDocument, op: &OperationDefinition, data: &mut async_graphql::Value) {
    let async_graphql::Value::Object(root) = data else { return };
    for schema in selected(doc, &op.selection_set.node, "__schema") {
        let Some(async_graphql::Value::Object(answer)) = root.get_mut(schema.response_key().node.as_str()) else {
            continue;
        };
        for description in selected(doc, &schema.selection_set.node, "description") {
            if let Some(value) = answer.get_mut(description.response_key().node.as_str()) {
                *value = async_graphql::Value::Null;
            }
        }
    }
}

/// The fields named `name` that a selection set selects, directly or through its fragments.
/// Validation has refused fragment cycles by the time an answer exists.
fn selected<'d>(doc: &'d ExecutableDocument, set: &'d SelectionSet, name: &str) -> Vec<&'d Field> {
    let mut found = Vec::new();
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) if field.node.name.node == name => found.push(&field.node),
            Selection::Field(_) => {}
            Selection::InlineFragment(inline) => found.extend(selected(doc, &inline.node.selection_set.node, name)),
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    found.extend(selected(doc, &fragment.node.selection_set.node, name));
                }
            }
        }
    }
    found
}

/// Whether a response is a request error: nothing ran, because the document did not parse or
/// validate, or its variables did not coerce. async-graphql sends those as errors without a path
/// and `data: null`; an error raised while executing always carries the path of its field.
pub fn is_request_error(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// Gives the errors of a request that did not run (validation, variable coercion) the code they
/// lack: async-graphql sends them with no code.
fn code_request_errors(response: &mut Response) {
    if !is_request_error(response) {
        return;
    }
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", codes::GRAPHQL_VALIDATION_FAILED);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operation_follows_the_operation_name() {
        let ty = |query: &str, name: Option<&str>| {
            let doc = async_graphql::parser::parse_query(query).expect("it parses");
            operation(&doc, name).map(|op| op.ty).map_err(|e| e.message)
        };
        assert_eq!(ty("{ a }", None), Ok(OperationType::Query));
        assert_eq!(ty("mutation { a }", None), Ok(OperationType::Mutation));
        assert_eq!(ty("query A { a } mutation B { b }", Some("B")), Ok(OperationType::Mutation));
        assert_eq!(ty("query A { a } mutation B { b }", Some("A")), Ok(OperationType::Query));
        assert!(ty("query A { a } mutation B { b }", None).is_err_and(|m| m.contains("operationName")));
        assert!(ty("query A { a } mutation B { b }", Some("C")).is_err_and(|m| m.contains("\"C\"")));
    }

    #[test]
    fn a_flood_of_long_new_texts_leaves_the_parsed_documents_within_their_memory_bound() {
        let engine = Engine::new();
        // Texts as long as the limits let them be, every one new, each with more fields than the
        // field limit allows (a text is parsed, and kept, before it is measured), and of the
        // shape that takes the most memory once parsed: bare one-letter fields. Four times the
        // bound in all; then as many short texts of fifty aliases each.
        let fields = " a".repeat(limits::MAX_QUERY_BYTES / 2 - 16);
        let aliases = (0..50).map(|i| format!("a{i}: coHostPairs(first: 1) {{ count }}")).collect::<Vec<_>>().join(" ");
        let mut sent = 0;
        for i in 0.. {
            let text = if sent < 4 * DOCUMENT_CACHE_BYTES as usize {
                format!("{{{fields} }}#{i}")
            } else {
                format!("{{ {aliases} }} #{i}")
            };
            assert!(text.len() <= limits::MAX_QUERY_BYTES);
            let document = engine.document(&text).expect("it parses");
            sent += parsed_size::parsed_bytes(&document);
            if sent > 8 * DOCUMENT_CACHE_BYTES as usize {
                break;
            }
        }
        let held: usize = engine
            .0
            .documents
            .iter()
            .map(|(text, parsed)| parsed_size::parsed_bytes(&parsed.document) + parsed_size::shared_str_bytes(&text))
            .sum();
        assert!(held as u64 <= DOCUMENT_CACHE_BYTES, "the documents kept hold {held} bytes");
        assert!(engine.0.documents.weight() <= DOCUMENT_CACHE_BYTES);
        // A short text, sent again, is still parsed once.
        let short = engine.document("{ dataset { version } }").expect("it parses");
        assert!(Arc::ptr_eq(&short, &engine.document("{ dataset { version } }").expect("it parses")));
    }

    #[test]
    fn the_caching_guide_publishes_the_bounds_of_the_parsed_documents() {
        let guide = include_str!("../../docs/caching.md").split_whitespace().collect::<Vec<_>>().join(" ");
        let published = format!(
            "At most {DOCUMENT_CACHE_ENTRIES} documents are kept, holding at most {} MiB of memory",
            DOCUMENT_CACHE_BYTES / (1024 * 1024)
        );
        assert!(guide.contains(&published), "docs/caching.md does not say: {published}");
    }

    #[test]
    fn the_schema_description_publishes_every_limit() {
        use crate::http::{MAX_BATCH, MAX_BODY_BYTES, REQUEST_TIMEOUT};
        use limits::*;
        let sdl = super::super::sdl();
        let query = &sdl[sdl.find("type Query").expect("a Query type") - 1500..];
        for (what, value) in [
            ("text", format!("at most {MAX_QUERY_BYTES} bytes")),
            ("depth", format!("at most {MAX_DEPTH} levels of fields, {MAX_INTROSPECTION_DEPTH} under")),
            ("fields", format!("at most {MAX_FIELDS},")),
            ("aliases", format!("aliases: at most {MAX_ALIASES}")),
            ("directives", format!("directives: at most {MAX_DIRECTIVES}")),
            ("cost", format!("cost: at most {MAX_COST}")),
            ("pages", format!("at most {}", crate::graphql::pagination::MAX_PAGE_SIZE)),
            ("body", format!("at most {MAX_BODY_BYTES}\nbytes")),
            ("batch", format!("at most {MAX_BATCH} operations")),
            ("time", format!("{} s per request", REQUEST_TIMEOUT.as_secs())),
        ] {
            assert!(query.contains(&value), "the Query description does not publish the {what} limit ({value})");
        }
    }

    #[tokio::test]
    async fn schema_description_is_the_schemas_own_which_is_none_under_any_alias_or_fragment() {
        let engine = Engine::new();
        let query = "query Q { __schema { description d2: description ...More } s: __schema { ... on __Schema { description } } \
                     __type(name: \"Query\") { description } }
                     fragment More on __Schema { d3: description queryType { name } }";
        let prepared = engine.prepare(Request::new(query), &limits::UnknownLists).expect("within the limits");
        let response = engine.run(prepared, None).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().expect("JSON");
        assert_eq!(
            data["__schema"],
            serde_json::json!({ "description": null, "d2": null, "d3": null, "queryType": { "name": "Query" } })
        );
        assert_eq!(data["s"], serde_json::json!({ "description": null }));
        assert!(data["__type"]["description"].as_str().is_some_and(|d| d.contains("at most")), "{data}");
    }

    #[test]
    fn a_document_is_parsed_once_and_a_broken_one_gets_a_code() {
        let engine = Engine::new();
        let first = engine.document("{ dataset { version } }").expect("it parses");
        let again = engine.document("{ dataset { version } }").expect("it parses");
        assert!(Arc::ptr_eq(&first, &again));
        let error = engine.document("{ dataset {").expect_err("it does not parse");
        assert_eq!(error.extensions.and_then(|e| e.get("code").cloned()), Some(codes::GRAPHQL_PARSE_FAILED.into()));
    }
}
