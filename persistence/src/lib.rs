//! Storage for the partner portal: one codebase on PostgreSQL and SQLite.
//!
//! The api crate talks to a [`Store`]; every method is synchronous (diesel), so
//! callers run it off the async workers. Every change runs in one transaction
//! together with its audit event.

mod api_clients;
mod audit;
mod bulk;
mod connection;
mod customer_users;
mod error;
mod idempotency;
mod migrations;
mod operators;
mod organizations;
mod schema;
mod service_instances;
mod store;
mod subscriptions;
pub mod testing;
mod tx;

pub use api_clients::{ApiClient, ApiClientStatus};
pub use audit::{Actor, AuditEntry};
pub use bulk::{BulkCustomerUser, BulkOperator, BulkOrganization, BulkSubscription};
pub use connection::Backend;
pub use customer_users::{
    CustomerUser, CustomerUserFilter, CustomerUserPatch, CustomerUserStatus, Impersonation, NewCustomerUser,
};
pub use error::StoreError;
pub use idempotency::{IdempotencyClaim, StoredResponse};
pub use operators::{ImportOutcome, ImportRow, NewOperator, Operator, OperatorFilter};
pub use organizations::{
    ChildrenFilter, CustomerFields, DescendantFilter, NewOrganization, Organization, OrganizationPatch, PathEntry,
};
pub use service_instances::ServiceInstance;
pub use store::Store;
pub use subscriptions::{
    CustomerRollup, Dashboard, NewSubscription, OrgCount, SeatChange, Subscription, SubscriptionFilter,
    SubscriptionPatch, UsageBucket, UsageInterval,
};
