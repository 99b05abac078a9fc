//! Idempotency-Key across two real `serve` processes on one PostgreSQL
//! database: twenty identical requests with one key, spread over both servers
//! and sent at once, write once; every other answer is a replay of that write
//! or 409 `idempotency_key_in_use`. PostgreSQL only; ignored without
//! `TEST_DATABASE_URL`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use serde_json::json;
use support::replica::Replica;
use support::{curl, curl_args, json_of, postgres};

#[test]
#[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
fn twenty_racing_retries_over_two_servers_write_once() {
    let db = postgres();
    let replicas = Arc::new([Replica::start(&db.url), Replica::start(&db.url)]);
    let (_, me) = curl(
        "GET",
        &format!("{}/v1/me", replicas[0].server.base),
        Some(&replicas[0].token),
        None,
    );
    let root = json_of(&me)["home_organization_id"].as_str().unwrap().to_string();
    let body = json!({"parent_id": root, "kind": "partner", "name": "Raced Partner"}).to_string();
    let start = Arc::new(Barrier::new(20));
    let answers: Vec<(u16, String, bool)> = (0..20)
        .map(|i| {
            let (replicas, body, start) = (replicas.clone(), body.clone(), start.clone());
            std::thread::spawn(move || {
                let replica = &replicas[i % 2];
                let auth = format!("authorization: Bearer {}", replica.token);
                let url = format!("{}/v1/organizations", replica.server.base);
                start.wait();
                let (status, answer) = curl_args(&[
                    "-D",
                    "-",
                    "-X",
                    "POST",
                    "-H",
                    &auth,
                    "-H",
                    "content-type: application/json",
                    "-H",
                    "Idempotency-Key: race-1",
                    "--data-binary",
                    &body,
                    &url,
                ]);
                let (head, body) = answer.split_once("\r\n\r\n").unwrap_or_default();
                let replayed = head.to_ascii_lowercase().contains("idempotent-replayed: true");
                (status, body.to_string(), replayed)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let created: HashSet<String> = answers
        .iter()
        .filter(|(status, _, _)| *status == 201)
        .map(|(_, body, _)| json_of(body)["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(created.len(), 1, "one organisation in every 201: {answers:?}");
    let fresh = answers.iter().filter(|(s, _, replayed)| *s == 201 && !replayed).count();
    assert_eq!(fresh, 1, "one execution, the other 201s are replays: {answers:?}");
    let replays = answers.iter().filter(|(_, _, replayed)| *replayed).count();
    eprintln!("1 execution, {replays} replays, {} refusals", 19 - replays);
    for (status, body, _) in answers.iter().filter(|(s, _, _)| *s != 201) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(json_of(body)["code"], "idempotency_key_in_use", "{body}");
    }
    let (_, listed) = curl(
        "GET",
        &format!(
            "{}/v1/organizations/{root}/descendants?q=raced",
            replicas[1].server.base
        ),
        Some(&replicas[1].token),
        None,
    );
    assert_eq!(json_of(&listed)["items"].as_array().map(Vec::len), Some(1), "{listed}");
}
