//! The OpenAPI document: collected from the registered routes, plus what applies
//! to every operation (bearer security, and the errors any authenticated call or
//! any call with a body can meet).

use actix_web::http::Method;
use domain::subscription::currency_codes;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr};
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
    components(schemas(Problem, ProblemField, domain::ErrorCode)),
    modifiers(&CommonResponses),
    tags(
        (name = "Platform", description = "Health, readiness, signing keys and the caller's identity"),
        (name = "Organizations", description = "The organisation tree: provider, distributors, partners, customers"),
        (name = "Operators", description = "The people who may use the portal, their roles, and the legacy import"),
        (name = "API clients", description = "Credentials for PSA integrations (OAuth2 client credentials)"),
        (name = "Sign-in", description = "Local sign-in without an identity provider: passwords, resets, second factor (TOTP)"),
        (name = "OAuth", description = "The OAuth2 token endpoint (RFC 6749 client-credentials grant)"),
        (name = "Customers", description = "Tenants: domain availability, the customer summary, service instances"),
        (name = "Subscriptions", description = "Customers' purchases, their seats and seat history"),
        (name = "Insights", description = "Dashboard and usage series for any organisation in scope"),
        (name = "Customer users", description = "The people of a customer tenant (customer portal users), and impersonating them"),
        (name = "Onboarding", description = "Activation links: an admin sends one to a pending organisation; its recipient reads and accepts it (public) and becomes the first admin"),
        (name = "Applications", description = "Partner-programme applications: a company applies (public); the programme's admins approve or reject"),
        (name = "Billing", description = "Billing runs, invoices and their states, billing history"),
        (name = "Reports", description = "Streamed CSV reports over a subtree: subscriptions, customer users, invoice lines"),
        (name = "Audit", description = "The tamper-evident, append-only audit log of a subtree, as pages or CSV"),
        (name = "Webhooks", description = "Signed pushes of every change in a subtree to a partner's endpoints (Standard Webhooks); the events and their payloads are in this document's `webhooks` section"),
        (name = "Branding", description = "A brand per channel organisation, inherited down the tree; public by portal domain"),
        (name = "Services", description = "The service catalogue, and launching a customer's service instance as its partner"),
    )
)]
pub struct ApiDoc;

struct CommonResponses;

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
                        "A JWT this API signed (`partner-portal token`, `POST /v1/sessions`, or the OAuth2 token endpoint), or one from \
                         the organisation's identity provider.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "client_basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some("An API client's id and secret, for the token endpoint only."))
                    .build(),
            ),
        );
    }
}

/// Lists the accepted currency codes (ISO 4217) as an enum, so the contract says
/// exactly which values the API takes; the list lives in the domain crate.
/// Country codes are a named type of their own (`crate::openapi_shape`).
fn list_codes(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let currencies: Vec<serde_json::Value> = currency_codes().map(serde_json::Value::from).collect();
    let targets = [("MoneyView", "currency", &currencies)];
    for (schema, property, codes) in targets {
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
            continue;
        };
        if let Some(RefOr::T(Schema::Object(field))) = object.properties.get_mut(property) {
            field.enum_values = Some(codes.clone());
            field.pattern = None;
        }
    }
}

/// Generates every operation's error responses from the codes it can answer
/// with (`crate::problems`); run after the paths are collected.
pub fn complete(api: &mut OpenApi) {
    list_codes(api);
    crate::idempotency::spec::declare(api);
    for (path, item) in api.paths.paths.iter_mut() {
        let ops = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
            item.head.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            crate::problems::document(op, path);
        }
    }
    crate::idempotency::spec::document_replays(api);
    RateLimitFields.modify(api);
}

/// The `RateLimit-Policy` and `RateLimit` fields on every response of every
/// limited operation (`crate::rate_limit`), and the cost of the expensive ones;
/// run after the error responses (429 among them) are generated.
struct RateLimitFields;

impl Modify for RateLimitFields {
    fn modify(&self, api: &mut OpenApi) {
        let field = |description: &str, example: &str| {
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String).examples([example]))
                .description(Some(description))
                .build()
        };
        let policy = field(
            "The caller's quota (draft-ietf-httpapi-ratelimit-headers): `q` requests per `w` seconds, per principal \
             (policy `caller`, with a bearer token) or per client address (policy `public`, without one).",
            "\"caller\";q=600;w=60",
        );
        let limit = field(
            "What is left of the quota: `r` requests, until a new window starts in `t` seconds.",
            "\"caller\";r=599;t=60",
        );
        for (path, item) in api.paths.paths.iter_mut() {
            if !crate::rate_limit::limited(path) {
                continue;
            }
            let methods = [
                (Method::GET, item.get.as_mut()),
                (Method::POST, item.post.as_mut()),
                (Method::PUT, item.put.as_mut()),
                (Method::PATCH, item.patch.as_mut()),
                (Method::DELETE, item.delete.as_mut()),
                (Method::HEAD, item.head.as_mut()),
            ];
            for (method, op) in methods {
                let Some(op) = op else { continue };
                if crate::rate_limit::expensive(&method, path) {
                    let note =
                        "Counts as `RATE_LIMIT_EXPENSIVE_COST` requests (10 by default) of the caller's rate limit.";
                    op.description = Some(match op.description.take() {
                        Some(d) if !d.is_empty() => format!("{d}\n\n{note}"),
                        _ => note.to_owned(),
                    });
                }
                for response in op.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response.headers.insert("RateLimit-Policy".into(), policy.clone());
                        response.headers.insert("RateLimit".into(), limit.clone());
                    }
                }
            }
        }
    }
}

/// The document as served at `/openapi.json` and printed by `partner-portal openapi`.
///
/// utoipa 5 has no top-level `webhooks` section; it is added to the JSON here,
/// the one place the document becomes text, with the rules of
/// `crate::openapi_shape` that hold for every operation.
pub fn spec_json() -> Result<String, serde_json::Error> {
    let mut doc = serde_json::to_value(spec())?;
    crate::openapi_shape::apply(&mut doc);
    crate::webhooks::spec::add_to(&mut doc);
    serde_json::to_string_pretty(&doc)
}

/// The document for the routes registered by `crate::app::register`.
pub fn spec() -> OpenApi {
    let (_, mut api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::app::register)
        .split_for_parts();
    complete(&mut api);
    api
}

use utoipa_actix_web::AppExt;

#[cfg(test)]
mod tests {
    /// Every limited operation documents the rate-limit fields on each of its
    /// responses, and 429 with `Retry-After`; the probes document neither.
    #[test]
    fn every_operation_documents_its_rate_limit() {
        let spec: serde_json::Value = super::spec_json()
            .and_then(|s| serde_json::from_str(&s))
            .unwrap_or_default();
        let paths = spec["paths"].as_object().cloned().unwrap_or_default();
        assert!(paths.len() > 50, "the spec has its paths");
        for (path, item) in &paths {
            let limited = crate::rate_limit::limited(path);
            let ops = item.as_object().into_iter().flatten();
            for (method, op) in
                ops.filter(|(m, _)| ["get", "post", "put", "patch", "delete", "head"].contains(&m.as_str()))
            {
                let responses = op["responses"].as_object().cloned().unwrap_or_default();
                assert_eq!(
                    responses.contains_key("429"),
                    limited,
                    "{method} {path}: 429 documented exactly when limited"
                );
                if limited {
                    assert!(
                        responses["429"]["headers"].get("Retry-After").is_some(),
                        "{method} {path}: 429 has Retry-After"
                    );
                }
                for (status, response) in &responses {
                    for field in ["RateLimit-Policy", "RateLimit"] {
                        assert_eq!(
                            response["headers"].get(field).is_some(),
                            limited,
                            "{method} {path} {status}: {field}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn webhook_event_fields_list_every_event_type() {
        let spec: serde_json::Value = super::spec_json()
            .and_then(|s| serde_json::from_str(&s))
            .unwrap_or_default();
        let schemas = &spec["components"]["schemas"];
        for body in ["CreateWebhookEndpoint", "UpdateWebhookEndpoint"] {
            assert_eq!(
                schemas[body]["properties"]["events"]["items"]["$ref"], "#/components/schemas/WebhookEventType",
                "{body}"
            );
        }
        let names = schemas["WebhookEventType"]["enum"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(names.contains(&"*".into()));
        for action in domain::AuditAction::ALL {
            assert!(names.contains(&action.as_str().into()), "{}", action.as_str());
        }
    }
}
