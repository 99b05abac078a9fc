//! Fuzz targets through the whole application, in process (actix's test
//! utilities, SQLite): generated request bodies for the five busiest
//! operations that take JSON (create and update an organisation, create and
//! update a subscription, add an operator) and for the legacy CSV import never
//! make the server panic or answer 5xx. Arbitrary JSON, valid bodies with one
//! field replaced by arbitrary JSON, and valid bodies with text spliced in.
//!
//! A few cases in normal test runs; `bench/fuzz.sh` runs them with
//! `PROPTEST_CASES` large.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

use actix_web::dev::{Service, ServiceResponse};
use actix_web::test as actix_test;
use actix_web::{web, App};
use api::auth::access_token;
use api::cli::Cli;
use api::error::ApiError;
use api::startup;
use clap::Parser;
use domain::PrincipalKind;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use utoipa_actix_web::AppExt;

/// `PROPTEST_CASES`, or a count that keeps normal test runs short.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::from),
        Just(json!("2027-01-15")),
        Just(json!("NZD")),
        Just(json!("partner")),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            proptest::collection::btree_map("[a-z_]{1,12}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A body for an operation whose valid body is `valid`: arbitrary JSON, the
/// valid body with one field replaced, or its text with something spliced in.
fn arb_body(valid: Value) -> impl Strategy<Value = Vec<u8>> {
    let keys: Vec<String> = valid
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let text = valid.to_string();
    let replaced = {
        let valid = valid.clone();
        (proptest::sample::select(keys), arb_json()).prop_map(move |(key, value)| {
            let mut body = valid.clone();
            body[key] = value;
            body.to_string().into_bytes()
        })
    };
    let spliced = (
        0..=text.len(),
        prop_oneof![
            "\\PC{0,12}",
            Just(",\"name\":\"again\"".to_string()),
            Just("1e400".to_string()),
            Just("-0".to_string()),
            Just("\\ud800".to_string()),
        ],
    )
        .prop_map(move |(at, insert)| {
            let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            format!("{}{insert}{}", &text[..at], &text[at..]).into_bytes()
        });
    prop_oneof![
        arb_json().prop_map(|v| v.to_string().into_bytes()),
        replaced,
        spliced,
        proptest::collection::vec(any::<u8>(), 0..64),
    ]
}

/// A CSV of the legacy import: mostly well formed rows with generated cells.
fn arb_csv() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        "\\PC{0,16}",
        "[a-z]{1,8}@[a-z]{1,8}\\.example",
        Just("TenantAdmin".to_string()),
        Just("Fuzz Partner".to_string()),
        Just("\"quoted, \"\"cell\"\"\"".to_string()),
    ];
    let row = proptest::collection::vec(cell, 0..6).prop_map(|cells| cells.join(","));
    prop_oneof![
        proptest::collection::vec(row, 0..8).prop_map(|rows| format!(
            "email,name,legacy_role,organization\n{}",
            rows.join("\n")
        )
        .into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..128),
    ]
}

#[test]
fn generated_bodies_never_panic_or_fail_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fuzz.db").display());
    let data = dir.path().join("data");
    let cli = Cli::try_parse_from([
        "partner-portal",
        "--database-url",
        &url,
        "--data-dir",
        data.to_str().unwrap(),
        "serve",
    ])
    .unwrap();
    let store = startup::open_store(&cli.config, true).unwrap();
    startup::bootstrap(&store, &cli.config).unwrap();
    let admin = store
        .operators_by_email(&cli.config.bootstrap_admin_email)
        .unwrap()
        .pop()
        .unwrap();
    let root = admin.home_organization_id;
    let state = web::Data::new(startup::app_state(&cli.config, store).unwrap());
    let token = access_token(
        &state.keys,
        &cli.config.issuer(),
        admin.id,
        PrincipalKind::Operator,
        3600,
    )
    .unwrap();
    let bearer = ("Authorization", format!("Bearer {token}"));
    let rt = actix_web::rt::System::new();
    let app = rt.block_on(async {
        let (app, _) = App::new()
            .into_utoipa_app()
            .configure(api::app::register)
            .split_for_parts();
        actix_test::init_service(
            app.app_data(state.clone())
                .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into())),
        )
        .await
    });
    let call = |req: actix_test::TestRequest| -> (u16, Value) {
        rt.block_on(async {
            let resp: ServiceResponse = app.call(req.insert_header(bearer.clone()).to_request()).await.unwrap();
            let status = resp.status().as_u16();
            let body = actix_test::read_body(resp).await;
            (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
        })
    };
    let created = |uri: &str, body: Value| -> String {
        let (status, body) = call(actix_test::TestRequest::post().uri(uri).set_json(body));
        assert_eq!(status, 201, "{uri}: {body}");
        body["id"].as_str().unwrap().to_string()
    };
    let partner = created(
        "/v1/organizations",
        json!({"parent_id": root, "kind": "partner", "name": "Fuzz Partner"}),
    );
    let customer = created(
        "/v1/organizations",
        json!({"parent_id": partner, "kind": "customer", "name": "Fuzz Customer",
               "primary_domain": "fuzzcustomer.onmicrosoft.com"}),
    );
    let subscription_body = json!({
        "sku": "O365_E3", "description": "E3", "quantity": 5, "assigned": 1,
        "unit_price": {"amount_minor": 3300, "currency": "NZD"},
        "billing_cycle": "monthly", "renews_on": "2027-01-15"
    });
    let subscription = created(
        &format!("/v1/customers/{customer}/subscriptions"),
        subscription_body.clone(),
    );

    let operations: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            "/v1/organizations".into(),
            json!({"parent_id": partner, "kind": "partner", "name": "Child"}),
        ),
        (
            "PATCH",
            format!("/v1/organizations/{partner}"),
            json!({"name": "Renamed", "country": "NZ"}),
        ),
        (
            "POST",
            format!("/v1/customers/{customer}/subscriptions"),
            subscription_body,
        ),
        (
            "PATCH",
            format!("/v1/subscriptions/{subscription}"),
            json!({"quantity": 6, "assigned": 2, "auto_renew": false}),
        ),
        (
            "POST",
            format!("/v1/organizations/{partner}/operators"),
            json!({"email": "new@fabrikam.example", "name": "New", "roles": ["viewer"]}),
        ),
    ];
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    for (method, uri, valid) in operations {
        TestRunner::new(config.clone())
            .run(&arb_body(valid), |body| {
                let req = match method {
                    "POST" => actix_test::TestRequest::post(),
                    _ => actix_test::TestRequest::patch(),
                };
                let (status, answer) = call(
                    req.uri(&uri)
                        .insert_header(("content-type", "application/json"))
                        .set_payload(body.clone()),
                );
                prop_assert!(
                    status < 500,
                    "{method} {uri} answered {status} {answer} to {}",
                    String::from_utf8_lossy(&body)
                );
                Ok(())
            })
            .unwrap();
    }
    let import = format!("/v1/organizations/{partner}/operators/import?dry_run=true");
    TestRunner::new(config)
        .run(&arb_csv(), |csv| {
            let (status, answer) = call(
                actix_test::TestRequest::post()
                    .uri(&import)
                    .insert_header(("content-type", "text/csv"))
                    .set_payload(csv.clone()),
            );
            prop_assert!(
                status < 500,
                "import answered {status} {answer} to {}",
                String::from_utf8_lossy(&csv)
            );
            Ok(())
        })
        .unwrap();
}
