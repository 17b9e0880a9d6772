//! A TCP proxy in front of the shared RabbitMQ server, to simulate outages
//! without touching the server.

use std::str::FromStr;

use lapin::uri::AMQPUri;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Listens on a free port on 127.0.0.1. While refusing, it closes every new
/// connection at once; while forwarding, it pipes connections to the broker.
/// Switching to refusing also cuts the connections in progress.
pub struct Proxy {
    url: String,
    forwarding: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Starts a refusing proxy for the broker at `broker_url`.
    pub async fn start(broker_url: &str) -> Self {
        let mut uri = AMQPUri::from_str(broker_url).unwrap();
        let target = (uri.authority.host.clone(), uri.authority.port);

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        uri.authority.host = "127.0.0.1".to_owned();
        uri.authority.port = listener.local_addr().unwrap().port();

        let (forwarding, receiver) = watch::channel(false);
        let task = tokio::spawn(accept(listener, target, receiver));
        Self {
            url: uri.to_string(),
            forwarding,
            task,
        }
    }

    /// AMQP URL that connects through the proxy.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Forwards new connections to the broker.
    pub fn forward(&self) {
        self.forwarding.send_replace(true);
    }

    /// Cuts open connections and refuses new ones.
    pub fn refuse(&self) {
        self.forwarding.send_replace(false);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept(listener: TcpListener, target: (String, u16), forwarding: watch::Receiver<bool>) {
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            continue;
        };
        if !*forwarding.borrow() {
            drop(inbound);
            continue;
        }
        tokio::spawn(pipe(inbound, target.clone(), forwarding.clone()));
    }
}

async fn pipe(
    mut inbound: TcpStream,
    target: (String, u16),
    mut forwarding: watch::Receiver<bool>,
) {
    let Ok(mut outbound) = TcpStream::connect((target.0.as_str(), target.1)).await else {
        return;
    };
    tokio::select! {
        _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
        _ = forwarding.wait_for(|forwarding| !*forwarding) => {}
    }
}
