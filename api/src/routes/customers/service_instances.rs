//! Service instances: list, add, remove.

use actix_web::{delete, get, http::header, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use domain::actions::{ManageServiceInstances, ReadCustomers};
use domain::{codes, parse_all, Slug};
use persistence::ServiceInstance;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::guard::{Customer, Guarded};
use crate::problems::Problems;
use crate::state::AppState;

/// A service provisioned for a customer in a region.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c", "customer_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c", "service": "call-manager", "region": "eu-west", "created_at": "2026-11-23T10:00:00Z"}))]
pub struct ServiceInstanceView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub service: String,
    pub region: String,
    pub created_at: DateTime<Utc>,
}

impl From<ServiceInstance> for ServiceInstanceView {
    fn from(s: ServiceInstance) -> Self {
        Self {
            id: s.id,
            customer_id: s.customer_id,
            service: s.service,
            region: s.region,
            created_at: s.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceInstanceList {
    pub items: Vec<ServiceInstanceView>,
    /// Always null: a customer has few instances, listed whole.
    pub next_cursor: Option<String>,
}

/// Provision a service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"service": "call-manager", "region": "eu-west"}))]
pub struct CreateServiceInstance {
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,62}$")]
    pub service: String,
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,62}$")]
    pub region: String,
}

/// List a customer's service instances
///
/// Every live service instance of the customer, oldest first.
#[utoipa::path(
    tag = "Customers",
    operation_id = "listServiceInstances",
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The instances", body = ServiceInstanceList),
    ),
    security(("bearer" = []))
)]
#[get("/customers/{id}/service-instances")]
pub async fn list_service_instances(
    state: web::Data<AppState>,
    customer: Guarded<ReadCustomers, Customer>,
) -> Result<HttpResponse, ApiError> {
    let items = customer
        .db(&state, |s, _, customer| s.service_instances(customer.id))
        .await?;
    Ok(HttpResponse::Ok().json(ServiceInstanceList {
        items: items.into_iter().map(ServiceInstanceView::from).collect(),
        next_cursor: None,
    }))
}

/// Provision a service instance
///
/// Adds a catalogue service in one of its regions for the customer (404
/// `reference_not_found` naming `service` for a key not in the catalogue, 422
/// `region` for a region it is not offered in); a customer has at most one
/// live instance per service and region.
#[utoipa::path(
    tag = "Customers",
    operation_id = "createServiceInstance",
    request_body = CreateServiceInstance,
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 201, description = "Provisioned", body = ServiceInstanceView,
            headers(("Location" = String, description = "URL of the instance"))),
        Problems<(codes::Duplicate, codes::CustomerArchived, codes::ReferenceNotFound)>,
    ),
    security(("bearer" = []))
)]
#[post("/customers/{id}/service-instances")]
pub async fn create_service_instance(
    state: web::Data<AppState>,
    customer: Guarded<ManageServiceInstances, Customer>,
    body: StrictJson<CreateServiceInstance>,
) -> Result<HttpResponse, ApiError> {
    let instance = customer
        .db(&state, move |s, principal, customer| -> Result<_, ApiError> {
            let (service, region) = parse_all((
                Slug::parse(&body.0.service, "service"),
                Slug::parse(&body.0.region, "region"),
            ))?;
            let who = audit_entry(principal);
            Ok(s.add_service_instance(&principal.home_path, customer.id, &service, &region, &who)?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/v1/service-instances/{}", instance.id)))
        .json(ServiceInstanceView::from(instance)))
}

/// Remove a service instance
///
/// Deprovisions the instance. The record is kept for the audit trail; the same
/// service can then be provisioned again in that region.
#[utoipa::path(
    tag = "Customers",
    operation_id = "deleteServiceInstance",
    params(("id" = Uuid, Path, description = "Service instance id")),
    responses(
        (status = 204, description = "Removed"),
    ),
    security(("bearer" = []))
)]
#[delete("/service-instances/{id}")]
pub async fn delete_service_instance(
    state: web::Data<AppState>,
    instance: Guarded<ManageServiceInstances, ServiceInstance>,
) -> Result<HttpResponse, ApiError> {
    instance
        .db(&state, |s, principal, instance| {
            s.remove_service_instance(&principal.home_path, instance.id, &audit_entry(principal))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
