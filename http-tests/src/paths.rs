//! Every API path the tests call, built in one place (API.md lists them).
//! A `query` argument is appended as given: empty, or starting with `?`.

use std::fmt::Display;

use uuid::Uuid;

pub const ME: &str = "/v1/me";
pub const ORGANIZATIONS: &str = "/v1/organizations";
pub const OAUTH_TOKEN: &str = "/oauth/token";
pub const JWKS: &str = "/.well-known/jwks.json";
pub const OPENAPI: &str = "/openapi.json";
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const SWAGGER_UI: &str = "/swagger-ui/";

pub fn organization(id: impl Display) -> String {
    format!("/v1/organizations/{id}")
}

/// A sub-resource or action of an organisation: `/v1/organizations/{id}/{rest}`.
pub fn of_organization(id: impl Display, rest: &str) -> String {
    format!("/v1/organizations/{id}/{rest}")
}

pub fn operator(id: impl Display) -> String {
    format!("/v1/operators/{id}")
}

pub fn api_client(id: Uuid) -> String {
    format!("/v1/api-clients/{id}")
}

pub fn domain(domain: &str) -> String {
    format!("/v1/domains/{domain}")
}

/// A sub-resource of a customer: `/v1/customers/{id}/{rest}`.
pub fn of_customer(id: Uuid, rest: &str) -> String {
    format!("/v1/customers/{id}/{rest}")
}

pub fn service_instance(id: Uuid) -> String {
    format!("/v1/service-instances/{id}")
}

pub fn customer_user(id: Uuid) -> String {
    format!("/v1/customer-users/{id}")
}

pub fn subscription(id: Uuid) -> String {
    format!("/v1/subscriptions/{id}")
}

pub fn invoice(id: impl Display) -> String {
    format!("/v1/invoices/{id}")
}

pub fn application(id: Uuid) -> String {
    format!("/v1/applications/{id}")
}

pub fn programme_applications(org: Uuid) -> String {
    format!("/v1/programmes/{org}/applications")
}

pub fn activation(token: &str) -> String {
    format!("/v1/activations/{token}")
}

pub fn webhook_endpoint(id: Uuid) -> String {
    format!("/v1/webhook-endpoints/{id}")
}

pub fn webhook_delivery(id: Uuid) -> String {
    format!("/v1/webhook-deliveries/{id}")
}
