//! Optimistic concurrency: the ETag is the record's version; `If-Match` must match it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::Serialize;

use crate::error::ApiError;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version `If-Match` asks for: `None` when absent or `*`. A tag that is not a
/// version of ours can never match, so it yields a version that no record has.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::Malformed("If-Match is not valid ASCII".into()))?
        .trim();
    if value == "*" {
        return Ok(None);
    }
    let tag = value.trim_start_matches("W/").trim_matches('"');
    Ok(Some(tag.parse::<i64>().unwrap_or(-1)))
}

/// A JSON response that carries the record's version as its ETag.
pub fn tagged(response: &mut HttpResponseBuilder, version: i64, body: impl Serialize) -> HttpResponse {
    response.insert_header((header::ETAG, etag(version))).json(body)
}
