//! The mail outbox and its delivery worker. Mails are queued in the same
//! transaction as the change that causes them (operator invitations, activation
//! links, application decisions): a refused change queues nothing. The worker
//! (driven here one pass at a time, on the server's clock) writes `.eml` files
//! when no SMTP server is configured, marks a mail sent only once it is
//! delivered, retries refused mails with a doubling backoff, sends a mail again
//! when the worker that claimed it died (at least once), never sends one twice
//! when two workers run at once, and drops the token from a delivered body.

use std::net::TcpListener;

use api::mail::worker::{run_once, Mailer, Pass, LEASE};
use api::mail::Transport;
use domain::Role;
use http_tests::{both_backends, TestApp};
use persistence::{QueuedMail, DELIVERED_BODY_REMOVED};
use serde_json::json;

use crate::activations::{send_link, sent_token, token_in};

fn folder_mailer(dir: &std::path::Path) -> Mailer {
    Mailer::new(Transport::folder(dir), "portal@contoso-cloud.example").expect("mailer")
}

/// An SMTP server address that refuses connections (nothing listens there).
fn refusing_mailer() -> Mailer {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    Mailer::new(
        Transport::smtp(&format!("smtp://127.0.0.1:{port}")).expect("smtp url"),
        "portal@contoso-cloud.example",
    )
    .expect("mailer")
}

fn pass(app: &TestApp, mailer: &Mailer) -> Pass {
    run_once(&app.store, mailer, &app.clock).expect("a worker pass")
}

fn outbox(app: &TestApp) -> Vec<QueuedMail> {
    app.store.mail_outbox(None).expect("outbox")
}

fn eml_files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

async fn invite(app: &TestApp, org: uuid::Uuid, email: &str) -> http_tests::Reply {
    app.admin()
        .operators()
        .create(
            org,
            json!({"email": email, "name": "Jane Doe", "roles": ["viewer", "billing"]}),
        )
        .await
}

both_backends!(mails_are_queued_with_their_change_and_only_then, |app| async move {
    let t = app.tree().await;
    // An invitation, with the operator.
    let r = invite(&app, t.reseller_a, "jane@reseller-a.example").await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mails = outbox(&app);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.kind.as_str(), "operator_invitation");
    assert_eq!(mail.recipient, "jane@reseller-a.example");
    assert!(mail.subject.contains("Reseller A"), "{}", mail.subject);
    assert!(mail.body_text.contains("viewer, billing"), "{}", mail.body_text);
    assert_eq!(mail.attempts, 0);
    assert!(mail.sent_at.is_none());

    // Refused changes queue nothing.
    let r = invite(&app, t.reseller_a, "jane@reseller-a.example").await;
    assert_eq!(r.status, 409, "a duplicate: {}", r.text);
    let r = invite(&app, t.customer_a, "jane@customer-a.example").await;
    assert_eq!(r.status, 409, "a customer: {}", r.text);
    let r = send_link(&app, &app.admin_token, app.root, "it@contoso.example").await;
    assert_eq!(r.status, 409, "the provider: {}", r.text);
    let (_, viewer) = app.operator(t.reseller_a, "viewer@reseller-a.example", &[Role::Viewer]);
    let r = send_link(&app, &viewer, t.customer_a, "it@customer-a.example").await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(outbox(&app).len(), 1, "{:?}", outbox(&app));

    // An activation link: link and mail together.
    sent_token(&app, t.customer_a, "it@customer-a.example").await;
    let mails = outbox(&app);
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].kind.as_str(), "activation_link");
    assert_eq!(app.store.activation_links(t.customer_a).unwrap().len(), 1);
});

both_backends!(the_worker_writes_eml_files_and_sends_each_mail_once, |app| async move {
    let t = app.tree().await;
    let dir = tempfile::tempdir().unwrap();
    let mailer = folder_mailer(dir.path());
    let token = sent_token(&app, t.customer_a, "it@customer-a.example").await;
    let r = invite(&app, t.reseller_a, "jane@reseller-a.example").await;
    assert_eq!(r.status, 201);

    assert_eq!(pass(&app, &mailer), Pass { sent: 2, failed: 0 });
    let mails = outbox(&app);
    let files = eml_files(dir.path());
    assert_eq!(files, {
        let mut want: Vec<String> = mails.iter().map(|m| format!("{}.eml", m.id)).collect();
        want.sort();
        want
    });
    let eml = std::fs::read_to_string(dir.path().join(format!("{}.eml", mails[0].id))).unwrap();
    assert!(eml.contains("To: it@customer-a.example"), "{eml}");
    assert!(eml.contains("From: portal@contoso-cloud.example"), "{eml}");
    assert!(
        eml.contains("Subject: Activate Customer A on the partner portal"),
        "{eml}"
    );
    assert!(
        eml.contains(&format!("Message-ID: <{}@partner-portal.invalid>", mails[0].id)),
        "{eml}"
    );
    // The link is whole in the raw file, and it works.
    assert_eq!(token_in(&eml).as_deref(), Some(token.as_str()), "{eml}");
    let r = app.anonymous().activations().get(&token).await;
    assert_eq!(r.status, 200, "{}", r.text);

    for mail in &mails {
        assert!(mail.sent_at.is_some(), "{mail:?}");
        assert_eq!(mail.attempts, 1);
        assert!(mail.last_error.is_none());
    }
    // Delivered: the tokens are gone from the outbox (the invitation carries a
    // set-password link too); the files kept them whole.
    assert_eq!(mails[0].body_text, DELIVERED_BODY_REMOVED);
    assert_eq!(mails[1].body_text, DELIVERED_BODY_REMOVED);
    assert!(outbox(&app).iter().all(|m| !m.body_text.contains(&token)));

    // Nothing is sent twice.
    std::fs::remove_dir_all(dir.path()).unwrap();
    app.advance_clock(LEASE.num_seconds() * 10);
    assert_eq!(pass(&app, &mailer), Pass::default());
    assert!(eml_files(dir.path()).is_empty());
});

both_backends!(refused_mails_are_retried_with_a_doubling_backoff, |app| async move {
    let t = app.tree().await;
    let r = invite(&app, t.reseller_a, "jane@reseller-a.example").await;
    assert_eq!(r.status, 201);
    let refusing = refusing_mailer();

    let mut waits = Vec::new();
    for attempt in 1..=3 {
        let before = app.clock.now();
        assert_eq!(pass(&app, &refusing), Pass { sent: 0, failed: 1 }, "attempt {attempt}");
        let mail = &outbox(&app)[0];
        assert_eq!(mail.attempts, attempt);
        assert!(mail.sent_at.is_none());
        assert!(mail.last_error.as_deref().is_some_and(|e| !e.is_empty()), "{mail:?}");
        let wait = (mail.next_attempt_at - before).num_seconds();
        waits.push(wait);
        // Not due again before its backoff…
        assert_eq!(
            pass(&app, &refusing),
            Pass::default(),
            "attempt {attempt} retried early"
        );
        app.advance_clock(wait - 5);
        assert_eq!(
            pass(&app, &refusing),
            Pass::default(),
            "attempt {attempt} retried early"
        );
        // …and due after it.
        app.advance_clock(10);
    }
    assert!((29..=31).contains(&waits[0]), "{waits:?}");
    assert!((59..=61).contains(&waits[1]), "{waits:?}");
    assert!((119..=121).contains(&waits[2]), "{waits:?}");

    // The server is back: delivered, and recorded.
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(pass(&app, &folder_mailer(dir.path())), Pass { sent: 1, failed: 0 });
    let mail = &outbox(&app)[0];
    assert_eq!(mail.attempts, 4);
    assert!(mail.sent_at.is_some());
    assert!(mail.last_error.is_none());
    assert_eq!(eml_files(dir.path()), vec![format!("{}.eml", mail.id)]);
});

both_backends!(a_mail_claimed_by_a_worker_that_died_is_sent_again, |app| async move {
    let t = app.tree().await;
    let r = invite(&app, t.reseller_a, "jane@reseller-a.example").await;
    assert_eq!(r.status, 201);
    // A worker claims it and dies before sending (nothing marks it).
    let now = app.clock.now();
    let claimed = app.store.claim_due_mails(now, now + LEASE, 20).unwrap();
    assert_eq!(claimed.len(), 1);

    let dir = tempfile::tempdir().unwrap();
    let mailer = folder_mailer(dir.path());
    assert_eq!(
        pass(&app, &mailer),
        Pass::default(),
        "leased: not sent by another worker"
    );
    app.advance_clock(LEASE.num_seconds() + 1);
    assert_eq!(pass(&app, &mailer), Pass { sent: 1, failed: 0 }, "the lease ran out");
    let mail = &outbox(&app)[0];
    assert_eq!(mail.attempts, 2);
    assert!(mail.sent_at.is_some());
    assert_eq!(eml_files(dir.path()).len(), 1);
});

both_backends!(two_workers_at_once_send_each_mail_once, |app| async move {
    let t = app.tree().await;
    for i in 0..12 {
        let r = invite(&app, t.reseller_a, &format!("op{i}@reseller-a.example")).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (ma, mb) = (folder_mailer(a.path()), folder_mailer(b.path()));
    let (store, clock) = (&app.store, &app.clock);
    let (pa, pb) = std::thread::scope(|s| {
        let ha = s.spawn(|| run_once(store, &ma, clock).expect("pass a"));
        let hb = s.spawn(|| run_once(store, &mb, clock).expect("pass b"));
        (ha.join().unwrap(), hb.join().unwrap())
    });
    assert_eq!(pa.failed + pb.failed, 0);
    assert_eq!(pa.sent + pb.sent, 12, "{pa:?} {pb:?}");
    let mut files = eml_files(a.path());
    files.extend(eml_files(b.path()));
    let count = files.len();
    files.sort();
    files.dedup();
    assert_eq!((count, files.len()), (12, 12), "each mail exactly once");
    assert!(outbox(&app).iter().all(|m| m.sent_at.is_some() && m.attempts == 1));
});
