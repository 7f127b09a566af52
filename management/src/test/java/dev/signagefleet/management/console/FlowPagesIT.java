package dev.signagefleet.management.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.management.ManagementServer;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleSessions;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.LoginThrottle;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The event flow read from real outbox, inbox and dead-letter rows in PostgreSQL: who published,
 * who handled and how fast, who is still waited for, and one upload followed end to end.
 */
class FlowPagesIT {

    private static Console console;

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final String UPLOAD_A = "upload-6f1c2a44-0d7e-4c55-9a39-3f7e2f1b0a11";
    private static final String UPLOAD_C = "upload-0b7d9f52-1c44-4e0e-8d35-6a2c5e9d7f01";
    private static final String UPLOAD_D = "upload-2c8e1a63-5b77-4f9a-9e12-7d3f6b0c8e22";
    private static final String REGISTERED = "signage.elements.registered.v1";
    private static final String BUILD_STARTED = "signage.content.build-started.v1";
    private static final String BUILT = "signage.content.built.v1";
    private static final String CONTENT_REGISTERED = "signage.content.registered.v1";
    private static final String OFFLINE = "signage.device.offline.v1";
    private static final String INGEST = "/signage/csv-ingest";
    private static final String BUILDER = "/signage/content-builder";
    private static final String REGISTRY = "/signage/content-registry";

    private static FlowQueries queries;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static ManagementServer server;
    private static UUID registeredA;
    private static UUID deadLettered;
    private static UUID builtA;
    private static UUID contentRegisteredA;
    private static UUID pendingBuilt;
    private static UUID offline;

    @BeforeAll
    static void seed() {
        queries = new FlowQueries(db.jdbi());
        // An older upload: csv-ingest handled content.registered before, so it is expected to again.
        UUID older = published(INGEST, REGISTERED, "upload-older", at(-300), 1);
        handled("content-builder", older, at(-300).plusSeconds(3));
        UUID olderRegistered = published(REGISTRY, CONTENT_REGISTERED, "upload-older", at(-299), 1);
        handled("csv-ingest", olderRegistered, at(-299).plusSeconds(2));
        UUID twoHoursAgo = published(INGEST, REGISTERED, "upload-two-hours", at(-120), 1);
        handled("content-builder", twoHoursAgo, at(-120).plusSeconds(1));

        UUID early = published(INGEST, REGISTERED, "upload-early", at(-20), 1);
        handled("content-builder", early, at(-20).plusSeconds(1).plusSeconds(4));
        // Upload A, end to end but for the last step.
        registeredA = published(INGEST, REGISTERED, UPLOAD_A, at(-10), 1);
        handled("content-builder", registeredA, at(-10).plusSeconds(1).plusSeconds(2));
        UUID started = published(BUILDER, BUILD_STARTED, UPLOAD_A, at(-9), 1);
        handled("csv-ingest", started, at(-9).plusSeconds(1).plusSeconds(1));
        builtA = published(BUILDER, BUILT, UPLOAD_A, at(-8), 1);
        handled("csv-ingest", builtA, at(-8).plusSeconds(1).plusSeconds(1));
        handled("content-registry", builtA, at(-8).plusSeconds(1).plusSeconds(3));
        contentRegisteredA = published(REGISTRY, CONTENT_REGISTERED, UPLOAD_A, at(-7), 1);
        // Upload C: the builder gave up on it.
        deadLettered = published(INGEST, REGISTERED, UPLOAD_C, at(-5), 1);
        db.jdbi().useHandle(h -> h.execute("INSERT INTO dead_letters (queue, message_id, event_id, event_type, correlation_id, "
                + "payload, reason, receive_count, dead_at) VALUES ('signage-content-builder', 'm-1', ?, ?, ?, '{}', "
                + "'slide s-9: image too large', 5, ?)", deadLettered.toString(), REGISTERED, UPLOAD_C, Timestamp.from(at(-3))));
        // Upload D: one event waits for the queue, one was refused for good.
        pendingBuilt = outbox(BUILDER, BUILT, UPLOAD_D, at(-4), null, null, 2, "queue unreachable");
        outbox(REGISTRY, CONTENT_REGISTERED, UPLOAD_D, at(-3), null, at(-3).plusSeconds(1), 1, "refused: not authorized");
        // A device event on MQTT: no inbox records its subscribers.
        offline = outbox("/signage/telemetry-consumer", OFFLINE, "device:dev-1", at(-1), at(-1).plusSeconds(1), null, 1, null);

        ConsoleUsers users = new ConsoleUsers(db.jdbi(), new MutableClock(NOW));
        users.upsert("viewer", "viewer password 1", Role.VIEWER);
        MutableClock clock = new MutableClock(NOW);
        AuthGate gate = new AuthGate(users, new LoginThrottle(clock), new ConsoleSessions(db.jdbi(), clock));
        console = new Console(gate, ZoneOffset.UTC, clock);
        server = ManagementServer.start(new ManagementServer.Options("127.0.0.1", 0), gate,
                List.of(new FlowPages(console, db.jdbi())), console.problemPage());
    }

    @AfterAll
    static void stop() {
        console.live().close(); // before the server: open streams need their responses
        server.close();
    }

    private static Instant at(int minutes) {
        return NOW.plus(Duration.ofMinutes(minutes));
    }

    /** An event the relay published one second after it occurred. */
    private static UUID published(String source, String type, String correlation, Instant occurred, int attempts) {
        return outbox(source, type, correlation, occurred, occurred.plusSeconds(1), null, attempts, null);
    }

    private static UUID outbox(String source, String type, String correlation, Instant occurred, Instant published,
                               Instant parked, int attempts, String lastError) {
        UUID id = UUID.randomUUID();
        db.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO outbox (event_id, source, type, subject, occurred_at, correlation_id, data, published_at,
                                            parked_at, attempts, last_error)
                        VALUES (:id, :source, :type, :subject, :occurred, :correlation, '{}'::jsonb, :published, :parked,
                                :attempts, :error)
                        """)
                .bind("id", id).bind("source", source).bind("type", type).bind("subject", "subject-" + type)
                .bind("occurred", Timestamp.from(occurred)).bind("correlation", correlation)
                .bind("published", published == null ? null : Timestamp.from(published))
                .bind("parked", parked == null ? null : Timestamp.from(parked))
                .bind("attempts", attempts).bind("error", lastError)
                .execute());
        return id;
    }

    private static void handled(String consumer, UUID eventId, Instant at) {
        db.jdbi().useHandle(h -> h.execute("INSERT INTO inbox (consumer, event_id, handled_at) VALUES (?, ?, ?)",
                consumer, eventId.toString(), Timestamp.from(at)));
    }

    private static Map<String, FlowQueries.TypeFlow> byType(List<FlowQueries.TypeFlow> flows) {
        return flows.stream().collect(Collectors.toMap(FlowQueries.TypeFlow::type, Function.identity()));
    }

    private static FlowQueries.Edge edge(FlowQueries.TypeFlow flow, String consumer) {
        return flow.edges().stream().filter(e -> e.consumer().equals(consumer)).findFirst().orElseThrow();
    }

    @Test
    void theLastHourShowsWhoPublishedWhatAndWhoHandledItHowFast() {
        Map<String, FlowQueries.TypeFlow> flows = byType(queries.summary(FlowQueries.Window.since(at(-60)), at(-24 * 60)));

        assertThat(flows.keySet()).containsExactlyInAnyOrder(REGISTERED, BUILD_STARTED, BUILT, CONTENT_REGISTERED, OFFLINE);
        FlowQueries.TypeFlow registered = flows.get(REGISTERED);
        assertThat(registered.publisher()).isEqualTo("csv-ingest");
        assertThat(registered.events()).isEqualTo(3);
        assertThat(registered.deadLettered()).isEqualTo(1);
        assertThat(registered.edges()).containsExactly(new FlowQueries.Edge("content-builder", 2, 1, 0, Duration.ofSeconds(3)));

        FlowQueries.TypeFlow built = flows.get(BUILT);
        assertThat(built.publisher()).isEqualTo("content-builder");
        assertThat(built.events()).isEqualTo(2);
        assertThat(built.published()).isEqualTo(1);
        assertThat(built.pending()).isEqualTo(1);
        assertThat(built.edges()).extracting(FlowQueries.Edge::consumer).containsExactly("content-registry", "csv-ingest");
        assertThat(edge(built, "content-registry")).isEqualTo(new FlowQueries.Edge("content-registry", 1, 0, 0, Duration.ofSeconds(3)));

        FlowQueries.TypeFlow contentRegistered = flows.get(CONTENT_REGISTERED);
        assertThat(contentRegistered.parked()).isEqualTo(1);
        assertThat(contentRegistered.edges()).containsExactly(new FlowQueries.Edge("csv-ingest", 0, 0, 1, null));

        assertThat(flows.get(OFFLINE).publisher()).isEqualTo("telemetry-consumer");
        assertThat(flows.get(OFFLINE).edges()).isEmpty();
    }

    @Test
    void oneCorrelationIdIsFollowedFromEndToEnd() {
        Map<String, FlowQueries.TypeFlow> flows = byType(queries.summary(FlowQueries.Window.correlation(UPLOAD_A), at(-24 * 60)));
        assertThat(flows.keySet()).containsExactlyInAnyOrder(REGISTERED, BUILD_STARTED, BUILT, CONTENT_REGISTERED);
        assertThat(flows.values()).allSatisfy(f -> assertThat(f.events()).isEqualTo(1));
        assertThat(edge(flows.get(CONTENT_REGISTERED), "csv-ingest").waiting()).isEqualTo(1);

        List<FlowQueries.FlowEvent> events = queries.latest(UPLOAD_A, 50, queries.consumersByType(at(-24 * 60)));
        assertThat(events).extracting(FlowQueries.FlowEvent::type).containsExactly(CONTENT_REGISTERED, BUILT, BUILD_STARTED, REGISTERED);
        assertThat(events).allSatisfy(e -> assertThat(e.uploadId()).hasValue("6f1c2a44-0d7e-4c55-9a39-3f7e2f1b0a11"));
    }

    @Test
    void theLatestEventsSayWhoHandledThemWhoIsAwaitedAndWhatWasDeadLettered() {
        Map<String, Set<String>> known = queries.consumersByType(at(-24 * 60));
        assertThat(known).containsEntry(REGISTERED, Set.of("content-builder"))
                .containsEntry(BUILT, Set.of("content-registry", "csv-ingest"))
                .containsEntry(CONTENT_REGISTERED, Set.of("csv-ingest"))
                .doesNotContainKey(OFFLINE);

        List<FlowQueries.FlowEvent> events = queries.latest(null, 50, known);
        Map<UUID, FlowQueries.FlowEvent> byId = events.stream().collect(Collectors.toMap(FlowQueries.FlowEvent::eventId, e -> e));
        assertThat(events).hasSize(12);
        assertThat(events.get(0).eventId()).isEqualTo(offline);
        assertThat(events.get(0).deviceId()).hasValue("dev-1");
        assertThat(events.get(0).handledBy()).isEmpty();
        assertThat(events.get(0).waitingFor()).isEmpty();

        FlowQueries.FlowEvent built = byId.get(builtA);
        assertThat(built.delivery()).isEqualTo("published");
        assertThat(built.handledBy()).extracting(FlowQueries.Handling::consumer).containsExactly("csv-ingest", "content-registry");
        assertThat(built.delay(built.handledBy().get(1))).isEqualTo(Duration.ofSeconds(3));
        assertThat(built.waitingFor()).isEmpty();

        assertThat(byId.get(contentRegisteredA).waitingFor()).containsExactly("csv-ingest");
        FlowQueries.FlowEvent dead = byId.get(deadLettered);
        assertThat(dead.waitingFor()).isEmpty();
        assertThat(dead.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.queue()).isEqualTo("signage-content-builder");
            assertThat(d.state()).isEqualTo("dead");
            assertThat(d.reason()).contains("image too large");
        });

        FlowQueries.FlowEvent pending = byId.get(pendingBuilt);
        assertThat(pending.delivery()).isEqualTo("pending");
        assertThat(pending.lastError()).isEqualTo("queue unreachable");
        assertThat(pending.waitingFor()).as("nobody waits for what was not published").isEmpty();
        assertThat(events).filteredOn(e -> e.delivery().equals("parked")).singleElement()
                .satisfies(e -> assertThat(e.lastError()).startsWith("refused"));
        assertThat(byId.get(registeredA).uploadId()).hasValue("6f1c2a44-0d7e-4c55-9a39-3f7e2f1b0a11");
    }

    @Test
    void theFlowPageDrawsTheSummaryAndListsTheEvents() throws Exception {
        HttpResponse<String> page = get("/console/flow");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<svg class=\"flow-diagram\"", "elements.registered.v1", "content-builder",
                "data-live=\"/console/live/flow\"", "href=\"/console/uploads/6f1c2a44-0d7e-4c55-9a39-3f7e2f1b0a11\"",
                "slide s-9: image too large", "queue unreachable", "href=\"/console/devices/dev-1\"");
        assertThat(page.body()).as("dead letters are opened by admins only").doesNotContain("/console/dead-letters/");

        HttpResponse<String> followed = get("/console/flow?correlation=" + UPLOAD_A);
        assertThat(followed.statusCode()).isEqualTo(200);
        assertThat(followed.body()).contains("data-live=\"/console/live/flow?correlation=" + UPLOAD_A + "\"")
                .doesNotContain(UPLOAD_C, "dev-1");
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("viewer:viewer password 1".getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
