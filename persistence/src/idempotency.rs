//! Idempotency-Key records. A request with a key first claims it (a row in
//! flight, under a lease named by a random token); its own write transaction
//! marks the row committed ([`mark_committed`], from `Store::change`), so a
//! write happens at most once per key even when a lease runs out or a server
//! dies between the commit and storing the answer; then the answer is stored
//! for replays.

use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, RunQueryDsl};
use uuid::Uuid;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::idempotency_requests as k;
use crate::time::{naive, now};

/// A request's hold on its key: whose key it is, the key, and the lease token
/// that only this request knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyClaim {
    /// The verified caller the key belongs to.
    pub scope: String,
    pub key: String,
    pub token: Uuid,
}

/// An answer kept for replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub request_hash: String,
    pub status: u16,
    /// JSON array of `[name, value]` pairs.
    pub headers: String,
    pub body: Vec<u8>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// The key is this request's: run it.
    Fresh(KeyClaim),
    /// An earlier request with the key finished: replay its answer (when the request matches).
    Answered(StoredAnswer),
    /// Another request holds the key and its lease has not run out.
    InFlight,
    /// An earlier request with the key changed data, but its answer was not kept.
    CommittedWithoutAnswer,
}

type Row = (
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<Vec<u8>>,
    chrono::NaiveDateTime,
);

/// Inserts a fresh claim; a twin fails on the primary key (`IdempotencyRace`).
pub(crate) fn insert(
    conn: &mut DbConn,
    claim: &KeyClaim,
    at: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(k::table)
        .values((
            k::scope.eq(&claim.scope),
            k::key.eq(&claim.key),
            k::lease_token.eq(claim.token.to_string()),
            k::locked_until.eq(naive(locked_until)),
            k::created_at.eq(naive(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Decides on a key that is already there: replay, refuse, or take it over
/// (an expired record, or a lease that ran out before anything committed).
pub(crate) fn take_over(
    conn: &mut DbConn,
    claim: &KeyClaim,
    at: DateTime<Utc>,
    locked_until: DateTime<Utc>,
    expired_before: DateTime<Utc>,
) -> Result<Claimed, StoreError> {
    let found = k::table
        .filter(k::scope.eq(&claim.scope))
        .filter(k::key.eq(&claim.key))
        .select((
            k::lease_token,
            k::locked_until,
            k::committed_at,
            k::request_hash,
            k::response_status,
            k::response_headers,
            k::response_body,
            k::created_at,
        ))
        .first::<Row>(conn)
        .optional()?;
    let Some((token, until, committed, hash, status, headers, body, created)) = found else {
        insert(conn, claim, at, locked_until)?;
        return Ok(Claimed::Fresh(claim.clone()));
    };
    if created < naive(expired_before) {
        diesel::delete(k::table.filter(k::scope.eq(&claim.scope)).filter(k::key.eq(&claim.key))).execute(conn)?;
        insert(conn, claim, at, locked_until)?;
        return Ok(Claimed::Fresh(claim.clone()));
    }
    if let (Some(request_hash), Some(status)) = (hash, status) {
        return Ok(Claimed::Answered(StoredAnswer {
            request_hash,
            status: u16::try_from(status)
                .map_err(|_| StoreError::Corrupt("an idempotency record's status is out of range".into()))?,
            headers: headers.unwrap_or_else(|| "[]".into()),
            body: body.unwrap_or_default(),
        }));
    }
    if until > naive(at) {
        return Ok(Claimed::InFlight);
    }
    if committed.is_some() {
        return Ok(Claimed::CommittedWithoutAnswer);
    }
    // The lease ran out and nothing committed: the key is this request's now,
    // unless a twin took it first (then the token no longer matches).
    let taken = diesel::update(
        k::table
            .filter(k::scope.eq(&claim.scope))
            .filter(k::key.eq(&claim.key))
            .filter(k::lease_token.eq(token))
            .filter(k::committed_at.is_null()),
    )
    .set((
        k::lease_token.eq(claim.token.to_string()),
        k::locked_until.eq(naive(locked_until)),
    ))
    .execute(conn)?;
    Ok(if taken == 1 {
        Claimed::Fresh(claim.clone())
    } else {
        Claimed::InFlight
    })
}

/// In the request's write transaction: the key's write happened. When the
/// claim is no longer this request's (its lease was taken over), the whole
/// transaction fails, so the write never happens twice.
pub(crate) fn mark_committed(conn: &mut DbConn, claim: &KeyClaim) -> Result<(), StoreError> {
    let marked = diesel::update(
        k::table
            .filter(k::scope.eq(&claim.scope))
            .filter(k::key.eq(&claim.key))
            .filter(k::lease_token.eq(claim.token.to_string())),
    )
    .set(k::committed_at.eq(now()))
    .execute(conn)?;
    if marked == 1 {
        Ok(())
    } else {
        Err(StoreError::IdempotencyRace)
    }
}

/// Keeps the answer of the request holding `claim`.
pub(crate) fn store_answer(conn: &mut DbConn, claim: &KeyClaim, answer: &StoredAnswer) -> Result<(), StoreError> {
    diesel::update(
        k::table
            .filter(k::scope.eq(&claim.scope))
            .filter(k::key.eq(&claim.key))
            .filter(k::lease_token.eq(claim.token.to_string())),
    )
    .set((
        k::request_hash.eq(&answer.request_hash),
        k::response_status.eq(i32::from(answer.status)),
        k::response_headers.eq(&answer.headers),
        k::response_body.eq(answer.body.as_slice()),
    ))
    .execute(conn)?;
    Ok(())
}

/// Gives the key back (no answer to keep), unless the request committed a write.
pub(crate) fn release(conn: &mut DbConn, claim: &KeyClaim) -> Result<(), StoreError> {
    diesel::delete(
        k::table
            .filter(k::scope.eq(&claim.scope))
            .filter(k::key.eq(&claim.key))
            .filter(k::lease_token.eq(claim.token.to_string()))
            .filter(k::committed_at.is_null()),
    )
    .execute(conn)?;
    Ok(())
}

/// Deletes the records made before `before`; returns how many.
pub(crate) fn sweep(conn: &mut DbConn, before: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(diesel::delete(k::table.filter(k::created_at.lt(naive(before)))).execute(conn)?)
}
