package dev.signagefleet.telemetry.fleet;

import dev.signagefleet.telemetry.connectivity.Connectivity;
import java.util.List;

/**
 * What to list: filters (all optional, combined with AND), order and page.
 *
 * @param connectivity any of these states (empty = all)
 * @param contentSync  any of these content states (empty = all)
 * @param q            free text matched against id, name and location
 * @param cursor       from the previous page's {@code nextCursor}, or null for the first page
 */
public record DeviceQuery(
        List<Connectivity> connectivity,
        List<ContentSync> contentSync,
        String group,
        String agentVersion,
        String contentVersion,
        String q,
        DeviceSort sort,
        String cursor,
        int limit) {

    public static final int MAX_LIMIT = 500;
    public static final int DEFAULT_LIMIT = 100;

    public DeviceQuery {
        connectivity = connectivity == null ? List.of() : List.copyOf(connectivity);
        contentSync = contentSync == null ? List.of() : List.copyOf(contentSync);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        if (sort == null) {
            sort = DeviceSort.DEFAULT;
        }
    }

    public static DeviceQuery all() {
        return new DeviceQuery(List.of(), List.of(), null, null, null, null, DeviceSort.DEFAULT, null, MAX_LIMIT);
    }
}
