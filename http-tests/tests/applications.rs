//! Partner-programme applications over HTTP: admins open and close their
//! organisation's programme (`programme_open`, not for customers); the public
//! applies to an open one (closed and unknown programmes answer alike; rate
//! limited; validated; one pending application per e-mail and programme, also
//! under races); admins in scope list (status filter, pages), approve (a pending
//! partner under the programme's organisation, and its activation link mailed to
//! the applicant, who accepts it) or reject with a reason (mailed); each
//! application is decided once, also when two decisions race; every step audited.

use domain::Role;
use http_tests::{both_backends, join_all, Reply, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::activations::{accept, newest_token};

fn application(email: &str) -> Value {
    json!({
        "company_name": "Adatum IT",
        "contact_name": "Ann Lee",
        "email": email,
        "country": "NZ",
        "message": "We look after 40 small businesses\nin Wellington."
    })
}

async fn apply(app: &TestApp, org: Uuid, body: Value) -> Reply {
    app.anonymous().applications().apply(org, body).await
}

/// Opens (or closes) an organisation's programme as `token`.
async fn set_programme(app: &TestApp, token: &str, org: Uuid, open: bool) -> Reply {
    app.as_(token)
        .organizations()
        .update(org, json!({ "programme_open": open }), None)
        .await
}

async fn open_programme(app: &TestApp, org: Uuid) {
    let r = set_programme(app, &app.admin_token, org, true).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["programme_open"], true);
}

/// Applies and returns the new application's id (asserting 201).
async fn applied(app: &TestApp, org: Uuid, email: &str) -> Uuid {
    let r = apply(app, org, application(email)).await;
    assert_eq!(r.status, 201, "apply {email}: {}", r.text);
    r.id()
}

async fn approve(app: &TestApp, token: &str, id: Uuid) -> Reply {
    app.as_(token).applications().decide(id, "approve", json!({})).await
}

async fn reject(app: &TestApp, token: &str, id: Uuid, reason: &str) -> Reply {
    app.as_(token)
        .applications()
        .decide(id, "reject", json!({ "reason": reason }))
        .await
}

both_backends!(admins_open_and_close_their_programme, |app| async move {
    let t = app.tree().await;
    let (_, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let r = app.as_(&admin).organizations().get(t.reseller_a).await;
    assert_eq!(r.body["programme_open"], false, "closed by default");

    // Closed and unknown programmes: the same 404.
    let closed = apply(&app, t.reseller_a, application("ann@adatum.example")).await;
    let unknown = apply(&app, Uuid::now_v7(), application("ann@adatum.example")).await;
    assert_eq!(closed.status, 404, "{}", closed.text);
    assert_eq!(closed.text, unknown.text);

    let r = set_programme(&app, &viewer, t.reseller_a, true).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = set_programme(&app, &admin, t.customer_a, true).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("programme_open"));
    let r = set_programme(&app, &admin, t.reseller_a, true).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["programme_open"], true);
    assert_eq!(
        app.store.audit_event_count(t.reseller_a).unwrap(),
        2,
        "created, programme opened"
    );

    let r = apply(&app, t.reseller_a, application("ann@adatum.example")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.id();
    assert_eq!(r.header("location"), Some(format!("/v1/applications/{id}")));
    assert_eq!(r.body["status"], "pending");
    assert_eq!(app.store.audit_event_count(id).unwrap(), 1, "submitted");

    let r = set_programme(&app, &admin, t.reseller_a, false).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = apply(&app, t.reseller_a, application("bob@adatum.example")).await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.text, unknown.text);

    // The provider has a programme too; an archived organisation's is closed.
    open_programme(&app, app.root).await;
    let r = apply(&app, app.root, application("cho@adatum.example")).await;
    assert_eq!(r.status, 201, "the provider's programme: {}", r.text);
    let lone = app.create(&app.admin_token, t.dist, "partner", "Lone Partner").await;
    open_programme(&app, lone).await;
    applied(&app, lone, "dee@adatum.example").await;
    let r = app.admin().organizations().archive(lone).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = apply(&app, lone, application("eve@adatum.example")).await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.text, unknown.text);
});

both_backends!(applications_are_validated, |app| async move {
    let t = app.tree().await;
    open_programme(&app, t.dist).await;
    for (field, value, code) in [
        ("email", json!("ann@gmail.com"), "consumer_email"),
        ("email", json!("not-an-address"), "invalid_email"),
        ("country", json!("XX"), "invalid_country"),
        ("company_name", json!("  "), "required"),
        ("contact_name", json!("a\u{7}b"), "control_characters"),
        ("message", json!("m".repeat(2001)), "too_long"),
        ("message", json!("nul\u{0}byte"), "control_characters"),
    ] {
        let mut body = application("ann@adatum.example");
        body[field] = value;
        let r = apply(&app, t.dist, body).await;
        assert_eq!(r.status, 422, "{field}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{}", r.text);
        assert_eq!(r.body["errors"][0]["code"], code, "{}", r.text);
    }
    let mut body = application("ann@adatum.example");
    body["status"] = json!("approved");
    let r = apply(&app, t.dist, body).await;
    assert_eq!(r.status, 422, "no mass assignment: {}", r.text);
    let mut body = application("ann@adatum.example");
    body.as_object_mut().unwrap().remove("message");
    let r = apply(&app, t.dist, body).await;
    assert_eq!(r.status, 422, "{}", r.text);
    // Empty messages and lowercase countries are fine.
    let mut body = application("ann@adatum.example");
    body["message"] = json!("");
    body["country"] = json!("au");
    let r = apply(&app, t.dist, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = app.admin().applications().get(r.id()).await;
    assert_eq!(r.body["country"], "AU");
    assert_eq!(r.body["message"], "");
});

both_backends!(one_pending_application_per_email_and_programme, |app| async move {
    let t = app.tree().await;
    open_programme(&app, t.reseller_a).await;
    open_programme(&app, t.reseller_b).await;
    let first = applied(&app, t.reseller_a, "ann@adatum.example").await;
    let r = apply(&app, t.reseller_a, application("ANN@adatum.example")).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("duplicate"));
    assert_eq!(r.error_field(), Some("email"));
    // Another programme, or another e-mail: fine.
    applied(&app, t.reseller_b, "ann@adatum.example").await;
    applied(&app, t.reseller_a, "bob@adatum.example").await;
    // Once decided, the same e-mail may apply again.
    let r = reject(&app, &app.admin_token, first, "Not now").await;
    assert_eq!(r.status, 200, "{}", r.text);
    applied(&app, t.reseller_a, "ann@adatum.example").await;

    // Racing duplicates: exactly one is filed.
    let answers = join_all((0..4).map(|_| apply(&app, t.reseller_a, application("race@adatum.example")))).await;
    let filed = answers.iter().filter(|r| r.status == 201).count();
    assert_eq!(filed, 1, "{answers:?}");
    for r in answers.iter().filter(|r| r.status != 201) {
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.error_field(), Some("email"));
    }
});

both_backends!(admins_in_scope_list_and_read_applications, |app| async move {
    let t = app.tree().await;
    let (_, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let (_, admin_b) = app.operator(t.reseller_b, "admin@reseller-b.example", &[Role::Admin]);
    open_programme(&app, t.reseller_a).await;
    let a = applied(&app, t.reseller_a, "a@adatum.example").await;
    let b = applied(&app, t.reseller_a, "b@adatum.example").await;
    let c = applied(&app, t.reseller_a, "c@adatum.example").await;
    let r = reject(&app, &admin, b, "Outside our region").await;
    assert_eq!(r.status, 200, "{}", r.text);

    let r = app.as_(&admin).applications().list(t.reseller_a, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ids: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![a.to_string(), b.to_string(), c.to_string()]);
    let item = &r.body["items"][0];
    assert_eq!(item["company_name"], "Adatum IT");
    assert_eq!(item["contact_name"], "Ann Lee");
    assert_eq!(item["email"], "a@adatum.example");
    assert_eq!(item["message"], "We look after 40 small businesses\nin Wellington.");
    assert_eq!(item["programme_organization_id"], t.reseller_a.to_string());

    let r = app
        .as_(&admin)
        .applications()
        .list(t.reseller_a, "?status=pending")
        .await;
    let ids: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![a.to_string(), c.to_string()]);
    let r = app
        .as_(&admin)
        .applications()
        .list(t.reseller_a, "?status=rejected")
        .await;
    assert_eq!(r.body["items"][0]["reason"], "Outside our region", "{}", r.text);
    let r = app.as_(&admin).applications().list(t.reseller_a, "?status=nope").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("status"));

    // Pages.
    let r = app.as_(&admin).applications().list(t.reseller_a, "?limit=2").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
    let cursor = r.body["next_cursor"].as_str().expect("next page").to_string();
    let r = app
        .as_(&admin)
        .applications()
        .list(t.reseller_a, &format!("?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(r.body["items"][0]["id"], c.to_string(), "{}", r.text);
    assert!(r.body["next_cursor"].is_null());

    // Only admins; beside the caller is 404 like a random id.
    let r = app.as_(&viewer).applications().list(t.reseller_a, "").await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app.as_(&viewer).applications().get(a).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let beside = app.as_(&admin_b).applications().get(a).await;
    let random = app.as_(&admin_b).applications().get(Uuid::now_v7()).await;
    assert_eq!(beside.status, 404);
    assert_eq!(beside.text, random.text);
    for decision in ["approve", "reject"] {
        let r = app
            .as_(&admin_b)
            .applications()
            .decide(a, decision, json!({"reason": "No"}))
            .await;
        assert_eq!(r.status, 404, "{decision}: {}", r.text);
        let r = app
            .as_(&viewer)
            .applications()
            .decide(a, decision, json!({"reason": "No"}))
            .await;
        assert_eq!(r.status, 403, "{decision}: {}", r.text);
    }
    let r = app.as_(&admin_b).applications().list(t.reseller_a, "").await;
    assert_eq!(r.status, 404, "{}", r.text);
    // The parent's admins see them too.
    let r = app.admin().applications().get(a).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "pending");
});

both_backends!(
    approving_creates_a_pending_partner_whose_link_the_applicant_accepts,
    |app| async move {
        let t = app.tree().await;
        let (admin_id, admin) = app.operator(t.dist, "admin@northwind.example", &[Role::Admin]);
        open_programme(&app, t.dist).await;
        let id = applied(&app, t.dist, "ann@adatum.example").await;

        let r = approve(&app, &admin, id).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "approved");
        assert_eq!(r.body["decided_by"], admin_id.to_string());
        assert!(r.body["decided_at"].is_string());
        let partner = Uuid::parse_str(r.body["partner_id"].as_str().expect("partner_id")).unwrap();

        let r = app.as_(&admin).organizations().get(partner).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["kind"], "partner");
        assert_eq!(r.body["status"], "pending");
        assert_eq!(r.body["name"], "Adatum IT");
        assert_eq!(r.body["parent_id"], t.dist.to_string());

        // The applicant's mail carries the new partner's activation link.
        let mails = app.store.mail_outbox(Some("ann@adatum.example")).unwrap();
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].kind.as_str(), "application_approved");
        assert!(mails[0].body_text.contains("Ann Lee"));
        assert!(mails[0].body_text.contains("Northwind Distribution"));
        let token = newest_token(&app, "ann@adatum.example");
        let r = app.anonymous().activations().get(&token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["organization_name"], "Adatum IT");
        assert_eq!(r.body["kind"], "partner");
        let r = accept(&app, &token, "Ann Lee", "ann@adatum.example").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["organization_id"], partner.to_string());
        assert_eq!(r.body["admin"]["type"], "operator");
        let operator = Uuid::parse_str(r.body["admin"]["id"].as_str().unwrap()).unwrap();
        let r = app.as_(&app.token_for(operator)).platform().me().await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["home_organization_id"], partner.to_string());

        // Audited: submitted, approved; the partner created and activated.
        assert_eq!(app.store.audit_event_count(id).unwrap(), 2);
        assert_eq!(app.store.audit_event_count(partner).unwrap(), 2);

        // Decided once.
        let r = approve(&app, &admin, id).await;
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.code(), Some("application_decided"));
        let r = reject(&app, &admin, id, "Changed our mind").await;
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.code(), Some("application_decided"));
        let r = app.as_(&admin).organizations().children(t.dist, "?kind=partner").await;
        assert_eq!(r.names().iter().filter(|n| *n == "Adatum IT").count(), 1, "{}", r.text);
        assert_eq!(app.store.mail_outbox(Some("ann@adatum.example")).unwrap().len(), 1);
    }
);

both_backends!(rejecting_mails_the_reason, |app| async move {
    let t = app.tree().await;
    open_programme(&app, t.reseller_a).await;
    let id = applied(&app, t.reseller_a, "ann@adatum.example").await;
    for (reason, code) in [("   ", "required"), ("line\nbreak", "control_characters")] {
        let r = reject(&app, &app.admin_token, id, reason).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.body["errors"][0]["code"], code);
    }
    let r = app.admin().applications().decide(id, "reject", json!({})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(app.store.mail_outbox(None).unwrap().is_empty(), "refusals mail nothing");

    let r = reject(
        &app,
        &app.admin_token,
        id,
        "We take partners in Australia only for now.",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "rejected");
    assert_eq!(r.body["reason"], "We take partners in Australia only for now.");
    assert!(r.body["partner_id"].is_null());
    let mails = app.store.mail_outbox(Some("ann@adatum.example")).unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].kind.as_str(), "application_rejected");
    assert!(mails[0]
        .body_text
        .contains("We take partners in Australia only for now."));
    assert!(!mails[0].body_text.contains("/v1/activations/"));
    assert_eq!(app.store.audit_event_count(id).unwrap(), 2, "submitted, rejected");

    let r = approve(&app, &app.admin_token, id).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("application_decided"));
    let r = app.admin().organizations().children(t.reseller_a, "").await;
    assert!(!r.names().contains(&"Adatum IT".to_string()), "{}", r.text);
});

both_backends!(two_decisions_at_once_exactly_one_wins, |app| async move {
    let t = app.tree().await;
    open_programme(&app, t.reseller_b).await;
    let id = applied(&app, t.reseller_b, "ann@adatum.example").await;
    let answers = join_all((0..4).map(|i| {
        let app = &app;
        async move {
            if i % 2 == 0 {
                approve(app, &app.admin_token, id).await
            } else {
                reject(app, &app.admin_token, id, "Racing").await
            }
        }
    }))
    .await;
    let won: Vec<&Reply> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    for r in answers.iter().filter(|r| r.status != 200) {
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.code(), Some("application_decided"));
    }
    let partners = app.admin().organizations().children(t.reseller_b, "").await;
    let created = partners.names().iter().filter(|n| *n == "Adatum IT").count();
    let approved = won[0].body["status"] == "approved";
    assert_eq!(created, usize::from(approved), "{}", partners.text);
    assert_eq!(app.store.mail_outbox(Some("ann@adatum.example")).unwrap().len(), 1);
});

both_backends!(
    applying_is_rate_limited_per_client_address,
    flags = ["--public-rate-limit-per-minute", "60"],
    |app| async move {
        let t = app.tree().await;
        open_programme(&app, t.reseller_a).await;
        let per_minute = app.config.public_rate_limit_per_minute as usize;
        let mut limited = None;
        for i in 0..per_minute + 30 {
            let r = apply(&app, t.reseller_a, application(&format!("a{i}@adatum.example"))).await;
            if r.status == 429 {
                limited = Some((i, r));
                break;
            }
            assert_eq!(r.status, 201, "{}", r.text);
        }
        let (i, r) = limited.expect("never rate limited");
        assert!(i >= per_minute - 1, "limited after only {i} requests");
        assert_eq!(r.code(), Some("rate_limited"));
        assert!(r.header("retry-after").is_some());
        // The limit is on the public endpoints only: admins carry on.
        let r = app.admin().applications().list(t.reseller_a, "?limit=1").await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
);
