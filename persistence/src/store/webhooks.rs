//! Webhooks: endpoints, the dispatcher's batches, and the deliveries workers send.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::{TreePath, WebhookSecret};
use uuid::Uuid;

use super::Store;
use crate::audit::AuditEntry;
use crate::error::StoreError;
use crate::webhooks::{
    deliveries, dispatch, endpoints, AttemptOutcome, ClaimedDelivery, Delivery, DeliveryAttempt, DispatchBatch,
    DispatchedEvent, NewWebhookEndpoint, WebhookEndpoint, WebhookEndpointPatch,
};

impl Store {
    pub fn webhook_endpoint(&self, id: Uuid) -> Result<Option<WebhookEndpoint>, StoreError> {
        self.read(|c| endpoints::find(c, id))
    }

    pub fn list_webhook_endpoints(
        &self,
        root: &TreePath,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<WebhookEndpoint>, StoreError> {
        self.read(|c| endpoints::list(c, root, after, limit))
    }

    pub fn create_webhook_endpoint(
        &self,
        scope: &TreePath,
        org: Uuid,
        new: &NewWebhookEndpoint,
        secret: &WebhookSecret,
        who: &AuditEntry,
    ) -> Result<WebhookEndpoint, StoreError> {
        self.change(|c| endpoints::create(c, scope, org, new, secret, who))
    }

    pub fn update_webhook_endpoint(
        &self,
        scope: &TreePath,
        id: Uuid,
        expected: Option<i64>,
        patch: &WebhookEndpointPatch,
        who: &AuditEntry,
    ) -> Result<WebhookEndpoint, StoreError> {
        self.change(|c| endpoints::update(c, scope, id, expected, patch, who))
    }

    pub fn delete_webhook_endpoint(
        &self,
        scope: &TreePath,
        id: Uuid,
        expected: Option<i64>,
        who: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.change(|c| endpoints::delete(c, scope, id, expected, who))
    }

    pub fn rotate_webhook_secret(
        &self,
        scope: &TreePath,
        id: Uuid,
        secret: &WebhookSecret,
        at: DateTime<Utc>,
        who: &AuditEntry,
    ) -> Result<WebhookEndpoint, StoreError> {
        self.change(|c| endpoints::rotate(c, scope, id, secret, at, who))
    }

    /// Enabled endpoints of the organisations at these paths.
    pub fn webhook_subscribers(&self, paths: &[String]) -> Result<Vec<WebhookEndpoint>, StoreError> {
        self.read(|c| endpoints::subscribed_at(c, paths))
    }

    /// Up to `limit` sealed audit events the dispatcher has not handled yet.
    /// Seals what is sealable first, so a change is dispatched promptly.
    pub fn webhook_backlog(&self, limit: i64) -> Result<DispatchBatch, StoreError> {
        self.seal_audit_events()?;
        self.read(|c| dispatch::backlog(c, limit))
    }

    /// Writes a batch's events and deliveries and moves the watermark from
    /// `from` to `to` in one transaction; false if another dispatcher was first.
    pub fn commit_webhook_batch(
        &self,
        from: i64,
        to: i64,
        events: &[DispatchedEvent],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.change(|c| match dispatch::commit(c, from, to, events, at)? {
            true => Ok(true),
            // Roll back: another dispatcher wrote this range.
            false => Err(StoreError::StaleVersion { current: from }),
        })
        .or_else(|e| match e {
            StoreError::StaleVersion { .. } => Ok(false),
            other => Err(other),
        })
    }

    pub fn webhook_delivery(&self, id: Uuid) -> Result<Option<Delivery>, StoreError> {
        self.read(|c| deliveries::find(c, id))
    }

    /// An endpoint's attempts and untried deliveries, newest first, before `before`.
    pub fn webhook_history(
        &self,
        endpoint: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<DeliveryAttempt>, StoreError> {
        self.read(|c| deliveries::history(c, endpoint, before, limit))
    }

    /// Deliveries still to be made, and when the oldest of them was queued.
    pub fn webhook_backlog_depth(&self) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
        self.read(deliveries::backlog)
    }

    /// Deletes up to `limit` finished deliveries and `limit` attempts made
    /// before `before` (and the events left without deliveries); returns how
    /// many rows went.
    pub fn prune_webhook_deliveries(&self, before: DateTime<Utc>, limit: i64) -> Result<usize, StoreError> {
        self.change(|c| deliveries::prune(c, before, limit))
    }

    /// Leases due deliveries (see `webhooks::deliveries`); with nothing due it only reads.
    pub fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
        cap: usize,
        in_flight: &HashMap<Uuid, usize>,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        if !self.read(|c| deliveries::any_due(c, now))? {
            return Ok(Vec::new());
        }
        self.change(|c| deliveries::claim(c, now, lease_until, limit, cap, in_flight))
    }

    /// Records attempts' outcomes in one transaction; returns how many were
    /// recorded (the others' leases were lost to another worker).
    pub fn record_webhook_attempts(&self, attempts: &[(ClaimedDelivery, AttemptOutcome)]) -> Result<usize, StoreError> {
        self.change(|c| deliveries::record(c, attempts))
    }

    pub fn redeliver_webhook(&self, scope: &TreePath, id: Uuid, at: DateTime<Utc>) -> Result<Delivery, StoreError> {
        self.change(|c| deliveries::redeliver(c, scope, id, at))
    }

    #[expect(clippy::too_many_arguments, reason = "one event and its one delivery")]
    pub fn queue_webhook_ping(
        &self,
        scope: &TreePath,
        endpoint: Uuid,
        event_id: Uuid,
        event_type: &str,
        organization_id: Uuid,
        body: String,
        at: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        self.change(move |c| deliveries::ping(c, scope, endpoint, event_id, event_type, organization_id, body, at))
    }
}
