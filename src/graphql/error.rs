//! The API's errors and their codes.
//!
//! Each error is either the client's fault (`BAD_USER_INPUT`, `NOT_FOUND`, `PAGE_SIZE_EXCEEDED`,
//! `UNAUTHENTICATED`, `CONFLICT`, `WRITE_TOO_LARGE`) or ours (`STORE_UNAVAILABLE`,
//! `INTERNAL_SERVER_ERROR`). Ours are logged in full and reach the client only as a generic
//! message: never a path, a sled message or a panic.

use super::codes;
use crate::curation::CurationError;
use crate::store::StoreError;
use async_graphql::ErrorExtensions;

/// An error a resolver returns, with the code clients branch on in `extensions.code`.
///
/// It deliberately has no `Display`: async-graphql converts any `Display` error into a message
/// without a code, and that path must not exist for our errors.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// An argument is malformed or names nothing.
    BadUserInput(String),
    /// The record a write names does not exist.
    NotFound(String),
    /// A write came without a valid bearer token, or none is configured.
    Unauthenticated(String),
    /// A write clashes with other records (a duplicate key, overlapping terms, a record still
    /// referred to).
    Conflict(String),
    /// A write touches more records than the store takes in one write; nothing was written.
    WriteTooLarge {
        /// How many records it touches.
        records: usize,
    },
    /// `first` or `last` is above the maximum page size.
    PageSizeExceeded {
        /// `first` or `last`.
        field: &'static str,
        /// What was asked for.
        requested: i32,
        /// The maximum.
        max: i32,
    },
    /// The store cannot write now (a full or failing disk, a data directory removed); reads go
    /// on. The detail is logged, not sent.
    StoreUnavailable(String),
    /// The request ran past its time limit; what it had not done yet was not done.
    TimedOut,
    /// Changes asked for after a version this server has not reached within its limit: another
    /// server of the same cluster made it, and this one is behind.
    VersionNotReached(String),
    /// Changes asked for from before the change history the server keeps.
    HistoryExpired {
        /// What was asked and from where the history answers.
        message: String,
        /// `extensions` besides the code: the oldest version or time the history answers from.
        oldest: (&'static str, String),
    },
    /// Something failed on our side; the detail is logged, not sent.
    Internal(String),
}

impl ApiError {
    /// The value of `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadUserInput(_) => codes::BAD_USER_INPUT,
            ApiError::NotFound(_) => codes::NOT_FOUND,
            ApiError::Unauthenticated(_) => codes::UNAUTHENTICATED,
            ApiError::Conflict(_) => codes::CONFLICT,
            ApiError::WriteTooLarge { .. } => codes::WRITE_TOO_LARGE,
            ApiError::PageSizeExceeded { .. } => codes::PAGE_SIZE_EXCEEDED,
            ApiError::StoreUnavailable(_) => codes::STORE_UNAVAILABLE,
            ApiError::TimedOut => codes::REQUEST_TIMEOUT,
            ApiError::HistoryExpired { .. } => codes::HISTORY_EXPIRED,
            ApiError::VersionNotReached(_) => codes::DATASET_VERSION_NOT_REACHED,
            ApiError::Internal(_) => codes::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message sent to the client.
    pub fn message(&self) -> String {
        match self {
            ApiError::BadUserInput(m)
            | ApiError::NotFound(m)
            | ApiError::Unauthenticated(m)
            | ApiError::Conflict(m)
            | ApiError::VersionNotReached(m)
            | ApiError::HistoryExpired { message: m, .. } => m.clone(),
            ApiError::PageSizeExceeded { field, requested, max } => {
                format!("{field} is {requested}, above the maximum page size of {max}; page through with `after`/`before` instead")
            }
            ApiError::WriteTooLarge { records } => format!(
                "this write touches {records} records, more than the store takes in one write; nothing was written: \
                 split it into smaller writes (cite fewer new sources at once)"
            ),
            ApiError::StoreUnavailable(_) => {
                "the store cannot write at the moment (its disk is full or failing, or its data directory is gone); \
                 nothing was written; reads are still served; /health says when writes are possible again"
                    .to_owned()
            }
            ApiError::TimedOut => "the request ran past its time limit: ask for less at once".to_owned(),
            ApiError::Internal(_) => "internal error".to_owned(),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        match &e {
            ApiError::Internal(detail) => tracing::error!(%detail, "internal error while resolving a query"),
            ApiError::StoreUnavailable(detail) => {
                tracing::error!(%detail, "a write was refused: the store cannot write")
            }
            _ => {}
        }
        let code = e.code();
        let error = async_graphql::Error::new(e.message()).extend_with(|_, ext| ext.set("code", code));
        match e {
            ApiError::HistoryExpired { oldest: (key, value), .. } => error.extend_with(|_, ext| ext.set(key, value)),
            _ => error,
        }
    }
}

impl From<CurationError> for ApiError {
    fn from(e: CurationError) -> Self {
        match e {
            CurationError::Unauthenticated(m) => ApiError::Unauthenticated(m),
            CurationError::Invalid(m) => ApiError::BadUserInput(m),
            CurationError::NotFound(m) => ApiError::NotFound(m),
            CurationError::Conflict(m) => ApiError::Conflict(m),
            CurationError::Store(StoreError::WriteTooLarge { records, detail }) => {
                tracing::warn!(records, %detail, "a write was refused: too large for one etcd transaction");
                ApiError::WriteTooLarge { records }
            }
            CurationError::Store(e) if e.is_unavailable() => ApiError::StoreUnavailable(e.to_string()),
            CurationError::Store(e) => ApiError::Internal(format!("write failed: {e}")),
            CurationError::Internal(m) => ApiError::Internal(m),
        }
    }
}

/// The result type of resolvers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_detail_from_clients() {
        let e: async_graphql::Error = ApiError::Internal("/var/data/db: sled I/O error".into()).into();
        assert_eq!(e.message, "internal error");
        let ext = format!("{:?}", e.extensions);
        assert!(ext.contains("INTERNAL_SERVER_ERROR") && !ext.contains("sled"), "{ext}");
    }

    #[test]
    fn each_error_carries_its_code() {
        let cases = [
            (ApiError::BadUserInput("x".into()), "BAD_USER_INPUT"),
            (ApiError::NotFound("x".into()), "NOT_FOUND"),
            (ApiError::Unauthenticated("x".into()), "UNAUTHENTICATED"),
            (ApiError::Conflict("x".into()), "CONFLICT"),
            (ApiError::WriteTooLarge { records: 64 }, "WRITE_TOO_LARGE"),
            (ApiError::PageSizeExceeded { field: "first", requested: 101, max: 100 }, "PAGE_SIZE_EXCEEDED"),
            (
                ApiError::HistoryExpired { message: "x".into(), oldest: ("oldestVersion", "v".into()) },
                "HISTORY_EXPIRED",
            ),
        ];
        for (err, code) in cases {
            let e: async_graphql::Error = err.into();
            assert!(format!("{:?}", e.extensions).contains(code));
        }
    }
}
