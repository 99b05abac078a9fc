//! `serve` processes sharing one database, as replicas behind a balancer would.

use super::{assert_success, cli_on, free_port, run, text, Server, ADMIN};

/// A server in its own folder (its own signing key) on the database at `url`,
/// with a token for the demo admin.
pub struct Replica {
    pub dir: tempfile::TempDir,
    pub bind: String,
    pub server: Server,
    pub token: String,
    env: Vec<(String, String)>,
}

impl Replica {
    pub fn start(url: &str) -> Replica {
        Self::start_with(url, &[])
    }

    /// [`Replica::start`] with more environment for `serve`.
    pub fn start_with(url: &str, env: &[(&str, &str)]) -> Replica {
        let dir = tempfile::tempdir().expect("temp dir");
        let bind = format!("127.0.0.1:{}", free_port());
        let env: Vec<(String, String)> = [("DATABASE_URL", url), ("RUST_LOG", "info")]
            .iter()
            .chain(env)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let server = serve(&dir, &bind, &env);
        let out = run(cli_on(dir.path(), url)
            .env("BIND", &bind)
            .args(["token", "--email", ADMIN]));
        assert_success(&out, "token");
        let token = text(&out.stdout).trim().to_string();
        Replica {
            dir,
            bind,
            server,
            token,
            env,
        }
    }

    /// Starts again in the same folder and on the same address.
    pub fn restart(&mut self) {
        self.server = serve(&self.dir, &self.bind, &self.env);
    }
}

fn serve(dir: &tempfile::TempDir, bind: &str, env: &[(String, String)]) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Server::start(dir.path(), bind, &env)
}
