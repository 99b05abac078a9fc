//! Failed sign-ins, one row each, counted per e-mail and per client address
//! over the throttle window.

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use domain::credentials::Throttle;
use uuid::Uuid;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::sign_in_failures as f;
use crate::time::{naive, utc};

/// The failures for `email` and from `address` since `since`.
pub(crate) fn failures_since(
    conn: &mut DbConn,
    email: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<(Throttle, Throttle), StoreError> {
    let since = naive(since);
    let (n, newest) = f::table
        .filter(f::email.eq(email))
        .filter(f::failed_at.gt(since))
        .select((count_star(), max(f::failed_at)))
        .first::<(i64, Option<chrono::NaiveDateTime>)>(conn)?;
    let by_email = Throttle {
        failures: n,
        newest: newest.map(utc),
    };
    let (n, newest) = f::table
        .filter(f::client_address.eq(address))
        .filter(f::failed_at.gt(since))
        .select((count_star(), max(f::failed_at)))
        .first::<(i64, Option<chrono::NaiveDateTime>)>(conn)?;
    Ok((
        by_email,
        Throttle {
            failures: n,
            newest: newest.map(utc),
        },
    ))
}

pub(crate) fn record_failure(
    conn: &mut DbConn,
    email: &str,
    address: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(f::table)
        .values((
            f::id.eq(Uuid::now_v7().to_string()),
            f::email.eq(email),
            f::client_address.eq(address),
            f::failed_at.eq(naive(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A successful sign-in or a new password forgets the e-mail's failures (the
/// client address keeps its own).
pub(crate) fn clear_failures(conn: &mut DbConn, email: &str) -> Result<(), StoreError> {
    diesel::delete(f::table.filter(f::email.eq(email))).execute(conn)?;
    Ok(())
}
