-- Fleet registry and telemetry: who the terminals are, what they last reported, and their history.
-- Owned by telemetry-consumer (the fleet domain). The HTTP API reads these tables through that module.

-- Registered terminals and their MQTT credential (PBKDF2 hash; the secret itself is shown once).
CREATE TABLE devices (
    device_id        text PRIMARY KEY CHECK (device_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    group_name       text CHECK (group_name ~ '^[A-Za-z0-9_-]{1,64}$'),
    name             text CHECK (length(name) <= 200),
    location         text CHECK (length(location) <= 200),
    credential_hash  text,
    registered_at    timestamptz NOT NULL DEFAULT now(),
    registered_by    text NOT NULL
);
CREATE INDEX devices_group_idx ON devices (group_name, device_id);
-- Free-text search over id, name and location (`q` in the fleet API) with trigram matching.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX devices_search_idx ON devices
    USING gin ((device_id || ' ' || coalesce(name, '') || ' ' || coalesce(location, '')) gin_trgm_ops);

-- Latest state per device. One row per registered device, created with the registration.
CREATE TABLE device_state (
    device_id             text PRIMARY KEY REFERENCES devices (device_id) ON DELETE CASCADE,
    connectivity          text NOT NULL DEFAULT 'never_seen'
                              CHECK (connectivity IN ('never_seen', 'online', 'stale', 'offline')),
    connectivity_reason   text,
    connectivity_since    timestamptz NOT NULL DEFAULT now(),
    last_seen_at          timestamptz,
    -- the latest status that won the order rule (same boot: higher seq; other boot: later sentAt)
    boot_id               text,
    seq                   bigint,
    sent_at               timestamptz,
    received_at           timestamptz,
    agent_version         text,
    uptime_sec            bigint,
    cpu_load              double precision,
    mem_used_mb           bigint,
    mem_total_mb          bigint,
    disk_free_mb          bigint,
    temperature_c         double precision,
    display               text,
    content_version       text,
    ip                    text,
    os                    text,
    dropped_while_offline bigint,
    -- the latest presence message (same boot: higher connection number; other boot: later time)
    presence_boot_id      text,
    presence_conn         integer,
    presence_state        text,
    presence_at           timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_state_connectivity_idx ON device_state (connectivity, device_id);
CREATE INDEX device_state_agent_version_idx ON device_state (agent_version, device_id);
CREATE INDEX device_state_content_version_idx ON device_state (content_version, device_id);
CREATE INDEX device_state_last_seen_idx ON device_state (last_seen_at, device_id);

-- Every accepted status message, partitioned by the UTC day of sentAt. The primary key makes a
-- redelivered message a no-op. Rows whose day has no partition (a terminal with a wrong clock)
-- land in the default partition; partition maintenance moves them when their day is created.
CREATE TABLE status_history (
    device_id             text NOT NULL,
    boot_id               text NOT NULL,
    seq                   bigint NOT NULL,
    sent_at               timestamptz NOT NULL,
    received_at           timestamptz NOT NULL,
    agent_version         text,
    uptime_sec            bigint,
    cpu_load              double precision,
    mem_used_mb           bigint,
    mem_total_mb          bigint,
    disk_free_mb          bigint,
    temperature_c         double precision,
    display               text,
    content_version       text,
    ip                    text,
    os                    text,
    dropped_while_offline bigint,
    PRIMARY KEY (device_id, boot_id, seq, sent_at)
) PARTITION BY RANGE (sent_at);
CREATE INDEX status_history_device_time_idx ON status_history (device_id, sent_at);
CREATE TABLE status_history_default PARTITION OF status_history DEFAULT;

-- Connectivity changes derived by the consumer and the sweeper (also published through the outbox).
CREATE TABLE device_events (
    event_id     uuid PRIMARY KEY,
    device_id    text NOT NULL,
    type         text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    data         jsonb NOT NULL
);
CREATE INDEX device_events_device_idx ON device_events (device_id, occurred_at DESC);
CREATE INDEX device_events_time_idx ON device_events (occurred_at DESC);

-- Payloads that could not be accepted, with the reason and the raw bytes, for a human to inspect.
-- Only the first 16 KB of a payload are kept (payload_size and payload_sha256 describe the whole).
CREATE TABLE quarantined_messages (
    id              bigserial PRIMARY KEY,
    topic           text NOT NULL,
    device_id       text,
    reason          text NOT NULL,
    payload         bytea NOT NULL,
    payload_size    integer NOT NULL,
    payload_sha256  text NOT NULL,
    received_at     timestamptz NOT NULL
);
CREATE INDEX quarantined_messages_time_idx ON quarantined_messages (received_at DESC);
