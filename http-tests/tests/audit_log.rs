//! The audit log over HTTP: every change lands in its subtree's log with a
//! hash-chain position; filters by actor, action, target and time; keyset pages;
//! the CSV export parses back with a CSV parser and matches the list; admins only
//! (403 for other roles, 404 outside scope); and on PostgreSQL the table itself
//! refuses UPDATE and DELETE.

use std::collections::HashSet;
use std::process::Command;

use chrono::{Duration, Utc};
use domain::Role;
use http_tests::{both_backends, Backend, Reply, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

fn admin_id(app: &TestApp) -> Uuid {
    app.store
        .operators_by_email(&app.config.bootstrap_admin_email)
        .unwrap()
        .pop()
        .unwrap()
        .id
}

fn items(r: &Reply) -> Vec<Value> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

fn actions(r: &Reply) -> Vec<String> {
    items(r)
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Every page of a list, following `next_cursor`.
async fn all_pages(app: &TestApp, org: Uuid, filter: &str, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = format!("?limit={limit}{filter}");
        if let Some(c) = &cursor {
            q.push_str(&format!("&cursor={c}"));
        }
        let r = app.admin().audit().events(org, &q).await;
        let page = items(&r);
        assert!(page.len() <= limit);
        out.extend(page);
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
}

/// The raw CSV export: (headers, body).
async fn export(app: &TestApp, token: &str, org: Uuid, query: &str) -> Reply {
    app.as_(token).audit().export(org, query).await
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

both_backends!(subtree_lists_and_chain_fields, |app| async move {
    let t = app.tree().await;
    // The distributor's log holds its own subtree's creations, not the root's.
    let r = app
        .admin()
        .audit()
        .events(t.dist, "?action=organization.created&limit=500")
        .await;
    let targets: HashSet<String> = items(&r)
        .iter()
        .map(|e| e["target_id"].as_str().unwrap().to_string())
        .collect();
    let expected: HashSet<String> = [
        t.dist,
        t.reseller_a,
        t.sub_a,
        t.customer_a,
        t.customer_a2,
        t.reseller_b,
        t.customer_b,
    ]
    .iter()
    .map(Uuid::to_string)
    .collect();
    assert_eq!(targets, expected);
    // reseller B's subtree: itself and its customer only.
    let r = app.admin().audit().events(t.reseller_b, "").await;
    assert_eq!(items(&r).len(), 2, "{}", r.text);
    // Chain fields: increasing seq, each prev_hash is the previous event's hash.
    let all = all_pages(&app, app.root, "", 500).await;
    assert!(all.len() >= 9, "root, admin and the seven organisations");
    for pair in all.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert_eq!(b["seq"].as_i64().unwrap(), a["seq"].as_i64().unwrap() + 1);
        assert_eq!(b["prev_hash"], a["hash"]);
        assert_eq!(a["hash"].as_str().unwrap().len(), 64);
    }
    assert_eq!(all[0]["seq"], 1);
    assert_eq!(all[0]["prev_hash"], "");
});

both_backends!(filters_by_actor_action_target_and_time, |app| async move {
    let t = app.tree().await;
    let admin = admin_id(&app);
    let (other, other_token) = app.operator(app.root, "second.admin@contoso-cloud.example", &[Role::Admin]);
    let r = app
        .as_(&other_token)
        .organizations()
        .update(t.customer_b, json!({"name": "Customer B Renamed"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // The second admin signed in (first use of its token) and renamed a customer.
    let r = app.admin().audit().events(app.root, &format!("?actor={other}")).await;
    assert_eq!(actions(&r), ["operator.signed_in", "organization.updated"]);
    assert!(items(&r)
        .iter()
        .all(|e| e["actor_type"] == "operator" && e["actor_id"] == other.to_string()));
    let r = app
        .admin()
        .audit()
        .events(app.root, &format!("?actor={admin}&action=organization.created"))
        .await;
    assert_eq!(actions(&r).len(), 7, "{}", r.text);
    let r = app
        .admin()
        .audit()
        .events(app.root, &format!("?actor={other}&action=organization.created"))
        .await;
    assert!(items(&r).is_empty());

    let r = app
        .admin()
        .audit()
        .events(app.root, &format!("?target={}", t.customer_b))
        .await;
    assert_eq!(actions(&r), ["organization.created", "organization.updated"]);
    let r = app
        .admin()
        .audit()
        .events(
            app.root,
            &format!("?target={}&action=organization.updated", t.customer_b),
        )
        .await;
    assert_eq!(items(&r)[0]["details"]["name"], "Customer B Renamed", "{}", r.text);
    let r = app.admin().audit().events(app.root, "?action=no.such").await;
    assert!(items(&r).is_empty());

    // Time range: everything is after an hour ago, nothing before it or in the future.
    let hour_ago = (Utc::now() - Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let future = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let everything = all_pages(&app, app.root, "", 500).await.len();
    let q = |s: &str| s.replace('+', "%2B").replace(':', "%3A");
    let r = app
        .admin()
        .audit()
        .events(app.root, &format!("?from={}&limit=500", q(&hour_ago)))
        .await;
    assert_eq!(items(&r).len(), everything);
    let r = app
        .admin()
        .audit()
        .events(app.root, &format!("?to={}", q(&hour_ago)))
        .await;
    assert!(items(&r).is_empty());
    let r = app
        .admin()
        .audit()
        .events(app.root, &format!("?from={}", q(&future)))
        .await;
    assert!(items(&r).is_empty());
    // The split between two events: from is inclusive, to exclusive.
    let all = all_pages(&app, app.root, "", 500).await;
    let last_at = all.last().unwrap()["occurred_at"].as_str().unwrap().to_string();
    let r = app
        .admin()
        .audit()
        .events(app.root, &format!("?from={}", q(&last_at)))
        .await;
    assert!(actions(&r).contains(&"organization.updated".to_string()), "{}", r.text);
    let r = app
        .admin()
        .audit()
        .events(app.root, &format!("?to={}&limit=500", q(&last_at)))
        .await;
    assert!(!actions(&r).contains(&"organization.updated".to_string()), "{}", r.text);

    // Bad filters name their parameter.
    let r = app.admin().audit().events(app.root, "?from=yesterday").await;
    assert!(matches!(r.status, 400 | 422), "{}", r.text);
    assert_eq!(r.error_field(), Some("from"));
    let r = app.admin().audit().events(app.root, "?actor=nope").await;
    assert_eq!(r.error_field(), Some("actor"));
});

both_backends!(pages_follow_the_cursor, |app| async move {
    app.tree().await;
    let one_page = all_pages(&app, app.root, "", 500).await;
    let paged = all_pages(&app, app.root, "", 2).await;
    let ids = |v: &[Value]| v.iter().map(|e| e["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&one_page), ids(&paged));
    let r = app.admin().audit().events(app.root, "?limit=0").await;
    assert_eq!(r.error_field(), Some("limit"));
    let r = app.admin().audit().events(app.root, "?cursor=bogus").await;
    assert_eq!(r.error_field(), Some("cursor"));
});

both_backends!(admins_only_and_scope, |app| async move {
    let t = app.tree().await;
    let (_, viewer) = app.operator(t.dist, "viewer@northwind.example", &[Role::Viewer]);
    let (_, billing) = app.operator(t.dist, "billing@northwind.example", &[Role::Billing]);
    let (_, reseller_admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    for token in [&viewer, &billing] {
        assert_eq!(app.as_(token).audit().events(t.dist, "").await.status, 403);
        assert_eq!(export(&app, token, t.dist, "").await.status, 403);
    }
    // Outside the caller's scope: 404, list and export alike.
    assert_eq!(
        app.as_(&reseller_admin).audit().events(t.reseller_b, "").await.status,
        404
    );
    assert_eq!(export(&app, &reseller_admin, t.reseller_b, "").await.status, 404);
    assert_eq!(
        app.as_(&reseller_admin).audit().events(Uuid::now_v7(), "").await.status,
        404
    );
    let r = app
        .as_(&reseller_admin)
        .audit()
        .events(t.reseller_a, "?action=organization.created")
        .await;
    assert_eq!(items(&r).len(), 4, "{}", r.text);
});

both_backends!(csv_export_matches_the_list, |app| async move {
    let t = app.tree().await;
    let r = export(&app, &app.admin_token, t.dist, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    let disposition = r.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"audit-events-northwind-distribution-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert!(r.text.contains("\r\n"), "RFC 4180 line ends");
    let (header, rows) = parse_csv(&r.text);
    assert_eq!(
        header,
        [
            "id",
            "seq",
            "occurred_at",
            "actor_type",
            "actor_id",
            "impersonator_id",
            "organization_id",
            "action",
            "target_type",
            "target_id",
            "details",
            "hash",
            "prev_hash"
        ]
    );
    let listed = all_pages(&app, t.dist, "", 500).await;
    assert_eq!(rows.len(), listed.len());
    for (row, e) in rows.iter().zip(&listed) {
        assert_eq!(row[0], e["id"].as_str().unwrap());
        assert_eq!(row[1], e["seq"].as_i64().unwrap().to_string());
        assert_eq!(row[7], e["action"].as_str().unwrap());
        assert_eq!(row[11], e["hash"].as_str().unwrap());
        let details: Value = serde_json::from_str(&row[10]).unwrap();
        assert_eq!(details, e["details"]);
    }
    // Filters apply to the export too; an empty result is just the header.
    let r = export(&app, &app.admin_token, t.dist, &format!("?target={}", t.customer_b)).await;
    assert_eq!(parse_csv(&r.text).1.len(), 1);
    let r = export(&app, &app.admin_token, t.dist, "?action=no.such").await;
    let (header, rows) = parse_csv(&r.text);
    assert_eq!(header.len(), 13);
    assert!(rows.is_empty());
});

/// `psql` against the test schema (psql is a test prerequisite, see the README).
fn psql(app: &TestApp, query: &str) -> std::process::Output {
    let url = &app.config.database_url;
    Command::new("psql")
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", query])
        .output()
        .unwrap_or_else(|e| panic!("psql (a test prerequisite, see the README): {e}"))
}

/// PostgreSQL only: SQLite has no trigger (the store has no update or delete path).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
async fn postgres_refuses_update_and_delete() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let out = psql(
        &app,
        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass ORDER BY 1",
    );
    let triggers = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(triggers.contains("audit_events_append_only"), "{triggers}");
    for statement in [
        "UPDATE audit_events SET action = 'forged'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let out = psql(&app, statement);
        assert!(!out.status.success(), "{statement} was allowed");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("append-only"),
            "{statement}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = psql(&app, "SELECT count(*) FROM audit_events WHERE action = 'forged'");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
}
