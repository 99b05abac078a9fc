//! Deliveries: one event to one endpoint. Workers lease due deliveries
//! (`next_attempt_at` moved past the lease, `attempts + 1`; `FOR UPDATE SKIP
//! LOCKED` on PostgreSQL), make the HTTP call outside any transaction, and
//! record the outcome only if the lease is still theirs (`attempts` unchanged).
//! A worker that dies leaves its lease to run out, and the delivery goes again.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::{DeliveryStatus, TreePath, WebhookSecret, WebhookUrl};
use uuid::Uuid;

use super::endpoints;
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::{organizations, webhook_deliveries, webhook_endpoints, webhook_events};
use crate::time::{naive, utc};

/// A delivery to queue: the endpoint and the envelope as it will be sent.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub endpoint_id: Uuid,
    pub body: String,
}

/// A delivery as listed.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub endpoint_id: Uuid,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// The endpoint's organisation's path: the delivery's scope.
    pub path: TreePath,
}

impl domain::Scoped for Delivery {
    fn scope_path(&self) -> &TreePath {
        &self.path
    }
}

/// A leased delivery with what sending it takes.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: Uuid,
    pub event_id: Uuid,
    pub endpoint_id: Uuid,
    pub url: WebhookUrl,
    pub body: String,
    /// This attempt's number; also the lease's token.
    pub attempt: i64,
    pub created_at: DateTime<Utc>,
    pub secrets: Vec<WebhookSecret>,
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub succeeded: bool,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
    /// When to try again after a failure; `None`: give up (`failed`).
    pub next_attempt_at: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
struct DeliveryRow {
    id: String,
    event_id: String,
    endpoint_id: String,
    status: String,
    attempts: i64,
    next_attempt_at: Option<NaiveDateTime>,
    last_attempt_at: Option<NaiveDateTime>,
    response_status: Option<i32>,
    error: Option<String>,
    duration_ms: Option<i64>,
    created_at: NaiveDateTime,
    #[diesel(select_expression = webhook_events::event_type)]
    event_type: String,
    #[diesel(select_expression = organizations::path)]
    path: String,
}

impl DeliveryRow {
    fn into_model(self) -> Result<Delivery, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("webhook delivery {}: bad {what}", self.id));
        Ok(Delivery {
            status: DeliveryStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            path: TreePath::parse(&self.path).map_err(|_| corrupt("path"))?,
            id: parse_uuid(&self.id)?,
            event_id: parse_uuid(&self.event_id)?,
            event_type: self.event_type,
            endpoint_id: parse_uuid(&self.endpoint_id)?,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at.map(utc),
            last_attempt_at: self.last_attempt_at.map(utc),
            response_status: self.response_status,
            error: self.error,
            duration_ms: self.duration_ms,
            created_at: utc(self.created_at),
        })
    }
}

pub(crate) fn insert_deliveries(
    conn: &mut DbConn,
    event_id: Uuid,
    deliveries: &[NewDelivery],
    at: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut ids = Vec::with_capacity(deliveries.len());
    for d in deliveries {
        let id = Uuid::now_v7();
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::id.eq(id.to_string()),
                webhook_deliveries::event_id.eq(event_id.to_string()),
                webhook_deliveries::endpoint_id.eq(d.endpoint_id.to_string()),
                webhook_deliveries::body.eq(&d.body),
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::attempts.eq(0_i64),
                webhook_deliveries::next_attempt_at.eq(Some(naive(at))),
                webhook_deliveries::created_at.eq(naive(at)),
            ))
            .execute(conn)?;
        ids.push(id);
    }
    Ok(ids)
}

pub(crate) fn find(conn: &mut DbConn, id: Uuid) -> Result<Option<Delivery>, StoreError> {
    webhook_deliveries::table
        .inner_join(webhook_events::table)
        .inner_join(webhook_endpoints::table.inner_join(organizations::table))
        .filter(webhook_deliveries::id.eq(id.to_string()))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?
        .map(DeliveryRow::into_model)
        .transpose()
}

/// An endpoint's deliveries, newest first.
pub(crate) fn list(
    conn: &mut DbConn,
    endpoint: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Delivery>, StoreError> {
    let mut q = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .inner_join(webhook_endpoints::table.inner_join(organizations::table))
        .filter(webhook_deliveries::endpoint_id.eq(endpoint.to_string()))
        .select(DeliveryRow::as_select())
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        q = q.filter(webhook_deliveries::id.lt(before.to_string()));
    }
    q.load(conn)?.into_iter().map(DeliveryRow::into_model).collect()
}

/// Whether any delivery of an enabled endpoint is due at `now`: a plain
/// read, so an idle worker's poll takes no lock.
pub(crate) fn any_due(conn: &mut DbConn, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(webhook_deliveries::table
        .inner_join(webhook_endpoints::table)
        .filter(webhook_deliveries::status.eq_any(OPEN))
        .filter(webhook_deliveries::next_attempt_at.le(naive(now)))
        .filter(webhook_endpoints::enabled.eq(true))
        .select(webhook_deliveries::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// The statuses of deliveries still to be made.
const OPEN: [&str; 2] = [DeliveryStatus::Pending.as_str(), DeliveryStatus::Retrying.as_str()];

/// Leases up to `limit` due deliveries of enabled endpoints, at most `cap` per
/// endpoint counting `in_flight` (this worker's deliveries still running), so
/// one slow endpoint cannot take every slot.
pub(crate) fn claim(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
    cap: usize,
    in_flight: &HashMap<Uuid, usize>,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    super::relaxed_commit(conn)?;
    let saturated: Vec<String> = in_flight
        .iter()
        .filter(|(_, n)| **n >= cap)
        .map(|(id, _)| id.to_string())
        .collect();
    // Enabled endpoints through a subquery, so only delivery rows are locked.
    let enabled = webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .select(webhook_endpoints::id);
    let candidates = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq_any(OPEN))
        .filter(webhook_deliveries::next_attempt_at.le(naive(now)))
        .filter(webhook_deliveries::endpoint_id.eq_any(enabled))
        .filter(webhook_deliveries::endpoint_id.ne_all(saturated))
        .order((webhook_deliveries::next_attempt_at.asc(), webhook_deliveries::id.asc()))
        .limit(limit * 4)
        .select((webhook_deliveries::id, webhook_deliveries::endpoint_id));
    let rows: Vec<(String, String)> = match conn {
        DbConn::Pg(c) => candidates.for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => candidates.load(c)?,
    };
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut ids = Vec::new();
    for (id, endpoint) in rows {
        let running = Uuid::try_parse(&endpoint)
            .ok()
            .and_then(|e| in_flight.get(&e).copied())
            .unwrap_or(0);
        let n = taken.entry(endpoint).or_insert(running);
        if *n < cap && (ids.len() as i64) < limit {
            *n += 1;
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
        .set((
            webhook_deliveries::next_attempt_at.eq(Some(naive(lease_until))),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        ))
        .execute(conn)?;
    let rows: Vec<(String, String, String, String, i64, NaiveDateTime)> = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq_any(&ids))
        .select((
            webhook_deliveries::id,
            webhook_deliveries::event_id,
            webhook_deliveries::endpoint_id,
            webhook_deliveries::body,
            webhook_deliveries::attempts,
            webhook_deliveries::created_at,
        ))
        .load(conn)?;
    let mut endpoints_by_id = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (id, event_id, endpoint_id, body, attempt, created_at) in rows {
        let endpoint_id = parse_uuid(&endpoint_id)?;
        let endpoint = match endpoints_by_id.entry(endpoint_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(endpoints::find(conn, endpoint_id)?.ok_or(StoreError::NotFound)?)
            }
        };
        out.push(ClaimedDelivery {
            id: parse_uuid(&id)?,
            event_id: parse_uuid(&event_id)?,
            endpoint_id,
            url: endpoint.url.clone(),
            body,
            attempt,
            created_at: utc(created_at),
            secrets: endpoint.signing_secrets(now),
        });
    }
    Ok(out)
}

/// Records an attempt if the lease is still this worker's (`attempt` is the
/// row's count); returns false when another worker took the delivery over.
pub(crate) fn record(
    conn: &mut DbConn,
    delivery: &ClaimedDelivery,
    outcome: &AttemptOutcome,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    super::relaxed_commit(conn)?;
    let status = match (outcome.succeeded, outcome.next_attempt_at) {
        (true, _) => DeliveryStatus::Succeeded,
        (false, Some(_)) => DeliveryStatus::Retrying,
        (false, None) => DeliveryStatus::Failed,
    };
    let n = diesel::update(
        webhook_deliveries::table
            .find(delivery.id.to_string())
            .filter(webhook_deliveries::attempts.eq(delivery.attempt)),
    )
    .set((
        webhook_deliveries::status.eq(status.as_str()),
        webhook_deliveries::next_attempt_at.eq(outcome.next_attempt_at.filter(|_| !outcome.succeeded).map(naive)),
        webhook_deliveries::last_attempt_at.eq(Some(naive(at))),
        webhook_deliveries::response_status.eq(outcome.response_status),
        webhook_deliveries::response_body.eq(outcome.response_body.as_deref()),
        webhook_deliveries::error.eq(outcome.error.as_deref()),
        webhook_deliveries::duration_ms.eq(Some(outcome.duration_ms)),
    ))
    .execute(conn)?;
    if n == 0 {
        return Ok(false);
    }
    endpoints::note_outcome(conn, delivery.endpoint_id, outcome.succeeded, delivery.created_at, at)?;
    Ok(true)
}

/// Queues the event of delivery `id` again to the same endpoint, with the same
/// body (so the same `webhook-id`): a new delivery, due at `at`.
pub(crate) fn redeliver(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<Delivery, StoreError> {
    let old = find(conn, id)?
        .filter(|d| scope.is_ancestor_or_self_of(&d.path))
        .ok_or(StoreError::NotFound)?;
    let body: String = webhook_deliveries::table
        .find(id.to_string())
        .select(webhook_deliveries::body)
        .first(conn)?;
    let new = NewDelivery {
        endpoint_id: old.endpoint_id,
        body,
    };
    let ids = insert_deliveries(conn, old.event_id, std::slice::from_ref(&new), at)?;
    let new_id = ids.first().copied().ok_or(StoreError::NotFound)?;
    find(conn, new_id)?.ok_or(StoreError::NotFound)
}

/// Queues a `ping` event to one endpoint in scope.
#[expect(clippy::too_many_arguments, reason = "one event and its one delivery")]
pub(crate) fn ping(
    conn: &mut DbConn,
    scope: &TreePath,
    endpoint: Uuid,
    event_id: Uuid,
    event_type: &str,
    organization_id: Uuid,
    body: String,
    at: DateTime<Utc>,
) -> Result<Delivery, StoreError> {
    endpoints::find(conn, endpoint)?
        .filter(|e| scope.is_ancestor_or_self_of(&e.path))
        .ok_or(StoreError::NotFound)?;
    super::dispatch::insert_event(conn, event_id, event_type, organization_id, at)?;
    let new = NewDelivery {
        endpoint_id: endpoint,
        body,
    };
    let ids = insert_deliveries(conn, event_id, std::slice::from_ref(&new), at)?;
    let id = ids.first().copied().ok_or(StoreError::NotFound)?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}
