//! `partner-portal audit verify` as an operator runs it, on SQLite and (with
//! `TEST_DATABASE_URL`) PostgreSQL: an untouched chain verifies; an edited event
//! is named as the first broken one (on PostgreSQL the append-only trigger must
//! be disabled to edit it, and refuses the edit otherwise); a deleted event is
//! named through the gap it leaves, and reordered events through the broken link.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use domain::{DisplayName, OperatorStatus, Role, RoleSet, WorkEmail};
use persistence::testing::{TestBackend, TestDatabase};
use persistence::{Actor, AuditEntry, NewOperator, Store};
use support::{assert_success, cli_on, run, text};

/// Runs SQL with the backend's command-line client; `Err(stderr)` when it fails.
fn sql(url: &str, query: &str) -> Result<String, String> {
    let out = if url.starts_with("postgres") {
        Command::new("psql")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", query])
            .output()
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        Command::new("sqlite3")
            .args(["-cmd", ".timeout 5000", path, query])
            .output()
    }
    .expect("the database client runs");
    if out.status.success() {
        Ok(text(&out.stdout).trim().to_string())
    } else {
        Err(text(&out.stderr))
    }
}

fn verify(dir: &Path, url: &str) -> Output {
    run(cli_on(dir, url).args(["audit", "verify", "--batch-size", "2"]))
}

fn assert_intact(out: &Output, events: usize) {
    assert_success(out, "verify");
    assert!(
        text(&out.stdout).contains(&format!("{events} event(s) verified")),
        "{}",
        text(&out.stdout)
    );
}

fn assert_broken_at(out: &Output, id: &str, seq: i64, reason: &str) {
    assert!(!out.status.success(), "a broken chain verified: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("event {id} (seq {seq})")), "{err}");
    assert!(err.contains(reason), "{err}");
}

/// As a root admin would write it: the PostgreSQL trigger disabled around the edit.
fn tamper(url: &str, statement: &str) {
    if url.starts_with("postgres") {
        sql(
            url,
            &format!(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only; {statement}; \
                 ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;"
            ),
        )
        .unwrap();
    } else {
        sql(url, statement).unwrap();
    }
}

fn tamper_and_verify(backend: TestBackend) {
    let db = TestDatabase::new(backend);
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.clone();
    assert_success(&run(cli_on(dir.path(), &url).arg("migrate")), "migrate");
    let store = Store::connect(&url, 2).unwrap();
    let root = store.root().unwrap().unwrap().id;
    for n in 0..3 {
        store
            .add_operator(
                &NewOperator {
                    home_organization_id: root,
                    email: WorkEmail::parse(&format!("op{n}@contoso-cloud.example"), "email").unwrap(),
                    name: DisplayName::parse(&format!("Operator {n}")).unwrap(),
                    roles: RoleSet::new([Role::Viewer]),
                    status: OperatorStatus::Active,
                },
                &AuditEntry::by(Actor::System),
            )
            .unwrap();
    }
    if url.starts_with("postgres") {
        // Unsealed events (nothing has sealed them yet) may only be sealed:
        // chain fields filled in and nothing else changed, never deleted.
        let err = sql(
            &url,
            "UPDATE audit_events SET seq = 100, hash = 'h', prev_hash = '', details = '{}' \
             WHERE seq IS NULL",
        )
        .unwrap_err();
        assert!(err.contains("append-only"), "{err}");
        let err = sql(&url, "DELETE FROM audit_events WHERE seq IS NULL").unwrap_err();
        assert!(err.contains("append-only"), "{err}");
    }
    // Bootstrap wrote the root and its admin: five events in all (verify seals them).
    assert_intact(&verify(dir.path(), &url), 5);

    let id_of = |seq: i64| sql(&url, &format!("SELECT id FROM audit_events WHERE seq = {seq}")).unwrap();
    let (third, fourth, fifth) = (id_of(3), id_of(4), id_of(5));

    if url.starts_with("postgres") {
        // The table refuses edits while its trigger is on.
        let err = sql(&url, "UPDATE audit_events SET details = '{}' WHERE seq = 3").unwrap_err();
        assert!(err.contains("append-only"), "{err}");
        let err = sql(&url, "DELETE FROM audit_events WHERE seq = 3").unwrap_err();
        assert!(err.contains("append-only"), "{err}");
    }

    // An edited event: its own hash no longer matches.
    let original = sql(&url, "SELECT details FROM audit_events WHERE seq = 3").unwrap();
    tamper(
        &url,
        "UPDATE audit_events SET details = '{\"forged\":true}' WHERE seq = 3",
    );
    assert_broken_at(&verify(dir.path(), &url), &third, 3, "hash does not match");

    // A replaced hash no longer matches the content; a replaced prev_hash breaks the link.
    tamper(
        &url,
        &format!("UPDATE audit_events SET details = '{original}', hash = 'ab' || hash WHERE seq = 3"),
    );
    assert_broken_at(&verify(dir.path(), &url), &third, 3, "hash does not match");
    tamper(&url, "UPDATE audit_events SET hash = substr(hash, 3) WHERE seq = 3");
    assert_intact(&verify(dir.path(), &url), 5);
    tamper(
        &url,
        "UPDATE audit_events SET prev_hash = 'x' || prev_hash WHERE seq = 4",
    );
    assert_broken_at(&verify(dir.path(), &url), &fourth, 4, "prev_hash does not match");
    tamper(
        &url,
        "UPDATE audit_events SET prev_hash = substr(prev_hash, 2) WHERE seq = 4",
    );
    assert_intact(&verify(dir.path(), &url), 5);

    if url.starts_with("postgres") {
        // Sealed events cannot be sealed again.
        let err = sql(&url, "UPDATE audit_events SET seq = 100 WHERE seq = 3").unwrap_err();
        assert!(err.contains("append-only"), "{err}");
    }

    // Reordered events: the one now third does not link to the second.
    tamper(
        &url,
        "UPDATE audit_events SET seq = -3 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = 4; \
         UPDATE audit_events SET seq = 4 WHERE seq = -3",
    );
    assert_broken_at(&verify(dir.path(), &url), &fourth, 3, "prev_hash does not match");
    tamper(
        &url,
        "UPDATE audit_events SET seq = -3 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = 4; \
         UPDATE audit_events SET seq = 4 WHERE seq = -3",
    );
    assert_intact(&verify(dir.path(), &url), 5);

    // A deleted event: the next one names the gap.
    tamper(&url, "DELETE FROM audit_events WHERE seq = 4");
    assert_broken_at(&verify(dir.path(), &url), &fifth, 5, "events are missing");
    drop(db);
}

#[test]
fn verify_names_the_first_broken_event_sqlite() {
    tamper_and_verify(TestBackend::Sqlite);
}

#[test]
#[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
fn verify_names_the_first_broken_event_postgres() {
    tamper_and_verify(TestBackend::Postgres);
}
