//! Requests used per caller in its current window, in shards so that callers
//! on different workers rarely wait for one another. Windows that ended are
//! dropped when a shard grows, so memory follows the callers of the last minute.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Mutex;

use std::collections::hash_map::RandomState;

use super::Caller;

const SHARDS: usize = 32;
/// A shard this large drops its ended windows before it grows further.
const SWEEP_AT: usize = 4096;

struct Window {
    start_ms: i64,
    used: u64,
}

pub struct Counters {
    shards: Vec<Mutex<HashMap<Caller, Window>>>,
    hasher: RandomState,
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: RandomState::new(),
        }
    }
}

/// The window after a charge.
pub struct Charged {
    pub allowed: bool,
    pub used: u64,
    pub ends_in_ms: u64,
}

impl Counters {
    /// Adds `units` to `caller`'s window unless that would pass `limit`.
    pub fn charge(&self, caller: &Caller, units: u64, limit: u64, window_ms: i64, now_ms: i64) -> Charged {
        let index = (self.hasher.hash_one(caller) as usize) % self.shards.len();
        let Some(shard) = self.shards.get(index) else {
            return Charged {
                allowed: true,
                used: 0,
                ends_in_ms: 0,
            };
        };
        // A panic elsewhere cannot leave a counter half-written: keep counting.
        let mut shard = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let live = |w: &Window| w.start_ms <= now_ms && now_ms - w.start_ms < window_ms;
        if shard.len() >= SWEEP_AT && !shard.contains_key(caller) {
            shard.retain(|_, w| live(w));
        }
        let window = match shard.get_mut(caller) {
            Some(w) if live(w) => w,
            Some(w) => {
                *w = Window {
                    start_ms: now_ms,
                    used: 0,
                };
                w
            }
            None => shard.entry(caller.clone()).or_insert(Window {
                start_ms: now_ms,
                used: 0,
            }),
        };
        let allowed = window.used.saturating_add(units) <= limit;
        if allowed {
            window.used += units;
        }
        Charged {
            allowed,
            used: window.used,
            ends_in_ms: u64::try_from(window.start_ms + window_ms - now_ms).unwrap_or(0),
        }
    }
}
