//! Storage errors. Unique-constraint violations are translated into the field
//! they concern, so the api can answer 409 naming it.

use domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database is unreachable: {0}")]
    Connect(String),
    #[error("no connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("not found")]
    NotFound,
    /// A record named in the request body (not the URL) is absent or out of scope.
    #[error("the record named by `{field}` was not found")]
    ReferenceNotFound { field: &'static str },
    #[error("the record was changed since it was read (version {current})")]
    StaleVersion { current: i64 },
    #[error("{message}")]
    Duplicate { field: &'static str, message: String },
    #[error(transparent)]
    Rule(#[from] DomainError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("this Idempotency-Key was used by a concurrent request")]
    IdempotencyRace,
    #[error("database error: {0}")]
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::NotFound => StoreError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let haystack = format!("{} {}", info.constraint_name().unwrap_or_default(), info.message());
                if haystack.contains("idempotency_requests") {
                    return StoreError::IdempotencyRace;
                }
                duplicate_field(&haystack).unwrap_or(StoreError::Database(e))
            }
            Error::DatabaseError(_, info) if is_integer_overflow(info.message()) => {
                StoreError::Rule(domain::AmountOverflow.into())
            }
            _ => StoreError::Database(e),
        }
    }
}

/// The backends' words for a 64-bit integer leaving its range: PostgreSQL's
/// `bigint out of range` (SQLSTATE 22003) and SQLite's `integer overflow`.
/// Only sums and products of money can overflow, so this is `AmountOverflow`.
fn is_integer_overflow(message: &str) -> bool {
    message == "bigint out of range" || message == "integer out of range" || message == "integer overflow"
}

/// Constraint names (PostgreSQL) and column lists (SQLite) that map to a client field.
const UNIQUE_FIELDS: &[(&[&str], &str, &str)] = &[
    (
        &[
            "service_instances_live_key",
            "service_instances.customer_id, service_instances.service",
        ],
        "service",
        "this service is already provisioned for the customer in this region",
    ),
    (
        &["brands_portal_domain_key", "brands.portal_domain"],
        "portal_domain",
        "this portal domain is already used by another brand",
    ),
    (
        &["services_key_key", "services.service_key"],
        "key",
        "a service with this key is already in the catalogue",
    ),
    (
        &["organizations_primary_domain_key", "organizations.primary_domain"],
        "primary_domain",
        "this domain is already taken",
    ),
    (
        &["organizations_tenant_id_key", "organizations.tenant_id"],
        "tenant_id",
        "this Microsoft tenant id already belongs to another customer",
    ),
    (
        &[
            "operators_home_email_key",
            "operators.home_organization_id, operators.email",
        ],
        "email",
        "an operator with this e-mail already exists in this organisation",
    ),
    (
        &[
            "customer_users_customer_email_key",
            "customer_users.customer_id, customer_users.email",
        ],
        "email",
        "a user with this e-mail already exists for this customer",
    ),
    (
        &[
            "programme_applications_pending_key",
            "programme_applications.programme_org_id, programme_applications.email",
        ],
        "email",
        "an application from this e-mail to this programme is already pending",
    ),
];

fn duplicate_field(haystack: &str) -> Option<StoreError> {
    UNIQUE_FIELDS
        .iter()
        .find(|(needles, _, _)| needles.iter().any(|n| haystack.contains(n)))
        .map(|(_, field, message)| StoreError::Duplicate {
            field,
            message: (*message).to_string(),
        })
}

impl StoreError {
    /// True when the database itself is down or the pool is exhausted: a 503.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Connect(_) | StoreError::Pool(_)) || self.is_connection_lost()
    }

    /// A label for operators' error counters: `unreachable`, `pool_timeout`,
    /// `connection_lost`, `deadlock` or `other`; `None` for outcomes that are
    /// not database errors (not found, duplicates, rules, …).
    pub fn kind(&self) -> Option<&'static str> {
        match self {
            StoreError::Connect(_) => Some("unreachable"),
            StoreError::Pool(_) => Some("pool_timeout"),
            e if e.is_connection_lost() => Some("connection_lost"),
            e if e.is_deadlock() => Some("deadlock"),
            StoreError::Database(_) | StoreError::Migration(_) | StoreError::Corrupt(_) => Some("other"),
            _ => None,
        }
    }

    /// True when the database aborted the transaction to break a deadlock
    /// (PostgreSQL's SQLSTATE 40P01, which diesel reports by its message only)
    /// or a serialization failure: running it again is safe.
    pub fn is_deadlock(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        match self {
            StoreError::Database(Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _)) => true,
            StoreError::Database(Error::DatabaseError(_, info)) => info.message().contains("deadlock detected"),
            _ => false,
        }
    }

    /// True when the connection died under a statement (the server restarted,
    /// the network dropped it): the connection is useless, the database may be fine.
    pub fn is_connection_lost(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        matches!(
            self,
            StoreError::Database(Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _
            ))
        )
    }
}
