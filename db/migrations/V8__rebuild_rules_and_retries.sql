-- csv-ingest: the same bytes may be uploaded again once their upload FAILED (rejected, or its build
-- failed): only uploads that did not fail are unique by content.
ALTER TABLE uploads DROP CONSTRAINT uploads_sha256_key;
CREATE UNIQUE INDEX uploads_sha256_live_idx ON uploads (sha256) WHERE status <> 'FAILED';
CREATE INDEX uploads_sha256_idx ON uploads (sha256);

-- content-builder: uploads whose build succeeded. Only their slides (and those of the upload being
-- built) go into packages, so the slides of an upload that is not built yet, or whose build failed,
-- never reach terminals through another upload's build.
CREATE TABLE built_uploads (
    upload_id  uuid PRIMARY KEY,
    built_at   timestamptz NOT NULL
);
INSERT INTO built_uploads (upload_id, built_at)
SELECT upload_id, min(built_at) FROM content_builds WHERE upload_id IS NOT NULL GROUP BY upload_id;
-- uploads that were built for no group at all (no terminals yet) count as built too
INSERT INTO built_uploads (upload_id, built_at)
SELECT upload_id, updated_at FROM uploads WHERE status IN ('REGISTERED', 'DONE')
ON CONFLICT (upload_id) DO NOTHING;
