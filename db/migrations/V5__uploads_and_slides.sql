-- csv-ingest: uploads of slide CSV files, the slides they carry, and each upload's journey.

CREATE TABLE uploads (
    upload_id       uuid PRIMARY KEY,
    sha256          text NOT NULL UNIQUE,
    filename        text,
    size_bytes      bigint NOT NULL,
    charset         text,
    row_count       bigint NOT NULL DEFAULT 0,
    status          text NOT NULL CHECK (status IN ('ACCEPTED', 'BUILDING', 'REGISTERED', 'DONE', 'FAILED')),
    reason          text,
    warnings        jsonb NOT NULL DEFAULT '[]',
    problem_count   bigint NOT NULL DEFAULT 0,
    groups          text[],
    correlation_id  text NOT NULL,
    traceparent     text,
    uploaded_by     text NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX uploads_created_idx ON uploads (created_at DESC, upload_id);

-- Every problem a rejected upload had (bounded), for the error report.
CREATE TABLE upload_problems (
    upload_id   uuid NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
    seq         integer NOT NULL,
    line        bigint NOT NULL,
    column_name text,
    code        text NOT NULL,
    message     text NOT NULL,
    PRIMARY KEY (upload_id, seq)
);

-- Slides as each upload stated them (stored as written). The active version of a slide is the one
-- of the newest upload that has not failed: a failed upload's slides stop counting by themselves.
CREATE TABLE slides (
    upload_id     uuid NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
    slide_id      text NOT NULL,
    line          bigint NOT NULL,
    title         text NOT NULL,
    body          text,
    image_url     text,
    duration_sec  integer NOT NULL,
    start_at      timestamptz,
    end_at        timestamptz,
    target_group  text,
    priority      integer NOT NULL,
    PRIMARY KEY (upload_id, slide_id)
);
CREATE INDEX slides_slide_idx ON slides (slide_id);
CREATE INDEX slides_group_idx ON slides (target_group);

-- The journey of an upload: every event with its correlation id that csv-ingest saw, in order.
CREATE TABLE upload_events (
    upload_id    uuid NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
    event_id     text NOT NULL,
    type         text NOT NULL,
    source       text NOT NULL,
    subject      text,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL,
    data         jsonb NOT NULL,
    PRIMARY KEY (upload_id, event_id)
);
CREATE INDEX upload_events_time_idx ON upload_events (upload_id, occurred_at);
