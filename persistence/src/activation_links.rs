//! Activation links: single-use, expiring tokens that onboard a pending partner,
//! distributor or customer. Only the token's SHA-256 is stored (the api hashes
//! it); the token itself is only in the body of the mail queued with the link.
//!
//! Sending locks the organisation's row, revokes any live link and queues the mail,
//! all in one transaction with its audit event. Accepting consumes the link with
//! one conditional `UPDATE … WHERE used_at IS NULL AND revoked_at IS NULL AND
//! expires_at > now`, so of two concurrent accepts exactly one changes a row; the
//! same transaction activates the organisation and creates its first admin.
//!
//! Errors: `NotFound` for an organisation out of scope, and for any token that is
//! unknown, used, revoked, expired or whose organisation is no longer pending (one
//! answer for all); `Rule` (409) for an organisation that cannot get a link;
//! `Duplicate { field: "email" }` when the first admin's e-mail is taken.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::onboarding::check_activation_target;
use domain::{
    AdminFlags, AuditAction, DisplayName, EmailAddress, FirstAdmin, LinkState, OperatorStatus, OrgKind, Role, RoleSet,
    StatusChange, TreePath, WorkEmail,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditEntry, Event};
use crate::connection::DbConn;
use crate::credentials::PasswordLinkHolder;
use crate::customer_users::{self, CustomerUser, NewCustomerUser};
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::mail_outbox::{self, OutgoingMail};
use crate::operators::{self, NewOperator, Operator};
use crate::organizations::{self, lock_in_scope, Organization, RowLock};
use crate::schema::{activation_links, organizations as orgs};
use crate::time::{naive, utc};

/// A link to create: the token's hash, whom it goes to, when it expires.
#[derive(Debug, Clone)]
pub struct NewActivationLink {
    pub email: WorkEmail,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
}

/// A link as stored (never with its token).
#[derive(Debug, Clone)]
pub struct ActivationLink {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    /// The actor that sent it (`operator` or `api_client` id, or `system`).
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ActivationLink {
    pub fn state(&self, now: DateTime<Utc>) -> LinkState {
        LinkState::at(now, self.expires_at, self.used_at, self.revoked_at)
    }
}

/// What a live link is for: all the public may learn from it.
#[derive(Debug, Clone)]
pub struct ActivationTarget {
    pub organization_name: String,
    pub kind: OrgKind,
    pub expires_at: DateTime<Utc>,
}

/// The person accepting a link, who becomes the organisation's first admin.
#[derive(Debug, Clone)]
pub struct FirstAdminDetails {
    pub name: DisplayName,
    pub email: WorkEmail,
    /// Argon2id hash of the password they chose, so they can sign in at once.
    pub password_hash: Option<String>,
}

/// The first admin an accepted link created.
#[derive(Debug, Clone)]
pub enum CreatedAdmin {
    Operator(Operator),
    CustomerUser(CustomerUser),
}

/// An accepted link: the organisation, now active, and its first admin.
#[derive(Debug, Clone)]
pub struct Activation {
    pub organization: Organization,
    pub admin: CreatedAdmin,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = activation_links)]
struct Row {
    id: String,
    organization_id: String,
    email: String,
    token_hash: String,
    created_by: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

impl Row {
    fn into_model(self) -> Result<ActivationLink, StoreError> {
        Ok(ActivationLink {
            id: parse_uuid(&self.id)?,
            organization_id: parse_uuid(&self.organization_id)?,
            email: self.email,
            created_by: self.created_by,
            created_at: utc(self.created_at),
            expires_at: utc(self.expires_at),
            used_at: self.used_at.map(utc),
            revoked_at: self.revoked_at.map(utc),
        })
    }
}

/// The audit log's name for an actor, as kept in `created_by` / `decided_by`.
pub(crate) fn actor_id(who: &AuditEntry) -> String {
    match who.actor {
        Actor::Operator(id) | Actor::ApiClient(id) => id.to_string(),
        Actor::System => "system".to_string(),
    }
}

fn event(org: Uuid, link: Uuid, action: AuditAction, details: serde_json::Value) -> Event<'static> {
    Event {
        organization_id: org,
        action,
        target_type: "activation_link",
        target_id: link,
        details,
    }
}

/// Revokes the organisation's live link, if any; returns the ids revoked.
fn revoke_live(conn: &mut DbConn, org: Uuid, now: NaiveDateTime) -> Result<Vec<String>, StoreError> {
    let live: Vec<String> = activation_links::table
        .select(activation_links::id)
        .filter(activation_links::organization_id.eq(org.to_string()))
        .filter(activation_links::used_at.is_null())
        .filter(activation_links::revoked_at.is_null())
        .load(conn)?;
    if !live.is_empty() {
        diesel::update(activation_links::table.filter(activation_links::id.eq_any(&live)))
            .set(activation_links::revoked_at.eq(now))
            .execute(conn)?;
    }
    Ok(live)
}

/// Replaces the organisation's live link with a new one and queues its mail,
/// inside the caller's transaction (which holds the organisation's row).
pub(crate) fn issue(
    conn: &mut DbConn,
    org: &Organization,
    link: &NewActivationLink,
    mail: &OutgoingMail,
    now: DateTime<Utc>,
    who: &AuditEntry,
) -> Result<ActivationLink, StoreError> {
    let now = naive(now);
    let replaced = revoke_live(conn, org.id, now)?;
    let row = Row {
        id: Uuid::now_v7().to_string(),
        organization_id: org.id.to_string(),
        email: link.email.as_str().to_string(),
        token_hash: link.token_hash.clone(),
        created_by: actor_id(who),
        created_at: now,
        expires_at: naive(link.expires_at),
        used_at: None,
        revoked_at: None,
    };
    diesel::insert_into(activation_links::table)
        .values(&row)
        .execute(conn)?;
    let mail_id = mail_outbox::enqueue(conn, mail, now)?;
    let created = row.into_model()?;
    audit::record(
        conn,
        who,
        event(
            org.id,
            created.id,
            AuditAction::ActivationLinkSent,
            json!({
                "email": created.email,
                "expires_at": created.expires_at,
                "mail_id": mail_id,
                "replaced": replaced,
            }),
        ),
    )?;
    Ok(created)
}

pub(crate) fn send(
    conn: &mut DbConn,
    scope: &TreePath,
    org_id: Uuid,
    link: &NewActivationLink,
    mail: &OutgoingMail,
    now: DateTime<Utc>,
    who: &AuditEntry,
) -> Result<ActivationLink, StoreError> {
    let org = lock_in_scope(conn, scope, org_id, RowLock::Update)?;
    check_activation_target(org.kind, org.status)?;
    issue(conn, &org, link, mail, now, who)
}

pub(crate) fn revoke(
    conn: &mut DbConn,
    scope: &TreePath,
    org_id: Uuid,
    now: DateTime<Utc>,
    who: &AuditEntry,
) -> Result<usize, StoreError> {
    let org = lock_in_scope(conn, scope, org_id, RowLock::Update)?;
    let revoked = revoke_live(conn, org.id, naive(now))?;
    for id in &revoked {
        audit::record(
            conn,
            who,
            event(org.id, parse_uuid(id)?, AuditAction::ActivationLinkRevoked, json!({})),
        )?;
    }
    Ok(revoked.len())
}

/// An organisation's name, kind and status, as stored.
type OrgSummary = (String, String, String);

/// The link with this token hash and its organisation's name, kind and status.
fn find_with_org(conn: &mut DbConn, token_hash: &str) -> Result<Option<(ActivationLink, OrgSummary)>, StoreError> {
    activation_links::table
        .inner_join(orgs::table)
        .filter(activation_links::token_hash.eq(token_hash))
        .select((Row::as_select(), (orgs::name, orgs::kind, orgs::status)))
        .first::<(Row, OrgSummary)>(conn)
        .optional()?
        .map(|(row, org)| Ok((row.into_model()?, org)))
        .transpose()
}

pub(crate) fn target(
    conn: &mut DbConn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<ActivationTarget>, StoreError> {
    let Some((link, (name, kind, status))) = find_with_org(conn, token_hash)? else {
        return Ok(None);
    };
    let corrupt = |what: &str| StoreError::Corrupt(format!("organisation of link {}: bad {what}", link.id));
    let kind = OrgKind::parse(&kind).ok_or_else(|| corrupt("kind"))?;
    let status = domain::OrgStatus::parse(&status).ok_or_else(|| corrupt("status"))?;
    let usable = link.state(now) == LinkState::Live && check_activation_target(kind, status).is_ok();
    Ok(usable.then_some(ActivationTarget {
        organization_name: name,
        kind,
        expires_at: link.expires_at,
    }))
}

pub(crate) fn accept(
    conn: &mut DbConn,
    token_hash: &str,
    admin: &FirstAdminDetails,
    now: DateTime<Utc>,
) -> Result<Activation, StoreError> {
    let at = naive(now);
    let (link, _) = find_with_org(conn, token_hash)?.ok_or(StoreError::NotFound)?;
    // The organisation's row first, as sending and revoking lock it: one lock order.
    let found = organizations::find(conn, link.organization_id)?.ok_or(StoreError::NotFound)?;
    let org = lock_in_scope(conn, &found.path, found.id, RowLock::Update)?;
    // The one statement that decides who wins: it changes a row only while the
    // link is unused, unrevoked and unexpired.
    let consumed = diesel::update(
        activation_links::table
            .filter(activation_links::token_hash.eq(token_hash))
            .filter(activation_links::used_at.is_null())
            .filter(activation_links::revoked_at.is_null())
            .filter(activation_links::expires_at.gt(at)),
    )
    .set(activation_links::used_at.eq(at))
    .execute(conn)?;
    if consumed != 1 {
        return Err(StoreError::NotFound);
    }
    // An organisation activated, suspended or archived meanwhile: the link is dead.
    let first = check_activation_target(org.kind, org.status).map_err(|_| StoreError::NotFound)?;
    let who = AuditEntry::by(Actor::System);
    let activated = organizations::set_status(conn, &org.path, org.id, StatusChange::Activate, &who)?;
    let created = match first {
        FirstAdmin::Operator => {
            let id = operators::insert(
                conn,
                &NewOperator {
                    home_organization_id: org.id,
                    email: admin.email.clone(),
                    name: admin.name.clone(),
                    roles: RoleSet::new([Role::Admin]),
                    status: OperatorStatus::Active,
                },
                &who,
            )?;
            if let Some(hash) = &admin.password_hash {
                crate::credentials::set_initial_password(conn, PasswordLinkHolder::Operator(id), hash)?;
            }
            CreatedAdmin::Operator(operators::find(conn, id)?.ok_or(StoreError::NotFound)?)
        }
        FirstAdmin::CustomerUser => {
            let email = EmailAddress::parse(admin.email.as_str(), "email").map_err(domain::DomainError::from)?;
            let user = customer_users::insert(
                conn,
                &org.path,
                &NewCustomerUser {
                    customer_id: org.id,
                    email,
                    name: admin.name.clone(),
                    mobile: None,
                    flags: AdminFlags {
                        admin: true,
                        master_admin: true,
                    },
                },
                &who,
            )?;
            if let Some(hash) = &admin.password_hash {
                crate::credentials::set_initial_password(conn, PasswordLinkHolder::CustomerUser(user.id), hash)?;
            }
            CreatedAdmin::CustomerUser(user)
        }
    };
    let (admin_type, admin_id) = match &created {
        CreatedAdmin::Operator(o) => ("operator", o.id),
        CreatedAdmin::CustomerUser(u) => ("customer_user", u.id),
    };
    audit::record(
        conn,
        &who,
        event(
            org.id,
            link.id,
            AuditAction::ActivationLinkAccepted,
            json!({"admin_type": admin_type, "admin_id": admin_id, "email": admin.email.as_str()}),
        ),
    )?;
    Ok(Activation {
        organization: activated,
        admin: created,
    })
}

pub(crate) fn latest(conn: &mut DbConn, org: Uuid) -> Result<Vec<ActivationLink>, StoreError> {
    activation_links::table
        .filter(activation_links::organization_id.eq(org.to_string()))
        .select(Row::as_select())
        .order(activation_links::id.asc())
        .load(conn)?
        .into_iter()
        .map(Row::into_model)
        .collect()
}
