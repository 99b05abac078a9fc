//! Partner-programme applications: a company asks to join an organisation's
//! programme (public); the organisation's admins approve it, which creates a
//! `pending` partner under the programme's organisation and sends the applicant
//! its activation link, or reject it with a reason the applicant is mailed. A
//! decision is one transaction: the application changes with a conditional
//! `UPDATE … WHERE status = 'pending'`, so two decisions racing cannot both win.
//!
//! Errors: `NotFound` (unknown or closed programme — one answer for both —, or an
//! application out of scope), `Duplicate { field: "email" }` for a second pending
//! application from one e-mail to one programme (a unique index, so races too),
//! `Rule` (409 `application_decided`) for deciding twice.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::onboarding::{accepts_applications, decided_meanwhile, ApplicationMessage, RejectionReason};
use domain::{
    ApplicationStatus, AuditAction, Country, Decision, DisplayName, DomainError, OrgKind, TreePath, WorkEmail,
};
use serde_json::json;
use uuid::Uuid;

use crate::activation_links::{self, actor_id, ActivationLink, NewActivationLink};
use crate::audit::{self, Actor, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::mail_outbox::{self, OutgoingMail};
use crate::organizations::{self, lock_in_scope, NewOrganization, Organization, RowLock};
use crate::schema::{organizations as orgs, programme_applications as apps};
use crate::time::{naive, utc};

/// An application as submitted (parsed by the caller).
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub programme_org_id: Uuid,
    pub company_name: DisplayName,
    pub contact_name: DisplayName,
    pub email: WorkEmail,
    pub country: Country,
    pub message: ApplicationMessage,
}

/// An application as stored, with its programme organisation's path (for scope).
#[derive(Debug, Clone)]
pub struct Application {
    pub id: Uuid,
    pub programme_org_id: Uuid,
    pub programme_path: TreePath,
    pub company_name: String,
    pub contact_name: String,
    pub email: String,
    pub country: String,
    pub message: String,
    pub status: ApplicationStatus,
    pub reason: Option<String>,
    /// The partner an approval created.
    pub partner_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
}

impl domain::Scoped for Application {
    fn scope_path(&self) -> &domain::TreePath {
        &self.programme_path
    }
}

#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub status: Option<ApplicationStatus>,
}

/// An approval: the application, the partner it created, and that partner's link.
#[derive(Debug, Clone)]
pub struct Approval {
    pub application: Application,
    pub partner: Organization,
    pub link: ActivationLink,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = apps)]
struct Row {
    id: String,
    programme_org_id: String,
    company_name: String,
    contact_name: String,
    email: String,
    country: String,
    message: String,
    status: String,
    reason: Option<String>,
    partner_id: Option<String>,
    created_at: NaiveDateTime,
    decided_at: Option<NaiveDateTime>,
    decided_by: Option<String>,
}

type Joined = (Row, String);

fn into_model((row, path): Joined) -> Result<Application, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("application {}: bad {what}", row.id));
    Ok(Application {
        id: parse_uuid(&row.id)?,
        programme_org_id: parse_uuid(&row.programme_org_id)?,
        programme_path: TreePath::parse(&path).map_err(|_| corrupt("programme path"))?,
        status: ApplicationStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
        partner_id: row.partner_id.as_deref().map(parse_uuid).transpose()?,
        company_name: row.company_name,
        contact_name: row.contact_name,
        email: row.email,
        country: row.country,
        message: row.message,
        reason: row.reason,
        created_at: utc(row.created_at),
        decided_at: row.decided_at.map(utc),
        decided_by: row.decided_by,
    })
}

pub(crate) fn find(conn: &mut DbConn, id: Uuid) -> Result<Option<Application>, StoreError> {
    apps::table
        .inner_join(orgs::table)
        .filter(apps::id.eq(id.to_string()))
        .select((Row::as_select(), orgs::path))
        .first::<Joined>(conn)
        .optional()?
        .map(into_model)
        .transpose()
}

/// The applications to one programme, oldest first, after the `after` id.
pub(crate) fn list(
    conn: &mut DbConn,
    programme: Uuid,
    filter: &ApplicationFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Application>, StoreError> {
    let mut q = apps::table
        .inner_join(orgs::table)
        .filter(apps::programme_org_id.eq(programme.to_string()))
        .select((Row::as_select(), orgs::path))
        .order(apps::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = filter.status {
        q = q.filter(apps::status.eq(status.as_str()));
    }
    if let Some(after) = after {
        q = q.filter(apps::id.gt(after.to_string()));
    }
    q.load::<Joined>(conn)?.into_iter().map(into_model).collect()
}

fn event(app: &Application, action: AuditAction, details: serde_json::Value) -> Event<'static> {
    Event {
        organization_id: app.programme_org_id,
        action,
        target_type: "application",
        target_id: app.id,
        details,
    }
}

pub(crate) fn submit(conn: &mut DbConn, new: &NewApplication, now: DateTime<Utc>) -> Result<Application, StoreError> {
    let programme = organizations::find(conn, new.programme_org_id)?.ok_or(StoreError::NotFound)?;
    // Closing the programme (or suspending its organisation) waits for this insert.
    let programme = lock_in_scope(conn, &programme.path, programme.id, RowLock::Share)?;
    if !accepts_applications(programme.kind, programme.status, programme.programme_open) {
        return Err(StoreError::NotFound);
    }
    let id = Uuid::now_v7();
    diesel::insert_into(apps::table)
        .values(&Row {
            id: id.to_string(),
            programme_org_id: programme.id.to_string(),
            company_name: new.company_name.as_str().to_string(),
            contact_name: new.contact_name.as_str().to_string(),
            email: new.email.as_str().to_string(),
            country: new.country.as_str().to_string(),
            message: new.message.as_str().to_string(),
            status: ApplicationStatus::Pending.as_str().to_string(),
            reason: None,
            partner_id: None,
            created_at: naive(now),
            decided_at: None,
            decided_by: None,
        })
        .execute(conn)?;
    let app = find(conn, id)?.ok_or(StoreError::NotFound)?;
    audit::record(
        conn,
        &AuditEntry::by(Actor::System),
        event(
            &app,
            AuditAction::ApplicationSubmitted,
            json!({"company_name": app.company_name, "email": app.email, "country": app.country}),
        ),
    )?;
    Ok(app)
}

/// The application `id` if its programme lies in `scope`, with the programme's row
/// locked, and its move from `pending` claimed by a conditional update.
fn claim_decision(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    decision: Decision,
    now: NaiveDateTime,
    who: &AuditEntry,
) -> Result<Application, StoreError> {
    let app = find(conn, id)?
        .filter(|a| scope.is_ancestor_or_self_of(&a.programme_path))
        .ok_or(StoreError::NotFound)?;
    lock_in_scope(conn, scope, app.programme_org_id, RowLock::Share)?;
    let next = app.status.decide(decision)?;
    let claimed = diesel::update(
        apps::table
            .find(id.to_string())
            .filter(apps::status.eq(ApplicationStatus::Pending.as_str())),
    )
    .set((
        apps::status.eq(next.as_str()),
        apps::decided_at.eq(now),
        apps::decided_by.eq(actor_id(who)),
    ))
    .execute(conn)?;
    if claimed != 1 {
        // Decided by a concurrent request since it was read.
        let current = find(conn, id)?.ok_or(StoreError::NotFound)?;
        current.status.decide(decision)?;
        return Err(decided_meanwhile().into());
    }
    Ok(app)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn approve(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    token_hash: &str,
    expires_at: DateTime<Utc>,
    mail: &OutgoingMail,
    now: DateTime<Utc>,
    who: &AuditEntry,
) -> Result<Approval, StoreError> {
    let app = claim_decision(conn, scope, id, Decision::Approve, naive(now), who)?;
    let company = DisplayName::parse(&app.company_name).map_err(DomainError::from)?;
    let email = WorkEmail::parse(&app.email, "email").map_err(DomainError::from)?;
    let partner = organizations::insert_child(
        conn,
        scope,
        &NewOrganization {
            parent_id: app.programme_org_id,
            kind: OrgKind::Partner,
            name: company,
            customer: None,
        },
        who,
    )?;
    diesel::update(apps::table.find(id.to_string()))
        .set(apps::partner_id.eq(partner.id.to_string()))
        .execute(conn)?;
    let link = activation_links::issue(
        conn,
        &partner,
        &NewActivationLink {
            email,
            token_hash: token_hash.to_string(),
            expires_at,
        },
        mail,
        now,
        who,
    )?;
    let application = find(conn, id)?.ok_or(StoreError::NotFound)?;
    audit::record(
        conn,
        who,
        event(
            &application,
            AuditAction::ApplicationApproved,
            json!({"partner_id": partner.id, "activation_link_id": link.id}),
        ),
    )?;
    Ok(Approval {
        application,
        partner,
        link,
    })
}

pub(crate) fn reject(
    conn: &mut DbConn,
    scope: &TreePath,
    id: Uuid,
    reason: &RejectionReason,
    mail: &OutgoingMail,
    now: DateTime<Utc>,
    who: &AuditEntry,
) -> Result<Application, StoreError> {
    claim_decision(conn, scope, id, Decision::Reject, naive(now), who)?;
    diesel::update(apps::table.find(id.to_string()))
        .set(apps::reason.eq(reason.as_str()))
        .execute(conn)?;
    let mail_id = mail_outbox::enqueue(conn, mail, naive(now))?;
    let application = find(conn, id)?.ok_or(StoreError::NotFound)?;
    audit::record(
        conn,
        who,
        event(
            &application,
            AuditAction::ApplicationRejected,
            json!({"reason": reason.as_str(), "mail_id": mail_id}),
        ),
    )?;
    Ok(application)
}
