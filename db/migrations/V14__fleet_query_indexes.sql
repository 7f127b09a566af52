-- Indexes matching the device list's sort keys (DeviceSort: the same expressions, then the device id), so
-- "one connectivity state, last seen first" and "sorted by group" walk an index instead of sorting every
-- matching row. The plain (last_seen_at, device_id) index is replaced: no query matched it (the sort
-- uses coalesce(...), the connectivity sweep filters by connectivity first). There is deliberately no
-- index on the last-seen key alone: with a group filter PostgreSQL walked it and probed a device per
-- row (5 times slower than sorting the group's 2,000 rows, BENCHMARKS.md section 6), and every index
-- on device_state costs each status update.
CREATE INDEX device_state_connectivity_last_seen_idx
    ON device_state (connectivity, (coalesce(last_seen_at, '-infinity'::timestamptz)), device_id);
CREATE INDEX devices_group_sort_idx ON devices ((coalesce(group_name, '')), device_id);
DROP INDEX device_state_last_seen_idx;
