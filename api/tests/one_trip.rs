//! Every request makes one trip to the database: one pooled connection, checked
//! out once, for its caller, its record and its own statements. The pool counts
//! its checkouts (`Store::checkouts`); a guard that loaded the caller and the
//! record in one trip and a handler that ran its statements in a second would
//! count two. In process on SQLite, with no background worker sharing the pool.

use actix_web::{test, web, App};
use api::auth::access_token;
use api::cli::Cli;
use api::error::ApiError;
use api::startup;
use clap::Parser;
use domain::PrincipalKind;
use serde_json::json;
use utoipa_actix_web::AppExt;
use uuid::Uuid;

#[actix_web::test]
async fn every_request_takes_one_pooled_connection() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("pp.db").display());
    let data = dir.path().join("data");
    let cli = Cli::try_parse_from([
        "partner-portal",
        "--database-url",
        &url,
        "--data-dir",
        data.to_str().expect("a UTF-8 path"),
        "serve",
    ])
    .expect("the flags parse");
    let store = startup::open_store(&cli.config, true).expect("the store opens");
    startup::bootstrap(&store, &cli.config).expect("bootstrap");
    let admin = store
        .operators_by_email(&cli.config.bootstrap_admin_email)
        .expect("read the admin")
        .pop()
        .expect("the bootstrap admin");
    let root = admin.home_organization_id;
    let state = web::Data::new(startup::app_state(&cli.config, store).expect("the state"));
    let token = access_token(
        &state.keys,
        &cli.config.issuer(),
        admin.id,
        PrincipalKind::Operator,
        3600,
    )
    .expect("a token");
    let (app, _) = App::new()
        .into_utoipa_app()
        .configure(api::app::register)
        .split_for_parts();
    let app = test::init_service(
        app.app_data(state.clone())
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into())),
    )
    .await;
    let bearer = ("Authorization", format!("Bearer {token}"));
    let get = |path: &str| test::TestRequest::get().uri(path).insert_header(bearer.clone());

    // The first request also records the sign-in, on the same connection.
    let cases = [
        ("GET /v1/me (sign-in)", get("/v1/me"), 200),
        ("GET /v1/me", get("/v1/me"), 200),
        ("GET an organisation", get(&format!("/v1/organizations/{root}")), 200),
        (
            "GET a random id",
            get(&format!("/v1/organizations/{}", Uuid::now_v7())),
            404,
        ),
        (
            "PATCH an organisation",
            test::TestRequest::patch()
                .uri(&format!("/v1/organizations/{root}"))
                .insert_header(bearer.clone())
                .set_json(json!({ "name": "Contoso Cloud Renamed" })),
            200,
        ),
        (
            "POST an organisation",
            test::TestRequest::post()
                .uri("/v1/organizations")
                .insert_header(bearer.clone())
                .set_json(json!({ "parent_id": root, "kind": "partner", "name": "One Trip Partner" })),
            201,
        ),
        (
            "GET descendants",
            get(&format!("/v1/organizations/{root}/descendants")),
            200,
        ),
        (
            "GET the dashboard",
            get(&format!("/v1/organizations/{root}/dashboard")),
            200,
        ),
        (
            "GET the brand in force",
            get(&format!("/v1/organizations/{root}/branding/effective")),
            200,
        ),
        ("GET the service catalogue", get("/v1/services"), 200),
        (
            "GET the users report",
            get(&format!("/v1/organizations/{root}/reports/users.csv")),
            200,
        ),
    ];
    for (what, req, expected) in cases {
        let before = state.store.checkouts();
        let resp = test::call_service(&app, req.to_request()).await;
        assert_eq!(resp.status().as_u16(), expected, "{what}");
        // A streamed body (CSV) is written from its connection: read it to the end.
        test::read_body(resp).await;
        let checkouts = state.store.checkouts() - before;
        assert_eq!(checkouts, 1, "{what} took {checkouts} pooled connections");
    }
}
