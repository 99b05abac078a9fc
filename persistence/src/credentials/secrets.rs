//! The password hash and TOTP state of an operator.

use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;
use domain::{AuditAction, TreePath};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, AuditEntry, Event};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::operators::{self, Operator};
use crate::schema::{operators as ops, organizations as orgs};
use crate::time::naive;

/// What proves an operator's identity. `Debug` shows only which parts are set.
#[derive(Clone, Default)]
pub struct OperatorSecrets {
    /// Argon2id PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    /// The sealed TOTP secret, enrolled or being enrolled.
    pub totp_secret: Option<String>,
    pub totp_confirmed: bool,
    /// The last accepted RFC 6238 time step.
    pub totp_last_step: Option<i64>,
}

impl std::fmt::Debug for OperatorSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorSecrets")
            .field("password", &self.password_hash.is_some())
            .field("totp", &self.totp_secret.is_some())
            .field("totp_confirmed", &self.totp_confirmed)
            .finish()
    }
}

/// An operator an e-mail names, with what its sign-in needs.
#[derive(Debug, Clone)]
pub struct SignInCandidate {
    pub operator: Operator,
    pub secrets: OperatorSecrets,
    /// An organisation on its home's path requires a second factor.
    pub totp_required: bool,
}

type SecretsRow = (Option<String>, Option<String>, Option<NaiveDateTime>, Option<i64>);

pub(crate) fn secrets(conn: &mut DbConn, id: Uuid) -> Result<OperatorSecrets, StoreError> {
    let (password_hash, totp_secret, confirmed, totp_last_step): SecretsRow = ops::table
        .find(id.to_string())
        .select((
            ops::password_hash,
            ops::totp_secret,
            ops::totp_confirmed_at,
            ops::totp_last_step,
        ))
        .first(conn)?;
    Ok(OperatorSecrets {
        password_hash,
        totp_secret,
        totp_confirmed: confirmed.is_some(),
        totp_last_step,
    })
}

/// Whether any organisation from the root down to `home` requires a second factor.
fn totp_required(conn: &mut DbConn, home: &TreePath) -> Result<bool, StoreError> {
    let ids: Vec<String> = home.ids().iter().map(Uuid::to_string).collect();
    let n: i64 = orgs::table
        .filter(orgs::id.eq_any(ids))
        .filter(orgs::require_totp.eq(true))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Every operator with this e-mail (one per organisation at most), with its secrets.
pub(crate) fn candidates(conn: &mut DbConn, email: &str) -> Result<Vec<SignInCandidate>, StoreError> {
    operators::find_by_email(conn, email)?
        .into_iter()
        .map(|operator| {
            Ok(SignInCandidate {
                secrets: secrets(conn, operator.id)?,
                totp_required: totp_required(conn, &operator.home_path)?,
                operator,
            })
        })
        .collect()
}

fn event(op: &Operator, action: AuditAction) -> Event<'static> {
    Event {
        organization_id: op.home_organization_id,
        action,
        target_type: "operator",
        target_id: op.id,
        details: json!({}),
    }
}

/// Sets the password and revokes every token issued up to `changed_at`.
pub(crate) fn set_operator_password(
    conn: &mut DbConn,
    op: &Operator,
    password_hash: &str,
    changed_at: DateTime<chrono::Utc>,
    action: AuditAction,
    who: &AuditEntry,
) -> Result<(), StoreError> {
    let changed_at = domain::credentials::next_credentials_change(changed_at, op.credentials_changed_at);
    diesel::update(ops::table.find(op.id.to_string()))
        .set((
            ops::password_hash.eq(password_hash),
            ops::credentials_changed_at.eq(naive(changed_at)),
        ))
        .execute(conn)?;
    audit::record(conn, who, event(op, action))
}

/// Stores a new, unconfirmed TOTP secret (replacing an unconfirmed one); `false`
/// when a confirmed one is in place.
pub(crate) fn start_totp(conn: &mut DbConn, op: Uuid, sealed: &str) -> Result<bool, StoreError> {
    let n = diesel::update(ops::table.find(op.to_string()))
        .filter(ops::totp_confirmed_at.is_null())
        .set((ops::totp_secret.eq(sealed), ops::totp_last_step.eq(None::<i64>)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Accepts a code's time step once: `false` when that step or a later one was
/// already accepted (a replay, or a concurrent use of the same code).
pub(crate) fn accept_totp_step(conn: &mut DbConn, op: Uuid, step: i64) -> Result<bool, StoreError> {
    let n = diesel::update(ops::table.find(op.to_string()))
        .filter(ops::totp_last_step.is_null().or(ops::totp_last_step.lt(step)))
        .set(ops::totp_last_step.eq(step))
        .execute(conn)?;
    Ok(n == 1)
}

/// Confirms the enrolment whose code (at `step`) was checked; `false` if the
/// step was used or the enrolment is gone or already confirmed.
pub(crate) fn confirm_totp(
    conn: &mut DbConn,
    op: &Operator,
    step: i64,
    at: DateTime<chrono::Utc>,
    who: &AuditEntry,
) -> Result<bool, StoreError> {
    let n = diesel::update(ops::table.find(op.id.to_string()))
        .filter(ops::totp_secret.is_not_null())
        .filter(ops::totp_confirmed_at.is_null())
        .filter(ops::totp_last_step.is_null().or(ops::totp_last_step.lt(step)))
        .set((ops::totp_confirmed_at.eq(naive(at)), ops::totp_last_step.eq(step)))
        .execute(conn)?;
    if n == 1 {
        audit::record(conn, who, event(op, AuditAction::OperatorTotpEnrolled))?;
    }
    Ok(n == 1)
}

/// Removes the second factor (its removal was proven with a code at `step`).
pub(crate) fn clear_totp(conn: &mut DbConn, op: &Operator, step: i64, who: &AuditEntry) -> Result<bool, StoreError> {
    let n = diesel::update(ops::table.find(op.id.to_string()))
        .filter(ops::totp_confirmed_at.is_not_null())
        .filter(ops::totp_last_step.is_null().or(ops::totp_last_step.lt(step)))
        .set((
            ops::totp_secret.eq(None::<String>),
            ops::totp_confirmed_at.eq(None::<NaiveDateTime>),
            ops::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)?;
    if n == 1 {
        audit::record(conn, who, event(op, AuditAction::OperatorTotpRemoved))?;
    }
    Ok(n == 1)
}

/// The first password of an account created just now (an accepted activation
/// link): nothing to revoke, so no credential change is recorded.
pub(crate) fn set_initial_password(
    conn: &mut DbConn,
    holder: crate::credentials::PasswordLinkHolder,
    password_hash: &str,
) -> Result<(), StoreError> {
    use crate::credentials::PasswordLinkHolder;
    use crate::schema::customer_users as cu;
    match holder {
        PasswordLinkHolder::Operator(id) => diesel::update(ops::table.find(id.to_string()))
            .set(ops::password_hash.eq(password_hash))
            .execute(conn)?,
        PasswordLinkHolder::CustomerUser(id) => diesel::update(cu::table.find(id.to_string()))
            .set(cu::password_hash.eq(password_hash))
            .execute(conn)?,
    };
    Ok(())
}
