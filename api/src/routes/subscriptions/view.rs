//! JSON shapes of subscriptions.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{BillingCycle, SubscriptionStatus};
use persistence::Subscription;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An amount of money: integer minor units (cents) and an ISO 4217 currency.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_minor": 1730, "currency": "NZD"}))]
pub struct MoneyView {
    /// At most 100,000,000,000 (`Money::MAX_AMOUNT_MINOR`), so that every
    /// invoice line fits; more is 422 naming the field.
    #[schema(minimum = 0, maximum = 100000000000_i64)]
    #[serde(deserialize_with = "crate::extract::integer")]
    pub amount_minor: i64,
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

/// A customer's purchase of a SKU.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "customer_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "sku": "O365_BUSINESS_PREMIUM",
    "description": "Microsoft 365 Business Premium",
    "quantity": 19,
    "assigned": 19,
    "unit_price": {"amount_minor": 3300, "currency": "NZD"},
    "billing_cycle": "monthly",
    "renews_on": "2027-01-15",
    "auto_renew": true,
    "status": "active",
    "version": 1,
    "created_at": "2026-11-23T10:00:00Z",
    "updated_at": "2026-11-23T10:00:00Z"
}))]
pub struct SubscriptionView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub sku: String,
    pub description: String,
    /// Licences purchased.
    pub quantity: i64,
    /// Licences assigned to users; never above `quantity`.
    pub assigned: i64,
    pub unit_price: MoneyView,
    pub billing_cycle: BillingCycle,
    pub renews_on: NaiveDate,
    pub auto_renew: bool,
    pub status: SubscriptionStatus,
    /// The ETag is this number in quotes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Subscription> for SubscriptionView {
    fn from(s: Subscription) -> Self {
        Self {
            id: s.id,
            customer_id: s.customer_id,
            sku: s.sku,
            description: s.description,
            quantity: s.quantity,
            assigned: s.assigned,
            unit_price: MoneyView {
                amount_minor: s.unit_price_minor,
                currency: s.currency,
            },
            billing_cycle: s.billing_cycle,
            renews_on: s.renews_on,
            auto_renew: s.auto_renew,
            status: s.status,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionPage {
    pub items: Vec<SubscriptionView>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Create a subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "sku": "O365_BUSINESS_PREMIUM",
    "description": "Microsoft 365 Business Premium",
    "quantity": 19,
    "assigned": 12,
    "unit_price": {"amount_minor": 3300, "currency": "NZD"},
    "billing_cycle": "monthly",
    "renews_on": "2027-01-15",
    "auto_renew": true
}))]
pub struct CreateSubscription {
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")]
    pub sku: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub description: String,
    #[schema(minimum = 0, maximum = 1000000)]
    #[serde(deserialize_with = "crate::extract::integer")]
    pub quantity: i64,
    /// At most `quantity`; 0 when absent.
    #[schema(minimum = 0, maximum = 1000000)]
    #[serde(default, deserialize_with = "crate::extract::optional_integer")]
    pub assigned: Option<i64>,
    pub unit_price: MoneyView,
    pub billing_cycle: BillingCycle,
    /// `YYYY-MM-DD`, year 1900 to 9999.
    #[schema(value_type = String, format = Date, pattern = "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    pub renews_on: NaiveDate,
    /// True when absent.
    pub auto_renew: Option<bool>,
}

/// Change seats or auto-renewal. Absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"quantity": 25, "assigned": 21}))]
pub struct UpdateSubscription {
    #[schema(minimum = 0, maximum = 1000000)]
    #[serde(default, deserialize_with = "crate::extract::optional_integer")]
    pub quantity: Option<i64>,
    /// Never above the (new) quantity.
    #[schema(minimum = 0, maximum = 1000000)]
    #[serde(default, deserialize_with = "crate::extract::optional_integer")]
    pub assigned: Option<i64>,
    pub auto_renew: Option<bool>,
}
