//! The API's own scalars: `PartialDate`, `Date` and `DateTime`.
//!
//! Each carries `@specifiedBy(url:)`, so that code generators know what it holds: the URL is the
//! scalar's section of `docs/scalars.md` at [`SCALARS_DOC`], the repository's public address. The
//! macro takes only a literal, so the address is written out in each attribute; a test keeps them
//! and the page's headings in step.

use crate::domain;
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// A date known to the day, the month or only the year: "2023-11-14", "2023-11" or "2023". It
/// stands for every day it could mean ("2023-11" is 1-30 November 2023): date filters match a
/// record whose interval meets the range, and sorting puts it at the start of its interval.
#[Scalar(
    name = "PartialDate",
    specified_by_url = "https://github.com/khartoum-graphql/khartoum-graphql/blob/main/docs/scalars.md#partialdate"
)]
impl ScalarType for domain::PartialDate {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => domain::PartialDate::parse(s).map_err(|e| InputValueError::custom(e.to_string())),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// Lets validation refuse a bad literal or variable before anything runs, as a request error
    /// with a code, instead of a field error once execution reaches the argument.
    fn is_valid(value: &Value) -> bool {
        <Self as ScalarType>::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

/// A calendar date, always to the day: "2023-11-14".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub chrono::NaiveDate);

/// A calendar date, always to the day: "2023-11-14".
#[Scalar(
    name = "Date",
    specified_by_url = "https://github.com/khartoum-graphql/khartoum-graphql/blob/main/docs/scalars.md#date"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(s) = &value else { return Err(InputValueError::expected_type(value)) };
        match domain::PartialDate::parse(s) {
            Ok(d) if d.precision() == domain::Precision::Day => Ok(Date(d.first_day())),
            _ => Err(InputValueError::custom(format!(
                "'{}' is not a date of the form YYYY-MM-DD",
                s.chars().take(40).collect::<String>()
            ))),
        }
    }

    /// Lets validation refuse a bad literal or variable before anything runs, as a request error
    /// with a code, instead of a field error once execution reaches the argument.
    fn is_valid(value: &Value) -> bool {
        <Self as ScalarType>::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A moment in UTC, in RFC 3339 to the millisecond: "2026-11-23T09:30:00.000Z". Used for the
/// bookkeeping of records (`createdAt`, `updatedAt`) and for `updatedSince` filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub chrono::DateTime<chrono::Utc>);

/// A moment in UTC, in RFC 3339 to the millisecond: "2026-11-23T09:30:00.000Z". Any RFC 3339
/// offset is accepted as input.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://github.com/khartoum-graphql/khartoum-graphql/blob/main/docs/scalars.md#datetime"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(s) = &value else { return Err(InputValueError::expected_type(value)) };
        chrono::DateTime::parse_from_rfc3339(s).map(|t| DateTime(t.to_utc())).map_err(|_| {
            InputValueError::custom(format!(
                "'{}' is not an RFC 3339 time such as 2026-11-23T09:30:00Z",
                s.chars().take(40).collect::<String>()
            ))
        })
    }

    /// Lets validation refuse a bad literal or variable before anything runs, as a request error
    /// with a code, instead of a field error once execution reaches the argument.
    fn is_valid(value: &Value) -> bool {
        <Self as ScalarType>::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(crate::store::rfc3339(self.0))
    }
}

/// The public page that defines the scalars; each scalar's `@specifiedBy` URL is this page with
/// the scalar's heading as the fragment.
pub const SCALARS_DOC: &str = "https://github.com/khartoum-graphql/khartoum-graphql/blob/main/docs/scalars.md";

/// The check async-graphql's validation makes of a literal of the scalar named `name`
/// (`ScalarType::is_valid`, which the registry holds for every scalar): the built-in scalars and
/// ours. `None` for a scalar this list lacks, which [`super::validate`] leaves to async-graphql; a
/// test keeps the list complete.
pub fn validator(name: &str) -> Option<fn(&Value) -> bool> {
    Some(match name {
        "Int" => <i32 as ScalarType>::is_valid,
        "Float" => <f64 as ScalarType>::is_valid,
        "String" => <String as ScalarType>::is_valid,
        "Boolean" => <bool as ScalarType>::is_valid,
        "ID" => <async_graphql::ID as ScalarType>::is_valid,
        "PartialDate" => <domain::PartialDate as ScalarType>::is_valid,
        "Date" => <Date as ScalarType>::is_valid,
        "DateTime" => <DateTime as ScalarType>::is_valid,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    /// Every scalar that is not one of GraphQL's five, with the `specifiedByURL` introspection
    /// gives it.
    async fn custom_scalars() -> Vec<(String, Option<String>)> {
        let q = "{ __schema { types { kind name specifiedByURL } } }";
        let resp = super::super::schema().execute(q).await;
        assert!(resp.errors.is_empty(), "{:?}", resp.errors);
        let data = resp.data.into_json().expect("introspection answers JSON");
        let types = data["__schema"]["types"].as_array().expect("a list of types").clone();
        types
            .into_iter()
            .filter(|t| t["kind"] == "SCALAR")
            .filter(|t| !["Int", "Float", "String", "Boolean", "ID"].contains(&t["name"].as_str().unwrap_or("")))
            .map(|t| (t["name"].as_str().unwrap_or("").to_owned(), t["specifiedByURL"].as_str().map(str::to_owned)))
            .collect()
    }

    #[tokio::test]
    async fn every_custom_scalar_is_specified_by_its_section_of_the_scalars_page() {
        let scalars = custom_scalars().await;
        assert!(scalars.iter().any(|(name, _)| name == "PartialDate"), "introspection lists our scalars: {scalars:?}");
        let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scalars.md")).unwrap();
        assert_eq!(
            super::SCALARS_DOC,
            format!("{}/blob/main/docs/scalars.md", env!("CARGO_PKG_REPOSITORY")),
            "the scalars page is the one in the repository that Cargo.toml names"
        );
        for (name, url) in scalars {
            let url = url.unwrap_or_else(|| panic!("the scalar {name} has no specifiedByURL"));
            assert_eq!(url, format!("{}#{}", super::SCALARS_DOC, name.to_lowercase()), "{name}");
            assert!(page.lines().any(|l| l == format!("## {name}")), "docs/scalars.md has no section '## {name}'");
        }
    }

    #[test]
    fn every_scalar_of_the_schema_has_its_validator() {
        let sdl = super::super::sdl();
        let scalars: Vec<&str> = sdl.lines().filter_map(|l| l.strip_prefix("scalar ")?.split(' ').next()).collect();
        assert!(scalars.contains(&"PartialDate"), "the SDL lists its scalars: {scalars:?}");
        for name in scalars.into_iter().chain(["Int", "Float", "String", "Boolean", "ID"]) {
            assert!(super::validator(name).is_some(), "no validator for the scalar {name}");
        }
    }
}
