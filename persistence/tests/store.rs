//! Persistence on both backends: migrations up → down → up, the tree's paths
//! through creates and moves, unique constraints reported as their field, and
//! transactions that leave nothing half-written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

use domain::{CustomerDetails, DisplayName, OrgKind, StatusChange, TenantDomain, TreePath};
use persistence::backend_tests;
use persistence::testing::TestDatabase;
use persistence::{Actor, AuditEntry, DescendantFilter, NewOrganization, Store, StoreError};
use uuid::Uuid;

fn store(db: &TestDatabase) -> Store {
    let store = Store::connect(&db.url, 4).expect("connect");
    store.migrate().expect("migrate");
    store
}

fn who() -> AuditEntry {
    AuditEntry::by(Actor::System)
}

fn root(store: &Store) -> (Uuid, TreePath) {
    let name = DisplayName::parse("Provider").unwrap();
    let email = domain::WorkEmail::parse("admin@provider.example", "email").unwrap();
    store
        .bootstrap(&name, &email, &DisplayName::parse("Admin").unwrap())
        .unwrap();
    let root = store.root().unwrap().unwrap();
    (root.id, root.path)
}

fn create(store: &Store, scope: &TreePath, parent: Uuid, kind: OrgKind, name: &str) -> Result<Uuid, StoreError> {
    let customer = (kind == OrgKind::Customer).then(|| CustomerDetails {
        primary_domain: TenantDomain::parse(&format!("{}.onmicrosoft.com", name.to_lowercase()), "d").unwrap(),
        tenant_id: None,
        contact_email: None,
        country: None,
    });
    store
        .create_organization(
            scope,
            &NewOrganization {
                parent_id: parent,
                kind,
                name: DisplayName::parse(name).unwrap(),
                customer,
            },
            &who(),
        )
        .map(|o| o.id)
}

fn all_below(store: &Store, path: &TreePath) -> Vec<String> {
    store
        .descendants(path, &DescendantFilter::default(), None, 1000)
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect()
}

backend_tests!(migrations_go_up_down_and_up_again, |db| {
    let store = store(&db);
    assert!(store.ready().unwrap());
    store.revert_all_migrations().unwrap();
    assert!(!store.ready().unwrap(), "pending after revert on {}", db.url);
    assert!(store.migrate().unwrap() > 0);
    assert!(store.ready().unwrap());
    root(&store);
});

backend_tests!(moves_rewrite_the_whole_subtree_in_one_go, |db| {
    let store = store(&db);
    let (root_id, root_path) = root(&store);
    let a = create(&store, &root_path, root_id, OrgKind::Partner, "A").unwrap();
    let a1 = create(&store, &root_path, a, OrgKind::Partner, "Aone").unwrap();
    let leaf = create(&store, &root_path, a1, OrgKind::Customer, "Leaf").unwrap();
    let b = create(&store, &root_path, root_id, OrgKind::Partner, "B").unwrap();
    store.move_organization(&root_path, a, b, &who()).unwrap();
    let b_path = store.organization(b).unwrap().unwrap().path;
    assert_eq!(all_below(&store, &b_path), vec!["A", "Aone", "Leaf"]);
    let leaf_org = store.organization(leaf).unwrap().unwrap();
    assert_eq!(leaf_org.path.ids(), vec![root_id, b, a, a1, leaf]);
    // Moving B under its own descendant is refused and changes nothing.
    let err = store.move_organization(&root_path, b, a1, &who()).unwrap_err();
    assert!(matches!(err, StoreError::Rule(_)), "{err:?}");
    assert_eq!(store.organization(b).unwrap().unwrap().path, b_path);
});

// Two moves that each put one subtree under the other's child lock each
// other's rows from opposite ends; PostgreSQL aborts one as a deadlock, which
// runs again and then meets the cycle rule: one move wins, the other is refused.
backend_tests!(crossing_moves_end_in_one_move_and_one_refusal, |db| {
    let store = store(&db);
    let (root_id, root_path) = root(&store);
    for round in 0..8 {
        let partner = |parent, name: &str| create(&store, &root_path, parent, OrgKind::Partner, name).unwrap();
        let a = partner(root_id, &format!("A{round}"));
        let a1 = partner(a, &format!("Aone{round}"));
        let b = partner(root_id, &format!("B{round}"));
        let b1 = partner(b, &format!("Bone{round}"));
        let start = std::sync::Barrier::new(2);
        let (first, second) = std::thread::scope(|s| {
            let (store, root_path, start) = (&store, &root_path, &start);
            let one = s.spawn(move || {
                start.wait();
                store.move_organization(root_path, a, b1, &who())
            });
            let other = s.spawn(move || {
                start.wait();
                store.move_organization(root_path, b, a1, &who())
            });
            (one.join().unwrap(), other.join().unwrap())
        });
        let refused = [&first, &second]
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Rule(_))))
            .count();
        assert!(
            first.is_ok() != second.is_ok() && refused == 1,
            "round {round} on {}: {first:?} / {second:?}",
            db.url
        );
    }
});

backend_tests!(unique_violations_name_their_field_and_roll_back, |db| {
    let store = store(&db);
    let (root_id, root_path) = root(&store);
    let p = create(&store, &root_path, root_id, OrgKind::Partner, "P").unwrap();
    create(&store, &root_path, p, OrgKind::Customer, "Contoso").unwrap();
    let err = create(&store, &root_path, p, OrgKind::Customer, "Contoso").unwrap_err();
    match err {
        StoreError::Duplicate { field, .. } => assert_eq!(field, "primary_domain"),
        other => panic!("expected a duplicate, got {other:?}"),
    }
    let p_path = store.organization(p).unwrap().unwrap().path;
    assert_eq!(
        all_below(&store, &p_path),
        vec!["Contoso"],
        "the failed insert left nothing"
    );
});

backend_tests!(writes_outside_the_scope_are_not_found, |db| {
    let store = store(&db);
    let (root_id, root_path) = root(&store);
    let a = create(&store, &root_path, root_id, OrgKind::Partner, "A").unwrap();
    let b = create(&store, &root_path, root_id, OrgKind::Partner, "B").unwrap();
    let a_path = store.organization(a).unwrap().unwrap().path;
    let err = create(&store, &a_path, b, OrgKind::Partner, "Sneaky").unwrap_err();
    assert!(
        matches!(err, StoreError::ReferenceNotFound { field: "parent_id" }),
        "{err:?}"
    );
    let err = store
        .change_organization_status(&a_path, b, StatusChange::Archive, &who())
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(store.audit_event_count(b).unwrap(), 1, "only B's creation is audited");
});

#[test]
#[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
fn a_read_cut_by_a_dead_connection_runs_again_on_a_fresh_one() {
    let db = TestDatabase::postgres();
    let store = Store::connect(&db.url, 1).expect("connect");
    store.migrate().expect("migrate");
    let (root_id, scope) = root(&store);
    persistence::testing::kill_connection(&store, &db.url).unwrap();
    let found = store
        .organization(root_id)
        .expect("the read is retried on a new connection");
    assert_eq!(found.map(|o| o.id), Some(root_id));
    persistence::testing::kill_connection(&store, &db.url).unwrap();
    let lost = create(&store, &scope, root_id, OrgKind::Distributor, "Cut");
    assert!(
        lost.as_ref().is_err_and(StoreError::is_unavailable),
        "a change on a dead connection is not retried and reads as unavailable: {lost:?}"
    );
    let after = create(&store, &scope, root_id, OrgKind::Distributor, "After");
    assert!(after.is_ok(), "the dead connection was dropped: {after:?}");
}
