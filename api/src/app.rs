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
    let spec = crate::openapi::spec();
    let doc = web::Data::new(OpenApiJson(crate::openapi::spec_json().map_err(std::io::Error::other)?));
    let max_body = state.config.max_body_bytes;
    let workers = state.config.workers;
    let state = web::Data::new(state);
    let routes = web::Data::new(RouteTable::from_spec(&spec));
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
            .wrap(tracing_actix_web::TracingLogger::<crate::request_log::RedactingRootSpan>::new())
            .route("/openapi.json", web::get().to(openapi_json))
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").config(utoipa_swagger_ui::Config::from("/openapi.json")))
            .route("/swagger-ui", web::get().to(swagger_redirect))
            .default_service(web::to(fallback))
    });
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.listen(listener)?.run())
}
