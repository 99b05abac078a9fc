//! The longest request target the API reads: a longer one is 414 problem+json
//! (`uri_too_long`), answered before routing. (A request head past actix's own
//! limits never reaches the app: a target over 64 KiB is a bare 400, a head
//! over 128 KiB a bare 431.)

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::Error;

use crate::error::ApiError;

/// Path and query together, in bytes: room for every filter a list takes.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The middleware (`middleware::from_fn(uri_limit::check)`).
pub async fn check<B: MessageBody>(req: ServiceRequest, next: Next<B>) -> Result<ServiceResponse<B>, Error> {
    let len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if len > MAX_URI_BYTES {
        return Err(ApiError::UriTooLong { limit: MAX_URI_BYTES }.into());
    }
    next.call(req).await
}
