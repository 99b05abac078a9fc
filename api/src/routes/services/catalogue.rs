//! The service catalogue: list, add, read, change.

use actix_web::{get, http::header, patch, post, web, HttpRequest, HttpResponse};
use domain::{codes, parse_all, Action, DisplayName, HttpsUrl, Regions, Slug};
use persistence::{NewService, ServicePatch};

use super::view::{CreateService, ServiceList, ServiceView, UpdateService};
use crate::auth::{audit_entry, Authenticated};
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::preconditions::{if_match, tagged};
use crate::problems::Problems;
use crate::state::AppState;

/// List the service catalogue
///
/// Every service customers can have provisioned, by key.
#[utoipa::path(
    tag = "Services",
    operation_id = "listServices",
    responses(
        (status = 200, description = "The catalogue", body = ServiceList),
    ),
    security(("bearer" = []))
)]
#[get("/services")]
pub async fn list_services(state: web::Data<AppState>, caller: Authenticated) -> Result<HttpResponse, ApiError> {
    let items = caller
        .db(&state, |s, principal| -> Result<_, ApiError> {
            principal.authorize(Action::ReadServices)?;
            Ok(s.services()?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ServiceList {
        items: items.into_iter().map(ServiceView::from).collect(),
        next_cursor: None,
    }))
}

/// Add a service to the catalogue
///
/// `key` is a slug such as `call-manager`, unique in the catalogue (409);
/// `launch_url` is `https`; `regions` lists at least one region slug. The
/// provider's admins only; audited.
#[utoipa::path(
    tag = "Services",
    operation_id = "createService",
    request_body = CreateService,
    responses(
        (status = 201, description = "Added", body = ServiceView,
            headers(("Location" = String, description = "URL of the service"), ("ETag" = String, description = "Its version"))),
        Problems<(codes::Duplicate,)>,
    ),
    security(("bearer" = []))
)]
#[post("/services")]
pub async fn create_service(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: StrictJson<CreateService>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let service = caller
        .db(&state, move |s, principal| -> Result<_, ApiError> {
            principal.authorize(Action::ManageServices)?;
            let (key, name, launch_url, regions) = parse_all((
                Slug::parse(&body.key, "key"),
                DisplayName::parse(&body.name),
                HttpsUrl::parse(&body.launch_url, "launch_url"),
                Regions::parse(&body.regions),
            ))?;
            let new = NewService {
                key,
                name,
                launch_url,
                regions,
            };
            let home = principal.home_path.leaf().ok_or(ApiError::NotFound)?;
            Ok(s.create_service(home, &new, &audit_entry(principal))?)
        })
        .await?;
    Ok(tagged(
        HttpResponse::Created().insert_header((header::LOCATION, format!("/v1/services/{}", service.key))),
        service.version,
        ServiceView::from(service),
    ))
}

/// Read a catalogue service
///
/// One service of the catalogue by its key. The `ETag` header carries its
/// version for `If-Match`.
#[utoipa::path(
    tag = "Services",
    operation_id = "getService",
    params(("key" = String, Path, description = "Service key, e.g. `call-manager`")),
    responses(
        (status = 200, description = "The service", body = ServiceView,
            headers(("ETag" = String, description = "Its version"))),
        Problems<(codes::NotFound,)>,
    ),
    security(("bearer" = []))
)]
#[get("/services/{key}")]
pub async fn get_service(
    state: web::Data<AppState>,
    caller: Authenticated,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let service = caller
        .db(&state, move |s, principal| -> Result<_, ApiError> {
            principal.authorize(Action::ReadServices)?;
            s.service(&key)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        service.version,
        ServiceView::from(service),
    ))
}

/// Change a catalogue service
///
/// Its name, launch URL or regions (the key never changes). Instances in a
/// region no longer listed keep working; new ones must name a listed region.
/// The provider's admins only; audited. Send the `ETag` you read as `If-Match`.
#[utoipa::path(
    tag = "Services",
    operation_id = "updateService",
    request_body = UpdateService,
    params(
        ("key" = String, Path, description = "Service key"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read; the update applies only if it is still current"),
    ),
    responses(
        (status = 200, description = "Changed", body = ServiceView,
            headers(("ETag" = String, description = "The new version"))),
        Problems<(codes::NotFound, codes::StaleVersion)>,
    ),
    security(("bearer" = []))
)]
#[patch("/services/{key}")]
pub async fn update_service(
    state: web::Data<AppState>,
    caller: Authenticated,
    key: web::Path<String>,
    req: HttpRequest,
    body: StrictJson<UpdateService>,
) -> Result<HttpResponse, ApiError> {
    let (key, expected, body) = (key.into_inner(), if_match(&req), body.0);
    let service = caller
        .db(&state, move |s, principal| -> Result<_, ApiError> {
            principal.authorize(Action::ManageServices)?;
            s.service(&key)?.ok_or(ApiError::NotFound)?;
            let expected = expected?;
            let (name, launch_url, regions) = parse_all((
                body.name.as_deref().map(DisplayName::parse).transpose(),
                body.launch_url
                    .as_deref()
                    .map(|u| HttpsUrl::parse(u, "launch_url"))
                    .transpose(),
                body.regions.as_deref().map(Regions::parse).transpose(),
            ))?;
            let patch = ServicePatch {
                name,
                launch_url,
                regions,
            };
            let home = principal.home_path.leaf().ok_or(ApiError::NotFound)?;
            Ok(s.update_service(home, &key, expected, &patch, &audit_entry(principal))?)
        })
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        service.version,
        ServiceView::from(service),
    ))
}
