package dev.signagefleet.benchmarks.queries;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.jdbi.v3.core.Jdbi;

/**
 * Puts a fleet straight into PostgreSQL with generate_series: devices, their latest state and a
 * history of {@code days} days. Every device reports once per {@code everyHours} in the history; the
 * first {@code hotDevices} devices (dev-000001...) also have the real 30 s heartbeat for the last two
 * days, so their 24 h history is what a real terminal's is (2,880 statuses).
 */
final class FleetSeed {

    static final int GROUPS = 50;
    static final String[] AGENT_VERSIONS = {"1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"};

    private FleetSeed() {
    }

    static String deviceId(int i) {
        return String.format("dev-%06d", i);
    }

    static long seed(Jdbi jdbi, int devices, int days, int everyHours, int hotDevices) {
        return jdbi.withHandle(h -> {
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            for (LocalDate day = today.minusDays(days); !day.isAfter(today.plusDays(1)); day = day.plusDays(1)) {
                // the same names and bounds as the product's HistoryMaintenance, so its hourly job accepts them
                h.execute("CREATE TABLE IF NOT EXISTS status_history_" + DateTimeFormatter.BASIC_ISO_DATE.format(day)
                        + " PARTITION OF status_history FOR VALUES FROM ('" + day + " 00:00+00') TO ('" + day.plusDays(1)
                        + " 00:00+00')");
            }
            h.createUpdate("""
                    INSERT INTO devices (device_id, group_name, name, location, registered_at, registered_by)
                    SELECT format('dev-%s', lpad(i::text, 6, '0')), format('group-%s', lpad((i % :groups)::text, 2, '0')),
                           format('Screen %s', i),
                           (ARRAY['Tokyo', 'Osaka', 'Nagoya', 'Sapporo', 'Fukuoka'])[1 + i % 5] || ' store ' || (i % 700),
                           now() - interval '90 days', 'benchmark'
                    FROM generate_series(1, :n) i
                    """).bind("n", devices).bind("groups", GROUPS).execute();
            // 90 % online, 4 % stale, 5 % offline, 1 % never seen; the stack's heartbeat is long, so
            // nothing becomes due for the sweepers while the queries run.
            h.createUpdate("""
                    INSERT INTO device_state (device_id, connectivity, connectivity_reason, connectivity_since, last_seen_at,
                        boot_id, seq, sent_at, received_at, agent_version, uptime_sec, cpu_load, mem_used_mb, mem_total_mb,
                        disk_free_mb, temperature_c, display, content_version, ip, os, updated_at)
                    SELECT id, c, CASE WHEN c = 'never_seen' THEN NULL ELSE 'benchmark seed' END, seen - interval '1 day',
                           CASE WHEN c = 'never_seen' THEN NULL ELSE seen END,
                           CASE WHEN c = 'never_seen' THEN NULL ELSE 'boot-' || i END,
                           CASE WHEN c = 'never_seen' THEN NULL ELSE 100000 END,
                           CASE WHEN c = 'never_seen' THEN NULL ELSE seen END,
                           CASE WHEN c = 'never_seen' THEN NULL ELSE seen END,
                           (CAST(:versions AS text[]))[1 + i % 5], 86400 + i % 1000, (i % 100) / 100.0, 600 + i % 400, 2048,
                           10000 + i % 5000, 40 + i % 20, 'on',
                           format('group-%s@%s', lpad((i % :groups)::text, 2, '0'), 3 + (i % 17 = 0)::int), '10.0.' || (i % 250) || '.' || (i % 200),
                           'Linux 6.1.0 aarch64', now()
                    FROM (SELECT i, format('dev-%s', lpad(i::text, 6, '0')) AS id,
                                 CASE WHEN i % 100 < 90 THEN 'online' WHEN i % 100 < 94 THEN 'stale'
                                      WHEN i % 100 < 99 THEN 'offline' ELSE 'never_seen' END AS c,
                                 now() - CASE WHEN i % 100 < 90 THEN (i % 600) * interval '1 second'
                                              WHEN i % 100 < 94 THEN interval '150 minutes'
                                              ELSE interval '4 hours' + (i % 1000) * interval '1 minute' END AS seen
                          FROM generate_series(1, :n) i) x
                    """).bind("n", devices).bind("groups", GROUPS).bind("versions", AGENT_VERSIONS).execute();
            // every group shows version 3, registered a day ago; the devices still on another version (1 in 17)
            // were judged out of sync by the content sync sweep, as in a running fleet
            h.createUpdate("""
                    INSERT INTO current_content (group_name, version_number, version, registered_at)
                    SELECT format('group-%s', lpad(g::text, 2, '0')), 3, format('group-%s@3', lpad(g::text, 2, '0')),
                           now() - interval '1 day'
                    FROM generate_series(0, :groups - 1) g
                    ON CONFLICT (group_name) DO NOTHING
                    """).bind("groups", GROUPS).execute();
            h.execute("UPDATE device_state SET content_out_of_sync_since = now() - interval '20 hours'"
                    + " WHERE content_version NOT LIKE '%@3' AND device_id LIKE 'dev-%'");
            long rows = h.createUpdate("""
                    INSERT INTO status_history (device_id, boot_id, seq, sent_at, received_at, agent_version, uptime_sec,
                        cpu_load, mem_used_mb, mem_total_mb, disk_free_mb, temperature_c, display, content_version, ip, os)
                    SELECT format('dev-%s', lpad(i::text, 6, '0')), 'boot-' || i, k, t, t, '1.4.0', k * :every * 3600,
                           (k % 100) / 100.0, 600 + k % 400, 2048, 10000, 45, 'on', 'group-00@3', '10.0.0.1', 'Linux 6.1.0 aarch64'
                    FROM generate_series(1, :n) i,
                         LATERAL (SELECT k, date_trunc('hour', now()) - (k * :every) * interval '1 hour' AS t
                                  FROM generate_series(1, :points) k) p
                    """).bind("n", devices).bind("every", everyHours).bind("points", days * 24 / everyHours - 1).execute();
            rows += h.createUpdate("""
                    INSERT INTO status_history (device_id, boot_id, seq, sent_at, received_at, agent_version, uptime_sec,
                        cpu_load, mem_used_mb, mem_total_mb, disk_free_mb, temperature_c, display, content_version, ip, os)
                    SELECT format('dev-%s', lpad(i::text, 6, '0')), 'hot-' || i, k, t, t, '1.4.0', k * 30,
                           (k % 100) / 100.0, 600 + k % 400, 2048, 10000, 45, 'on', 'group-00@3', '10.0.0.1', 'Linux 6.1.0 aarch64'
                    FROM generate_series(1, :hot) i,
                         LATERAL (SELECT k, now() - k * interval '30 seconds' AS t FROM generate_series(1, 5760) k) p
                    """).bind("hot", hotDevices).execute();
            h.execute("ANALYZE devices");
            h.execute("ANALYZE device_state");
            h.execute("ANALYZE status_history");
            return rows;
        });
    }
}
