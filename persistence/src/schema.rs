//! The portable schema: ids and paths as TEXT, times as TIMESTAMP (UTC), counters BIGINT.

diesel::table! {
    organizations (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        kind -> Text,
        name -> Text,
        name_lower -> Text,
        status -> Text,
        path -> Text,
        depth -> Integer,
        primary_domain -> Nullable<Text>,
        tenant_id -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        country -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        programme_open -> Bool,
        require_totp -> Bool,
    }
}

diesel::table! {
    operators (id) {
        id -> Text,
        home_organization_id -> Text,
        email -> Text,
        name -> Text,
        roles -> Text,
        status -> Text,
        last_sign_in_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        password_hash -> Nullable<Text>,
        credentials_changed_at -> Nullable<Timestamp>,
        totp_secret -> Nullable<Text>,
        totp_confirmed_at -> Nullable<Timestamp>,
        totp_last_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_type -> Text,
        actor_id -> Text,
        impersonator_id -> Nullable<Text>,
        organization_id -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        details -> Text,
        seq -> Nullable<BigInt>,
        hash -> Nullable<Text>,
        prev_hash -> Nullable<Text>,
        organization_path -> Text,
        xact_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    idempotency_requests (scope, key) {
        scope -> Text,
        key -> Text,
        lease_token -> Text,
        locked_until -> Timestamp,
        committed_at -> Nullable<Timestamp>,
        request_hash -> Nullable<Text>,
        response_status -> Nullable<Integer>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        home_organization_id -> Text,
        name -> Text,
        roles -> Text,
        secret_hash -> Text,
        status -> Text,
        last_used_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        secret_rotated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    service_instances (id) {
        id -> Text,
        customer_id -> Text,
        service -> Text,
        region -> Text,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    customer_users (id) {
        id -> Text,
        customer_id -> Text,
        email -> Text,
        name -> Text,
        mobile -> Nullable<Text>,
        is_admin -> Bool,
        is_master_admin -> Bool,
        status -> Text,
        last_sign_in_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        password_hash -> Nullable<Text>,
        credentials_changed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    subscriptions (id) {
        id -> Text,
        customer_id -> Text,
        customer_path -> Text,
        sku -> Text,
        description -> Text,
        quantity -> BigInt,
        assigned -> BigInt,
        unit_price_minor -> BigInt,
        currency -> Text,
        billing_cycle -> Text,
        renews_on -> Date,
        auto_renew -> Bool,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    subscription_changes (id) {
        id -> Text,
        subscription_id -> Text,
        customer_id -> Text,
        customer_path -> Text,
        changed_at -> Timestamp,
        quantity -> BigInt,
        assigned -> BigInt,
        quantity_delta -> BigInt,
        assigned_delta -> BigInt,
    }
}

diesel::table! {
    activation_links (id) {
        id -> Text,
        organization_id -> Text,
        email -> Text,
        token_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        kind -> Text,
        created_at -> Timestamp,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    programme_applications (id) {
        id -> Text,
        programme_org_id -> Text,
        company_name -> Text,
        contact_name -> Text,
        email -> Text,
        country -> Text,
        message -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        partner_id -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
    }
}

diesel::joinable!(operators -> organizations (home_organization_id));
diesel::joinable!(activation_links -> organizations (organization_id));
diesel::joinable!(programme_applications -> organizations (programme_org_id));
diesel::joinable!(service_instances -> organizations (customer_id));
diesel::joinable!(customer_users -> organizations (customer_id));
diesel::joinable!(subscriptions -> organizations (customer_id));
diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        organization_id -> Text,
        url -> Text,
        events -> Text,
        description -> Text,
        enabled -> Bool,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Text,
        event_type -> Text,
        organization_id -> Text,
        occurred_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        event_id -> Text,
        endpoint_id -> Text,
        body -> Text,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        leased_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        endpoint_id -> Text,
        attempt -> BigInt,
        status -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
        attempted_at -> Timestamp,
        next_attempt_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> Text,
        email -> Text,
        client_address -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    password_links (id) {
        id -> Text,
        token_hash -> Text,
        purpose -> Text,
        operator_id -> Nullable<Text>,
        customer_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_dispatch (id) {
        id -> Integer,
        last_seq -> BigInt,
    }
}

diesel::table! {
    brands (organization_id) {
        organization_id -> Text,
        display_name -> Text,
        primary_color -> Nullable<Text>,
        accent_color -> Nullable<Text>,
        support_email -> Nullable<Text>,
        support_url -> Nullable<Text>,
        portal_domain -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    brand_logos (organization_id) {
        organization_id -> Text,
        content_type -> Text,
        digest -> Text,
        bytes -> Binary,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        service_key -> Text,
        name -> Text,
        launch_url -> Text,
        regions -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(brands -> organizations (organization_id));
diesel::joinable!(api_clients -> organizations (home_organization_id));
diesel::joinable!(password_links -> operators (operator_id));
diesel::joinable!(password_links -> customer_users (customer_user_id));
diesel::joinable!(webhook_endpoints -> organizations (organization_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    operators,
    api_clients,
    audit_events,
    idempotency_requests,
    service_instances,
    customer_users,
    subscriptions,
    subscription_changes,
    activation_links,
    mail_outbox,
    programme_applications,
    webhook_endpoints,
    webhook_events,
    webhook_deliveries,
    webhook_attempts,
    brands,
    brand_logos,
    services,
    sign_in_failures,
    password_links,
);
