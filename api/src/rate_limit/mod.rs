//! Rate limits for every caller: a quota per principal (operator or API client,
//! policy `caller`) for requests with a valid bearer token, and per client
//! address (behind `TRUSTED_PROXIES`, the one they forwarded for:
//! `client_addr`) for every other request (policy `public`). Each window is 60
//! seconds from a caller's first request in it; an export, an import or a
//! billing run costs [`Config::rate_limit_expensive_cost`] requests.
//!
//! Counting is in memory. Across replicas the quota holds by division: each of
//! `RATE_LIMIT_REPLICAS` replicas charges a request that many times, so a
//! caller spread evenly over them gets the quota in all and never more
//! (docs/ARCHITECTURE.md, "Rate limits", says why not the database).
//! [`middleware::enforce`] charges each request and writes the
//! `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers)
//! on every answer.

mod counters;
pub mod middleware;

use std::net::IpAddr;

use actix_web::http::Method;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::VerifiedSubject;
use crate::config::Config;
use counters::Counters;

/// Seconds in a window, for both policies.
pub const WINDOW_SECS: u64 = 60;

/// Whom a request is charged to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// An operator or API client, by the id its token names.
    Principal(Uuid),
    /// An operator named by an identity provider's token, by e-mail.
    Email(String),
    /// Anyone without a valid token, by client address.
    Address(IpAddr),
}

impl Caller {
    pub fn of(subject: &VerifiedSubject) -> Self {
        match subject {
            VerifiedSubject::Operator(id) | VerifiedSubject::ApiClient(id) => Self::Principal(*id),
            VerifiedSubject::Email(email) => Self::Email(email.clone()),
        }
    }
}

/// The outcome of charging one request, as its response advertises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub policy: &'static str,
    pub quota: u64,
    pub remaining: u64,
    /// Seconds until the window ends (at least 1).
    pub reset_secs: u64,
    pub allowed: bool,
}

impl Decision {
    /// `RateLimit-Policy: "caller";q=600;w=60`
    pub fn policy_field(&self) -> String {
        format!("\"{}\";q={};w={}", self.policy, self.quota, WINDOW_SECS)
    }

    /// `RateLimit: "caller";r=599;t=60`
    pub fn limit_field(&self) -> String {
        format!("\"{}\";r={};t={}", self.policy, self.remaining, self.reset_secs)
    }
}

struct Policy {
    name: &'static str,
    quota: u64,
}

pub struct RateLimiter {
    counters: Counters,
    caller: Policy,
    public: Policy,
    expensive_cost: u64,
    replicas: u64,
}

impl RateLimiter {
    pub fn new(config: &Config) -> Self {
        Self {
            counters: Counters::default(),
            caller: Policy {
                name: "caller",
                quota: config.rate_limit_per_minute.into(),
            },
            public: Policy {
                name: "public",
                quota: config.public_rate_limit_per_minute.into(),
            },
            expensive_cost: config.rate_limit_expensive_cost.into(),
            replicas: config.rate_limit_replicas.into(),
        }
    }

    /// Charges `caller` for a request of `cost` at `now`; a refused request
    /// uses nothing.
    pub fn charge(&self, caller: &Caller, cost: u64, now: DateTime<Utc>) -> Decision {
        let policy = match caller {
            Caller::Address(_) => &self.public,
            Caller::Principal(_) | Caller::Email(_) => &self.caller,
        };
        let units = cost.saturating_mul(self.replicas);
        let window_ms = (WINDOW_SECS * 1000) as i64;
        let charged = self
            .counters
            .charge(caller, units, policy.quota, window_ms, now.timestamp_millis());
        Decision {
            policy: policy.name,
            quota: policy.quota,
            remaining: policy.quota.saturating_sub(charged.used),
            reset_secs: charged.ends_in_ms.div_ceil(1000).max(1),
            allowed: charged.allowed,
        }
    }

    /// What a request costs: exports, imports and billing runs more than the rest.
    pub fn cost(&self, method: &Method, path: &str) -> u64 {
        if expensive(method, path) {
            self.expensive_cost
        } else {
            1
        }
    }
}

/// CSV exports, the CSV operator import and billing runs: the calls that read
/// or write a whole subtree.
pub fn expensive(method: &Method, path: &str) -> bool {
    match *method {
        Method::GET | Method::HEAD => path.ends_with(".csv"),
        Method::POST => path.ends_with("/operators/import") || path.ends_with("/billing-runs"),
        _ => false,
    }
}

/// Paths outside the limits: the load balancer's probes, and the document and
/// its viewer.
pub fn limited(path: &str) -> bool {
    !matches!(path, "/healthz" | "/readyz" | "/openapi.json") && !path.starts_with("/swagger-ui")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(flags: &[&str]) -> RateLimiter {
        use clap::Parser;
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            config: Config,
        }
        RateLimiter::new(&Only::parse_from(std::iter::once("test").chain(flags.iter().copied())).config)
    }

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).unwrap_or_default()
    }

    #[test]
    fn a_caller_gets_its_quota_per_window_and_then_a_fresh_one() {
        let l = limiter(&["--rate-limit-per-minute", "3"]);
        let me = Caller::Principal(Uuid::nil());
        let seen: Vec<_> = (0..4).map(|i| l.charge(&me, 1, at(i * 1000))).collect();
        assert_eq!(seen.iter().map(|d| d.remaining).collect::<Vec<_>>(), [2, 1, 0, 0]);
        assert!(seen[2].allowed && !seen[3].allowed);
        assert_eq!(seen[3].reset_secs, 57, "the window started at the first request");
        assert_eq!(seen[3].limit_field(), "\"caller\";r=0;t=57");
        assert_eq!(seen[3].policy_field(), "\"caller\";q=3;w=60");
        let next = l.charge(&me, 1, at(60_000));
        assert!(next.allowed);
        assert_eq!((next.remaining, next.reset_secs), (2, 60));
    }

    #[test]
    fn addresses_use_the_public_quota_and_callers_are_apart() {
        let l = limiter(&["--public-rate-limit-per-minute", "1"]);
        let ip = Caller::Address([192, 0, 2, 1].into());
        assert!(l.charge(&ip, 1, at(0)).allowed);
        assert!(!l.charge(&ip, 1, at(1)).allowed);
        assert!(l.charge(&Caller::Address([192, 0, 2, 2].into()), 1, at(2)).allowed);
        assert_eq!(l.charge(&ip, 1, at(3)).policy, "public");
    }

    #[test]
    fn expensive_calls_and_replicas_cost_more() {
        let l = limiter(&["--rate-limit-per-minute", "40", "--rate-limit-replicas", "2"]);
        let me = Caller::Email("a@b.example".into());
        let csv = l.cost(&Method::GET, "/v1/organizations/x/reports/users.csv");
        assert_eq!(csv, 10);
        assert_eq!(
            l.charge(&me, csv, at(0)).remaining,
            20,
            "10 units, on each of 2 replicas"
        );
        assert_eq!(l.charge(&me, 1, at(1)).remaining, 18);
        assert!(!l.charge(&me, csv, at(2)).allowed, "18 left, 20 needed");
        assert_eq!(l.charge(&me, 1, at(3)).remaining, 16, "the refusal used nothing");
        assert_eq!(l.cost(&Method::POST, "/v1/organizations/x/billing-runs"), 10);
        assert_eq!(l.cost(&Method::GET, "/v1/organizations/x/billing-runs"), 1);
    }

    #[test]
    fn probes_and_the_document_are_not_limited() {
        for path in ["/healthz", "/readyz", "/openapi.json", "/swagger-ui/index.html"] {
            assert!(!limited(path), "{path}");
        }
        for path in [
            "/v1/me",
            "/oauth/token",
            "/.well-known/jwks.json",
            "/metrics",
            "/nowhere",
        ] {
            assert!(limited(path), "{path}");
        }
    }
}
