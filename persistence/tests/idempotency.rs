//! Idempotency-Key records on both backends: a write commits only under the
//! claim that holds the key, so a request whose lease was taken over cannot
//! write, a key whose request committed is never taken over (nor run again
//! without its answer), a kept answer is found again, and old keys are swept.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

use chrono::{Duration, Utc};
use domain::{DisplayName, OrgKind};
use persistence::backend_tests;
use persistence::{
    Actor, AuditEntry, Claimed, KeyClaim, NewOrganization, Organization, Store, StoreError, StoredAnswer,
};
use uuid::Uuid;

fn claim(key: &str) -> KeyClaim {
    KeyClaim {
        scope: "caller".into(),
        key: key.into(),
        token: Uuid::new_v4(),
    }
}

fn partner(store: &Store, name: &str) -> Result<Organization, StoreError> {
    let root = store.root()?.expect("a root");
    store.create_organization(
        &root.path,
        &NewOrganization {
            parent_id: root.id,
            kind: OrgKind::Partner,
            name: DisplayName::parse(name).unwrap(),
            customer: None,
        },
        &AuditEntry::by(Actor::System),
    )
}

backend_tests!(
    only_the_claim_holding_a_key_commits_and_a_committed_key_is_never_run_again,
    |db| {
        let store = Store::connect(&db.url, 4).unwrap();
        store.migrate().unwrap();
        let email = domain::WorkEmail::parse("admin@provider.example", "email").unwrap();
        let name = DisplayName::parse("Provider").unwrap();
        store
            .bootstrap(&name, &email, &DisplayName::parse("Admin").unwrap())
            .unwrap();
        let t0 = Utc::now();
        let lease = |at| at + Duration::seconds(60);
        let old = |at| at - Duration::hours(24);
        let attempt = |c: &KeyClaim, at| store.claim_idempotency_key(c, at, lease(at), old(at)).unwrap();

        let first = claim("k");
        assert_eq!(attempt(&first, t0), Claimed::Fresh(first.clone()));
        assert_eq!(attempt(&claim("k"), t0 + Duration::seconds(30)), Claimed::InFlight);
        // The first request's lease runs out before it wrote: a retry takes the key.
        let second = claim("k");
        let later = t0 + Duration::seconds(61);
        assert_eq!(attempt(&second, later), Claimed::Fresh(second.clone()));
        // The slow first request can no longer write under the key.
        let lost = partner(&store.with_claim(Some(first)), "Slow Partner");
        assert!(matches!(lost, Err(StoreError::IdempotencyRace)), "{lost:?}");
        partner(&store.with_claim(Some(second.clone())), "Retried Partner").unwrap();
        let names: Vec<String> = store
            .children(store.root().unwrap().unwrap().id, &Default::default(), None, 10)
            .unwrap()
            .into_iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(names, vec!["Retried Partner"]);
        // Committed without a kept answer: never taken over, even after its lease.
        let much_later = later + Duration::seconds(600);
        assert_eq!(attempt(&claim("k"), much_later), Claimed::CommittedWithoutAnswer);
        // Once the answer is kept, it is what a retry finds.
        let answer = StoredAnswer {
            request_hash: "h".into(),
            status: 201,
            headers: r#"[["location","/v1/organizations/x"]]"#.into(),
            body: b"{}".to_vec(),
        };
        store.store_idempotent_answer(&second, &answer).unwrap();
        assert_eq!(attempt(&claim("k"), much_later), Claimed::Answered(answer));
        // A released key is free again; keys older than 24 hours are swept.
        let third = claim("other");
        assert_eq!(attempt(&third, t0), Claimed::Fresh(third.clone()));
        store.release_idempotency_key(&third).unwrap();
        let fourth = claim("other");
        assert_eq!(attempt(&fourth, t0), Claimed::Fresh(fourth.clone()));
        assert_eq!(store.sweep_idempotency_keys(t0).unwrap(), 0);
        assert_eq!(store.sweep_idempotency_keys(t0 + Duration::hours(25)).unwrap(), 2);
    }
);
