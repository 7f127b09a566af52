package dev.signagefleet.telemetry.fleet;

import java.util.List;

/**
 * One page of the device list.
 *
 * @param nextCursor pass it back for the next page; null on the last page
 */
public record DevicePage(List<DeviceView> items, String nextCursor) {
}
