//! Billing runs, invoices and their states, billing history, invoice-line CSV.

mod export;
mod history;
mod list;
mod run;
mod status;
pub mod view;

use domain::{Action, Principal};
use persistence::Invoice;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(run::run_billing)
        .service(list::list_invoices)
        .service(list::get_invoice)
        .service(status::issue_invoice)
        .service(status::void_invoice)
        .service(status::mark_invoice_paid)
        .service(history::get_billing_history)
        .service(export::export_invoice_lines);
}

/// An invoice whose customer is in the caller's scope (404 otherwise).
pub(crate) async fn visible(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    action: Action,
) -> Result<Invoice, ApiError> {
    let inv = state
        .db(move |s| s.invoice(id))
        .await?
        .filter(|i| principal.can_see(&i.customer_path))
        .ok_or(ApiError::NotFound)?;
    principal.authorize(action)?;
    Ok(inv)
}
