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
use crate::bulk::insert_chunks;
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::{parse_uuid, v7_floor};
use crate::schema::{organizations, webhook_attempts, webhook_deliveries, webhook_endpoints, webhook_events};
use crate::time::{naive, utc};

/// A delivery to queue: the endpoint and the envelope as it will be sent.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub endpoint_id: Uuid,
    pub body: String,
}

/// A delivery: where it stands.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub endpoint_id: Uuid,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The endpoint's organisation's path: the delivery's scope.
    pub path: TreePath,
}

impl domain::Scoped for Delivery {
    fn scope_path(&self) -> &TreePath {
        &self.path
    }
}

/// One line of an endpoint's history: an attempt made, or a delivery whose
/// first attempt is still to come (`status` pending, no `attempted_at`).
#[derive(Debug, Clone)]
pub struct DeliveryAttempt {
    /// The attempt's id; for a delivery not tried yet, the delivery's.
    pub id: Uuid,
    pub delivery_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub attempt: i64,
    pub status: DeliveryStatus,
    pub response_status: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: Option<i64>,
    pub attempted_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
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
    pub attempted_at: DateTime<Utc>,
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
    created_at: NaiveDateTime,
    #[diesel(select_expression = webhook_events::event_type)]
    event_type: String,
    #[diesel(select_expression = organizations::path)]
    path: String,
}

fn corrupt(id: &str, what: &str) -> StoreError {
    StoreError::Corrupt(format!("webhook delivery {id}: bad {what}"))
}

fn status(id: &str, s: &str) -> Result<DeliveryStatus, StoreError> {
    DeliveryStatus::parse(s).ok_or_else(|| corrupt(id, "status"))
}

impl DeliveryRow {
    fn into_model(self) -> Result<Delivery, StoreError> {
        Ok(Delivery {
            status: status(&self.id, &self.status)?,
            path: TreePath::parse(&self.path).map_err(|_| corrupt(&self.id, "path"))?,
            id: parse_uuid(&self.id)?,
            event_id: parse_uuid(&self.event_id)?,
            event_type: self.event_type,
            endpoint_id: parse_uuid(&self.endpoint_id)?,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at.map(utc),
            created_at: utc(self.created_at),
        })
    }

    /// A delivery not tried yet, as a line of the history.
    fn into_pending(self) -> Result<DeliveryAttempt, StoreError> {
        let id = parse_uuid(&self.id)?;
        Ok(DeliveryAttempt {
            id,
            delivery_id: id,
            event_id: parse_uuid(&self.event_id)?,
            event_type: self.event_type,
            // A claimed delivery counts the attempt under way.
            attempt: self.attempts.max(1),
            status: DeliveryStatus::Pending,
            response_status: None,
            error: None,
            duration_ms: None,
            attempted_at: None,
            next_attempt_at: self.next_attempt_at.map(utc),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
struct AttemptRow {
    id: String,
    delivery_id: String,
    attempt: i64,
    status: String,
    response_status: Option<i32>,
    error: Option<String>,
    duration_ms: i64,
    attempted_at: NaiveDateTime,
    next_attempt_at: Option<NaiveDateTime>,
    #[diesel(select_expression = webhook_deliveries::event_id)]
    event_id: String,
    #[diesel(select_expression = webhook_events::event_type)]
    event_type: String,
}

impl AttemptRow {
    fn into_model(self) -> Result<DeliveryAttempt, StoreError> {
        Ok(DeliveryAttempt {
            status: status(&self.delivery_id, &self.status)?,
            id: parse_uuid(&self.id)?,
            delivery_id: parse_uuid(&self.delivery_id)?,
            event_id: parse_uuid(&self.event_id)?,
            event_type: self.event_type,
            attempt: self.attempt,
            response_status: self.response_status,
            error: self.error,
            duration_ms: Some(self.duration_ms),
            attempted_at: Some(utc(self.attempted_at)),
            next_attempt_at: self.next_attempt_at.map(utc),
        })
    }
}

/// Queues deliveries, each `(event, delivery)`, due at `at`, in one statement.
pub(crate) fn insert_deliveries(
    conn: &mut DbConn,
    deliveries: &[(Uuid, &NewDelivery)],
    at: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    let ids: Vec<Uuid> = deliveries.iter().map(|_| Uuid::now_v7()).collect();
    let rows: Vec<_> = deliveries
        .iter()
        .zip(&ids)
        .map(|((event_id, d), id)| {
            (
                webhook_deliveries::id.eq(id.to_string()),
                webhook_deliveries::event_id.eq(event_id.to_string()),
                webhook_deliveries::endpoint_id.eq(d.endpoint_id.to_string()),
                webhook_deliveries::body.eq(d.body.as_str()),
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::attempts.eq(0_i64),
                webhook_deliveries::next_attempt_at.eq(Some(naive(at))),
                webhook_deliveries::created_at.eq(naive(at)),
            )
        })
        .collect();
    insert_chunks!(conn, webhook_deliveries::table, rows);
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

/// An endpoint's history, newest first: the attempts made, and the
/// deliveries not tried yet. Both carry UUIDv7 ids, so one order and one
/// cursor (`before`) serve both.
pub(crate) fn history(
    conn: &mut DbConn,
    endpoint: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DeliveryAttempt>, StoreError> {
    let before = before.map(|b| b.to_string());
    let mut made = webhook_attempts::table
        .inner_join(webhook_deliveries::table.inner_join(webhook_events::table))
        .filter(webhook_attempts::endpoint_id.eq(endpoint.to_string()))
        .select(AttemptRow::as_select())
        .order(webhook_attempts::id.desc())
        .limit(limit)
        .into_boxed();
    let mut waiting = webhook_deliveries::table
        .inner_join(webhook_events::table)
        .inner_join(webhook_endpoints::table.inner_join(organizations::table))
        .filter(webhook_deliveries::endpoint_id.eq(endpoint.to_string()))
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()))
        .select(DeliveryRow::as_select())
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = &before {
        made = made.filter(webhook_attempts::id.lt(before.clone()));
        waiting = waiting.filter(webhook_deliveries::id.lt(before.clone()));
    }
    let mut lines = made
        .load(conn)?
        .into_iter()
        .map(AttemptRow::into_model)
        .chain(waiting.load(conn)?.into_iter().map(DeliveryRow::into_pending))
        .collect::<Result<Vec<_>, StoreError>>()?;
    lines.sort_by_key(|l| std::cmp::Reverse(l.id));
    lines.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(lines)
}

/// Open deliveries (pending or retrying) and when the oldest was queued.
pub(crate) fn backlog(conn: &mut DbConn) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
    let (depth, oldest): (i64, Option<NaiveDateTime>) = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq_any(OPEN))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(webhook_deliveries::created_at),
        ))
        .first(conn)?;
    Ok((depth, oldest.map(utc)))
}

/// Deletes up to `limit` finished deliveries created before `before`, and
/// up to `limit` attempts made before it, then the events created before it
/// that have no delivery left; returns how many rows went. Age is read from
/// the UUIDv7 ids, through the primary keys.
pub(crate) fn prune(conn: &mut DbConn, before: DateTime<Utc>, limit: i64) -> Result<usize, StoreError> {
    let floor = v7_floor(before);
    let finished = [DeliveryStatus::Succeeded.as_str(), DeliveryStatus::Failed.as_str()];
    let deliveries: Vec<String> = webhook_deliveries::table
        .filter(webhook_deliveries::id.lt(&floor))
        .filter(webhook_deliveries::status.eq_any(finished))
        .select(webhook_deliveries::id)
        .limit(limit)
        .load(conn)?;
    let attempts: Vec<String> = webhook_attempts::table
        .filter(webhook_attempts::id.lt(&floor))
        .select(webhook_attempts::id)
        .limit(limit)
        .load(conn)?;
    let mut gone =
        diesel::delete(webhook_attempts::table.filter(webhook_attempts::id.eq_any(&attempts))).execute(conn)?;
    gone +=
        diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&deliveries))).execute(conn)?;
    if !deliveries.is_empty() {
        let kept = webhook_deliveries::table.select(webhook_deliveries::event_id);
        diesel::delete(
            webhook_events::table
                .filter(webhook_events::created_at.lt(naive(before)))
                .filter(webhook_events::id.ne_all(kept)),
        )
        .execute(conn)?;
    }
    Ok(gone)
}

/// Whether any delivery of an enabled endpoint is due at `now`: a plain
/// read, so an idle worker's poll takes no lock.
pub(crate) fn any_due(conn: &mut DbConn, now: DateTime<Utc>) -> Result<bool, StoreError> {
    Ok(webhook_deliveries::table
        .inner_join(webhook_endpoints::table)
        .filter(webhook_deliveries::status.eq_any(OPEN))
        .filter(webhook_deliveries::next_attempt_at.le(naive(now)))
        .filter(unleased(now))
        .filter(webhook_endpoints::enabled.eq(true))
        .select(webhook_deliveries::id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// Not leased, or the lease has run out.
fn unleased(
    now: DateTime<Utc>,
) -> diesel::dsl::Or<
    diesel::dsl::IsNull<webhook_deliveries::leased_until>,
    diesel::dsl::LtEq<webhook_deliveries::leased_until, NaiveDateTime>,
> {
    webhook_deliveries::leased_until
        .is_null()
        .or(webhook_deliveries::leased_until.le(naive(now)))
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
        .filter(unleased(now))
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
            webhook_deliveries::leased_until.eq(Some(naive(lease_until))),
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

/// Records attempts, each only if its lease is still this worker's
/// (`attempt` is the row's count): the attempt's history line, the
/// delivery's new status, and the endpoints' failure clocks, for a whole batch
/// in one transaction. Returns how many were recorded (the rest were taken
/// over by another worker after their lease ran out).
pub(crate) fn record(conn: &mut DbConn, attempts: &[(ClaimedDelivery, AttemptOutcome)]) -> Result<usize, StoreError> {
    super::relaxed_commit(conn)?;
    let ids: Vec<String> = attempts.iter().map(|(d, _)| d.id.to_string()).collect();
    let held = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq_any(&ids))
        .select((webhook_deliveries::id, webhook_deliveries::attempts));
    let held: HashMap<String, i64> = match conn {
        DbConn::Pg(c) => held.for_update().load(c)?,
        DbConn::Sqlite(c) => held.load(c)?,
    }
    .into_iter()
    .collect();
    let mine: Vec<&(ClaimedDelivery, AttemptOutcome)> = attempts
        .iter()
        .filter(|(d, _)| held.get(&d.id.to_string()) == Some(&d.attempt))
        .collect();
    let lines: Vec<_> = mine
        .iter()
        .map(|(d, o)| {
            let status = DeliveryStatus::after_attempt(o.succeeded, o.next_attempt_at);
            (
                webhook_attempts::id.eq(Uuid::now_v7().to_string()),
                webhook_attempts::delivery_id.eq(d.id.to_string()),
                webhook_attempts::endpoint_id.eq(d.endpoint_id.to_string()),
                webhook_attempts::attempt.eq(d.attempt),
                webhook_attempts::status.eq(status.as_str()),
                webhook_attempts::response_status.eq(o.response_status),
                webhook_attempts::response_body.eq(o.response_body.as_deref()),
                webhook_attempts::error.eq(o.error.as_deref()),
                webhook_attempts::duration_ms.eq(o.duration_ms),
                webhook_attempts::attempted_at.eq(naive(o.attempted_at)),
                webhook_attempts::next_attempt_at.eq(o.next_attempt_at.filter(|_| !o.succeeded).map(naive)),
            )
        })
        .collect();
    insert_chunks!(conn, webhook_attempts::table, lines);
    let succeeded: Vec<String> = mine
        .iter()
        .filter(|(_, o)| o.succeeded)
        .map(|(d, _)| d.id.to_string())
        .collect();
    for chunk in succeeded.chunks(10_000) {
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(chunk)))
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Succeeded.as_str()),
                webhook_deliveries::next_attempt_at.eq(None::<NaiveDateTime>),
                webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    for (d, o) in mine.iter().filter(|(_, o)| !o.succeeded) {
        let status = DeliveryStatus::after_attempt(false, o.next_attempt_at);
        diesel::update(webhook_deliveries::table.find(d.id.to_string()))
            .set((
                webhook_deliveries::status.eq(status.as_str()),
                webhook_deliveries::next_attempt_at.eq(o.next_attempt_at.map(naive)),
                webhook_deliveries::leased_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    let mut by_endpoint: HashMap<Uuid, Vec<(bool, DateTime<Utc>)>> = HashMap::new();
    for (d, o) in &mine {
        by_endpoint
            .entry(d.endpoint_id)
            .or_default()
            .push((o.succeeded, d.created_at));
    }
    let at = mine.iter().map(|(_, o)| o.attempted_at).max();
    for (endpoint, outcomes) in by_endpoint {
        if let Some(at) = at {
            endpoints::note_outcomes(conn, endpoint, &outcomes, at)?;
        }
    }
    Ok(mine.len())
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
    let ids = insert_deliveries(conn, &[(old.event_id, &new)], at)?;
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
    let ids = insert_deliveries(conn, &[(event_id, &new)], at)?;
    let id = ids.first().copied().ok_or(StoreError::NotFound)?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}
