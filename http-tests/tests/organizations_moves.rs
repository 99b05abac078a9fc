//! Moving organisations through HTTP: a subtree moves whole, partner paths and
//! subtree listings follow, the kind/parent rule and the no-cycle rule hold, the
//! root stays put, and scope (of the mover and of everyone else) follows the tree.

use domain::Role;
use http_tests::{both_backends, join2, Reply, TestApp};
use serde_json::json;
use uuid::Uuid;

async fn move_to(app: &TestApp, token: &str, id: Uuid, parent: Uuid) -> Reply {
    app.as_(token)
        .organizations()
        .move_to(id, json!({ "parent_id": parent }))
        .await
}

async fn read(app: &TestApp, token: &str, id: Uuid) -> Reply {
    app.as_(token).organizations().get(id).await
}

fn path_ids(r: &Reply) -> Vec<Uuid> {
    r.body["partner_path"]
        .as_array()
        .unwrap_or_else(|| panic!("no partner_path in {}", r.text))
        .iter()
        .map(|e| Uuid::try_parse(e["id"].as_str().unwrap()).unwrap())
        .collect()
}

fn path_names(r: &Reply) -> Vec<String> {
    r.body["partner_path"]
        .as_array()
        .unwrap_or_else(|| panic!("no partner_path in {}", r.text))
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

async fn subtree(app: &TestApp, token: &str, id: Uuid) -> Vec<String> {
    let r = app.as_(token).organizations().descendants(id, "?limit=500").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.names()
}

both_backends!(a_partner_moves_with_its_whole_subtree, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    let deeper = app.create(&admin, t.sub_a, "partner", "Deeper").await;
    let deepest = app.create(&admin, deeper, "customer", "Deepest").await;
    let events_before = app.store.audit_event_count(t.sub_a).unwrap();

    let r = move_to(&app, &admin, t.sub_a, t.reseller_b).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["parent_id"], json!(t.reseller_b));
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(path_ids(&r), vec![app.root, t.dist, t.reseller_b, t.sub_a]);

    // A read afterwards agrees, and the grandchildren's paths run through the new parent.
    let r = read(&app, &admin, t.sub_a).await;
    assert_eq!(r.body["parent_id"], json!(t.reseller_b));
    let r = read(&app, &admin, t.customer_a2).await;
    assert_eq!(r.body["parent_id"], json!(t.sub_a), "the subtree keeps its own shape");
    assert_eq!(
        path_ids(&r),
        vec![app.root, t.dist, t.reseller_b, t.sub_a, t.customer_a2]
    );
    assert_eq!(
        &path_names(&r)[1..],
        &["Northwind Distribution", "Reseller B", "Sub A", "Customer A2"]
    );
    let r = read(&app, &admin, deepest).await;
    assert_eq!(
        path_ids(&r),
        vec![app.root, t.dist, t.reseller_b, t.sub_a, deeper, deepest]
    );

    // Subtree listings of both parents follow.
    assert_eq!(
        subtree(&app, &admin, t.reseller_b).await,
        vec!["Sub A", "Customer A2", "Deeper", "Deepest", "Customer B"]
    );
    assert_eq!(subtree(&app, &admin, t.reseller_a).await, vec!["Customer A"]);
    assert_eq!(
        subtree(&app, &admin, t.sub_a).await,
        vec!["Customer A2", "Deeper", "Deepest"]
    );
    let r = app.as_(&admin).organizations().children(t.reseller_a, "").await;
    assert_eq!(r.names(), vec!["Customer A"]);
    let r = app.as_(&admin).organizations().children(t.reseller_b, "").await;
    assert_eq!(r.names(), vec!["Sub A", "Customer B"]);
    // The whole tree still lists every organisation exactly once.
    assert_eq!(subtree(&app, &admin, app.root).await.len(), 9);

    // The move is audited on the moved organisation.
    assert_eq!(app.store.audit_event_count(t.sub_a).unwrap(), events_before + 1);

    // And it can move back.
    let r = move_to(&app, &admin, t.sub_a, t.reseller_a).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = read(&app, &admin, deepest).await;
    assert_eq!(
        path_ids(&r),
        vec![app.root, t.dist, t.reseller_a, t.sub_a, deeper, deepest]
    );
    assert_eq!(subtree(&app, &admin, t.reseller_b).await, vec!["Customer B"]);
});

both_backends!(moving_under_itself_or_its_own_descendant_is_409, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    for (id, parent) in [
        (t.reseller_a, t.sub_a),
        (t.reseller_a, t.reseller_a),
        (t.dist, t.sub_a),
        (t.sub_a, t.sub_a),
    ] {
        let r = move_to(&app, &admin, id, parent).await;
        assert_eq!(r.status, 409, "{id} under {parent}: {}", r.text);
        assert_eq!(r.code(), Some("move_into_own_subtree"));
    }
    let r = read(&app, &admin, t.reseller_a).await;
    assert_eq!(r.body["parent_id"], json!(t.dist));
    assert_eq!(r.body["version"], 1);
    assert_eq!(
        subtree(&app, &admin, t.reseller_a).await,
        vec!["Sub A", "Customer A2", "Customer A"]
    );
    assert_eq!(
        app.store.audit_event_count(t.reseller_a).unwrap(),
        1,
        "refused moves are not audited"
    );
});

both_backends!(a_move_must_respect_the_kind_parent_rule, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    let other_dist = app
        .create(&admin, app.root, "distributor", "Contoso Distribution")
        .await;
    for (id, parent) in [
        (t.customer_a, app.root),     // customer under the provider
        (other_dist, t.reseller_b),   // distributor under a partner
        (t.reseller_a, t.customer_b), // anything under a customer
        (t.customer_a, t.customer_b),
    ] {
        let r = move_to(&app, &admin, id, parent).await;
        assert_eq!(r.status, 422, "{id} under {parent}: {}", r.text);
        assert_eq!(r.error_field(), Some("parent_id"), "{}", r.text);
        assert_eq!(r.body["errors"][0]["code"], "parent_kind_not_allowed");
    }
    let r = read(&app, &admin, t.customer_a).await;
    assert_eq!(r.body["parent_id"], json!(t.reseller_a));
    assert_eq!(r.body["version"], 1);
    // Allowed moves: a customer straight under the distributor, a partner under the provider.
    let r = move_to(&app, &admin, t.customer_a, t.dist).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = move_to(&app, &admin, t.reseller_b, app.root).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        path_ids(&read(&app, &admin, t.customer_b).await),
        vec![app.root, t.reseller_b, t.customer_b]
    );
});

both_backends!(the_root_never_moves, |app| async move {
    let t = app.tree().await;
    let r = move_to(&app, &app.admin_token, app.root, t.dist).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("root_cannot_move"));
    let r = read(&app, &app.admin_token, app.root).await;
    assert_eq!(r.body["parent_id"], serde_json::Value::Null);
    assert_eq!(subtree(&app, &app.admin_token, app.root).await.len(), 7);
});

both_backends!(an_archived_parent_takes_no_moved_children, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    let empty = app.create(&admin, t.dist, "partner", "Closed Reseller").await;
    let r = app.as_(&admin).organizations().archive(empty).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = move_to(&app, &admin, t.customer_a, empty).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("parent_archived"));
    assert_eq!(
        read(&app, &admin, t.customer_a).await.body["parent_id"],
        json!(t.reseller_a)
    );
});

both_backends!(
    a_reseller_admin_cannot_move_anything_outside_its_scope,
    |app| async move {
        let t = app.tree().await;
        let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        // A target parent beside it: 404 naming parent_id, like one that does not exist.
        for (id, parent) in [
            (t.sub_a, t.reseller_b),
            (t.reseller_a, t.reseller_b),
            (t.sub_a, t.dist),
            (t.customer_a, app.root),
        ] {
            let r = move_to(&app, &admin_a, id, parent).await;
            assert_eq!(r.status, 404, "{id} under {parent}: {}", r.text);
            assert_eq!(r.error_field(), Some("parent_id"), "{}", r.text);
            let absent = move_to(&app, &admin_a, id, Uuid::now_v7()).await;
            assert_eq!(absent.status, 404);
            assert_eq!(absent.text, r.text, "an out-of-scope parent looks like a missing one");
        }
        // An organisation beside it cannot be moved in either.
        let r = move_to(&app, &admin_a, t.customer_b, t.reseller_a).await;
        assert_eq!(r.status, 404, "{}", r.text);
        // Nothing moved.
        let admin = app.admin_token.clone();
        assert_eq!(read(&app, &admin, t.sub_a).await.body["parent_id"], json!(t.reseller_a));
        assert_eq!(read(&app, &admin, t.reseller_a).await.body["parent_id"], json!(t.dist));
        assert_eq!(
            read(&app, &admin, t.customer_b).await.body["parent_id"],
            json!(t.reseller_b)
        );
        // Inside its scope it may move things.
        let r = move_to(&app, &admin_a, t.customer_a, t.sub_a).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            path_ids(&r),
            vec![t.reseller_a, t.sub_a, t.customer_a],
            "the path starts at the caller's home"
        );
        // A viewer may not.
        let (_, viewer_a) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
        let r = move_to(&app, &viewer_a, t.customer_a, t.reseller_a).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(read(&app, &admin, t.customer_a).await.body["parent_id"], json!(t.sub_a));
    }
);

both_backends!(scope_follows_the_tree_after_a_move, |app| async move {
    let t = app.tree().await;
    let (_, viewer_a) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let (_, viewer_b) = app.operator(t.reseller_b, "viewer@reseller-b.example", &[Role::Viewer]);
    let (_, viewer_sub) = app.operator(t.sub_a, "viewer@sub-a.example", &[Role::Viewer]);
    assert_eq!(read(&app, &viewer_a, t.sub_a).await.status, 200);
    assert_eq!(read(&app, &viewer_a, t.customer_a2).await.status, 200);
    assert_eq!(read(&app, &viewer_b, t.sub_a).await.status, 404);

    let r = move_to(&app, &app.admin_token, t.sub_a, t.reseller_b).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Reseller A's people no longer see what left their subtree (same tokens, next request).
    for id in [t.sub_a, t.customer_a2] {
        let r = read(&app, &viewer_a, id).await;
        assert_eq!(r.status, 404, "{id}: {}", r.text);
    }
    assert_eq!(subtree(&app, &viewer_a, t.reseller_a).await, vec!["Customer A"]);
    let r = app.as_(&viewer_a).organizations().descendants(t.sub_a, "").await;
    assert_eq!(r.status, 404);
    // Reseller B's people now do, with paths starting at their home.
    let r = read(&app, &viewer_b, t.customer_a2).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(path_names(&r), vec!["Reseller B", "Sub A", "Customer A2"]);
    assert_eq!(
        subtree(&app, &viewer_b, t.reseller_b).await,
        vec!["Sub A", "Customer A2", "Customer B"]
    );
    // The moved organisation's own operators keep their scope, now under the new parent.
    let r = read(&app, &viewer_sub, t.customer_a2).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(path_names(&r), vec!["Sub A", "Customer A2"]);
    assert_eq!(
        read(&app, &viewer_sub, t.reseller_b).await.status,
        404,
        "still nothing above home"
    );
});

both_backends!(moving_to_the_current_parent_is_a_200_no_op, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    let before = read(&app, &admin, t.sub_a).await;
    let events = app.store.audit_event_count(t.sub_a).unwrap();
    let r = move_to(&app, &admin, t.sub_a, t.reseller_a).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["parent_id"], json!(t.reseller_a));
    assert_eq!(r.body["version"], before.body["version"], "nothing changed");
    let after = read(&app, &admin, t.sub_a).await;
    assert_eq!(after.body, before.body);
    assert_eq!(
        path_ids(&read(&app, &admin, t.customer_a2).await),
        vec![app.root, t.dist, t.reseller_a, t.sub_a, t.customer_a2]
    );
    assert_eq!(
        app.store.audit_event_count(t.sub_a).unwrap(),
        events,
        "a no-op is not audited"
    );
    assert_eq!(
        subtree(&app, &admin, t.reseller_a).await,
        vec!["Sub A", "Customer A2", "Customer A"]
    );
});

both_backends!(a_move_body_refuses_unknown_fields, |app| async move {
    let t = app.tree().await;
    let r = app
        .admin()
        .organizations()
        .move_to(t.sub_a, json!({"parent_id": t.reseller_b, "status": "active"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("status"), "{}", r.text);
    let r = read(&app, &app.admin_token, t.sub_a).await;
    assert_eq!(r.body["parent_id"], json!(t.reseller_a));
    assert_eq!(r.body["status"], "pending");
    // A body without parent_id names it.
    let r = app.admin().organizations().move_to(t.sub_a, json!({})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("parent_id"), "{}", r.text);
});

both_backends!(crossing_moves_never_make_a_cycle, |app| async move {
    let t = app.tree().await;
    let admin = app.admin_token.clone();
    for round in 0..5 {
        let (a, b) = if round % 2 == 0 {
            (t.reseller_a, t.reseller_b)
        } else {
            (t.reseller_b, t.reseller_a)
        };
        let (ra, rb) = join2(move_to(&app, &admin, a, b), move_to(&app, &admin, b, a)).await;
        assert!(
            !(ra.status == 200 && rb.status == 200),
            "round {round}: both crossing moves succeeded"
        );
        // Whatever happened, the tree is whole: every organisation lists exactly once under the root.
        let all = subtree(&app, &admin, app.root).await;
        assert_eq!(all.len(), 7, "round {round}: {all:?}");
        // Put things back for the next round.
        for id in [t.reseller_a, t.reseller_b] {
            let r = move_to(&app, &admin, id, t.dist).await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }
});

// Stripe's semantics: a retry replays the first answer as it was, so a late
// retry after a move tells the caller nothing newer than the first answer did
// (not where the organisation went), and creates nothing.
both_backends!(
    an_idempotent_replay_after_a_move_repeats_the_first_answer_only,
    |app| async move {
        let t = app.tree().await;
        let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        let body = json!({"parent_id": t.reseller_a, "kind": "customer", "name": "Secretive",
        "primary_domain": "secretive.onmicrosoft.com", "contact_email": "ceo@secretive.example"});
        let send = || {
            app.as_(&admin_a)
                .organizations()
                .create_with_key(&body, "onboard-secretive")
        };
        let first = send().await;
        assert_eq!(first.status, 201, "{}", first.text);
        let id = first.id();
        // The provider moves it to Reseller B: Reseller A's admin may no longer see it.
        let r = move_to(&app, &app.admin_token, id, t.reseller_b).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(read(&app, &admin_a, id).await.status, 404);
        // A late retry of the original create gets the first answer, unchanged.
        let replay = send().await;
        assert_eq!(replay.status, 201, "{}", replay.text);
        assert_eq!(
            replay.headers.get("idempotent-replayed").and_then(|v| v.to_str().ok()),
            Some("true")
        );
        assert_eq!(
            replay.body, first.body,
            "the replay is the first answer, not the record now"
        );
        assert!(
            !replay.text.contains(&t.reseller_b.to_string()) && !replay.text.contains("Reseller B"),
            "the replay reveals where the organisation went: {}",
            replay.text
        );
        assert_eq!(read(&app, &admin_a, id).await.status, 404, "and it stays out of scope");
        // And nothing new was created under Reseller A.
        assert_eq!(
            subtree(&app, &admin_a, t.reseller_a).await,
            vec!["Sub A", "Customer A2", "Customer A"]
        );
    }
);
