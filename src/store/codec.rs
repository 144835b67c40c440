//! The one place that knows how values are encoded on disk.
//!
//! Every value is one format-version byte followed by its bincode encoding (standard config).
//! bincode is not self-describing, so a change to a stored type must bump [`FORMAT_VERSION`];
//! a store written by a newer version is refused instead of being misread. Values of older
//! versions down to [`OLDEST_VERSION`] are still read: a type whose layout changed since decodes
//! its old bytes through its former shape (see `legacy.rs`), every other type is laid out alike.

use serde::{de::DeserializeOwned, Serialize};

/// The version of the on-disk encoding this build writes and reads. Version 2 added the archive
/// fields of a source and the start qualifier of a membership; version 3 the links from a
/// participation and a chair term to the records of their people, and the parent of an
/// organisation; version 4 the upper bound on a membership's start.
pub const FORMAT_VERSION: u8 = 4;

/// The oldest version this build still reads.
pub const OLDEST_VERSION: u8 = 1;

/// The most memory one value may claim while it is decoded. bincode reads a length and then
/// allocates for it: without a limit, damaged bytes that announce a string of 2^60 bytes abort
/// the process (found by the codec fuzz target). Stored records are kilobytes; the limit leaves
/// them a thousandfold room.
const DECODE_LIMIT: usize = 16 * 1024 * 1024;

/// Why bytes could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The value is empty: not even a version byte.
    #[error("empty value")]
    Empty,
    /// The value was written by another format version.
    #[error("value has format version {found}, this build reads version {FORMAT_VERSION}")]
    Version {
        /// The version byte found.
        found: u8,
    },
    /// The bytes after the version byte are not a valid encoding.
    #[error("undecodable value: {0}")]
    Decode(#[from] bincode::error::DecodeError),
    /// The value could not be encoded.
    #[error("unencodable value: {0}")]
    Encode(#[from] bincode::error::EncodeError),
    /// The value decodes, but breaks a rule of its layout.
    #[error("invalid value: {0}")]
    Invalid(&'static str),
    /// Bytes were left over after the value: the value is not what was stored.
    #[error("{0} trailing bytes after the value")]
    Trailing(usize),
}

/// Encodes a value with the format-version byte in front.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    let mut out = vec![FORMAT_VERSION];
    bincode::serde::encode_into_std_write(value, &mut out, bincode::config::standard())?;
    Ok(out)
}

/// The format version a value was written with, refusing one this build cannot read.
pub fn version(bytes: &[u8]) -> Result<u8, CodecError> {
    let &version = bytes.first().ok_or(CodecError::Empty)?;
    if !(OLDEST_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(CodecError::Version { found: version });
    }
    Ok(version)
}

/// Decodes a value written by [`encode`] with any version this build reads, refusing other
/// versions and trailing bytes. The bytes are read with `T`'s current layout: a type whose layout
/// changed decodes older bytes through its former shape instead.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    version(bytes)?;
    let body = &bytes[1..];
    let config = bincode::config::standard().with_limit::<DECODE_LIMIT>();
    let (value, read) = bincode::serde::decode_from_slice(body, config)?;
    if read != body.len() {
        return Err(CodecError::Trailing(body.len() - read));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PartialDate, Slug};

    #[test]
    fn codec_round_trips_a_value_behind_its_version_byte() {
        let v = (Slug::parse("ke").unwrap(), Some(PartialDate::parse("2023-11").unwrap()), vec![1u8, 2]);
        let bytes = encode(&v).unwrap();
        assert_eq!(bytes[0], FORMAT_VERSION);
        assert_eq!(decode::<(Slug, Option<PartialDate>, Vec<u8>)>(&bytes).unwrap(), v);
    }

    #[test]
    fn codec_refuses_another_format_version() {
        let mut bytes = encode(&42u32).unwrap();
        bytes[0] = FORMAT_VERSION + 1;
        assert!(matches!(decode::<u32>(&bytes), Err(CodecError::Version { found }) if found == FORMAT_VERSION + 1));
        bytes[0] = 0;
        assert!(matches!(decode::<u32>(&bytes), Err(CodecError::Version { found: 0 })));
    }

    #[test]
    fn codec_refuses_a_length_beyond_its_limit_instead_of_allocating_it() {
        // A string announced as u64::MAX bytes long: varint marker 253, then eight bytes.
        let mut bytes = vec![FORMAT_VERSION, 253];
        bytes.extend(u64::MAX.to_le_bytes());
        assert!(matches!(decode::<String>(&bytes), Err(CodecError::Decode(_))));
        let mut list = vec![FORMAT_VERSION, 253];
        list.extend((1u64 << 40).to_le_bytes());
        assert!(matches!(decode::<Vec<String>>(&list), Err(CodecError::Decode(_))));
    }

    #[test]
    fn codec_refuses_empty_truncated_and_padded_values() {
        assert!(matches!(decode::<u32>(&[]), Err(CodecError::Empty)));
        let bytes = encode(&"a string").unwrap();
        assert!(decode::<String>(&bytes[..bytes.len() - 1]).is_err());
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(matches!(decode::<String>(&padded), Err(CodecError::Trailing(1))));
    }
}
