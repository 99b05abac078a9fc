use actix_web::{get, web, HttpResponse};
use domain::actions::ReadBilling;
use domain::{InvoiceStatus, Period};
use persistence::{Invoice, InvoiceFilter, Organization};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::view::{InvoiceDetail, InvoiceLineView, InvoicePage, InvoiceView};
use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::pagination;
use crate::preconditions::tagged;
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
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/invoices")]
pub async fn list_invoices(
    state: web::Data<AppState>,
    org: Guarded<ReadBilling, Organization>,
    query: StrictQuery<InvoicesQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let (rows, limit) = org
        .db(&state, move |s, _, org| -> Result<_, ApiError> {
            let limit = pagination::limit(q.limit)?;
            let after = pagination::decode_uuid("invoice", q.cursor.as_deref())?;
            let period = q
                .period
                .as_deref()
                .map(|p| Period::parse(p, "period").map(Period::as_string))
                .transpose()?;
            let filter = InvoiceFilter {
                period,
                status: q.status,
                customer: q.customer,
            };
            Ok((s.invoices(&org.path, &filter, after, limit + 1)?, limit))
        })
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
    ),
    security(("bearer" = []))
)]
#[get("/invoices/{id}")]
pub async fn get_invoice(
    state: web::Data<AppState>,
    inv: Guarded<ReadBilling, Invoice>,
) -> Result<HttpResponse, ApiError> {
    let (inv, lines) = inv
        .db(&state, |s, _, inv| {
            let lines = s.invoice_lines(inv.id)?;
            Ok::<_, ApiError>((inv, lines))
        })
        .await?;
    Ok(tagged(
        &mut HttpResponse::Ok(),
        inv.version,
        InvoiceDetail {
            invoice: InvoiceView::from(inv),
            lines: lines.into_iter().map(InvoiceLineView::from).collect(),
        },
    ))
}
