//! The request span every log line of a request carries. It is
//! tracing-actix-web's, except that paths which carry a secret are never
//! recorded: an activation link's token travels in the path
//! (`/v1/activations/{token}`), so those requests are logged by their route
//! template, and any unrouted path that mentions activations is replaced whole;
//! password-reset links (`/v1/password-resets/{token}`) likewise.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

pub struct RedactingRootSpan;

/// The path and query as logged.
pub fn loggable_target(pattern: Option<&str>, path_and_query: &str) -> String {
    if pattern.is_some_and(|p| p.contains("{token}")) {
        return pattern.unwrap_or_default().to_string();
    }
    let decoded = percent_decoded_lowercase(path_and_query);
    if pattern.is_none() && (decoded.contains("activations") || decoded.contains("password-resets")) {
        return "[redacted]".to_string();
    }
    path_and_query.to_string()
}

fn percent_decoded_lowercase(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).to_lowercase()
}

impl RootSpanBuilder for RedactingRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let pattern = request.match_pattern();
        let route = pattern.clone().unwrap_or_else(|| "default".into());
        let target = loggable_target(
            pattern.as_deref(),
            request.uri().path_and_query().map(|p| p.as_str()).unwrap_or(""),
        );
        let client_ip = request
            .extensions()
            .get::<crate::client_addr::ClientAddr>()
            .map(|c| c.0.to_string())
            .unwrap_or_default();
        let request_id = request
            .extensions()
            .get::<crate::access_log::RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %target,
            http.client_ip = %client_ip,
            http.status_code = tracing::field::Empty,
            otel.name = %format!("{} {}", request.method(), route),
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    /// Records the status on the span; the request's log line is
    /// [`crate::access_log`]'s (so an error is not logged twice, at ERROR).
    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(res) => res.status(),
            Err(e) => e.as_response_error().status_code(),
        };
        span.record("http.status_code", status.as_u16());
        span.record(
            "otel.status_code",
            if status.is_server_error() { "ERROR" } else { "OK" },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_target;

    #[test]
    fn tokens_in_paths_are_never_logged() {
        let routed = loggable_target(Some("/v1/activations/{token}"), "/v1/activations/s3cr3tT0k3n?x=1");
        assert_eq!(routed, "/v1/activations/{token}");
        assert_eq!(loggable_target(None, "/v1/activations/s3cr3t/extra"), "[redacted]");
        assert_eq!(loggable_target(None, "/v1/password-resets/s3cr3t/extra"), "[redacted]");
        assert_eq!(loggable_target(None, "/v1/%61ctivations/s3cr3t"), "[redacted]");
        assert_eq!(
            loggable_target(Some("/v1/organizations/{id}"), "/v1/organizations/42"),
            "/v1/organizations/42"
        );
    }
}
