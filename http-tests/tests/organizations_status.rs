//! Organisation status through HTTP: pending → active (activation, not an
//! endpoint yet) → suspended ⇄ active, archive at the end of life; the root stays
//! active; archived is terminal; a suspended home locks its operators out at once.

use domain::{Role, StatusChange};
use http_tests::{both_backends, join2, Reply, TestApp};
use serde_json::json;
use uuid::Uuid;

/// Activates a pending organisation directly in the store (there is no endpoint yet).
fn activate(app: &TestApp, id: Uuid) {
    let root_path = app.store.organization(app.root).unwrap().unwrap().path;
    let org = app
        .store
        .change_organization_status(
            &root_path,
            id,
            StatusChange::Activate,
            &persistence::AuditEntry::by(persistence::Actor::System),
        )
        .expect("activate");
    assert_eq!(org.status, domain::OrgStatus::Active);
}

async fn act(app: &TestApp, token: &str, id: Uuid, verb: &str) -> Reply {
    app.as_(token).organizations().act(id, verb).await
}

async fn status_of(app: &TestApp, id: Uuid) -> String {
    let r = app.admin().organizations().get(id).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["status"].as_str().unwrap().to_string()
}

fn assert_conflict(r: &Reply, code: &str) {
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some(code), "{}", r.text);
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
}

both_backends!(
    a_pending_organisation_cannot_be_suspended_or_reactivated,
    |app| async move {
        let t = app.tree().await;
        let admin = app.admin_token.clone();
        assert_conflict(
            &act(&app, &admin, t.reseller_a, "suspend").await,
            "invalid_status_transition",
        );
        assert_conflict(
            &act(&app, &admin, t.reseller_a, "reactivate").await,
            "invalid_status_transition",
        );
        assert_eq!(status_of(&app, t.reseller_a).await, "pending");
        assert_eq!(
            app.store.audit_event_count(t.reseller_a).unwrap(),
            1,
            "refused changes are not audited"
        );
    }
);

both_backends!(active_suspended_and_active_again, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    activate(&app, t.reseller_a);
    let events = app.store.audit_event_count(t.reseller_a).unwrap();
    let version = app.as_(&admin).organizations().get(t.reseller_a).await.body["version"]
        .as_i64()
        .unwrap();

    let r = act(&app, &admin, t.reseller_a, "suspend").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "suspended");
    assert_eq!(r.body["version"], version + 1);
    assert_eq!(r.header("etag"), Some(format!("\"{}\"", version + 1)));
    assert_eq!(status_of(&app, t.reseller_a).await, "suspended");
    // Suspending again is a conflict, and the subtree keeps its own statuses.
    assert_conflict(
        &act(&app, &admin, t.reseller_a, "suspend").await,
        "invalid_status_transition",
    );
    assert_eq!(status_of(&app, t.sub_a).await, "pending");
    assert_eq!(status_of(&app, t.customer_a).await, "pending");

    let r = act(&app, &admin, t.reseller_a, "reactivate").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["version"], version + 2);
    assert_eq!(status_of(&app, t.reseller_a).await, "active");
    assert_conflict(
        &act(&app, &admin, t.reseller_a, "reactivate").await,
        "invalid_status_transition",
    );
    assert_eq!(
        app.store.audit_event_count(t.reseller_a).unwrap(),
        events + 2,
        "one event per change"
    );

    // The filters see the new status.
    let r = app
        .as_(&admin)
        .organizations()
        .descendants(app.root, "?status=active")
        .await;
    assert_eq!(r.names(), vec!["Reseller A"]);
});

both_backends!(archiving_a_leaf_keeps_it_readable, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    let r = act(&app, &admin, t.customer_b, "archive").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "archived");
    assert_eq!(r.body["version"], 2);
    let r = app.as_(&admin).organizations().get(t.customer_b).await;
    assert_eq!(r.status, 200, "archived records stay for audit");
    assert_eq!(r.body["status"], "archived");
    assert_eq!(r.body["name"], "Customer B");
    assert_eq!(app.store.audit_event_count(t.customer_b).unwrap(), 2);
    // A suspended organisation can be archived too.
    activate(&app, t.customer_a);
    assert_eq!(act(&app, &admin, t.customer_a, "suspend").await.status, 200);
    let r = act(&app, &admin, t.customer_a, "archive").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "archived");
});

both_backends!(
    an_organisation_with_live_children_cannot_be_archived,
    |app| async move {
        let t = app.tree().await;
        let admin = app.admin_token.clone();
        assert_conflict(&act(&app, &admin, t.reseller_b, "archive").await, "has_children");
        assert_eq!(status_of(&app, t.reseller_b).await, "pending");
        // A suspended child is still a live child.
        activate(&app, t.customer_b);
        assert_eq!(act(&app, &admin, t.customer_b, "suspend").await.status, 200);
        assert_conflict(&act(&app, &admin, t.reseller_b, "archive").await, "has_children");
        assert_eq!(status_of(&app, t.reseller_b).await, "pending");
        // Once its children are archived, it can be.
        assert_eq!(act(&app, &admin, t.customer_b, "archive").await.status, 200);
        let r = act(&app, &admin, t.reseller_b, "archive").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "archived");
        // Moving the children away works as well.
        assert_conflict(&act(&app, &admin, t.sub_a, "archive").await, "has_children");
        let r = app
            .as_(&admin)
            .organizations()
            .move_to(t.customer_a2, json!({"parent_id": t.reseller_a}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(act(&app, &admin, t.sub_a, "archive").await.status, 200);
    }
);

both_backends!(archived_is_terminal, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    assert_eq!(act(&app, &admin, t.customer_a, "archive").await.status, 200);
    let events = app.store.audit_event_count(t.customer_a).unwrap();
    for verb in ["suspend", "reactivate", "archive"] {
        assert_conflict(
            &act(&app, &admin, t.customer_a, verb).await,
            "invalid_status_transition",
        );
    }
    assert_eq!(status_of(&app, t.customer_a).await, "archived");
    assert_eq!(app.store.audit_event_count(t.customer_a).unwrap(), events);
    // An archived partner takes no new children.
    let empty = app.create(&admin, t.dist, "partner", "Closing Down").await;
    assert_eq!(act(&app, &admin, empty, "archive").await.status, 200);
    let r = app
        .as_(&admin)
        .organizations()
        .create(json!({"parent_id": empty, "kind": "partner", "name": "Late"}))
        .await;
    assert_conflict(&r, "parent_archived");
    let r = app.as_(&admin).organizations().children(empty, "").await;
    assert!(r.names().is_empty(), "{}", r.text);
});

both_backends!(the_provider_root_is_always_active, |app| async move {
    app.tree().await;
    let admin = app.admin_token.clone();
    for verb in ["suspend", "archive", "reactivate"] {
        let r = act(&app, &admin, app.root, verb).await;
        assert_eq!(r.status, 409, "{verb}: {}", r.text);
    }
    assert_eq!(status_of(&app, app.root).await, "active");
    // Its operators still work.
    let r = app.as_(&admin).organizations().children(app.root, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
});

both_backends!(
    a_suspended_home_locks_its_operators_out_until_reactivated,
    |app| async move {
        let t = app.tree().await;
        activate(&app, t.reseller_a);
        let (_, viewer_a) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
        let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        let home = t.reseller_a;
        assert_eq!(app.as_(&viewer_a).organizations().get(home).await.status, 200);
        assert_eq!(app.as_(&admin_a).organizations().get(home).await.status, 200);

        let r = act(&app, &app.admin_token, t.reseller_a, "suspend").await;
        assert_eq!(r.status, 200, "{}", r.text);
        // Tokens issued before the suspension stop working on the next request.
        for token in [&viewer_a, &admin_a] {
            let r = app.as_(token).organizations().get(home).await;
            assert_eq!(r.status, 401, "{}", r.text);
            assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
            assert!(
                r.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")),
                "{:?}",
                r.headers
            );
        }
        // Not even its own admin can lift the suspension or act below.
        let r = act(&app, &admin_a, t.reseller_a, "reactivate").await;
        assert_eq!(r.status, 401, "{}", r.text);
        let r = app
            .as_(&admin_a)
            .organizations()
            .create(json!({"parent_id": t.reseller_a, "kind": "partner", "name": "Sneaky"}))
            .await;
        assert_eq!(r.status, 401, "{}", r.text);
        assert_eq!(status_of(&app, t.reseller_a).await, "suspended");

        let r = act(&app, &app.admin_token, t.reseller_a, "reactivate").await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app.as_(&viewer_a).organizations().get(home).await;
        assert_eq!(r.status, 200, "the same token works again: {}", r.text);
        assert_eq!(r.body["status"], "active");
        assert_eq!(
            app.as_(&admin_a)
                .organizations()
                .children(t.reseller_a, "")
                .await
                .status,
            200
        );
    }
);

both_backends!(an_archived_home_locks_its_operators_out, |app| async move {
    let t = app.tree().await;
    let closing = app
        .create(&app.admin_token, t.dist, "partner", "Closing Reseller")
        .await;
    activate(&app, closing);
    let (_, admin_c) = app.operator(closing, "admin@closing.example", &[Role::Admin]);
    let home = closing;
    assert_eq!(app.as_(&admin_c).organizations().get(home).await.status, 200);
    assert_eq!(act(&app, &app.admin_token, closing, "archive").await.status, 200);
    let r = app.as_(&admin_c).organizations().get(home).await;
    assert_eq!(r.status, 401, "{}", r.text);
});

both_backends!(
    concurrent_suspends_of_one_organisation_let_exactly_one_through,
    |app| async move {
        let t = app.tree().await;
        for (round, id) in [t.reseller_a, t.sub_a, t.reseller_b, t.customer_a, t.customer_b]
            .into_iter()
            .enumerate()
        {
            activate(&app, id);
            let events = app.store.audit_event_count(id).unwrap();
            let replies = join_all((0..6).map(|_| act(&app, &app.admin_token, id, "suspend"))).await;
            let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
            assert_eq!(
                statuses.iter().filter(|s| **s == 200).count(),
                1,
                "round {round}: one suspension, the rest 409: {statuses:?}"
            );
            assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
            assert_eq!(
                app.store.audit_event_count(id).unwrap(),
                events + 1,
                "round {round}: one audit event"
            );
        }
    }
);

both_backends!(
    archiving_a_parent_while_a_child_is_created_never_leaves_a_live_child_under_it,
    |app| async move {
        let t = app.tree().await;
        for round in 0..10 {
            let parent = app
                .create(&app.admin_token, t.dist, "partner", &format!("Racing {round}"))
                .await;
            let create = app
                .admin()
                .organizations()
                .create(json!({"parent_id": parent, "kind": "partner", "name": format!("Child {round}")}));
            let archive = act(&app, &app.admin_token, parent, "archive");
            let (created, archived) = join2(create, archive).await;
            let children = app.admin().organizations().children(parent, "").await;
            let statuses: Vec<String> = children.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["status"].as_str().unwrap().to_string())
                .collect();
            if status_of(&app, parent).await == "archived" {
                assert!(
                    statuses.iter().all(|s| s == "archived"),
                    "round {round}: an archived parent has live children {statuses:?} (create {}, archive {})",
                    created.status,
                    archived.status
                );
            }
            assert!(
                !(created.status == 201 && archived.status == 200),
                "round {round}: both the create and the archive succeeded"
            );
        }
    }
);

/// Polls many futures on this task until all finish; outputs in order.
async fn join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut set: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, out) in set.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *out = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}
