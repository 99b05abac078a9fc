//! Issue, mark paid, void.

use actix_web::{post, web, HttpResponse};
use domain::actions::ChangeInvoiceStatus;
use domain::{codes, InvoiceChange};
use persistence::Invoice;

use super::view::InvoiceView;
use crate::auth::audit_entry;
use crate::error::ApiError;
use crate::guard::Guarded;
use crate::preconditions::tagged;
use crate::problems::Problems;
use crate::state::AppState;

type Changed = Guarded<ChangeInvoiceStatus, Invoice>;

async fn change(state: &AppState, inv: Changed, change: InvoiceChange) -> Result<HttpResponse, ApiError> {
    let inv = inv
        .db(state, move |s, principal, inv| {
            s.change_invoice_status(&principal.home_path, inv.id, change, &audit_entry(principal))
        })
        .await?;
    Ok(tagged(&mut HttpResponse::Ok(), inv.version, InvoiceView::from(inv)))
}

/// Issue an invoice
///
/// A `draft` invoice becomes `issued`; from then on its lines and total never
/// change (billing runs leave it alone). Needs the `billing` or `admin` role.
#[utoipa::path(
    tag = "Billing",
    operation_id = "issueInvoice",
    params(("id" = Uuid, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "Issued", body = InvoiceView),
        Problems<(codes::InvalidStatusTransition,)>,
    ),
    security(("bearer" = []))
)]
#[post("/invoices/{id}/issue")]
pub async fn issue_invoice(state: web::Data<AppState>, inv: Changed) -> Result<HttpResponse, ApiError> {
    change(&state, inv, InvoiceChange::Issue).await
}

/// Mark an invoice paid
///
/// An `issued` invoice becomes `paid` (final). Needs the `billing` or `admin` role.
#[utoipa::path(
    tag = "Billing",
    operation_id = "markInvoicePaid",
    params(("id" = Uuid, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "Paid", body = InvoiceView),
        Problems<(codes::InvalidStatusTransition,)>,
    ),
    security(("bearer" = []))
)]
#[post("/invoices/{id}/mark-paid")]
pub async fn mark_invoice_paid(state: web::Data<AppState>, inv: Changed) -> Result<HttpResponse, ApiError> {
    change(&state, inv, InvoiceChange::MarkPaid).await
}

/// Void an invoice
///
/// A `draft` or `issued` invoice becomes `void` (final); a later billing run
/// does not replace it. Needs the `billing` or `admin` role.
#[utoipa::path(
    tag = "Billing",
    operation_id = "voidInvoice",
    params(("id" = Uuid, Path, description = "Invoice id")),
    responses(
        (status = 200, description = "Void", body = InvoiceView),
        Problems<(codes::InvalidStatusTransition,)>,
    ),
    security(("bearer" = []))
)]
#[post("/invoices/{id}/void")]
pub async fn void_invoice(state: web::Data<AppState>, inv: Changed) -> Result<HttpResponse, ApiError> {
    change(&state, inv, InvoiceChange::Void).await
}
