//! The OpenAPI document's top-level `webhooks` section (OpenAPI 3.1): one entry
//! per event type, each a POST whose body is the event envelope with the
//! resource's schema as `data`, so generated SDKs get the payload types.
//! utoipa 5 has no builder for this section, so it is added to the JSON.

use domain::webhook::PING;
use domain::AuditAction;
use serde_json::{json, Map, Value};

use super::payload::data_schema;

/// The schema of `{"id": …}`: the data of an event whose resource has no GET
/// or no longer exists.
const GONE: &str = "WebhookResourceId";

fn envelope_schema(event_type: &str, data: Value) -> Value {
    json!({
        "type": "object",
        "required": ["id", "type", "occurred_at", "organization_id", "data"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "The event's id; also the `webhook-id` header, the same on every retry and redelivery."},
            "type": {"type": "string", "enum": [event_type]},
            "occurred_at": {"type": "string", "format": "date-time"},
            "organization_id": {"type": "string", "format": "uuid", "description": "The organisation the change happened in."},
            "data": data,
        }
    })
}

fn headers() -> Value {
    let header = |name: &str, description: &str| json!({"name": name, "in": "header", "required": true, "schema": {"type": "string"}, "description": description});
    json!([
        header(
            "webhook-id",
            "The event's id: de-duplicate by it (delivery is at least once)."
        ),
        header("webhook-timestamp", "Unix seconds when this attempt was signed."),
        header(
            "webhook-signature",
            "`v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\">` with the key in the endpoint's \
             `whsec_` secret; after a rotation, one signature per secret still valid, space-separated."
        ),
    ])
}

fn operation(event_type: &str, data: Value, summary: String) -> Value {
    let id: String = event_type
        .split(['.', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    json!({
        "post": {
            "operationId": format!("on{id}"),
            "tags": ["Webhooks"],
            "summary": summary,
            "description": "Sent to every enabled endpoint of the organisation the change happened in or one of its \
                ancestors that subscribes to this type (or to `*`), per the Standard Webhooks specification. \
                Answer 2xx within 10 s; anything else is retried with backoff (5 s, 30 s, 2 min, 10 min, 1 h, then \
                every 6 h) for 3 days.",
            "parameters": headers(),
            // The receiver checks the signature headers, not a bearer token.
            "security": [{}],
            "requestBody": {
                "required": true,
                "content": {"application/json": {"schema": envelope_schema(event_type, data)}}
            },
            "responses": {
                "2XX": {"description": "Received"},
                "default": {"description": "Not received: the delivery is retried"}
            }
        }
    })
}

/// Adds the `webhooks` section and the schema it shares to the document.
pub fn add_to(doc: &mut Value) {
    let mut hooks = Map::new();
    for action in AuditAction::ALL {
        let name = action.as_str();
        let subject = name.split('.').next().unwrap_or_default();
        let data = match data_schema(subject) {
            Some(schema) => json!({"oneOf": [
                {"$ref": format!("#/components/schemas/{schema}")},
                {"$ref": format!("#/components/schemas/{GONE}")},
            ]}),
            None => json!({"$ref": format!("#/components/schemas/{GONE}")}),
        };
        hooks.insert(
            name.to_string(),
            operation(name, data, format!("`{name}`: the resource as its GET returns it")),
        );
    }
    let ping = json!({
        "type": "object",
        "required": ["webhook_endpoint_id"],
        "properties": {"webhook_endpoint_id": {"type": "string", "format": "uuid"}}
    });
    hooks.insert(
        PING.to_string(),
        operation(
            PING,
            ping,
            "`ping`: a test event (`POST /v1/webhook-endpoints/{id}/test`)".into(),
        ),
    );
    doc["webhooks"] = Value::Object(hooks);
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        schemas.insert(
            GONE.to_string(),
            json!({
                "type": "object",
                "description": "The data of an event whose resource has no GET (activation links) or no longer exists (deleted, removed).",
                "required": ["id"],
                "properties": {"id": {"type": "string"}}
            }),
        );
    }
}
