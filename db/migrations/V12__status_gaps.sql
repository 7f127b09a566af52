-- Sequence gaps in a terminal's statuses (telemetry-consumer): a status of the same boot arrived with
-- a seq more than one above the newest before it. Noted at once as suspected; judged by the gap sweep
-- after a grace period (late statuses may still fill it): deleted when filled, else announced once as
-- signage.device.status-gap.v1 with the number still missing.
CREATE TABLE status_gaps (
    device_id           text        NOT NULL,
    boot_id             text        NOT NULL,
    after_seq           bigint      NOT NULL,
    before_seq          bigint      NOT NULL CHECK (before_seq > after_seq + 1),
    -- the terminal's own count of statuses its full buffer dropped (droppedWhileOffline of the status after the gap)
    dropped_by_terminal bigint,
    detected_at         timestamptz NOT NULL,
    missing             bigint,
    announced_at        timestamptz,
    PRIMARY KEY (device_id, boot_id, after_seq)
);
CREATE INDEX status_gaps_unjudged_idx ON status_gaps (detected_at) WHERE announced_at IS NULL;
