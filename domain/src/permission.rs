//! The permission matrix: which roles, at which kinds of home organisation, may
//! perform each action. One table, read by [`Action::allowed`]; handlers never
//! test roles themselves.

use crate::organization::OrgKind;
use crate::role::{Role, RoleSet};

/// Everything a caller can do through the API, including what later capabilities expose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ReadOrganizations,
    CreateOrganization,
    UpdateOrganization,
    MoveOrganization,
    ChangeOrganizationStatus,
    ReadOperators,
    ManageOperators,
    ImportOperators,
    ReadApiClients,
    ManageApiClients,
    ReadCustomers,
    ManageServiceInstances,
    ReadCustomerUsers,
    ManageCustomerUsers,
    ImpersonateCustomerUser,
    ReadSubscriptions,
    ManageSubscriptions,
    ReadDashboard,
    ReadUsage,
    ExportSubscriptionReport,
    ExportUserReport,
    ReadBilling,
    RunBilling,
    ChangeInvoiceStatus,
    ExportInvoiceLines,
    ReadAuditLog,
    ManageActivationLinks,
    ManageProgramme,
    ReviewApplications,
}

const VIEWER_UP: &[Role] = &[Role::Viewer, Role::Billing, Role::Admin];
const BILLING_UP: &[Role] = &[Role::Billing, Role::Admin];
const ADMIN: &[Role] = &[Role::Admin];
const CHANNEL: &[OrgKind] = &[OrgKind::Provider, OrgKind::Distributor, OrgKind::Partner];

/// (action, roles that grant it, kinds of home organisation it is available at).
/// `billing` includes everything `viewer` may do; `admin` includes everything.
const MATRIX: &[(Action, &[Role], &[OrgKind])] = &[
    (Action::ReadOrganizations, VIEWER_UP, CHANNEL),
    (Action::CreateOrganization, ADMIN, CHANNEL),
    (Action::UpdateOrganization, ADMIN, CHANNEL),
    (Action::MoveOrganization, ADMIN, CHANNEL),
    (Action::ChangeOrganizationStatus, ADMIN, CHANNEL),
    (Action::ReadOperators, VIEWER_UP, CHANNEL),
    (Action::ManageOperators, ADMIN, CHANNEL),
    (Action::ImportOperators, ADMIN, CHANNEL),
    (Action::ReadApiClients, ADMIN, CHANNEL),
    (Action::ManageApiClients, ADMIN, CHANNEL),
    (Action::ReadCustomers, VIEWER_UP, CHANNEL),
    (Action::ManageServiceInstances, ADMIN, CHANNEL),
    (Action::ReadCustomerUsers, VIEWER_UP, CHANNEL),
    (Action::ManageCustomerUsers, ADMIN, CHANNEL),
    (Action::ImpersonateCustomerUser, ADMIN, CHANNEL),
    (Action::ReadSubscriptions, VIEWER_UP, CHANNEL),
    (Action::ManageSubscriptions, ADMIN, CHANNEL),
    (Action::ReadDashboard, VIEWER_UP, CHANNEL),
    (Action::ReadUsage, VIEWER_UP, CHANNEL),
    (Action::ExportSubscriptionReport, VIEWER_UP, CHANNEL),
    (Action::ExportUserReport, VIEWER_UP, CHANNEL),
    (Action::ReadBilling, BILLING_UP, CHANNEL),
    (Action::RunBilling, BILLING_UP, CHANNEL),
    (Action::ChangeInvoiceStatus, BILLING_UP, CHANNEL),
    (Action::ExportInvoiceLines, BILLING_UP, CHANNEL),
    (Action::ReadAuditLog, ADMIN, CHANNEL),
    (Action::ManageActivationLinks, ADMIN, CHANNEL),
    (Action::ManageProgramme, ADMIN, CHANNEL),
    (Action::ReviewApplications, ADMIN, CHANNEL),
];

/// Every action, in matrix order.
pub const ALL_ACTIONS: [Action; 29] = {
    let mut all = [Action::ReadOrganizations; 29];
    let mut i = 0;
    while i < MATRIX.len() {
        all[i] = MATRIX[i].0;
        i += 1;
    }
    all
};

impl Action {
    /// The snake_case name clients see, e.g. `create_organization`.
    pub fn name(self) -> String {
        let mut out = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    /// Whether holding `roles` at a home of kind `home` grants this action.
    pub fn allowed(self, roles: &RoleSet, home: OrgKind) -> bool {
        MATRIX
            .iter()
            .find(|(a, _, _)| *a == self)
            .is_some_and(|(_, granted_to, kinds)| {
                kinds.contains(&home) && roles.iter().any(|r| granted_to.contains(&r))
            })
    }
}

/// Pages by kind: which kinds of organisation a caller whose home has kind `home`
/// lists. A partner lists customers and its child partners; a distributor partners
/// and customers; the provider everything.
pub fn listable_kinds(home: OrgKind) -> &'static [OrgKind] {
    match home {
        OrgKind::Provider => &OrgKind::ALL,
        OrgKind::Distributor | OrgKind::Partner => &[OrgKind::Partner, OrgKind::Customer],
        OrgKind::Customer => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(r: &[Role]) -> RoleSet {
        RoleSet::new(r.iter().copied())
    }

    #[test]
    fn every_action_is_in_the_matrix_once_and_admins_hold_all() {
        let mut names: Vec<String> = ALL_ACTIONS.iter().map(|a| a.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL_ACTIONS.len(), "each action appears once");
        for a in ALL_ACTIONS {
            assert!(a.allowed(&roles(&[Role::Admin]), OrgKind::Provider), "admin may {a:?}");
        }
        assert_eq!(Action::CreateOrganization.name(), "create_organization");
    }

    #[test]
    fn viewer_reads_and_exports_but_changes_nothing() {
        let v = roles(&[Role::Viewer]);
        assert!(Action::ReadOrganizations.allowed(&v, OrgKind::Partner));
        assert!(Action::ExportSubscriptionReport.allowed(&v, OrgKind::Partner));
        assert!(Action::ExportUserReport.allowed(&v, OrgKind::Partner));
        assert!(!Action::CreateOrganization.allowed(&v, OrgKind::Partner));
        assert!(!Action::ReadBilling.allowed(&v, OrgKind::Partner));
        assert!(!Action::ImpersonateCustomerUser.allowed(&v, OrgKind::Partner));
        assert!(!Action::ReadAuditLog.allowed(&v, OrgKind::Partner));
    }

    #[test]
    fn billing_adds_invoices_only() {
        let b = roles(&[Role::Billing]);
        assert!(Action::ReadBilling.allowed(&b, OrgKind::Distributor));
        assert!(Action::RunBilling.allowed(&b, OrgKind::Distributor));
        assert!(Action::ExportInvoiceLines.allowed(&b, OrgKind::Distributor));
        assert!(Action::ReadSubscriptions.allowed(&b, OrgKind::Distributor));
        assert!(!Action::ManageOperators.allowed(&b, OrgKind::Distributor));
    }

    #[test]
    fn nobody_acts_from_a_customer_home() {
        assert!(!Action::ReadOrganizations.allowed(&roles(&Role::ALL), OrgKind::Customer));
        assert!(listable_kinds(OrgKind::Customer).is_empty());
    }

    #[test]
    fn pages_by_kind() {
        assert!(!listable_kinds(OrgKind::Partner).contains(&OrgKind::Distributor));
        assert!(listable_kinds(OrgKind::Distributor).contains(&OrgKind::Partner));
        assert!(listable_kinds(OrgKind::Provider).contains(&OrgKind::Distributor));
    }
}
