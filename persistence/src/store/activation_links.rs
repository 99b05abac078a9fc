//! Activation links: sending, revoking and accepting them.

use chrono::{DateTime, Utc};
use domain::TreePath;
use uuid::Uuid;

use super::Store;
use crate::activation_links::{
    self, Activation, ActivationLink, ActivationTarget, FirstAdminDetails, NewActivationLink,
};
use crate::audit::AuditEntry;
use crate::error::StoreError;
use crate::mail_outbox::OutgoingMail;

impl Store {
    /// Sends (or re-sends) an activation link for a pending partner, distributor or
    /// customer in `scope`: revokes the live one, stores the new one and queues its
    /// mail, in one transaction with the audit event.
    pub fn send_activation_link(
        &self,
        scope: &TreePath,
        org: Uuid,
        link: &NewActivationLink,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
        who: &AuditEntry,
    ) -> Result<ActivationLink, StoreError> {
        self.change(|c| activation_links::send(c, scope, org, link, mail, now, who))
    }

    /// Revokes the organisation's live link; returns how many were revoked (0 or 1).
    pub fn revoke_activation_link(
        &self,
        scope: &TreePath,
        org: Uuid,
        now: DateTime<Utc>,
        who: &AuditEntry,
    ) -> Result<usize, StoreError> {
        self.change(|c| activation_links::revoke(c, scope, org, now, who))
    }

    /// What a usable link is for; `None` for any token that cannot be accepted now.
    pub fn activation_target(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ActivationTarget>, StoreError> {
        self.read(|c| activation_links::target(c, token_hash, now))
    }

    /// Consumes the link, activates its organisation and creates the first admin,
    /// in one transaction. `NotFound` for every token that cannot be accepted now.
    pub fn accept_activation(
        &self,
        token_hash: &str,
        admin: &FirstAdminDetails,
        now: DateTime<Utc>,
    ) -> Result<Activation, StoreError> {
        self.change(|c| activation_links::accept(c, token_hash, admin, now))
    }

    /// Every link an organisation was sent, oldest first (tests and support).
    pub fn activation_links(&self, org: Uuid) -> Result<Vec<ActivationLink>, StoreError> {
        self.read(|c| activation_links::latest(c, org))
    }
}
