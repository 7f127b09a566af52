package dev.signagefleet.telemetry.registry;

import dev.signagefleet.common.security.PasswordHasher;
import dev.signagefleet.common.security.VerifiedSecretCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * The fleet's list of terminals and their MQTT credentials. A credential is generated here, shown
 * once, and stored only as a PBKDF2 hash; the broker checks CONNECTs against it.
 */
public final class DeviceRegistry {

    public static final Pattern ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    private static final String INSERT_DEVICE = """
            INSERT INTO devices (device_id, group_name, name, location, credential_hash, registered_by)
            VALUES (:deviceId, :group, :name, :location, :hash, :by)
            ON CONFLICT (device_id) DO NOTHING
            """;
    private static final String INSERT_STATE = """
            INSERT INTO device_state (device_id) VALUES (:deviceId) ON CONFLICT (device_id) DO NOTHING
            """;
    private static final String FIND = """
            SELECT device_id, group_name, name, location, credential_hash, registered_at, registered_by
            FROM devices WHERE device_id = :deviceId
            """;
    private static final String CLAIM = """
            UPDATE devices SET group_name = :group, name = :name, location = :location, credential_hash = :hash,
                registered_by = :by
            WHERE device_id = :deviceId AND credential_hash IS NULL
            """;
    private static final String ROTATE = """
            UPDATE devices SET credential_hash = :hash WHERE device_id = :deviceId
            """;
    private static final String GROUP_FOR_UPDATE = """
            SELECT group_name FROM devices WHERE device_id = :deviceId AND credential_hash IS NOT NULL FOR UPDATE
            """;
    private static final String MOVE = """
            UPDATE devices SET group_name = :group WHERE device_id = :deviceId
            """;

    private final Jdbi jdbi;
    private final VerifiedSecretCache verified;
    private volatile BiConsumer<String, String> onAccessChanged = (deviceId, reason) -> { };

    public DeviceRegistry(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.verified = new VerifiedSecretCache(Duration.ofMinutes(10), 200_000, clock);
    }

    /** A registered terminal (never includes the secret). */
    public record Device(String deviceId, String group, String name, String location, boolean hasCredential,
                         Instant registeredAt, String registeredBy) {
    }

    /** What {@link #moveToGroup} did. */
    public enum Move {
        /** The device is in the new group now. */
        MOVED,
        /** It already was in that group; nothing changed. */
        ALREADY_THERE,
        /** No registered device has that id. */
        UNKNOWN_DEVICE
    }

    /** What {@link #moveToGroup} did, and the group the device was in before (none for an unknown device). */
    public record GroupMove(Move outcome, Optional<String> previousGroup) {
    }

    /** The answer to a registration: the device and its credential, shown only this once. */
    public record Registration(Device device, String credential) {
    }

    /**
     * Registers a terminal and generates its credential. A device that reported before anyone
     * registered it (no credential yet) is claimed by the registration.
     *
     * @throws DeviceAlreadyRegisteredException when the id is taken by a registered device
     */
    public Registration register(NewDevice request, String registeredBy) {
        String credential = PasswordHasher.newSecret();
        String hash = PasswordHasher.hash(credential, PasswordHasher.GENERATED_SECRET_ITERATIONS);
        boolean created = jdbi.inTransaction(handle -> {
            // A new id is inserted; an id that only reported so far (no credential) is claimed.
            int inserted = 0;
            for (String sql : new String[] {INSERT_DEVICE, CLAIM}) {
                inserted = handle.createUpdate(sql)
                        .bind("deviceId", request.deviceId())
                        .bind("group", request.group())
                        .bind("name", request.name())
                        .bind("location", request.location())
                        .bind("hash", hash)
                        .bind("by", registeredBy)
                        .execute();
                if (inserted > 0) {
                    break;
                }
            }
            if (inserted == 0) {
                return false;
            }
            handle.createUpdate(INSERT_STATE).bind("deviceId", request.deviceId()).execute();
            return true;
        });
        if (!created) {
            throw new DeviceAlreadyRegisteredException(request.deviceId());
        }
        return new Registration(find(request.deviceId()).orElseThrow(), credential);
    }

    /**
     * Replaces the credential. The old one stops working at once: checks are tied to the stored
     * hash, and the listener set with {@link #onAccessChanged} closes an open connection.
     */
    public Optional<String> rotateCredential(String deviceId) {
        String credential = PasswordHasher.newSecret();
        String hash = PasswordHasher.hash(credential, PasswordHasher.GENERATED_SECRET_ITERATIONS);
        int updated = jdbi.withHandle(h -> h.createUpdate(ROTATE).bind("deviceId", deviceId).bind("hash", hash).execute());
        if (updated != 1) {
            return Optional.empty();
        }
        onAccessChanged.accept(deviceId, "credential rotated");
        return Optional.of(credential);
    }

    /** Tells the terminal its group; runs while the device's row is locked. */
    @FunctionalInterface
    public interface Tell {
        void tell() throws Exception;
    }

    /** The terminal could not be told; the move was rolled back. */
    public static final class NotTold extends RuntimeException {
        public NotTold(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Moves a registered device to another group: from now on its connections may take that group's
     * commands and it is expected to show that group's content. {@code tell} informs the terminal
     * while the device's row is still locked, so two moves at once reach the terminal in the order
     * they reach the database; when it fails, nothing changes. An open connection keeps the old
     * group's permissions until {@link #closeConnection} ends it. A device already in the group is
     * told again and otherwise left alone.
     *
     * @throws IllegalArgumentException when the group is not a valid id
     * @throws NotTold                  when {@code tell} failed (the move is rolled back)
     */
    public GroupMove moveToGroup(String deviceId, String group, Tell tell) {
        if (group == null || !ID.matcher(group).matches()) {
            throw new IllegalArgumentException("group must be 1 to 64 letters, digits, '-' or '_'");
        }
        if (deviceId == null || !ID.matcher(deviceId).matches()) {
            return new GroupMove(Move.UNKNOWN_DEVICE, Optional.empty());
        }
        return jdbi.inTransaction(handle -> {
            // the device's current group, itself possibly null (a device that reported before it was registered)
            Optional<Optional<String>> before = handle.createQuery(GROUP_FOR_UPDATE).bind("deviceId", deviceId)
                    .map((rs, ctx) -> Optional.ofNullable(rs.getString("group_name"))).findFirst();
            if (before.isEmpty()) {
                return new GroupMove(Move.UNKNOWN_DEVICE, Optional.empty());
            }
            boolean already = before.get().equals(Optional.of(group));
            if (!already) {
                handle.createUpdate(MOVE).bind("deviceId", deviceId).bind("group", group).execute();
            }
            try {
                tell.tell();
            } catch (Exception e) {
                throw new NotTold(e);
            }
            return new GroupMove(already ? Move.ALREADY_THERE : Move.MOVED, before.get());
        });
    }

    /**
     * Ends the device's open connection (through the listener set with {@link #onAccessChanged}),
     * so it logs in again with what it may do now.
     */
    public void closeConnection(String deviceId, String reason) {
        onAccessChanged.accept(deviceId, reason);
    }

    /**
     * Who to tell when what a device's connection may do changed (credential rotated, moved to
     * another group): the embedded broker disconnects it, with the reason, so it logs in again.
     */
    public void onAccessChanged(BiConsumer<String, String> listener) {
        this.onAccessChanged = listener;
    }

    public Optional<Device> find(String deviceId) {
        return findStored(deviceId).map(StoredCredential::device);
    }

    private Optional<StoredCredential> findStored(String deviceId) {
        return jdbi.withHandle(h -> h.createQuery(FIND).bind("deviceId", deviceId)
                .map((rs, ctx) -> new StoredCredential(
                        new Device(rs.getString("device_id"), rs.getString("group_name"), rs.getString("name"),
                                rs.getString("location"), rs.getString("credential_hash") != null,
                                rs.getTimestamp("registered_at").toInstant(), rs.getString("registered_by")),
                        rs.getString("credential_hash")))
                .findOne());
    }

    /**
     * Checks a terminal's credential. Successful checks are remembered for a few minutes (in memory,
     * as an HMAC) so reconnect storms do not pay for PBKDF2 again.
     *
     * @return the device when the credential is right
     */
    public Optional<Device> authenticate(String deviceId, String credential) {
        if (deviceId == null || credential == null || !ID.matcher(deviceId).matches()) {
            return Optional.empty();
        }
        Optional<StoredCredential> stored = findStored(deviceId);
        if (stored.isEmpty() || stored.get().hash() == null) {
            return Optional.empty();
        }
        // The cache entry is tied to the stored hash, so a rotated credential is never taken from it.
        String cacheKey = deviceId + "\u0000" + stored.get().hash();
        if (verified.isVerified(cacheKey, credential)) {
            return Optional.of(stored.get().device());
        }
        if (PasswordHasher.verify(credential, stored.get().hash())) {
            verified.remember(cacheKey, credential);
            return Optional.of(stored.get().device());
        }
        return Optional.empty();
    }

    private record StoredCredential(Device device, String hash) {
    }

    /** Thrown when registering an id that is already registered. */
    public static final class DeviceAlreadyRegisteredException extends dev.signagefleet.telemetry.TelemetryException {
        public DeviceAlreadyRegisteredException(String deviceId) {
            super("device '" + deviceId + "' is already registered; to give it a new credential use: signage device rotate " + deviceId);
        }
    }
}
