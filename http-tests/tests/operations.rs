//! What operators of the service see: `GET /metrics` in the Prometheus text
//! format (parsed with a Prometheus parser), for the provider's admins and
//! API clients only, labelled by route template (never a raw path); request
//! ids kept or made and sent back; export slots shared per caller.

use std::collections::HashMap;

use domain::Role;
use http_tests::{both_backends, TestApp};

use crate::api_clients::{access_token, create_client};

/// One sample of a scrape: its family, labels and value (NaN for histograms).
#[derive(Debug)]
struct Sample {
    metric: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// The scrape, parsed; panics unless it is valid Prometheus text.
async fn scrape(app: &TestApp, token: &str) -> Vec<Sample> {
    use openmetrics_parser::PrometheusValue;
    let r = app.as_(token).get("/metrics").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type").unwrap_or_default().starts_with("text/plain"),
        "{:?}",
        r.headers
    );
    let parsed = openmetrics_parser::prometheus::parse_prometheus(&r.text)
        .unwrap_or_else(|e| panic!("not Prometheus text ({e:?}):\n{}", r.text));
    let mut samples = Vec::new();
    for (name, family) in &parsed.families {
        for sample in family.iter_samples() {
            let labels = sample.get_labelset().expect("labels");
            let value = match &sample.value {
                PrometheusValue::Counter(c) => c.value.as_f64(),
                PrometheusValue::Gauge(v) | PrometheusValue::Unknown(v) => v.as_f64(),
                _ => f64::NAN,
            };
            samples.push(Sample {
                metric: name.clone(),
                labels: labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                value,
            });
        }
    }
    samples
}

both_backends!(metrics_are_prometheus_text_by_route_template, |app| async move {
    let t = app.tree().await;
    // A delivery queued and not sent (no worker runs here) is the webhook queue.
    let hook = app
        .admin()
        .webhooks()
        .create(
            t.reseller_a,
            serde_json::json!({"url": "https://93.184.216.34/hooks", "events": ["*"]}),
        )
        .await;
    assert_eq!(app.admin().webhooks().test(hook.id()).await.status, 202);
    let org = app.admin().organizations().get(t.reseller_a).await;
    assert_eq!(org.status, 200);
    let label = |s: &Sample, k: &str| s.labels.get(k).cloned().unwrap_or_default();
    let is_the_get = |s: &Sample| {
        s.metric == "http_requests_total"
            && label(s, "route") == "/v1/organizations/{id}"
            && label(s, "method") == "GET"
            && label(s, "status") == "200"
    };
    // A request is counted once its body has gone, a moment after the client has it.
    let mut scrape = scrape(&app, &app.admin_token).await;
    for _ in 0..20 {
        if scrape.iter().any(is_the_get) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        scrape = self::scrape(&app, &app.admin_token).await;
    }
    let requests: Vec<_> = scrape.iter().filter(|s| s.metric == "http_requests_total").collect();
    let by_template = requests
        .iter()
        .find(|s| is_the_get(s))
        .unwrap_or_else(|| panic!("GET /v1/organizations/{{id}} 200 counted: {requests:?}"));
    assert!(by_template.value >= 1.0);
    assert!(
        requests
            .iter()
            .all(|s| !label(s, "route").contains(&t.reseller_a.to_string())),
        "never a raw path: {requests:?}"
    );
    for metric in [
        "http_request_duration_seconds",
        "db_pool_connections",
        "db_pool_waiting",
        "mail_outbox_depth",
        "mail_outbox_oldest_age_seconds",
        "webhook_queue_oldest_age_seconds",
        "export_slots_in_use",
        "db_up",
    ] {
        assert!(scrape.iter().any(|s| s.metric == metric), "{metric} in the scrape");
    }
    // Gauges are read at scrape time: the pool holds the connection this test used.
    let idle_or_busy: f64 = scrape
        .iter()
        .filter(|s| s.metric == "db_pool_connections")
        .map(|s| s.value)
        .sum();
    assert!(idle_or_busy >= 1.0, "the pool holds connections");
    let queued = scrape.iter().find(|s| s.metric == "webhook_queue_depth");
    assert_eq!(queued.map(|s| s.value), Some(1.0), "the queued ping: {queued:?}");
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
