-- Transactional outbox: events written in the same transaction as the state
-- change that caused them, published later by the relay in position order.
CREATE TABLE outbox (
    position BIGSERIAL PRIMARY KEY,
    message_id UUID NOT NULL UNIQUE,
    message_type TEXT NOT NULL,
    envelope JSONB NOT NULL,
    enqueued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at TIMESTAMPTZ
);

-- The relay scans only unpublished rows, and retention deletes only
-- published ones.
CREATE INDEX outbox_unpublished ON outbox (position) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Inbox: ids of consumed messages, written in the same transaction as the
-- handler's effect so that a redelivered message has no second effect.
CREATE TABLE inbox (
    consumer TEXT NOT NULL,
    message_id UUID NOT NULL,
    message_type TEXT NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);

CREATE INDEX inbox_processed_at ON inbox (processed_at);
