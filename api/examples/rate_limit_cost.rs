//! The limiter's own CPU per request, away from the noise of a loaded machine:
//! charging a caller and writing its two response fields, over 10,000 callers.
//! Run by `bench/rate_limits.sh`: `cargo run --release -p api --example rate_limit_cost`.

use std::hint::black_box;
use std::time::Instant;

use api::config::Config;
use api::rate_limit::{Caller, RateLimiter};
use clap::Parser;

#[derive(Parser)]
struct Only {
    #[command(flatten)]
    config: Config,
}

fn main() {
    let config = Only::parse_from(["bench", "--rate-limit-per-minute", "1000000000"]).config;
    let limiter = RateLimiter::new(&config);
    let callers: Vec<Caller> = (0..10_000u128)
        .map(|i| Caller::Principal(uuid::Uuid::from_u128(i)))
        .collect();
    let now = chrono::Utc::now();
    let n = 2_000_000;
    let start = Instant::now();
    for i in 0..n {
        let d = limiter.charge(&callers[i % callers.len()], 1, now);
        black_box((d.policy_field(), d.limit_field()));
    }
    let per = start.elapsed().as_nanos() / n as u128;
    println!("charge + RateLimit fields: {per} ns per request (one thread, 10,000 callers)");
}
