//! The legacy import's storage side: which operators already exist, and inserting
//! a whole file's worth in one transaction with multi-row statements.

use std::collections::HashMap;

use diesel::prelude::*;
use domain::{AuditAction, DisplayName, OperatorStatus, RoleSet, WorkEmail};
use uuid::Uuid;

use crate::audit::{self, AuditEntry, AuditRow};
use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::operators;
use crate::time::now;

/// One valid row of an import file.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// Line in the file (the header is line 1).
    pub line: u64,
    pub home_organization_id: Uuid,
    pub email: WorkEmail,
    pub name: DisplayName,
    pub roles: RoleSet,
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct ImportOutcome {
    /// (line, new operator id; nil on a dry run)
    pub created: Vec<(u64, Uuid)>,
    /// (line, id of the operator already present)
    pub existing: Vec<(u64, Uuid)>,
}

#[derive(Insertable)]
#[diesel(table_name = operators)]
struct OperatorInsert {
    id: String,
    home_organization_id: String,
    email: String,
    name: String,
    roles: String,
    status: String,
    version: i64,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

const IN_CHUNK: usize = 500;
const ROWS_PER_STATEMENT: usize = 1_000;

/// The ids of operators already present for these (home, e-mail) pairs.
pub(crate) fn existing_pairs(
    conn: &mut DbConn,
    pairs: &[(Uuid, String)],
) -> Result<HashMap<(Uuid, String), Uuid>, StoreError> {
    let mut emails: Vec<&str> = pairs.iter().map(|(_, e)| e.as_str()).collect();
    emails.sort_unstable();
    emails.dedup();
    let mut found = HashMap::new();
    for chunk in emails.chunks(IN_CHUNK) {
        let rows: Vec<(String, String, String)> = operators::table
            .filter(operators::email.eq_any(chunk))
            .select((operators::id, operators::home_organization_id, operators::email))
            .load(conn)?;
        for (id, home, email) in rows {
            found.insert((parse_uuid(&home)?, email), parse_uuid(&id)?);
        }
    }
    Ok(found)
}

/// Inserts every row and one audit event per row.
pub(crate) fn insert_all(conn: &mut DbConn, rows: &[ImportRow], who: &AuditEntry) -> Result<Vec<Uuid>, StoreError> {
    let ts = now();
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
    let inserts: Vec<OperatorInsert> = rows
        .iter()
        .zip(&ids)
        .map(|(r, id)| OperatorInsert {
            id: id.to_string(),
            home_organization_id: r.home_organization_id.to_string(),
            email: r.email.as_str().to_string(),
            name: r.name.as_str().to_string(),
            roles: r.roles.to_storage(),
            status: OperatorStatus::Invited.as_str().to_string(),
            version: 1,
            created_at: ts,
            updated_at: ts,
        })
        .collect();
    let mut events: Vec<AuditRow> = rows
        .iter()
        .zip(&ids)
        .map(|(r, id)| {
            AuditRow::new(
                who,
                r.home_organization_id,
                AuditAction::OperatorImported,
                "operator",
                *id,
                serde_json::json!({"email": r.email.as_str(), "roles": r.roles.to_storage(), "line": r.line}),
            )
        })
        .collect();
    for chunk in inserts.chunks(ROWS_PER_STATEMENT) {
        match conn {
            DbConn::Pg(c) => diesel::insert_into(operators::table).values(chunk).execute(c)?,
            DbConn::Sqlite(c) => diesel::insert_into(operators::table).values(chunk).execute(c)?,
        };
    }
    audit::fill_paths(conn, &mut events)?;
    audit::append(conn, &mut events)?;
    Ok(ids)
}
