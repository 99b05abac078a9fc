//! Idempotency-Key claims for creates.

use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, RunQueryDsl};
use uuid::Uuid;

use crate::connection::DbConn;
use crate::error::StoreError;
use crate::ids::parse_uuid;
use crate::schema::idempotency_keys;
use crate::time::now;

/// A create's key: who sent it, the key, and a hash of the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    pub principal_id: Uuid,
    pub key: String,
    pub request_hash: String,
}

/// What an earlier request with the same key created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub request_hash: String,
    pub resource_id: Uuid,
}

pub(crate) fn find(conn: &mut DbConn, principal_id: Uuid, key: &str) -> Result<Option<StoredResponse>, StoreError> {
    let row: Option<(String, String)> = idempotency_keys::table
        .filter(idempotency_keys::principal_id.eq(principal_id.to_string()))
        .filter(idempotency_keys::key.eq(key))
        .select((idempotency_keys::request_hash, idempotency_keys::resource_id))
        .first(conn)
        .optional()?;
    row.map(|(request_hash, id)| {
        Ok(StoredResponse {
            request_hash,
            resource_id: parse_uuid(&id)?,
        })
    })
    .transpose()
}

/// Inside the create's transaction; a concurrent twin fails on the primary key.
pub(crate) fn claim(conn: &mut DbConn, claim: &IdempotencyClaim, resource_id: Uuid) -> Result<(), StoreError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::principal_id.eq(claim.principal_id.to_string()),
            idempotency_keys::key.eq(&claim.key),
            idempotency_keys::request_hash.eq(&claim.request_hash),
            idempotency_keys::resource_id.eq(resource_id.to_string()),
            idempotency_keys::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
