package dev.signagefleet.telemetry.sync;

import dev.signagefleet.telemetry.connectivity.DeviceEventLog;
import dev.signagefleet.telemetry.fleet.ContentSync;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces when a terminal falls out of sync with its group's current content and when it is back:
 * {@value #OUT_OF_SYNC_TYPE} once a device still shows another version after the grace period (it
 * carries the device's own {@code contentError} when it reported one), and {@value #IN_SYNC_TYPE}
 * when it shows its group's version again (or its group has no content any more). A device that is
 * merely pending (the version became current moments ago) is not announced.
 *
 * <p>Each change is announced once: {@code device_state.content_out_of_sync_since} remembers the
 * announcement, and rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so several consumer
 * instances never announce the same change twice. Like the connectivity sweep, it only judges once
 * the consumer has been listening for the whole grace period: right after a (re)connect the reports
 * of terminals that switched may still be queued in the broker.
 */
public final class ContentSyncSweeper {

    public static final String OUT_OF_SYNC_TYPE = "signage.device.content-out-of-sync.v1";
    public static final String IN_SYNC_TYPE = "signage.device.content-in-sync.v1";

    private static final Logger log = LoggerFactory.getLogger(ContentSyncSweeper.class);
    private static final int CHUNK = 1_000;

    // current_content belongs to content-registry: the fleet reads which version each group should show.
    private static final String LOCK_CHANGED = """
            SELECT s.device_id, d.group_name, s.connectivity, s.content_version, s.content_error,
                   s.content_out_of_sync_since, cc.version AS expected, cc.registered_at AS expected_since, %1$s AS sync
            FROM devices d JOIN device_state s USING (device_id)
            LEFT JOIN current_content cc ON cc.group_name = d.group_name
            WHERE (s.content_out_of_sync_since IS NULL AND %1$s = 'out_of_sync')
               OR (s.content_out_of_sync_since IS NOT NULL AND %1$s IN ('in_sync', 'none'))
            ORDER BY s.device_id
            LIMIT :limit
            FOR UPDATE OF s SKIP LOCKED
            """.formatted(ContentSync.JUDGED_SQL);

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration grace;
    private final Supplier<Optional<Instant>> listeningSince;
    private final DeviceEventLog events = new DeviceEventLog();

    /**
     * @param grace          how long terminals get to switch to a new version (as in the fleet API)
     * @param listeningSince since when the consumer has been receiving, empty while it is not
     */
    public ContentSyncSweeper(Jdbi jdbi, Clock clock, Duration grace, Supplier<Optional<Instant>> listeningSince) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.grace = grace;
        this.listeningSince = listeningSince;
    }

    /** A device whose announced content state changes. */
    private record Change(String deviceId, String group, String connectivity, String reported, String error,
                          Instant outOfSyncSince, String expected, Instant expectedSince, String sync) {

        boolean fellOut() {
            return outOfSyncSince == null;
        }
    }

    /** One sweep; returns how many changes it announced. */
    public int sweep() {
        Optional<Instant> listening = listeningSince.get();
        Instant now = clock.instant();
        if (listening.isEmpty() || listening.get().isAfter(now.minus(grace))) {
            return 0;
        }
        int announced = 0;
        int outOfSync = 0;
        while (true) {
            List<Change> changes = jdbi.inTransaction(handle -> {
                List<Change> due = handle.createQuery(LOCK_CHANGED)
                        .bind("pendingSince", Timestamp.from(now.minus(grace)))
                        .bind("limit", CHUNK)
                        .map((rs, ctx) -> change(rs))
                        .list();
                for (Change c : due) {
                    announce(handle, c, now);
                }
                return due;
            });
            announced += changes.size();
            outOfSync += (int) changes.stream().filter(Change::fellOut).count();
            if (changes.size() < CHUNK) {
                break;
            }
        }
        if (announced > 0) {
            log.info("Content sync sweep: {} device(s) out of sync with their group's content, {} back in sync",
                    outOfSync, announced - outOfSync);
        }
        return announced;
    }

    private void announce(Handle handle, Change c, Instant now) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("deviceId", c.deviceId());
        data.put("group", c.group());
        data.put("sync", c.sync());
        data.put("reportedVersion", c.reported());
        data.put("expectedVersion", c.expected());
        data.put("expectedSince", c.expectedSince() == null ? null : c.expectedSince().toString());
        if (c.fellOut()) {
            data.put("connectivity", c.connectivity());
            data.put("contentError", c.error());
            events.record(handle, OUT_OF_SYNC_TYPE, c.deviceId(), now, data);
            // An offline terminal is expected to miss new content; it is already reported as offline.
            if (!"offline".equals(c.connectivity()) && !"never_seen".equals(c.connectivity())) {
                    log.warn("Device {} ({}) shows content {} but its group's current version is {} since {}{}: check its "
                                + "contentError, its connectivity ({}) and its access to the package",
                        c.deviceId(), c.group(), c.reported() == null ? "none" : c.reported(), c.expected(),
                        c.expectedSince(), c.error() == null ? "" : " (the device says: " + c.error() + ")",
                        c.connectivity());
            }
        } else {
            data.put("outOfSyncSince", c.outOfSyncSince().toString());
            events.record(handle, IN_SYNC_TYPE, c.deviceId(), now, data);
        }
        handle.createUpdate("UPDATE device_state SET content_out_of_sync_since = :since WHERE device_id = :id")
                .bind("since", c.fellOut() ? Timestamp.from(now) : null)
                .bind("id", c.deviceId())
                .execute();
    }

    private static Change change(ResultSet rs) throws SQLException {
        return new Change(rs.getString("device_id"), rs.getString("group_name"), rs.getString("connectivity"),
                rs.getString("content_version"), rs.getString("content_error"),
                instant(rs.getTimestamp("content_out_of_sync_since")), rs.getString("expected"),
                instant(rs.getTimestamp("expected_since")), rs.getString("sync"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
