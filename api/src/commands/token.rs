use anyhow::{bail, Context};
use domain::PrincipalKind;
use uuid::Uuid;

use crate::auth::{access_token, SigningKeys};
use crate::config::Config;
use crate::startup;

/// Prints the bare token on stdout, for scripts: `TOKEN=$(partner-portal token --email …)`.
pub fn run(config: &Config, email: &str, organization: Option<Uuid>, ttl_secs: i64) -> anyhow::Result<()> {
    let store = startup::open_store(config, false)?;
    let found = store.operators_by_email(email)?;
    let found: Vec<_> = found
        .into_iter()
        .filter(|o| organization.is_none_or(|org| o.home_organization_id == org))
        .collect();
    let operator = match found.as_slice() {
        [one] => one,
        [] => bail!("no operator with e-mail {email}"),
        _ => bail!("{email} is an operator in several organisations; choose one with --organization"),
    };
    if !operator.may_sign_in() {
        bail!("operator {email} is disabled or its organisation is inactive");
    }
    let keys = SigningKeys::load_or_generate(config).context("cannot load the signing key")?;
    println!(
        "{}",
        access_token(&keys, &config.issuer(), operator.id, PrincipalKind::Operator, ttl_secs)?
    );
    Ok(())
}
