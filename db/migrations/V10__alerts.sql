-- management: alerts. Rules say which fleet conditions deserve an alert; the alert engine raises
-- each condition once (alerts.dedup_key) and queues one delivery per enabled webhook; the webhook
-- dispatcher sends them (HMAC-signed) and retries with backoff.

CREATE TABLE alert_rules (
    id                 bigserial PRIMARY KEY,
    kind               text NOT NULL
                           CHECK (kind IN ('device_offline', 'device_online', 'content_out_of_sync', 'upload_failed')),
    -- only devices (or uploads) of this group; null: every group
    group_name         text CHECK (group_name ~ '^[A-Za-z0-9_-]{1,64}$'),
    -- device_offline / content_out_of_sync: how long the condition must hold before it is an alert
    threshold_seconds  integer CHECK (threshold_seconds BETWEEN 0 AND 2592000),
    enabled            boolean NOT NULL DEFAULT true,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL,
    CHECK (kind NOT IN ('device_offline', 'content_out_of_sync') OR threshold_seconds IS NOT NULL)
);

-- Receivers of alerts. The secret is kept as it is (not hashed): every delivery is signed with it.
CREATE TABLE webhooks (
    id          bigserial PRIMARY KEY,
    url         text NOT NULL CHECK (url ~* '^https?://' AND length(url) <= 2000),
    secret      text NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL
);

-- Raised alerts. kind 'test' is a test alert sent to one webhook from the console (no rule).
CREATE TABLE alerts (
    id            bigserial PRIMARY KEY,
    rule_id       bigint REFERENCES alert_rules (id) ON DELETE SET NULL,
    kind          text NOT NULL
                      CHECK (kind IN ('device_offline', 'device_online', 'content_out_of_sync', 'upload_failed', 'test')),
    -- a device id, an upload id, 'storm' (many devices at once) or 'test'
    subject       text NOT NULL,
    group_name    text,
    device_count  integer NOT NULL DEFAULT 0,
    -- the devices concerned; for a storm only the first 50 (device_count says how many)
    device_ids    text[] NOT NULL DEFAULT '{}',
    message       text NOT NULL,
    raised_at     timestamptz NOT NULL,
    -- one condition raises one alert, whichever engine instance sees it first
    dedup_key     text NOT NULL UNIQUE
);
CREATE INDEX alerts_raised_idx ON alerts (raised_at DESC, id DESC);

-- Every device condition a rule has alerted about, alone or inside a storm: since = when the
-- condition began (the offline period, the out-of-sync period). Keeps a device of a storm from
-- being raised again on its own, and pairs a "back online" with the offline period it ends.
CREATE TABLE alerted_devices (
    rule_id    bigint NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    device_id  text NOT NULL,
    since      timestamptz NOT NULL,
    kind       text NOT NULL,
    alert_id   bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, device_id, since)
);
CREATE INDEX alerted_devices_offline_idx ON alerted_devices (device_id, since DESC) WHERE kind = 'device_offline';

-- One row per alert and webhook. The id is sent as X-Signage-Delivery: receivers deduplicate on it.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    alert_id         bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    webhook_id       bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    last_status      integer,
    last_error       text CHECK (length(last_error) <= 500),
    created_at       timestamptz NOT NULL,
    last_attempt_at  timestamptz,
    delivered_at     timestamptz,
    UNIQUE (alert_id, webhook_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at DESC);
