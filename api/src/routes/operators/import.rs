use actix_web::{post, web, HttpMessage, HttpRequest, HttpResponse};
use domain::Action;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::extract::{read_body, StrictQuery};
use crate::operator_import::{import, ImportReport};
use crate::routes::organizations::access::visible;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check everything and write nothing.
    #[param(default = false)]
    dry_run: Option<bool>,
}

/// Import operators from the legacy portal
///
/// A `text/csv` file (UTF-8, RFC 4180) with the header
/// `email,name,legacy_role,organization`. `legacy_role` maps `Invoice` → `viewer`
/// and `TenantAdmin` → `admin` (case-insensitive). `organization` is an
/// organisation id, or its partner path of names from this organisation down,
/// separated by `/` (e.g. `Northwind Distribution/Fabrikam Reseller`). With
/// `dry_run=true` the file is checked and nothing is written. A real run is all or
/// nothing: if any row is bad, the answer (422) lists every bad row with its line
/// and column and no operator is created. Operators already present are reported
/// under `existing`, not duplicated. New operators start `invited`.
#[utoipa::path(
    tag = "Operators",
    operation_id = "importOperators",
    params(("id" = Uuid, Path, description = "The organisation whose subtree the operators join"), ImportQuery),
    request_body(content = String, content_type = "text/csv",
        example = "email,name,legacy_role,organization\njane@fabrikam.example,Jane Doe,TenantAdmin,Northwind Distribution/Fabrikam Reseller\n"),
    responses(
        (status = 200, description = "Imported (or, on a dry run, checked): what was created and what already existed", body = ImportReport),
        (status = 403, description = "Only admins import operators", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An operator in the file was added by someone else meanwhile; nothing was imported", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than the import limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows: `errors` lists each with `line` and column (`field`); nothing was written", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/operators/import")]
pub async fn import_operators(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: StrictQuery<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let is_csv = matches!(req.mime_type(), Ok(Some(m)) if m.type_() == mime::TEXT && m.subtype() == mime::CSV);
    if !is_csv {
        return Err(ApiError::UnsupportedMediaType { expected: "text/csv" });
    }
    let target = visible(&state, &principal, id.into_inner(), Action::ImportOperators).await?;
    let body = read_body(payload, state.config.import_max_bytes).await?;
    let dry_run = query.0.dry_run.unwrap_or(false);
    let scope = principal.home_path.clone();
    let who = audit_entry(&principal);
    let store = state.store.clone();
    let report = web::block(move || import(&store, &scope, &target, &body, dry_run, &who)).await??;
    Ok(HttpResponse::Ok().json(report))
}
