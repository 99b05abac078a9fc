use actix_web::{get, web, HttpResponse};
use domain::{Action, InvoiceStatus, Period};
use persistence::InvoiceFilter;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::view::{InvoiceDetail, InvoiceLineView, InvoicePage, InvoiceView};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::extract::StrictQuery;
use crate::pagination;
use crate::preconditions::tagged;
use crate::routes::organizations::access::visible;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoicesQuery {
    /// Only this month, `YYYY-MM`.
    #[param(pattern = "^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$")]
    period: Option<String>,
    /// Only invoices in this status.
    status: Option<InvoiceStatus>,
    /// Only this customer's invoices.
    customer: Option<Uuid>,
    /// Page size, 1 to 500.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// List invoices in a subtree
///
/// Invoices of every customer in this organisation's subtree, oldest first,
/// filtered by period, status and customer. Needs the `billing` or `admin` role.
#[utoipa::path(
    tag = "Billing",
    operation_id = "listInvoices",
    params(("id" = Uuid, Path, description = "Organisation id"), InvoicesQuery),
    responses(
        (status = 200, description = "A page of invoices", body = InvoicePage),
        (status = 403, description = "Your role may not read billing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter, `limit` or `cursor` is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/invoices")]
pub async fn list_invoices(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
    query: StrictQuery<InvoicesQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let limit = pagination::limit(q.limit)?;
    let after = pagination::decode_uuid("invoice", q.cursor.as_deref())?;
    let period = q
        .period
        .as_deref()
        .map(|p| Period::parse(p, "period").map(Period::as_string))
        .transpose()?;
    let org = visible(&state, &principal, id.into_inner(), Action::ReadBilling).await?;
    let filter = InvoiceFilter {
        period,
        status: q.status,
        customer: q.customer,
    };
    let rows = state
        .db(move |s| s.invoices(&org.path, &filter, after, limit + 1))
        .await?;
    let (rows, next_cursor) = pagination::split_page(rows, limit, |i| i.id.to_string(), "invoice");
    Ok(HttpResponse::Ok().json(InvoicePage {
        items: rows.into_iter().map(InvoiceView::from).collect(),
        next_cursor,
    }))
}

/// Read an invoice
///
/// One invoice with its lines. The `ETag` header carries its version. Needs the
/// `billing` or `admin` role.
#[utoipa::path(
    tag = "Billing",
    operation_id = "getInvoice",
    params(("id" = Uuid, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "The invoice and its lines", body = InvoiceDetail,
            headers(("ETag" = String, description = "The invoice's version"))),
        (status = 403, description = "Your role may not read billing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/invoices/{id}")]
pub async fn get_invoice(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let inv = super::visible(&state, &principal, id.into_inner(), Action::ReadBilling).await?;
    let inv_id = inv.id;
    let lines = state.db(move |s| s.invoice_lines(inv_id)).await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        inv.version,
        InvoiceDetail {
            invoice: InvoiceView::from(inv),
            lines: lines.into_iter().map(InvoiceLineView::from).collect(),
        },
    ))
}
