//! The newcomer's onboarding flow of the README, with the real binary and no SMTP
//! server: `serve` writes mails into `mail/` in its working folder. A pending
//! partner gets its activation link, the link is found in the mail folder and
//! accepted, and its new admin signs in with `partner-portal token`; that admin
//! adds a pending customer whose contact accepts its link the same way and becomes
//! the customer's master admin. Meanwhile the
//! server logs at debug level, and neither its logs nor any answer ever holds a
//! token (the request log shows `/v1/activations/{token}` instead).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use serde_json::json;
use support::{contains, curl, database_bytes, files_in, free_port, json_of, link_in, token, wait_for, Server, ADMIN};

#[test]
fn a_newcomer_onboards_a_partner_and_its_customer_through_the_mail_folder() {
    let dir = tempfile::tempdir().unwrap();
    let bind = format!("127.0.0.1:{}", free_port());
    let mut server = Server::start(dir.path(), &bind, &[]);
    let base = server.base.clone();
    let admin = token(dir.path(), &bind, ADMIN);
    let mut answers = Vec::new();
    let mut call = |method: &str, url: &str, auth: Option<&str>, body: Option<serde_json::Value>| {
        let (status, text) = curl(method, url, auth, body.as_ref());
        answers.push(text.clone());
        (status, text)
    };

    let (_, me) = call("GET", &format!("{base}/v1/me"), Some(&admin), None);
    let root = json_of(&me)["home_organization_id"].as_str().unwrap().to_string();
    let mail_dir = dir.path().join("mail");

    // A pending partner, its link, the mail in `mail/`; its new admin signs in
    // with `partner-portal token`.
    let (status, org) = call(
        "POST",
        &format!("{base}/v1/organizations"),
        Some(&admin),
        Some(json!({"parent_id": root, "kind": "partner", "name": "Margie's Travel IT"})),
    );
    assert_eq!(status, 201, "{org}");
    let partner = json_of(&org)["id"].as_str().unwrap().to_string();
    let (status, sent) = call(
        "POST",
        &format!("{base}/v1/organizations/{partner}/activation-link"),
        Some(&admin),
        Some(json!({"email": "jo@margiestravel.example"})),
    );
    assert_eq!(status, 200, "{sent}");
    let mail = wait_for("the partner's mail in mail/", || {
        files_in(&mail_dir)
            .into_iter()
            .find(|m| m.contains("Margie's Travel IT"))
    });
    let link = link_in(&mail).expect("a link in the mail");
    let partner_token = link.rsplit('/').next().unwrap().to_string();
    let (status, accepted) = call(
        "POST",
        &link,
        None,
        Some(json!({"name": "Jo Brown", "email": "jo@margiestravel.example"})),
    );
    assert_eq!(status, 200, "{accepted}");
    let jo = token(dir.path(), &bind, "jo@margiestravel.example");
    let (status, me) = call("GET", &format!("{base}/v1/me"), Some(&jo), None);
    assert_eq!(status, 200, "{me}");
    assert_eq!(json_of(&me)["home_organization_id"], partner.as_str());
    let (_, org) = call("GET", &format!("{base}/v1/organizations/{partner}"), Some(&jo), None);
    assert_eq!(json_of(&org)["status"], "active", "{org}");

    // The partner's admin adds a pending customer and sends its link the same way;
    // its contact accepts it and becomes the customer's master admin.
    let (status, org) = call(
        "POST",
        &format!("{base}/v1/organizations"),
        Some(&jo),
        Some(
            json!({"parent_id": partner, "kind": "customer", "name": "Trey Research",
                    "primary_domain": "treyresearch.onmicrosoft.com"}),
        ),
    );
    assert_eq!(status, 201, "{org}");
    let customer = json_of(&org)["id"].as_str().unwrap().to_string();
    let (status, sent) = call(
        "POST",
        &format!("{base}/v1/organizations/{customer}/activation-link"),
        Some(&jo),
        Some(json!({"email": "it@treyresearch.example"})),
    );
    assert_eq!(status, 200, "{sent}");
    let mail = wait_for("the customer's mail in mail/", || {
        files_in(&mail_dir).into_iter().find(|m| m.contains("Trey Research"))
    });
    assert!(mail.contains("To: it@treyresearch.example"), "{mail}");
    let link = link_in(&mail).expect("a link in the mail");
    assert!(link.starts_with(&format!("{base}/v1/activations/")), "{link}");
    let customer_token = link.rsplit('/').next().unwrap().to_string();

    let (status, what) = call("GET", &link, None, None);
    assert_eq!(status, 200, "{what}");
    assert_eq!(json_of(&what)["organization_name"], "Trey Research");
    let (status, accepted) = call(
        "POST",
        &link,
        None,
        Some(json!({"name": "Mary Smith", "email": "mary@treyresearch.example"})),
    );
    assert_eq!(status, 200, "{accepted}");
    let (_, org) = call("GET", &format!("{base}/v1/organizations/{customer}"), Some(&jo), None);
    assert_eq!(json_of(&org)["status"], "active", "{org}");
    let (_, users) = call("GET", &format!("{base}/v1/customers/{customer}/users"), Some(&jo), None);
    let users = json_of(&users);
    assert_eq!(users["items"][0]["email"], "mary@treyresearch.example", "{users}");
    assert_eq!(users["items"][0]["master_admin"], true);
    let (status, again) = call(
        "POST",
        &link,
        None,
        Some(json!({"name": "Eve", "email": "eve@treyresearch.example"})),
    );
    assert_eq!(status, 404, "{again}");

    server.stop();

    // The logs were written, at debug level, with the redacted request path…
    let logs = server.output();
    assert!(logs.contains("DEBUG"), "not at debug level:\n{logs}");
    assert!(logs.contains("mail delivered"), "{logs}");
    assert!(logs.contains("activation link accepted"), "{logs}");
    assert!(
        logs.contains("/v1/activations/{token}"),
        "the request path is not logged:\n{logs}"
    );
    // …and no log line and no answer holds a token.
    for token in [&customer_token, &partner_token] {
        assert!(token.len() >= 43, "{token}");
        assert!(!logs.contains(token.as_str()), "the server's output shows a token");
        for answer in &answers {
            assert!(!answer.contains(token.as_str()), "an answer holds a token: {answer}");
        }
    }
    // The database keeps the token's hash.
    let db = database_bytes(dir.path());
    assert!(contains(&db, &api::secrets::hash(&customer_token)));
}
