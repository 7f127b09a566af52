-- Device-list questions that read every device before (BENCHMARKS.md section 6):
--
-- 1. "One group, last seen first": the group lives in devices, the last seen in device_state, so no
--    index served both and every device of the group was joined and sorted. device_state now carries a
--    copy of the device's group, kept by the triggers below for every writer (registration, moves,
--    devices first seen by a status, fixtures), and one index serves group + last seen.
-- 2. "Out of sync": a device counts as out of sync once the content sync sweep has decided so
--    (content_out_of_sync_since, set after the pending grace and announced by an event). A partial
--    index finds those few rows without reading the healthy fleet.

ALTER TABLE device_state ADD COLUMN group_name text;

-- A new state row takes its device's group. AFTER INSERT, not BEFORE: the consumer's batches insert
-- state rows with ON CONFLICT DO NOTHING for every device they touch, and only a row really inserted
-- fires an AFTER trigger, so the hot path does not pay for it.
CREATE FUNCTION device_state_take_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE device_state SET group_name = (SELECT group_name FROM devices WHERE device_id = NEW.device_id)
    WHERE device_id = NEW.device_id;
    RETURN NULL;
END $$;
CREATE TRIGGER device_state_take_group AFTER INSERT ON device_state
    FOR EACH ROW EXECUTE FUNCTION device_state_take_group();

-- A device's group change reaches its state row in the same transaction.
CREATE FUNCTION devices_copy_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE device_state SET group_name = NEW.group_name
    WHERE device_id = NEW.device_id AND group_name IS DISTINCT FROM NEW.group_name;
    RETURN NULL;
END $$;
CREATE TRIGGER devices_copy_group AFTER UPDATE OF group_name ON devices
    FOR EACH ROW WHEN (OLD.group_name IS DISTINCT FROM NEW.group_name) EXECUTE FUNCTION devices_copy_group();

-- The copy of the rows that exist, after the triggers exist: a move committed meanwhile (an older
-- instance still running during a rolling deploy) is either copied here or by its trigger.
UPDATE device_state s SET group_name = d.group_name FROM devices d
WHERE d.device_id = s.device_id AND s.group_name IS DISTINCT FROM d.group_name;

CREATE INDEX device_state_group_last_seen_idx
    ON device_state (group_name, (coalesce(last_seen_at, '-infinity'::timestamptz)), device_id);

-- Sorting by group now reads device_state's copy (DeviceSort.Key.GROUP), so "an agent version, by group"
-- walks one index instead of probing every device in group order until enough have that version. The
-- agent version index gains the group (it still serves the version filter alone); V14's index on devices
-- is left without a query.
DROP INDEX device_state_agent_version_idx;
CREATE INDEX device_state_agent_version_group_idx
    ON device_state (agent_version, (coalesce(group_name, '')), device_id);
CREATE INDEX device_state_group_sort_idx ON device_state ((coalesce(group_name, '')), device_id);
DROP INDEX devices_group_sort_idx;

CREATE INDEX device_state_out_of_sync_idx ON device_state (device_id) WHERE content_out_of_sync_since IS NOT NULL;
