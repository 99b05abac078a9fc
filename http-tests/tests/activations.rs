//! Activation links over HTTP: an admin sends one for a pending partner,
//! distributor or customer; the recipient reads it and accepts it without a token;
//! the organisation becomes active with its first admin (an admin operator, or a
//! master-admin customer user). The link is single-use (two accepts at once: one
//! wins), expires (the server's clock moved forward, no sleeps), is replaced by a
//! resend and can be revoked; unknown, used, expired and revoked links all get the
//! same answer; only admins in scope send or revoke; the public endpoints are rate
//! limited; and no response ever contains a token.

use domain::Role;
use http_tests::{both_backends, join_all, Reply, TestApp};
use serde_json::json;
use uuid::Uuid;

pub(crate) const WEEK: i64 = 7 * 24 * 3600;

/// `POST /v1/organizations/{org}/activation-link` as `token`.
pub(crate) async fn send_link(app: &TestApp, token: &str, org: Uuid, email: &str) -> Reply {
    app.as_(token)
        .activations()
        .send_link(org, json!({ "email": email }))
        .await
}

/// Sends a link as the provider's admin and returns the token from its mail.
pub(crate) async fn sent_token(app: &TestApp, org: Uuid, email: &str) -> String {
    let r = send_link(app, &app.admin_token, org, email).await;
    assert_eq!(r.status, 200, "send: {}", r.text);
    newest_token(app, email)
}

/// The token in the newest mail to `email` that carries an activation link.
pub(crate) fn newest_token(app: &TestApp, email: &str) -> String {
    let mails = app.store.mail_outbox(Some(email)).expect("outbox");
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.kind.carries_token())
        .unwrap_or_else(|| panic!("no activation mail to {email}: {mails:?}"));
    token_in(&mail.body_text).unwrap_or_else(|| panic!("no link in {}", mail.body_text))
}

/// The token of the first activation link in a mail body.
pub(crate) fn token_in(body: &str) -> Option<String> {
    body.lines()
        .filter_map(|l| l.trim().split_once("/v1/activations/"))
        .map(|(_, rest)| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        })
        .find(|t| t.len() >= 40)
}

pub(crate) async fn accept(app: &TestApp, token: &str, name: &str, email: &str) -> Reply {
    app.anonymous()
        .activations()
        .accept(token, json!({"name": name, "email": email}))
        .await
}

async fn status_of(app: &TestApp, org: Uuid) -> String {
    let r = app.admin().organizations().get(org).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["status"].as_str().unwrap_or_default().to_string()
}

fn assert_not_found(r: &Reply) {
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.code(), Some("activation_not_found"), "{}", r.text);
}

both_backends!(a_pending_customer_is_activated_by_its_link, |app| async move {
    let t = app.tree().await;
    let (_, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let trey = app.create(&admin, t.reseller_a, "customer", "Trey Research").await;

    let r = send_link(&app, &admin, trey, " IT@TreyResearch.example ").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let link_id = r.id();
    assert_eq!(r.body["organization_id"], trey.to_string());
    assert_eq!(r.body["email"], "it@treyresearch.example");
    let created: chrono::DateTime<chrono::Utc> = r.body["created_at"].as_str().unwrap().parse().unwrap();
    let expires: chrono::DateTime<chrono::Utc> = r.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!((expires - created).num_seconds(), WEEK, "7 days by default");

    // The mail, queued with the link, carries it; the answer did not.
    let mails = app.store.mail_outbox(Some("it@treyresearch.example")).unwrap();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].kind.as_str(), "activation_link");
    assert!(mails[0].subject.contains("Trey Research"), "{}", mails[0].subject);
    let token = newest_token(&app, "it@treyresearch.example");
    assert!(token.len() >= 43, "at least 256 bits, base64url: {token}");
    assert!(!r.text.contains(&token), "the answer holds the token");
    assert!(mails[0]
        .body_text
        .contains(&format!("{}/v1/activations/{token}", app.config.issuer())));

    // What it is for, and nothing more.
    let r = app.anonymous().activations().get(&token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"organization_name": "Trey Research", "kind": "customer", "expires_at": r.body["expires_at"]})
    );
    assert_eq!(
        r.body["expires_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        expires
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(status_of(&app, trey).await, "pending", "reading changes nothing");

    // Accepted: active, with its first master admin.
    let r = accept(&app, &token, "Mary Smith", "Mary@TreyResearch.example").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!r.text.contains(&token));
    assert_eq!(r.body["organization_id"], trey.to_string());
    assert_eq!(r.body["organization_name"], "Trey Research");
    assert_eq!(r.body["kind"], "customer");
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["admin"]["type"], "customer_user");
    assert_eq!(r.body["admin"]["email"], "mary@treyresearch.example");
    assert_eq!(r.body["admin"]["name"], "Mary Smith");
    let user = r.body["admin"]["id"].as_str().unwrap().to_string();
    assert_eq!(status_of(&app, trey).await, "active");
    let r = app.as_(&admin).customer_users().list(trey, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let users = r.body["items"].as_array().unwrap();
    assert_eq!(users.len(), 1, "{}", r.text);
    assert_eq!(users[0]["id"], user.as_str());
    assert_eq!(users[0]["email"], "mary@treyresearch.example");
    assert_eq!(users[0]["master_admin"], true);
    assert_eq!(users[0]["admin"], true);
    assert_eq!(users[0]["status"], "active");

    // Audited: sent and accepted (the link), activated (the organisation), the user.
    assert_eq!(app.store.audit_event_count(link_id).unwrap(), 2);
    assert_eq!(app.store.audit_event_count(trey).unwrap(), 2, "created, then activated");
    assert_eq!(app.store.audit_event_count(Uuid::parse_str(&user).unwrap()).unwrap(), 1);

    // Single use: the same token now answers like any unknown one.
    assert_not_found(&app.anonymous().activations().get(&token).await);
    assert_not_found(&accept(&app, &token, "Eve Intruder", "eve@treyresearch.example").await);
    let r = app.as_(&admin).customer_users().list(trey, "").await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{}", r.text);
});

both_backends!(
    partners_and_distributors_get_a_first_admin_operator_who_signs_in,
    |app| async move {
        let t = app.tree().await;
        for (kind, parent, name, email) in [
            ("partner", t.dist, "Margie's Travel IT", "jo@margiestravel.example"),
            (
                "distributor",
                app.root,
                "Southridge Distribution",
                "kim@southridge.example",
            ),
        ] {
            let org = app.create(&app.admin_token, parent, kind, name).await;
            let token = sent_token(&app, org, email).await;
            let r = app.anonymous().activations().get(&token).await;
            assert_eq!(r.body["kind"], kind, "{}", r.text);
            let r = accept(&app, &token, "First Admin", email).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["status"], "active");
            assert_eq!(r.body["admin"]["type"], "operator");
            let operator = Uuid::parse_str(r.body["admin"]["id"].as_str().unwrap()).unwrap();

            let r = app.admin().operators().get(operator).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["home_organization_id"], org.to_string());
            assert_eq!(r.body["roles"], json!(["admin"]));
            assert_eq!(r.body["status"], "active");
            assert_eq!(r.body["email"], email);

            // The new admin signs in and runs its organisation.
            let token = app.token_for(operator);
            let r = app.as_(&token).platform().me().await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["home_organization_id"], org.to_string());
            let r = app
                .as_(&token)
                .organizations()
                .create(json!({"parent_id": org, "kind": "partner", "name": format!("Below {name}")}))
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
        }
    }
);

both_backends!(links_expire_by_the_servers_clock, |app| async move {
    let t = app.tree().await;
    let token = sent_token(&app, t.customer_a, "it@customer-a.example").await;
    app.advance_clock(WEEK - 3600);
    let r = app.anonymous().activations().get(&token).await;
    assert_eq!(r.status, 200, "an hour before expiry: {}", r.text);

    app.advance_clock(3601);
    assert_not_found(&app.anonymous().activations().get(&token).await);
    assert_not_found(&accept(&app, &token, "Late Comer", "late@customer-a.example").await);
    assert_eq!(status_of(&app, t.customer_a).await, "pending");

    // A new link starts a new week, from the (moved) clock.
    let token = sent_token(&app, t.customer_a, "it@customer-a.example").await;
    app.advance_clock(WEEK - 60);
    let r = accept(&app, &token, "On Time", "ontime@customer-a.example").await;
    assert_eq!(r.status, 200, "{}", r.text);
});

both_backends!(a_resend_revokes_the_previous_link, |app| async move {
    let t = app.tree().await;
    let first = sent_token(&app, t.customer_a, "old@customer-a.example").await;
    let r = send_link(&app, &app.admin_token, t.customer_a, "new@customer-a.example").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let second = newest_token(&app, "new@customer-a.example");
    assert_ne!(first, second);

    assert_not_found(&app.anonymous().activations().get(&first).await);
    assert_not_found(&accept(&app, &first, "Old Contact", "old@customer-a.example").await);
    let r = app.anonymous().activations().get(&second).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let links = app.store.activation_links(t.customer_a).unwrap();
    assert_eq!(links.len(), 2);
    assert!(
        links[0].revoked_at.is_some() && links[1].revoked_at.is_none(),
        "{links:?}"
    );

    let r = accept(&app, &second, "New Contact", "new@customer-a.example").await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Once active, no more links.
    let r = send_link(&app, &app.admin_token, t.customer_a, "again@customer-a.example").await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("not_pending"));
});

both_backends!(revoked_links_are_refused, |app| async move {
    let t = app.tree().await;
    let (_, admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let token = sent_token(&app, t.customer_a, "it@customer-a.example").await;
    let r = app.as_(&admin).activations().revoke_link(t.customer_a).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_not_found(&app.anonymous().activations().get(&token).await);
    assert_not_found(&accept(&app, &token, "Too Late", "late@customer-a.example").await);
    assert_eq!(status_of(&app, t.customer_a).await, "pending");
    let links = app.store.activation_links(t.customer_a).unwrap();
    assert!(links[0].revoked_at.is_some());
    assert_eq!(app.store.audit_event_count(links[0].id).unwrap(), 2, "sent, revoked");
    // Nothing live: still 204, nothing more audited.
    let r = app.as_(&admin).activations().revoke_link(t.customer_a).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(app.store.audit_event_count(links[0].id).unwrap(), 2);

    // An organisation archived meanwhile kills its link too.
    let token = sent_token(&app, t.customer_b, "it@customer-b.example").await;
    let r = app.admin().organizations().archive(t.customer_b).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_not_found(&app.anonymous().activations().get(&token).await);
    assert_not_found(&accept(&app, &token, "Ghost", "ghost@customer-b.example").await);
    assert_eq!(status_of(&app, t.customer_b).await, "archived");
});

both_backends!(
    unknown_used_expired_and_revoked_links_get_the_same_answer,
    |app| async move {
        let t = app.tree().await;
        let expired = sent_token(&app, t.customer_a, "a@customer-a.example").await;
        app.advance_clock(6 * 24 * 3600);
        let used = sent_token(&app, t.customer_a2, "a@customer-a2.example").await;
        let revoked = sent_token(&app, t.customer_b, "b@customer-b.example").await;
        app.advance_clock(2 * 24 * 3600);
        let r = accept(&app, &used, "User One", "one@customer-a2.example").await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app.as_(&app.admin_token).activations().revoke_link(t.customer_b).await;
        assert_eq!(r.status, 204);
        let unknown = api::routes::onboarding::activation_token().0;

        let tokens = [unknown, used, expired, revoked, "x".to_string(), "y".repeat(300)];
        let gets = join_all(tokens.iter().map(|tok| {
            let app = &app;
            async move { app.anonymous().activations().get(tok).await }
        }))
        .await;
        let posts = join_all(
            tokens
                .iter()
                .map(|tok| accept(&app, tok, "Someone", "someone@fourthcoffee.example")),
        )
        .await;
        for answers in [&gets, &posts] {
            for r in answers.iter() {
                assert_not_found(r);
                assert_eq!(r.text, answers[0].text, "bodies differ");
                assert_eq!(r.header("content-type"), answers[0].header("content-type"));
                for name in ["Customer A", "Customer B", "customer-a"] {
                    assert!(!r.text.contains(name), "{}", r.text);
                }
            }
        }
        for org in [t.customer_a, t.customer_b] {
            assert_eq!(status_of(&app, org).await, "pending");
        }
    }
);

both_backends!(two_accepts_at_once_exactly_one_wins, |app| async move {
    let t = app.tree().await;
    for (org, kind) in [(t.customer_a, "customer"), (t.sub_a, "partner")] {
        let token = sent_token(&app, org, &format!("contact@{kind}.example")).await;
        let answers = join_all((0..4).map(|i| {
            let token = token.clone();
            let app = &app;
            async move { accept(app, &token, &format!("Racer {i}"), &format!("racer{i}@{kind}.example")).await }
        }))
        .await;
        let won: Vec<&Reply> = answers.iter().filter(|r| r.status == 200).collect();
        assert_eq!(won.len(), 1, "{kind}: {answers:?}");
        for r in answers.iter().filter(|r| r.status != 200) {
            assert_not_found(r);
        }
        let r = if kind == "customer" {
            app.admin().customer_users().list(org, "").await
        } else {
            app.admin().operators().list(org, "").await
        };
        let people = r.body["items"].as_array().unwrap();
        assert_eq!(people.len(), 1, "{kind}: {}", r.text);
        assert_eq!(people[0]["email"], won[0].body["admin"]["email"]);
        assert_eq!(status_of(&app, org).await, "active");
    }
});

both_backends!(accepting_validates_the_first_admin, |app| async move {
    let t = app.tree().await;
    let token = sent_token(&app, t.sub_a, "it@sub-a.example").await;
    let r = accept(&app, &token, "Gee Mail", "someone@gmail.com").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("email"));
    let r = accept(&app, &token, "   ", "someone@sub-a.example").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("name"));
    let r = app
        .anonymous()
        .activations()
        .accept(
            &token,
            json!({"name": "X", "email": "x@sub-a.example", "roles": ["admin"]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    // An e-mail already an operator of the organisation: 409, and the link lives on.
    app.operator(t.sub_a, "taken@sub-a.example", &[Role::Viewer]);
    let r = accept(&app, &token, "Taken", "taken@sub-a.example").await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.error_field(), Some("email"));
    assert_eq!(status_of(&app, t.sub_a).await, "pending");
    let r = accept(&app, &token, "Fine", "fine@sub-a.example").await;
    assert_eq!(r.status, 200, "{}", r.text);
});

both_backends!(only_admins_in_scope_send_and_revoke_links, |app| async move {
    let t = app.tree().await;
    let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let (_, admin_b) = app.operator(t.reseller_b, "admin@reseller-b.example", &[Role::Admin]);
    let r = send_link(&app, &viewer, t.customer_a, "it@customer-a.example").await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = app.as_(&viewer).activations().revoke_link(t.customer_a).await;
    assert_eq!(r.status, 403, "{}", r.text);
    // Beside the caller: 404 exactly like a random id.
    let beside = send_link(&app, &admin_b, t.customer_a, "it@customer-a.example").await;
    let random = send_link(&app, &admin_b, Uuid::now_v7(), "it@customer-a.example").await;
    assert_eq!(beside.status, 404, "{}", beside.text);
    assert_eq!(beside.text, random.text);
    let r = app.as_(&admin_b).activations().revoke_link(t.customer_a).await;
    assert_eq!(r.status, 404, "{}", r.text);
    // No token.
    let r = app
        .anonymous()
        .activations()
        .send_link(t.customer_a, json!({"email": "it@customer-a.example"}))
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    // Not an organisation that can be onboarded; bad e-mails.
    let r = send_link(&app, &app.admin_token, app.root, "it@contoso.example").await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.code(), Some("not_onboardable"));
    let r = send_link(&app, &app.admin_token, t.customer_a, "it@hotmail.com").await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("email"));
    let r = app
        .admin()
        .activations()
        .send_link(t.customer_a, json!({"email": "it@customer-a.example", "token": "mine"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    // None of the refusals sent anything.
    assert!(app.store.mail_outbox(None).unwrap().is_empty());
    assert!(app.store.activation_links(t.customer_a).unwrap().is_empty());
});

both_backends!(
    the_public_activation_endpoints_are_rate_limited,
    flags = ["--public-rate-limit-per-minute", "60"],
    |app| async move {
        let unknown = api::routes::onboarding::activation_token().0;
        let activations = app.anonymous().activations();
        let per_minute = app.config.public_rate_limit_per_minute as usize;
        let mut limited = None;
        for i in 0..per_minute + 30 {
            let r = if i % 2 == 0 {
                activations.get(&unknown).await
            } else {
                activations
                    .accept(&unknown, json!({"name": "N", "email": "n@fourthcoffee.example"}))
                    .await
            };
            if r.status == 429 {
                limited = Some((i, r));
                break;
            }
            assert_not_found(&r);
        }
        let (i, r) = limited.expect("never rate limited");
        assert!(i >= per_minute - 1, "limited after only {i} requests");
        assert_eq!(r.code(), Some("rate_limited"), "{}", r.text);
        assert!(r.header("retry-after").is_some());
    }
);
