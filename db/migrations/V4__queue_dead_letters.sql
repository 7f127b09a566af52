-- Messages that failed on an SQS queue: why each delivery failed, and what ended in a dead-letter
-- queue, for a person to inspect, redrive or discard. Shared by every queue consumer (rows name the queue).

-- The last failure of a message still being retried (the reason travels with it into the DLQ).
CREATE TABLE delivery_failures (
    queue          text NOT NULL,
    message_id     text NOT NULL,
    event_id       text,
    receive_count  integer NOT NULL,
    reason         text NOT NULL,
    failed_at      timestamptz NOT NULL,
    PRIMARY KEY (queue, message_id)
);
CREATE INDEX delivery_failures_event_idx ON delivery_failures (queue, event_id);

-- Messages the queue gave up on (moved to its dead-letter queue after N receives).
CREATE TABLE dead_letters (
    id              bigserial PRIMARY KEY,
    queue           text NOT NULL,
    message_id      text NOT NULL,
    event_id        text,
    event_type      text,
    correlation_id  text,
    payload         text NOT NULL,
    reason          text NOT NULL,
    receive_count   integer,
    dead_at         timestamptz NOT NULL,
    state           text NOT NULL DEFAULT 'dead' CHECK (state IN ('dead', 'redriven', 'discarded')),
    resolved_at     timestamptz,
    resolved_by     text,
    UNIQUE (queue, message_id)
);
CREATE INDEX dead_letters_state_idx ON dead_letters (state, dead_at DESC);
