//! `partner-portal import-operators FILE` as an operator of the portal runs it: a
//! good legacy CSV imports and prints a JSON report, `--dry-run` writes nothing
//! (a later real run still creates them, and a third reports them as existing),
//! and a bad file exits non-zero naming each bad line on stderr, writing nothing.
//! On SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::path::Path;
use std::process::Output;

use persistence::backend_tests;
use persistence::Store;
use serde_json::Value;
use support::{assert_success, cli_on, run, text};

/// The JSON report a successful import prints on stdout.
fn report(out: &Output, what: &str) -> Value {
    assert_success(out, what);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}): {}", text(&out.stdout)))
}

fn emails(entries: &Value) -> Vec<String> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["email"].as_str().unwrap().to_string())
        .collect()
}

/// A database holding the demo tree (`seed --demo`).
fn seeded(dir: &Path, url: &str) -> Store {
    assert_success(&run(cli_on(dir, url).args(["seed", "--demo"])), "seed --demo");
    Store::connect(url, 1).expect("store")
}

const GOOD: &str = "email,name,legacy_role,organization\n\
    jane@fabrikam.example,Jane Doe,TenantAdmin,Contoso Cloud/Northwind Distribution/Fabrikam Reseller\n\
    John@Adatum.example,John Roe,invoice,Contoso Cloud/Northwind Distribution/Fabrikam Reseller/Adatum IT\n\
    admin@northwind.example,Already There,TenantAdmin,Contoso Cloud/Northwind Distribution\n";

backend_tests!(a_good_file_imports_and_a_dry_run_writes_nothing, |db| {
    let url = &db.url;
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(dir.path(), &db.url);
    let file = dir.path().join("legacy.csv");
    std::fs::write(&file, GOOD).unwrap();

    // Dry run: the report of what would happen, and nothing written.
    let dry = report(
        &run(cli_on(dir.path(), &db.url)
            .arg("import-operators")
            .arg("--dry-run")
            .arg(&file)),
        "dry run",
    );
    assert_eq!(dry["dry_run"], true, "{url}");
    assert_eq!(dry["rows"], 3);
    assert_eq!(
        emails(&dry["created"]),
        vec!["jane@fabrikam.example", "john@adatum.example"]
    );
    assert!(dry["created"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["operator_id"].is_null()));
    assert_eq!(emails(&dry["existing"]), vec!["admin@northwind.example"]);
    assert!(
        store.operators_by_email("jane@fabrikam.example").unwrap().is_empty(),
        "{url}"
    );
    assert!(
        store.operators_by_email("john@adatum.example").unwrap().is_empty(),
        "{url}"
    );

    // The real run creates them, invited, with the mapped roles, where the paths say.
    let real = report(
        &run(cli_on(dir.path(), &db.url).arg("import-operators").arg(&file)),
        "import",
    );
    assert_eq!(real["dry_run"], false);
    let created = real["created"].as_array().unwrap();
    assert_eq!(created.len(), 2, "{url}: {real}");
    for (entry, (email, roles, home)) in created.iter().zip([
        ("jane@fabrikam.example", "admin", "Fabrikam Reseller"),
        ("john@adatum.example", "viewer", "Adatum IT"),
    ]) {
        let found = store.operators_by_email(email).unwrap();
        assert_eq!(found.len(), 1, "{url}: {email}");
        let op = &found[0];
        assert_eq!(entry["operator_id"], op.id.to_string());
        assert_eq!(entry["organization_id"], op.home_organization_id.to_string());
        assert_eq!(op.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), vec![roles]);
        assert_eq!(op.status.as_str(), "invited");
        let org = store.organization(op.home_organization_id).unwrap().unwrap();
        assert_eq!(org.name, home);
    }
    let northwind = store.operators_by_email("admin@northwind.example").unwrap();
    assert_eq!(northwind.len(), 1, "not duplicated");
    assert_ne!(northwind[0].name, "Already There", "the existing operator is untouched");

    // Again: everything exists now.
    let again = report(
        &run(cli_on(dir.path(), &db.url).arg("import-operators").arg(&file)),
        "again",
    );
    assert_eq!(again["created"], serde_json::json!([]));
    assert_eq!(again["existing"].as_array().unwrap().len(), 3, "{url}: {again}");
    assert_eq!(store.operators_by_email("jane@fabrikam.example").unwrap().len(), 1);

    // `--organization` sets where partner paths start.
    let fabrikam = store.operators_by_email("jane@fabrikam.example").unwrap()[0].home_organization_id;
    let under = dir.path().join("under.csv");
    std::fs::write(
        &under,
        "email,name,legacy_role,organization\nkim@adatum.example,Kim,Invoice,Fabrikam Reseller/Adatum IT\n",
    )
    .unwrap();
    let r = report(
        &run(cli_on(dir.path(), &db.url)
            .arg("import-operators")
            .arg("--organization")
            .arg(fabrikam.to_string())
            .arg(&under)),
        "--organization",
    );
    assert_eq!(emails(&r["created"]), vec!["kim@adatum.example"]);
    assert_eq!(store.operators_by_email("kim@adatum.example").unwrap().len(), 1);
});

backend_tests!(a_bad_file_exits_non_zero_naming_each_line_and_writes_nothing, |db| {
    let url = &db.url;
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(dir.path(), &db.url);
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        (
            "bad rows",
            b"email,name,legacy_role,organization\n\
              good@fabrikam.example,Good,Invoice,Contoso Cloud/Northwind Distribution/Fabrikam Reseller\n\
              role@fabrikam.example,Role,Owner,Contoso Cloud/Northwind Distribution/Fabrikam Reseller\n\
              me@gmail.com,Consumer,Invoice,Contoso Cloud/Northwind Distribution/Fabrikam Reseller\n\
              where@fabrikam.example,Where,Invoice,Contoso Cloud/Nowhere\n"
                .to_vec(),
            vec!["line 3", "legacy_role", "line 4", "email", "line 5", "organization"],
        ),
        ("empty file", Vec::new(), vec!["line 1"]),
        (
            "wrong header",
            b"mail,name,role,organization\ngood@fabrikam.example,Good,Invoice,Contoso Cloud\n".to_vec(),
            vec!["line 1"],
        ),
        (
            "bad quoting",
            b"email,name,legacy_role,organization\n\
              good@fabrikam.example,Good,Invoice,Contoso Cloud\n\
              bad@fabrikam.example,\"Bad,Invoice,Contoso Cloud\n"
                .to_vec(),
            vec!["line 3"],
        ),
        (
            "Latin-1",
            b"email,name,legacy_role,organization\n\
              good@fabrikam.example,Good,Invoice,Contoso Cloud\n\
              jose@fabrikam.example,Jos\xe9,Invoice,Contoso Cloud\n"
                .to_vec(),
            vec!["line 3"],
        ),
    ];
    for (what, bytes, needles) in cases {
        let file = dir.path().join("bad.csv");
        std::fs::write(&file, bytes).unwrap();
        for dry_run in [false, true] {
            let mut cmd = cli_on(dir.path(), &db.url);
            cmd.arg("import-operators");
            if dry_run {
                cmd.arg("--dry-run");
            }
            let out = run(cmd.arg(&file));
            let err = text(&out.stderr);
            assert!(!out.status.success(), "{url} {what}: must fail; stderr: {err}");
            assert!(out.stdout.is_empty(), "{url} {what}: no report: {}", text(&out.stdout));
            for needle in &needles {
                assert!(err.contains(needle), "{url} {what}: stderr names {needle:?}: {err}");
            }
        }
    }
    assert!(
        store.operators_by_email("good@fabrikam.example").unwrap().is_empty(),
        "{url}: the good rows of bad files were not written"
    );

    let out = run(cli_on(dir.path(), &db.url).args(["import-operators", "no-such-file.csv"]));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no-such-file.csv"), "{}", text(&out.stderr));
});

backend_tests!(the_command_exits_cleanly_every_time, |db| {
    let url = &db.url;
    // A script runs the import many times (one file per partner, say): each run must
    // exit 0 with its report, never die at exit (SIGSEGV/SIGABRT) after printing it.
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path(), &db.url);
    let file = dir.path().join("legacy.csv");
    std::fs::write(&file, GOOD).unwrap();
    let mut crashes = Vec::new();
    for run_no in 0..40 {
        let out = run(cli_on(dir.path(), &db.url)
            .arg("import-operators")
            .arg("--dry-run")
            .arg(&file));
        if !out.status.success() {
            crashes.push(format!(
                "run {run_no}: {} (report printed: {})",
                out.status,
                !out.stdout.is_empty()
            ));
        }
    }
    assert!(
        crashes.is_empty(),
        "{url}: {} of 40 runs failed: {crashes:#?}",
        crashes.len()
    );
});
