package dev.signagefleet.agent.content;

import dev.signagefleet.agent.command.Command;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.connection.Backoff;
import dev.signagefleet.agent.logging.DeviceLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLSocketFactory;

/**
 * The content feature of one terminal: takes the assignments for the terminal and its group, and
 * puts the assigned package on screen. The device's own assignment wins over the group's; an empty
 * device assignment means "follow the group". A package is downloaded and installed on a content
 * worker, then switched to here, on the agent's serial executor, if it is still the one wanted.
 *
 * <p>Idempotent: an assignment of the version on screen, or of the one being fetched, changes
 * nothing (retained assignments arrive again on every reconnect), and an older version of the
 * group on screen is ignored. A failure keeps the current package and is reported until the next
 * switch; passing failures are retried with backoff, refusals slowly, broken packages not at all.
 * Confined to the agent's serial executor, except where it says otherwise.
 */
public final class ContentDelivery {

    /** What the rest of the agent reports; called on the serial executor. */
    public interface Listener {
        /** {@code version} is on screen now, and any earlier problem is over. */
        void switched(ContentVersion version);

        /** Why the assigned content is not on screen (e.g. {@code tokyo-east@4: sha256 mismatch (…)}). */
        void problem(String error);
    }

    /** Longest wait between retries of a passing failure (connection, 5xx, 429). */
    public static final Duration BACKOFF_CAP = Duration.ofMinutes(5);
    /** Retry of a refusal (401, 403, 404) or a local problem (disk): a random time between half of this and this. */
    public static final Duration SLOW_RETRY = Duration.ofMinutes(10);

    private final String deviceTopic;
    private final String retryTopic;
    private Optional<String> groupTopic;
    private final ContentStore store;
    private final PackageInstaller installer;
    private final Executor serial;
    private final ScheduledExecutorService scheduler;
    private final Executor worker;
    private final Backoff backoff;
    private final Listener listener;
    private final DeviceLog log;

    private Optional<ContentVersion> current = Optional.empty();
    private Optional<ContentAssignment> deviceAssignment = Optional.empty();
    private Optional<ContentAssignment> groupAssignment = Optional.empty();
    /** The assignment being downloaded or waiting for its retry. */
    private Optional<ContentAssignment> target = Optional.empty();
    /** The latest assignment whose package was broken; it is not fetched again. */
    private Optional<ContentAssignment> rejected = Optional.empty();
    private Job job;
    /** True while the worker runs something of this terminal (a download or the cleanup after it). */
    private boolean busy;
    private ScheduledFuture<?> retry;
    private int attempts;
    private boolean stopped;

    ContentDelivery(String deviceId, Optional<String> group, ContentStore store, PackageInstaller installer, Executor serial,
            ScheduledExecutorService scheduler, Executor worker, Backoff backoff, Listener listener) {
        this.deviceTopic = deviceTopic(deviceId);
        this.retryTopic = retryTopic(deviceId);
        this.groupTopic = group.map(ContentDelivery::groupTopic);
        this.store = Objects.requireNonNull(store, "store");
        this.installer = Objects.requireNonNull(installer, "installer");
        this.serial = Objects.requireNonNull(serial, "serial");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.worker = Objects.requireNonNull(worker, "worker");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.log = new DeviceLog(ContentDelivery.class, deviceId);
    }

    /**
     * The content feature of the terminal {@code config} describes, storing under
     * {@code {content.dir}/{device.id}} and downloading with the device credential.
     *
     * @param group  the group whose assignments it follows (see {@code GroupMembership}); the terminal's own win
     * @param tls    the MQTT connection's TLS, also used for https downloads; empty for the JVM's default
     * @param worker where downloads run (see {@link ContentWorkers})
     */
    public static ContentDelivery forConfig(AgentConfig config, Optional<String> group, Optional<SSLSocketFactory> tls,
            String userAgent, Executor serial, ScheduledExecutorService scheduler, Executor worker, Listener listener) {
        ContentStore store = new ContentStore(config.deviceContentDir());
        PackageDownloader downloader = new PackageDownloader(config.deviceId(), config.mqttPassword(), tls, userAgent);
        PackageInstaller installer = new PackageInstaller(store, downloader,
                PackageUnpacker.forMaxPackageBytes(config.contentMaxBytes()), config.contentMaxBytes());
        Duration base = config.reconnectBase();
        Backoff backoff = new Backoff(base, base.compareTo(BACKOFF_CAP) > 0 ? base : BACKOFF_CAP, RandomGenerator.getDefault());
        return new ContentDelivery(config.deviceId(), group, store, installer, serial, scheduler, worker,
                backoff, listener);
    }

    public static String deviceTopic(String deviceId) {
        return Command.deviceTopic(deviceId, "content");
    }

    /**
     * Where an operator asks this terminal to try its assigned content again now (not retained):
     * a package refused as broken is fetched again, a wait before the next retry is cut short.
     */
    public static String retryTopic(String deviceId) {
        return Command.deviceTopic(deviceId, "content-retry");
    }

    public static String groupTopic(String group) {
        return Command.groupTopic(group, "content");
    }

    /**
     * Reads which package is on screen (from {@code current}) and clears what an interrupted
     * download left behind.
     *
     * @return the version on screen, to be reported from the first status
     */
    public Optional<ContentVersion> start() {
        try {
            current = store.current();
            current.ifPresent(version -> log.info("showing content " + version + " from " + store.versionDir(version)));
        } catch (ContentException e) {
            log.warn("no usable content on disk (" + e.reason() + "); waiting for an assignment");
        }
        cleanUp(Optional.empty());
        return current;
    }

    /** True for the two assignment topics and the retry topic; other commands are not this feature's. */
    public boolean handles(String topic) {
        return topic.equals(deviceTopic) || topic.equals(retryTopic) || groupTopic.map(topic::equals).orElse(false);
    }

    /** An assignment (or an empty payload) on one of the {@link #handles handled} topics. */
    public void received(Command command) {
        if (command.topic().equals(retryTopic)) {
            if (!command.retained()) {
                retryNow();
            }
            return;
        }
        boolean forDevice = command.topic().equals(deviceTopic);
        Optional<ContentAssignment> assignment;
        try {
            assignment = ContentAssignment.fromPayload(command.payload());
        } catch (InvalidAssignmentException e) {
            String error = "invalid assignment on " + command.topic() + ": " + e.getMessage();
            log.warn("ignoring an " + error + "; still showing " + showing());
            listener.problem(error);
            return;
        }
        if (forDevice) {
            deviceAssignment = assignment;
            if (assignment.isEmpty()) {
                log.info("no assignment of this terminal's own; following its group's");
            }
        } else {
            groupAssignment = assignment;
            if (deviceAssignment.isPresent()) {
                assignment.ifPresent(group -> log.info("group assignment " + group.describeForLog() + " noted; this terminal's own, "
                        + deviceAssignment.get().version() + ", takes precedence"));
                return;
            }
        }
        reconcile();
    }

    /**
     * The terminal moved to another group: the old group's assignment no longer applies, and the
     * new group's arrives as the retained message of its topic. Until then the content on screen
     * stays (a download of the old group's package is abandoned); an assignment of this terminal's
     * own still wins.
     */
    public void groupChanged(Optional<String> group) {
        groupTopic = group.map(ContentDelivery::groupTopic);
        groupAssignment = Optional.empty();
        log.info("now following the content of group " + group.orElse("(none)") + "; still showing " + showing()
                + " until its assignment arrives");
        reconcile();
    }

    /**
     * The operator's "try again": forgets that the assigned package was broken and any wait before
     * the next attempt. Idempotent: with the assigned content on screen, or a download running, it
     * changes nothing.
     */
    private void retryNow() {
        log.info("asked to try the assigned content again now");
        rejected = Optional.empty();
        if (retry != null) {
            retry.cancel(false);
            retry = null;
            attempts = 0;
        }
        if (target.isPresent()) {
            startIfIdle();
        } else {
            reconcile();
        }
    }

    /** Cancels a download and any retry; the package on screen stays. */
    public void stop() {
        stopped = true;
        abandonTarget();
    }

    private void reconcile() {
        Optional<ContentAssignment> wanted = deviceAssignment.or(() -> groupAssignment);
        if (wanted.isEmpty()) {
            abandonTarget(); // withdrawn: keep showing what is on screen
            return;
        }
        ContentAssignment assignment = wanted.get();
        if (current.equals(Optional.of(assignment.version()))) {
            abandonTarget();
            log.info("content " + assignment.describeForLog() + " is already on screen");
            return;
        }
        if (current.isPresent() && assignment.version().isOlderThan(current.get())) {
            log.info("ignoring the assignment of " + assignment.describeForLog() + ": older than " + current.get()
                    + " on screen, and assignments never move a terminal backwards");
            return;
        }
        if (target.equals(wanted)) {
            return; // being downloaded, or waiting for its retry
        }
        if (rejected.equals(wanted)) {
            log.info("not fetching " + assignment.describeForLog() + " again: its package was broken; waiting for another assignment");
            return;
        }
        target.ifPresent(previous -> log.info("assignment " + assignment.version() + " replaces " + previous.version()));
        abandonTarget();
        target = wanted;
        log.info("content " + assignment.describeForLog() + " assigned" + (deviceAssignment.isPresent() ? " to this terminal" : " to its group")
                + "; fetching " + assignment.size() + " bytes from " + assignment.url());
        startIfIdle();
    }

    private void abandonTarget() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        if (job != null) {
            job.cancelled = true; // the worker stops at its next chunk; the result is then ignored
        }
        target = Optional.empty();
        attempts = 0;
    }

    private void startIfIdle() {
        if (stopped || busy || retry != null || target.isEmpty()) {
            return;
        }
        Job started = new Job(target.get());
        job = started;
        runOnWorker(() -> {
            PackageInstaller.Outcome outcome = installer.install(started.assignment, () -> started.cancelled);
            serial.execute(() -> installed(started, outcome));
        });
    }

    private void installed(Job finished, PackageInstaller.Outcome outcome) {
        job = null;
        if (stopped) {
            return;
        }
        Optional<Path> unwanted = Optional.empty();
        if (outcome instanceof PackageInstaller.Failed failed) {
            if (wanted(finished)) {
                failed(finished.assignment, failed.cause());
            }
        } else if (outcome instanceof PackageInstaller.Installed installed) {
            if (wanted(finished)) {
                switchTo(finished.assignment);
            } else if (!current.equals(Optional.of(finished.assignment.version()))) {
                unwanted = Optional.of(installed.dir()); // superseded while it was fetched
            }
        }
        cleanUp(unwanted);
    }

    private boolean wanted(Job finished) {
        return !finished.cancelled && target.equals(Optional.of(finished.assignment));
    }

    private void switchTo(ContentAssignment assignment) {
        try {
            store.switchTo(assignment.version());
        } catch (ContentException e) {
            failed(assignment, e);
            return;
        }
        String before = showing();
        current = Optional.of(assignment.version());
        target = Optional.empty();
        rejected = Optional.empty();
        attempts = 0;
        log.info("switched to content " + assignment.describeForLog() + " (was " + before + ")");
        listener.switched(assignment.version());
    }

    private void failed(ContentAssignment assignment, ContentException cause) {
        Duration wait = switch (cause.retry()) {
            case SOON -> backoff.delay(++attempts);
            case LATER -> slowRetry();
            case NEVER -> null;
        };
        log.warn("content " + assignment.describeForLog() + " not applied: " + cause.reason() + "; still showing " + showing()
                + (wait == null ? "; not retried until another assignment arrives" : "; retrying in " + seconds(wait)));
        if (wait == null) {
            rejected = Optional.of(assignment);
            target = Optional.empty();
        } else {
            retry = scheduler.schedule(() -> serial.execute(this::retryDue), wait.toMillis(), TimeUnit.MILLISECONDS);
        }
        listener.problem(assignment.version() + ": " + cause.reason());
    }

    private void retryDue() {
        retry = null;
        startIfIdle();
    }

    /** Clears tmp/, old packages and {@code unwanted} on the worker, then takes the next job, if any. */
    private void cleanUp(Optional<Path> unwanted) {
        runOnWorker(() -> {
            try {
                unwanted.ifPresent(ContentStore::deleteQuietly);
                List<String> deleted = store.prune();
                if (!deleted.isEmpty()) {
                    log.info("deleted old content " + deleted);
                }
            } catch (ContentException e) {
                log.warn("cleaning up old content failed: " + e.reason());
            } finally {
                serial.execute(this::idle);
            }
        });
    }

    private void idle() {
        busy = false;
        startIfIdle();
    }

    /** Only one task of this terminal is ever on the worker: downloads and clean-ups never overlap. */
    private void runOnWorker(Runnable task) {
        busy = true;
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            busy = false;
            job = null;
            log.warn("the content worker refused work (shut down?): " + e);
        }
    }

    private String showing() {
        return current.map(String::valueOf).orElse("no content");
    }

    private static Duration slowRetry() {
        long half = SLOW_RETRY.toMillis() / 2;
        return Duration.ofMillis(half + RandomGenerator.getDefault().nextLong(half + 1));
    }

    private static String seconds(Duration wait) {
        return wait.toMillis() < 10_000 ? wait.toMillis() + " ms" : wait.toSeconds() + " s";
    }

    /** One download; {@code cancelled} is read by the worker. */
    private static final class Job {
        final ContentAssignment assignment;
        volatile boolean cancelled;

        Job(ContentAssignment assignment) {
            this.assignment = assignment;
        }
    }
}
