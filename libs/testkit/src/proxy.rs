//! A TCP proxy between a service and a server that a test can cut, blackhole
//! or slow down at run time, to reproduce network faults and server restarts.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Size of the buffer each direction of a connection reads into. A slowed
/// proxy delays each read of up to this many bytes.
const CHUNK_SIZE: usize = 16 * 1024;

/// Forwarding behaviour of a [`Proxy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyMode {
    /// Forwards bytes in both directions as they arrive.
    Forward,
    /// Closes every open connection and closes each new one as soon as it is
    /// accepted, which clients see as a server that went away.
    Cut,
    /// Accepts connections but forwards nothing, in either direction, until
    /// the mode changes: a network partition. Bytes already sent wait in the
    /// socket buffers and flow on after [`Proxy::restore`], as TCP delivers
    /// them after a partition heals.
    Blackhole,
    /// Forwards each chunk read from either side after this delay.
    Slow(Duration),
}

/// Mode of a proxy and the number of cuts so far. Connections compare the
/// count with the one at their start, so a cut closes them even when the
/// proxy is restored before they observe the cut mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    mode: ProxyMode,
    cuts: u64,
}

/// A TCP proxy listening on `127.0.0.1` at a free port and forwarding to a
/// target address. It runs on the Tokio runtime that started it; dropping
/// it stops listening and closes every connection.
#[derive(Debug)]
pub struct Proxy {
    address: SocketAddr,
    target: String,
    state: watch::Sender<State>,
    open: Arc<AtomicUsize>,
    accept_task: JoinHandle<()>,
}

impl Proxy {
    /// Starts a proxy to `target` (`host:port`) in [`ProxyMode::Forward`].
    /// The target is resolved on each new connection, so it need not be up
    /// yet. Must be called inside a Tokio runtime.
    pub async fn start(target: impl Into<String>) -> io::Result<Proxy> {
        let target = target.into();
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (state, _) = watch::channel(State {
            mode: ProxyMode::Forward,
            cuts: 0,
        });
        let open = Arc::new(AtomicUsize::new(0));
        let accept_task = tokio::spawn(accept(
            listener,
            target.clone(),
            state.clone(),
            Arc::clone(&open),
        ));
        Ok(Proxy {
            address,
            target,
            state,
            open,
            accept_task,
        })
    }

    /// Address that clients connect to instead of the target.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Address the proxy forwards to.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Current mode.
    pub fn mode(&self) -> ProxyMode {
        self.state.borrow().mode
    }

    /// Returns the number of client connections open through the proxy.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Closes every open connection, dropping any bytes a blackhole held
    /// back, and closes new ones at once.
    pub fn cut(&self) {
        self.set(ProxyMode::Cut);
    }

    /// Stops forwarding on every connection, open and new, without closing any.
    pub fn blackhole(&self) {
        self.set(ProxyMode::Blackhole);
    }

    /// Delays each chunk read from either side by `latency`.
    pub fn slow(&self, latency: Duration) {
        self.set(ProxyMode::Slow(latency));
    }

    /// Forwards traffic again. Connections held by a blackhole resume where
    /// they stopped; connections closed by a cut stay closed.
    pub fn restore(&self) {
        self.set(ProxyMode::Forward);
    }

    fn set(&self, mode: ProxyMode) {
        self.state.send_modify(|state| {
            state.mode = mode;
            if mode == ProxyMode::Cut {
                state.cuts += 1;
            }
        });
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept_task.abort();
        // The aborted accept task keeps a sender until it is dropped, so the
        // mode is set to a cut to close the connections at once.
        self.set(ProxyMode::Cut);
    }
}

async fn accept(
    listener: TcpListener,
    target: String,
    state: watch::Sender<State>,
    open: Arc<AtomicUsize>,
) {
    loop {
        let client = match listener.accept().await {
            Ok((client, _)) => client,
            Err(error) => {
                // Accept fails on resource limits (EMFILE); waiting lets
                // connections close before the next try.
                eprintln!("proxy to {target}: accepting a connection failed: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let current = *state.borrow();
        if current.mode == ProxyMode::Cut {
            drop(client);
            continue;
        }
        let watch = Watch {
            state: state.subscribe(),
            cuts: current.cuts,
        };
        let guard = OpenGuard::new(Arc::clone(&open));
        tokio::spawn(serve(client, target.clone(), watch, guard));
    }
}

/// A connection's view of the proxy state: the state, and the number of cuts
/// when the connection was accepted.
#[derive(Clone)]
struct Watch {
    state: watch::Receiver<State>,
    cuts: u64,
}

impl Watch {
    /// Waits until the mode is not a blackhole; returns `false` when the
    /// connection was cut meanwhile or the proxy was dropped.
    async fn wait_while_blackholed(&mut self) -> bool {
        let cuts = self.cuts;
        match self
            .state
            .wait_for(|state| state.cuts != cuts || state.mode != ProxyMode::Blackhole)
            .await
        {
            Ok(state) => state.cuts == cuts,
            Err(_) => false,
        }
    }

    /// Completes when the connection is cut or the proxy dropped.
    async fn wait_for_cut(&mut self) {
        let cuts = self.cuts;
        let _ = self.state.wait_for(|state| state.cuts != cuts).await;
    }

    /// Returns the current mode, or `Cut` once the connection was cut.
    fn mode(&mut self) -> ProxyMode {
        let state = *self.state.borrow_and_update();
        if state.cuts == self.cuts {
            state.mode
        } else {
            ProxyMode::Cut
        }
    }
}

/// Counts a connection as open until dropped.
struct OpenGuard(Arc<AtomicUsize>);

impl OpenGuard {
    fn new(open: Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::SeqCst);
        Self(open)
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Forwards one client connection until either side closes it or the proxy
/// is cut. Returning drops both sockets, which closes them.
async fn serve(client: TcpStream, target: String, mut watch: Watch, _guard: OpenGuard) {
    // A connection accepted during a blackhole waits before it reaches the
    // target, as a SYN would during a partition (the kernel has already
    // completed the handshake with the client).
    if !watch.wait_while_blackholed().await {
        return;
    }
    let server = match TcpStream::connect(&target).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("proxy to {target}: connecting to the target failed: {error}");
            return;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);

    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let upstream = pump(client_read, server_write, watch.clone());
    let downstream = pump(server_read, client_write, watch.clone());
    tokio::select! {
        _ = async { tokio::try_join!(upstream, downstream) } => {}
        () = watch.wait_for_cut() => {}
    }
}

/// Copies one direction, chunk by chunk, obeying the mode before each write.
/// On end of stream it shuts down the writing side, so half-closed
/// connections behave as without the proxy.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut watch: Watch) -> io::Result<()> {
    let mut buffer = vec![0; CHUNK_SIZE];
    loop {
        let read = from.read(&mut buffer).await?;
        if read == 0 {
            to.shutdown().await?;
            return Ok(());
        }
        let mut current = watch.mode();
        if current == ProxyMode::Blackhole {
            if !watch.wait_while_blackholed().await {
                return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "cut"));
            }
            current = watch.mode();
        }
        match current {
            ProxyMode::Forward => {}
            ProxyMode::Slow(latency) => tokio::time::sleep(latency).await,
            ProxyMode::Blackhole | ProxyMode::Cut => {
                return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "cut"));
            }
        }
        to.write_all(&buffer[..read]).await?;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::time::Instant;

    use super::*;

    /// Wait that a healthy loopback round trip finishes well within.
    const PROMPT: Duration = Duration::from_secs(5);
    /// Wait after which a held message counts as not forwarded.
    const HELD: Duration = Duration::from_millis(300);

    /// Starts a server that echoes every connection, and returns its address.
    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut read, mut write) = stream.split();
                    let _ = tokio::io::copy(&mut read, &mut write).await;
                });
            }
        });
        address
    }

    async fn round_trip(stream: &mut TcpStream, message: &[u8]) -> io::Result<Vec<u8>> {
        stream.write_all(message).await?;
        let mut echoed = vec![0; message.len()];
        stream.read_exact(&mut echoed).await?;
        Ok(echoed)
    }

    /// Returns true when the peer closed or reset `stream` within [`PROMPT`].
    async fn closed_by_peer(stream: &mut TcpStream) -> bool {
        let mut byte = [0; 1];
        match tokio::time::timeout(PROMPT, stream.read(&mut byte)).await {
            Ok(Ok(0)) | Ok(Err(_)) => true,
            Ok(Ok(_)) | Err(_) => false,
        }
    }

    async fn proxy_to_echo() -> Proxy {
        Proxy::start(echo_server().await.to_string()).await.unwrap()
    }

    #[tokio::test]
    async fn forward_echoes_both_ways() {
        let proxy = proxy_to_echo().await;
        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        let large = vec![7u8; 3 * CHUNK_SIZE + 5];
        let echoed = tokio::time::timeout(PROMPT, round_trip(&mut stream, &large))
            .await
            .expect("the echo arrives")
            .unwrap();
        assert_eq!(echoed, large);
        assert_eq!(proxy.open_connections(), 1);
    }

    #[tokio::test]
    async fn cut_closes_open_connections() {
        let proxy = proxy_to_echo().await;
        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        round_trip(&mut stream, b"before").await.unwrap();

        proxy.cut();

        assert!(closed_by_peer(&mut stream).await);
        assert_eq!(proxy.mode(), ProxyMode::Cut);
    }

    #[tokio::test]
    async fn cut_closes_new_connections_until_restored() {
        let proxy = proxy_to_echo().await;
        proxy.cut();

        let mut refused = TcpStream::connect(proxy.address()).await.unwrap();
        assert!(closed_by_peer(&mut refused).await);

        proxy.restore();
        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        let echoed = tokio::time::timeout(PROMPT, round_trip(&mut stream, b"after"))
            .await
            .expect("the echo arrives after restore")
            .unwrap();
        assert_eq!(echoed, b"after");
    }

    #[tokio::test]
    async fn blackhole_holds_open_connections_until_restored() {
        let proxy = proxy_to_echo().await;
        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        round_trip(&mut stream, b"before").await.unwrap();

        proxy.blackhole();
        let held = tokio::time::timeout(HELD, round_trip(&mut stream, b"held")).await;
        assert!(held.is_err(), "a blackholed connection forwarded {held:?}");
        assert_eq!(proxy.open_connections(), 1);

        proxy.restore();
        let mut rest = [0; 4];
        tokio::time::timeout(PROMPT, stream.read_exact(&mut rest))
            .await
            .expect("the held bytes arrive after restore")
            .unwrap();
        assert_eq!(&rest, b"held");
    }

    #[tokio::test]
    async fn blackhole_holds_new_connections_until_restored() {
        let proxy = proxy_to_echo().await;
        proxy.blackhole();

        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        let held = tokio::time::timeout(HELD, round_trip(&mut stream, b"held")).await;
        assert!(held.is_err(), "a blackholed connection forwarded {held:?}");

        proxy.restore();
        let mut rest = [0; 4];
        tokio::time::timeout(PROMPT, stream.read_exact(&mut rest))
            .await
            .expect("the held bytes arrive after restore")
            .unwrap();
        assert_eq!(&rest, b"held");
    }

    #[tokio::test]
    async fn cut_closes_blackholed_connections() {
        let proxy = proxy_to_echo().await;
        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        round_trip(&mut stream, b"before").await.unwrap();
        proxy.blackhole();
        stream.write_all(b"held").await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;

        proxy.cut();

        assert!(closed_by_peer(&mut stream).await);
    }

    #[tokio::test]
    async fn cut_then_restore_drops_held_bytes() {
        let proxy = proxy_to_echo().await;
        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        round_trip(&mut stream, b"before").await.unwrap();
        proxy.blackhole();
        stream.write_all(b"held").await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;

        // Restoring at once must not let the connection forward what the
        // blackhole held back.
        proxy.cut();
        proxy.restore();

        assert!(closed_by_peer(&mut stream).await);
    }

    #[tokio::test]
    async fn slow_delays_each_direction() {
        let latency = Duration::from_millis(150);
        let proxy = proxy_to_echo().await;
        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        round_trip(&mut stream, b"warm").await.unwrap();

        proxy.slow(latency);
        let started = Instant::now();
        round_trip(&mut stream, b"slow").await.unwrap();
        let elapsed = started.elapsed();

        // The request and the echo are each delayed once.
        assert!(
            elapsed >= latency * 2,
            "a slowed round trip took {elapsed:?}"
        );
    }

    #[tokio::test]
    async fn restore_after_slow_forwards_at_once() {
        let latency = Duration::from_secs(2);
        let proxy = proxy_to_echo().await;
        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        proxy.slow(latency);
        proxy.restore();

        let started = Instant::now();
        round_trip(&mut stream, b"fast").await.unwrap();

        assert!(started.elapsed() < latency, "took {:?}", started.elapsed());
    }

    #[tokio::test]
    async fn drop_closes_open_connections() {
        let proxy = proxy_to_echo().await;
        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();
        round_trip(&mut stream, b"before").await.unwrap();

        drop(proxy);

        assert!(closed_by_peer(&mut stream).await);
    }

    #[tokio::test]
    async fn unreachable_target_closes_the_client() {
        let unused = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target = unused.local_addr().unwrap();
        drop(unused);
        let proxy = Proxy::start(target.to_string()).await.unwrap();

        let mut stream = TcpStream::connect(proxy.address()).await.unwrap();

        assert!(closed_by_peer(&mut stream).await);
    }
}
