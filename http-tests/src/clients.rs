//! Typed clients: `app.as_(&token).organizations().children(id, "?kind=customer")`
//! reads as the request a partner sends. [`As`] is a caller (a bearer token, or
//! none for public endpoints); each resource client builds its paths with
//! [`crate::paths`] and answers the [`Reply`] tests assert on.

use std::fmt::Display;

use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::paths;
use crate::{Reply, TestApp};

/// Requests on behalf of one caller.
#[derive(Clone, Copy)]
pub struct As<'a> {
    app: &'a TestApp,
    token: Option<&'a str>,
}

impl TestApp {
    /// Requests with `token` as the bearer.
    pub fn as_<'a>(&'a self, token: &'a str) -> As<'a> {
        As {
            app: self,
            token: Some(token),
        }
    }

    /// Requests as the provider's bootstrap admin.
    pub fn admin(&self) -> As<'_> {
        self.as_(&self.admin_token)
    }

    /// Requests without credentials (public endpoints, or to see a 401).
    pub fn anonymous(&self) -> As<'_> {
        As { app: self, token: None }
    }
}

impl<'a> As<'a> {
    /// A request to `path`, with the caller's bearer token if any.
    pub fn request(self, method: Method, path: &str) -> RequestBuilder {
        let req = self.app.client().request(method, self.app.url(path));
        match self.token {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }

    pub async fn send(self, req: RequestBuilder) -> Reply {
        self.app.send(req).await
    }

    pub async fn get(self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn head(self, path: &str) -> Reply {
        self.send(self.request(Method::HEAD, path)).await
    }

    pub async fn delete(self, path: &str) -> Reply {
        self.send(self.request(Method::DELETE, path)).await
    }

    pub async fn post(self, path: &str, body: Value) -> Reply {
        self.send(self.request(Method::POST, path).json(&body)).await
    }

    /// POST with an empty JSON object (actions such as `suspend`).
    pub async fn act(self, path: &str) -> Reply {
        self.post(path, json!({})).await
    }

    pub async fn patch(self, path: &str, body: Value, if_match: Option<&str>) -> Reply {
        let mut req = self.request(Method::PATCH, path).json(&body);
        if let Some(tag) = if_match {
            req = req.header("If-Match", tag);
        }
        self.send(req).await
    }
}

macro_rules! clients {
    ($($(#[$doc:meta])* $accessor:ident => $client:ident;)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy)]
            pub struct $client<'a>(As<'a>);
        )*
        impl<'a> As<'a> {
            $(
                $(#[$doc])*
                pub fn $accessor(self) -> $client<'a> {
                    $client(self)
                }
            )*
        }
    };
}

clients! {
    /// `/v1/organizations`: the tree, its listings and status changes.
    organizations => Organizations;
    /// Operators of an organisation, and their legacy CSV import.
    operators => Operators;
    /// API clients (client-credentials) of an organisation.
    api_clients => ApiClients;
    /// Customers, their domains and service instances.
    customers => Customers;
    /// Customer portal users.
    customer_users => CustomerUsers;
    /// Subscriptions of customers and subtrees.
    subscriptions => Subscriptions;
    /// Billing runs, invoices and billing history.
    billing => Billing;
    /// Partner programme applications.
    applications => Applications;
    /// Activation links and their public pages.
    activations => Activations;
    /// The audit log and its CSV export.
    audit => Audit;
    /// CSV reports.
    reports => Reports;
    /// Dashboard and usage.
    insights => Insights;
    /// The OAuth2 token endpoint.
    oauth => OAuth;
    /// Who am I, health, keys and the spec.
    platform => Platform;
    /// Webhook endpoints, their deliveries and redeliveries.
    webhooks => Webhooks;
}

impl Organizations<'_> {
    pub async fn create(self, body: Value) -> Reply {
        self.0.post(paths::ORGANIZATIONS, body).await
    }

    /// POST with an `Idempotency-Key`.
    pub async fn create_with_key(self, body: &Value, key: &str) -> Reply {
        let req = self
            .0
            .request(Method::POST, paths::ORGANIZATIONS)
            .header("Idempotency-Key", key)
            .json(body);
        self.0.send(req).await
    }

    pub async fn get(self, id: impl Display) -> Reply {
        self.0.get(&paths::organization(id)).await
    }

    pub async fn update(self, id: Uuid, body: Value, if_match: Option<&str>) -> Reply {
        self.0.patch(&paths::organization(id), body, if_match).await
    }

    pub async fn children(self, id: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_organization(id, "children") + query)).await
    }

    pub async fn descendants(self, id: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_organization(id, "descendants") + query)).await
    }

    /// POST `/move` with `body` (`{parent_id}`).
    pub async fn move_to(self, id: Uuid, body: Value) -> Reply {
        self.0.post(&paths::of_organization(id, "move"), body).await
    }

    pub async fn suspend(self, id: Uuid) -> Reply {
        self.0.act(&paths::of_organization(id, "suspend")).await
    }

    pub async fn reactivate(self, id: Uuid) -> Reply {
        self.0.act(&paths::of_organization(id, "reactivate")).await
    }

    pub async fn archive(self, id: Uuid) -> Reply {
        self.0.act(&paths::of_organization(id, "archive")).await
    }

    /// POST `/v1/organizations/{id}/{verb}`: a status change named by the test.
    pub async fn act(self, id: Uuid, verb: &str) -> Reply {
        self.0.act(&paths::of_organization(id, verb)).await
    }
}

impl Operators<'_> {
    /// The operators of `org`'s subtree.
    pub async fn list(self, org: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_organization(org, "operators") + query)).await
    }

    pub async fn create(self, org: Uuid, body: Value) -> Reply {
        self.0.post(&paths::of_organization(org, "operators"), body).await
    }

    pub async fn get(self, id: impl Display) -> Reply {
        self.0.get(&paths::operator(id)).await
    }

    pub async fn update(self, id: Uuid, body: Value, if_match: Option<&str>) -> Reply {
        self.0.patch(&paths::operator(id), body, if_match).await
    }

    pub async fn disable(self, id: Uuid) -> Reply {
        self.0.act(&(paths::operator(id) + "/disable")).await
    }

    pub async fn enable(self, id: Uuid) -> Reply {
        self.0.act(&(paths::operator(id) + "/enable")).await
    }

    /// A POST to `org`'s import (`query` such as `?dry_run=true`), for a body
    /// and content type of the test's own.
    pub fn import_request(self, org: Uuid, query: &str) -> RequestBuilder {
        self.0
            .request(Method::POST, &(paths::of_organization(org, "operators/import") + query))
    }

    pub async fn send(self, req: RequestBuilder) -> Reply {
        self.0.send(req).await
    }

    /// POST an import as `multipart/form-data` with these parts (name, file
    /// name if a file, bytes), built by hand as a browser or an SDK sends it.
    pub async fn import_parts(self, org: Uuid, parts: &[Part<'_>], query: &str) -> Reply {
        const BOUNDARY: &str = "----partner-portal-test-7d1f";
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
            );
            if let Some(file) = file {
                body.extend_from_slice(format!("; filename=\"{file}\"\r\nContent-Type: text/csv").as_bytes());
            }
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let req = self
            .import_request(org, query)
            .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body);
        self.send(req).await
    }

    /// POST a `text/csv` import; `query` such as `?dry_run=true`.
    pub async fn import(self, org: Uuid, csv: impl Into<Vec<u8>>, query: &str) -> Reply {
        let req = self
            .import_request(org, query)
            .header("Content-Type", "text/csv")
            .body(csv.into());
        self.send(req).await
    }
}

/// One part of a `multipart/form-data` body: name, file name if a file, bytes.
pub type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

impl Webhooks<'_> {
    pub async fn list(self, org: Uuid) -> Reply {
        self.0.get(&paths::of_organization(org, "webhook-endpoints")).await
    }

    pub async fn create(self, org: Uuid, body: Value) -> Reply {
        self.0
            .post(&paths::of_organization(org, "webhook-endpoints"), body)
            .await
    }

    pub async fn get(self, id: Uuid) -> Reply {
        self.0.get(&paths::webhook_endpoint(id)).await
    }

    pub async fn update(self, id: Uuid, body: Value, if_match: Option<&str>) -> Reply {
        self.0.patch(&paths::webhook_endpoint(id), body, if_match).await
    }

    pub async fn delete(self, id: Uuid, if_match: Option<&str>) -> Reply {
        let mut req = self.0.request(Method::DELETE, &paths::webhook_endpoint(id));
        if let Some(tag) = if_match {
            req = req.header("If-Match", tag);
        }
        self.0.send(req).await
    }

    pub async fn rotate_secret(self, id: Uuid) -> Reply {
        self.0.act(&(paths::webhook_endpoint(id) + "/rotate-secret")).await
    }

    /// Queues a `ping` to the endpoint.
    pub async fn test(self, id: Uuid) -> Reply {
        self.0.act(&(paths::webhook_endpoint(id) + "/test")).await
    }

    pub async fn deliveries(self, id: Uuid) -> Reply {
        self.0.get(&(paths::webhook_endpoint(id) + "/deliveries")).await
    }

    pub async fn redeliver(self, delivery: Uuid) -> Reply {
        self.0.act(&(paths::webhook_delivery(delivery) + "/redeliver")).await
    }
}

impl ApiClients<'_> {
    pub async fn list(self, org: Uuid) -> Reply {
        self.0.get(&paths::of_organization(org, "api-clients")).await
    }

    pub async fn create(self, org: Uuid, body: Value) -> Reply {
        self.0.post(&paths::of_organization(org, "api-clients"), body).await
    }

    pub async fn get(self, id: Uuid) -> Reply {
        self.0.get(&paths::api_client(id)).await
    }

    pub async fn rotate_secret(self, id: Uuid) -> Reply {
        self.0.act(&(paths::api_client(id) + "/rotate-secret")).await
    }

    pub async fn revoke(self, id: Uuid) -> Reply {
        self.0.act(&(paths::api_client(id) + "/revoke")).await
    }
}

impl Customers<'_> {
    /// The customers of `org`'s subtree, with their summaries.
    pub async fn list(self, org: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_organization(org, "customers") + query)).await
    }

    /// GET `/v1/domains/{domain}`: whether a prefix is free.
    pub async fn domain(self, domain: &str) -> Reply {
        self.0.get(&paths::domain(domain)).await
    }

    /// HEAD `/v1/domains/{domain}`: 200 taken, 404 free.
    pub async fn head_domain(self, domain: &str) -> Reply {
        self.0.head(&paths::domain(domain)).await
    }

    pub async fn service_instances(self, customer: Uuid) -> Reply {
        self.0.get(&paths::of_customer(customer, "service-instances")).await
    }

    pub async fn add_service_instance(self, customer: Uuid, body: Value) -> Reply {
        self.0
            .post(&paths::of_customer(customer, "service-instances"), body)
            .await
    }

    pub async fn delete_service_instance(self, id: Uuid) -> Reply {
        self.0.delete(&paths::service_instance(id)).await
    }
}

impl CustomerUsers<'_> {
    pub async fn list(self, customer: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_customer(customer, "users") + query)).await
    }

    pub async fn create(self, customer: Uuid, body: Value) -> Reply {
        self.0.post(&paths::of_customer(customer, "users"), body).await
    }

    pub async fn get(self, id: Uuid) -> Reply {
        self.0.get(&paths::customer_user(id)).await
    }

    pub async fn update(self, id: Uuid, body: Value, if_match: Option<&str>) -> Reply {
        self.0.patch(&paths::customer_user(id), body, if_match).await
    }

    pub async fn impersonate(self, id: Uuid) -> Reply {
        self.0.act(&(paths::customer_user(id) + "/impersonate")).await
    }
}

impl Subscriptions<'_> {
    /// A customer's subscriptions.
    pub async fn list(self, customer: Uuid, query: &str) -> Reply {
        self.0
            .get(&(paths::of_customer(customer, "subscriptions") + query))
            .await
    }

    /// The subscriptions of `org`'s subtree.
    pub async fn in_subtree(self, org: Uuid, query: &str) -> Reply {
        self.0
            .get(&(paths::of_organization(org, "subscriptions") + query))
            .await
    }

    pub async fn create(self, customer: Uuid, body: Value) -> Reply {
        self.0.post(&paths::of_customer(customer, "subscriptions"), body).await
    }

    pub async fn get(self, id: Uuid) -> Reply {
        self.0.get(&paths::subscription(id)).await
    }

    pub async fn update(self, id: Uuid, body: Value, if_match: Option<&str>) -> Reply {
        self.0.patch(&paths::subscription(id), body, if_match).await
    }

    pub async fn history(self, id: Uuid) -> Reply {
        self.0.get(&(paths::subscription(id) + "/history")).await
    }

    /// POST `/v1/subscriptions/{id}/{verb}`: `suspend`, `reactivate` or `cancel`.
    pub async fn act(self, id: Uuid, verb: &str) -> Reply {
        self.0.act(&format!("{}/{verb}", paths::subscription(id))).await
    }
}

impl Billing<'_> {
    /// POST `/v1/organizations/{id}/billing-runs`: queues a run (202).
    pub async fn run(self, org: Uuid, body: Value) -> Reply {
        self.0.post(&paths::of_organization(org, "billing-runs"), body).await
    }

    /// GET `/v1/billing-runs/{id}`.
    pub async fn billing_run(self, id: impl Display) -> Reply {
        self.0.get(&format!("/v1/billing-runs/{id}")).await
    }

    pub async fn invoices(self, org: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_organization(org, "invoices") + query)).await
    }

    pub async fn invoice(self, id: impl Display) -> Reply {
        self.0.get(&paths::invoice(id)).await
    }

    /// POST `/v1/invoices/{id}/{verb}`: `issue`, `void` or `mark-paid`.
    pub async fn act(self, id: impl Display, verb: &str) -> Reply {
        self.0.act(&format!("{}/{verb}", paths::invoice(id))).await
    }

    pub async fn history(self, org: Uuid) -> Reply {
        self.0.get(&paths::of_organization(org, "billing-history")).await
    }
}

impl Applications<'_> {
    /// Public: apply to `org`'s partner programme.
    pub async fn apply(self, org: Uuid, body: Value) -> Reply {
        self.0.post(&paths::programme_applications(org), body).await
    }

    pub async fn list(self, org: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_organization(org, "applications") + query)).await
    }

    pub async fn get(self, id: Uuid) -> Reply {
        self.0.get(&paths::application(id)).await
    }

    /// POST `/v1/applications/{id}/{decision}` (`approve` or `reject`).
    pub async fn decide(self, id: Uuid, decision: &str, body: Value) -> Reply {
        self.0
            .post(&format!("{}/{decision}", paths::application(id)), body)
            .await
    }
}

impl Activations<'_> {
    /// Sends (or resends) `org`'s activation link.
    pub async fn send_link(self, org: Uuid, body: Value) -> Reply {
        self.0.post(&paths::of_organization(org, "activation-link"), body).await
    }

    pub async fn revoke_link(self, org: Uuid) -> Reply {
        self.0.delete(&paths::of_organization(org, "activation-link")).await
    }

    /// Public: what the link is for.
    pub async fn get(self, token: &str) -> Reply {
        self.0.get(&paths::activation(token)).await
    }

    /// Public: accept the link.
    pub async fn accept(self, token: &str, body: Value) -> Reply {
        self.0.post(&paths::activation(token), body).await
    }
}

impl Audit<'_> {
    pub async fn events(self, org: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_organization(org, "audit-events") + query)).await
    }

    pub async fn export(self, org: Uuid, query: &str) -> Reply {
        self.0
            .get(&(paths::of_organization(org, "audit-events.csv") + query))
            .await
    }
}

impl Reports<'_> {
    /// GET `/v1/organizations/{org}/reports/{name}.csv`.
    pub async fn get(self, org: Uuid, name: &str, query: &str) -> Reply {
        self.0
            .get(&format!(
                "{}{query}",
                paths::of_organization(org, &format!("reports/{name}.csv"))
            ))
            .await
    }
}

impl Insights<'_> {
    pub async fn dashboard(self, org: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_organization(org, "dashboard") + query)).await
    }

    pub async fn usage(self, org: Uuid, query: &str) -> Reply {
        self.0.get(&(paths::of_organization(org, "usage") + query)).await
    }
}

impl OAuth<'_> {
    /// A POST to the token endpoint, for bodies and headers of the test's own.
    pub fn request(self) -> RequestBuilder {
        self.0.request(Method::POST, paths::OAUTH_TOKEN)
    }

    pub async fn send(self, req: RequestBuilder) -> Reply {
        self.0.send(req).await
    }

    /// POST a form-encoded token request, with `Authorization` if given.
    pub async fn token(self, form: &str, authorization: Option<&str>) -> Reply {
        let mut req = self
            .request()
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.to_owned());
        if let Some(value) = authorization {
            req = req.header("Authorization", value);
        }
        self.0.send(req).await
    }
}

impl Platform<'_> {
    pub async fn me(self) -> Reply {
        self.0.get(paths::ME).await
    }

    pub async fn jwks(self) -> Reply {
        self.0.get(paths::JWKS).await
    }

    pub async fn openapi(self) -> Reply {
        self.0.get(paths::OPENAPI).await
    }

    pub async fn healthz(self) -> Reply {
        self.0.get(paths::HEALTHZ).await
    }

    pub async fn readyz(self) -> Reply {
        self.0.get(paths::READYZ).await
    }

    pub async fn swagger_ui(self) -> Reply {
        self.0.get(paths::SWAGGER_UI).await
    }
}
