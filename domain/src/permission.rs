//! The permission matrix: which roles, at which kinds of home organisation, may
//! perform each action. One table, read by [`Action::allowed`]; handlers never
//! test roles themselves.

use crate::organization::OrgKind;
use crate::role::{Role, RoleSet};

/// Declares every action with the roles that grant it and the kinds of home
/// organisation it is available at. The enum, [`Action::ALL`], the matrix and
/// one marker type per action (for the api crate's guards) all come from this
/// one list, so an action cannot exist outside the matrix.
macro_rules! permission_matrix {
    ($($(#[doc = $doc:literal])* $action:ident => ($roles:expr, $kinds:expr),)+) => {
        /// Everything a caller can do through the API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[doc = $doc])* $action,)+
        }

        impl Action {
            /// Every action, in matrix order.
            pub const ALL: &'static [Action] = &[$(Action::$action,)+];

            /// (roles that grant it, kinds of home organisation it is available at).
            const fn grant(self) -> (&'static [Role], &'static [OrgKind]) {
                match self {
                    $(Action::$action => ($roles, $kinds),)+
                }
            }
        }

        /// One type per action, so a guard names its action in its type.
        pub mod actions {
            $(
                $(#[doc = $doc])*
                pub struct $action;
                impl super::ActionPolicy for $action {
                    const ACTION: super::Action = super::Action::$action;
                }
            )+
        }
    };
}

/// An action known at compile time: what a guarded handler may do.
pub trait ActionPolicy {
    const ACTION: Action;
}

const VIEWER_UP: &[Role] = &[Role::Viewer, Role::Billing, Role::Admin];
const BILLING_UP: &[Role] = &[Role::Billing, Role::Admin];
const ADMIN: &[Role] = &[Role::Admin];
const CHANNEL: &[OrgKind] = &[OrgKind::Provider, OrgKind::Distributor, OrgKind::Partner];

// `billing` includes everything `viewer` may do; `admin` includes everything.
permission_matrix! {
    ReadOrganizations => (VIEWER_UP, CHANNEL),
    CreateOrganization => (ADMIN, CHANNEL),
    UpdateOrganization => (ADMIN, CHANNEL),
    MoveOrganization => (ADMIN, CHANNEL),
    ChangeOrganizationStatus => (ADMIN, CHANNEL),
    ReadOperators => (VIEWER_UP, CHANNEL),
    ManageOperators => (ADMIN, CHANNEL),
    ImportOperators => (ADMIN, CHANNEL),
    ReadApiClients => (ADMIN, CHANNEL),
    ManageApiClients => (ADMIN, CHANNEL),
    ReadCustomers => (VIEWER_UP, CHANNEL),
    ManageServiceInstances => (ADMIN, CHANNEL),
    ReadCustomerUsers => (VIEWER_UP, CHANNEL),
    ManageCustomerUsers => (ADMIN, CHANNEL),
    ImpersonateCustomerUser => (ADMIN, CHANNEL),
    ReadSubscriptions => (VIEWER_UP, CHANNEL),
    ManageSubscriptions => (ADMIN, CHANNEL),
    ReadDashboard => (VIEWER_UP, CHANNEL),
    ReadUsage => (VIEWER_UP, CHANNEL),
    ExportSubscriptionReport => (VIEWER_UP, CHANNEL),
    ExportUserReport => (VIEWER_UP, CHANNEL),
    ReadBilling => (BILLING_UP, CHANNEL),
    RunBilling => (BILLING_UP, CHANNEL),
    ChangeInvoiceStatus => (BILLING_UP, CHANNEL),
    ExportInvoiceLines => (BILLING_UP, CHANNEL),
    ReadAuditLog => (ADMIN, CHANNEL),
    ManageActivationLinks => (ADMIN, CHANNEL),
    ManageProgramme => (ADMIN, CHANNEL),
    ReviewApplications => (ADMIN, CHANNEL),
    ReadWebhooks => (ADMIN, CHANNEL),
    ManageWebhooks => (ADMIN, CHANNEL),
    /// Read an organisation's own and effective brand and logo.
    ReadBranding => (VIEWER_UP, CHANNEL),
    /// Set or remove a brand or its logo.
    ManageBranding => (ADMIN, CHANNEL),
    /// Read the service catalogue (to provision instances from it).
    ReadServices => (VIEWER_UP, CHANNEL),
    /// Keep the service catalogue: the provider's admins only.
    ManageServices => (ADMIN, &[OrgKind::Provider]),
    /// Open a customer's service instance as its partner (a launch token).
    LaunchService => (ADMIN, CHANNEL),
    /// Scrape `GET /metrics`: the whole service's figures, so the provider's admins only.
    Metrics => (ADMIN, &[OrgKind::Provider]),
}

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
        let (granted_to, kinds) = self.grant();
        kinds.contains(&home) && roles.iter().any(|r| granted_to.contains(&r))
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

/// A list filtered by a kind the caller's home kind does not list (rule 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("organisations of kind `{}` are not listed for a {}'s callers", .kind.as_str(), .home.as_str())]
pub struct PageNotAvailable {
    pub kind: OrgKind,
    pub home: OrgKind,
}

/// Pages by kind applied to a list's `kind` filter.
pub fn check_listable(home: OrgKind, kind: Option<OrgKind>) -> Result<(), PageNotAvailable> {
    match kind {
        Some(kind) if !listable_kinds(home).contains(&kind) => Err(PageNotAvailable { kind, home }),
        _ => Ok(()),
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
        // The enum, `ALL` and the grants come from one macro list: every variant is
        // in `ALL` exactly once and granted to some role at some kind.
        let position = |a: Action| -> usize { Action::ALL.iter().position(|x| *x == a).unwrap_or(usize::MAX) };
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL.iter().copied() {
            assert!(seen.insert(position(a)), "{a:?} is listed once");
            let (roles, kinds) = a.grant();
            assert!(!roles.is_empty() && !kinds.is_empty(), "{a:?} is granted to someone");
        }
        assert_eq!(seen.len(), Action::ALL.len());
        for a in Action::ALL.iter().copied() {
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
        assert!(Action::ReadBranding.allowed(&v, OrgKind::Partner));
        assert!(!Action::ManageBranding.allowed(&v, OrgKind::Partner));
        assert!(!Action::LaunchService.allowed(&v, OrgKind::Partner));
    }

    #[test]
    fn only_the_providers_admins_keep_the_catalogue() {
        let a = roles(&[Role::Admin]);
        assert!(Action::ManageServices.allowed(&a, OrgKind::Provider));
        assert!(!Action::ManageServices.allowed(&a, OrgKind::Distributor));
        assert!(Action::ReadServices.allowed(&roles(&[Role::Viewer]), OrgKind::Partner));
        assert!(Action::LaunchService.allowed(&a, OrgKind::Partner));
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
    fn pages_by_kind_filters() {
        assert_eq!(check_listable(OrgKind::Partner, None), Ok(()));
        assert_eq!(check_listable(OrgKind::Partner, Some(OrgKind::Customer)), Ok(()));
        assert_eq!(
            check_listable(OrgKind::Partner, Some(OrgKind::Distributor)),
            Err(PageNotAvailable {
                kind: OrgKind::Distributor,
                home: OrgKind::Partner
            })
        );
        assert_eq!(check_listable(OrgKind::Provider, Some(OrgKind::Distributor)), Ok(()));
    }

    #[test]
    fn pages_by_kind() {
        assert!(!listable_kinds(OrgKind::Partner).contains(&OrgKind::Distributor));
        assert!(listable_kinds(OrgKind::Distributor).contains(&OrgKind::Partner));
        assert!(listable_kinds(OrgKind::Provider).contains(&OrgKind::Distributor));
    }
}
