//! The billing-run queue. The API enqueues a run (one active run per
//! organisation and period, by a partial unique index); a worker claims it with
//! a lease, then bills one batch of customers per short write transaction that
//! also advances the run's cursor (`after_path`, the last customer billed) and
//! counters, and renews the lease. A worker that dies leaves its lease to run
//! out, and the next claim resumes from the cursor: the batch in flight was
//! rolled back whole, and the unique (customer, period, currency) key keeps a
//! re-billed customer to its one invoice.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{check_no_active_run, AuditAction, BillingRunStatus, OrgKind, Period, TreePath};
use serde_json::json;
use uuid::Uuid;

use super::run::{bill, count_customers, next_customers, Tally};
use super::schema::billing_runs;
use super::BillingRun;
use crate::audit::{self, Actor, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::organizations::{lock_in_scope, RowLock};
use crate::schema::organizations;
use crate::time::{now, utc};

const ACTIVE: [&str; 2] = ["queued", "running"];

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = billing_runs)]
struct RunRow {
    id: String,
    organization_id: String,
    period: String,
    status: String,
    after_path: Option<String>,
    customers_done: i64,
    customers_total: i64,
    invoices_created: i64,
    invoices_recomputed: i64,
    invoices_removed: i64,
    invoices_unchanged: i64,
    lease_token: Option<String>,
    lease_until: Option<NaiveDateTime>,
    attempts: i64,
    created_at: NaiveDateTime,
    started_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    error: Option<String>,
}

impl RunRow {
    fn into_model(self, organization_path: TreePath) -> Result<BillingRun, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("billing run {}: bad {what}", self.id));
        Ok(BillingRun {
            id: parse_uuid(&self.id)?,
            organization_id: parse_uuid(&self.organization_id)?,
            organization_path,
            status: BillingRunStatus::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            period: self.period,
            customers_done: self.customers_done,
            customers_total: self.customers_total,
            tally: Tally {
                created: self.invoices_created,
                recomputed: self.invoices_recomputed,
                removed: self.invoices_removed,
                unchanged: self.invoices_unchanged,
            },
            created_at: utc(self.created_at),
            started_at: self.started_at.map(utc),
            finished_at: self.finished_at.map(utc),
            error: self.error,
        })
    }
}

/// A run a worker holds: its id and the lease token that proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunClaim {
    pub id: Uuid,
    pub token: String,
}

/// What one step of a claimed run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStep {
    /// One batch of customers billed; more may follow.
    Billed { customers: i64 },
    /// No customer left: the run succeeded.
    Finished,
    /// The lease ran out and another worker holds the run (or it ended): stop.
    LeaseLost,
}

/// The current path of an organisation (runs follow their organisation's moves).
fn organization_path(c: &mut DbConn, id: &str) -> Result<TreePath, StoreError> {
    let path: String = organizations::table.find(id).select(organizations::path).first(c)?;
    TreePath::parse(&path).map_err(|_| StoreError::Corrupt(format!("organization {id}: bad path")))
}

/// A run by id, with its organisation's current path (its scope).
pub(crate) fn get(c: &mut DbConn, id: Uuid) -> Result<Option<BillingRun>, StoreError> {
    let Some(row) = billing_runs::table
        .find(id.to_string())
        .select(RunRow::as_select())
        .first(c)
        .optional()?
    else {
        return Ok(None);
    };
    let path = organization_path(c, &row.organization_id)?;
    row.into_model(path).map(Some)
}

/// How many customers a run over `root_id`'s subtree will bill (for its progress).
pub(crate) fn customers_under(c: &mut DbConn, root_id: Uuid) -> Result<i64, StoreError> {
    match organizations::table
        .find(root_id.to_string())
        .select(organizations::path)
        .first::<String>(c)
        .optional()?
    {
        Some(path) => match TreePath::parse(&path) {
            Ok(root) => count_customers(c, &root),
            Err(_) => Ok(0),
        },
        None => Ok(0),
    }
}

/// Queues a run for `root_id`'s subtree and `period` (409 `billing_run_active`
/// while another one for them is queued or running) and audits its start.
pub(crate) fn enqueue(
    c: &mut DbConn,
    scope: &TreePath,
    root_id: Uuid,
    period: Period,
    customers_total: i64,
    who: &AuditEntry,
) -> Result<BillingRun, StoreError> {
    let org = lock_in_scope(c, scope, root_id, RowLock::Share)?;
    let active: Option<String> = billing_runs::table
        .filter(billing_runs::organization_id.eq(root_id.to_string()))
        .filter(billing_runs::period.eq(period.as_string()))
        .filter(billing_runs::status.eq_any(ACTIVE))
        .select(billing_runs::status)
        .first(c)
        .optional()?;
    check_no_active_run(active.as_deref().and_then(BillingRunStatus::parse))?;
    let id = Uuid::now_v7();
    let row = RunRow {
        id: id.to_string(),
        organization_id: root_id.to_string(),
        period: period.as_string(),
        status: BillingRunStatus::Queued.as_str().to_string(),
        after_path: None,
        customers_done: 0,
        customers_total,
        invoices_created: 0,
        invoices_recomputed: 0,
        invoices_removed: 0,
        invoices_unchanged: 0,
        lease_token: None,
        lease_until: None,
        attempts: 0,
        created_at: now(),
        started_at: None,
        finished_at: None,
        error: None,
    };
    match diesel::insert_into(billing_runs::table).values(&row).execute(c) {
        Ok(_) => {}
        // A concurrent request queued the same run first (the partial unique index).
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            check_no_active_run(Some(BillingRunStatus::Queued))?;
        }
        Err(e) => return Err(e.into()),
    }
    audit::record(
        c,
        who,
        Event {
            organization_id: root_id,
            action: AuditAction::BillingRunStarted,
            target_type: "billing_run",
            target_id: id,
            details: json!({"period": row.period, "customers_total": customers_total}),
        },
    )?;
    row.into_model(org.path)
}

/// Leases the oldest queued run, or a running one whose lease ran out, until
/// `lease_until`. PostgreSQL skips runs another worker is claiming.
pub(crate) fn claim(
    c: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> Result<Option<RunClaim>, StoreError> {
    let due = billing_runs::table
        .select(billing_runs::id)
        .filter(
            billing_runs::status
                .eq(BillingRunStatus::Queued.as_str())
                .or(billing_runs::status.eq(BillingRunStatus::Running.as_str()).and(
                    billing_runs::lease_until
                        .is_null()
                        .or(billing_runs::lease_until.lt(now)),
                )),
        )
        .order((billing_runs::created_at.asc(), billing_runs::id.asc()))
        .limit(1);
    let id: Option<String> = match c {
        DbConn::Pg(c) => due.for_update().skip_locked().first(c).optional()?,
        DbConn::Sqlite(c) => due.first(c).optional()?,
    };
    let Some(id) = id else {
        return Ok(None);
    };
    let token = Uuid::new_v4().to_string();
    diesel::update(billing_runs::table.find(&id))
        .set((
            billing_runs::status.eq(BillingRunStatus::Running.as_str()),
            billing_runs::lease_token.eq(&token),
            billing_runs::lease_until.eq(lease_until),
            billing_runs::attempts.eq(billing_runs::attempts + 1),
        ))
        .execute(c)?;
    diesel::update(billing_runs::table.find(&id).filter(billing_runs::started_at.is_null()))
        .set(billing_runs::started_at.eq(now))
        .execute(c)?;
    Ok(Some(RunClaim {
        id: parse_uuid(&id)?,
        token,
    }))
}

/// The run's row if `claim` still holds it, locked (PostgreSQL) until commit.
fn held(c: &mut DbConn, claim: &RunClaim) -> Result<Option<RunRow>, StoreError> {
    let q = billing_runs::table
        .find(claim.id.to_string())
        .filter(billing_runs::lease_token.eq(&claim.token))
        .filter(billing_runs::status.eq(BillingRunStatus::Running.as_str()))
        .select(billing_runs::id);
    let id: Option<String> = match c {
        DbConn::Pg(c) => q.for_update().first(c).optional()?,
        DbConn::Sqlite(c) => q.first(c).optional()?,
    };
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(Some(billing_runs::table.find(id).select(RunRow::as_select()).first(c)?))
}

/// Bills the next `batch` customers of a claimed run and advances its cursor and
/// counters in the same transaction, renewing the lease to `lease_until`; or
/// finishes the run when no customer is left.
pub(crate) fn step(
    c: &mut DbConn,
    claim: &RunClaim,
    lease_until: NaiveDateTime,
    batch: i64,
) -> Result<RunStep, StoreError> {
    let Some(row) = held(c, claim)? else {
        return Ok(RunStep::LeaseLost);
    };
    let period = Period::parse(&row.period, "period")
        .map_err(|_| StoreError::Corrupt(format!("billing run {}: bad period", row.id)))?;
    let root = organization_path(c, &row.organization_id)?;
    // A cursor outside the subtree means the organisation itself moved: start
    // over (re-billing is idempotent).
    let after = row.after_path.clone().filter(|p| p.starts_with(root.as_str()));
    let Some(range) = next_customers(c, &root, after, batch)? else {
        let at = now();
        diesel::update(billing_runs::table.find(&row.id))
            .set((
                billing_runs::status.eq(BillingRunStatus::Succeeded.as_str()),
                billing_runs::finished_at.eq(at),
                billing_runs::lease_token.eq(None::<String>),
                billing_runs::lease_until.eq(None::<NaiveDateTime>),
            ))
            .execute(c)?;
        audit_finish(c, &row, BillingRunStatus::Succeeded, None)?;
        return Ok(RunStep::Finished);
    };
    if let DbConn::Pg(pg) = c {
        // No customer of the batch moves while it is billed (a move locks the
        // rows it rewrites), without holding the rest of the subtree.
        diesel::sql_query("SELECT 1 FROM organizations WHERE kind = $1 AND path >= $2 AND path <= $3 FOR SHARE")
            .bind::<diesel::sql_types::Text, _>(OrgKind::Customer.as_str())
            .bind::<diesel::sql_types::Text, _>(&range.first)
            .bind::<diesel::sql_types::Text, _>(&range.last)
            .execute(pg)?;
    }
    let mut tally = Tally::default();
    bill(c, &range, period, &mut tally)?;
    diesel::update(billing_runs::table.find(&row.id))
        .set((
            billing_runs::after_path.eq(&range.last),
            billing_runs::customers_done.eq(billing_runs::customers_done + range.count),
            billing_runs::invoices_created.eq(billing_runs::invoices_created + tally.created),
            billing_runs::invoices_recomputed.eq(billing_runs::invoices_recomputed + tally.recomputed),
            billing_runs::invoices_removed.eq(billing_runs::invoices_removed + tally.removed),
            billing_runs::invoices_unchanged.eq(billing_runs::invoices_unchanged + tally.unchanged),
            billing_runs::lease_until.eq(lease_until),
        ))
        .execute(c)?;
    Ok(RunStep::Billed { customers: range.count })
}

/// Ends a claimed run as failed with `error` (false if the claim was lost).
pub(crate) fn fail(c: &mut DbConn, claim: &RunClaim, error: &str) -> Result<bool, StoreError> {
    let Some(row) = held(c, claim)? else {
        return Ok(false);
    };
    diesel::update(billing_runs::table.find(&row.id))
        .set((
            billing_runs::status.eq(BillingRunStatus::Failed.as_str()),
            billing_runs::finished_at.eq(now()),
            billing_runs::error.eq(error),
            billing_runs::lease_token.eq(None::<String>),
            billing_runs::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(c)?;
    audit_finish(c, &row, BillingRunStatus::Failed, Some(error))?;
    Ok(true)
}

/// Gives a claimed run back (a worker stopping), so the next claim resumes it at once.
pub(crate) fn release(c: &mut DbConn, claim: &RunClaim) -> Result<(), StoreError> {
    diesel::update(
        billing_runs::table
            .find(claim.id.to_string())
            .filter(billing_runs::lease_token.eq(&claim.token)),
    )
    .set((
        billing_runs::lease_token.eq(None::<String>),
        billing_runs::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(c)?;
    Ok(())
}

/// The audit event of a run's end, by the system, with what the run did.
fn audit_finish(c: &mut DbConn, row: &RunRow, status: BillingRunStatus, error: Option<&str>) -> Result<(), StoreError> {
    // `row` was read before this batch's counters were added: re-read them.
    let done: RunRow = billing_runs::table.find(&row.id).select(RunRow::as_select()).first(c)?;
    audit::record(
        c,
        &AuditEntry::by(Actor::System),
        Event {
            organization_id: parse_uuid(&done.organization_id)?,
            action: AuditAction::BillingRunFinished,
            target_type: "billing_run",
            target_id: parse_uuid(&done.id)?,
            details: json!({
                "period": done.period,
                "status": status.as_str(),
                "customers": done.customers_done,
                "created": done.invoices_created,
                "recomputed": done.invoices_recomputed,
                "removed": done.invoices_removed,
                "unchanged": done.invoices_unchanged,
                "error": error,
            }),
        },
    )
}
