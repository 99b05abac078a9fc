//! Rule 6 (legacy import) over HTTP: `POST /v1/organizations/{id}/operators/import`
//! with a file of the old portal (a `text/csv` body or a form's `file` part). Roles map (`Invoice` → viewer,
//! `TenantAdmin` → admin), organisations are ids or partner paths from the
//! import's target down; a dry run writes nothing; a real run is all or nothing
//! and lists every bad row with its line and column; operators already present
//! are reported, not duplicated.

use std::collections::{BTreeSet, HashMap, HashSet};

use domain::Role;
use http_tests::{both_backends, paths, Part, Reply, TestApp};
use serde_json::Value;
use uuid::Uuid;

const HEADER: &str = "email,name,legacy_role,organization\n";

async fn import_as(app: &TestApp, token: &str, org: Uuid, csv: impl Into<Vec<u8>>, dry_run: bool) -> Reply {
    let query = if dry_run { "?dry_run=true" } else { "" };
    app.as_(token).operators().import(org, csv, query).await
}

/// The e-mails of every operator in `org`'s subtree (all pages).
async fn all_emails(app: &TestApp, org: Uuid) -> Vec<String> {
    all_items(app, org, "")
        .await
        .iter()
        .map(|i| i["email"].as_str().unwrap().to_string())
        .collect()
}

/// Every operator in `org`'s subtree matching `query`, through pages of 500.
async fn all_items(app: &TestApp, org: Uuid, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut page = format!("?limit=500{query}");
        if let Some(c) = &cursor {
            page.push_str(&format!("&cursor={c}"));
        }
        let r = app.admin().operators().list(org, &page).await;
        assert_eq!(
            r.status,
            200,
            "{}{page}: {}",
            paths::of_organization(org, "operators"),
            r.text
        );
        items.extend(r.body["items"].as_array().unwrap().iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return items,
        }
    }
}

async fn operator(app: &TestApp, id: &Value) -> Value {
    let r = app.admin().operators().get(id.as_str().unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// (line, column, code) of each problem of a rejected import.
fn problems(r: &Reply) -> BTreeSet<(u64, String, String)> {
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.code(), Some("import_rejected"), "{}", r.text);
    assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"));
    r.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {}", r.text))
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "a message: {e}");
            (
                e["line"].as_u64().unwrap_or_else(|| panic!("no line in {e}")),
                e["field"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn problem(line: u64, field: &str, code: &str) -> (u64, String, String) {
    (line, field.to_string(), code.to_string())
}

fn roles_of(op: &Value) -> Vec<String> {
    let mut v: Vec<String> = op["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

both_backends!(import_maps_roles_and_resolves_ids_and_partner_paths, |app| async move {
    let t = app.tree().await;
    let root = app.config.provider_name.clone();
    let csv = format!(
        "{HEADER}\
         jane@fabrikam.example,Jane Doe,TenantAdmin,{root}/Northwind Distribution/Reseller A\n\
         john@fabrikam.example,John Roe,Invoice,{sub_a}\n\
         Mixed@Fabrikam.Example,Mixed Case,tenantADMIN,{lower} / northwind distribution\n\
         low@fabrikam.example,Low Case, INVOICE ,{root}\n\
         quoted@fabrikam.example,\"Doe, Jane \"\"JD\"\"\",invoice,{root}/Northwind Distribution/Reseller A/Sub A\n",
        sub_a = t.sub_a,
        lower = root.to_lowercase(),
    );
    let r = import_as(&app, &app.admin_token, app.root, csv, false).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["dry_run"], false);
    assert_eq!(r.body["rows"], 5);
    assert_eq!(r.body["existing"], serde_json::json!([]));
    let created = r.body["created"].as_array().unwrap();
    assert_eq!(created.len(), 5, "{}", r.text);
    let expected = [
        (2, "jane@fabrikam.example", t.reseller_a, "Jane Doe", vec!["admin"]),
        (3, "john@fabrikam.example", t.sub_a, "John Roe", vec!["viewer"]),
        (4, "mixed@fabrikam.example", t.dist, "Mixed Case", vec!["admin"]),
        (5, "low@fabrikam.example", app.root, "Low Case", vec!["viewer"]),
        (
            6,
            "quoted@fabrikam.example",
            t.sub_a,
            "Doe, Jane \"JD\"",
            vec!["viewer"],
        ),
    ];
    for (entry, (line, email, org, name, roles)) in created.iter().zip(expected.clone()) {
        assert_eq!(entry["line"], line, "{entry}");
        assert_eq!(entry["email"], email, "{entry}");
        assert_eq!(entry["organization_id"], org.to_string(), "{entry}");
        let op = operator(&app, &entry["operator_id"]).await;
        assert_eq!(op["email"], email);
        assert_eq!(op["name"], name);
        assert_eq!(op["home_organization_id"], org.to_string());
        assert_eq!(op["status"], "invited", "imported operators are invited");
        assert_eq!(roles_of(&op), roles, "{email}");
        let id = Uuid::try_parse(entry["operator_id"].as_str().unwrap()).unwrap();
        assert_eq!(app.store.audit_event_count(id).unwrap(), 1, "each import is audited");
    }
    let listed = all_emails(&app, app.root).await;
    for (_, email, ..) in &expected {
        assert!(listed.contains(&email.to_string()), "{email} listed: {listed:?}");
    }
});

both_backends!(partner_paths_start_at_the_import_target, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    // Columns in any order, a byte-order mark and CRLF line ends, as spreadsheets save them.
    let csv = format!(
        "\u{feff}Organization,Legacy_Role,Name,Email\r\n\
         Reseller A/Sub A,Invoice,Ann,ann@reseller-a.example\r\n\
         Reseller A,TenantAdmin,Ben,ben@reseller-a.example\r\n\
         {},Invoice,Cat,cat@reseller-a.example\r\n",
        t.sub_a
    );
    let operators = app.as_(&admin_a).operators();
    let r = operators
        .send(
            operators
                .import_request(t.reseller_a, "")
                .header("Content-Type", "text/csv; charset=utf-8")
                .body(csv),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let homes: HashMap<String, String> = r.body["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["email"].as_str().unwrap().to_string(),
                c["organization_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(homes.len(), 3, "{}", r.text);
    assert_eq!(homes["ann@reseller-a.example"], t.sub_a.to_string());
    assert_eq!(homes["ben@reseller-a.example"], t.reseller_a.to_string());
    assert_eq!(homes["cat@reseller-a.example"], t.sub_a.to_string());
    let mut listed = all_emails(&app, t.reseller_a).await;
    listed.sort();
    assert_eq!(
        listed,
        vec![
            "admin@reseller-a.example",
            "ann@reseller-a.example",
            "ben@reseller-a.example",
            "cat@reseller-a.example"
        ]
    );
});

both_backends!(a_dry_run_reports_and_writes_nothing, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let csv = format!(
        "{HEADER}\
         one@reseller-a.example,One,Invoice,Reseller A\n\
         two@reseller-a.example,Two,TenantAdmin,Reseller A/Sub A\n\
         admin@reseller-a.example,Already Here,TenantAdmin,Reseller A\n"
    );
    let r = import_as(&app, &admin_a, t.reseller_a, csv.clone(), true).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["dry_run"], true);
    assert_eq!(r.body["rows"], 3);
    let created = r.body["created"].as_array().unwrap();
    let would: Vec<&str> = created.iter().map(|c| c["email"].as_str().unwrap()).collect();
    assert_eq!(would, vec!["one@reseller-a.example", "two@reseller-a.example"]);
    assert!(created.iter().all(|c| c["operator_id"].is_null()), "{}", r.text);
    assert_eq!(created[1]["organization_id"], t.sub_a.to_string());
    let existing = r.body["existing"].as_array().unwrap();
    assert_eq!(existing.len(), 1, "{}", r.text);
    assert_eq!(existing[0]["line"], 4);
    assert_eq!(
        all_emails(&app, t.reseller_a).await,
        vec!["admin@reseller-a.example"],
        "nothing written"
    );

    // The same file for real.
    let r = import_as(&app, &admin_a, t.reseller_a, csv, false).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["dry_run"], false);
    assert!(r.body["created"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["operator_id"].is_string()));
    assert_eq!(all_emails(&app, t.reseller_a).await.len(), 3);

    // A dry run of a bad file is rejected like a real one.
    let bad = format!("{HEADER}three@reseller-a.example,Three,Owner,Reseller A\n");
    let r = import_as(&app, &admin_a, t.reseller_a, bad, true).await;
    assert_eq!(
        problems(&r),
        BTreeSet::from([problem(2, "legacy_role", "unknown_legacy_role")])
    );
});

both_backends!(one_bad_row_rejects_the_whole_file, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let csv = format!(
        "{HEADER}\
         one@reseller-a.example,One,Invoice,Reseller A\n\
         two@reseller-a.example,Two,TenantAdmin,Reseller A/Sub A\n\
         three@reseller-a.example,Three,Administrator,Reseller A\n\
         four@reseller-a.example,Four,Invoice,Reseller A\n"
    );
    let r = import_as(&app, &admin_a, t.reseller_a, csv, false).await;
    assert_eq!(
        problems(&r),
        BTreeSet::from([problem(4, "legacy_role", "unknown_legacy_role")])
    );
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Administrator"),
        "the message names the value: {message}"
    );
    assert_eq!(
        all_emails(&app, t.reseller_a).await,
        vec!["admin@reseller-a.example"],
        "all or nothing: the good rows were not written"
    );
});

both_backends!(
    every_kind_of_row_error_is_listed_with_line_and_column,
    |app| async move {
        let t = app.tree().await;
        let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        let root = app.config.provider_name.clone();
        let csv = format!(
            "{HEADER}\
         ok@reseller-a.example,Ok,Invoice,Reseller A\n\
         someone@gmail.com,Consumer,Invoice,Reseller A\n\
         role@reseller-a.example,Role,Owner,Reseller A\n\
         org@reseller-a.example,Org,Invoice,Reseller A/Nowhere\n\
         cust@reseller-a.example,Cust,Invoice,Reseller A/Customer A\n\
         noname@reseller-a.example,  ,Invoice,Reseller A\n\
         twice@reseller-a.example,Twice,Invoice,Reseller A/Sub A\n\
         TWICE@reseller-a.example,Twice Again,TenantAdmin,{sub_a}\n\
         beside@reseller-a.example,Beside,Invoice,{reseller_b}\n\
         above@reseller-a.example,Above,Invoice,{dist}\n\
         deep@reseller-a.example,Deep,Invoice,{customer_a2}\n\
         random@reseller-a.example,Random,Invoice,{random}\n\
         bad-email,Bad,Invoice,Reseller A\n\
         ,,,\n\
         two@outlook.com,Two Problems,Boss,Reseller A\n\
         noorg@reseller-a.example,No Org,Invoice,\n\
         fromroot@reseller-a.example,From Root,Invoice,{root}/Northwind Distribution/Reseller A\n\
         sibling@reseller-a.example,Sibling,Invoice,Reseller B\n",
            sub_a = t.sub_a,
            reseller_b = t.reseller_b,
            dist = t.dist,
            customer_a2 = t.customer_a2,
            random = Uuid::now_v7(),
        );
        let r = import_as(&app, &admin_a, t.reseller_a, csv, false).await;
        let expected = BTreeSet::from([
            problem(3, "email", "consumer_email"),
            problem(4, "legacy_role", "unknown_legacy_role"),
            problem(5, "organization", "organization_not_found"),
            problem(6, "organization", "customer_has_no_operators"),
            problem(7, "name", "required"),
            problem(9, "email", "duplicate_row"),
            problem(10, "organization", "organization_not_found"),
            problem(11, "organization", "organization_not_found"),
            problem(12, "organization", "customer_has_no_operators"),
            problem(13, "organization", "organization_not_found"),
            problem(14, "email", "invalid_email"),
            problem(15, "email", "invalid_email"),
            problem(15, "name", "required"),
            problem(15, "legacy_role", "unknown_legacy_role"),
            problem(15, "organization", "required"),
            problem(16, "email", "consumer_email"),
            problem(16, "legacy_role", "unknown_legacy_role"),
            problem(17, "organization", "required"),
            problem(18, "organization", "organization_not_found"),
            problem(19, "organization", "organization_not_found"),
        ]);
        let found = problems(&r);
        assert_eq!(found, expected, "{}", r.text);
        // The duplicate names its first occurrence.
        let dup = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["code"] == "duplicate_row")
            .unwrap();
        assert!(dup["message"].as_str().unwrap().contains("line 8"), "{dup}");
        assert_eq!(all_emails(&app, t.reseller_a).await, vec!["admin@reseller-a.example"]);
        assert_eq!(all_emails(&app, t.reseller_b).await, Vec::<String>::new());
    }
);

both_backends!(
    operators_already_present_are_reported_not_duplicated,
    |app| async move {
        let t = app.tree().await;
        let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
        let (here, _) = app.operator(t.reseller_a, "here@reseller-a.example", &[Role::Viewer]);
        let csv = format!(
            "{HEADER}\
         HERE@reseller-a.example,Here Again,TenantAdmin,Reseller A\n\
         new@reseller-a.example,New,Invoice,Reseller A\n\
         here@reseller-a.example,Here In Sub A,Invoice,Reseller A/Sub A\n"
        );
        let r = import_as(&app, &admin_a, t.reseller_a, csv.clone(), false).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let existing = r.body["existing"].as_array().unwrap();
        assert_eq!(existing.len(), 1, "{}", r.text);
        assert_eq!(existing[0]["line"], 2);
        assert_eq!(existing[0]["email"], "here@reseller-a.example");
        assert_eq!(existing[0]["operator_id"], here.to_string());
        assert_eq!(existing[0]["organization_id"], t.reseller_a.to_string());
        let created: Vec<(u64, String)> = r.body["created"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["line"].as_u64().unwrap(),
                    c["organization_id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            created,
            vec![(3, t.reseller_a.to_string()), (4, t.sub_a.to_string())],
            "the same e-mail in another organisation is another operator"
        );
        // The existing operator is untouched.
        let op = operator(&app, &Value::String(here.to_string())).await;
        assert_eq!(roles_of(&op), vec!["viewer"]);
        assert_eq!(op["name"], "here@reseller-a.example");
        assert_eq!(op["version"], 1);

        // Importing the file again creates nothing more.
        let r = import_as(&app, &admin_a, t.reseller_a, csv, false).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["created"], serde_json::json!([]));
        assert_eq!(r.body["existing"].as_array().unwrap().len(), 3);
        let listed = all_emails(&app, t.reseller_a).await;
        assert_eq!(
            listed.len(),
            4,
            "admin, here (twice: two organisations), new: {listed:?}"
        );
        assert_eq!(
            listed
                .iter()
                .filter(|e| e.as_str() == "here@reseller-a.example")
                .count(),
            2
        );
    }
);

both_backends!(ten_thousand_rows_import_in_one_go, |app| async move {
    let t = app.tree().await;
    let root = app.config.provider_name.clone();
    let orgs = [
        format!("{root}/Northwind Distribution/Reseller A"),
        t.sub_a.to_string(),
        format!("{root}/Northwind Distribution/Reseller B"),
        root.clone(),
    ];
    let homes = [t.reseller_a, t.sub_a, t.reseller_b, app.root];
    let roles = ["Invoice", "TenantAdmin", "invoice", "TENANTADMIN", "Invoice"];
    let mut csv = String::from(HEADER);
    for i in 0..10_000 {
        csv.push_str(&format!(
            "bulk{i:05}@bulk.example,\"Bulk, Operator {i}\",{},{}\n",
            roles[i % roles.len()],
            orgs[i % orgs.len()]
        ));
    }
    let r = import_as(&app, &app.admin_token, app.root, csv, false).await;
    assert_eq!(r.status, 200, "{}", &r.text[..r.text.len().min(2000)]);
    assert_eq!(r.body["rows"], 10_000);
    let created = r.body["created"].as_array().unwrap();
    assert_eq!(created.len(), 10_000);
    let ids: HashSet<&str> = created.iter().map(|c| c["operator_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 10_000, "distinct ids");

    let items = all_items(&app, app.root, "&q=%40bulk.example").await;
    assert_eq!(items.len(), 10_000, "every imported operator is listed");
    let listed: HashSet<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(listed, ids);
    let admins = items
        .iter()
        .filter(|i| i["roles"] == serde_json::json!(["admin"]))
        .count();
    assert_eq!(admins, 4_000, "TenantAdmin rows, in any case");
    for (n, home) in homes.iter().enumerate() {
        let count = items
            .iter()
            .filter(|i| i["home_organization_id"] == home.to_string())
            .count();
        assert_eq!(count, 2_500, "home {n}");
    }
    assert!(items.iter().all(|i| i["status"] == "invited"));
    let sample = items.iter().find(|i| i["email"] == "bulk04321@bulk.example").unwrap();
    assert_eq!(sample["name"], "Bulk, Operator 4321");
    assert_eq!(sample["home_organization_id"], t.sub_a.to_string());
});

both_backends!(malformed_files_are_rejected_naming_the_line, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let good = "good@reseller-a.example,Good,Invoice,Reseller A\n";
    let cases: Vec<(&str, Vec<u8>, u64, &str)> = vec![
        (
            "unterminated quote",
            format!(
                "{HEADER}{good}bad@reseller-a.example,\"Bad,Invoice,Reseller A\n\
                 late@reseller-a.example,Late,Invoice,Reseller A\n"
            )
            .into_bytes(),
            3,
            "malformed_csv",
        ),
        (
            "an unquoted comma adds a field",
            format!("{HEADER}{good}bad@reseller-a.example,Doe, Jane,Invoice,Reseller A\n").into_bytes(),
            3,
            "malformed_csv",
        ),
        (
            "a field short",
            format!("{HEADER}{good}bad@reseller-a.example,Invoice,Reseller A\n").into_bytes(),
            3,
            "malformed_csv",
        ),
        (
            "missing column",
            b"email,name,legacy_role\nx@reseller-a.example,X,Invoice\n".to_vec(),
            1,
            "wrong_header",
        ),
        (
            "extra column",
            b"email,name,legacy_role,organization,phone\nx@reseller-a.example,X,Invoice,Reseller A,1\n".to_vec(),
            1,
            "wrong_header",
        ),
        (
            "renamed column",
            format!("mail,name,legacy_role,organization\n{good}").into_bytes(),
            1,
            "wrong_header",
        ),
        ("no header, data only", good.as_bytes().to_vec(), 1, "wrong_header"),
        ("empty file", Vec::new(), 1, "empty_file"),
        ("blank lines only", b"\n\r\n  \n".to_vec(), 1, "empty_file"),
        ("header only", HEADER.as_bytes().to_vec(), 2, "no_rows"),
        (
            "Latin-1 bytes",
            [
                format!("{HEADER}{good}").as_bytes(),
                b"jose@reseller-a.example,Jos\xe9,Invoice,Reseller A\n",
            ]
            .concat(),
            3,
            "not_utf8",
        ),
    ];
    for (what, bytes, line, code) in cases {
        for dry_run in [false, true] {
            let r = import_as(&app, &admin_a, t.reseller_a, bytes.clone(), dry_run).await;
            let found = problems(&r);
            assert!(
                found.contains(&problem(line, "file", code)),
                "{what} (dry run: {dry_run}): want line {line} {code}, got {found:?}: {}",
                r.text
            );
        }
    }
    assert_eq!(
        all_emails(&app, t.reseller_a).await,
        vec!["admin@reseller-a.example"],
        "no malformed file wrote anything"
    );
});

both_backends!(a_repeated_header_column_is_a_wrong_header, |app| async move {
    // Five columns where the import takes exactly four: `email` twice. Which one
    // would hold the address is anyone's guess, so the file must be refused.
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let csv = "email,name,legacy_role,organization,email\n\
               x@reseller-a.example,X,Invoice,Reseller A,y@reseller-a.example\n";
    for dry_run in [true, false] {
        let r = import_as(&app, &admin_a, t.reseller_a, csv, dry_run).await;
        assert_eq!(
            problems(&r),
            BTreeSet::from([problem(1, "file", "wrong_header")]),
            "dry run: {dry_run}"
        );
    }
    assert_eq!(all_emails(&app, t.reseller_a).await, vec!["admin@reseller-a.example"]);
});

both_backends!(import_takes_csv_only_and_admins_only_in_scope, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let (_, viewer_a) = app.operator(
        t.reseller_a,
        "viewer@reseller-a.example",
        &[Role::Viewer, Role::Billing],
    );
    let csv = format!("{HEADER}x@reseller-a.example,X,Invoice,Reseller A\n");
    let operators = app.as_(&admin_a).operators();
    let send = |content_type: Option<&'static str>| {
        let mut req = operators.import_request(t.reseller_a, "").body(csv.clone());
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        operators.send(req)
    };
    for ct in [Some("application/json"), Some("text/plain"), None] {
        let r = send(ct).await;
        assert_eq!(r.status, 415, "{ct:?}: {}", r.text);
        assert_eq!(r.code(), Some("unsupported_media_type"));
    }
    let r = import_as(&app, &viewer_a, t.reseller_a, csv.clone(), false).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.code(), Some("forbidden"));
    let r = import_as(&app, &viewer_a, t.reseller_a, csv.clone(), true).await;
    assert_eq!(r.status, 403, "a viewer cannot even dry-run: {}", r.text);

    // Reseller B is out of reseller A's scope: 404 like a random id.
    let csv_b = format!("{HEADER}x@reseller-b.example,X,Invoice,Reseller B\n");
    let hidden = import_as(&app, &admin_a, t.reseller_b, csv_b.clone(), false).await;
    let absent = import_as(&app, &admin_a, Uuid::now_v7(), csv_b.clone(), false).await;
    assert_eq!(hidden.status, 404, "{}", hidden.text);
    assert_eq!(hidden.text, absent.text);
    let hidden = import_as(&app, &admin_a, t.reseller_b, csv_b, true).await;
    assert_eq!(hidden.status, 404, "dry run: {}", hidden.text);

    // Naming reseller B (by id) in a row of an import into reseller A is a row error.
    let sneaky = format!(
        "{HEADER}x@reseller-a.example,X,Invoice,Reseller A\ny@reseller-b.example,Y,TenantAdmin,{}\n",
        t.reseller_b
    );
    let r = import_as(&app, &admin_a, t.reseller_a, sneaky, false).await;
    assert_eq!(
        problems(&r),
        BTreeSet::from([problem(3, "organization", "organization_not_found")])
    );

    let r = app
        .as_(&admin_a)
        .operators()
        .import(t.reseller_a, csv, "?dry_run=maybe")
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.error_field(), Some("dry_run"));

    assert!(all_emails(&app, t.reseller_b).await.is_empty(), "nothing in reseller B");
    let mut listed = all_emails(&app, t.reseller_a).await;
    listed.sort();
    assert_eq!(listed, vec!["admin@reseller-a.example", "viewer@reseller-a.example"]);
});

both_backends!(a_form_upload_imports_its_file_part_like_a_csv_body, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let operators = || app.as_(&admin_a).operators();
    let csv = format!(
        "{HEADER}\
         one@reseller-a.example,One,Invoice,Reseller A\n\
         two@reseller-a.example,Two,TenantAdmin,Reseller A/Sub A\n"
    );
    let parts: [Part; 1] = [("file", Some("operators.csv"), csv.as_bytes())];
    let r = operators().import_parts(t.reseller_a, &parts, "?dry_run=true").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["rows"], 2);
    assert_eq!(all_emails(&app, t.reseller_a).await, vec!["admin@reseller-a.example"]);

    let r = operators().import_parts(t.reseller_a, &parts, "").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let created = r.body["created"].as_array().unwrap();
    assert_eq!(created.len(), 2, "{}", r.text);
    let two = operator(&app, &created[1]["operator_id"]).await;
    assert_eq!(two["email"], "two@reseller-a.example");
    assert_eq!(two["home_organization_id"], t.sub_a.to_string());
    assert_eq!(roles_of(&two), vec!["admin"]);

    // The file part is checked like a body: a bad row is named by its line.
    let bad = format!("{HEADER}three@reseller-a.example,Three,Owner,Reseller A\n");
    let r = operators()
        .import_parts(t.reseller_a, &[("file", Some("bad.csv"), bad.as_bytes())], "")
        .await;
    assert_eq!(
        problems(&r),
        BTreeSet::from([problem(2, "legacy_role", "unknown_legacy_role")])
    );
});

both_backends!(a_form_upload_is_one_file_part_and_nothing_else, |app| async move {
    let t = app.tree().await;
    let (_, admin_a) = app.operator(t.reseller_a, "admin@reseller-a.example", &[Role::Admin]);
    let operators = || app.as_(&admin_a).operators();
    let csv = format!("{HEADER}x@reseller-a.example,X,Invoice,Reseller A\n");
    let file: Part = ("file", Some("x.csv"), csv.as_bytes());
    let cases: [(&[Part], &str, &str); 3] = [
        (&[("upload", Some("x.csv"), csv.as_bytes())], "upload", "unknown_field"),
        (&[file, ("note", None, b"hello")], "note", "unknown_field"),
        (&[file, file], "file", "repeated"),
    ];
    for (parts, field, code) in cases {
        let r = operators().import_parts(t.reseller_a, parts, "").await;
        assert_eq!(r.status, 422, "{field} {code}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{}", r.text);
        assert_eq!(r.body["errors"][0]["code"], code, "{}", r.text);
    }

    // A multipart body has at least one part (RFC 2046 §5.1.1).
    let r = operators().import_parts(t.reseller_a, &[], "").await;
    assert_eq!((r.status, r.code()), (400, Some("malformed_request")), "{}", r.text);

    let no_boundary = operators()
        .import_request(t.reseller_a, "")
        .header("Content-Type", "multipart/form-data")
        .body(csv);
    let r = operators().send(no_boundary).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.code(), Some("malformed_request"));
    assert_eq!(all_emails(&app, t.reseller_a).await, vec!["admin@reseller-a.example"]);
});
