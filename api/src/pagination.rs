//! Cursor pagination: `limit` (1–500, default 50) and an opaque `cursor` that
//! encodes the last key of the previous page. Queries are keyset, never OFFSET.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// Checks `limit`, naming it when out of range.
pub fn limit(raw: Option<i64>) -> Result<i64, ApiError> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid(
            "limit",
            "out_of_range",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// The cursor for a page's last key; prefixed by `kind` so cursors of one list are
/// refused by another.
pub fn encode(kind: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{key}"))
}

pub fn decode(kind: &str, cursor: &str) -> Result<String, ApiError> {
    let bad = || ApiError::invalid("cursor", "invalid_cursor", "the cursor is not one this list returned");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    text.strip_prefix(kind)
        .and_then(|r| r.strip_prefix(':'))
        .map(str::to_owned)
        .ok_or_else(bad)
}

/// A cursor whose key is an id (lists in id order).
pub fn decode_uuid(kind: &str, cursor: Option<&str>) -> Result<Option<uuid::Uuid>, ApiError> {
    cursor
        .map(|c| {
            let key = decode(kind, c)?;
            uuid::Uuid::try_parse(&key)
                .map_err(|_| ApiError::invalid("cursor", "invalid_cursor", "the cursor is not one this list returned"))
        })
        .transpose()
}

/// Trims the look-ahead row and returns the cursor of the next page, if any.
pub fn split_page<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> String, kind: &str) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| encode(kind, &key(r)))
    } else {
        None
    };
    (rows, next)
}

/// A text filter of at most `max` characters (its `maxLength` in the spec):
/// longer is 422 naming `field`, as the schema says, not an empty page.
pub fn bounded(field: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(s) if s.chars().count() > max => Err(ApiError::invalid(
            field,
            "too_long",
            format!("{field} must be at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// A list's `q` search text: at most `max` characters and no NUL (which neither
/// backend stores); blank means no search.
pub fn search_text(q: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match q {
        Some(s) if s.chars().count() > max || s.contains('\0') => Err(ApiError::invalid(
            "q",
            "invalid_value",
            format!("q must be at most {max} characters, without NUL"),
        )),
        q => Ok(q.filter(|s| !s.trim().is_empty())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_kind_bound() {
        let c = encode("path", "/abc/");
        assert_eq!(decode("path", &c).unwrap(), "/abc/");
        assert!(decode("id", &c).is_err());
        assert!(decode("path", "%%%").is_err());
    }

    proptest::proptest! {
        /// Fuzz target (`bench/fuzz.sh`): any text is a cursor of this list or
        /// a 422 naming `cursor`, never a panic; keys round-trip.
        #[test]
        fn cursors(raw in "\\PC{0,80}|[A-Za-z0-9_-]{0,80}", key in "\\PC{0,40}") {
            if let Err(e) = decode("path", &raw) {
                proptest::prop_assert!(matches!(&e, ApiError::Invalid(f) if f[0].field == "cursor"));
            }
            let _ = decode_uuid("id", Some(&raw));
            proptest::prop_assert_eq!(decode("path", &encode("path", &key)).ok(), Some(key));
        }
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).unwrap(), 50);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(501)).is_err());
        assert_eq!(limit(Some(500)).unwrap(), 500);
    }
}
