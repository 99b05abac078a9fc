//! The bodies around a keyed request: the request's is hashed before the
//! handler runs when it is small (at most the JSON body limit: the handler
//! would hold it anyway, and one it does not read, such as an action's `{}`,
//! is hashed too), else as it streams past the handler (an import's upload is
//! never held in memory); the answer's is collected to be kept, up to
//! [`super::MAX_ANSWER_BYTES`].

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{BodyStream, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The hash of a request: method, path and query, content type, body. It is
/// final once the body has been read to its end.
#[derive(Clone)]
pub struct RequestHash(Rc<RefCell<HashState>>);

enum HashState {
    Reading(Sha256),
    Done(String),
    Broken,
}

impl RequestHash {
    /// Starts the hash of `req`; a request without a body is hashed at once.
    pub fn start(req: &ServiceRequest) -> Self {
        let mut h = Sha256::new();
        for part in [
            req.method().as_str().as_bytes(),
            req.uri().path_and_query().map_or("", |p| p.as_str()).as_bytes(),
            req.headers()
                .get(header::CONTENT_TYPE)
                .map_or(&b""[..], |v| v.as_bytes()),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        let hash = Self(Rc::new(RefCell::new(HashState::Reading(h))));
        if !has_body(req) {
            hash.finish();
        }
        hash
    }

    fn update(&self, chunk: &[u8]) {
        if let HashState::Reading(h) = &mut *self.0.borrow_mut() {
            h.update(chunk);
        }
    }

    fn finish(&self) {
        let mut state = self.0.borrow_mut();
        if let HashState::Reading(h) = std::mem::replace(&mut *state, HashState::Broken) {
            *state = HashState::Done(format!("{:x}", h.finalize()));
        }
    }

    fn fail(&self) {
        *self.0.borrow_mut() = HashState::Broken;
    }

    /// The hash, once the whole body went by.
    pub fn value(&self) -> Option<String> {
        match &*self.0.borrow() {
            HashState::Done(h) => Some(h.clone()),
            _ => None,
        }
    }

    /// Puts a hashing stream between `req` and whoever reads its body.
    pub fn wrap(&self, req: ServiceRequest) -> ServiceRequest {
        if self.value().is_some() {
            return req;
        }
        let (http, payload) = req.into_parts();
        let hashing = Hashing {
            inner: payload,
            hash: self.clone(),
        };
        let payload: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(hashing);
        ServiceRequest::from_parts(http, Payload::Stream { payload })
    }

    /// Hashes a body of at most `limit` bytes (by its `Content-Length`) before
    /// the handler runs, and hands it on whole; a larger one is hashed as it
    /// streams.
    pub async fn prepare(&self, req: ServiceRequest, limit: usize) -> Result<ServiceRequest, ServiceResponse> {
        if self.value().is_some() || content_length(&req).is_none_or(|n| n > limit) {
            return Ok(self.wrap(req));
        }
        let (http, mut payload) = req.into_parts();
        let mut body = actix_web::web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            match chunk {
                Ok(chunk) => {
                    self.update(&chunk);
                    body.extend_from_slice(&chunk);
                }
                Err(e) => {
                    self.fail();
                    let req = ServiceRequest::from_parts(http, Payload::None);
                    return Err(req.error_response(ApiError::Malformed(format!("cannot read the request body: {e}"))));
                }
            }
        }
        self.finish();
        Ok(ServiceRequest::from_parts(http, Payload::from(body.freeze())))
    }

    /// Reads `req`'s whole body into the hash (a replay's check), in constant memory.
    pub async fn read_all(&self, req: ServiceRequest) -> (ServiceRequest, Option<String>) {
        let mut req = self.wrap(req);
        let mut payload = req.take_payload();
        while let Some(chunk) = payload.next().await {
            if chunk.is_err() {
                break;
            }
        }
        (req, self.value())
    }
}

fn content_length(req: &ServiceRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

struct Hashing {
    inner: Payload,
    hash: RequestHash,
}

impl Stream for Hashing {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = Pin::new(&mut self.inner).poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => self.hash.update(chunk),
            Poll::Ready(Some(Err(_))) => self.hash.fail(),
            Poll::Ready(None) => self.hash.finish(),
            Poll::Pending => {}
        }
        polled
    }
}

/// An answer's body: whole (to keep), or too large and passed on as it streams.
pub enum Collected {
    Whole(Bytes),
    TooLarge(BoxBody),
}

/// Reads `body` up to `limit` bytes.
pub async fn collect(body: BoxBody, limit: usize) -> Result<Collected, actix_web::Error> {
    let mut body = Box::pin(body);
    let mut kept = Vec::new();
    loop {
        match std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await {
            Some(Ok(chunk)) => {
                kept.extend_from_slice(&chunk);
                if kept.len() > limit {
                    let rest = futures_util::stream::poll_fn(move |cx| body.as_mut().poll_next(cx));
                    let head = futures_util::stream::once(async move { Ok(Bytes::from(kept)) });
                    return Ok(Collected::TooLarge(BoxBody::new(BodyStream::new(head.chain(rest)))));
                }
            }
            Some(Err(e)) => return Err(actix_web::error::ErrorInternalServerError(e)),
            None => return Ok(Collected::Whole(Bytes::from(kept))),
        }
    }
}
