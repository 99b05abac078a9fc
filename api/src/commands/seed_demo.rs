//! `seed --demo`: a small named tree a newcomer can explore at once, with an
//! admin and a viewer at several levels and a token printed for each.

use std::collections::HashMap;

use anyhow::Context;
use domain::OperatorStatus;
use domain::{
    CustomerDetails, DisplayName, OrgKind, PrincipalKind, Role, RoleSet, StatusChange, TenantDomain, TreePath,
    WorkEmail,
};
use persistence::{Actor, AuditEntry, NewOperator, NewOrganization, Store};
use uuid::Uuid;

use crate::auth::{access_token, SigningKeys};
use crate::config::Config;
use crate::startup;

/// (name, kind, parent name — `None` for the root, primary domain for customers)
const ORGANIZATIONS: &[(&str, OrgKind, &str, Option<&str>)] = &[
    ("Northwind Distribution", OrgKind::Distributor, "", None),
    ("Tailspin Distribution", OrgKind::Distributor, "", None),
    ("Fabrikam Reseller", OrgKind::Partner, "Northwind Distribution", None),
    ("Adatum IT", OrgKind::Partner, "Fabrikam Reseller", None),
    ("Litware Services", OrgKind::Partner, "Adatum IT", None),
    ("Proseware Local", OrgKind::Partner, "Litware Services", None),
    ("Wingtip Partners", OrgKind::Partner, "Tailspin Distribution", None),
    (
        "Humongous Insurance",
        OrgKind::Customer,
        "Northwind Distribution",
        Some("humongousins.onmicrosoft.com"),
    ),
    (
        "Alpine Ski House",
        OrgKind::Customer,
        "Fabrikam Reseller",
        Some("alpineskihouse.onmicrosoft.com"),
    ),
    (
        "Blue Yonder Airlines",
        OrgKind::Customer,
        "Fabrikam Reseller",
        Some("blueyonderair.onmicrosoft.com"),
    ),
    (
        "Coho Winery",
        OrgKind::Customer,
        "Adatum IT",
        Some("cohowinery.onmicrosoft.com"),
    ),
    (
        "Datum Dental",
        OrgKind::Customer,
        "Litware Services",
        Some("datumdental.onmicrosoft.com"),
    ),
    (
        "Fourth Coffee",
        OrgKind::Customer,
        "Proseware Local",
        Some("fourthcoffee.onmicrosoft.com"),
    ),
    (
        "Graphic Design Institute",
        OrgKind::Customer,
        "Wingtip Partners",
        Some("graphicdesigninst.onmicrosoft.com"),
    ),
];

/// (e-mail, organisation name — "" for the root, role)
const OPERATORS: &[(&str, &str, Role)] = &[
    ("viewer@contoso-cloud.example", "", Role::Viewer),
    ("admin@northwind.example", "Northwind Distribution", Role::Admin),
    ("viewer@northwind.example", "Northwind Distribution", Role::Viewer),
    ("admin@tailspin.example", "Tailspin Distribution", Role::Admin),
    ("admin@fabrikam.example", "Fabrikam Reseller", Role::Admin),
    ("viewer@fabrikam.example", "Fabrikam Reseller", Role::Viewer),
    ("admin@adatum.example", "Adatum IT", Role::Admin),
    ("viewer@proseware.example", "Proseware Local", Role::Viewer),
    ("admin@wingtip.example", "Wingtip Partners", Role::Admin),
];

/// One demo sign-in: who, where, and a token.
pub struct DemoLogin {
    pub email: String,
    pub organization: String,
    pub role: Role,
    pub token: String,
}

pub fn run(config: &Config) -> anyhow::Result<Vec<DemoLogin>> {
    let store = startup::open_store(config, true)?;
    startup::bootstrap(&store, config)?;
    let root = store.root()?.context("the database has no provider root")?;
    let already = !store.operators_by_email(OPERATORS[0].0)?.is_empty();
    if !already {
        create(&store, &root.path, root.id)?;
    }
    let keys = SigningKeys::load_or_generate(config)?;
    let mut logins = Vec::new();
    let everyone =
        std::iter::once((config.bootstrap_admin_email.as_str(), "", Role::Admin)).chain(OPERATORS.iter().copied());
    for (email, org, role) in everyone {
        let Some(op) = store.operators_by_email(email)?.into_iter().next() else {
            continue;
        };
        let token = access_token(&keys, &config.issuer(), op.id, PrincipalKind::Operator, 8 * 3600)?;
        logins.push(DemoLogin {
            email: email.to_string(),
            organization: if org.is_empty() {
                config.provider_name.clone()
            } else {
                org.to_string()
            },
            role,
            token,
        });
    }
    print(&logins, already);
    Ok(logins)
}

fn create(store: &Store, scope: &TreePath, root: Uuid) -> anyhow::Result<()> {
    let who = AuditEntry::by(Actor::System);
    let mut ids: HashMap<&str, Uuid> = HashMap::from([("", root)]);
    for (name, kind, parent, domain) in ORGANIZATIONS {
        let customer = domain
            .map(|d| -> anyhow::Result<CustomerDetails> {
                Ok(CustomerDetails {
                    primary_domain: TenantDomain::parse(d, "primary_domain").map_err(|e| anyhow::anyhow!(e.message))?,
                    tenant_id: None,
                    contact_email: None,
                    country: Some(domain::Country::parse("NZ").map_err(|e| anyhow::anyhow!(e.message))?),
                })
            })
            .transpose()?;
        let org = store.create_organization(
            scope,
            &NewOrganization {
                parent_id: ids[parent],
                kind: *kind,
                name: DisplayName::parse(name).map_err(|e| anyhow::anyhow!(e.message))?,
                customer,
            },
            &who,
        )?;
        store.change_organization_status(scope, org.id, StatusChange::Activate, &who)?;
        ids.insert(name, org.id);
    }
    for (email, org, role) in OPERATORS {
        store.add_operator(
            &NewOperator {
                home_organization_id: ids[org],
                email: WorkEmail::parse(email, "email").map_err(|e| anyhow::anyhow!(e.message))?,
                name: DisplayName::parse(email.split('@').next().unwrap_or(email))
                    .map_err(|e| anyhow::anyhow!(e.message))?,
                roles: RoleSet::new([*role]),
                status: OperatorStatus::Active,
            },
            &who,
        )?;
    }
    Ok(())
}

fn print(logins: &[DemoLogin], already: bool) {
    if already {
        eprintln!("Demo data was already present; fresh tokens (valid 8 hours):");
    } else {
        eprintln!("Created the demo tree. Tokens (valid 8 hours):");
    }
    for l in logins {
        eprintln!(
            "\n  {:<6} {:<32} {}\n  {}",
            l.role.as_str(),
            l.email,
            l.organization,
            l.token
        );
    }
    eprintln!("\nUse one as `Authorization: Bearer <token>`, or paste it into Swagger UI's Authorize button.");
}
