//! What `serve` and the other commands share: logging, the store, the bootstrap
//! of an empty database, and the application state.

use std::sync::Arc;

use anyhow::Context;
use domain::{DisplayName, WorkEmail};
use persistence::{Store, StoreError};

use crate::auth::{IdentityProvider, SigningKeys, TokenVerifier};
use crate::config::Config;
use crate::rate_limit::RateLimiter;
use crate::state::AppState;

/// Logs go to stderr, so commands that print (token, openapi) keep stdout clean;
/// `json` gives one JSON object per line; colours only on a terminal. By
/// default actix's HTTP/1 dispatcher is silent: it logs a client's malformed
/// request or a deliberately broken body at ERROR, and the access log already
/// has one line per request, saying how its body ended.
pub fn init_tracing(format: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_http::h1::dispatcher=off"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        "json" => builder.json().flatten_event(true).try_init(),
        _ => builder.try_init(),
    };
}

/// The store, migrated when `migrate`; otherwise it must already be. A
/// database that cannot be used is one line saying why and what to do.
pub fn open_store(config: &Config, migrate: bool) -> anyhow::Result<Store> {
    let url = redact(&config.database_url);
    let store = Store::connect(&config.database_url, config.db_pool_size).map_err(|e| match e {
        StoreError::Connect(why) => anyhow::anyhow!("{}", unusable_database(&url, &why)),
        other => anyhow::anyhow!("cannot open the database {url}: {other}"),
    })?;
    if migrate {
        let n = store.migrate().context("cannot apply migrations")?;
        if n > 0 {
            tracing::info!(applied = n, "database migrated");
        }
    } else if !store
        .ready()
        .map_err(|e| anyhow::anyhow!("cannot read the database {url}: {e}"))?
    {
        anyhow::bail!(
            "the database {url} lacks migrations and SKIP_MIGRATIONS is set: run `partner-portal migrate` once, or unset SKIP_MIGRATIONS"
        );
    }
    Ok(store)
}

/// One line: the backend's reason (libpq's first line) and the likely fix.
fn unusable_database(url: &str, why: &str) -> String {
    let reason = why.lines().next().unwrap_or(why).trim();
    let lower = why.to_lowercase();
    let fix = if lower.contains("password authentication failed")
        || lower.contains("no password supplied")
        || lower.contains("role \"")
    {
        "check the user and password in DATABASE_URL"
    } else if lower.contains("does not exist") {
        "create the database (createdb) or fix its name in DATABASE_URL"
    } else if lower.contains("connection refused")
        || lower.contains("could not translate host name")
        || lower.contains("timeout")
        || lower.contains("no route to host")
        || lower.contains("no such file or directory")
    {
        "start PostgreSQL, or fix the host and port in DATABASE_URL"
    } else if lower.contains("unable to open database file") {
        "make the SQLite file's folder exist and writable, or fix DATABASE_URL"
    } else {
        "check DATABASE_URL"
    };
    format!("cannot use the database {url}: {reason}; {fix}")
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
        totp: crate::auth::TotpSealer::load_or_generate(&config.totp_key_path())?,
        config: config.clone(),
        rate_limiter: RateLimiter::new(config),
        exports: crate::csv_export::ExportSlots::new(
            config.max_concurrent_exports,
            config.max_exports_per_caller,
            config.export_min_bytes_per_sec,
        ),
        lifecycle: crate::shutdown::Lifecycle::default(),
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
