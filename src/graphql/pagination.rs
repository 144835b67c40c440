//! Relay cursor pagination over lists the read model has already put in order.
//!
//! Cursors are opaque (base64 of a versioned sort key), so a cursor stays valid across writes:
//! paging resumes after the key, wherever it now falls. Pages default to 20 items; more than
//! 100 is refused with `PAGE_SIZE_EXCEEDED`, not silently clamped.

use super::error::{ApiError, ApiResult};
use super::types::{Commitment, Deletion, Meeting, Person, State};
use async_graphql::SimpleObject;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

/// Items on a page when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// The largest `first` or `last` accepted.
pub const MAX_PAGE_SIZE: i32 = 100;

const CURSOR_PREFIX: &str = "k1:";

/// One page cut out of a list, before it becomes a GraphQL connection type.
pub struct Page<N> {
    /// The items with their cursors.
    pub edges: Vec<(String, N)>,
    /// Where the page sits.
    pub page_info: PageInfo,
    /// How many items match in all.
    pub total_count: i32,
}

/// Declares a Relay connection type and its edge type for one node type. Our own types rather
/// than async-graphql's, so that they carry descriptions for the docs pane.
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("One page of a list of ", $what, ", with cursors to reach the pages around it.")]
        #[derive(async_graphql::SimpleObject)]
        #[graphql(serial)]
        pub struct $conn {
            /// The items of this page, each with its cursor.
            pub edges: Vec<$edge>,
            /// The items of this page, without cursors.
            pub nodes: Vec<$node>,
            /// Cursors and whether there are pages before and after this one.
            pub page_info: PageInfo,
            /// How many items match in all, across every page.
            pub total_count: i32,
        }

        #[doc = concat!("One of ", $what, " on a page, with the cursor that points at it.")]
        #[derive(async_graphql::SimpleObject)]
        #[graphql(serial)]
        pub struct $edge {
            /// An opaque cursor: pass it as `after` or `before` to continue from this item.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl From<Page<$node>> for $conn {
            fn from(p: Page<$node>) -> Self {
                $conn {
                    nodes: p.edges.iter().map(|(_, n)| n.clone()).collect(),
                    edges: p.edges.into_iter().map(|(cursor, node)| $edge { cursor, node }).collect(),
                    page_info: p.page_info,
                    total_count: p.total_count,
                }
            }
        }
    };
}

connection!(MeetingConnection, MeetingEdge, Meeting, "meetings");
connection!(StateConnection, StateEdge, State, "states");
connection!(CommitmentConnection, CommitmentEdge, Commitment, "action-plan items");
connection!(DeletionConnection, DeletionEdge, Deletion, "deleted records");
connection!(PersonConnection, PersonEdge, Person, "people");

/// Where a page sits in its list.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
#[graphql(serial)]
pub struct PageInfo {
    /// Whether there are items after this page.
    pub has_next_page: bool,
    /// Whether there are items before this page.
    pub has_previous_page: bool,
    /// The cursor of the first item of this page.
    pub start_cursor: Option<String>,
    /// The cursor of the last item of this page.
    pub end_cursor: Option<String>,
}

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

fn check_size(field: &'static str, n: Option<i32>) -> ApiResult<Option<usize>> {
    match n {
        None => Ok(None),
        Some(n) if n < 0 => Err(ApiError::BadUserInput(format!("{field} cannot be negative"))),
        Some(n) if n > MAX_PAGE_SIZE => Err(ApiError::PageSizeExceeded { field, requested: n, max: MAX_PAGE_SIZE }),
        Some(n) => Ok(Some(n as usize)),
    }
}

/// A page size given as a plain argument (`first: Int = 50`): between 0 and the maximum.
pub fn page_size(field: &'static str, n: i32) -> ApiResult<usize> {
    Ok(check_size(field, Some(n))?.unwrap_or(0))
}

/// Cuts one page out of `items`, which are in display order with sort keys that rise
/// (`descending == false`) or fall along it, and builds the connection.
pub fn page<N>(
    items: &[usize],
    key: impl Fn(usize) -> String,
    descending: bool,
    args: PageArgs,
    node: impl Fn(usize) -> N,
) -> ApiResult<Page<N>> {
    page_by(items.len(), |i| items[i], key, descending, args, node)
}

/// Like [`page`], over a list given by its length and an accessor, so that a list the read
/// model never materialises (a range of positions, read backwards) is paged without copying it.
/// A cursor is found by binary search on the sort keys: the cost of a page grows with the
/// logarithm of the list, not with its length.
pub fn page_by<N>(
    len: usize,
    at: impl Fn(usize) -> usize,
    key: impl Fn(usize) -> String,
    descending: bool,
    args: PageArgs,
    node: impl Fn(usize) -> N,
) -> ApiResult<Page<N>> {
    let first = check_size("first", args.first)?;
    let last = check_size("last", args.last)?;
    if first.is_some() && last.is_some() {
        return Err(ApiError::BadUserInput("give `first` or `last`, not both".into()));
    }
    // "k comes after c in display order".
    let after = |k: &str, c: &str| if descending { k < c } else { k > c };
    // The first index in 0..len where `pred` stops holding (it holds on a prefix).
    let partition_point = |pred: &dyn Fn(usize) -> bool| {
        let (mut lo, mut hi) = (0, len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(mid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    };
    let mut start = 0;
    let mut end = len;
    if let Some(c) = args.after.as_deref().map(decode_cursor).transpose()? {
        start = partition_point(&|i| !after(&key(at(i)), &c));
    }
    if let Some(c) = args.before.as_deref().map(decode_cursor).transpose()? {
        end = partition_point(&|i| after(&c, &key(at(i)))).max(start);
    }
    match (first, last) {
        (Some(n), _) => end = end.min(start + n),
        (None, Some(n)) => start = start.max(end.saturating_sub(n)),
        (None, None) => end = end.min(start + DEFAULT_PAGE_SIZE as usize),
    }
    let edges: Vec<(String, N)> = (start..end).map(|i| (encode_cursor(&key(at(i))), node(at(i)))).collect();
    Ok(Page {
        page_info: PageInfo {
            has_next_page: end < len,
            has_previous_page: start > 0,
            start_cursor: edges.first().map(|e| e.0.clone()),
            end_cursor: edges.last().map(|e| e.0.clone()),
        },
        total_count: i32::try_from(len).unwrap_or(i32::MAX),
        edges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(page: &Page<usize>) -> Vec<usize> {
        page.edges.iter().map(|e| e.1).collect()
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
        assert!(p1.page_info.has_next_page && !p1.page_info.has_previous_page);
        let p2 = page(&items, key, false, args(Some(4), Some(encode_cursor("03")), None, None), |i| i).unwrap();
        assert_eq!(keys(&p2), [4, 5, 6, 7]);
        let back = page(&items, key, false, args(None, None, Some(3), Some(encode_cursor("04"))), |i| i).unwrap();
        assert_eq!(keys(&back), [1, 2, 3]);
        assert!(back.page_info.has_previous_page && back.page_info.has_next_page);
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
