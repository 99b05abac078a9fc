//! Dashboard rollups: exact subtree totals without scanning the subtree.
//!
//! Triggers append a row to `rollup_deltas` (path, metric, amount) for every
//! change to a figure the dashboard shows: an organisation created, deleted or
//! changing status (metric `org:<kind>:<status>`), a subscription becoming or
//! ceasing to be active or changing seats (`subscriptions`, `seats_purchased`,
//! `seats_assigned`). Writes only insert, so no two writes contend on a row.
//!
//! The folding job ([`fold`]) moves a batch of deltas into `rollup_totals`,
//! adding each to every organisation on its path, and deletes exactly the
//! deltas it added, in one statement on PostgreSQL (one snapshot) and in one
//! serialised write transaction on SQLite. So at any snapshot
//!
//! `subtree total of X = rollup_totals[X] + Σ rollup_deltas with path in X's range`
//!
//! which [`subtree_figures`] reads in one statement: exact, whatever the folding
//! job's delay, which only decides how many pending deltas the read adds up.
//!
//! A move keeps this true: pending deltas under the moved node follow it (their
//! paths are rewritten like every repeated path), and its folded totals leave the
//! old ancestors and join the new ones as two deltas. Moves hold the tree lock
//! alone and the folding job shares it, so the totals a move reads cannot change
//! under it.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use domain::TreePath;
use uuid::Uuid;

use crate::connection::DbConn;
use crate::error::StoreError;

/// Names the folding job's advisory lock (one folder at a time across replicas).
const FOLD_LOCK_KEY: i64 = 0x726f_6c6c_7570;

#[derive(QueryableByName)]
struct Figure {
    #[diesel(sql_type = Text)]
    metric: String,
    #[diesel(sql_type = BigInt)]
    amount: i64,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    locked: bool,
}

#[derive(QueryableByName)]
struct MaxId {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    id: Option<i64>,
}

/// The key of an organisation in `rollup_totals`: its id as written in paths.
fn key(id: Uuid) -> String {
    id.simple().to_string()
}

/// Exact figures of the subtree at `root` (the root itself left out of the
/// organisation counts), by metric: one statement, so one snapshot.
pub(crate) fn subtree_figures(c: &mut DbConn, root: &TreePath) -> Result<BTreeMap<String, i64>, StoreError> {
    let leaf = root
        .leaf()
        .ok_or_else(|| StoreError::Corrupt(format!("path {}", root.as_str())))?;
    let rows: Vec<Figure> = diesel::sql_query(
        "SELECT metric, CAST(SUM(amount) AS BIGINT) AS amount FROM ( \
             SELECT metric, amount FROM rollup_totals WHERE org_key = $1 \
             UNION ALL \
             SELECT metric, amount FROM rollup_deltas WHERE path >= $2 AND path < $3 \
             UNION ALL \
             SELECT 'org:' || kind || ':' || status AS metric, -1 AS amount FROM organizations WHERE path = $2 \
         ) figures GROUP BY metric",
    )
    .bind::<Text, _>(key(leaf))
    .bind::<Text, _>(root.as_str())
    .bind::<Text, _>(root.upper_bound())
    .load(c)?;
    Ok(rows.into_iter().map(|f| (f.metric, f.amount)).collect())
}

/// Folds up to `batch` pending deltas into the subtree totals; returns how many
/// (organisation, metric) totals it changed, 0 when nothing was pending or
/// another replica is folding or a move is running (moves take the same lock,
/// see [`follow_move`], so the totals a move reads cannot change under it).
pub(crate) fn fold(c: &mut DbConn, batch: i64) -> Result<usize, StoreError> {
    match c {
        DbConn::Pg(_) => {
            let locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
                .bind::<BigInt, _>(FOLD_LOCK_KEY)
                .get_result::<Locked>(c)?
                .locked;
            if !locked {
                return Ok(0);
            }
            // Deletes and adds the same rows in one statement: nothing committed
            // meanwhile can be deleted without being added.
            Ok(diesel::sql_query(
                "WITH folded AS ( \
                     DELETE FROM rollup_deltas \
                     WHERE id IN (SELECT id FROM rollup_deltas ORDER BY id LIMIT $1) \
                     RETURNING path, metric, amount \
                 ) \
                 INSERT INTO rollup_totals (org_key, metric, amount) \
                 SELECT substr(f.path, 2 + 33 * k, 32), f.metric, SUM(f.amount) \
                 FROM folded f CROSS JOIN LATERAL generate_series(0, length(f.path) / 33 - 1) AS k \
                 GROUP BY 1, 2 \
                 ON CONFLICT (org_key, metric) DO UPDATE SET amount = rollup_totals.amount + EXCLUDED.amount",
            )
            .bind::<BigInt, _>(batch)
            .execute(c)?)
        }
        DbConn::Sqlite(_) => {
            // Writers are serialised (BEGIN IMMEDIATE): the rows up to `last`
            // cannot change between these statements.
            let last =
                diesel::sql_query("SELECT MAX(id) AS id FROM (SELECT id FROM rollup_deltas ORDER BY id LIMIT $1) AS b")
                    .bind::<BigInt, _>(batch)
                    .get_result::<MaxId>(c)?
                    .id;
            let Some(last) = last else { return Ok(0) };
            let changed = diesel::sql_query(
                "WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k < 255) \
                 INSERT INTO rollup_totals (org_key, metric, amount) \
                 SELECT substr(d.path, 2 + 33 * k.k, 32), d.metric, SUM(d.amount) \
                 FROM rollup_deltas d JOIN k ON 33 * k.k < length(d.path) - 1 \
                 WHERE d.id <= $1 \
                 GROUP BY 1, 2 \
                 ON CONFLICT (org_key, metric) DO UPDATE SET amount = rollup_totals.amount + excluded.amount",
            )
            .bind::<BigInt, _>(last)
            .execute(c)?;
            diesel::sql_query("DELETE FROM rollup_deltas WHERE id <= $1")
                .bind::<BigInt, _>(last)
                .execute(c)?;
            Ok(changed)
        }
    }
}

/// Keeps the rollups exact across a move of the subtree `old` to `new`: called
/// inside the move's transaction (which holds the tree lock alone) after the
/// organisations' paths are rewritten.
pub(crate) fn follow_move(c: &mut DbConn, id: Uuid, old: &TreePath, new: &TreePath) -> Result<(), StoreError> {
    let parent_of = |p: &TreePath| -> Result<String, StoreError> {
        let s = p.as_str();
        s.get(..s.len().saturating_sub(33))
            .filter(|s| s.len() > 1)
            .map(str::to_string)
            .ok_or_else(|| StoreError::Corrupt(format!("path {s}")))
    };
    let (old_parent, new_parent) = (parent_of(old)?, parent_of(new)?);
    // No fold may run while the totals below are read and re-homed (a fold waits
    // for at most one move; a move for at most one fold).
    if let DbConn::Pg(_) = c {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(FOLD_LOCK_KEY)
            .execute(c)?;
    }
    // Pending deltas follow the subtree, as every repeated path does.
    diesel::sql_query("UPDATE rollup_deltas SET path = $1 || substr(path, $2) WHERE path >= $3 AND path < $4")
        .bind::<Text, _>(new.as_str())
        .bind::<diesel::sql_types::Integer, _>(old.as_str().len() as i32 + 1)
        .bind::<Text, _>(old.as_str())
        .bind::<Text, _>(old.upper_bound())
        .execute(c)?;
    // The folded totals leave the old ancestors and join the new ones.
    for (path, sign) in [(old_parent, -1i64), (new_parent, 1)] {
        diesel::sql_query(
            "INSERT INTO rollup_deltas (path, metric, amount) \
             SELECT $1, metric, $2 * amount FROM rollup_totals WHERE org_key = $3 AND amount <> 0",
        )
        .bind::<Text, _>(path)
        .bind::<BigInt, _>(sign)
        .bind::<Text, _>(key(id))
        .execute(c)?;
    }
    Ok(())
}
