//! A PostgreSQL server of the test's own (`initdb` + `pg_ctl` in a temporary
//! folder, on a free port, password authentication), so a test may stop and
//! start it without touching the shared server. As root it runs as the
//! `postgres` system user (`initdb` refuses root). [`OwnPostgres::start`] is
//! `None`, with the reason printed, when the binaries are not installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where Debian's `postgresql-15` package puts the server binaries.
const BIN_DIRS: &[&str] = &[
    "/usr/lib/postgresql/15/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/17/bin",
];
pub const PASSWORD: &str = "own-pg-secret";

pub struct OwnPostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
}

/// Says clearly that the test did not run; under CI (`CI=true`) that fails it,
/// since CI installs PostgreSQL.
fn skip(why: String) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI must run this test: {why}"
    );
    eprintln!("SKIPPED: {why}");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl OwnPostgres {
    /// An initialised and running server, or `None` (and why, on stderr).
    pub fn start() -> Option<OwnPostgres> {
        let Some(bin) = BIN_DIRS.iter().map(PathBuf::from).find(|d| d.join("initdb").exists()) else {
            skip(format!(
                "no PostgreSQL server binaries in {BIN_DIRS:?} (install postgresql-15)"
            ));
            return None;
        };
        let dir = tempfile::Builder::new().prefix("own-pg").tempdir().expect("temp dir");
        let pg = OwnPostgres {
            bin,
            dir,
            port: super::free_port(),
        };
        if is_root() {
            let chown = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(pg.dir.path())
                .status();
            if !chown.is_ok_and(|s| s.success()) {
                skip(format!("cannot give {} to the postgres user", pg.dir.path().display()));
                return None;
            }
        }
        std::fs::write(pg.dir.path().join("pwfile"), PASSWORD).expect("password file");
        let init = pg.run(
            "initdb",
            &[
                "-D",
                &pg.data().display().to_string(),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                "--pwfile",
                &pg.dir.path().join("pwfile").display().to_string(),
            ],
        );
        if !init.status.success() {
            skip(format!("initdb failed: {}", super::text(&init.stderr)));
            return None;
        }
        if !pg.start_server() {
            skip(format!("pg_ctl start failed:\n{}", pg.log()));
            return None;
        }
        Some(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The server's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// `postgres://postgres:<password>@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        self.url_with_password(PASSWORD)
    }

    pub fn url_with_password(&self, password: &str) -> String {
        format!("postgres://postgres:{password}@127.0.0.1:{}/postgres", self.port)
    }

    /// One of the server's programs, as the `postgres` user when we are root.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        let exe = self.bin.join(program);
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        cmd.args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("a PostgreSQL program runs")
    }

    fn pg_ctl(&self, args: &[&str]) -> bool {
        let data = self.data().display().to_string();
        let mut all = vec!["-D", data.as_str()];
        all.extend(args);
        self.run("pg_ctl", &all).status.success()
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start_server(&self) -> bool {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.pg_ctl(&["-o", &options, "-l", &log, "-w", "-t", "30", "start"])
    }

    /// A fast shutdown: open connections are cut, as in a restart.
    pub fn stop_server(&self) -> bool {
        self.pg_ctl(&["-m", "fast", "-w", "stop"])
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
    }
}
