//! Issue, mark paid, void.

use actix_web::{post, web, HttpResponse};
use domain::{Action, InvoiceChange, Principal};
use uuid::Uuid;

use super::view::InvoiceView;
use super::visible;
use crate::auth::{audit_entry, Authenticated};
use crate::error::{ApiError, Problem};
use crate::preconditions::tagged;
use crate::state::AppState;

async fn change(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    change: InvoiceChange,
) -> Result<HttpResponse, ApiError> {
    visible(state, principal, id, Action::ChangeInvoiceStatus).await?;
    let scope = principal.home_path.clone();
    let who = audit_entry(principal);
    let inv = state
        .db(move |s| s.change_invoice_status(&scope, id, change, &who))
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
        (status = 403, description = "Your role may not change invoices", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/invoices/{id}/issue")]
pub async fn issue_invoice(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(&state, &principal, id.into_inner(), InvoiceChange::Issue).await
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
        (status = 403, description = "Your role may not change invoices", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not issued", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/invoices/{id}/mark-paid")]
pub async fn mark_invoice_paid(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(&state, &principal, id.into_inner(), InvoiceChange::MarkPaid).await
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
        (status = 403, description = "Your role may not change invoices", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invoice in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already paid or void", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/invoices/{id}/void")]
pub async fn void_invoice(
    state: web::Data<AppState>,
    Authenticated(principal): Authenticated,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    change(&state, &principal, id.into_inner(), InvoiceChange::Void).await
}
