//! Configuration, from the environment (12-factor) or the matching flags.
//! Defaults work on a fresh machine: a SQLite file in the working folder and keys
//! generated into `./data`.

use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// `postgres://…` selects PostgreSQL; anything else is a SQLite file.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://partner-portal.db",
        global = true
    )]
    pub database_url: String,
    /// Address the server listens on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,
    /// The URL clients reach the API at; the `iss` of the tokens it signs.
    #[arg(long, env = "PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Folder for generated signing keys.
    #[arg(long, env = "DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// PEM file (PKCS#8 Ed25519) of the token signing key; generated into DATA_DIR when absent.
    #[arg(long, env = "SIGNING_KEY_FILE", global = true)]
    pub signing_key_file: Option<PathBuf>,
    /// File with the key (32 bytes, base64) that seals TOTP secrets at rest;
    /// generated into DATA_DIR when absent. Give every replica the same one.
    #[arg(long, env = "TOTP_KEY_FILE", global = true)]
    pub totp_key_file: Option<PathBuf>,
    /// Where password-reset and invitation links point; the token is appended
    /// as a path segment (default: `$PUBLIC_URL/v1/password-resets`).
    #[arg(long, env = "PASSWORD_RESET_BASE_URL", global = true)]
    pub password_reset_base_url: Option<String>,
    /// E-mail of the first admin operator created on an empty database.
    #[arg(
        long,
        env = "BOOTSTRAP_ADMIN_EMAIL",
        default_value = "admin@contoso-cloud.example",
        global = true
    )]
    pub bootstrap_admin_email: String,
    /// Name of the provider root organisation created on an empty database.
    #[arg(long, env = "PROVIDER_NAME", default_value = "Contoso Cloud", global = true)]
    pub provider_name: String,
    /// Lifetime of the access tokens the API signs, in seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 3600, global = true)]
    pub access_token_ttl_secs: i64,
    /// Issuer of identity-provider tokens (e.g. `https://login.microsoftonline.com/<tenant>/v2.0`).
    #[arg(long, env = "OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,
    /// Audience identity-provider tokens must carry (the API's app id).
    #[arg(long, env = "OIDC_AUDIENCE", global = true)]
    pub oidc_audience: Option<String>,
    /// JWKS file with the identity provider's public keys (RS256).
    #[arg(long, env = "OIDC_JWKS_PATH", global = true)]
    pub oidc_jwks_path: Option<PathBuf>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 64 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Largest accepted CSV import, in bytes.
    #[arg(long, env = "IMPORT_MAX_BYTES", default_value_t = 8 * 1024 * 1024, global = true)]
    pub import_max_bytes: usize,
    /// Comma-separated networks (CIDRs, e.g. `10.0.0.0/8,fd00::/8`) of the
    /// proxies in front of the API: only from these are `Forwarded` and
    /// `X-Forwarded-For` believed, for per-address limits and the log. Empty:
    /// the peer address is the client.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "", value_parser = clap::value_parser!(crate::client_addr::TrustedProxies), global = true)]
    pub trusted_proxies: crate::client_addr::TrustedProxies,
    /// Requests per minute each client address may make without a valid
    /// token (the public endpoints, sign-in, the token endpoint).
    #[arg(long, env = "PUBLIC_RATE_LIMIT_PER_MINUTE", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub public_rate_limit_per_minute: u32,
    /// Requests per minute each operator or API client may make with its token.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub rate_limit_per_minute: u32,
    /// Requests a CSV export, a CSV import or a billing run counts as.
    #[arg(long, env = "RATE_LIMIT_EXPENSIVE_COST", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub rate_limit_expensive_cost: u32,
    /// API replicas behind the load balancer: each counts a request this many
    /// times, so the quotas hold in all (give every replica the same number).
    #[arg(long, env = "RATE_LIMIT_REPLICAS", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub rate_limit_replicas: u32,
    /// `false` turns the rate limits (and their response fields) off, e.g. when
    /// a gateway in front already limits.
    #[arg(long, env = "RATE_LIMITS_ENABLED", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub rate_limits_enabled: bool,
    /// Database connections per API process.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 16, global = true)]
    pub db_pool_size: u32,
    /// Customers the billing worker bills per transaction (smaller: shorter
    /// write transactions, so other writes wait less; larger: faster runs).
    #[arg(long, env = "BILLING_BATCH", default_value_t = crate::billing::worker::BATCH, value_parser = clap::value_parser!(i64).range(1..=10_000), global = true)]
    pub billing_batch: i64,
    /// CSV exports streaming at once per API process (each holds a connection); more get 429.
    #[arg(long, env = "MAX_CONCURRENT_EXPORTS", default_value_t = 4, global = true)]
    pub max_concurrent_exports: u32,
    /// CSV exports one caller (operator or API client) may stream at once; more get 429.
    #[arg(long, env = "MAX_EXPORTS_PER_CALLER", default_value_t = 2, global = true)]
    pub max_exports_per_caller: u32,
    /// An export whose client reads less than this many bytes per second over a
    /// minute is ended (broken, so it cannot pass for a complete file).
    #[arg(long, env = "EXPORT_MIN_BYTES_PER_SEC", default_value_t = 1024, global = true)]
    pub export_min_bytes_per_sec: u64,
    /// Seconds `/readyz` answers 503 after SIGTERM while the server still serves,
    /// so a load balancer takes the instance out before it stops accepting.
    #[arg(long, env = "SHUTDOWN_DRAIN_SECS", default_value_t = 5, global = true)]
    pub shutdown_drain_secs: u64,
    /// Seconds in-flight requests get after the listener closes; exports still
    /// running then are cut (a broken transfer, never a short complete-looking file).
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 30, global = true)]
    pub shutdown_grace_secs: u64,
    /// A second address serving `GET /metrics` without a token (for a private
    /// network's Prometheus); on the main address it needs a token.
    #[arg(long, env = "METRICS_BIND", global = true)]
    pub metrics_bind: Option<String>,
    /// `json` for one JSON object per log line; plain text otherwise.
    #[arg(long, env = "LOG_FORMAT", default_value = "plain", value_parser = ["plain", "json"], global = true)]
    pub log_format: String,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "WORKERS", global = true)]
    pub workers: Option<usize>,
    /// Skip running migrations when `serve` starts.
    #[arg(long, env = "SKIP_MIGRATIONS", default_value_t = false, global = true)]
    pub skip_migrations: bool,
    /// Lifetime of activation links, in hours.
    #[arg(long, env = "ACTIVATION_TTL_HOURS", default_value_t = domain::onboarding::DEFAULT_ACTIVATION_TTL_HOURS, global = true)]
    pub activation_ttl_hours: i64,
    /// Where activation links point; the token is appended as a path segment
    /// (default: `$PUBLIC_URL/v1/activations`).
    #[arg(long, env = "ACTIVATION_BASE_URL", global = true)]
    pub activation_base_url: Option<String>,
    /// SMTP server for outgoing mail, e.g. `smtp://127.0.0.1:2525` (plain),
    /// `smtp://user:pass@host:587?tls=required` or `smtps://host`. Unset: mails are
    /// written as `.eml` files into MAIL_DIR.
    #[arg(long, env = "SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// Sender of outgoing mail.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "portal@contoso-cloud.example",
        global = true
    )]
    pub mail_from: String,
    /// Folder for `.eml` files when no SMTP_URL is set.
    #[arg(long, env = "MAIL_DIR", default_value = "mail", global = true)]
    pub mail_dir: PathBuf,
    /// Let webhook endpoints use plain http and loopback or private addresses
    /// (local development and tests only; never in production).
    #[arg(long, env = "WEBHOOK_ALLOW_PRIVATE_TARGETS", default_value_t = false, global = true)]
    pub webhook_allow_private_targets: bool,
    /// How long a worker holds a webhook delivery it claimed, in seconds; after
    /// a crash, another replica sends it once this has passed. Longer than the
    /// 10 s delivery timeout, so a delivery in progress is never sent twice.
    #[arg(long, env = "WEBHOOK_LEASE_SECS", default_value_t = crate::webhooks::worker::LEASE.num_seconds(), value_parser = clap::value_parser!(i64).range(11..=3_600), global = true)]
    pub webhook_lease_secs: i64,
}

impl Config {
    pub fn issuer(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_string()
    }

    /// The link an activation token travels in: `{ACTIVATION_BASE_URL}/{token}`.
    pub fn activation_link(&self, token: &str) -> String {
        let base = self
            .activation_base_url
            .clone()
            .unwrap_or_else(|| format!("{}/v1/activations", self.issuer()));
        format!("{}/{token}", base.trim_end_matches('/'))
    }

    /// The TOTP sealing key's file: `TOTP_KEY_FILE`, or `DATA_DIR/totp-key`.
    pub fn totp_key_path(&self) -> PathBuf {
        self.totp_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("totp-key"))
    }

    /// The link a password-reset or invitation token travels in.
    pub fn password_link(&self, token: &str) -> String {
        let base = self
            .password_reset_base_url
            .clone()
            .unwrap_or_else(|| format!("{}/v1/password-resets", self.issuer()));
        format!("{}/{token}", base.trim_end_matches('/'))
    }

    /// Identity-provider settings, when all three are given.
    pub fn oidc(&self) -> Option<(String, String, PathBuf)> {
        match (&self.oidc_issuer, &self.oidc_audience, &self.oidc_jwks_path) {
            (Some(i), Some(a), Some(p)) => Some((i.clone(), a.clone(), p.clone())),
            _ => None,
        }
    }
}
