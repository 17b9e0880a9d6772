-- Effects written by the test handlers, one row per committed handling.
CREATE TABLE effects (
    id BIGSERIAL PRIMARY KEY,
    message_id UUID NOT NULL,
    attempt INTEGER NOT NULL
);
