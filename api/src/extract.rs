//! Strict request extractors: JSON bodies and query strings whose errors name the
//! offending field, as problem+json (400 malformed or a repeated key, 413 too
//! large, 415 wrong type or a charset other than UTF-8, 422 invalid field, an
//! exponent or `-0` included: see `json_body`).

use std::future::Future;
use std::pin::Pin;

use actix_web::error::PayloadError;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body (`application/json` or `+json`) deserialized with unknown fields refused.
pub struct StrictJson<T>(pub T);

/// A query string; unknown parameters are ignored, bad values name their parameter.
pub struct StrictQuery<T>(pub T);

/// Turns a serde error at `path` into a field error, pulling the field name out of
/// "unknown field `x`" / "missing field `x`" / "duplicate field `x`" messages that
/// serde reports at the parent; `whole` names the input itself (`body`, `query`).
fn field_error(path: &serde_path_to_error::Path, message: String, whole: &str) -> ApiError {
    let path = path.to_string();
    let named = message.split('`').nth(1).filter(|_| {
        message.starts_with("unknown field")
            || message.starts_with("missing field")
            || message.starts_with("duplicate field")
    });
    let field = match (path.as_str(), named) {
        (".", Some(n)) => n.to_string(),
        // serde_path_to_error already ends the path with an unknown field's name.
        (p, Some(n)) if p == n || p.ends_with(&format!(".{n}")) => p.to_string(),
        (p, Some(n)) => format!("{p}.{n}"),
        (".", None) => whole.to_string(),
        (p, None) => p.to_string(),
    };
    let code = if message.starts_with("unknown field") {
        "unknown_field"
    } else if message.starts_with("missing field") {
        "required"
    } else if message.starts_with("duplicate field") {
        "repeated"
    } else {
        "invalid_value"
    };
    let message = message.split(" at line ").next().unwrap_or(&message).to_string();
    ApiError::invalid(&field, code, message)
}

/// `application/json` or `+json`, in UTF-8 (RFC 8259 §8.1): a `charset`
/// parameter, if any, must say so.
fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(m)) => {
            m.type_() == mime::APPLICATION
                && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
                && m.get_param(mime::CHARSET)
                    .is_none_or(|c| c.as_str().eq_ignore_ascii_case("utf-8"))
        }
        _ => false,
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for StrictJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let json = is_json(req);
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.config.max_body_bytes)
            .unwrap_or(64 * 1024);
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            if !json {
                return Err(ApiError::UnsupportedMediaType {
                    expected: "application/json (UTF-8)",
                });
            }
            let bytes = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => ApiError::PayloadTooLarge { limit },
                _ => ApiError::Malformed(format!("cannot read the request body: {e}")),
            })?;
            if bytes.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            // Syntax first (400, trailing data included), then the fields (422, named).
            let json: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::Malformed(format!("the body is not valid JSON: {e}")))?;
            crate::json_body::check(&bytes)?;
            if !json.is_object() {
                return Err(ApiError::invalid(
                    "body",
                    "not_an_object",
                    "the body must be a JSON object",
                ));
            }
            let value = serde_path_to_error::deserialize(json).map_err(|e| {
                let message = e.inner().to_string();
                field_error(e.path(), message, "body")
            })?;
            Ok(StrictJson(value))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for StrictQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(req.query_string().as_bytes()));
        std::future::ready(serde_path_to_error::deserialize(de).map(StrictQuery).map_err(|e| {
            let message = e.inner().to_string();
            field_error(e.path(), message, "query")
        }))
    }
}

/// Reads a whole body of at most `limit` bytes (413 beyond), whatever the app-wide limit.
pub async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, ApiError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::Malformed(format!("cannot read the request body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An integer field that also takes JSON numbers like `12.0` (JSON Schema's
/// `integer` admits them), refusing real fractions.
pub fn integer<'de, D: serde::Deserializer<'de>>(de: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(de)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(serde::de::Error::custom(format!("expected an integer, found {n}"))),
    }
}

/// [`integer`] for optional fields.
pub fn optional_integer<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Option<i64>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "integer")] i64);
    Ok(Option::<Wrapped>::deserialize(de)?.map(|w| w.0))
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`) in PATCH bodies.
pub fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(de).map(Some)
}
