//! Single-use links that set a password: resets (any account) and invitations
//! (a new operator or customer user). Only the token's SHA-256 is stored; using
//! a link is one conditional `UPDATE … WHERE used_at IS NULL AND expires_at > now`,
//! so of any number of concurrent uses exactly one changes a row.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::password_links as l;
use crate::time::naive;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLinkPurpose {
    Reset,
    Invitation,
}

impl PasswordLinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::Invitation => "invitation",
        }
    }
}

/// Whose password a link sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLinkHolder {
    Operator(Uuid),
    CustomerUser(Uuid),
}

#[derive(Debug, Clone)]
pub struct NewPasswordLink {
    pub holder: PasswordLinkHolder,
    pub purpose: PasswordLinkPurpose,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
}

pub(crate) fn insert_link(conn: &mut DbConn, link: &NewPasswordLink, now: DateTime<Utc>) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let (operator, user) = match link.holder {
        PasswordLinkHolder::Operator(id) => (Some(id.to_string()), None),
        PasswordLinkHolder::CustomerUser(id) => (None, Some(id.to_string())),
    };
    diesel::insert_into(l::table)
        .values((
            l::id.eq(id.to_string()),
            l::token_hash.eq(&link.token_hash),
            l::purpose.eq(link.purpose.as_str()),
            l::operator_id.eq(operator),
            l::customer_user_id.eq(user),
            l::created_at.eq(naive(now)),
            l::expires_at.eq(naive(link.expires_at)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Uses the link once; whose password it sets, or `NotFound` for a token that
/// is unknown, used or expired.
pub(crate) fn consume_link(
    conn: &mut DbConn,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<PasswordLinkHolder, StoreError> {
    let at = naive(now);
    let used = diesel::update(
        l::table
            .filter(l::token_hash.eq(token_hash))
            .filter(l::used_at.is_null())
            .filter(l::expires_at.gt(at)),
    )
    .set(l::used_at.eq(at))
    .execute(conn)?;
    if used != 1 {
        return Err(StoreError::NotFound);
    }
    let (operator, user): (Option<String>, Option<String>) = l::table
        .filter(l::token_hash.eq(token_hash))
        .select((l::operator_id, l::customer_user_id))
        .first(conn)?;
    match (operator, user) {
        (Some(id), _) => Ok(PasswordLinkHolder::Operator(parse_uuid(&id)?)),
        (None, Some(id)) => Ok(PasswordLinkHolder::CustomerUser(parse_uuid(&id)?)),
        (None, None) => Err(StoreError::Corrupt("a password link names no account".into())),
    }
}
