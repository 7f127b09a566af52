-- Delivery plumbing shared by every service (each row says which service produced or consumed it).

-- Events written in the same transaction as the change they describe; a relay publishes them.
CREATE TABLE outbox (
    position        bigserial PRIMARY KEY,
    event_id        uuid NOT NULL UNIQUE,
    source          text NOT NULL,
    type            text NOT NULL,
    subject         text,
    occurred_at     timestamptz NOT NULL,
    correlation_id  text,
    traceparent     text,
    data            jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz,
    -- set when the transport refused the event for good (e.g. not authorized): kept for a person, skipped by the relay
    parked_at       timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text
);
CREATE INDEX outbox_pending_idx ON outbox (source, position) WHERE published_at IS NULL AND parked_at IS NULL;

-- Event ids a consumer has handled, recorded in the same transaction as the handler's effect.
CREATE TABLE inbox (
    consumer    text NOT NULL,
    event_id    text NOT NULL,
    handled_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
