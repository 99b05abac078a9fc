//! Charges every limited request to its caller before it runs, refuses it with
//! 429 `rate_limited` (and `Retry-After`) past the quota, and writes the
//! caller's `RateLimit-Policy` and `RateLimit` on whatever the answer is. A
//! token verified here is kept in the request's extensions, so the auth
//! extractor does not verify it again.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

use super::{limited, Caller, Decision};
use crate::auth::bearer_token;
use crate::client_addr::ClientAddr;
use crate::error::ApiError;
use crate::state::AppState;

const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// The middleware (`middleware::from_fn(rate_limit::middleware::enforce)`),
/// inside the access log (which finds the client address).
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if !state.config.rate_limits_enabled || !limited(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let verified = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(bearer_token)
        .and_then(|token| state.verifier.verify(token).ok());
    let caller = match &verified {
        Some(v) => Caller::of(&v.subject),
        None => match ClientAddr::of(req.request()) {
            Some(ip) => Caller::Address(ip),
            None => return Ok(next.call(req).await?.map_into_boxed_body()),
        },
    };
    let cost = state.rate_limiter.cost(req.method(), req.path());
    let decision = state.rate_limiter.charge(&caller, cost, state.clock.now());
    if !decision.allowed {
        crate::metrics::rate_limited(decision.policy);
        let refused = req.error_response(ApiError::RateLimited {
            retry_after_secs: decision.reset_secs,
        });
        return Ok(with_fields(refused, &decision));
    }
    if let Some(v) = verified {
        req.extensions_mut().insert(v);
    }
    Ok(with_fields(next.call(req).await?.map_into_boxed_body(), &decision))
}

fn with_fields(mut res: ServiceResponse<BoxBody>, decision: &Decision) -> ServiceResponse<BoxBody> {
    let headers = res.headers_mut();
    for (name, value) in [
        (RATELIMIT_POLICY, decision.policy_field()),
        (RATELIMIT, decision.limit_field()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    res
}
