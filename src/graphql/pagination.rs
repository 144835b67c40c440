//! Relay cursor pagination over lists the read model has already put in order.
//!
//! Cursors are opaque (base64 of a versioned sort key), so a cursor stays valid across writes:
//! paging resumes after the key, wherever it now falls. Pages default to 20 items; more than
//! 100 is refused with `PAGE_SIZE_EXCEEDED`, not silently clamped.

use super::error::{ApiError, ApiResult};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

/// Items on a page when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// The largest `first` or `last` accepted.
pub const MAX_PAGE_SIZE: i32 = 100;

const CURSOR_PREFIX: &str = "k1:";

/// The fields every connection adds beside `edges`, `nodes` and `pageInfo`.
#[derive(SimpleObject)]
pub struct TotalCount {
    /// How many items match in all, across every page.
    pub total_count: i32,
}

/// A connection whose cursors are strings and which reports its total count.
pub type Conn<N> = Connection<String, N, TotalCount>;

/// The paging arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    /// Items from the start (after `after`).
    pub first: Option<i32>,
    /// Cursor to start after.
    pub after: Option<String>,
    /// Items from the end (before `before`).
    pub last: Option<i32>,
    /// Cursor to end before.
    pub before: Option<String>,
}

/// Encodes a sort key as an opaque cursor.
pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{key}"))
}

/// Decodes a cursor made by [`encode_cursor`].
pub fn decode_cursor(cursor: &str) -> ApiResult<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix(CURSOR_PREFIX).map(str::to_owned))
        .ok_or_else(|| ApiError::BadUserInput("invalid cursor: use a cursor this API returned".into()))
}

/// The complexity of a connection field: the page size times the cost of one item, so nested
/// connections multiply.
pub fn cost(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let n = first.or(last).unwrap_or(DEFAULT_PAGE_SIZE).clamp(0, MAX_PAGE_SIZE) as usize;
    1 + n.max(1) * child
}

fn check_size(field: &'static str, n: Option<i32>) -> ApiResult<Option<usize>> {
    match n {
        None => Ok(None),
        Some(n) if n < 0 => Err(ApiError::BadUserInput(format!("{field} cannot be negative"))),
        Some(n) if n > MAX_PAGE_SIZE => Err(ApiError::PageSizeExceeded { field, requested: n, max: MAX_PAGE_SIZE }),
        Some(n) => Ok(Some(n as usize)),
    }
}

/// Cuts one page out of `items`, which are in display order with sort keys that rise
/// (`descending == false`) or fall along it, and builds the connection.
pub fn page<N: OutputType>(
    items: &[usize],
    key: impl Fn(usize) -> String,
    descending: bool,
    args: PageArgs,
    node: impl Fn(usize) -> N,
) -> ApiResult<Conn<N>> {
    let first = check_size("first", args.first)?;
    let last = check_size("last", args.last)?;
    if first.is_some() && last.is_some() {
        return Err(ApiError::BadUserInput("give `first` or `last`, not both".into()));
    }
    // "k comes after c in display order".
    let after = |k: &str, c: &str| if descending { k < c } else { k > c };
    let mut start = 0;
    let mut end = items.len();
    if let Some(c) = args.after.as_deref().map(decode_cursor).transpose()? {
        start = items.partition_point(|&i| !after(&key(i), &c));
    }
    if let Some(c) = args.before.as_deref().map(decode_cursor).transpose()? {
        end = items.partition_point(|&i| after(&c, &key(i))).max(start);
    }
    match (first, last) {
        (Some(n), _) => end = end.min(start + n),
        (None, Some(n)) => start = start.max(end.saturating_sub(n)),
        (None, None) => end = end.min(start + DEFAULT_PAGE_SIZE as usize),
    }
    let total = i32::try_from(items.len()).unwrap_or(i32::MAX);
    let mut conn = Connection::with_additional_fields(start > 0, end < items.len(), TotalCount { total_count: total });
    conn.edges.extend(items[start..end].iter().map(|&i| Edge::new(encode_cursor(&key(i)), node(i))));
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(conn: &Conn<usize>) -> Vec<usize> {
        conn.edges.iter().map(|e| e.node).collect()
    }

    fn args(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> PageArgs {
        PageArgs { first, after, last, before }
    }

    #[test]
    fn pages_forward_and_backward_by_cursor() {
        let items: Vec<usize> = (0..10).collect();
        let key = |i: usize| format!("{i:02}");
        let p1 = page(&items, key, false, args(Some(4), None, None, None), |i| i).unwrap();
        assert_eq!(keys(&p1), [0, 1, 2, 3]);
        assert!(p1.has_next_page && !p1.has_previous_page);
        let p2 = page(&items, key, false, args(Some(4), Some(encode_cursor("03")), None, None), |i| i).unwrap();
        assert_eq!(keys(&p2), [4, 5, 6, 7]);
        let back = page(&items, key, false, args(None, None, Some(3), Some(encode_cursor("04"))), |i| i).unwrap();
        assert_eq!(keys(&back), [1, 2, 3]);
        assert!(back.has_previous_page && back.has_next_page);
    }

    #[test]
    fn descending_lists_page_by_falling_keys() {
        let items: Vec<usize> = (0..5).rev().collect();
        let p =
            page(&items, |i| i.to_string(), true, args(Some(2), Some(encode_cursor("3")), None, None), |i| i).unwrap();
        assert_eq!(keys(&p), [2, 1]);
    }

    #[test]
    fn page_size_limits_are_errors_not_clamps() {
        let items: Vec<usize> = (0..3).collect();
        let err =
            page(&items, |i| i.to_string(), false, args(Some(101), None, None, None), |i| i).err().expect("an error");
        assert_eq!(err.code(), "PAGE_SIZE_EXCEEDED");
        let err =
            page(&items, |i| i.to_string(), false, args(Some(-1), None, None, None), |i| i).err().expect("an error");
        assert_eq!(err.code(), "BAD_USER_INPUT");
        let err = page(&items, |i| i.to_string(), false, args(None, Some("garbage!".into()), None, None), |i| i)
            .err()
            .expect("an error");
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }
}
