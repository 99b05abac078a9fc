//! One access-log line and the request metrics for every request, written
//! when the last byte of the body has gone (or the body broke): client address
//! (behind `TRUSTED_PROXIES`, the forwarded one: `client_addr`), method, route
//! template (never the raw path, which may carry a token), status, duration,
//! bytes, principal, request id and the W3C `traceparent`. A sane client
//! `X-Request-Id` is kept, otherwise one is made; either way it is sent back.
//!
//! Levels: server faults ERROR, 503 and broken bodies WARN, client mistakes
//! (4xx) and successes INFO.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage};
use uuid::Uuid;

use crate::client_addr::ClientAddr;
use crate::metrics::{REQUESTS, REQUEST_SECONDS};
use crate::request_context::RequestContext;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id, in the request's extensions (the tracing span reads it).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A client's id is kept when it is 1–128 visible ASCII characters without
/// quotes or backslashes (it goes into log lines and a response header).
fn sane_request_id(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\'))
}

/// A W3C trace context `version-traceid-parentid-flags`, lower-case hex.
fn valid_traceparent(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    parts.len() == 4 && hex(parts[0], 2) && hex(parts[1], 32) && hex(parts[2], 16) && hex(parts[3], 2)
}

fn header<'a>(req: &'a ServiceRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The middleware (`middleware::from_fn(access_log::log)`), outermost.
pub async fn log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let start = Instant::now();
    let request_id = header(&req, "x-request-id")
        .filter(|id| sane_request_id(id))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::new_v4().simple().to_string());
    let traceparent = header(&req, "traceparent")
        .filter(|t| valid_traceparent(t))
        .unwrap_or_default()
        .to_owned();
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let client = client_addr(&req);
    if let Some(ip) = client {
        req.extensions_mut().insert(ClientAddr(ip));
    }
    let line = Line {
        client: client.map(|ip| ip.to_string()).unwrap_or_default(),
        method: req.method().to_string(),
        route: req.match_pattern().unwrap_or_else(|| "unmatched".into()),
        status: 0,
        principal: None,
        request_id: request_id.clone(),
        traceparent,
        start,
    };
    let context = RequestContext::default();
    let outcome = context.clone().scope(next.call(req)).await;
    let mut res = match outcome {
        Ok(res) => res,
        Err(e) => {
            let line = Line {
                status: e.as_response_error().status_code().as_u16(),
                principal: context.principal(),
                ..line
            };
            line.emit(0, Ending::Complete);
            return Err(e);
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    let line = Line {
        status: res.status().as_u16(),
        principal: context.principal(),
        ..line
    };
    Ok(res.map_body(|_, body| Logged {
        declared: body.size(),
        body: body.boxed(),
        line: Some(line),
        bytes: 0,
    }))
}

/// The client's address: the peer, or behind trusted proxies the hop they
/// forwarded for (`client_addr`).
fn client_addr(req: &ServiceRequest) -> Option<std::net::IpAddr> {
    let peer = req.peer_addr()?.ip();
    Some(match req.app_data::<actix_web::web::Data<crate::state::AppState>>() {
        Some(state) => state.config.trusted_proxies.client(peer, req.headers()),
        None => peer,
    })
}

/// What the line says about a request, but its bytes and how it ended.
struct Line {
    /// The client's address (see [`client_addr`]).
    client: String,
    method: String,
    route: String,
    status: u16,
    principal: Option<Uuid>,
    request_id: String,
    traceparent: String,
    start: Instant,
}

#[derive(Clone, Copy)]
enum Ending {
    /// The whole body was sent.
    Complete,
    /// The body failed part way: the client saw a broken transfer.
    Broken,
    /// The connection closed before the body ended (the client left).
    Unfinished,
}

impl Ending {
    fn as_str(self) -> &'static str {
        match self {
            Ending::Complete => "complete",
            Ending::Broken => "broken",
            Ending::Unfinished => "unfinished",
        }
    }
}

impl Line {
    fn emit(self, bytes: u64, ending: Ending) {
        let elapsed = self.start.elapsed();
        let status = self.status.to_string();
        let labels = [
            ("method", self.method.clone()),
            ("route", self.route.clone()),
            ("status", status),
        ];
        metrics::counter!(REQUESTS, &labels).increment(1);
        metrics::histogram!(REQUEST_SECONDS, &labels).record(elapsed.as_secs_f64());
        let principal = self.principal.map(|p| p.to_string()).unwrap_or_default();
        macro_rules! line {
            ($level:expr) => {
                tracing::event!(
                    target: "access",
                    $level,
                    client = %self.client,
                    method = %self.method,
                    route = %self.route,
                    status = self.status,
                    duration_ms = elapsed.as_secs_f64() * 1000.0,
                    bytes,
                    principal = %principal,
                    request_id = %self.request_id,
                    traceparent = %self.traceparent,
                    body = ending.as_str(),
                    "request"
                )
            };
        }
        match (self.status, ending) {
            (500..=502 | 504..=599, _) => line!(tracing::Level::ERROR),
            (503, _) | (_, Ending::Broken) => line!(tracing::Level::WARN),
            _ => line!(tracing::Level::INFO),
        }
    }
}

/// The response body, counted; the line is written when it ends, or when it
/// is dropped unfinished (the client left).
struct Logged {
    body: BoxBody,
    /// The size announced in the head.
    declared: BodySize,
    line: Option<Line>,
    bytes: u64,
}

impl MessageBody for Logged {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_next(cx);
        let ended = match &polled {
            // actix stops polling a body of known size at its last byte.
            Poll::Ready(Some(Ok(chunk))) => {
                this.bytes += chunk.len() as u64;
                matches!(this.declared, BodySize::Sized(n) if this.bytes >= n).then_some(Ending::Complete)
            }
            Poll::Ready(Some(Err(_))) => Some(Ending::Broken),
            Poll::Ready(None) => Some(Ending::Complete),
            Poll::Pending => None,
        };
        if let Some(ending) = ended {
            if let Some(line) = this.line.take() {
                line.emit(this.bytes, ending);
            }
        }
        polled
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        if let Some(line) = self.line.take() {
            let ending = match self.declared {
                // A body actix never polled (HEAD, 204, 304) was complete.
                BodySize::None | BodySize::Sized(0) => Ending::Complete,
                _ => Ending::Unfinished,
            };
            line.emit(self.bytes, ending);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_and_trace_contexts_are_checked() {
        assert!(sane_request_id("req-42_a.b:c"));
        assert!(!sane_request_id(""));
        assert!(!sane_request_id("has space"));
        assert!(!sane_request_id("quote\"d"));
        assert!(!sane_request_id(&"x".repeat(129)));
        assert!(valid_traceparent(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ));
        assert!(!valid_traceparent(
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"
        ));
        assert!(!valid_traceparent("garbage"));
    }
}
