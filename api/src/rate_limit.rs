//! Rate limiting of the public endpoints (domain availability, applications),
//! per client address (behind `TRUSTED_PROXIES`, the one they forwarded for:
//! `client_addr`), in memory: each API replica limits on its own.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

pub struct PublicRateLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl PublicRateLimiter {
    /// `per_minute` requests per client address, with bursts of the same size.
    pub fn new(per_minute: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(rate)),
        }
    }

    /// 429 with the seconds to wait when this client is over its quota.
    pub fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        let Some(ip) = crate::client_addr::ClientAddr::of(req) else {
            return Ok(());
        };
        self.limiter.check_key(&ip).map_err(|not_until| {
            crate::metrics::rate_limited("public");
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}
