//! moto's S3 server from PyPI, started on 127.0.0.1 for one test. The
//! server comes from `HAP_MOTO_SERVER` (set by `make test` through
//! tools/install-moto-server.sh); without it the tests that need one print
//! why and pass without checking anything.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long [`MotoServer::start`] waits for the server to answer.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A moto S3 server on a free port of 127.0.0.1, stopped on drop.
pub struct MotoServer {
    child: Child,
    pub endpoint: String,
}

impl MotoServer {
    /// Starts the server named by `HAP_MOTO_SERVER`, or returns `None` after
    /// printing why the test is skipped.
    ///
    /// # Panics
    ///
    /// Panics when the server does not start or does not answer in 30 s.
    pub async fn start() -> Option<MotoServer> {
        let Some(program) = std::env::var_os("HAP_MOTO_SERVER") else {
            eprintln!(
                "skipped: HAP_MOTO_SERVER is not set; install moto's S3 server with \
                 tools/install-moto-server.sh and set HAP_MOTO_SERVER to the path it prints"
            );
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap_or_else(|error| panic!("finding a free port failed: {error}"))
            .port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("starting {program:?} failed: {error}"));
        let server = MotoServer {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + START_TIMEOUT;
        while reqwest::get(&server.endpoint).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not answer on {}",
                server.endpoint
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(server)
    }

    /// Creates a bucket; moto accepts the unsigned request.
    ///
    /// # Panics
    ///
    /// Panics when moto does not create it.
    pub async fn create_bucket(&self, bucket: &str) {
        let response = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .unwrap_or_else(|error| panic!("creating bucket {bucket} failed: {error}"));
        assert!(
            response.status().is_success(),
            "creating bucket {bucket}: {}",
            response.status()
        );
    }

    /// Returns the keys in `bucket` through the S3 API, as moto's XML listing.
    ///
    /// # Panics
    ///
    /// Panics when the listing fails.
    pub async fn list(&self, bucket: &str) -> String {
        let url = format!("{}/{bucket}?list-type=2", self.endpoint);
        let response = reqwest::get(&url)
            .await
            .unwrap_or_else(|error| panic!("GET {url} failed: {error}"));
        response
            .text()
            .await
            .unwrap_or_else(|error| panic!("reading {url} failed: {error}"))
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
