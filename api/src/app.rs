//! The actix application: routes, shared state, extractor limits, Swagger UI.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::fallback::{fallback, RouteTable};
use crate::openapi::ApiDoc;
use crate::routes::{self, platform};
use crate::state::AppState;

/// Every route, in one place; the OpenAPI document is collected from here.
pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(platform::healthz)
        .service(platform::readyz)
        .service(platform::metrics)
        .service(platform::jwks)
        .service(routes::oauth::issue_token)
        .service(scope("/v1").configure(routes::v1));
}

async fn openapi_json(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}

/// The OpenAPI document, rendered once at start.
struct OpenApiJson(String);

async fn swagger_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/swagger-ui/"))
        .finish()
}

/// Starts serving on `listener`; the returned server runs until stopped.
pub fn run(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    serve(web::Data::new(state), listener)
}

/// [`run`] with state shared with another server (the metrics address).
pub fn serve(state: web::Data<AppState>, listener: TcpListener) -> std::io::Result<Server> {
    // Installed before the first request records anything.
    crate::metrics::handle();
    let spec = crate::openapi::spec();
    let doc = web::Data::new(OpenApiJson(crate::openapi::spec_json().map_err(std::io::Error::other)?));
    let max_body = state.config.max_body_bytes;
    let workers = state.config.workers;
    // Past the grace period `shutdown` cuts the exports; this is the backstop.
    let shutdown_timeout = state.config.shutdown_grace_secs + 2;
    let routes = web::Data::new(RouteTable::from_spec(&spec));
    let keyed = std::sync::Arc::new(crate::idempotency::spec::KeyedRoutes::from_spec(&spec));
    let mut server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(<ApiDoc as utoipa::OpenApi>::openapi())
            .configure(register)
            .split_for_parts();
        app.app_data(state.clone())
            .app_data(routes.clone())
            .app_data(doc.clone())
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
            .wrap(crate::idempotency::middleware::Idempotency::new(keyed.clone()))
            .wrap(actix_web::middleware::from_fn(crate::uri_limit::check))
            .wrap(tracing_actix_web::TracingLogger::<crate::request_log::RedactingRootSpan>::new())
            .wrap(actix_web::middleware::from_fn(crate::rate_limit::middleware::enforce))
            .wrap(actix_web::middleware::from_fn(crate::access_log::log))
            .route("/openapi.json", web::get().to(openapi_json))
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").config(utoipa_swagger_ui::Config::from("/openapi.json")))
            .route("/swagger-ui", web::get().to(swagger_redirect))
            .default_service(web::to(fallback))
    });
    if let Some(n) = workers {
        server = server.workers(n);
    }
    // Signals are `shutdown`'s: the drain comes before the listener closes.
    Ok(server
        .disable_signals()
        .shutdown_timeout(shutdown_timeout)
        .listen(listener)?
        .run())
}

async fn open_metrics(state: web::Data<AppState>) -> HttpResponse {
    crate::metrics::scrape(&state).await
}

/// `GET /metrics` without a token, on `METRICS_BIND` (a private address).
pub fn run_metrics(state: web::Data<AppState>, listener: TcpListener) -> std::io::Result<Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(open_metrics))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run())
}
