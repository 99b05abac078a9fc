//! The OpenAPI document: collected from the registered routes, plus what applies
//! to every operation (bearer security, and the errors any authenticated call or
//! any call with a body can meet).

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};

use crate::error::{Problem, ProblemField};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Partner Portal API",
        description = "The back end of a multi-tenant partner portal for cloud-software channels: a provider sells \
through distributors and resellers (partners, nested to any depth) to end customers (Microsoft 365 tenants).\n\n\
Every `/v1` call needs a bearer token. You see and act on your home organisation and everything below it: \
anything else answers 404, exactly like a record that does not exist. Errors are `application/problem+json` \
(RFC 9457) with a stable `code`. Lists are cursor-paginated: pass `next_cursor` back as `cursor`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        version = env!("CARGO_PKG_VERSION"),
        contact(name = "Partner Portal API", email = "api@contoso-cloud.example")
    ),
    servers((url = "/", description = "This server")),
    components(schemas(Problem, ProblemField)),
    modifiers(&CommonResponses),
    tags(
        (name = "Platform", description = "Health, readiness, signing keys and the caller's identity"),
        (name = "Organizations", description = "The organisation tree: provider, distributors, partners, customers"),
    )
)]
pub struct ApiDoc;

struct CommonResponses;

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
        )
        .build()
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| problem(description).into());
}

impl Modify for CommonResponses {
    fn modify(&self, api: &mut OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT this API signed (`partner-portal token`, or the OAuth2 token endpoint), or one from \
                         the organisation's identity provider.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Adds the errors every operation of a kind can return; run after the paths are collected.
pub fn add_common_errors(api: &mut OpenApi) {
    for item in api.paths.paths.values_mut() {
        let ops = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
            item.head.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let has_body = op.request_body.is_some();
            let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            if has_body || has_params {
                add(op, "400", "Malformed request (bad JSON, bad header)");
            }
            if has_body {
                add(op, "413", "Request body too large");
                add(op, "415", "Request body is not application/json");
                add(op, "422", "Invalid fields; `errors` names each");
            }
            if has_params {
                add(op, "422", "Invalid parameters; `errors` names each");
            }
            if secured {
                add(op, "401", "Missing, invalid or expired bearer token, or a disabled account");
                add(op, "503", "Database unreachable; retry");
            }
            add(op, "500", "Unexpected error");
        }
    }
}

/// The document for the routes registered by `crate::app::register`.
pub fn spec() -> OpenApi {
    let (_, mut api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::app::register)
        .split_for_parts();
    add_common_errors(&mut api);
    api
}

use utoipa_actix_web::AppExt;
