//! Aggregates over subscriptions: per-customer rollups (the customer summary),
//! the dashboard, and the usage series. Each is a fixed number of statements.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use domain::{OrgKind, OrgStatus, SubscriptionStatus, TreePath};
use uuid::Uuid;

use super::{Subscription, SubscriptionRow};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::organizations::{OrgRow, Organization};
use crate::schema::{organizations, subscriptions};

/// Seats and renewals of one customer, over its live subscriptions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerRollup {
    pub seats_purchased: i64,
    pub seats_assigned: i64,
    pub next_renewal: Option<NaiveDate>,
    pub skus: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCount {
    pub kind: OrgKind,
    pub status: OrgStatus,
    pub count: i64,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Organisations below the root, by kind and status.
    pub organizations: Vec<OrgCount>,
    pub active_subscriptions: i64,
    pub seats_purchased: i64,
    pub seats_assigned: i64,
    pub recent_customers: Vec<Organization>,
    pub renewals_count: i64,
    /// The earliest renewals in the window.
    pub renewals: Vec<Subscription>,
}

/// The dashboard's organisation counts (sorted by kind and status, no zeros),
/// active subscription totals, and active subscriptions by renewal date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardFigures {
    pub organizations: Vec<OrgCount>,
    pub active_subscriptions: i64,
    pub seats_purchased: i64,
    pub seats_assigned: i64,
    /// No zeros.
    pub renewals: BTreeMap<NaiveDate, i64>,
}

impl DashboardFigures {
    /// Active subscriptions renewing from `from` to `to`, both included.
    pub fn renewing(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        self.renewals.range(from..=to).map(|(_, n)| n).sum()
    }
}

/// The rollup metric counting active subscriptions renewing on one date.
const RENEW: &str = "renew:";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageInterval {
    Day,
    Month,
}

/// Seat totals at the end of one day or month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageBucket {
    /// `YYYY-MM-DD` or `YYYY-MM`.
    pub period: String,
    pub seats_purchased: i64,
    pub seats_assigned: i64,
}

const LIVE: [&str; 2] = ["active", "suspended"];

#[derive(QueryableByName)]
struct Totals {
    #[diesel(sql_type = BigInt)]
    subscriptions: i64,
    #[diesel(sql_type = BigInt)]
    purchased: i64,
    #[diesel(sql_type = BigInt)]
    assigned: i64,
}

#[derive(QueryableByName)]
struct BucketRow {
    #[diesel(sql_type = Text)]
    period: String,
    #[diesel(sql_type = BigInt)]
    quantity: i64,
    #[diesel(sql_type = BigInt)]
    assigned: i64,
}

fn org_counts(c: &mut DbConn, root: &TreePath) -> Result<Vec<OrgCount>, StoreError> {
    let rows: Vec<(String, String, i64)> = organizations::table
        .filter(organizations::path.gt(root.as_str().to_string()))
        .filter(organizations::path.lt(root.upper_bound()))
        .group_by((organizations::kind, organizations::status))
        .select((organizations::kind, organizations::status, diesel::dsl::count_star()))
        .load(c)?;
    rows.into_iter()
        .map(|(kind, status, count)| {
            Ok(OrgCount {
                kind: OrgKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?,
                status: OrgStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
                count,
            })
        })
        .collect()
}

fn subscription_totals(c: &mut DbConn, root: &TreePath) -> Result<Totals, StoreError> {
    Ok(diesel::sql_query(
        "SELECT COUNT(*) AS subscriptions, \
                CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS purchased, \
                CAST(COALESCE(SUM(assigned), 0) AS BIGINT) AS assigned \
         FROM subscriptions WHERE status = 'active' AND customer_path >= $1 AND customer_path < $2",
    )
    .bind::<Text, _>(root.as_str())
    .bind::<Text, _>(root.upper_bound())
    .get_result(c)?)
}

/// The dashboard's counts and totals recounted by scanning the subtree (what
/// the rollups replace): the reference the rollups are tested against.
pub(crate) fn recount(c: &mut DbConn, root: &TreePath) -> Result<DashboardFigures, StoreError> {
    let mut organizations = org_counts(c, root)?;
    organizations.sort_by_key(|o| (o.kind.as_str(), o.status.as_str()));
    let totals = subscription_totals(c, root)?;
    let renewals = subscriptions::table
        .filter(subscriptions::status.eq(SubscriptionStatus::Active.as_str()))
        .filter(subscriptions::customer_path.ge(root.as_str().to_string()))
        .filter(subscriptions::customer_path.lt(root.upper_bound()))
        .group_by(subscriptions::renews_on)
        .select((subscriptions::renews_on, diesel::dsl::count_star()))
        .load::<(NaiveDate, i64)>(c)?
        .into_iter()
        .collect();
    Ok(DashboardFigures {
        organizations,
        active_subscriptions: totals.subscriptions,
        seats_purchased: totals.purchased,
        seats_assigned: totals.assigned,
        renewals,
    })
}

/// The dashboard's counts and totals from the rollups: one statement, exact.
pub(crate) fn figures(c: &mut DbConn, root: &TreePath) -> Result<DashboardFigures, StoreError> {
    let mut figures = DashboardFigures::default();
    for (metric, amount) in crate::rollups::subtree_figures(c, root)? {
        let corrupt = || StoreError::Corrupt(format!("rollup metric {metric}"));
        match metric.as_str() {
            "subscriptions" => figures.active_subscriptions = amount,
            "seats_purchased" => figures.seats_purchased = amount,
            "seats_assigned" => figures.seats_assigned = amount,
            _ if amount == 0 => {}
            renew if renew.starts_with(RENEW) => {
                let date = NaiveDate::parse_from_str(&renew[RENEW.len()..], "%Y-%m-%d").map_err(|_| corrupt())?;
                figures.renewals.insert(date, amount);
            }
            other => {
                let (kind, status) = other
                    .strip_prefix("org:")
                    .and_then(|m| m.split_once(':'))
                    .ok_or_else(corrupt)?;
                figures.organizations.push(OrgCount {
                    kind: OrgKind::parse(kind).ok_or_else(corrupt)?,
                    status: OrgStatus::parse(status).ok_or_else(corrupt)?,
                    count: amount,
                });
            }
        }
    }
    figures
        .organizations
        .sort_by_key(|o| (o.kind.as_str(), o.status.as_str()));
    Ok(figures)
}

/// The dashboard of the subtree at `root`: three statements, each reading
/// rollups or stopping at its page's end in index order.
pub(crate) fn dashboard(
    c: &mut DbConn,
    root: &TreePath,
    today: NaiveDate,
    window_end: NaiveDate,
) -> Result<Dashboard, StoreError> {
    let figures = figures(c, root)?;
    let renewals_count = figures.renewing(today, window_end);
    let DashboardFigures {
        organizations,
        active_subscriptions,
        seats_purchased,
        seats_assigned,
        ..
    } = figures;
    let recent_customers = organizations::table
        .filter(organizations::kind.eq(OrgKind::Customer.as_str()))
        .filter(organizations::status.ne(OrgStatus::Archived.as_str()))
        .filter(organizations::path.gt(root.as_str().to_string()))
        .filter(organizations::path.lt(root.upper_bound()))
        .order((organizations::created_at.desc(), organizations::id.desc()))
        .limit(10)
        .select(OrgRow::as_select())
        .load(c)?
        .into_iter()
        .map(OrgRow::into_model)
        .collect::<Result<Vec<_>, _>>()?;
    let renewals = subscriptions::table
        .filter(subscriptions::status.eq(SubscriptionStatus::Active.as_str()))
        .filter(subscriptions::renews_on.ge(today))
        .filter(subscriptions::renews_on.le(window_end))
        .filter(subscriptions::customer_path.ge(root.as_str().to_string()))
        .filter(subscriptions::customer_path.lt(root.upper_bound()))
        .order((subscriptions::renews_on.asc(), subscriptions::id.asc()))
        .limit(20)
        .select(SubscriptionRow::as_select())
        .load(c)?
        .into_iter()
        .map(SubscriptionRow::into_model)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Dashboard {
        organizations,
        active_subscriptions,
        seats_purchased,
        seats_assigned,
        recent_customers,
        renewals_count,
        renewals,
    })
}

/// Rollups for these customers: one statement, whatever their number.
pub(crate) fn customer_rollups(
    c: &mut DbConn,
    customers: &[Uuid],
) -> Result<HashMap<Uuid, CustomerRollup>, StoreError> {
    if customers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String, i64, i64, NaiveDate)> = subscriptions::table
        .filter(subscriptions::customer_id.eq_any(customers.iter().map(Uuid::to_string)))
        .filter(subscriptions::status.eq_any(LIVE))
        .select((
            subscriptions::customer_id,
            subscriptions::sku,
            subscriptions::quantity,
            subscriptions::assigned,
            subscriptions::renews_on,
        ))
        .load(c)?;
    let mut rollups: HashMap<Uuid, CustomerRollup> = HashMap::new();
    for (customer, sku, quantity, assigned, renews_on) in rows {
        let r = rollups.entry(parse_uuid(&customer)?).or_default();
        r.seats_purchased += quantity;
        r.seats_assigned += assigned;
        r.next_renewal = Some(r.next_renewal.map_or(renews_on, |d| d.min(renews_on)));
        r.skus.insert(sku);
    }
    Ok(rollups)
}

/// Seats purchased and assigned at the end of each period from `from` to `to`
/// (inclusive), for the subtree at `root`, from the seat history: one
/// statement sums the deltas per period; running totals are added up here.
pub(crate) fn usage(
    c: &mut DbConn,
    root: &TreePath,
    interval: UsageInterval,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<UsageBucket>, StoreError> {
    let until: NaiveDateTime = to
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(|| StoreError::Corrupt("date out of range".into()))?;
    let bucket = match (&*c, interval) {
        (DbConn::Pg(_), UsageInterval::Day) => "to_char(changed_at, 'YYYY-MM-DD')",
        (DbConn::Pg(_), UsageInterval::Month) => "to_char(changed_at, 'YYYY-MM')",
        (DbConn::Sqlite(_), UsageInterval::Day) => "strftime('%Y-%m-%d', changed_at)",
        (DbConn::Sqlite(_), UsageInterval::Month) => "strftime('%Y-%m', changed_at)",
    };
    let rows: Vec<BucketRow> = diesel::sql_query(format!(
        "SELECT {bucket} AS period, CAST(SUM(quantity_delta) AS BIGINT) AS quantity, \
                CAST(SUM(assigned_delta) AS BIGINT) AS assigned \
         FROM subscription_changes \
         WHERE customer_path >= $1 AND customer_path < $2 AND changed_at < $3 \
         GROUP BY 1 ORDER BY 1"
    ))
    .bind::<Text, _>(root.as_str())
    .bind::<Text, _>(root.upper_bound())
    .bind::<Timestamp, _>(until)
    .load(c)?;
    Ok(running_totals(&rows, interval, from, to))
}

/// Turns per-period deltas into totals at the end of every period in [from, to].
fn running_totals(rows: &[BucketRow], interval: UsageInterval, from: NaiveDate, to: NaiveDate) -> Vec<UsageBucket> {
    let label = |d: NaiveDate| match interval {
        UsageInterval::Day => d.format("%Y-%m-%d").to_string(),
        UsageInterval::Month => d.format("%Y-%m").to_string(),
    };
    let mut periods = Vec::new();
    let mut day = from;
    while day <= to {
        let l = label(day);
        if periods.last() != Some(&l) {
            periods.push(l);
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    let (mut purchased, mut assigned) = (0, 0);
    let mut deltas = rows.iter().peekable();
    periods
        .into_iter()
        .map(|period| {
            while let Some(r) = deltas.next_if(|r| r.period <= period) {
                purchased += r.quantity;
                assigned += r.assigned;
            }
            UsageBucket {
                period,
                seats_purchased: purchased,
                seats_assigned: assigned,
            }
        })
        .collect()
}
