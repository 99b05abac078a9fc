//! Storage for the partner portal: one codebase on PostgreSQL and SQLite.
//!
//! The api crate talks to a [`Store`]; every method is synchronous (diesel), so
//! callers run it off the async workers. Every change runs in one transaction
//! together with its audit event.
//!
//! Layers, each importing only those below it: leaves (`time`, `ids`,
//! `connection`, `schema`, `error`, `tx`); the records (`organizations`,
//! `operators`, `audit`, …), whose functions work on the connection they are
//! given, inside the caller's transaction; and `store`, the public surface,
//! which opens that connection or write transaction. The rules themselves are
//! the domain crate's.

mod activation_links;
mod api_clients;
mod applications;
mod audit;
mod availability;
mod billing;
mod brands;
mod bulk;
mod connection;
mod credentials;
mod customer_users;
mod error;
mod home;
mod idempotency;
mod ids;
mod mail_outbox;
mod migrations;
mod operators;
mod organizations;
mod reports;
mod rollups;
mod schema;
mod service_instances;
mod services;
mod snapshot;
mod store;
mod subscriptions;
pub mod testing;
mod time;
mod tx;
mod webhooks;

pub use activation_links::{
    Activation, ActivationLink, ActivationTarget, CreatedAdmin, FirstAdminDetails, NewActivationLink,
};
pub use api_clients::ApiClient;
pub use applications::{Application, ApplicationFilter, Approval, NewApplication};
pub use audit::{Actor, AuditEntry, AuditEvent, AuditFilter, BrokenLink, ChainReport, SealRound};
pub use billing::{BillingRun, BillingTotal, Invoice, InvoiceFilter, InvoiceLine, RunClaim, RunStep, Tally};
pub use brands::{Brand, StoredLogo};
pub use bulk::{BulkCustomerUser, BulkOperator, BulkOrganization, BulkSubscription};
pub use connection::Backend;
pub use credentials::{NewPasswordLink, OperatorSecrets, PasswordLinkHolder, PasswordLinkPurpose, SignInCandidate};
pub use customer_users::{CustomerUser, CustomerUserFilter, CustomerUserPatch, Impersonation, NewCustomerUser};
pub use domain::{ApiClientStatus, CustomerUserStatus};
pub use error::StoreError;
pub use idempotency::{Claimed, KeyClaim, StoredAnswer};
pub use mail_outbox::{MailKind, OutgoingMail, QueuedMail, DELIVERED_BODY_REMOVED};
pub use operators::{ImportOutcome, ImportRow, NewOperator, Operator, OperatorFilter};
pub use organizations::{
    ChildrenFilter, CustomerFields, DescendantFilter, NewOrganization, Organization, OrganizationPatch, PathEntry,
};
pub use reports::{CustomerUserReportRow, SubscriptionReportRow};
pub use service_instances::{Launch, ServiceInstance};
pub use services::{NewService, Service, ServicePatch};
pub use snapshot::Snapshot;
pub use store::{CustomerSignInLookup, Imported, MailBacklog, PoolStatus, SignInLookup, Store};
pub use subscriptions::{
    CustomerRollup, Dashboard, DashboardFigures, NewSubscription, OrgCount, SeatChange, Subscription,
    SubscriptionFilter, SubscriptionPatch, UsageBucket, UsageInterval,
};
pub use webhooks::{
    AttemptOutcome, ClaimedDelivery, Delivery, DeliveryAttempt, DispatchBatch, DispatchedEvent, NewDelivery,
    NewWebhookEndpoint, SealedEvent, WebhookEndpoint, WebhookEndpointPatch,
};
