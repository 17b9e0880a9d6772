//! Publishing with publisher confirms.

use std::sync::Arc;
use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::AMQPValue;
use lapin::{BasicProperties, Channel, Confirmation, PublisherConfirm};
use tokio::sync::Mutex;

use crate::broker::Broker;
use crate::envelope::Envelope;
use crate::error::{BrokerError, PublishError};
use crate::headers;
use crate::topology::{declare_exchange, exchange_name};
use crate::trace::{TRACEPARENT, TRACESTATE};

/// Time allowed for the broker's confirm of one message. Without a confirm
/// the message may or may not be stored, so the publish counts as failed.
pub(crate) const CONFIRM_TIMEOUT: Duration = Duration::from_secs(10);

/// Publishes envelopes to the `{ns}.events` exchange and waits for the
/// broker's confirms. Cloning it is cheap; clones share one channel.
#[derive(Clone, Debug)]
pub struct Publisher {
    broker: Broker,
    /// Confirm-mode channel, opened on first use and after a failure.
    channel: Arc<Mutex<Option<Channel>>>,
}

impl Publisher {
    /// Creates a publisher on `broker` without connecting.
    pub fn new(broker: Broker) -> Self {
        Self {
            broker,
            channel: Arc::new(Mutex::new(None)),
        }
    }

    /// Publishes one envelope, routed by its message type, and waits for the
    /// broker's confirm.
    pub async fn publish(&self, envelope: &Envelope) -> Result<(), PublishError> {
        self.publish_batch(std::slice::from_ref(envelope)).await
    }

    /// Publishes envelopes in order and waits for every confirm.
    ///
    /// An error means that some of them may not be stored; publishing the
    /// whole batch again is safe because consumers deduplicate by message id.
    pub async fn publish_batch(&self, envelopes: &[Envelope]) -> Result<(), PublishError> {
        let mut current = self.channel.lock().await;
        let channel = match current.as_ref().filter(|c| c.status().connected()) {
            Some(channel) => channel.clone(),
            None => {
                let channel = self.open_channel().await?;
                *current = Some(channel.clone());
                channel
            }
        };

        let result = publish_confirmed(&channel, self.broker.namespace(), envelopes).await;
        if result.is_err() {
            *current = None;
        }
        result
    }

    async fn open_channel(&self) -> Result<Channel, BrokerError> {
        let channel = self.broker.open_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(BrokerError::amqp("confirm.select"))?;
        declare_exchange(&channel, self.broker.namespace()).await?;
        Ok(channel)
    }
}

async fn publish_confirmed(
    channel: &Channel,
    namespace: &str,
    envelopes: &[Envelope],
) -> Result<(), PublishError> {
    let exchange = exchange_name(namespace);
    let mut pending = Vec::with_capacity(envelopes.len());

    for envelope in envelopes {
        let body = envelope.to_json()?;
        let confirm = channel
            .basic_publish(
                exchange.as_str().into(),
                envelope.message_type().as_str().into(),
                BasicPublishOptions::default(),
                &body,
                properties(envelope),
            )
            .await
            .map_err(BrokerError::amqp(format!("basic.publish to {exchange}")))?;
        pending.push((envelope, confirm));
    }

    for (envelope, confirm) in pending {
        wait_for_confirm(
            confirm,
            &envelope.id().to_string(),
            envelope.message_type().as_str(),
        )
        .await?;
    }
    Ok(())
}

/// AMQP properties of a published envelope: persistent JSON with the ids,
/// type, time and trace context copied from the envelope.
pub(crate) fn properties(envelope: &Envelope) -> BasicProperties {
    let mut entries = vec![(
        headers::SCHEMA_VERSION,
        AMQPValue::LongLongInt(i64::from(envelope.version())),
    )];
    if let Some(traceparent) = &envelope.trace().traceparent {
        entries.push((TRACEPARENT, headers::text(traceparent)));
    }
    if let Some(tracestate) = &envelope.trace().tracestate {
        entries.push((TRACESTATE, headers::text(tracestate)));
    }

    let timestamp = u64::try_from(envelope.occurred_at().timestamp()).unwrap_or(0);
    let properties = BasicProperties::default()
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_message_id(envelope.id().to_string().into())
        .with_type(envelope.message_type().as_str().into())
        .with_correlation_id(envelope.correlation_id().to_string().into())
        .with_timestamp(timestamp);
    headers::with_headers(properties, entries)
}

/// Waits for the broker's confirm of one publish. A nack, a returned
/// mandatory message, a missing confirm and a lost channel are errors.
pub(crate) async fn wait_for_confirm(
    confirm: PublisherConfirm,
    message_id: &str,
    message_type: &str,
) -> Result<(), PublishError> {
    let confirmation = tokio::time::timeout(CONFIRM_TIMEOUT, confirm).await;
    match confirmation {
        Ok(Ok(Confirmation::Ack(None))) => Ok(()),
        Ok(Ok(Confirmation::Ack(Some(_returned)))) => Err(PublishError::Unroutable {
            message_id: message_id.to_owned(),
            message_type: message_type.to_owned(),
        }),
        Ok(Ok(Confirmation::Nack(_))) => Err(PublishError::Nacked {
            message_id: message_id.to_owned(),
            message_type: message_type.to_owned(),
        }),
        Ok(Ok(Confirmation::NotRequested)) => Err(PublishError::NotConfirmed {
            message_id: message_id.to_owned(),
        }),
        Ok(Err(source)) => Err(BrokerError::amqp("publisher confirm")(source).into()),
        Err(_) => Err(PublishError::ConfirmTimeout {
            message_id: message_id.to_owned(),
            message_type: message_type.to_owned(),
            timeout: CONFIRM_TIMEOUT,
        }),
    }
}
