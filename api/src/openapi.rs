//! The OpenAPI document: collected from the registered routes, plus what applies
//! to every operation (bearer security, and the errors any authenticated call or
//! any call with a body can meet).

use domain::customer::country_codes;
use domain::subscription::currency_codes;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::schema::Schema;
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

/// Links from every response that carries an organisation id to the operations
/// on `/v1/organizations/{id}…`, so clients (and contract tests) can follow them.
fn add_links(api: &mut OpenApi) {
    let targets: Vec<String> = api
        .paths
        .paths
        .iter()
        .filter(|(path, _)| path.starts_with("/v1/organizations/{id}"))
        .flat_map(|(_, item)| {
            [&item.get, &item.post, &item.patch, &item.delete]
                .into_iter()
                .flatten()
                .filter_map(|op| op.operation_id.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    // Which schema carries the id, and where in the body.
    let sources = [
        ("OrganizationView", "$response.body#/id"),
        ("OrganizationPage", "$response.body#/items/0/id"),
        ("Me", "$response.body#/home_organization_id"),
    ];
    for item in api.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.post, &mut item.patch].into_iter().flatten() {
            for (status, response) in op.responses.responses.iter_mut() {
                let RefOr::T(response) = response else { continue };
                if !status.starts_with('2') {
                    continue;
                }
                let schema = response
                    .content
                    .get("application/json")
                    .and_then(|c| c.schema.as_ref())
                    .and_then(|s| match s {
                        RefOr::Ref(r) => r.ref_location.rsplit('/').next().map(str::to_owned),
                        RefOr::T(_) => None,
                    });
                let Some(expr) = sources
                    .iter()
                    .find(|(name, _)| Some(*name) == schema.as_deref())
                    .map(|(_, e)| *e)
                else {
                    continue;
                };
                for target in &targets {
                    response.links.insert(
                        target.clone(),
                        RefOr::T(
                            LinkBuilder::new()
                                .operation_id(target.clone())
                                .parameter("id", expr)
                                .description(format!("`{target}` on the organisation this response names"))
                                .build(),
                        ),
                    );
                }
            }
        }
    }
}

/// Lists the accepted codes as enums (countries in ISO 3166-1, currencies in
/// ISO 4217), so the contract says exactly which values the API takes; the lists
/// live in the domain crate.
fn list_codes(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let countries: Vec<serde_json::Value> = country_codes().map(serde_json::Value::from).collect();
    let optional_countries: Vec<serde_json::Value> =
        countries.iter().cloned().chain([serde_json::Value::Null]).collect();
    let currencies: Vec<serde_json::Value> = currency_codes().map(serde_json::Value::from).collect();
    // Nullable fields list `null` too, as their type does.
    let targets = [
        ("CreateOrganization", "country", &optional_countries),
        ("UpdateOrganization", "country", &optional_countries),
        ("ApplyToProgramme", "country", &countries),
        ("MoneyView", "currency", &currencies),
    ];
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

/// Adds links, and generates every operation's error responses from the codes
/// it can answer with (`crate::problems`); run after the paths are collected.
pub fn complete(api: &mut OpenApi) {
    add_links(api);
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
}

/// The document as served at `/openapi.json` and printed by `partner-portal openapi`.
///
/// utoipa 5 serializes a link's `operationId` as `operation_id`, and has no
/// top-level `webhooks` section; both are added to the JSON here, the one place
/// the document becomes text.
pub fn spec_json() -> Result<String, serde_json::Error> {
    let mut doc = serde_json::to_value(spec())?;
    mend_link_keys(&mut doc);
    crate::webhooks::spec::add_to(&mut doc);
    serde_json::to_string_pretty(&doc)
}

fn mend_link_keys(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(links) = map.get_mut("links").and_then(|l| l.as_object_mut()) {
                for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
                    if let Some(id) = link.remove("operation_id") {
                        link.insert("operationId".into(), id);
                    }
                }
            }
            map.values_mut().for_each(mend_link_keys);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mend_link_keys),
        _ => {}
    }
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
