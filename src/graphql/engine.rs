//! The engine every GraphQL request runs through, over HTTP and WebSocket alike: the published
//! limits ([`super::limits`]) checked before anything runs, a cache of parsed documents, and the
//! cost of each query reported in the response's `extensions.cost`.
//!
//! A query whose document has been validated once runs on the direct path ([`super::direct`])
//! when it can, and on async-graphql's executor otherwise. A new document is validated by our
//! own validator ([`super::validate`]) when it is sure, and by async-graphql's otherwise.
//!
//! Why not async-graphql's own limits and extensions: a registered extension turns off the
//! executor's per-field fast path (about 30% of a small query on these machines), and its depth
//! limit cannot tell introspection from data. The limits here run once per request on a document
//! that is parsed once per distinct text; the schema underneath runs with no extension at all.
//!
//! Every refusal is a request error (no `data`, no `path`) with an `extensions.code`, so the
//! transport gives it the status the GraphQL-over-HTTP specification asks for.

use super::limits::{self, LimitError, Measure};
use super::shape::SchemaShape;
use super::{direct, parse, validate, ApiSchema, Root};
use crate::catalog::Catalog;
use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::{Data, ErrorExtensions, Executor, Request, Response, ServerError};
use quick_cache::sync::Cache;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How many parsed documents the cache holds. A parsed document takes tens of times the memory
/// of its text, so the cache is bounded by count: a few hundred distinct queries cover what
/// frontends send, and a flood of new texts cannot grow it.
const DOCUMENT_CACHE_ENTRIES: usize = 512;

/// The operation name `Engine::async_graphql_validates` asks for: not a GraphQL name, so no
/// document holds it.
const NO_OPERATION: &str = "-validate-only-";

/// The code of a document that does not parse.
pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// The code of a document that does not validate against the schema, or whose variables do not
/// fit their types.
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
/// The code of a request whose `operationName` names no operation of the document, or that names
/// none when the document holds several.
pub const UNKNOWN_OPERATION: &str = "UNKNOWN_OPERATION";

struct Inner {
    schema: ApiSchema,
    shape: SchemaShape,
    documents: Cache<Arc<str>, Arc<Parsed>>,
}

/// A parsed document, and whether it has been validated.
#[derive(Debug)]
pub struct Parsed {
    /// The document.
    pub doc: ExecutableDocument,
    /// Set once the document is known to be valid: async-graphql ran it without a request error,
    /// or [`Engine::validate`] passed it. From then on the direct path may answer it.
    validated: AtomicBool,
}

/// Runs GraphQL requests within the published limits. Cheap to clone: clones share the schema
/// and the caches.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

/// A request that passed the limits, ready to run.
pub struct Prepared {
    /// The request.
    pub request: Request,
    /// Its document.
    pub parsed: Arc<Parsed>,
    /// The kind of operation it runs.
    pub operation: OperationType,
    /// What it measured against the limits.
    pub measure: Measure,
}

/// An error with its code, as a request error (no path).
fn coded(message: impl Into<String>, code: &'static str) -> ServerError {
    ServerError::new(message, None).extend_with(|_, e| e.set("code", code)).into_server_error(Default::default())
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    /// The engine over this build's schema.
    pub fn new() -> Engine {
        let schema = super::schema();
        let shape = SchemaShape::from_sdl(&schema.sdl());
        let documents = Cache::new(DOCUMENT_CACHE_ENTRIES);
        Engine(Arc::new(Inner { schema, shape, documents }))
    }

    /// The schema underneath, for what the engine does not cover (its SDL).
    pub fn schema(&self) -> &ApiSchema {
        &self.0.schema
    }

    /// The parsed document of a query text: from the cache, or checked against the text limits,
    /// parsed (by our parser, [`super::parse`], else by async-graphql's) and cached. A text that
    /// does not parse is not cached: it costs its parse each time, which the text limits bound.
    pub fn document(&self, query: &str) -> Result<Arc<Parsed>, ServerError> {
        if let Some(doc) = self.0.documents.get(query) {
            return Ok(doc);
        }
        limits::check_text(query).map_err(|e| e.to_server_error())?;
        let doc = match parse::parse_query(query) {
            Some(doc) => {
                #[cfg(debug_assertions)]
                parse::assert_same_as_async_graphql(query, &doc);
                doc
            }
            // What our parser does not take, async-graphql's parses or words the error of.
            None => async_graphql::parser::parse_query(query).map_err(|e| {
                let mut error = ServerError::from(e);
                error.extensions.get_or_insert_with(Default::default).set("code", PARSE_FAILED);
                error
            })?,
        };
        let parsed = Arc::new(Parsed { doc, validated: AtomicBool::new(false) });
        self.0.documents.insert(Arc::from(query), Arc::clone(&parsed));
        Ok(parsed)
    }

    /// Parses (or finds) a request's document, chooses its operation and measures it against the
    /// limits.
    pub fn prepare(&self, request: Request) -> Result<Prepared, ServerError> {
        let parsed = self.document(&request.query)?;
        let operation = operation(&parsed.doc, request.operation_name.as_deref())?;
        let measure = self
            .0
            .shape
            .measure(&parsed.doc, operation, &request.variables)
            .map_err(|e: LimitError| e.to_server_error())?;
        Ok(Prepared { operation: operation.ty, request, parsed, measure })
    }

    /// Runs a request that [`Engine::prepare`] accepted on async-graphql's executor, and reports
    /// its cost.
    pub async fn run(&self, prepared: Prepared) -> Response {
        let Prepared { mut request, parsed, measure, .. } = prepared;
        request.set_parsed_query(parsed.doc.clone());
        let mut response = self.0.schema.execute(request).await;
        // A document that did not validate is a request error.
        if !is_request_error(&response) {
            parsed.validated.store(true, Ordering::Relaxed);
        }
        code_request_errors(&mut response);
        response.extensions.insert("cost".into(), measure.to_value());
        response
    }

    /// The JSON answer of a request that [`Engine::prepare`] accepted, from the direct path over
    /// the read model `catalog`; `None` when it steps aside (see [`super::direct`]), and the request
    /// goes to [`Engine::run`]. The answer is what `run` would answer, serialised.
    ///
    /// A document not validated yet is validated here ([`Engine::validate`]), once the direct path
    /// has answered it: an answer to a document that is not valid is thrown away, and a query the
    /// direct path does not cover is not validated twice.
    pub async fn direct(&self, prepared: &Prepared, catalog: &Arc<Catalog>) -> Option<Vec<u8>> {
        let parsed = &prepared.parsed;
        let operation = operation(&parsed.doc, prepared.request.operation_name.as_deref()).ok()?;
        let root = Root::new(catalog);
        let data = direct::execute(&parsed.doc, operation, &prepared.request.variables, &self.0.shape, &root)
            .inspect_err(|bail| tracing::trace!(why = bail.0, "the direct path stepped aside"))
            .ok()?;
        if !parsed.validated.load(Ordering::Relaxed) && !self.validate(parsed).await {
            return None;
        }
        let mut body = Vec::with_capacity(data.len() + 128);
        body.extend_from_slice(b"{\"data\":");
        body.extend_from_slice(&data);
        body.extend_from_slice(b",\"extensions\":{\"cost\":");
        serde_json::to_writer(&mut body, &prepared.measure.to_value()).ok()?;
        body.extend_from_slice(b"}}");
        Some(body)
    }

    /// Validates a document, and marks it validated when it passes: by our own validator
    /// ([`super::validate`]) when it is sure, else by async-graphql's. In debug builds, which the
    /// tests run, async-graphql checks every document ours passes.
    async fn validate(&self, parsed: &Parsed) -> bool {
        let passed = if validate::is_valid(&self.0.shape, &parsed.doc) {
            debug_assert!(
                self.async_graphql_validates(parsed).await,
                "our validator passed a document async-graphql refuses: {:?}",
                parsed.doc
            );
            true
        } else {
            self.async_graphql_validates(parsed).await
        };
        if passed {
            parsed.validated.store(true, Ordering::Relaxed);
        }
        passed
    }

    /// Whether async-graphql's validation passes a document.
    ///
    /// async-graphql has no public call that only validates, but it validates a document before
    /// it looks for the operation a request names. Asked for an operation that no document can
    /// hold (its name is not a GraphQL name), it answers with the validation errors of a document
    /// that does not pass, and with only "unknown operation" for one that does, having run
    /// nothing. A test pins that order.
    async fn async_graphql_validates(&self, parsed: &Parsed) -> bool {
        let mut request = Request::new("").operation_name(NO_OPERATION);
        request.set_parsed_query(parsed.doc.clone());
        let response = self.0.schema.execute(request).await;
        matches!(response.errors.as_slice(), [e] if e.message == format!("Unknown operation named \"{NO_OPERATION}\""))
    }
}

/// The operation of a document that a request names, or its only one.
pub fn operation<'d>(doc: &'d ExecutableDocument, name: Option<&str>) -> Result<&'d OperationDefinition, ServerError> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Ok(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .get(name)
            .map(|op| &op.node)
            .ok_or_else(|| coded(format!("Unknown operation named \"{name}\"."), UNKNOWN_OPERATION)),
        (DocumentOperations::Multiple(ops), None) => match ops.values().next() {
            Some(op) if ops.len() == 1 => Ok(&op.node),
            _ => Err(coded(
                "The document holds several operations: name the one to run with `operationName`.",
                UNKNOWN_OPERATION,
            )),
        },
    }
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
            extensions.set("code", VALIDATION_FAILED);
        }
    }
}

impl Executor for Engine {
    async fn execute(&self, request: Request) -> Response {
        match self.prepare(request) {
            Ok(prepared) => self.run(prepared).await,
            Err(error) => Response::from_errors(vec![error]),
        }
    }

    fn execute_stream(&self, request: Request, session_data: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        match self.prepare(request) {
            Ok(Prepared { mut request, parsed, measure, .. }) => {
                request.set_parsed_query(parsed.doc.clone());
                self.0
                    .schema
                    .execute_stream_with_session_data(request, session_data.unwrap_or_default())
                    .map(move |mut response| {
                        code_request_errors(&mut response);
                        response.extensions.insert("cost".into(), measure.to_value());
                        response
                    })
                    .boxed()
            }
            Err(error) => stream::once(async move { Response::from_errors(vec![error]) }).boxed(),
        }
    }
}

// The tests' generator, shared with the integration tests. (Declared here rather than in
// `tests`, because a path inside an inline module is read from a directory that does not exist.)
#[cfg(test)]
#[path = "../../tests/support/rng.rs"]
mod test_rng;

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
    async fn validating_marks_a_valid_document_and_refuses_an_invalid_one() {
        // Pins what Engine::validate relies on: async-graphql validates before it looks for the
        // operation. Were the order to change, the invalid document would pass here.
        let engine = Engine::new();
        for (query, valid) in [
            ("{ meetings(first: 1) { nodes { slug } } }", true),
            ("query A { dataset { version } } query B { processes { slug } }", true),
            ("{ meetings(first: 1) { nodes { nope } } }", false),
            ("{ meetings(first: \"x\") { totalCount } }", false),
            ("query ($unused: Int) { processes { slug } }", false),
            ("fragment F on Meeting { slug } { processes { slug } }", false),
        ] {
            let parsed = engine.document(query).expect("it parses");
            assert_eq!(engine.async_graphql_validates(&parsed).await, valid, "{query}");
            assert!(!parsed.validated.load(Ordering::Relaxed), "asking async-graphql alone marks nothing");
            assert_eq!(engine.validate(&parsed).await, valid, "{query}");
            assert_eq!(parsed.validated.load(Ordering::Relaxed), valid, "{query}");
        }
    }

    #[test]
    fn a_document_is_parsed_once_and_a_broken_one_gets_a_code() {
        let engine = Engine::new();
        let first = engine.document("{ dataset { version } }").expect("it parses");
        assert!(!first.validated.load(Ordering::Relaxed), "a new document is not validated yet");
        let again = engine.document("{ dataset { version } }").expect("it parses");
        assert!(Arc::ptr_eq(&first, &again));
        let error = engine.document("{ dataset {").expect_err("it does not parse");
        assert_eq!(error.extensions.and_then(|e| e.get("code").cloned()), Some(PARSE_FAILED.into()));
    }

    use super::test_rng::Rng;

    #[tokio::test]
    async fn our_validator_never_passes_a_document_async_graphql_refuses() {
        // Mutants of valid documents: one token replaced by another of the same documents or of
        // a pool of names and literals, dropped, or repeated. Each that still parses is validated
        // by both; ours may refuse more, never less.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/workloads");
        let mut corpus: Vec<String> = ["list", "detail", "aggregate", "search"]
            .iter()
            .map(|name| std::fs::read_to_string(dir.join(format!("{name}.graphql"))).expect("the workload reads"))
            .collect();
        corpus.extend(crate::http::examples::examples().iter().map(|e| e.query.clone()));
        corpus.push(
            "query Q($f: MeetingFilter, $n: Int = 5, $all: Boolean!, $c: String!) { state(code: $c) { ...A } \
             meetings(filter: $f, first: $n) { nodes { ...M slug @include(if: $all) ... on Meeting { title } } } } \
             fragment M on Meeting { slug title hosts { name } } fragment A on Actor { name ... on State { iso2 } }"
                .to_owned(),
        );
        corpus.push(
            "query F($a: String, $k: MeetingKind!, $from: Date, $r: [MeetingRole!]) { meetings(filter: \
             {actor: $a, kinds: [SUMMIT, $k], from: $from, roles: $r}, first: 3) { nodes { slug } } }"
                .to_owned(),
        );
        let pool = [
            "slug",
            "name",
            "title",
            "nodes",
            "meetings",
            "state",
            "Meeting",
            "State",
            "Actor",
            "SearchHit",
            "Int",
            "Int!",
            "String",
            "[Int]",
            "Boolean!",
            "first",
            "after",
            "filter",
            "code",
            "$n",
            "$f",
            "$c",
            "$all",
            "\"eg\"",
            "\"2019\"",
            "3",
            "-1",
            "2.5",
            "null",
            "true",
            "HOST",
            "YEAR",
            "{",
            "}",
            "(",
            ")",
            "...",
            "...M",
            "@skip(if: true)",
            "@include(if: $all)",
            "on",
            "fragment",
            "query",
            "mutation",
            "__typename",
            "__schema",
            "x: slug",
            "[HOST]",
            "{kinds: [SUMMIT]}",
            "{from: 2019}",
            ":",
            "!",
            "=",
        ];
        // Tokens split at spaces and punctuation; comments dropped, since the mutant is one line.
        let tokens = |q: &str| -> Vec<String> {
            let mut spaced = String::with_capacity(q.len() * 2);
            for line in q.lines() {
                for c in line.split('#').next().unwrap_or_default().chars() {
                    if "{}():[]!=".contains(c) {
                        spaced.extend([' ', c, ' ']);
                    } else {
                        spaced.push(c);
                    }
                }
                spaced.push(' ');
            }
            spaced.split_whitespace().map(str::to_owned).collect()
        };
        let engine = Engine::new();
        // A fixed seed, so CI is repeatable; `FUZZ_SEED=<n>` tries others.
        let seed = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_1234_abcd_ef01) | 1;
        let mut rng = Rng(seed);
        let (mut parsed_count, mut ours, mut theirs) = (0, 0, 0);
        for round in 0..12_000 {
            let base = &corpus[round % corpus.len()];
            let mut toks = tokens(base);
            for _ in 0..1 + rng.below(2) {
                let at = rng.below(toks.len());
                match rng.below(4) {
                    0 => toks[at] = pool[rng.below(pool.len())].to_owned(),
                    1 => toks[at] = toks[rng.below(toks.len())].clone(),
                    2 => {
                        toks.remove(at);
                    }
                    _ => toks.insert(at, toks[at].clone()),
                }
            }
            let query = toks.join(" ");
            let Ok(doc) = async_graphql::parser::parse_query(&query) else { continue };
            parsed_count += 1;
            let parsed = Parsed { doc, validated: AtomicBool::new(false) };
            let valid = engine.async_graphql_validates(&parsed).await;
            theirs += usize::from(valid);
            if validate::is_valid(&engine.0.shape, &parsed.doc) {
                ours += 1;
                assert!(valid, "ours passed what async-graphql refuses (FUZZ_SEED={seed}): {query}");
            }
        }
        eprintln!("{parsed_count} mutants parsed; async-graphql passed {theirs}, ours {ours} (FUZZ_SEED={seed})");
        assert!(parsed_count > 1500 && theirs > 500, "too few mutants to mean anything: {parsed_count}, {theirs}");
        assert!(ours * 2 > theirs, "ours passes too few of the valid mutants: {ours} of {theirs}");
    }
}
