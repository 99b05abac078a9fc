//! One delivery attempt over HTTP, per the Standard Webhooks specification:
//! `webhook-id` (the event's id, the same on every attempt), `webhook-timestamp`
//! and `webhook-signature`. A 2xx within [`TIMEOUT`] succeeds; anything else, a
//! timeout or a refused connection fails. Redirects are not followed, and at
//! most [`MAX_RESPONSE_BYTES`] of the answer are kept for the log.

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::webhook::signature_header;
use domain::WebhookUrl;
use persistence::ClaimedDelivery;
use reqwest::blocking::Client;
use reqwest::redirect::Policy;

use super::address::PublicResolver;

pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024;

/// What an attempt came to.
#[derive(Debug, Clone)]
pub struct Sent {
    pub succeeded: bool,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// The HTTP client of every delivery (blocking: each delivery runs on its own thread).
#[derive(Clone)]
pub struct Sender {
    client: Client,
    allow_private: bool,
}

impl Sender {
    /// `allow_private` lets deliveries reach loopback and private addresses
    /// (local development and tests only).
    pub fn new(allow_private: bool) -> Result<Self, reqwest::Error> {
        let mut builder = Client::builder()
            .redirect(Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .user_agent(concat!("partner-portal-webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicResolver));
        }
        Ok(Self {
            client: builder.build()?,
            allow_private,
        })
    }

    /// Sends one delivery, signed at `now`.
    pub fn send(&self, delivery: &ClaimedDelivery, now: DateTime<Utc>) -> Sent {
        let started = Instant::now();
        let elapsed = || i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let failed = |error: String, status: Option<i32>, body: Option<String>| Sent {
            succeeded: false,
            response_status: status,
            response_body: body,
            error: Some(error),
            duration_ms: elapsed(),
        };
        // IP literals never reach the resolver: check them again here.
        if let Err(e) = WebhookUrl::parse(delivery.url.as_str(), self.allow_private) {
            return failed(format!("refused: {}", e.message), None, None);
        }
        let id = delivery.event_id.to_string();
        let timestamp = now.timestamp();
        let secrets: Vec<_> = delivery.secrets.iter().collect();
        let signature = signature_header(&secrets, &id, timestamp, delivery.body.as_bytes());
        let response = self
            .client
            .post(delivery.url.as_str())
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.body.clone())
            .send();
        let response = match response {
            Ok(r) => r,
            Err(e) => return failed(describe(&e), None, None),
        };
        let status = response.status();
        let mut kept = Vec::new();
        let read = response.take(MAX_RESPONSE_BYTES).read_to_end(&mut kept);
        let body = Some(String::from_utf8_lossy(&kept).into_owned());
        let code = Some(i32::from(status.as_u16()));
        match (status.is_success(), read) {
            (true, Ok(_)) => Sent {
                succeeded: true,
                response_status: code,
                response_body: body,
                error: None,
                duration_ms: elapsed(),
            },
            (true, Err(e)) => failed(format!("reading the answer failed: {e}"), code, body),
            (false, _) => failed(format!("the endpoint answered {}", status.as_u16()), code, body),
        }
    }
}

/// An error's whole chain, e.g. "error sending request: … refused".
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        format!("timed out after {} s", TIMEOUT.as_secs())
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
