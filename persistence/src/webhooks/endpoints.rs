//! Webhook endpoints: where an organisation's events go, and the secrets that
//! sign them. Every change is audited in its transaction.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::webhook::PREVIOUS_SECRET_GRACE;
use domain::{AuditAction, EventTypes, TreePath, WebhookSecret, WebhookUrl};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::organizations::{lock_in_scope, RowLock};
use crate::schema::{organizations, webhook_endpoints};
use crate::time::{naive, now, utc};

#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub url: WebhookUrl,
    pub events: EventTypes,
    pub description: String,
    pub enabled: bool,
    pub secret: WebhookSecret,
    pub previous_secret: Option<WebhookSecret>,
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The organisation's current path: the endpoint's scope.
    pub path: TreePath,
}

impl domain::Scoped for WebhookEndpoint {
    fn scope_path(&self) -> &TreePath {
        &self.path
    }
}

impl WebhookEndpoint {
    /// The secrets that sign a delivery sent at `now`: the current one, and the
    /// replaced one during its grace period.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<WebhookSecret> {
        let previous = match (&self.previous_secret, self.previous_secret_until) {
            (Some(s), Some(until)) if now < until => Some(s.clone()),
            _ => None,
        };
        std::iter::once(self.secret.clone()).chain(previous).collect()
    }
}

pub struct NewWebhookEndpoint {
    pub url: WebhookUrl,
    pub events: EventTypes,
    pub description: String,
}

/// Fields to change; `None` keeps the stored value.
#[derive(Default)]
pub struct WebhookEndpointPatch {
    pub url: Option<WebhookUrl>,
    pub events: Option<EventTypes>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
struct EndpointRow {
    id: String,
    organization_id: String,
    url: String,
    events: String,
    description: String,
    enabled: bool,
    secret: String,
    previous_secret: Option<String>,
    previous_secret_until: Option<NaiveDateTime>,
    failing_since: Option<NaiveDateTime>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    #[diesel(select_expression = organizations::path)]
    path: String,
}

impl EndpointRow {
    fn into_model(self) -> Result<WebhookEndpoint, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("webhook endpoint {}: bad {what}", self.id));
        let secret = WebhookSecret::parse(&self.secret).map_err(|_| corrupt("secret"))?;
        let previous_secret = self
            .previous_secret
            .as_deref()
            .map(WebhookSecret::parse)
            .transpose()
            .map_err(|_| corrupt("previous secret"))?;
        let path = TreePath::parse(&self.path).map_err(|_| corrupt("path"))?;
        Ok(WebhookEndpoint {
            id: parse_uuid(&self.id)?,
            organization_id: parse_uuid(&self.organization_id)?,
            url: WebhookUrl::from_stored(self.url),
            events: EventTypes::from_storage(&self.events),
            description: self.description,
            enabled: self.enabled,
            secret,
            previous_secret,
            previous_secret_until: self.previous_secret_until.map(utc),
            failing_since: self.failing_since.map(utc),
            version: self.version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            path,
        })
    }
}

pub(crate) fn find(conn: &mut DbConn, id: Uuid) -> Result<Option<WebhookEndpoint>, StoreError> {
    webhook_endpoints::table
        .inner_join(organizations::table)
        .filter(webhook_endpoints::id.eq(id.to_string()))
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()?
        .map(EndpointRow::into_model)
        .transpose()
}

/// Endpoints of organisations in the subtree at `root`, oldest first.
pub(crate) fn list(
    conn: &mut DbConn,
    root: &TreePath,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let mut q = webhook_endpoints::table
        .inner_join(organizations::table)
        .filter(organizations::path.ge(root.as_str().to_string()))
        .filter(organizations::path.lt(root.upper_bound()))
        .select(EndpointRow::as_select())
        .order(webhook_endpoints::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(webhook_endpoints::id.gt(after.to_string()));
    }
    q.load(conn)?.into_iter().map(EndpointRow::into_model).collect()
}

/// Enabled endpoints of the organisations at exactly these paths (the
/// ancestors-or-self of some events' organisations).
pub(crate) fn subscribed_at(conn: &mut DbConn, paths: &[String]) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let mut out = Vec::new();
    for chunk in paths.chunks(500) {
        let rows = webhook_endpoints::table
            .inner_join(organizations::table)
            .filter(organizations::path.eq_any(chunk))
            .filter(webhook_endpoints::enabled.eq(true))
            .select(EndpointRow::as_select())
            .load(conn)?;
        for row in rows {
            out.push(row.into_model()?);
        }
    }
    Ok(out)
}

fn event(endpoint: &WebhookEndpoint, action: AuditAction, details: serde_json::Value) -> Event<'static> {
    Event {
        organization_id: endpoint.organization_id,
        action,
        target_type: "webhook_endpoint",
        target_id: endpoint.id,
        details,
    }
}

pub(crate) fn create(
    conn: &mut DbConn,
    scope: &TreePath,
    org: Uuid,
    new: &NewWebhookEndpoint,
    secret: &WebhookSecret,
    who: &AuditEntry,
) -> Result<WebhookEndpoint, StoreError> {
    lock_in_scope(conn, scope, org, RowLock::Share)?;
    let id = Uuid::now_v7();
    let ts = now();
    diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::id.eq(id.to_string()),
            webhook_endpoints::organization_id.eq(org.to_string()),
            webhook_endpoints::url.eq(new.url.as_str()),
            webhook_endpoints::events.eq(new.events.to_storage()),
            webhook_endpoints::description.eq(&new.description),
            webhook_endpoints::enabled.eq(true),
            webhook_endpoints::secret.eq(secret.expose()),
            webhook_endpoints::version.eq(1_i64),
            webhook_endpoints::created_at.eq(ts),
            webhook_endpoints::updated_at.eq(ts),
        ))
        .execute(conn)?;
    let endpoint = find(conn, id)?.ok_or(StoreError::NotFound)?;
    audit::record_at(
        conn,
        who,
        event(
            &endpoint,
            AuditAction::WebhookEndpointCreated,
            json!({"url": new.url.as_str(), "events": new.events.names()}),
        ),
        &endpoint.path,
    )?;
    Ok(endpoint)
}

/// The endpoint, in scope, at the expected version (when one is given).
fn current(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    expected: Option<i64>,
) -> Result<WebhookEndpoint, StoreError> {
    let endpoint = find(conn, id)?
        .filter(|e| scope.is_ancestor_or_self_of(&e.path))
        .ok_or(StoreError::NotFound)?;
    match expected {
        Some(v) if v != endpoint.version => Err(StoreError::StaleVersion {
            current: endpoint.version,
        }),
        _ => Ok(endpoint),
    }
}

/// A conditional write: it changes the row only at the version just read, so
/// a racing change makes it stale instead of lost.
fn bump(conn: &mut DbConn, endpoint: &WebhookEndpoint) -> Result<(), StoreError> {
    let n = diesel::update(
        webhook_endpoints::table
            .find(endpoint.id.to_string())
            .filter(webhook_endpoints::version.eq(endpoint.version)),
    )
    .set((
        webhook_endpoints::version.eq(endpoint.version + 1),
        webhook_endpoints::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(StoreError::StaleVersion {
            current: endpoint.version + 1,
        });
    }
    Ok(())
}

pub(crate) fn update(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    expected: Option<i64>,
    patch: &WebhookEndpointPatch,
    who: &AuditEntry,
) -> Result<WebhookEndpoint, StoreError> {
    let endpoint = current(conn, scope, id, expected)?;
    bump(conn, &endpoint)?;
    // An empty patch (`{}`) changes nothing but the version: no SET to build.
    let changes_columns =
        patch.url.is_some() || patch.events.is_some() || patch.description.is_some() || patch.enabled.is_some();
    if changes_columns {
        diesel::update(webhook_endpoints::table.find(id.to_string()))
            .set((
                patch
                    .url
                    .as_ref()
                    .map(|u| webhook_endpoints::url.eq(u.as_str().to_string())),
                patch
                    .events
                    .as_ref()
                    .map(|e| webhook_endpoints::events.eq(e.to_storage())),
                patch
                    .description
                    .as_ref()
                    .map(|d| webhook_endpoints::description.eq(d.clone())),
                patch.enabled.map(|e| webhook_endpoints::enabled.eq(e)),
                // Re-enabling starts the failure clock afresh.
                patch
                    .enabled
                    .filter(|e| *e)
                    .map(|_| webhook_endpoints::failing_since.eq(None::<NaiveDateTime>)),
            ))
            .execute(conn)?;
    }
    audit::record_at(
        conn,
        who,
        event(
            &endpoint,
            AuditAction::WebhookEndpointUpdated,
            json!({
                "url": patch.url.as_ref().map(WebhookUrl::as_str),
                "events": patch.events.as_ref().map(EventTypes::names),
                "description": patch.description,
                "enabled": patch.enabled,
            }),
        ),
        &endpoint.path,
    )?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

/// Deletes the endpoint and its deliveries (their events stay).
pub(crate) fn delete(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    expected: Option<i64>,
    who: &AuditEntry,
) -> Result<(), StoreError> {
    let endpoint = current(conn, scope, id, expected)?;
    bump(conn, &endpoint)?;
    diesel::delete(crate::schema::webhook_deliveries::table)
        .filter(crate::schema::webhook_deliveries::endpoint_id.eq(id.to_string()))
        .execute(conn)?;
    diesel::delete(webhook_endpoints::table.find(id.to_string())).execute(conn)?;
    audit::record_at(
        conn,
        who,
        event(
            &endpoint,
            AuditAction::WebhookEndpointDeleted,
            json!({"url": endpoint.url.as_str()}),
        ),
        &endpoint.path,
    )
}

/// A new secret; the current one keeps signing beside it for
/// [`PREVIOUS_SECRET_GRACE`].
pub(crate) fn rotate(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    secret: &WebhookSecret,
    at: DateTime<Utc>,
    who: &AuditEntry,
) -> Result<WebhookEndpoint, StoreError> {
    let endpoint = current(conn, scope, id, None)?;
    bump(conn, &endpoint)?;
    diesel::update(webhook_endpoints::table.find(id.to_string()))
        .set((
            webhook_endpoints::secret.eq(secret.expose()),
            webhook_endpoints::previous_secret.eq(Some(endpoint.secret.expose())),
            webhook_endpoints::previous_secret_until.eq(Some(naive(at + PREVIOUS_SECRET_GRACE))),
        ))
        .execute(conn)?;
    audit::record_at(
        conn,
        who,
        event(&endpoint, AuditAction::WebhookEndpointSecretRotated, json!({})),
        &endpoint.path,
    )?;
    find(conn, id)?.ok_or(StoreError::NotFound)
}

/// Notes attempts' outcomes on their endpoint, in the order they were made
/// (`(succeeded, due_since)`, `due_since` being when the delivery became due):
/// the failure clock follows `domain::webhook::failing_since_after`, and an
/// endpoint that has failed everything for the retry window is disabled
/// (audited, by the system).
pub(crate) fn note_outcomes(
    conn: &mut DbConn,
    id: Uuid,
    attempts: &[(bool, DateTime<Utc>)],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(endpoint) = find(conn, id)? else {
        return Ok(());
    };
    let since = domain::webhook::failing_since_after(endpoint.failing_since, attempts.iter().copied());
    if since != endpoint.failing_since {
        diesel::update(webhook_endpoints::table.find(id.to_string()))
            .set(webhook_endpoints::failing_since.eq(since.map(naive)))
            .execute(conn)?;
    }
    let Some(since) = since else {
        return Ok(());
    };
    if endpoint.enabled && domain::webhook::should_disable(since, at) {
        bump(conn, &endpoint)?;
        diesel::update(webhook_endpoints::table.find(id.to_string()))
            .set(webhook_endpoints::enabled.eq(false))
            .execute(conn)?;
        audit::record_at(
            conn,
            &AuditEntry::by(Actor::System),
            event(
                &endpoint,
                AuditAction::WebhookEndpointDisabled,
                json!({"failing_since": since, "reason": "every delivery failed for 3 days"}),
            ),
            &endpoint.path,
        )?;
    }
    Ok(())
}
