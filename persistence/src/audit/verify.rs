//! Walking the hash chain in `seq` order (`audit verify`).

use diesel::prelude::*;

use super::AuditRow;
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::schema::audit_events;

/// What `audit verify` found.
#[derive(Debug, Clone)]
pub struct ChainReport {
    /// Chained events checked before stopping.
    pub verified: u64,
    /// Events written before the chain existed (not covered; events waiting to
    /// be sealed are not counted here).
    pub unchained: i64,
    /// The last verified event: its `seq` and hash (record it elsewhere to detect truncation).
    pub head: Option<(i64, String)>,
    /// The first event that does not link.
    pub broken: Option<BrokenLink>,
}

#[derive(Debug, Clone)]
pub struct BrokenLink {
    pub id: String,
    pub seq: i64,
    pub reason: String,
}

/// Walks the chain in `seq` order, `batch` events per query, and stops at the
/// first event whose `seq`, `prev_hash` or `hash` does not match.
pub(crate) fn verify_chain(conn: &mut DbConn, batch: i64) -> Result<ChainReport, StoreError> {
    let unchained: i64 = audit_events::table
        .filter(audit_events::seq.is_null())
        .filter(audit_events::xact_id.is_null())
        .count()
        .get_result(conn)?;
    let mut report = ChainReport {
        verified: 0,
        unchained,
        head: None,
        broken: None,
    };
    let mut last: Option<(i64, String)> = None;
    loop {
        let after = last.as_ref().map_or(0, |(s, _)| *s);
        let rows: Vec<AuditRow> = audit_events::table
            .filter(audit_events::seq.gt(after))
            .order(audit_events::seq.asc())
            .select(AuditRow::as_select())
            .limit(batch.max(1))
            .load(conn)?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let seq = row.seq.unwrap_or_default();
            let broken = |reason: String| BrokenLink {
                id: row.id.clone(),
                seq,
                reason,
            };
            let (expected_seq, expected_prev) = match &last {
                Some((s, h)) => (Some(s + 1), h.as_str()),
                None => (None, ""),
            };
            let problem = if expected_seq.is_some_and(|e| e != seq) {
                Some(format!(
                    "seq {seq} follows seq {}: events are missing",
                    expected_seq.map_or(0, |e| e - 1)
                ))
            } else if row.prev_hash.as_deref() != Some(expected_prev) {
                Some("prev_hash does not match the previous event's hash".to_string())
            } else {
                let computed = row.content(seq).chain_hash(expected_prev);
                (row.hash.as_deref() != Some(computed.as_str()))
                    .then(|| "hash does not match the event's content".to_string())
            };
            if let Some(reason) = problem {
                report.broken = Some(broken(reason));
                report.head = last;
                return Ok(report);
            }
            report.verified += 1;
            last = Some((seq, row.hash.clone().unwrap_or_default()));
        }
    }
    report.head = last;
    Ok(report)
}
