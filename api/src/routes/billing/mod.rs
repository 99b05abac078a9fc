//! Billing runs, invoices and their states, billing history, invoice-line CSV.

mod export;
mod history;
mod list;
mod run;
mod status;
pub mod view;

use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(run::run_billing)
        .service(run::get_billing_run)
        .service(list::list_invoices)
        .service(list::get_invoice)
        .service(status::issue_invoice)
        .service(status::void_invoice)
        .service(status::mark_invoice_paid)
        .service(history::get_billing_history)
        .service(export::export_invoice_lines);
}
