use actix_web::{get, web, HttpResponse};
use domain::Action;
use uuid::Uuid;

use super::view::{BillingHistory, BillingTotalView};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::routes::organizations::access::visible;
use crate::state::AppState;

/// Read the billing history
///
/// For this organisation's subtree, per period and currency: the number of
/// invoices and their total in integer minor units, newest period first. Void
/// invoices are left out; drafts are included. Needs the `billing` or `admin` role.
#[utoipa::path(
    tag = "Billing",
    operation_id = "getBillingHistory",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "Totals per period and currency", body = BillingHistory),
        (status = 403, description = "Your role may not read billing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/billing-history")]
pub async fn get_billing_history(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let org = visible(&state, &principal, id.into_inner(), Action::ReadBilling).await?;
    let rows = state.db(move |s| s.billing_history(&org.path)).await?;
    Ok(HttpResponse::Ok().json(BillingHistory {
        items: rows.into_iter().map(BillingTotalView::from).collect(),
    }))
}
