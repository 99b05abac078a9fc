//! The wrapper around every request. A POST or PATCH with an `Idempotency-Key`
//! to an operation that takes one (see [`super::spec`]), from a verified
//! caller, claims the key (scoped to that caller) and then:
//! - fresh (or expired, or its earlier holder's lease ran out before anything
//!   committed): runs the request with the claim in scope; keeps the answer
//!   unless it is a 5xx, its body was not read to its end, or it is larger
//!   than [`super::MAX_ANSWER_BYTES`] (then the key is given back, unless a
//!   write committed under it);
//! - answered: replays the answer (`Idempotent-Replayed: true`) when method,
//!   path, query, content type and body hash the same; 422
//!   `idempotency_key_reused` otherwise;
//! - in flight: 409 `idempotency_key_in_use`;
//! - committed without a kept answer: 409 too, saying so: running it again
//!   could write twice.
//!
//! The request runs in a task of its own, so that a client that hangs up does
//! not stop its answer from being kept.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, HttpResponse};
use domain::ErrorCode;
use persistence::{Claimed, KeyClaim, StoredAnswer};
use uuid::Uuid;

use super::body::{collect, Collected, RequestHash};
use super::spec::KeyedRoutes;
use super::{parse_key, HEADER, LEASE_SECS, MAX_ANSWER_BYTES, REPLAYED};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::state::AppState;

/// The headers a replay repeats; the others belong to the answer in hand.
const KEPT_HEADERS: [header::HeaderName; 6] = [
    header::LOCATION,
    header::ETAG,
    header::CONTENT_TYPE,
    header::CONTENT_DISPOSITION,
    header::CONTENT_LANGUAGE,
    header::LINK,
];

/// The middleware factory; `routes` says which operations take a key.
pub struct Idempotency {
    routes: Arc<KeyedRoutes>,
}

impl Idempotency {
    pub fn new(routes: Arc<KeyedRoutes>) -> Self {
        Self { routes }
    }
}

impl<S, B> Transform<S, ServiceRequest> for Idempotency
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Transform = IdempotencyService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(IdempotencyService {
            service: Rc::new(service),
            routes: self.routes.clone(),
        }))
    }
}

pub struct IdempotencyService<S> {
    service: Rc<S>,
    routes: Arc<KeyedRoutes>,
}

type Answer = Result<ServiceResponse<BoxBody>, actix_web::Error>;

impl<S, B> Service<ServiceRequest> for IdempotencyService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Answer>>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        let keyed = matches!(*req.method(), Method::POST | Method::PATCH)
            && req.headers().contains_key(HEADER)
            && self.routes.takes_key(req.method(), req.path());
        if !keyed {
            return Box::pin(async move { Ok(service.call(req).await?.map_into_boxed_body()) });
        }
        Box::pin(keyed_call(service, req))
    }
}

async fn keyed_call<S, B>(service: Rc<S>, req: ServiceRequest) -> Answer
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    let key = match req.headers().get(HEADER).map(parse_key) {
        Some(Ok(key)) => key,
        Some(Err(e)) => return Ok(req.error_response(e)),
        None => return Ok(service.call(req).await?.map_into_boxed_body()),
    };
    // Without a verified caller there is no one to keep the key for: the
    // handler answers (401). The handler still decides what the token may do.
    let (Ok(caller), Some(state)) = (
        Authenticated::verify_any(req.request()),
        req.app_data::<web::Data<AppState>>().cloned(),
    ) else {
        return Ok(service.call(req).await?.map_into_boxed_body());
    };
    let claim = KeyClaim {
        scope: caller.key_scope(),
        key,
        token: Uuid::new_v4(),
    };
    let claimed = {
        let (store, claim, now) = (state.store.clone(), claim.clone(), state.clock.now());
        let until = now + chrono::Duration::seconds(LEASE_SECS);
        web::block(move || store.claim_idempotency_key(&claim, now, until, now - super::retention())).await
    };
    let claimed = match claimed {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return Ok(req.error_response(ApiError::from(e))),
        Err(e) => return Ok(req.error_response(ApiError::Internal(e.to_string()))),
    };
    match claimed {
        Claimed::Fresh(claim) => run(service, req, claim, state).await,
        Claimed::Answered(answer) => {
            let hash = RequestHash::start(&req);
            let (req, hashed) = hash.read_all(req).await;
            if hashed.as_deref() == Some(answer.request_hash.as_str()) {
                Ok(req.into_response(replay(&answer)))
            } else {
                Ok(req.error_response(ApiError::invalid(
                    HEADER,
                    "idempotency_key_reused",
                    "this key was used with a different request (method, path or body)",
                )))
            }
        }
        Claimed::InFlight => Ok(req.error_response(in_use(
            "a request with this Idempotency-Key is still being processed; retry it later",
        ))),
        Claimed::CommittedWithoutAnswer => Ok(req.error_response(in_use(
            "the first request with this Idempotency-Key changed data but its answer was not kept (it failed, \
             or its answer was too large): running it again could change data twice; read the outcome with a GET, \
             or send a new key",
        ))),
    }
}

fn in_use(message: &str) -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::IdempotencyKeyInUse,
        field: None,
        message: message.into(),
    }
}

/// Runs the request holding `claim`, in its own task, and settles the key.
async fn run<S, B>(service: Rc<S>, req: ServiceRequest, claim: KeyClaim, state: web::Data<AppState>) -> Answer
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    let hash = RequestHash::start(&req);
    let req = match hash.prepare(req, state.config.max_body_bytes).await {
        Ok(req) => req,
        Err(refused) => {
            release(&state, &claim).await;
            return Ok(refused);
        }
    };
    let context = crate::request_context::current();
    let task = actix_web::rt::spawn(async move {
        let scoped = super::CLAIM.scope(claim.clone(), async move { service.call(req).await });
        let answered = match context {
            Some(context) => context.scope(scoped).await,
            None => scoped.await,
        };
        settle(answered, &claim, hash.value(), &state).await
    });
    task.await
        .map_err(|e| actix_web::error::ErrorInternalServerError(format!("the request's task failed: {e}")))?
}

/// Keeps the answer for replays, or gives the key back.
async fn settle<B: MessageBody + 'static>(
    answered: Result<ServiceResponse<B>, actix_web::Error>,
    claim: &KeyClaim,
    request_hash: Option<String>,
    state: &AppState,
) -> Answer {
    let answered = match answered {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            release(state, claim).await;
            return Err(e);
        }
    };
    let Some(request_hash) = request_hash.filter(|_| !answered.status().is_server_error()) else {
        release(state, claim).await;
        return Ok(answered);
    };
    let (req, res) = answered.into_parts();
    let (head, body) = res.into_parts();
    match collect(body, MAX_ANSWER_BYTES).await {
        Ok(Collected::Whole(bytes)) => {
            let answer = StoredAnswer {
                request_hash,
                status: head.status().as_u16(),
                headers: kept_headers(&head),
                body: bytes.to_vec(),
            };
            let (store, claim) = (state.store.clone(), claim.clone());
            if let Err(e) = web::block(move || store.store_idempotent_answer(&claim, &answer)).await {
                tracing::warn!(error = %e, "cannot keep an idempotent answer");
            }
            Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))))
        }
        Ok(Collected::TooLarge(body)) => {
            release(state, claim).await;
            Ok(ServiceResponse::new(req, head.set_body(body)))
        }
        Err(e) => {
            release(state, claim).await;
            Err(e)
        }
    }
}

async fn release(state: &AppState, claim: &KeyClaim) {
    let (store, claim) = (state.store.clone(), claim.clone());
    match web::block(move || store.release_idempotency_key(&claim)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "cannot give an Idempotency-Key back"),
        Err(e) => tracing::warn!(error = %e, "cannot give an Idempotency-Key back"),
    }
}

fn kept_headers(res: &HttpResponse<()>) -> String {
    let pairs: Vec<(&str, &str)> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = res.headers().get(name)?.to_str().ok()?;
            Some((name.as_str(), value))
        })
        .collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

fn replay(answer: &StoredAnswer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    let headers: Vec<(String, String)> = serde_json::from_str(&answer.headers).unwrap_or_default();
    for (name, value) in headers {
        res.insert_header((name, value));
    }
    res.insert_header((REPLAYED, "true"));
    res.body(answer.body.clone())
}
