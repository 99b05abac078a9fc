//! JSON shapes of webhook endpoints and deliveries. The secret appears in two
//! answers only: the create and the rotation.

use chrono::{DateTime, Utc};
use domain::DeliveryStatus;
use persistence::{Delivery, DeliveryAttempt, WebhookEndpoint};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where an organisation's events are sent (its secret is never shown again).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "organization_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "url": "https://psa.example.com/hooks/portal",
    "events": ["subscription.updated", "invoice.issued"],
    "description": "ConnectWise",
    "enabled": true,
    "version": 1,
    "created_at": "2026-12-02T10:00:00Z",
    "updated_at": "2026-12-02T10:00:00Z"
}))]
pub struct WebhookEndpointView {
    pub id: Uuid,
    /// The endpoint receives the events of this organisation and everything below it.
    pub organization_id: Uuid,
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub events: Vec<String>,
    pub description: String,
    /// Disabled endpoints receive nothing; an endpoint that failed every
    /// delivery for 3 days is disabled automatically.
    pub enabled: bool,
    /// The ETag is this number in quotes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookEndpoint> for WebhookEndpointView {
    fn from(e: WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            organization_id: e.organization_id,
            url: e.url.as_str().to_string(),
            events: e.events.names(),
            description: e.description,
            enabled: e.enabled,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// An endpoint with its signing secret: shown once, store it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: WebhookEndpointView,
    /// `whsec_` + base64 of the HMAC-SHA256 key (Standard Webhooks); shown only in this answer.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqr")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointPage {
    pub items: Vec<WebhookEndpointView>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// An event type to subscribe to (the `webhooks` section of this document
/// describes each), or `*` for every one.
pub struct WebhookEventType;

impl utoipa::PartialSchema for WebhookEventType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let names = std::iter::once("*").chain(domain::AuditAction::ALL.iter().map(|a| a.as_str()));
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(names))
            .description(Some(
                "An event type (see the document's `webhooks` section), or `*` for every one.",
            ))
            .into()
    }
}

impl ToSchema for WebhookEventType {}

/// Create a webhook endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://psa.example.com/hooks/portal", "events": ["*"], "description": "ConnectWise"}))]
pub struct CreateWebhookEndpoint {
    /// `https`, resolving to public addresses only.
    #[schema(max_length = 2000, format = "uri")]
    pub url: String,
    /// Event types (see the document's `webhooks` section), or `["*"]` for all.
    #[schema(min_items = 1, max_items = 200, value_type = Vec<WebhookEventType>)]
    pub events: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: String,
}

/// Change an endpoint (absent fields stay as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": false}))]
pub struct UpdateWebhookEndpoint {
    #[schema(max_length = 2000, format = "uri")]
    pub url: Option<String>,
    #[schema(min_items = 1, max_items = 200, value_type = Option<Vec<WebhookEventType>>)]
    pub events: Option<Vec<String>>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Re-enabling an endpoint resumes its pending deliveries.
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Pending,
    Retrying,
    Succeeded,
    Failed,
}

impl From<DeliveryStatus> for DeliveryState {
    fn from(s: DeliveryStatus) -> Self {
        match s {
            DeliveryStatus::Pending => Self::Pending,
            DeliveryStatus::Retrying => Self::Retrying,
            DeliveryStatus::Succeeded => Self::Succeeded,
            DeliveryStatus::Failed => Self::Failed,
        }
    }
}

/// One event queued to one endpoint: where it stands. Each attempt it gets is
/// a line of the endpoint's deliveries list.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2d",
    "event_id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2e",
    "event_type": "ping",
    "endpoint_id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "status": "pending",
    "attempts": 0,
    "next_attempt_at": "2026-12-02T10:00:00Z",
    "created_at": "2026-12-02T10:00:00Z"
}))]
pub struct DeliveryView {
    /// Pass to `POST /v1/webhook-deliveries/{id}/redeliver`.
    pub id: Uuid,
    /// The `webhook-id` header: the same on every attempt and redelivery.
    pub event_id: Uuid,
    pub event_type: String,
    pub endpoint_id: Uuid,
    pub status: DeliveryState,
    /// Attempts made so far.
    pub attempts: i64,
    /// When it is tried next (`pending` and `retrying` only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        let open = matches!(d.status, DeliveryStatus::Pending | DeliveryStatus::Retrying);
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            endpoint_id: d.endpoint_id,
            status: d.status.into(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at.filter(|_| open),
            created_at: d.created_at,
        }
    }
}

/// One attempt to deliver an event, or an event whose first attempt is still
/// to come (`pending`, no `attempted_at`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a11-7c3e-9d52-6b1f7e0a1b2f",
    "delivery_id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2d",
    "event_id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2e",
    "event_type": "subscription.updated",
    "attempt": 2,
    "status": "retrying",
    "response_status": 500,
    "error": "the endpoint answered 500",
    "duration_ms": 84,
    "attempted_at": "2026-12-02T10:00:35Z",
    "next_attempt_at": "2026-12-02T10:02:35Z"
}))]
pub struct DeliveryAttemptView {
    /// The attempt's id (the delivery's while no attempt was made).
    pub id: Uuid,
    /// Pass to `POST /v1/webhook-deliveries/{id}/redeliver`.
    pub delivery_id: Uuid,
    /// The `webhook-id` header: the same on every attempt and redelivery.
    pub event_id: Uuid,
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// `succeeded`; `retrying` (failed, tried again at `next_attempt_at`);
    /// `failed` (failed, given up); `pending` (not tried yet).
    pub status: DeliveryState,
    /// The HTTP status, if the endpoint answered.
    pub response_status: Option<i32>,
    /// Why the attempt failed.
    pub error: Option<String>,
    pub duration_ms: Option<i64>,
    pub attempted_at: Option<DateTime<Utc>>,
    /// When the next attempt is due (`pending` and `retrying` only).
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl From<DeliveryAttempt> for DeliveryAttemptView {
    fn from(a: DeliveryAttempt) -> Self {
        Self {
            id: a.id,
            delivery_id: a.delivery_id,
            event_id: a.event_id,
            event_type: a.event_type,
            attempt: a.attempt,
            status: a.status.into(),
            response_status: a.response_status,
            error: a.error,
            duration_ms: a.duration_ms,
            attempted_at: a.attempted_at,
            next_attempt_at: a.next_attempt_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryAttemptView>,
    /// Pass as `cursor` to get the next (older) page; null on the last page.
    pub next_cursor: Option<String>,
}
