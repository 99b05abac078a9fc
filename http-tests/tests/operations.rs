//! What operators of the service see: `GET /metrics` in the Prometheus text
//! format (parsed with a Prometheus parser), for the provider's admins and
//! API clients only, labelled by route template (never a raw path); request
//! ids kept or made and sent back; export slots shared per caller.

use domain::Role;
use http_tests::{both_backends, TestApp};

use crate::api_clients::{access_token, create_client};

/// The scrape, parsed; panics unless it is valid Prometheus text.
async fn scrape(app: &TestApp, token: &str) -> prometheus_parse::Scrape {
    let r = app.as_(token).get("/metrics").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type").unwrap_or_default().starts_with("text/plain"),
        "{:?}",
        r.headers
    );
    prometheus_parse::Scrape::parse(r.text.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text format")
}

fn value(s: &prometheus_parse::Sample) -> f64 {
    match s.value {
        prometheus_parse::Value::Counter(v)
        | prometheus_parse::Value::Gauge(v)
        | prometheus_parse::Value::Untyped(v) => v,
        _ => f64::NAN,
    }
}

both_backends!(metrics_are_prometheus_text_by_route_template, |app| async move {
    let t = app.tree().await;
    let org = app.admin().organizations().get(t.reseller_a).await;
    assert_eq!(org.status, 200);
    let scrape = scrape(&app, &app.admin_token).await;
    let requests: Vec<_> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "http_requests_total")
        .collect();
    let by_template = requests
        .iter()
        .find(|s| {
            s.labels.get("route") == Some("/v1/organizations/{id}")
                && s.labels.get("method") == Some("GET")
                && s.labels.get("status") == Some("200")
        })
        .unwrap_or_else(|| panic!("GET /v1/organizations/{{id}} 200 counted: {requests:?}"));
    assert!(value(by_template) >= 1.0);
    assert!(
        requests.iter().all(|s| !s
            .labels
            .get("route")
            .unwrap_or_default()
            .contains(&t.reseller_a.to_string())),
        "never a raw path: {requests:?}"
    );
    for metric in [
        "http_request_duration_seconds_count",
        "db_pool_connections",
        "db_pool_waiting",
        "mail_outbox_depth",
        "mail_outbox_oldest_age_seconds",
        "export_slots_in_use",
        "db_up",
    ] {
        assert!(
            scrape.samples.iter().any(|s| s.metric == metric),
            "{metric} in the scrape"
        );
    }
    // The tree's creations queued no mail here, but pool gauges are live.
    let idle_or_busy: f64 = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "db_pool_connections")
        .map(value)
        .sum();
    assert!(idle_or_busy >= 1.0, "the pool holds connections");
});

both_backends!(metrics_need_the_metrics_permission, |app| async move {
    let t = app.tree().await;
    assert_eq!(app.anonymous().get("/metrics").await.status, 401);
    let (_, viewer) = app.operator(app.root, "viewer@contoso-cloud.example", &[Role::Viewer]);
    let r = app.as_(&viewer).get("/metrics").await;
    assert_eq!((r.status, r.code()), (403, Some("forbidden")), "{}", r.text);
    let (_, reseller_admin) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    assert_eq!(app.as_(&reseller_admin).get("/metrics").await.status, 403);
    let me = app.as_(&app.admin_token).get("/v1/me").await;
    assert!(
        me.text.contains("\"metrics\""),
        "an admin of the provider holds `metrics`: {}",
        me.text
    );
    // A Prometheus scraper: an API client of the provider with the admin role.
    let client = create_client(&app, &app.admin_token, app.root, "Prometheus", &["admin"]).await;
    let token = access_token(&app, &client.id.to_string(), &client.secret).await;
    scrape(&app, &token).await;
});

both_backends!(request_ids_are_kept_when_sane_and_made_otherwise, |app| async move {
    let send = |id: Option<&'static str>| {
        let mut req = app.anonymous().request(reqwest::Method::GET, "/healthz");
        if let Some(id) = id {
            req = req.header("X-Request-Id", id);
        }
        app.send(req)
    };
    let kept = send(Some("client-abc.123")).await;
    assert_eq!(kept.header("x-request-id").as_deref(), Some("client-abc.123"));
    let made = send(Some("has spaces and \"quotes\"")).await;
    let made_id = made.header("x-request-id").expect("an id is made");
    assert!(
        made_id.len() >= 16 && made_id.chars().all(|c| c.is_ascii_alphanumeric()),
        "{made_id}"
    );
    let none = send(None).await;
    let other = none.header("x-request-id").expect("an id is made");
    assert_ne!(made_id, other, "each request gets its own id");
});

both_backends!(one_caller_cannot_hold_every_export_slot, |app| async move {
    let t = app.tree().await;
    let admin = app.admin().get("/v1/me").await.id();
    // The admin already streams its share of exports (two by default).
    let held: Vec<_> = (0..2).map(|_| app.exports.try_take(admin).expect("a slot")).collect();
    let r = app.admin().reports().get(t.dist, "subscriptions", "").await;
    assert_eq!((r.status, r.code()), (429, Some("rate_limited")), "{}", r.text);
    // Another caller still gets a slot.
    let (_, other) = app.operator(app.root, "other@contoso-cloud.example", &[Role::Viewer]);
    assert_eq!(
        app.as_(&other).reports().get(t.dist, "subscriptions", "").await.status,
        200
    );
    drop(held);
    assert_eq!(app.admin().reports().get(t.dist, "subscriptions", "").await.status, 200);
});
