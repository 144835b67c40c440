//! Every `extensions.code` the API sends, defined once. A client matches on these strings, so
//! they are part of the contract: the GraphQL layer and the HTTP transport both take them from
//! here, and nothing else spells one out.
//!
//! Those of async-graphql's own errors that carry no code get one here too (a parse or
//! validation failure), so that every error a client sees has one.

// ----- the request as a GraphQL document -----

/// A document that does not parse.
pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// A document that does not validate against the schema, whose variables do not fit their
/// types (a required one left out or null included), or whose fragments spread themselves.
pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
/// An `operationName` that names no operation of the document, or none named where the document
/// holds several.
pub const UNKNOWN_OPERATION: &str = "UNKNOWN_OPERATION";

// ----- the published limits, checked before anything runs -----

/// A query text longer than the limit.
pub const QUERY_TOO_LARGE: &str = "QUERY_TOO_LARGE";
/// Fields (or the text's brackets) nested deeper than the limit.
pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
/// More fields than the limit, fragments expanded.
pub const TOO_MANY_FIELDS: &str = "TOO_MANY_FIELDS";
/// More aliases than the limit.
pub const TOO_MANY_ALIASES: &str = "TOO_MANY_ALIASES";
/// More directives than the limit.
pub const TOO_MANY_DIRECTIVES: &str = "TOO_MANY_DIRECTIVES";
/// A cost above the limit.
pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
/// A `first` or `last` above the largest page.
pub const PAGE_SIZE_EXCEEDED: &str = "PAGE_SIZE_EXCEEDED";

// ----- resolvers and writes -----

/// An argument or input the client got wrong.
pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
/// A write to a record that does not exist.
pub const NOT_FOUND: &str = "NOT_FOUND";
/// A write without a valid bearer token.
pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
/// A write that contradicts the record (a duplicate, a reference still in use).
pub const CONFLICT: &str = "CONFLICT";
/// A write refused because the store cannot write now (a full or failing disk, a data directory
/// removed); reads are still served, and `/health` says when writes are possible again.
pub const STORE_UNAVAILABLE: &str = "STORE_UNAVAILABLE";
/// A write that touches more records than the store takes in one write (on etcd, one
/// transaction: `--max-txn-ops`, 128 unless the cluster sets more, holds 63 records); nothing
/// was written. Split it (cite fewer new sources at once), or have the operator raise the limit.
pub const WRITE_TOO_LARGE: &str = "WRITE_TOO_LARGE";
/// Changes asked for from a version (`changes(after:)`) or a time (`deleted(since:)`) older than
/// the change history the server keeps, or a version of another dataset: `extensions` name the
/// oldest version (`oldestVersion`) or time (`oldestTime`) it answers from. Reload what you
/// hold, then follow the changes after the version you reloaded (`dataset.version`).
pub const HISTORY_EXPIRED: &str = "HISTORY_EXPIRED";
/// Our fault; the details are logged, never sent.
pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";

// ----- persisted and trusted documents -----

/// A request by hash alone for a document the server does not hold: the client resends it with
/// its text (Apollo's automatic persisted queries).
pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
/// A text whose SHA-256 is not the hash sent with it, or a hash that is not 64 hex digits.
pub const PERSISTED_QUERY_HASH_MISMATCH: &str = "PERSISTED_QUERY_HASH_MISMATCH";
/// A `documentId` that names no trusted or persisted document.
pub const PERSISTED_DOCUMENT_NOT_FOUND: &str = "PERSISTED_DOCUMENT_NOT_FOUND";
/// A document that is not one of the trusted documents, on a server that runs only those.
pub const TRUSTED_DOCUMENTS_ONLY: &str = "TRUSTED_DOCUMENTS_ONLY";

// ----- GraphQL over HTTP -----

/// A request the transport cannot read: not JSON, no `query`, parameters of the wrong type.
pub const BAD_REQUEST: &str = "BAD_REQUEST";
/// A batch of more operations than the limit.
pub const BATCH_TOO_LARGE: &str = "BATCH_TOO_LARGE";
/// An `Accept` header that allows none of the media types the endpoint answers in.
pub const NOT_ACCEPTABLE: &str = "NOT_ACCEPTABLE";
/// A mutation or subscription sent by GET.
pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
/// A POST body that is not `application/json`.
pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
/// A request body larger than the limit.
pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
/// An answer larger than the limit of the transport, refused whole rather than cut short.
pub const RESPONSE_TOO_LARGE: &str = "RESPONSE_TOO_LARGE";
/// A request that took longer than the limit.
pub const REQUEST_TIMEOUT: &str = "REQUEST_TIMEOUT";
/// A request over its client's budget of cost points (429, with `Retry-After` and the `RateLimit`
/// headers).
pub const RATE_LIMITED: &str = "RATE_LIMITED";
/// A connection over the server's limit of open connections, answered before it is closed.
pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
/// A request whose `X-Min-Dataset-Version` the server did not reach within its limit
/// (`--min-version-wait`): 503 with `Retry-After`; its `X-Dataset-Version` header names the
/// version the server has. Also a `changes(after:)` subscription whose version the server (one
/// replica of a cluster, behind the others) did not reach within that limit.
pub const DATASET_VERSION_NOT_REACHED: &str = "DATASET_VERSION_NOT_REACHED";

// ----- GraphQL over WebSocket -----

/// A subscribe on a WebSocket that already runs as many operations as a socket may; the others
/// go on, and the socket stays open.
pub const TOO_MANY_SUBSCRIPTIONS: &str = "TOO_MANY_SUBSCRIPTIONS";
/// A WebSocket upgrade from a client address that already holds as many sockets as one address
/// may, answered 429 with `Retry-After`.
pub const TOO_MANY_SOCKETS: &str = "TOO_MANY_SOCKETS";
