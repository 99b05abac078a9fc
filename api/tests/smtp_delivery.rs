//! Mail over SMTP, to a real server the test starts (Python's `aiosmtpd`, which
//! `.ci/run` installs into `.venv`; the test is reported as ignored when it is
//! not installed, through libtest-mimic, which decides that at run time). `partner-portal serve` with `SMTP_URL` delivers a pending
//! customer's activation mail there; the link in the mail that arrived works, and
//! the customer becomes active with its master admin.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::json;
use support::{curl, files_in, free_port, json_of, link_in, token, wait_for, Server, ADMIN};

fn python() -> Option<PathBuf> {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    let found = Command::new(&python)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    found.then_some(python)
}

/// aiosmtpd storing what it receives in a Maildir; killed when dropped.
struct SmtpServer(Child);

impl SmtpServer {
    fn start(python: &Path, port: u16, maildir: &Path) -> SmtpServer {
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        wait_for("aiosmtpd to listen", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        });
        SmtpServer(child)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let python = python();
    let missing = python.is_none();
    if missing {
        eprintln!("aiosmtpd is not installed in .venv (bash .ci/run python installs it): the SMTP test is ignored");
    }
    let trial = libtest_mimic::Trial::test("the_activation_mail_arrives_over_smtp_and_its_link_works", move || {
        if let Some(python) = python {
            the_activation_mail_arrives_over_smtp_and_its_link_works(&python);
        }
        Ok(())
    })
    .with_ignored_flag(missing);
    libtest_mimic::run(&args, vec![trial]).exit();
}

fn the_activation_mail_arrives_over_smtp_and_its_link_works(python: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("smtp-received");
    let smtp_port = free_port();
    let _smtp = SmtpServer::start(python, smtp_port, &maildir);

    let bind = format!("127.0.0.1:{}", free_port());
    let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    let mut server = Server::start(
        dir.path(),
        &bind,
        &[
            ("SMTP_URL", &smtp_url),
            ("MAIL_FROM", "Contoso Portal <portal@contoso-cloud.example>"),
        ],
    );
    let base = server.base.clone();
    let admin = token(dir.path(), &bind, ADMIN);
    let (_, me) = curl("GET", &format!("{base}/v1/me"), Some(&admin), None);
    let root = json_of(&me)["home_organization_id"].as_str().unwrap().to_string();

    let (status, org) = curl(
        "POST",
        &format!("{base}/v1/organizations"),
        Some(&admin),
        Some(&json!({"parent_id": root, "kind": "partner", "name": "Fabrikam Reseller"})),
    );
    assert_eq!(status, 201, "{org}");
    let partner = json_of(&org)["id"].as_str().unwrap().to_string();
    let (status, org) = curl(
        "POST",
        &format!("{base}/v1/organizations"),
        Some(&admin),
        Some(
            &json!({"parent_id": partner, "kind": "customer", "name": "Alpine Ski House",
                     "primary_domain": "alpineskihouse.onmicrosoft.com"}),
        ),
    );
    assert_eq!(status, 201, "{org}");
    let customer = json_of(&org)["id"].as_str().unwrap().to_string();
    let (status, sent) = curl(
        "POST",
        &format!("{base}/v1/organizations/{customer}/activation-link"),
        Some(&admin),
        Some(&json!({"email": "it@alpineskihouse.example"})),
    );
    assert_eq!(status, 200, "{sent}");

    // Arrived at the SMTP server, from MAIL_FROM, to the contact.
    let mail = wait_for("the mail at the SMTP server", || {
        files_in(&maildir.join("new")).into_iter().next()
    });
    assert!(mail.contains("To: it@alpineskihouse.example"), "{mail}");
    assert!(mail.contains("portal@contoso-cloud.example"), "{mail}");
    assert!(
        mail.contains("Subject: Activate Alpine Ski House on the partner portal"),
        "{mail}"
    );
    assert!(mail.contains("X-RcptTo: it@alpineskihouse.example"), "{mail}");

    // Its link works.
    let link = link_in(&mail).unwrap_or_else(|| panic!("no link in {mail}"));
    let (status, what) = curl("GET", &link, None, None);
    assert_eq!(status, 200, "{what}");
    assert_eq!(json_of(&what)["kind"], "customer");
    let (status, accepted) = curl(
        "POST",
        &link,
        None,
        Some(&json!({"name": "Kim Abercrombie", "email": "kim@alpineskihouse.example"})),
    );
    assert_eq!(status, 200, "{accepted}");
    let (_, org) = curl(
        "GET",
        &format!("{base}/v1/organizations/{customer}"),
        Some(&admin),
        None,
    );
    assert_eq!(json_of(&org)["status"], "active", "{org}");
    let (_, users) = curl(
        "GET",
        &format!("{base}/v1/customers/{customer}/users"),
        Some(&admin),
        None,
    );
    assert_eq!(json_of(&users)["items"][0]["master_admin"], true, "{users}");

    // Delivered once, and recorded as sent.
    server.stop();
    let logs = server.output();
    assert!(
        logs.contains(&format!("mail worker started: SMTP server 127.0.0.1:{smtp_port}")),
        "{logs}"
    );
    assert_eq!(logs.matches("mail delivered").count(), 1, "{logs}");
    assert_eq!(files_in(&maildir.join("new")).len(), 1);
    let token = link.rsplit('/').next().unwrap();
    assert!(!logs.contains(token), "the server's output shows the token");
}
