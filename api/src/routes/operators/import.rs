use actix_web::{post, web, HttpMessage, HttpRequest, HttpResponse};
use domain::actions::ImportOperators;
use domain::codes;
use persistence::Organization;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::import_report::{body, spool, spool_part, ReportWriter};
use crate::operator_import::{import, ImportReport, ImportUpload};
use crate::problems::Problems;
use crate::state::AppState;

const EXAMPLE: &str = "email,name,legacy_role,organization\njane@fabrikam.example,Jane Doe,TenantAdmin,Northwind Distribution/Fabrikam Reseller\n";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check everything and write nothing.
    #[param(default = false)]
    dry_run: Option<bool>,
}

/// Import operators from the legacy portal
///
/// A CSV file (UTF-8, RFC 4180), sent as the `text/csv` body or as the `file`
/// part of a `multipart/form-data` upload, with the header
/// `email,name,legacy_role,organization`. `legacy_role` maps `Invoice` → `viewer`
/// and `TenantAdmin` → `admin` (case-insensitive). `organization` is an
/// organisation id, or its partner path of names from this organisation down,
/// separated by `/` (e.g. `Northwind Distribution/Fabrikam Reseller`). With
/// `dry_run=true` the file is checked and nothing is written. A real run is all or
/// nothing: if any row is bad, the answer (422) lists every bad row with its line
/// and column (the first 1,000, then a count) and no operator is created.
/// Operators already present are reported under `existing`, not duplicated.
/// New operators start `invited`. The file is streamed: memory does not grow
/// with its size.
#[utoipa::path(
    tag = "Operators",
    operation_id = "importOperators",
    params(("id" = Uuid, Path, description = "The organisation whose subtree the operators join"), ImportQuery),
    request_body(content(
        (String = "text/csv", example = json!(EXAMPLE)),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "Imported (or, on a dry run, checked): what was created and what already existed", body = ImportReport),
        Problems<(codes::ImportRejected, codes::Duplicate)>,
    ),
    security(("bearer" = []))
)]
#[post("/organizations/{id}/operators/import")]
pub async fn import_operators(
    state: web::Data<AppState>,
    target: Guarded<ImportOperators, Organization>,
    req: HttpRequest,
    query: StrictQuery<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let limit = state.config.import_max_bytes;
    let mut file = match req.mime_type() {
        Ok(Some(m)) if m.type_() == mime::TEXT && m.subtype() == mime::CSV => spool(payload, limit).await?,
        Ok(Some(m)) if m.type_() == mime::MULTIPART && m.subtype() == mime::FORM_DATA => {
            spool_part(&req, payload, "file", limit).await?
        }
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                expected: "text/csv or multipart/form-data",
            })
        }
    };
    let dry_run = query.0.dry_run.unwrap_or(false);
    let (report, len) = target
        .db(&state, move |s, principal, target| -> Result<_, ApiError> {
            let mut report = ReportWriter::new(dry_run).map_err(spool_failed)?;
            import(
                s,
                &principal.home_path,
                &target,
                &mut file,
                dry_run,
                &audit_entry(principal),
                &mut report,
            )?;
            report.finish().map_err(spool_failed)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(mime::APPLICATION_JSON)
        .no_chunking(len)
        .streaming(body(report)))
}

fn spool_failed(e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("the import's report spool: {e}"))
}
