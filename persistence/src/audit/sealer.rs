//! Sealing on PostgreSQL: chaining committed events after the fact.
//!
//! An unsealed event is sealable once its transaction is older than every
//! transaction still running in this database ([`sealable_below`]: the xmin of
//! the current snapshot, restricted to this database so other databases on the
//! cluster cannot hold sealing up): every transaction with a smaller id has
//! ended, so no event can still appear before it in `(xact_id, id)` order, and
//! the chain only ever grows at its end. One sealer at a time holds [`SEAL_LOCK_KEY`] (a
//! transaction-level try-lock, so a sealer that dies releases it with its
//! connection); the others skip the round. The lock is only tried when something
//! is sealable, so an idle database sees no lock traffic.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Text};
use diesel::PgConnection;

use super::AuditRow;
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::audit_events;

/// An arbitrary constant naming the sealer's advisory lock.
const SEAL_LOCK_KEY: i64 = 0x6175_6469_7421;

/// The running transaction ids of this database's backends, as 32-bit xids.
const RUNNING_HERE: &str = "(SELECT array_agg(backend_xid::text::bigint) FROM pg_stat_activity \
     WHERE datname = current_database() AND backend_xid IS NOT NULL)";

/// What one sealing round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealRound {
    /// Sealed this many events (0: nothing was sealable).
    Sealed(usize),
    /// Another sealer holds the lock.
    Busy,
}

/// Seals up to `batch` sealable events, oldest transaction first. SQLite seals
/// at append time, so there it has nothing to do.
pub(crate) fn seal_round(conn: &mut DbConn, batch: i64) -> Result<SealRound, StoreError> {
    match conn {
        DbConn::Pg(c) => c.transaction(|c| seal_pg(c, batch)),
        DbConn::Sqlite(_) => Ok(SealRound::Sealed(0)),
    }
}

/// The transaction id below which every transaction of this database has ended:
/// the snapshot's xmax (every id below it has completed or is still running), or
/// the oldest id still running here if lower. Read in two statements, in this
/// order: a transaction below the xmax that is still running when the second
/// statement reads the backend list is in it.
fn sealable_below(c: &mut PgConnection) -> Result<i64, StoreError> {
    let xmax: i64 =
        diesel::select(sql::<BigInt>("pg_snapshot_xmax(pg_current_snapshot())::text::bigint")).get_result(c)?;
    let running: Option<Vec<i64>> = diesel::select(sql::<Nullable<Array<BigInt>>>(RUNNING_HERE)).get_result(c)?;
    Ok(running
        .unwrap_or_default()
        .into_iter()
        .map(|xid| widen(xmax, xid))
        .fold(xmax, i64::min))
}

/// The 64-bit id of a running transaction known by its 32-bit xid: the one with
/// those low bits nearest to `near` (running ids lie within 2^31 of any other).
fn widen(near: i64, xid: i64) -> i64 {
    let ahead = (xid - (near & 0xFFFF_FFFF)).rem_euclid(1 << 32);
    near + if ahead >= 1 << 31 { ahead - (1 << 32) } else { ahead }
}

fn sealable(below: i64) -> audit_events::BoxedQuery<'static, diesel::pg::Pg> {
    audit_events::table
        .filter(audit_events::seq.is_null())
        .filter(audit_events::xact_id.lt(below))
        .into_boxed()
}

fn seal_pg(c: &mut PgConnection, batch: i64) -> Result<SealRound, StoreError> {
    let below = sealable_below(c)?;
    let any: Option<String> = sealable(below).select(audit_events::id).first(c).optional()?;
    if any.is_none() {
        return Ok(SealRound::Sealed(0));
    }
    let leader: bool = diesel::select(
        sql::<diesel::sql_types::Bool>("pg_try_advisory_xact_lock(")
            .bind::<BigInt, _>(SEAL_LOCK_KEY)
            .sql(")"),
    )
    .get_result(c)?;
    if !leader {
        return Ok(SealRound::Busy);
    }
    // Read after taking the lock: no other sealer can move the tail now.
    let mut rows: Vec<AuditRow> = sealable(below)
        .order((audit_events::xact_id.asc(), audit_events::id.asc()))
        .select(AuditRow::as_select())
        .limit(batch.max(1))
        .load(c)?;
    super::chain_after_tail(c, &mut rows)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq.unwrap_or_default()).collect();
    let hashes: Vec<&str> = rows.iter().map(|r| r.hash.as_deref().unwrap_or_default()).collect();
    let prevs: Vec<&str> = rows
        .iter()
        .map(|r| r.prev_hash.as_deref().unwrap_or_default())
        .collect();
    diesel::sql_query(
        "UPDATE audit_events a SET seq = v.seq, hash = v.hash, prev_hash = v.prev \
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, hash, prev) \
         WHERE a.id = v.id AND a.seq IS NULL",
    )
    .bind::<Array<Text>, _>(ids)
    .bind::<Array<BigInt>, _>(seqs)
    .bind::<Array<Text>, _>(hashes)
    .bind::<Array<Text>, _>(prevs)
    .execute(c)?;
    Ok(SealRound::Sealed(rows.len()))
}

/// Whether events committed by transactions below `before` are still unsealed
/// (what a reader that started at `before` waits for).
pub(crate) fn unsealed_before(conn: &mut DbConn, before: i64) -> Result<bool, StoreError> {
    match conn {
        DbConn::Pg(c) => Ok(audit_events::table
            .filter(audit_events::seq.is_null())
            .filter(audit_events::xact_id.lt(before))
            .select(audit_events::id)
            .first::<String>(c)
            .optional()?
            .is_some()),
        DbConn::Sqlite(_) => Ok(false),
    }
}

/// The snapshot's xmax: every transaction committed so far has a smaller id.
pub(crate) fn next_xact_id(conn: &mut DbConn) -> Result<i64, StoreError> {
    match conn {
        DbConn::Pg(c) => {
            Ok(diesel::select(sql::<BigInt>("pg_snapshot_xmax(pg_current_snapshot())::text::bigint")).get_result(c)?)
        }
        DbConn::Sqlite(_) => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::widen;

    #[test]
    fn a_32_bit_xid_widens_to_the_nearest_64_bit_id() {
        assert_eq!(widen(1_000, 990), 990);
        assert_eq!(widen(1_000, 1_000), 1_000);
        assert_eq!(widen(1_000, 1_005), 1_005);
        assert_eq!(widen((3_i64 << 32) - 2, 3), (3_i64 << 32) + 3);
        let next = (3_i64 << 32) + 5;
        assert_eq!(widen(next, 5), next);
        assert_eq!(widen(next, 0xFFFF_FFF0), (2_i64 << 32) + 0xFFFF_FFF0);
    }
}
