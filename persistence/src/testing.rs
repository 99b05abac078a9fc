//! Throwaway databases for tests, one per test so tests run in parallel: a fresh
//! SQLite file, or a fresh schema in the PostgreSQL database named by
//! `TEST_DATABASE_URL` (selected through `search_path` in the connection URL).
//!
//! PostgreSQL tests are ignored, not passed, when they cannot run: the build
//! script `test_database_cfg.rs` sets `cfg(test_database)` when
//! `TEST_DATABASE_URL` is set, and [`backend_tests!`](crate::backend_tests) and
//! PostgreSQL-only tests carry `#[cfg_attr(not(test_database), ignore = …)]`.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use uuid::Uuid;

pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

impl TestDatabase {
    pub fn new(backend: TestBackend) -> Self {
        match backend {
            TestBackend::Sqlite => Self::sqlite(),
            TestBackend::Postgres => Self::postgres(),
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot create a temp dir: {e}"));
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self {
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// Panics when `TEST_DATABASE_URL` is unset or unreachable: a test that gets
    /// here was built to run on PostgreSQL, and must fail rather than pass.
    pub fn postgres() -> Self {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| panic!("{NO_TEST_DATABASE}; this test binary was built with it, so it must run"));
        let schema = format!("t_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}"));
        conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap_or_else(|e| panic!("cannot create test schema: {e}"));
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
        Self {
            url,
            cleanup: Cleanup::Postgres { admin_url, schema },
        }
    }
}

/// Why a PostgreSQL test is ignored (the reason `cargo test` prints).
pub const NO_TEST_DATABASE: &str = "TEST_DATABASE_URL is not set (PostgreSQL)";

/// A test body on both backends, as two tests `NAME::sqlite` and
/// `NAME::postgres`; the PostgreSQL one is ignored when the crate was built
/// without `TEST_DATABASE_URL` (the crate needs the `test_database_cfg.rs` build
/// script).
#[macro_export]
macro_rules! backend_tests {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let $db = $crate::testing::TestDatabase::sqlite();
                $body
            }

            #[test]
            #[cfg_attr(not(test_database), ignore = "TEST_DATABASE_URL is not set (PostgreSQL)")]
            fn postgres() {
                let $db = $crate::testing::TestDatabase::postgres();
                $body
            }
        }
    };
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// Kills, from another connection, the PostgreSQL server process behind one of
/// `store`'s pooled connections (as a server restart would), leaving the pool
/// unaware: the next statement on it finds it dead. Does nothing on SQLite.
pub fn kill_connection(store: &crate::Store, url: &str) -> Result<(), crate::StoreError> {
    store.kill_connection(url)
}
