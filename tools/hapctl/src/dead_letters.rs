//! `hapctl dead-letters`: the messages a consumer gave up on, and their replay
//! once the cause is fixed.

use anyhow::Context;
use hap_messaging::{Broker, BrokerSettings, ConsumerName, dead_letters};
use serde_json::json;

#[derive(clap::Args)]
pub struct DeadLetterArgs {
    #[command(subcommand)]
    action: Action,
    /// The broker, as the services have it in `broker.url`.
    #[arg(
        long,
        env = "HAP__BROKER__URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f",
        hide_env_values = true
    )]
    broker_url: String,
    /// The namespace of exchange and queue names (`broker.namespace`).
    #[arg(long, env = "HAP__BROKER__NAMESPACE", default_value = "hap")]
    namespace: String,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Print the dead letters of a consumer as JSON lines, leaving them in place.
    List {
        /// The consumer, such as `linkage-cleared`.
        consumer: String,
        /// The maximum number of messages to print.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Move dead letters back to the consumer's queue, with their attempt count reset.
    Replay {
        consumer: String,
        /// The maximum number of messages to move.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

#[allow(clippy::print_stdout)]
pub fn run(args: DeadLetterArgs) -> anyhow::Result<()> {
    let mut settings = BrokerSettings::new(&args.broker_url);
    settings.namespace = args.namespace;
    let broker = Broker::new(settings)?;
    let runtime = tokio::runtime::Runtime::new()?;

    runtime.block_on(async {
        match args.action {
            Action::List { consumer, limit } => {
                let consumer = ConsumerName::new(consumer)?;
                let letters = dead_letters::list(&broker, &consumer, limit)
                    .await
                    .with_context(|| format!("reading the dead letters of {consumer}"))?;
                for letter in letters {
                    let line = json!({
                        "message_id": letter.message_id,
                        "type": letter.message_type,
                        "correlation_id": letter.correlation_id,
                        "reason": letter.reason.map(|reason| reason.as_str()),
                        "attempts": letter.attempts,
                        "last_error": letter.last_error,
                        "dead_at": letter.dead_at,
                    });
                    println!("{line}");
                }
            }
            Action::Replay { consumer, limit } => {
                let consumer = ConsumerName::new(consumer)?;
                let moved = dead_letters::replay(&broker, &consumer, limit)
                    .await
                    .with_context(|| format!("replaying the dead letters of {consumer}"))?;
                println!("moved {moved} messages back to the queue of {consumer}");
            }
        }
        broker.close().await;
        anyhow::Ok(())
    })
}
