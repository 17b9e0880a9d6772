//! A private PostgreSQL server for one test, which the test may stop and
//! restart without disturbing the shared server that other tests use.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The OS user that runs the server when the test runs as root, because
/// `initdb` and `postgres` refuse to run as root.
const SERVER_USER: &str = "postgres";

/// A PostgreSQL server in a temporary folder on a free port of 127.0.0.1,
/// with trust authentication for the `postgres` role and `fsync` off. It is
/// stopped and its folder deleted on drop.
pub struct PrivatePostgres {
    folder: TempDir,
    bin: PathBuf,
    port: u16,
    /// Server options that `pg_ctl start` passes to `postgres`.
    options: String,
    /// Whether commands run as [`SERVER_USER`] through `runuser`.
    as_server_user: bool,
}

impl PrivatePostgres {
    /// Returns the folder with `initdb` and `pg_ctl`: `HAP_TEST_POSTGRES_BIN`,
    /// else the newest `/usr/lib/postgresql/<version>/bin`. Returns an error
    /// naming what to install when neither holds `initdb`, so that callers
    /// can skip.
    pub fn binaries() -> Result<PathBuf, String> {
        let bin = match std::env::var_os("HAP_TEST_POSTGRES_BIN") {
            Some(bin) => PathBuf::from(bin),
            None => newest_version_bin(Path::new("/usr/lib/postgresql")).ok_or_else(|| {
                "no /usr/lib/postgresql/<version>/bin exists; install the PostgreSQL server \
                 (Debian: apt-get install postgresql) or set HAP_TEST_POSTGRES_BIN to the \
                 folder that holds initdb and pg_ctl"
                    .to_owned()
            })?,
        };
        if bin.join("initdb").exists() {
            Ok(bin)
        } else {
            Err(format!(
                "{} does not exist; set HAP_TEST_POSTGRES_BIN to the folder that holds \
                 initdb and pg_ctl",
                bin.join("initdb").display()
            ))
        }
    }

    /// Creates a cluster with `initdb` in the folder of [`Self::binaries`]
    /// and starts it.
    ///
    /// # Panics
    ///
    /// Panics when the binaries are missing or a command fails, with its output.
    pub fn start() -> Self {
        let bin = Self::binaries().unwrap_or_else(|reason| panic!("{reason}"));
        let as_server_user = is_root();
        let folder = tempfile::Builder::new()
            .prefix("hap-postgres-")
            .tempdir()
            .unwrap_or_else(|error| panic!("creating a temporary folder failed: {error}"));
        if as_server_user {
            let owner = format!("{SERVER_USER}:{SERVER_USER}");
            let output = run(Command::new("chown").arg(&owner).arg(folder.path()));
            assert!(
                output.status.success(),
                "chown {owner} {} failed: {}",
                folder.path().display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            folder.path().display()
        );
        let server = Self {
            folder,
            bin,
            port,
            options,
            as_server_user,
        };
        let data = server.data_dir();
        server.run_tool(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
        );
        server.launch();
        server
    }

    /// URL of the server without a database name,
    /// `postgres://postgres@127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    /// Stops the server with a fast shutdown, which rolls back open
    /// transactions and ends every connection; returns once it has stopped.
    pub fn stop(&self) {
        let data = self.data_dir();
        self.run_tool("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }

    /// Starts the server on its port, the first time or after [`Self::stop`];
    /// returns once it accepts connections.
    pub fn launch(&self) {
        let data = self.data_dir();
        let log = self.log_path();
        self.run_tool(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &self.options, "-w", "start"],
        );
    }

    /// Returns the server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn data_dir(&self) -> String {
        self.folder.path().join("data").display().to_string()
    }

    fn log_path(&self) -> String {
        self.folder.path().join("server.log").display().to_string()
    }

    fn run_tool(&self, tool: &str, arguments: &[&str]) -> Output {
        let program = self.bin.join(tool);
        let mut command = if self.as_server_user {
            let mut command = Command::new("runuser");
            command.args(["-u", SERVER_USER, "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        command.args(arguments).current_dir(self.folder.path());
        let output = run(&mut command);
        if !output.status.success() {
            panic!(
                "{} {arguments:?} failed with {}: {}{}\n--- server log ---\n{}",
                program.display(),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
                self.log()
            );
        }
        output
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.data_dir();
        let program = self.bin.join("pg_ctl");
        let mut command = if self.as_server_user {
            let mut command = Command::new("runuser");
            command.args(["-u", SERVER_USER, "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        let stopped = command
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .current_dir(self.folder.path())
            .output();
        if let Err(error) = stopped {
            eprintln!("stopping the PostgreSQL server in {data} failed: {error}");
        }
    }
}

/// Runs `command` and returns its output; panics when it cannot start.
fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("running {command:?} failed: {error}"))
}

/// Returns `<root>/<version>/bin` of the highest numeric version under `root`.
fn newest_version_bin(root: &Path) -> Option<PathBuf> {
    std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or_else(|error| panic!("finding a free port failed: {error}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use diesel::{Connection, PgConnection};

    use super::*;

    #[test]
    fn stop_and_launch_restart_the_server() {
        if let Err(reason) = PrivatePostgres::binaries() {
            eprintln!("skipped: {reason}");
            return;
        }
        let server = PrivatePostgres::start();
        let url = format!("{}/postgres", server.url());
        PgConnection::establish(&url).expect("the started server accepts connections");

        server.stop();
        assert!(PgConnection::establish(&url).is_err());

        server.launch();
        PgConnection::establish(&url).expect("the launched server accepts connections");
    }

    #[test]
    fn newest_version_bin_picks_the_highest_number() {
        let root = tempfile::tempdir().unwrap();
        for name in ["9", "16", "15", "latest"] {
            std::fs::create_dir(root.path().join(name)).unwrap();
        }

        let bin = newest_version_bin(root.path());

        assert_eq!(bin, Some(root.path().join("16").join("bin")));
    }
}
