//! Build script shared by the crates with PostgreSQL tests: `cfg(test_database)`
//! when `TEST_DATABASE_URL` is set, so tests that need it are ignored (and said
//! so) rather than passed when it is not.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(test_database)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        println!("cargo::rustc-cfg=test_database");
    }
}
