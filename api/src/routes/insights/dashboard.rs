use actix_web::{get, web, HttpResponse};
use chrono::{Days, Utc};
use domain::actions::ReadDashboard;
use domain::insights::check_renewal_window;
use domain::{OrgKind, OrgStatus};
use persistence::Organization;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::StrictQuery;
use crate::guard::Guarded;
use crate::routes::organizations::view::{present, OrganizationView};
use crate::routes::subscriptions::view::SubscriptionView;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// Renewals within this many days from today (1–366).
    #[param(minimum = 1, maximum = 366, default = 30)]
    renewal_window_days: Option<u32>,
}

/// Organisations of one kind below this one, by status.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct StatusCounts {
    pub total: i64,
    pub pending: i64,
    pub active: i64,
    pub suspended: i64,
    pub archived: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Renewals {
    pub window_days: u32,
    /// Active subscriptions renewing from today to the end of the window.
    pub count: i64,
    /// The 20 earliest of them.
    pub items: Vec<SubscriptionView>,
}

/// What a subtree holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardView {
    pub organization_id: Uuid,
    pub distributors: StatusCounts,
    pub partners: StatusCounts,
    pub customers: StatusCounts,
    pub active_subscriptions: i64,
    /// Seats of active subscriptions.
    pub seats_purchased: i64,
    pub seats_assigned: i64,
    /// The ten most recently created customers.
    pub recent_customers: Vec<OrganizationView>,
    pub renewals: Renewals,
}

/// Dashboard
///
/// For any organisation in scope: how many distributors, partners and customers
/// (by status) lie below it, its active subscriptions and their seats, the ten
/// newest customers, and the subscriptions renewing within
/// `renewal_window_days` (default 30).
#[utoipa::path(
    tag = "Insights",
    operation_id = "getDashboard",
    params(("id" = Uuid, Path, description = "Organisation id"), DashboardQuery),
    responses(
        (status = 200, description = "The dashboard", body = DashboardView),
    ),
    security(("bearer" = []))
)]
#[get("/organizations/{id}/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    guarded: Guarded<ReadDashboard, Organization>,
    query: StrictQuery<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    let days = query.0.renewal_window_days.unwrap_or(30);
    let (org_id, window, d, recent_customers) = guarded
        .db(&state, move |s, principal, org| -> Result<_, ApiError> {
            let window = check_renewal_window(days)?;
            let today = Utc::now().date_naive();
            let end = today
                .checked_add_days(Days::new(u64::from(window)))
                .ok_or_else(|| ApiError::Internal("date overflow".into()))?;
            let mut d = s.dashboard(&org.path, today, end)?;
            let recent = present(s, principal, std::mem::take(&mut d.recent_customers))?;
            Ok((org.id, window, d, recent))
        })
        .await?;
    let (mut distributors, mut partners, mut customers) = (
        StatusCounts::default(),
        StatusCounts::default(),
        StatusCounts::default(),
    );
    for c in &d.organizations {
        let counts = match c.kind {
            OrgKind::Distributor => &mut distributors,
            OrgKind::Partner => &mut partners,
            OrgKind::Customer => &mut customers,
            OrgKind::Provider => continue,
        };
        counts.total += c.count;
        match c.status {
            OrgStatus::Pending => counts.pending += c.count,
            OrgStatus::Active => counts.active += c.count,
            OrgStatus::Suspended => counts.suspended += c.count,
            OrgStatus::Archived => counts.archived += c.count,
        }
    }
    Ok(HttpResponse::Ok().json(DashboardView {
        organization_id: org_id,
        distributors,
        partners,
        customers,
        active_subscriptions: d.active_subscriptions,
        seats_purchased: d.seats_purchased,
        seats_assigned: d.seats_assigned,
        recent_customers,
        renewals: Renewals {
            window_days: window,
            count: d.renewals_count,
            items: d.renewals.into_iter().map(SubscriptionView::from).collect(),
        },
    }))
}
