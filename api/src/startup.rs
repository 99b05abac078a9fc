//! What `serve` and the other commands share: logging, the store, the bootstrap
//! of an empty database, and the application state.

use std::sync::Arc;

use anyhow::Context;
use domain::{DisplayName, WorkEmail};
use persistence::Store;

use crate::auth::{IdentityProvider, SigningKeys, TokenVerifier};
use crate::config::Config;
use crate::rate_limit::PublicRateLimiter;
use crate::state::AppState;

/// Logs go to stderr, so commands that print (token, openapi) keep stdout clean.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn open_store(config: &Config, migrate: bool) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url, config.db_pool_size)
        .with_context(|| format!("cannot open the database {}", redact(&config.database_url)))?;
    if migrate {
        let n = store.migrate().context("cannot apply migrations")?;
        if n > 0 {
            tracing::info!(applied = n, "database migrated");
        }
    }
    Ok(store)
}

/// On an empty database: the provider root and its first admin operator.
pub fn bootstrap(store: &Store, config: &Config) -> anyhow::Result<()> {
    let name =
        DisplayName::parse(&config.provider_name).map_err(|e| anyhow::anyhow!("PROVIDER_NAME: {}", e.message))?;
    let email = WorkEmail::parse(&config.bootstrap_admin_email, "BOOTSTRAP_ADMIN_EMAIL")
        .map_err(|e| anyhow::anyhow!("BOOTSTRAP_ADMIN_EMAIL: {}", e.message))?;
    let admin_name = DisplayName::parse("Administrator").map_err(|e| anyhow::anyhow!(e.message))?;
    if let Some((root, _)) = store.bootstrap(&name, &email, &admin_name)? {
        tracing::info!(
            root = %root.id,
            admin = email.as_str(),
            "created the provider root and its first admin; get a token with: partner-portal token --email {}",
            email.as_str()
        );
    }
    Ok(())
}

pub fn app_state(config: &Config, store: Store) -> anyhow::Result<AppState> {
    let keys = Arc::new(SigningKeys::load_or_generate(config)?);
    let idp = match config.oidc() {
        Some((issuer, audience, path)) => Some(IdentityProvider::from_jwks_file(issuer, audience, &path)?),
        None => None,
    };
    let verifier = TokenVerifier::new(keys.clone(), config.issuer(), idp);
    Ok(AppState {
        store,
        keys,
        verifier,
        config: config.clone(),
        public_limiter: PublicRateLimiter::new(config.public_rate_limit_per_minute),
        exports: crate::csv_export::ExportSlots::new(config.max_concurrent_exports),
        clock: crate::clock::Clock::system(),
    })
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
