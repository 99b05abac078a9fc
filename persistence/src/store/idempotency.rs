use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Store;
use crate::error::StoreError;
use crate::idempotency::{self, Claimed, KeyClaim, StoredAnswer};

// A keyed request's own bookkeeping is two single statements (the claim's
// insert, the answer's update) on top of its work; only a key already there
// needs a transaction (to decide on it and take it over).

impl Store {
    /// This store, whose changes commit under `claim` (see [`crate::idempotency`]).
    pub fn with_claim(&self, claim: Option<KeyClaim>) -> Store {
        Store {
            claim: claim.map(Arc::new),
            ..self.clone()
        }
    }

    /// Claims `claim`'s key until `locked_until`, or says why not. Records made
    /// before `expired_before` count as absent.
    pub fn claim_idempotency_key(
        &self,
        claim: &KeyClaim,
        at: DateTime<Utc>,
        locked_until: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<Claimed, StoreError> {
        // The common case, a fresh key, is one insert.
        match self.single(|c| idempotency::insert(c, claim, at, locked_until)) {
            Ok(()) => return Ok(Claimed::Fresh(claim.clone())),
            Err(StoreError::IdempotencyRace) => {}
            Err(e) => return Err(e),
        }
        match self.change(|c| idempotency::take_over(c, claim, at, locked_until, expired_before)) {
            Err(StoreError::IdempotencyRace) => Ok(Claimed::InFlight),
            other => other,
        }
    }

    /// Keeps the answer of the request holding `claim`, for replays.
    pub fn store_idempotent_answer(&self, claim: &KeyClaim, answer: &StoredAnswer) -> Result<(), StoreError> {
        self.single(|c| idempotency::store_answer(c, claim, answer))
    }

    /// Gives `claim`'s key back, unless its request committed a write.
    pub fn release_idempotency_key(&self, claim: &KeyClaim) -> Result<(), StoreError> {
        self.single(|c| idempotency::release(c, claim))
    }

    /// Deletes the keys made before `before`; returns how many.
    pub fn sweep_idempotency_keys(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.change(|c| idempotency::sweep(c, before))
    }
}
