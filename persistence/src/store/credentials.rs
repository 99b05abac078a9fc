//! Local sign-in: throttling, passwords, second factors and password links.

use chrono::{DateTime, Utc};
use domain::credentials::{Throttle, EMAIL_LIMIT};
use domain::{AuditAction, TreePath};
use serde_json::json;
use uuid::Uuid;

use super::Store;
use crate::audit::{self, Actor, AuditEntry, Event};
use crate::credentials::{
    self, NewPasswordLink, OperatorSecrets, PasswordLinkHolder, PasswordLinkPurpose, SignInCandidate,
};
use crate::customer_users::{self, CustomerUser};
use crate::error::StoreError;
use crate::mail_outbox::{self, OutgoingMail};
use crate::operators::{self, Operator};
use crate::time::naive;

/// What a sign-in reads before it looks at the password.
#[derive(Debug, Clone)]
pub struct SignInLookup {
    pub by_email: Throttle,
    pub by_address: Throttle,
    pub candidates: Vec<SignInCandidate>,
}

impl Store {
    /// The failures for `email` and from `address` since `since`, and the
    /// operators the e-mail names.
    pub fn sign_in_lookup(&self, email: &str, address: &str, since: DateTime<Utc>) -> Result<SignInLookup, StoreError> {
        self.read(|c| {
            let (by_email, by_address) = credentials::failures_since(c, email, address, since)?;
            Ok(SignInLookup {
                by_email,
                by_address,
                candidates: credentials::candidates(c, email)?,
            })
        })
    }

    /// Records a failed sign-in. The failure that throttles a known operator's
    /// e-mail (`failures_before` + 1 reaching the limit) is audited.
    pub fn sign_in_failed(
        &self,
        email: &str,
        address: &str,
        at: DateTime<Utc>,
        failures_before: i64,
        operator: Option<&Operator>,
    ) -> Result<(), StoreError> {
        self.change(|c| {
            credentials::record_failure(c, email, address, at)?;
            match operator {
                Some(op) if failures_before + 1 == EMAIL_LIMIT => audit::record(
                    c,
                    &AuditEntry::by(Actor::System),
                    Event {
                        organization_id: op.home_organization_id,
                        action: AuditAction::OperatorSignInThrottled,
                        target_type: "operator",
                        target_id: op.id,
                        details: json!({"failures": EMAIL_LIMIT, "client_address": address}),
                    },
                ),
                _ => Ok(()),
            }
        })
    }

    /// Records a successful sign-in with a token issued at `issued_at`, taking
    /// the TOTP code's step if one was used: `false` (nothing written) when that
    /// step was already used, i.e. a replayed code.
    pub fn signed_in(
        &self,
        op: &Operator,
        issued_at: DateTime<Utc>,
        totp_step: Option<i64>,
    ) -> Result<bool, StoreError> {
        self.change(|c| {
            if let Some(step) = totp_step {
                if !credentials::accept_totp_step(c, op.id, step)? {
                    return Ok(false);
                }
            }
            credentials::clear_failures(c, &op.email)?;
            operators::record_sign_in(c, op, issued_at)?;
            Ok(true)
        })
    }

    pub fn operator_secrets(&self, id: uuid::Uuid) -> Result<OperatorSecrets, StoreError> {
        self.read(|c| credentials::secrets(c, id))
    }

    /// Sets an operator's password and revokes its older tokens, with the audit event.
    pub fn change_operator_password(
        &self,
        op: &Operator,
        password_hash: &str,
        changed_at: DateTime<Utc>,
        who: &AuditEntry,
    ) -> Result<(), StoreError> {
        self.change(|c| {
            credentials::set_operator_password(
                c,
                op,
                password_hash,
                changed_at,
                AuditAction::OperatorPasswordChanged,
                who,
            )?;
            credentials::clear_failures(c, &op.email)
        })
    }

    /// Stores a new TOTP secret to be confirmed; `false` when one is confirmed already.
    pub fn start_totp(&self, op: uuid::Uuid, sealed_secret: &str) -> Result<bool, StoreError> {
        self.change(|c| credentials::start_totp(c, op, sealed_secret))
    }

    /// Confirms the TOTP enrolment with a code from `step`; `false` if it was replayed or is gone.
    pub fn confirm_totp(
        &self,
        op: &Operator,
        step: i64,
        at: DateTime<Utc>,
        who: &AuditEntry,
    ) -> Result<bool, StoreError> {
        self.change(|c| credentials::confirm_totp(c, op, step, at, who))
    }

    /// Removes a confirmed second factor, proven with a code from `step`.
    pub fn remove_totp(&self, op: &Operator, step: i64, who: &AuditEntry) -> Result<bool, StoreError> {
        self.change(|c| credentials::clear_totp(c, op, step, who))
    }

    /// Stores a reset link for `op` and queues its mail, with the audit event.
    pub fn request_password_reset(
        &self,
        op: &Operator,
        link: &NewPasswordLink,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.change(|c| {
            let link_id = credentials::insert_link(c, link, now)?;
            let mail_id = mail_outbox::enqueue(c, mail, naive(now))?;
            audit::record(
                c,
                &AuditEntry::by(Actor::System),
                Event {
                    organization_id: op.home_organization_id,
                    action: AuditAction::OperatorPasswordResetRequested,
                    target_type: "operator",
                    target_id: op.id,
                    details: json!({"link_id": link_id, "mail_id": mail_id, "expires_at": link.expires_at}),
                },
            )
        })
    }

    /// Uses a password link once and sets the password of its holder, revoking
    /// the holder's older tokens. `NotFound` for a token that is unknown, used
    /// or expired.
    pub fn use_password_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
        changed_at: DateTime<Utc>,
    ) -> Result<PasswordLinkHolder, StoreError> {
        self.change(|c| {
            let holder = credentials::consume_link(c, token_hash, now)?;
            match holder {
                PasswordLinkHolder::Operator(id) => {
                    let op = operators::find(c, id)?.ok_or(StoreError::NotFound)?;
                    credentials::set_operator_password(
                        c,
                        &op,
                        password_hash,
                        changed_at,
                        AuditAction::OperatorPasswordReset,
                        &AuditEntry::by(Actor::Operator(op.id)),
                    )?;
                    credentials::clear_failures(c, &op.email)?;
                }
                PasswordLinkHolder::CustomerUser(id) => {
                    crate::customer_users::set_password(c, id, password_hash, changed_at)?;
                }
            }
            Ok(holder)
        })
    }
}

/// What a customer-portal sign-in reads before it looks at the password.
#[derive(Debug, Clone)]
pub struct CustomerSignInLookup {
    pub by_email: Throttle,
    pub by_address: Throttle,
    /// The users the e-mail names, with their password hashes.
    pub candidates: Vec<(CustomerUser, Option<String>)>,
}

/// Customer-portal failures are counted under their own key, apart from operators'.
fn customer_key(email: &str) -> String {
    format!("customer-portal:{email}")
}

impl Store {
    pub fn customer_sign_in_lookup(
        &self,
        email: &str,
        address: &str,
        since: DateTime<Utc>,
    ) -> Result<CustomerSignInLookup, StoreError> {
        self.read(|c| {
            let (by_email, by_address) = credentials::failures_since(c, &customer_key(email), address, since)?;
            Ok(CustomerSignInLookup {
                by_email,
                by_address,
                candidates: customer_users::find_by_email_with_password(c, email)?,
            })
        })
    }

    pub fn customer_sign_in_failed(&self, email: &str, address: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.change(|c| credentials::record_failure(c, &customer_key(email), address, at))
    }

    pub fn customer_signed_in(&self, user: &CustomerUser, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.change(|c| {
            credentials::clear_failures(c, &customer_key(&user.email))?;
            customer_users::record_sign_in(c, user, at)
        })
    }

    /// Active customer users (of operating customers) with this e-mail.
    pub fn customer_users_by_email(&self, email: &str) -> Result<Vec<CustomerUser>, StoreError> {
        self.read(|c| {
            Ok(customer_users::find_by_email_with_password(c, email)?
                .into_iter()
                .map(|(user, _)| user)
                .collect())
        })
    }

    /// Stores a password link for a customer user in `scope` and queues its
    /// mail (an invitation, or a reset when `who` is the system), with the
    /// audit event.
    pub fn send_customer_user_link(
        &self,
        scope: &TreePath,
        user: Uuid,
        link: &NewPasswordLink,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
        who: &AuditEntry,
    ) -> Result<CustomerUser, StoreError> {
        self.change(|c| {
            let found = customer_users::find_visible(c, scope, user)?;
            credentials::insert_link(c, link, now)?;
            let mail_id = mail_outbox::enqueue(c, mail, naive(now))?;
            match link.purpose {
                PasswordLinkPurpose::Invitation => {
                    customer_users::record_invitation(c, &found, mail_id, link.expires_at, who)?
                }
                PasswordLinkPurpose::Reset => audit::record(
                    c,
                    who,
                    Event {
                        organization_id: found.customer_id,
                        action: AuditAction::CustomerUserPasswordResetRequested,
                        target_type: "customer_user",
                        target_id: found.id,
                        details: json!({"mail_id": mail_id, "expires_at": link.expires_at}),
                    },
                )?,
            }
            Ok(found)
        })
    }
}
