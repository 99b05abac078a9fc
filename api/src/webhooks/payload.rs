//! What a webhook carries: the envelope `{id, type, occurred_at,
//! organization_id, data}`, where `data` is the changed resource as its GET
//! returns it, rendered when the event is dispatched (so a resource changed
//! again meanwhile shows its newer state), as seen from the endpoint's
//! organisation. A resource that no longer exists (deleted, removed) is
//! `{"id": …}`. Views never hold secrets, hashes or tokens.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use persistence::{SealedEvent, Store, StoreError};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::routes::api_clients::view::ApiClientView;
use crate::routes::applications::view::ApplicationView;
use crate::routes::billing::view::{BillingRunView, InvoiceDetail, InvoiceLineView, InvoiceView};
use crate::routes::customer_users::view::CustomerUserView;
use crate::routes::customers::service_instances::ServiceInstanceView;
use crate::routes::operators::view::OperatorView;
use crate::routes::organizations::view::view as organization_view;
use crate::routes::subscriptions::view::SubscriptionView;
use crate::routes::webhooks::view::WebhookEndpointView;

/// The body sent, as text (it is signed byte for byte).
pub fn envelope(id: Uuid, event_type: &str, occurred_at: DateTime<Utc>, organization_id: Uuid, data: Value) -> String {
    json!({
        "id": id,
        "type": event_type,
        "occurred_at": occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "organization_id": organization_id,
        "data": data,
    })
    .to_string()
}

/// The schema of `data` for events about `subject` (the event type's part
/// before the dot, which is also the audit event's target type); `None`: the
/// resource has no GET, and `data` is `{"id": …}`.
pub fn data_schema(subject: &str) -> Option<&'static str> {
    Some(match subject {
        "organization" => "OrganizationView",
        "operator" => "OperatorView",
        "api_client" => "ApiClientView",
        "customer_user" => "CustomerUserView",
        "subscription" => "SubscriptionView",
        "service_instance" => "ServiceInstanceView",
        "application" => "ApplicationView",
        "billing_run" => "BillingRunView",
        "webhook_endpoint" => "WebhookEndpointView",
        "invoice" => "InvoiceDetail",
        _ => return None,
    })
}

fn to_json<T: Serialize>(view: Option<T>) -> Option<Value> {
    view.and_then(|v| serde_json::to_value(v).ok())
}

/// The event's resource as seen from the organisation at `viewer`.
pub fn render(store: &Store, event: &SealedEvent, viewer: &domain::TreePath) -> Result<Value, StoreError> {
    let gone = || json!({"id": event.target_id});
    let Ok(id) = Uuid::try_parse(&event.target_id) else {
        return Ok(gone());
    };
    let data = match event.target_type.as_str() {
        "organization" => match store.organization(id)? {
            Some(org) => {
                let names = store.path_entries(&org.path.ids_below(viewer))?;
                let names: HashMap<Uuid, _> = names.into_iter().map(|e| (e.id, e)).collect();
                to_json(Some(organization_view(org, viewer, &names)))
            }
            None => None,
        },
        "operator" => to_json(store.operator(id)?.map(OperatorView::from)),
        "api_client" => to_json(store.api_client(id)?.map(ApiClientView::from)),
        "customer_user" => to_json(store.customer_user(id)?.map(CustomerUserView::from)),
        "subscription" => to_json(store.subscription(id)?.map(SubscriptionView::from)),
        "service_instance" => to_json(store.service_instance(id)?.map(ServiceInstanceView::from)),
        "application" => to_json(store.application(id)?.map(ApplicationView::from)),
        "billing_run" => to_json(store.billing_run(id)?.map(BillingRunView::from)),
        "webhook_endpoint" => to_json(store.webhook_endpoint(id)?.map(WebhookEndpointView::from)),
        "invoice" => match store.invoice(id)? {
            Some(invoice) => {
                let lines = store.invoice_lines(id)?;
                to_json(Some(InvoiceDetail {
                    invoice: InvoiceView::from(invoice),
                    lines: lines.into_iter().map(InvoiceLineView::from).collect(),
                }))
            }
            None => None,
        },
        _ => None,
    };
    Ok(data.unwrap_or_else(gone))
}
