//! Local sign-in over HTTP: passwords set through a mailed link, `POST
//! /v1/sessions` for a token, the password change that revokes older tokens,
//! reset links that work once and expire, one answer for unknown and wrong,
//! throttling that a right password does not lift, TOTP enrolment and replay,
//! `require_totp` inherited down the tree, and the password rules.

use api::auth::TotpSecret;
use domain::Role;
use http_tests::{both_backends, join_all, Reply, TestApp};
use persistence::MailKind;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "a different long passphrase";

async fn sign_in(app: &TestApp, email: &str, password: &str, code: Option<&str>) -> Reply {
    let mut body = json!({"email": email, "password": password});
    if let Some(code) = code {
        body["totp_code"] = json!(code);
    }
    app.anonymous().post("/v1/sessions", body).await
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> Reply {
    let caller = app.as_(token);
    caller.send(caller.request(Method::PUT, path).json(&body)).await
}

async fn delete_with(app: &TestApp, token: &str, path: &str, body: Value) -> Reply {
    let caller = app.as_(token);
    caller.send(caller.request(Method::DELETE, path).json(&body)).await
}

/// The token of the newest password link mailed to `email`.
fn link_token(app: &TestApp, email: &str) -> String {
    let mails = app.store.mail_outbox(Some(email)).expect("outbox");
    let mail = mails
        .iter()
        .rev()
        .find(|m| {
            matches!(
                m.kind,
                MailKind::PasswordReset | MailKind::OperatorInvitation | MailKind::CustomerUserInvitation
            )
        })
        .unwrap_or_else(|| panic!("no password mail to {email}: {mails:?}"));
    mail.body_text
        .lines()
        .filter_map(|l| l.trim().split_once("/v1/password-resets/"))
        .map(|(_, rest)| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        })
        .find(|t| t.len() >= 40)
        .unwrap_or_else(|| panic!("no link in {}", mail.body_text))
}

async fn request_reset(app: &TestApp, email: &str) -> Reply {
    app.anonymous()
        .post("/v1/password-resets", json!({"email": email}))
        .await
}

async fn use_link(app: &TestApp, token: &str, password: &str) -> Reply {
    app.anonymous()
        .post(&format!("/v1/password-resets/{token}"), json!({"password": password}))
        .await
}

/// An active operator at `org` whose password is set through a reset link.
async fn operator_with_password(app: &TestApp, org: Uuid, email: &str) -> Uuid {
    let (id, _) = app.operator(org, email, &[Role::Admin]);
    assert_eq!(request_reset(app, email).await.status, 202);
    let r = use_link(app, &link_token(app, email), PASSWORD).await;
    assert_eq!(r.status, 204, "{}", r.text);
    id
}

fn token_of(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["token_type"], "Bearer");
    r.body["access_token"].as_str().expect("a token").to_string()
}

fn assert_refused(r: &Reply) {
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.code(), Some("invalid_credentials"), "{}", r.text);
}

both_backends!(
    sign_in_use_the_token_and_a_password_change_revokes_it,
    |app| async move {
        let t = app.tree().await;
        let id = operator_with_password(&app, t.reseller_a, "megan@reseller-a.example").await;

        let old = token_of(&sign_in(&app, "Megan@Reseller-A.example", PASSWORD, None).await);
        let me = app.as_(&old).get("/v1/me").await;
        assert_eq!(me.status, 200, "{}", me.text);
        assert_eq!(me.body["id"], id.to_string());
        assert_eq!(app.as_(&old).organizations().get(t.reseller_a).await.status, 200);

        let wrong = put(
            &app,
            &old,
            "/v1/me/password",
            json!({"current_password": "not my password at all", "new_password": NEW_PASSWORD}),
        )
        .await;
        assert_eq!(wrong.status, 422, "{}", wrong.text);
        assert_eq!(wrong.error_field(), Some("current_password"));

        let changed = put(
            &app,
            &old,
            "/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
        assert_eq!(changed.status, 204, "{}", changed.text);

        let refused = app.as_(&old).get("/v1/me").await;
        assert_eq!(refused.status, 401, "{}", refused.text);
        assert_eq!(refused.code(), Some("invalid_token"));
        assert_refused(&sign_in(&app, "megan@reseller-a.example", PASSWORD, None).await);
        let fresh = token_of(&sign_in(&app, "megan@reseller-a.example", NEW_PASSWORD, None).await);
        assert_eq!(app.as_(&fresh).get("/v1/me").await.status, 200);

        let events = app
            .admin()
            .audit()
            .events(t.reseller_a, "?action=operator.password_changed")
            .await;
        assert_eq!(events.status, 200, "{}", events.text);
        assert_eq!(events.body["items"].as_array().map(Vec::len), Some(1));
        assert!(!events.text.contains(PASSWORD) && !events.text.contains(NEW_PASSWORD));
    }
);

both_backends!(a_reset_link_works_once_and_expires, |app| async move {
    let t = app.tree().await;
    let email = "ines@reseller-a.example";
    let (_, old_token) = app.operator(t.reseller_a, email, &[Role::Viewer]);
    assert_eq!(request_reset(&app, email).await.status, 202);
    let token = link_token(&app, email);

    let r = use_link(&app, &token, PASSWORD).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let again = use_link(&app, &token, NEW_PASSWORD).await;
    assert_eq!(again.status, 404, "{}", again.text);
    assert_eq!(again.code(), Some("reset_link_not_found"));
    token_of(&sign_in(&app, email, PASSWORD, None).await);
    assert_eq!(
        app.as_(&old_token).get("/v1/me").await.status,
        401,
        "a reset revokes the tokens issued before it"
    );

    assert_eq!(request_reset(&app, email).await.status, 202);
    let late = link_token(&app, email);
    app.advance_clock(3601);
    let expired = use_link(&app, &late, NEW_PASSWORD).await;
    assert_eq!(expired.status, 404, "{}", expired.text);
    assert_eq!(expired.code(), Some("reset_link_not_found"));
    let unknown = use_link(&app, "no-such-token-0000000000000000000000000000000", NEW_PASSWORD).await;
    assert_eq!(
        (unknown.status, unknown.body.clone()),
        (expired.status, expired.body.clone())
    );

    let nobody = request_reset(&app, "nobody@nowhere.example").await;
    assert_eq!(nobody.status, 202, "the same answer for an unknown e-mail");
    assert!(app
        .store
        .mail_outbox(Some("nobody@nowhere.example"))
        .expect("outbox")
        .is_empty());
});

both_backends!(unknown_and_wrong_get_the_same_answer, |app| async move {
    let t = app.tree().await;
    operator_with_password(&app, t.reseller_a, "olga@reseller-a.example").await;
    let wrong = sign_in(&app, "olga@reseller-a.example", "not the password at all", None).await;
    let unknown = sign_in(&app, "nobody@reseller-a.example", "not the password at all", None).await;
    assert_refused(&wrong);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);

    let (disabled, _) = app.operator(t.reseller_a, "dora@reseller-a.example", &[Role::Viewer]);
    assert_eq!(request_reset(&app, "dora@reseller-a.example").await.status, 202);
    assert_eq!(
        use_link(&app, &link_token(&app, "dora@reseller-a.example"), PASSWORD)
            .await
            .status,
        204
    );
    app.disable_operator(disabled).await;
    let r = sign_in(&app, "dora@reseller-a.example", PASSWORD, None).await;
    assert_eq!(r.body, unknown.body, "a disabled account gets the same answer");
});

both_backends!(
    the_sixth_failure_is_429_even_with_the_right_password,
    |app| async move {
        let t = app.tree().await;
        let email = "pete@reseller-a.example";
        operator_with_password(&app, t.reseller_a, email).await;
        for _ in 0..5 {
            assert_refused(&sign_in(&app, email, "a wrong password guess", None).await);
        }
        let r = sign_in(&app, email, PASSWORD, None).await;
        assert_eq!(r.status, 429, "{}", r.text);
        assert_eq!(r.code(), Some("rate_limited"));
        let wait: u64 = r.header("retry-after").expect("Retry-After").parse().expect("seconds");
        assert!((800..=900).contains(&wait), "{wait}");

        let events = app
            .admin()
            .audit()
            .events(t.reseller_a, "?action=operator.sign_in_throttled")
            .await;
        assert_eq!(
            events.body["items"].as_array().map(Vec::len),
            Some(1),
            "{}",
            events.text
        );

        app.advance_clock(901);
        token_of(&sign_in(&app, email, PASSWORD, None).await);
    }
);

both_backends!(totp_enrolment_wrong_and_replayed_codes, |app| async move {
    let t = app.tree().await;
    let email = "tara@reseller-a.example";
    operator_with_password(&app, t.reseller_a, email).await;
    let token = token_of(&sign_in(&app, email, PASSWORD, None).await);

    let confirm_early = app
        .as_(&token)
        .post("/v1/me/totp/confirm", json!({"code": "123456"}))
        .await;
    assert_eq!(
        confirm_early.code(),
        Some("totp_not_enrolled"),
        "{}",
        confirm_early.text
    );

    let started = app.as_(&token).post("/v1/me/totp", json!({})).await;
    assert_eq!(started.status, 200, "{}", started.text);
    let uri = started.body["otpauth_uri"].as_str().expect("uri");
    assert!(uri.starts_with("otpauth://totp/") && uri.contains("secret="), "{uri}");
    let secret = TotpSecret::from_base32(started.body["secret"].as_str().expect("secret")).expect("base32");

    let now = app.clock.now();
    let wrong_code = if secret.code_at(now) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let wrong = app
        .as_(&token)
        .post("/v1/me/totp/confirm", json!({"code": wrong_code}))
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert_eq!(wrong.error_field(), Some("code"));
    let ok = app
        .as_(&token)
        .post("/v1/me/totp/confirm", json!({"code": secret.code_at(now)}))
        .await;
    assert_eq!(ok.status, 204, "{}", ok.text);
    let twice = app.as_(&token).post("/v1/me/totp", json!({})).await;
    assert_eq!(twice.code(), Some("totp_enrolled"), "{}", twice.text);

    let needs_code = sign_in(&app, email, PASSWORD, None).await;
    assert_eq!(needs_code.status, 401, "{}", needs_code.text);
    assert_eq!(needs_code.code(), Some("totp_required"));
    assert_refused(&sign_in(&app, email, PASSWORD, Some(&secret.code_at(now))).await);
    assert_refused(&sign_in(&app, email, PASSWORD, Some(wrong_code)).await);

    app.advance_clock(30);
    let code = secret.code_at(app.clock.now());
    token_of(&sign_in(&app, email, PASSWORD, Some(&code)).await);
    assert_refused(&sign_in(&app, email, PASSWORD, Some(&code)).await);

    app.advance_clock(30);
    let code = secret.code_at(app.clock.now());
    let removed = delete_with(
        &app,
        &token,
        "/v1/me/totp",
        json!({"current_password": PASSWORD, "code": code}),
    )
    .await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    token_of(&sign_in(&app, email, PASSWORD, None).await);

    let events = app.admin().audit().events(t.reseller_a, "").await;
    for action in ["operator.totp_enrolled", "operator.totp_removed"] {
        assert!(events.text.contains(action), "{action}: {}", events.text);
    }
});

both_backends!(
    require_totp_on_a_distributor_forces_enrolment_two_levels_down,
    |app| async move {
        let t = app.tree().await;
        let email = "sam@sub-a.example";
        operator_with_password(&app, t.sub_a, email).await;
        let r = app
            .admin()
            .organizations()
            .update(t.dist, json!({"require_totp": true}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["require_totp"], true);

        let session = sign_in(&app, email, PASSWORD, None).await;
        let limited = token_of(&session);
        assert_eq!(session.body["scope"], "totp_enrolment");
        let refused = app.as_(&limited).organizations().get(t.sub_a).await;
        assert_eq!(refused.status, 401, "{}", refused.text);
        assert_eq!(refused.code(), Some("invalid_token"));
        assert_eq!(app.as_(&limited).get("/v1/me").await.status, 200);

        let started = app.as_(&limited).post("/v1/me/totp", json!({})).await;
        assert_eq!(started.status, 200, "{}", started.text);
        let secret = TotpSecret::from_base32(started.body["secret"].as_str().expect("secret")).expect("base32");
        let code = secret.code_at(app.clock.now());
        let confirmed = app
            .as_(&limited)
            .post("/v1/me/totp/confirm", json!({"code": code}))
            .await;
        assert_eq!(confirmed.status, 204, "{}", confirmed.text);

        app.advance_clock(30);
        let code = secret.code_at(app.clock.now());
        let full = sign_in(&app, email, PASSWORD, Some(&code)).await;
        assert!(full.body.get("scope").is_none(), "{}", full.text);
        let full = token_of(&full);
        assert_eq!(app.as_(&full).organizations().get(t.sub_a).await.status, 200);
    }
);

both_backends!(
    passwords_of_257_characters_or_none_are_refused_naming_the_field,
    |app| async move {
        let t = app.tree().await;
        let email = "lee@reseller-a.example";
        app.operator(t.reseller_a, email, &[Role::Viewer]);
        assert_eq!(request_reset(&app, email).await.status, 202);
        let token = link_token(&app, email);
        for (password, code) in [
            ("x".repeat(257), "too_long"),
            (String::new(), "required"),
            ("qwerty123456".into(), "too_common"),
        ] {
            let r = use_link(&app, &token, &password).await;
            assert_eq!(r.status, 422, "{}", r.text);
            assert_eq!(r.error_field(), Some("password"));
            assert_eq!(r.body["errors"][0]["code"], code);
        }
        for password in ["x".repeat(257), String::new()] {
            let r = sign_in(&app, email, &password, None).await;
            assert_eq!(r.status, 422, "{}", r.text);
            assert_eq!(r.error_field(), Some("password"));
        }
        assert_eq!(
            use_link(&app, &token, PASSWORD).await.status,
            204,
            "refused tries leave the link usable"
        );
    }
);

both_backends!(twenty_concurrent_uses_of_one_reset_link_one_wins, |app| async move {
    let t = app.tree().await;
    let email = "rita@reseller-a.example";
    app.operator(t.reseller_a, email, &[Role::Viewer]);
    assert_eq!(request_reset(&app, email).await.status, 202);
    let token = link_token(&app, email);
    let passwords: Vec<String> = (0..20).map(|i| format!("{PASSWORD} number {i}")).collect();
    let replies = join_all(passwords.iter().map(|p| use_link(&app, &token, p))).await;
    let won: Vec<usize> = replies
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == 204)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(replies
        .iter()
        .all(|r| r.status == 204 || r.code() == Some("reset_link_not_found")));
    token_of(&sign_in(&app, email, &passwords[won[0]], None).await);
});

both_backends!(an_activation_accepts_a_password_for_the_first_admin, |app| async move {
    let t = app.tree().await;
    let partner = app.create(&app.admin_token, t.dist, "partner", "Pending Partner").await;
    let r = app
        .admin()
        .activations()
        .send_link(partner, json!({"email": "boss@pending.example"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = crate::activations::newest_token(&app, "boss@pending.example");
    let accepted = app
        .anonymous()
        .activations()
        .accept(
            &token,
            json!({"name": "Boss", "email": "boss@pending.example", "password": PASSWORD}),
        )
        .await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let session = token_of(&sign_in(&app, "boss@pending.example", PASSWORD, None).await);
    assert_eq!(app.as_(&session).organizations().get(partner).await.status, 200);
});

both_backends!(
    an_invited_operator_sets_a_password_with_the_mailed_link,
    |app| async move {
        let t = app.tree().await;
        let r = app
            .admin()
            .operators()
            .create(
                t.reseller_a,
                json!({"email": "new@reseller-a.example", "name": "New One", "roles": ["viewer"]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let token = link_token(&app, "new@reseller-a.example");
        assert_eq!(use_link(&app, &token, PASSWORD).await.status, 204);
        let session = token_of(&sign_in(&app, "new@reseller-a.example", PASSWORD, None).await);
        let me = app.as_(&session).get("/v1/me").await;
        assert_eq!(me.body["id"], r.body["id"], "{}", me.text);
    }
);

both_backends!(
    customer_users_are_invited_sign_in_to_the_portal_and_not_to_this_api,
    |app| async move {
        let t = app.tree().await;
        let email = "kim@customer-a.example";
        let created = app
            .admin()
            .customer_users()
            .create(
                t.customer_a,
                json!({"email": email, "name": "Kim", "send_invitation": true}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let user = created.id();
        assert_refused(&sign_in_customer(&app, email, PASSWORD).await);

        assert_eq!(use_link(&app, &link_token(&app, email), PASSWORD).await.status, 204);
        let session = sign_in_customer(&app, email, PASSWORD).await;
        let token = token_of(&session);
        let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(&token)
            .expect("claims")
            .claims;
        assert_eq!(claims["aud"], "customer-portal");
        assert_eq!(claims["sub"], user.to_string());
        let refused = app.as_(&token).get("/v1/me").await;
        assert_eq!(refused.status, 401, "{}", refused.text);
        assert_eq!(refused.code(), Some("invalid_token"));
        assert_refused(&sign_in(&app, email, PASSWORD, None).await);

        let again = app
            .admin()
            .post(&format!("/v1/customer-users/{user}/invitation"), json!({}))
            .await;
        assert_eq!(again.status, 202, "{}", again.text);
        assert_eq!(request_reset(&app, email).await.status, 202);
        assert_eq!(use_link(&app, &link_token(&app, email), NEW_PASSWORD).await.status, 204);
        token_of(&sign_in_customer(&app, email, NEW_PASSWORD).await);

        let disabled = app
            .admin()
            .customer_users()
            .update(user, json!({"status": "disabled"}), None)
            .await;
        assert_eq!(disabled.status, 200, "{}", disabled.text);
        assert_refused(&sign_in_customer(&app, email, NEW_PASSWORD).await);
        let invite = app
            .admin()
            .post(&format!("/v1/customer-users/{user}/invitation"), json!({}))
            .await;
        assert_eq!(invite.code(), Some("user_disabled"), "{}", invite.text);
    }
);

async fn sign_in_customer(app: &TestApp, email: &str, password: &str) -> Reply {
    app.anonymous()
        .post("/v1/customer-sessions", json!({"email": email, "password": password}))
        .await
}
