-- Front-ends' webhook subscriptions to application.state_changed.
CREATE TABLE webhook_subscriptions (
    id uuid PRIMARY KEY,
    -- The `sub` of the service account that subscribed.
    owner text NOT NULL,
    url text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per event and subscription, written in the transaction of the
-- transition; sent oldest first per subscription, retried with back-off.
CREATE TABLE webhook_deliveries (
    id bigserial PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id),
    event jsonb NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    last_error text
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (subscription_id, id)
    WHERE delivered_at IS NULL;
