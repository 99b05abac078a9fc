//! Tables of the billing module (kept here, apart from `crate::schema`).

diesel::table! {
    invoices (id) {
        id -> Text,
        customer_id -> Text,
        customer_path -> Text,
        period -> Text,
        currency -> Text,
        status -> Text,
        total_minor -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        issued_at -> Nullable<Timestamp>,
        paid_at -> Nullable<Timestamp>,
        voided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invoice_lines (id) {
        id -> Text,
        invoice_id -> Text,
        subscription_id -> Text,
        customer_path -> Text,
        period -> Text,
        sku -> Text,
        description -> Text,
        billing_cycle -> Text,
        seat_days -> BigInt,
        days_in_period -> BigInt,
        unit_price_minor -> BigInt,
        amount_minor -> BigInt,
    }
}

diesel::table! {
    billing_runs (id) {
        id -> Text,
        organization_id -> Text,
        period -> Text,
        status -> Text,
        after_path -> Nullable<Text>,
        customers_done -> BigInt,
        customers_total -> BigInt,
        invoices_created -> BigInt,
        invoices_recomputed -> BigInt,
        invoices_removed -> BigInt,
        invoices_unchanged -> BigInt,
        lease_token -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        attempts -> BigInt,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        error -> Nullable<Text>,
    }
}
