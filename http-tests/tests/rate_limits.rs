//! Rate limits a client can see: every answer carries the caller's
//! `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers);
//! a caller with a token has a quota of its own (`caller`), everyone else one
//! per client address (`public`); exports cost more; past the quota the answer
//! is 429 `rate_limited` with `Retry-After` until the window (60 s) ends.

use domain::Role;
use http_tests::{both_backends, Reply};
use uuid::Uuid;

/// The parameters of a structured-field item `"name";a=1;b=2`: its name and values.
fn item(reply: &Reply, field: &str) -> (String, Vec<(String, u64)>) {
    let value = reply
        .header(field)
        .unwrap_or_else(|| panic!("no {field} on {} {}", reply.status, reply.text));
    let mut parts = value.split(';');
    let name = parts.next().unwrap_or_default().trim_matches('"').to_owned();
    let params = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.parse().unwrap_or_else(|_| panic!("{value}"))))
        .collect();
    (name, params)
}

/// `(policy, quota, window)` from `RateLimit-Policy`.
fn policy(reply: &Reply) -> (String, u64, u64) {
    let (name, params) = item(reply, "ratelimit-policy");
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap_or(u64::MAX);
    (name, get("q"), get("w"))
}

/// `(policy, remaining, reset)` from `RateLimit`.
fn limit(reply: &Reply) -> (String, u64, u64) {
    let (name, params) = item(reply, "ratelimit");
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| *v).unwrap_or(u64::MAX);
    (name, get("r"), get("t"))
}

fn assert_limited(r: &Reply, policy_name: &str) {
    assert_eq!((r.status, r.code()), (429, Some("rate_limited")), "{}", r.text);
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    let retry: u64 = r.header("retry-after").expect("Retry-After").parse().expect("seconds");
    let (name, remaining, reset) = limit(r);
    assert_eq!((name.as_str(), remaining), (policy_name, 0));
    assert!(
        (1..=60).contains(&retry) && retry == reset,
        "Retry-After {retry}, t={reset}"
    );
}

both_backends!(every_answer_carries_the_callers_fields, |app| async move {
    let ok = app.admin().platform().me().await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(policy(&ok), ("caller".into(), 1_000_000, 60));
    let (name, remaining, reset) = limit(&ok);
    assert_eq!(name, "caller");
    assert!(
        remaining < 1_000_000 && (1..=60).contains(&reset),
        "{remaining} {reset}"
    );

    let missing = app.admin().organizations().get(Uuid::new_v4()).await;
    assert_eq!(missing.status, 404);
    assert_eq!(policy(&missing).0, "caller");
    assert_eq!(limit(&missing).1, remaining - 1, "the 404 was counted too");

    // Without a token: the client address's budget, on answers and refusals alike.
    let public = app.anonymous().customers().domain("fields-check.onmicrosoft.com").await;
    assert_eq!(public.status, 200, "{}", public.text);
    assert_eq!(policy(&public), ("public".into(), 1_000_000, 60));
    let refused = app.anonymous().platform().me().await;
    assert_eq!(refused.status, 401);
    assert_eq!(limit(&refused).0, "public");
    assert_eq!(limit(&refused).1, limit(&public).1 - 1);

    // The load balancer's probes are outside the limits.
    let probe = app.anonymous().get("/healthz").await;
    assert_eq!(probe.status, 200);
    assert!(probe.header("ratelimit").is_none() && probe.header("ratelimit-policy").is_none());
});

both_backends!(
    remaining_decreases_and_an_export_costs_ten,
    flags = ["--rate-limit-per-minute", "100"],
    |app| async move {
        let first = limit(&app.admin().platform().me().await).1;
        assert_eq!(limit(&app.admin().platform().me().await).1, first - 1);
        let export = app.admin().reports().get(app.root, "subscriptions", "").await;
        assert_eq!(export.status, 200, "{}", export.text);
        assert_eq!(limit(&export).1, first - 11, "a CSV export counts as 10 requests");
        assert_eq!(limit(&app.admin().platform().me().await).1, first - 12);
    }
);

both_backends!(
    past_the_quota_a_caller_waits_for_the_next_window,
    flags = ["--rate-limit-per-minute", "5"],
    |app| async move {
        for i in 0..5 {
            let r = app.admin().platform().me().await;
            assert_eq!(r.status, 200, "request {i}: {}", r.text);
            assert_eq!(limit(&r).1, 4 - i);
        }
        let over = app.admin().platform().me().await;
        assert_limited(&over, "caller");
        assert_eq!(policy(&over), ("caller".into(), 5, 60));
        // Refusals use nothing, and any operation is refused alike.
        assert_limited(&app.admin().organizations().get(app.root).await, "caller");

        // Another operator, and callers without a token, have budgets of their own.
        let (_, other) = app.operator(app.root, "other@contoso-cloud.example", &[Role::Viewer]);
        let r = app.as_(&other).platform().me().await;
        assert_eq!((r.status, limit(&r).1), (200, 4), "{}", r.text);
        let r = app.anonymous().customers().domain("other-budget.onmicrosoft.com").await;
        assert_eq!((r.status, limit(&r).0.as_str()), (200, "public"));

        // A new window, a full quota.
        app.advance_clock(60);
        let r = app.admin().platform().me().await;
        assert_eq!((r.status, limit(&r).1), (200, 4), "{}", r.text);
    }
);

both_backends!(
    an_export_needs_its_whole_cost_left,
    flags = ["--rate-limit-per-minute", "12"],
    |app| async move {
        let export = app.admin().reports().get(app.root, "subscriptions", "").await;
        assert_eq!((export.status, limit(&export).1), (200, 2), "{}", export.text);
        let again = app.admin().reports().get(app.root, "subscriptions", "").await;
        assert_eq!(
            (again.status, again.code()),
            (429, Some("rate_limited")),
            "{}",
            again.text
        );
        assert_eq!(limit(&again).1, 2, "what is left stays for cheaper calls");
        assert_eq!(app.admin().platform().me().await.status, 200);
    }
);

both_backends!(
    callers_without_a_valid_token_share_their_addresss_budget,
    flags = ["--public-rate-limit-per-minute", "3"],
    |app| async move {
        let r = app.anonymous().customers().domain("addr-budget.onmicrosoft.com").await;
        assert_eq!(r.status, 200, "{}", r.text);
        // A wrong token counts against the address, as no token does.
        assert_eq!(app.as_("not-a-token").platform().me().await.status, 401);
        assert_eq!(app.anonymous().platform().me().await.status, 401);
        assert_limited(
            &app.anonymous().customers().domain("addr-budget.onmicrosoft.com").await,
            "public",
        );
        assert_limited(&app.as_("not-a-token").platform().me().await, "public");
        // A valid token is its own caller.
        let r = app.admin().customers().domain("addr-budget.onmicrosoft.com").await;
        assert_eq!((r.status, limit(&r).0.as_str()), (200, "caller"), "{}", r.text);
    }
);

both_backends!(
    each_of_n_replicas_counts_a_request_n_times,
    flags = ["--rate-limit-per-minute", "10", "--rate-limit-replicas", "2"],
    |app| async move {
        let counts: Vec<(u16, u64)> = futures_util::future::join_all((0..6).map(|_| app.admin().platform().me()))
            .await
            .iter()
            .map(|r| (r.status, limit(r).1))
            .collect();
        let mut remaining: Vec<u64> = counts.iter().filter(|(s, _)| *s == 200).map(|(_, r)| *r).collect();
        remaining.sort_unstable();
        assert_eq!(remaining, [0, 2, 4, 6, 8], "{counts:?}");
        assert_eq!(counts.iter().filter(|(s, _)| *s == 429).count(), 1, "{counts:?}");
    }
);

both_backends!(
    limits_can_be_turned_off,
    flags = ["--rate-limit-per-minute", "1", "--rate-limits-enabled", "false"],
    |app| async move {
        for _ in 0..3 {
            let r = app.admin().platform().me().await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert!(r.header("ratelimit").is_none() && r.header("ratelimit-policy").is_none());
        }
    }
);
