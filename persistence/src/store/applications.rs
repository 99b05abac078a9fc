//! Applications to partner programmes and their decisions.

use chrono::{DateTime, Utc};
use domain::onboarding::RejectionReason;
use domain::TreePath;
use uuid::Uuid;

use super::Store;
use crate::applications::{self, Application, ApplicationFilter, Approval, NewApplication};
use crate::audit::AuditEntry;
use crate::error::StoreError;
use crate::mail_outbox::OutgoingMail;

impl Store {
    /// Files an application to an open programme (public; audited as the system).
    pub fn submit_application(&self, new: &NewApplication, now: DateTime<Utc>) -> Result<Application, StoreError> {
        self.change(|c| applications::submit(c, new, now))
    }

    pub fn application(&self, id: Uuid) -> Result<Option<Application>, StoreError> {
        self.read(|c| applications::find(c, id))
    }

    /// The applications to one programme, oldest first (keyset on the id).
    pub fn list_applications(
        &self,
        programme: Uuid,
        filter: &ApplicationFilter,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Application>, StoreError> {
        self.read(|c| applications::list(c, programme, filter, after, limit))
    }

    /// Approves a pending application in `scope`: a `pending` partner named after
    /// the company under the programme's organisation, its activation link to the
    /// applicant (token hash given, mail composed by the caller), one transaction.
    #[allow(clippy::too_many_arguments)]
    pub fn approve_application(
        &self,
        scope: &TreePath,
        id: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
        who: &AuditEntry,
    ) -> Result<Approval, StoreError> {
        self.change(|c| applications::approve(c, scope, id, token_hash, expires_at, mail, now, who))
    }

    /// Rejects a pending application in `scope` and queues the mail telling the applicant.
    pub fn reject_application(
        &self,
        scope: &TreePath,
        id: Uuid,
        reason: &RejectionReason,
        mail: &OutgoingMail,
        now: DateTime<Utc>,
        who: &AuditEntry,
    ) -> Result<Application, StoreError> {
        self.change(|c| applications::reject(c, scope, id, reason, mail, now, who))
    }
}
