//! The test harness: the real server on a free port, in-process, over a fresh
//! database, with typed helpers so a test reads like the rule it checks:
//! `app.as_(&token).organizations().children(id, "?kind=customer")` (the
//! clients in `clients.rs`, every path in [`paths`]). Every answer passes one
//! check: a problem's `code` must be documented for its operation
//! (`documented.rs`; on by default).

use std::net::TcpListener;
use std::path::PathBuf;

use api::config::Config;
use clap::Parser;
use domain::OperatorStatus;
use domain::{DisplayName, PrincipalKind, Role, RoleSet, WorkEmail};
use persistence::testing::{TestBackend, TestDatabase};
use persistence::{Actor, AuditEntry, NewOperator, Store};
use serde_json::{json, Value};
use uuid::Uuid;

pub use persistence::testing::TestBackend as Backend;

mod clients;
mod documented;
pub mod paths;
pub mod receiver;

pub use clients::*;

/// Parses a config the way the binary does, from flags only.
#[derive(Parser)]
struct ConfigOnly {
    #[command(flatten)]
    config: Config,
}

pub const IDP_ISSUER: &str = "https://login.example-idp.test/tenant/v2.0";
pub const IDP_AUDIENCE: &str = "api://partner-portal";
pub const IDP_KID: &str = "test-idp-key-1";

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub root: Uuid,
    pub admin_token: String,
    pub config: Config,
    /// The server's clock: [`TestApp::advance_clock`] moves it.
    pub clock: api::clock::Clock,
    /// The server's export slots (a test may hold them all).
    pub exports: api::csv_export::ExportSlots,
    keys: api::auth::SigningKeys,
    client: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
    _data: tempfile::TempDir,
    _db: TestDatabase,
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

impl TestApp {
    /// Panics on PostgreSQL without `TEST_DATABASE_URL` (see [`both_backends!`]).
    pub async fn spawn(backend: TestBackend) -> TestApp {
        Self::spawn_with(backend, &[]).await
    }

    /// [`TestApp::spawn`] with more configuration flags (e.g.
    /// `--webhook-allow-private-targets`).
    pub async fn spawn_with(backend: TestBackend, flags: &[&str]) -> TestApp {
        let db = TestDatabase::new(backend);
        let data = tempfile::tempdir().expect("temp dir");
        let listener = TcpListener::bind("127.0.0.1:0").expect("free port");
        let addr = listener.local_addr().expect("local addr");
        let (bind, data_dir, jwks) = (
            addr.to_string(),
            data.path().display().to_string(),
            fixture("idp-jwks.json").display().to_string(),
        );
        let defaults = [
            ("--database-url", db.url.as_str()),
            ("--bind", &bind),
            ("--data-dir", &data_dir),
            ("--db-pool-size", "4"),
            ("--workers", "1"),
            ("--max-body-bytes", "16384"),
            ("--oidc-issuer", IDP_ISSUER),
            ("--oidc-audience", IDP_AUDIENCE),
            ("--oidc-jwks-path", &jwks),
            // Budgets no test meets by accident; rate-limit tests set small ones.
            ("--rate-limit-per-minute", "1000000"),
            ("--public-rate-limit-per-minute", "1000000"),
        ];
        // A flag the test gives replaces its default.
        let args = std::iter::once("test")
            .chain(
                defaults
                    .iter()
                    .filter(|(name, _)| !flags.contains(name))
                    .flat_map(|(name, value)| [*name, *value]),
            )
            .chain(flags.iter().copied());
        let config = ConfigOnly::parse_from(args).config;
        let store = api::startup::open_store(&config, true).expect("store");
        api::startup::bootstrap(&store, &config).expect("bootstrap");
        let root = store.root().expect("root").expect("a root").id;
        let state = api::startup::app_state(&config, store.clone()).expect("state");
        let clock = state.clock.clone();
        let exports = state.exports.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = api::app::run(state, listener).expect("server");
                tx.send(server.handle()).expect("send handle");
                server.await
            })
        });
        let handle = rx.recv().expect("server handle");
        let keys = api::auth::SigningKeys::load_or_generate(&config).expect("keys");
        let admin = store
            .operators_by_email(&config.bootstrap_admin_email)
            .expect("admin")
            .pop()
            .expect("bootstrap admin");
        let admin_token =
            api::auth::access_token(&keys, &config.issuer(), admin.id, PrincipalKind::Operator, 600).expect("token");
        TestApp {
            base: format!("http://{addr}"),
            store,
            root,
            admin_token,
            config,
            clock,
            exports,
            keys,
            client: reqwest::Client::new(),
            handle,
            _data: data,
            _db: db,
        }
    }

    /// Moves the server's clock `secs` seconds forward (expiry without sleeping).
    pub fn advance_clock(&self, secs: i64) {
        self.clock.advance(secs);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A token the API itself would sign for this operator.
    pub fn token_for(&self, operator: Uuid) -> String {
        api::auth::access_token(
            &self.keys,
            &self.config.issuer(),
            operator,
            PrincipalKind::Operator,
            600,
        )
        .expect("token")
    }

    pub fn signing_keys(&self) -> &api::auth::SigningKeys {
        &self.keys
    }

    /// Adds an active operator directly in the store and returns (id, token).
    pub fn operator(&self, org: Uuid, email: &str, roles: &[Role]) -> (Uuid, String) {
        let id = self
            .store
            .add_operator(
                &NewOperator {
                    home_organization_id: org,
                    email: WorkEmail::parse(email, "email").expect("work email"),
                    name: DisplayName::parse(email).expect("display name"),
                    roles: RoleSet::new(roles.iter().copied()),
                    status: OperatorStatus::Active,
                },
                &AuditEntry::by(Actor::System),
            )
            .expect("operator");
        (id, self.token_for(id))
    }

    /// Disables an operator through the API, as the provider's admin.
    pub async fn disable_operator(&self, id: Uuid) {
        let r = self.admin().operators().disable(id).await;
        assert_eq!(r.status, 200, "disable: {}", r.text);
    }

    /// Re-enables an operator through the API, as the provider's admin.
    pub async fn enable_operator(&self, id: Uuid) {
        let r = self.admin().operators().enable(id).await;
        assert_eq!(r.status, 200, "enable: {}", r.text);
    }

    /// Replaces an operator's roles through the API, as the provider's admin.
    pub async fn set_roles(&self, id: Uuid, roles: &[Role]) {
        let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        let r = self
            .admin()
            .operators()
            .update(id, json!({ "roles": roles }), None)
            .await;
        assert_eq!(r.status, 200, "set roles: {}", r.text);
    }

    /// Sends a request and reads the response whole; a problem answer must be
    /// documented for its operation (`documented.rs`).
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let (client, req) = req.build_split();
        let req = req.expect("request");
        let method = req.method().as_str().to_owned();
        let path = req.url().path().to_owned();
        let res = client.execute(req).await.expect("request");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        let content_type = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        documented::check(&method, &path, status, content_type, &body);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    /// The HTTP client the typed clients send with.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Creates an organisation as `token` and returns its id (asserting 201).
    pub async fn create(&self, token: &str, parent: Uuid, kind: &str, name: &str) -> Uuid {
        let mut body = json!({"parent_id": parent, "kind": kind, "name": name});
        if kind == "customer" {
            let prefix: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            body["primary_domain"] = json!(format!(
                "{}{}.onmicrosoft.com",
                prefix.to_lowercase(),
                &Uuid::new_v4().simple().to_string()[..6]
            ));
        }
        let r = self.as_(token).organizations().create(body).await;
        assert_eq!(r.status, 201, "create {name}: {}", r.text);
        r.id()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        // Stop the server (and so its pool) before the database goes away.
        let _ = std::thread::spawn(move || futures_executor(handle.stop(false))).join();
    }
}

fn futures_executor<F: std::future::Future>(f: F) -> F::Output {
    actix_web::rt::System::new().block_on(f)
}

/// Runs two requests at once (races).
pub async fn join2<A: std::future::Future, B: std::future::Future>(a: A, b: B) -> (A::Output, B::Output) {
    tokio::join!(a, b)
}

/// Runs many requests at once (races) and returns their outputs in order.
pub async fn join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    futures_util::future::join_all(futures).await
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn id(&self) -> Uuid {
        self.body["id"]
            .as_str()
            .and_then(|s| Uuid::try_parse(s).ok())
            .unwrap_or_else(|| panic!("no id in {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// The `field` of the first entry of a problem's `errors`.
    pub fn error_field(&self) -> Option<&str> {
        self.body["errors"][0]["field"].as_str()
    }

    pub fn code(&self) -> Option<&str> {
        self.body["code"].as_str()
    }

    /// Names (or ids) of a list's items.
    pub fn names(&self) -> Vec<String> {
        self.body["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|i| i["name"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

/// The demo-like tree most tests start from:
///
/// ```text
/// root (provider)
/// ├── dist (distributor)
/// │   ├── reseller_a (partner)
/// │   │   ├── sub_a (partner)
/// │   │   │   └── customer_a2
/// │   │   └── customer_a
/// │   └── reseller_b (partner)
/// │       └── customer_b
/// ```
pub struct Tree {
    pub dist: Uuid,
    pub reseller_a: Uuid,
    pub sub_a: Uuid,
    pub customer_a: Uuid,
    pub customer_a2: Uuid,
    pub reseller_b: Uuid,
    pub customer_b: Uuid,
}

impl TestApp {
    /// Adds services to the catalogue as the provider's admin: (key, regions),
    /// each launched at `https://<key>.example/launch`.
    pub async fn catalogue(&self, services: &[(&str, &[&str])]) {
        for (key, regions) in services {
            let body = json!({
                "key": key,
                "name": key,
                "launch_url": format!("https://{key}.example/launch"),
                "regions": regions,
            });
            let r = self.admin().post("/v1/services", body).await;
            assert_eq!(r.status, 201, "catalogue {key}: {}", r.text);
        }
    }

    pub async fn tree(&self) -> Tree {
        let t = &self.admin_token;
        let dist = self.create(t, self.root, "distributor", "Northwind Distribution").await;
        let reseller_a = self.create(t, dist, "partner", "Reseller A").await;
        let sub_a = self.create(t, reseller_a, "partner", "Sub A").await;
        let customer_a = self.create(t, reseller_a, "customer", "Customer A").await;
        let customer_a2 = self.create(t, sub_a, "customer", "Customer A2").await;
        let reseller_b = self.create(t, dist, "partner", "Reseller B").await;
        let customer_b = self.create(t, reseller_b, "customer", "Customer B").await;
        Tree {
            dist,
            reseller_a,
            sub_a,
            customer_a,
            customer_a2,
            reseller_b,
            customer_b,
        }
    }
}

/// Runs a test body on SQLite and on PostgreSQL, whose test is ignored when the
/// crate was built without `TEST_DATABASE_URL`:
/// `both_backends!(name, |app| async move { ... });`, or with configuration
/// flags: `both_backends!(name, flags = ["--flag"], |app| async move { ... });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$app:ident| $body:expr) => {
        $crate::both_backends!($name, flags = [], |$app| $body);
    };
    ($name:ident, flags = [$($flag:expr),*], |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::TestApp::spawn_with($crate::Backend::Sqlite, &[$($flag),*]).await;
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
            async fn postgres() {
                let $app = $crate::TestApp::spawn_with($crate::Backend::Postgres, &[$($flag),*]).await;
                $body.await
            }
        }
    };
}
