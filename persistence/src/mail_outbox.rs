//! The mail outbox. A change that causes a mail (an activation link, an operator
//! invitation, an application decision) writes it here in its own transaction, so
//! a mail exists exactly when its change committed. The delivery worker claims due
//! mails by leasing them (moving `next_attempt_at` past the lease) in one short
//! transaction, sends them, and only then marks them sent; a crash between the two
//! means the lease runs out and the mail goes again: at least once, never lost.
//! On PostgreSQL claims skip rows another worker holds (`FOR UPDATE SKIP LOCKED`).
//!
//! A delivered mail that carried a single-use link keeps its subject but loses its
//! body, so the database never holds a usable token longer than needed.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::mail_outbox;
use crate::time::utc;

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    ActivationLink,
    OperatorInvitation,
    ApplicationApproved,
    ApplicationRejected,
    PasswordReset,
    CustomerUserInvitation,
}

impl MailKind {
    pub const ALL: [MailKind; 6] = [
        Self::ActivationLink,
        Self::OperatorInvitation,
        Self::ApplicationApproved,
        Self::ApplicationRejected,
        Self::PasswordReset,
        Self::CustomerUserInvitation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActivationLink => "activation_link",
            Self::OperatorInvitation => "operator_invitation",
            Self::ApplicationApproved => "application_approved",
            Self::ApplicationRejected => "application_rejected",
            Self::PasswordReset => "password_reset",
            Self::CustomerUserInvitation => "customer_user_invitation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Mails whose body holds a single-use token.
    pub fn carries_token(self) -> bool {
        matches!(
            self,
            Self::ActivationLink
                | Self::ApplicationApproved
                | Self::OperatorInvitation
                | Self::PasswordReset
                | Self::CustomerUserInvitation
        )
    }
}

/// The body a delivered token-carrying mail keeps.
pub const DELIVERED_BODY_REMOVED: &str = "[removed after delivery: this mail carried a single-use link]";

/// A mail to queue, composed by the caller.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub kind: MailKind,
}

/// A mail as queued.
#[derive(Debug, Clone)]
pub struct QueuedMail {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub kind: MailKind,
    pub created_at: DateTime<Utc>,
    /// Delivery attempts started (a claim counts as one).
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_outbox)]
struct Row {
    id: String,
    recipient: String,
    subject: String,
    body_text: String,
    kind: String,
    created_at: NaiveDateTime,
    attempts: i64,
    next_attempt_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
    last_error: Option<String>,
}

impl Row {
    fn into_model(self) -> Result<QueuedMail, StoreError> {
        Ok(QueuedMail {
            id: parse_uuid(&self.id)?,
            kind: MailKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("mail {}: bad kind", self.id)))?,
            recipient: self.recipient,
            subject: self.subject,
            body_text: self.body_text,
            created_at: utc(self.created_at),
            attempts: self.attempts,
            next_attempt_at: utc(self.next_attempt_at),
            sent_at: self.sent_at.map(utc),
            last_error: self.last_error,
        })
    }
}

/// Queues a mail inside the caller's transaction; due at once.
pub(crate) fn enqueue(conn: &mut DbConn, mail: &OutgoingMail, now: NaiveDateTime) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    diesel::insert_into(mail_outbox::table)
        .values(&Row {
            id: id.to_string(),
            recipient: mail.recipient.clone(),
            subject: mail.subject.clone(),
            body_text: mail.body_text.clone(),
            kind: mail.kind.as_str().to_string(),
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            sent_at: None,
            last_error: None,
        })
        .execute(conn)?;
    Ok(id)
}

/// Whether any unsent mail is due at `now`: a plain read, so an idle worker's
/// poll takes no lock (not even SQLite's write lock).
pub(crate) fn any_due(conn: &mut DbConn, now: NaiveDateTime) -> Result<bool, StoreError> {
    Ok(mail_outbox::table
        .select(mail_outbox::id)
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::next_attempt_at.le(now))
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// The number of unsent mails and when the oldest was queued.
pub(crate) fn backlog(conn: &mut DbConn) -> Result<(i64, Option<NaiveDateTime>), StoreError> {
    let unsent = || mail_outbox::table.filter(mail_outbox::sent_at.is_null());
    let depth = unsent().count().get_result::<i64>(conn)?;
    let oldest = unsent()
        .select(diesel::dsl::min(mail_outbox::created_at))
        .get_result::<Option<NaiveDateTime>>(conn)?;
    Ok((depth, oldest))
}

/// Up to `limit` unsent mails due at `now`, oldest due first, leased until `lease_until`.
pub(crate) fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<QueuedMail>, StoreError> {
    let due = mail_outbox::table
        .select(mail_outbox::id)
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::next_attempt_at.le(now))
        .order((mail_outbox::next_attempt_at.asc(), mail_outbox::id.asc()))
        .limit(limit);
    let ids: Vec<String> = match conn {
        DbConn::Pg(c) => due.for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => due.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
        .set((
            mail_outbox::next_attempt_at.eq(lease_until),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
        ))
        .execute(conn)?;
    mail_outbox::table
        .filter(mail_outbox::id.eq_any(&ids))
        .select(Row::as_select())
        .order((mail_outbox::created_at.asc(), mail_outbox::id.asc()))
        .load(conn)?
        .into_iter()
        .map(Row::into_model)
        .collect()
}

/// The server accepted the mail. Returns false if it was already marked sent.
pub(crate) fn mark_sent(conn: &mut DbConn, id: Uuid, now: NaiveDateTime) -> Result<bool, StoreError> {
    let Some(kind) = mail_outbox::table
        .find(id.to_string())
        .select(mail_outbox::kind)
        .first::<String>(conn)
        .optional()?
    else {
        return Err(StoreError::NotFound);
    };
    let scrub = MailKind::parse(&kind).is_some_and(MailKind::carries_token);
    let n = diesel::update(
        mail_outbox::table
            .find(id.to_string())
            .filter(mail_outbox::sent_at.is_null()),
    )
    .set((
        mail_outbox::sent_at.eq(now),
        mail_outbox::last_error.eq(None::<String>),
        scrub.then(|| mail_outbox::body_text.eq(DELIVERED_BODY_REMOVED)),
    ))
    .execute(conn)?;
    Ok(n > 0)
}

/// A failed attempt: why, and when to try again.
pub(crate) fn mark_failed(conn: &mut DbConn, id: Uuid, error: &str, retry_at: NaiveDateTime) -> Result<(), StoreError> {
    let error: String = error.chars().take(1000).collect();
    diesel::update(
        mail_outbox::table
            .find(id.to_string())
            .filter(mail_outbox::sent_at.is_null()),
    )
    .set((
        mail_outbox::last_error.eq(Some(error)),
        mail_outbox::next_attempt_at.eq(retry_at),
    ))
    .execute(conn)?;
    Ok(())
}

pub(crate) fn list(conn: &mut DbConn, recipient: Option<&str>) -> Result<Vec<QueuedMail>, StoreError> {
    let mut q = mail_outbox::table
        .select(Row::as_select())
        .order(mail_outbox::id.asc())
        .into_boxed();
    if let Some(r) = recipient {
        q = q.filter(mail_outbox::recipient.eq(r.trim().to_lowercase()));
    }
    q.load(conn)?.into_iter().map(Row::into_model).collect()
}
