//! Optimistic concurrency: the ETag is the record's version; `If-Match` must match it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Serialize;

use crate::error::ApiError;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version `If-Match` asks for: `None` when absent, empty or `*`. A value that is
/// not an entity tag (`"7"`, weak `W/"7"`; RFC 9110 §8.8.3) is malformed (400),
/// as the spec's pattern says; a tag that is not a version of ours can never
/// match, so it yields a version that no record has (412).
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::Malformed("If-Match is not valid ASCII".into()))?
        .trim();
    // An empty field is an empty list of tags: no condition (RFC 9110 §5.6.1).
    if value.is_empty() || value == "*" {
        return Ok(None);
    }
    let tag = entity_tag(value)
        .ok_or_else(|| ApiError::Malformed("If-Match is not an entity tag such as \"7\" (or *)".into()))?;
    Ok(Some(tag.parse::<i64>().unwrap_or(-1)))
}

/// The opaque part of one entity tag: `"…"` or `W/"…"` around `etagc` characters.
fn entity_tag(value: &str) -> Option<&str> {
    let quoted = value.strip_prefix("W/").unwrap_or(value);
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    inner
        .bytes()
        .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b))
        .then_some(inner)
}

/// A JSON response that carries the record's version as its ETag.
pub fn tagged(response: &mut HttpResponseBuilder, version: i64, body: impl Serialize) -> HttpResponse {
    response.insert_header((header::ETAG, etag(version))).json(body)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn asked(value: &str) -> Result<Option<i64>, ApiError> {
        if_match(
            &TestRequest::default()
                .insert_header((header::IF_MATCH, value))
                .to_http_request(),
        )
    }

    #[test]
    fn if_match_reads_tags_and_refuses_what_is_not_one() {
        assert_eq!(asked("\"7\"").ok(), Some(Some(7)));
        assert_eq!(asked("W/\"7\"").ok(), Some(Some(7)));
        assert_eq!(asked("*").ok(), Some(None));
        assert_eq!(asked("\"other\"").ok(), Some(Some(-1)), "a tag, never ours: 412");
        assert_eq!(asked("").ok(), Some(None));
        for bad in ["null", "7", "\"7", "\"a\"b\"", "W/7"] {
            assert!(matches!(asked(bad), Err(ApiError::Malformed(_))), "{bad:?}");
        }
    }
}
