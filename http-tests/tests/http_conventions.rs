//! HTTP conventions of request bodies and errors: 415 wrong content type, 413 too
//! large, 400 malformed, 422 naming the field, 404 for ids that are not UUIDs, and
//! problem+json bodies that never leak SQL or internals.

use http_tests::{both_backends, paths, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

/// POST /v1/organizations with this content type and these exact bytes, as the bootstrap admin.
async fn post_raw(app: &TestApp, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Reply {
    let admin = app.admin();
    let mut req = admin.request(Method::POST, paths::ORGANIZATIONS).body(body.into());
    if let Some(ct) = content_type {
        req = req.header("Content-Type", ct);
    }
    admin.send(req).await
}

async fn post_json(app: &TestApp, body: Value) -> Reply {
    app.admin().organizations().create(body).await
}

/// The root's children, by name: what a user would see was (not) created.
async fn root_children(app: &TestApp) -> Vec<String> {
    let r = app.admin().organizations().children(app.root, "?limit=500").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.names()
}

/// RFC 9457 with our extras; `status` equals the HTTP status; nothing internal leaks.
fn assert_problem(r: &Reply, status: u16, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{what}: {}",
        r.text
    );
    for field in ["type", "title", "detail", "code"] {
        assert!(
            r.body[field].as_str().is_some_and(|s| !s.is_empty()),
            "{what}: no {field} in {}",
            r.text
        );
    }
    assert_eq!(r.body["status"], json!(status), "{what}: {}", r.text);
    let lower = r.text.to_lowercase();
    for leak in [
        "diesel",
        "select ",
        "insert into",
        "sqlite",
        "postgres",
        "constraint",
        "syntax error at",
        "panicked",
        "stack backtrace",
        "src/",
        ".rs:",
        "r2d2",
        "serde",
    ] {
        assert!(!lower.contains(leak), "{what}: the body leaks {leak:?}: {}", r.text);
    }
}

fn assert_field(r: &Reply, field: &str, code: Option<&str>, what: &str) {
    assert_problem(r, 422, what);
    assert_eq!(r.code(), Some("validation_failed"), "{what}");
    assert_eq!(r.error_field(), Some(field), "{what}: {}", r.text);
    if let Some(code) = code {
        assert_eq!(r.body["errors"][0]["code"], code, "{what}: {}", r.text);
    }
    assert!(r.body["errors"][0]["message"].is_string(), "{what}: {}", r.text);
}

fn distributor(app: &TestApp, name: &str) -> Value {
    json!({"parent_id": app.root, "kind": "distributor", "name": name})
}

both_backends!(wrong_or_missing_content_type_is_415, |app| async move {
    let body = distributor(&app, "Plain Text Distribution").to_string();
    // The control: the same bytes as JSON are created.
    let r = post_raw(
        &app,
        Some("application/json"),
        distributor(&app, "Json Distribution").to_string(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/xml"),
        None,
    ] {
        let r = post_raw(&app, ct, body.clone()).await;
        assert_problem(&r, 415, &format!("Content-Type {ct:?}"));
        assert_eq!(r.code(), Some("unsupported_media_type"));
    }
    let names = root_children(&app).await;
    assert!(names.contains(&"Json Distribution".to_string()), "{names:?}");
    assert!(!names.contains(&"Plain Text Distribution".to_string()), "{names:?}");
});

both_backends!(a_body_over_the_limit_is_413, |app| async move {
    let big = "N".repeat(20 * 1024);
    let r = post_json(&app, distributor(&app, &big)).await;
    assert_problem(&r, 413, "20 KiB name");
    assert_eq!(r.code(), Some("payload_too_large"));
    // Just under the limit it is read, and refused for what it says (the name is too long).
    let r = post_json(&app, distributor(&app, &"N".repeat(15 * 1024))).await;
    assert_problem(&r, 422, "15 KiB name");
    assert_eq!(r.error_field(), Some("name"));
    // Whatever the bytes are.
    let r = post_raw(&app, Some("application/json"), vec![b' '; 64 * 1024]).await;
    assert_problem(&r, 413, "64 KiB of spaces");
});

/// Sends `body` as a chunked POST /v1/organizations over a bare socket (no Content-Length
/// for the server to check up front); returns the status and the whole response.
fn post_chunked(app: &TestApp, body: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut request = format!(
        "POST /v1/organizations HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.admin_token
    )
    .into_bytes();
    for chunk in body.chunks(4096) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let mut socket = std::net::TcpStream::connect(app.base.trim_start_matches("http://")).expect("connect");
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("timeout");
    // The server may answer and close before it has read everything: that is fine.
    let _ = socket.write_all(&request);
    let mut response = Vec::new();
    let _ = socket.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

both_backends!(a_chunked_body_over_the_limit_is_413, |app| async move {
    let (status, text) = post_chunked(&app, distributor(&app, "Chunked Distribution").to_string().as_bytes());
    assert_eq!(status, 201, "control, a small chunked body: {text}");
    let big = distributor(&app, &"N".repeat(20 * 1024)).to_string();
    let (status, text) = post_chunked(&app, big.as_bytes());
    assert_eq!(status, 413, "{text}");
    assert!(
        text.to_lowercase().contains("content-type: application/problem+json"),
        "{text}"
    );
    assert!(text.contains("payload_too_large"), "{text}");
    assert_eq!(root_children(&app).await, vec!["Chunked Distribution".to_string()]);
});

both_backends!(malformed_json_is_400, |app| async move {
    let cases: [&[u8]; 5] = [
        b"{\"parent_id\": ",
        b"{parent_id: 1}",
        b"",
        b"{\"name\": \"x\",}",
        b"not json",
    ];
    for raw in cases {
        let r = post_raw(&app, Some("application/json"), raw.to_vec()).await;
        let what = String::from_utf8_lossy(raw).to_string();
        assert_problem(&r, 400, &what);
        assert_eq!(r.code(), Some("malformed_request"), "{what}");
    }
    // Deeply nested JSON is refused, not a crash.
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let r = post_raw(&app, Some("application/json"), deep).await;
    assert!((400..500).contains(&r.status), "deep nesting: {} {}", r.status, r.text);
    assert_eq!(r.body["status"], json!(r.status));
});

both_backends!(trailing_data_after_the_json_body_is_400, |app| async move {
    let valid = distributor(&app, "Trailing Distribution").to_string();
    for tail in [" trailing", " {}", "}", ",{\"name\": \"Second\"}"] {
        let r = post_raw(&app, Some("application/json"), format!("{valid}{tail}")).await;
        assert_problem(&r, 400, &format!("a valid body followed by {tail:?}"));
        assert_eq!(r.code(), Some("malformed_request"));
    }
    assert!(root_children(&app).await.is_empty(), "nothing was created");
    // Trailing whitespace is fine.
    let r = post_raw(&app, Some("application/json"), format!("{valid} \n")).await;
    assert_eq!(r.status, 201, "{}", r.text);
});

both_backends!(invalid_utf8_is_400_not_500, |app| async move {
    let mut raw = format!(
        "{{\"parent_id\": \"{}\", \"kind\": \"distributor\", \"name\": \"Bad ",
        app.root
    )
    .into_bytes();
    raw.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    raw.extend_from_slice(b"\"}");
    let r = post_raw(&app, Some("application/json"), raw).await;
    assert_problem(&r, 400, "invalid UTF-8 in a string");
    assert_eq!(r.code(), Some("malformed_request"));
    // A lone surrogate escape is not valid UTF-8 either.
    let raw = format!(
        r#"{{"parent_id": "{}", "kind": "distributor", "name": "Bad \ud800"}}"#,
        app.root
    );
    let r = post_raw(&app, Some("application/json"), raw).await;
    assert!(
        (400..500).contains(&r.status),
        "lone surrogate: {} {}",
        r.status,
        r.text
    );
    assert_eq!(r.body["status"], json!(r.status));
    assert!(root_children(&app).await.is_empty());
});

both_backends!(unknown_fields_are_422_naming_the_field, |app| async move {
    let root = app.root;
    let dist = app.create(&app.admin_token, root, "distributor", "Northwind").await;
    let mut replies = Vec::new();
    for (field, value) in [
        ("status", json!("active")),
        ("roles", json!(["admin"])),
        ("id", json!(root)),
    ] {
        let mut body = distributor(&app, "Sneaky");
        body[field] = value;
        replies.push((field, post_json(&app, body).await));
    }
    // Updates too: the parent and status change only through their own operations.
    for (field, value) in [("parent_id", json!(root)), ("status", json!("active"))] {
        replies.push((
            field,
            app.admin()
                .organizations()
                .update(dist, json!({ field: value }), None)
                .await,
        ));
    }
    let mut misnamed = Vec::new();
    for (field, r) in &replies {
        assert_problem(r, 422, &format!("unknown field {field}"));
        assert_eq!(r.body["errors"][0]["code"], "unknown_field", "{field}: {}", r.text);
        if r.error_field() != Some(*field) {
            misnamed.push(format!("{field}: errors[0].field is {:?}", r.error_field()));
        }
    }
    assert_eq!(
        root_children(&app).await,
        vec!["Northwind".to_string()],
        "nothing was created"
    );
    let r = app.admin().organizations().get(dist).await;
    assert_eq!(
        (r.body["status"].as_str(), r.body["parent_id"].as_str()),
        (Some("pending"), Some(&*root.to_string()))
    );
    assert!(
        misnamed.is_empty(),
        "`errors[0].field` must name the unknown field:\n{}",
        misnamed.join("\n")
    );
});

both_backends!(a_wrong_type_is_422_naming_the_field, |app| async move {
    let cases = [
        ("kind", json!("reseller")),
        ("kind", json!(5)),
        ("kind", json!(null)),
        ("kind", json!(["partner"])),
        ("parent_id", json!("not-a-uuid")),
        ("parent_id", json!(7)),
        ("name", json!(42)),
        ("name", json!({"en": "Name"})),
    ];
    let mut wrong = Vec::new();
    for (field, value) in cases {
        let mut body = distributor(&app, "Wrong Type");
        body[field] = value.clone();
        let r = post_json(&app, body).await;
        if r.status != 422 || r.error_field() != Some(field) {
            wrong.push(format!("{field}: {value} answered {} {}", r.status, r.text));
        } else {
            assert_field(&r, field, None, &format!("{field}: {value}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "a wrong type must be a 422 naming the field:\n{}",
        wrong.join("\n")
    );
    assert!(root_children(&app).await.is_empty(), "nothing was created");
});

both_backends!(invalid_fields_are_422_naming_the_field, |app| async move {
    let root = app.root;
    let r = post_json(&app, json!({"parent_id": root, "kind": "distributor"})).await;
    assert_field(&r, "name", Some("required"), "missing name");
    let r = post_json(&app, json!({"kind": "distributor", "name": "No Parent"})).await;
    assert_field(&r, "parent_id", Some("required"), "missing parent_id");
    let r = post_json(&app, json!([root, "distributor", "Array"])).await;
    assert!((400..500).contains(&r.status), "an array body: {} {}", r.status, r.text);
    assert_eq!(r.body["status"], json!(r.status));
    for name in [
        "Bad\u{0}Name",
        "\u{0}",
        "Tab\tName",
        "Line\nBreak",
        "   ",
        &"N".repeat(201),
    ] {
        let r = post_json(&app, distributor(&app, name)).await;
        assert_field(&r, "name", None, &format!("name {name:?}"));
    }
    // A NUL byte elsewhere: in a customer's fields, and in an update.
    let dist = app.create(&app.admin_token, root, "distributor", "Northwind").await;
    let customer =
        json!({"parent_id": dist, "kind": "customer", "name": "Nul", "primary_domain": "nul\u{0}x.onmicrosoft.com"});
    assert_field(
        &post_json(&app, customer).await,
        "primary_domain",
        None,
        "NUL in primary_domain",
    );
    let r = app
        .admin()
        .organizations()
        .update(dist, json!({"name": "Nul\u{0}Name"}), None)
        .await;
    assert_field(&r, "name", None, "NUL in an update");
    assert_eq!(
        root_children(&app).await,
        vec!["Northwind".to_string()],
        "nothing else was created"
    );
    // The control: a valid body is created.
    let r = post_json(&app, distributor(&app, "Valid Distribution")).await;
    assert_eq!(r.status, 201, "{}", r.text);
});

both_backends!(a_path_id_that_is_not_a_uuid_is_404, |app| async move {
    let random = app.admin().organizations().get(Uuid::now_v7()).await;
    assert_problem(&random, 404, "random UUID");
    for id in [
        "not-a-uuid",
        "123",
        "00000000-0000-0000-0000-00000000000g",
        "%00",
        "'%20OR%201=1--",
    ] {
        for suffix in ["", "/children", "/descendants"] {
            let path = format!("{}{suffix}", paths::organization(id));
            let r = app.admin().get(&path).await;
            assert_problem(&r, 404, &path);
            if suffix.is_empty() {
                assert_eq!(r.text, random.text, "{path}: like any absent record");
            }
        }
        let path = paths::of_organization(id, "suspend");
        let r = app.admin().act(&path).await;
        assert_problem(&r, 404, &path);
        let path = paths::organization(id);
        let r = app.admin().patch(&path, json!({"name": "X"}), None).await;
        assert_problem(&r, 404, &path);
    }
});

both_backends!(bad_query_parameters_are_4xx_naming_the_parameter, |app| async move {
    assert_eq!(
        app.admin()
            .organizations()
            .children(app.root, "?limit=500")
            .await
            .status,
        200,
        "control"
    );
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=501", "limit"),
        ("limit=99999999999999999999999", "limit"),
        ("limit=abc", "limit"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
    ] {
        let r = app
            .admin()
            .organizations()
            .children(app.root, &format!("?{query}"))
            .await;
        assert_field(&r, field, None, query);
    }
    assert_eq!(
        app.admin().organizations().descendants(app.root, "?q=x").await.status,
        200,
        "control"
    );
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=99999999999999999999999", "limit"),
        ("q=a%00b", "q"),
        ("cursor=%%%", "cursor"),
        // A cursor of the children list ("id:…") is refused by this one.
        ("cursor=aWQ6MDE5MmYwYzQtN2ExMC03YzNlLTlkNTItNmIxZjdlMGExYjJj", "cursor"),
    ] {
        let r = app
            .admin()
            .organizations()
            .descendants(app.root, &format!("?{query}"))
            .await;
        assert_field(&r, field, None, query);
    }
    // A cursor in the right format ("path:" and a NUL byte) that no list returned: a 4xx or
    // an empty page, never a database error.
    let r = app
        .admin()
        .organizations()
        .descendants(app.root, "?cursor=cGF0aDoA")
        .await;
    assert!(
        r.status == 200 || (400..500).contains(&r.status),
        "NUL in a cursor: {} {}",
        r.status,
        r.text
    );
    if r.status != 200 {
        assert_problem(&r, r.status, "NUL in a cursor");
    }
});

both_backends!(conflicts_and_every_error_are_clean_problems, |app| async move {
    let dist = app.create(&app.admin_token, app.root, "distributor", "Northwind").await;
    let domain = "alpineskihouse.onmicrosoft.com";
    let customer = |name: &str| json!({"parent_id": dist, "kind": "customer", "name": name, "primary_domain": domain});
    let r = post_json(&app, customer("Alpine Ski House")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The same domain again: the unique constraint answers, as a field, not as SQL.
    let r = post_json(&app, customer("Alpine Again")).await;
    assert_problem(&r, 409, "duplicate domain");
    assert_eq!(r.error_field(), Some("primary_domain"), "{}", r.text);

    let mut errors = vec![
        post_raw(&app, Some("text/plain"), "x").await,
        post_raw(&app, Some("application/json"), "{").await,
        post_json(
            &app,
            json!({"parent_id": Uuid::now_v7(), "kind": "partner", "name": "Orphan"}),
        )
        .await,
        app.admin().organizations().get("nope").await,
        app.anonymous().platform().me().await,
        app.as_("not-a-token").platform().me().await,
    ];
    let (_, viewer) = app.operator(dist, "viewer@northwind.example", &[domain::Role::Viewer]);
    errors.push(
        app.as_(&viewer)
            .organizations()
            .create(json!({"parent_id": dist, "kind": "partner", "name": "V"}))
            .await,
    );
    for r in errors {
        assert!(r.status >= 400, "{}", r.text);
        assert_problem(&r, r.status, &format!("{} {}", r.status, r.text));
    }
});
