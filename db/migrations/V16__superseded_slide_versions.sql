-- csv-ingest: slides keeps one row per upload and slide id. Once an upload is DONE, the versions of
-- its slide ids in older DONE uploads can never be active again; csv-ingest deletes them
-- (SupersededSlides) and notes here that an upload's older versions are gone, so collecting the
-- active slides for a build reads the active versions, not every version ever uploaded.
ALTER TABLE uploads ADD COLUMN superseded_pruned_at timestamptz;
CREATE INDEX uploads_prune_due_idx ON uploads (created_at, upload_id)
    WHERE status = 'DONE' AND superseded_pruned_at IS NULL;
