package dev.signagefleet.management.console;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

import static dev.signagefleet.common.db.Columns.instant;

/**
 * How events moved between the services, read from the delivery plumbing every service shares:
 * {@code outbox} (who published what, and whether the relay sent it), {@code inbox} (which consumer
 * handled it, and when) and {@code dead_letters} (which queue gave up on it). No table is written.
 * A consumer "waits" for an event when it handled events of that type within {@link #KNOWN_CONSUMERS}
 * but has no inbox row for this one: nobody declares subscriptions here, the inbox shows them.
 */
public final class FlowQueries {

    /** How far back a consumer's handling of a type makes it an expected consumer of that type. */
    public static final Duration KNOWN_CONSUMERS = Duration.ofDays(1);

    private static final Pattern UPLOAD = Pattern.compile(
            "^upload-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$");
    private static final Pattern DEVICE = Pattern.compile("^device:([A-Za-z0-9_-]{1,64})$");

    // Events of the window: the last hour, or every event of one correlation id.
    private static final String BY_TIME = "occurred_at >= :since";
    private static final String BY_CORRELATION = "correlation_id = :correlation";

    private static final String TYPE_FLOWS = """
            SELECT o.source, o.type, count(*) AS events,
                   count(*) FILTER (WHERE o.published_at IS NOT NULL) AS published,
                   count(*) FILTER (WHERE o.published_at IS NULL AND o.parked_at IS NULL) AS pending,
                   count(*) FILTER (WHERE o.parked_at IS NOT NULL) AS parked,
                   count(d.event_id) AS dead_lettered
            FROM outbox o
            LEFT JOIN (SELECT DISTINCT event_id FROM dead_letters WHERE state = 'dead') d ON d.event_id = o.event_id::text
            WHERE o.%s
            GROUP BY o.source, o.type
            ORDER BY o.source, o.type
            """;
    // An edge per consumer that handled the type lately; each event of the window is handled by it,
    // dead-lettered on its queue ({prefix}{consumer}), or still waited for once published.
    private static final String EDGES = """
            WITH recent AS (
                SELECT event_id::text AS id, source, type, published_at FROM outbox WHERE %s
            ), edges AS (
                SELECT DISTINCT o.source, o.type, i.consumer
                FROM outbox o JOIN inbox i ON i.event_id = o.event_id::text
                WHERE o.occurred_at >= :knownSince AND (o.source, o.type) IN (SELECT source, type FROM recent)
            )
            SELECT e.source, e.type, e.consumer,
                   count(i.event_id) AS handled,
                   count(*) FILTER (WHERE i.event_id IS NULL AND d.event_id IS NOT NULL) AS dead,
                   count(*) FILTER (WHERE i.event_id IS NULL AND d.event_id IS NULL AND r.published_at IS NOT NULL) AS waiting,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.handled_at - r.published_at))
                       FILTER (WHERE i.handled_at >= r.published_at) AS median_seconds
            FROM edges e
            JOIN recent r ON r.source = e.source AND r.type = e.type
            LEFT JOIN inbox i ON i.consumer = e.consumer AND i.event_id = r.id
            LEFT JOIN LATERAL (
                SELECT dl.event_id FROM dead_letters dl
                WHERE dl.event_id = r.id AND dl.state = 'dead' AND right(dl.queue, length(e.consumer)) = e.consumer
                LIMIT 1
            ) d ON true
            GROUP BY e.source, e.type, e.consumer
            ORDER BY e.source, e.type, e.consumer
            """;
    private static final String LATEST = """
            SELECT position, event_id, source, type, subject, occurred_at, correlation_id, published_at, parked_at,
                   attempts, last_error
            FROM outbox
            %s
            ORDER BY position DESC
            LIMIT :limit
            """;
    private static final String HANDLED = """
            SELECT event_id, consumer, handled_at FROM inbox WHERE event_id = ANY(:ids) ORDER BY handled_at, consumer
            """;
    private static final String DEAD = """
            SELECT id, event_id, queue, state, reason FROM dead_letters WHERE event_id = ANY(:ids) ORDER BY id
            """;
    private static final String CONSUMERS_BY_TYPE = """
            SELECT DISTINCT o.type, i.consumer
            FROM outbox o JOIN inbox i ON i.event_id = o.event_id::text
            WHERE o.occurred_at >= :since
            """;

    private final Jdbi jdbi;

    public FlowQueries(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Which events to look at: those since an instant, or every event of one correlation id. */
    public record Window(Instant since, String correlationId) {

        public static Window since(Instant since) {
            return new Window(since, null);
        }

        public static Window correlation(String correlationId) {
            return new Window(null, correlationId);
        }

        private String condition() {
            return correlationId == null ? BY_TIME : BY_CORRELATION;
        }
    }

    /** Events of one type from one service in the window, and who consumed them. */
    public record TypeFlow(String publisher, String type, long events, long published, long pending, long parked,
                           long deadLettered, List<Edge> edges) {
    }

    /**
     * One consumer of a type: events it handled, events dead-lettered on its queue, published events
     * it has not handled yet, and the median time from publication to its inbox row (null if none).
     */
    public record Edge(String consumer, long handled, long dead, long waiting, Duration medianDelay) {
    }

    /** Per publishing service and event type, the events of the window and their consumers. */
    public List<TypeFlow> summary(Window window, Instant knownSince) {
        return jdbi.withHandle(h -> {
            Map<String, List<Edge>> edges = new LinkedHashMap<>();
            bindWindow(h.createQuery(EDGES.formatted(window.condition())), window)
                    .bind("knownSince", Timestamp.from(knownSince))
                    .map((rs, ctx) -> Map.entry(key(rs.getString("source"), rs.getString("type")), edge(rs)))
                    .forEach(e -> edges.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            return bindWindow(h.createQuery(TYPE_FLOWS.formatted(window.condition())), window)
                    .map((rs, ctx) -> new TypeFlow(service(rs.getString("source")), rs.getString("type"), rs.getLong("events"),
                            rs.getLong("published"), rs.getLong("pending"), rs.getLong("parked"), rs.getLong("dead_lettered"),
                            List.copyOf(edges.getOrDefault(key(rs.getString("source"), rs.getString("type")), List.of()))))
                    .list();
        });
    }

    /** A consumer's inbox row for an event. */
    public record Handling(String consumer, Instant handledAt) {
    }

    /** A dead letter of an event (its queue gave up on it). */
    public record DeadLetterMark(long id, String queue, String state, String reason) {
    }

    /**
     * One event as it moved: published (or pending, or parked with the transport's last error), the
     * consumers that handled it, those still expected to, and its dead letters.
     */
    public record FlowEvent(long position, UUID eventId, String publisher, String type, String subject, Instant occurredAt,
                            String correlationId, Instant publishedAt, Instant parkedAt, int attempts, String lastError,
                            List<Handling> handledBy, List<String> waitingFor, List<DeadLetterMark> deadLetters) {

        /** {@code published}, {@code parked} (refused for good by the transport) or {@code pending}. */
        public String delivery() {
            return publishedAt != null ? "published" : parkedAt != null ? "parked" : "pending";
        }

        /** The upload this event belongs to, when its correlation id is {@code upload-<uuid>}. */
        public Optional<String> uploadId() {
            Matcher m = UPLOAD.matcher(correlationId == null ? "" : correlationId);
            return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
        }

        /** The terminal this event is about, when its correlation id is {@code device:<id>}. */
        public Optional<String> deviceId() {
            Matcher m = DEVICE.matcher(correlationId == null ? "" : correlationId);
            return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
        }

        /** Time from the event to its publication by the relay, or null while it is not published. */
        public Duration publishDelay() {
            return publishedAt == null || publishedAt.isBefore(occurredAt) ? null : Duration.between(occurredAt, publishedAt);
        }

        /** Time from publication to a consumer's inbox row, or null. */
        public Duration delay(Handling handling) {
            return publishedAt == null || handling.handledAt().isBefore(publishedAt) ? null
                    : Duration.between(publishedAt, handling.handledAt());
        }
    }

    /**
     * The newest events, newest first, optionally of one correlation id.
     *
     * @param consumersByType expected consumers per event type (see {@link #consumersByType})
     */
    public List<FlowEvent> latest(String correlationId, int limit, Map<String, Set<String>> consumersByType) {
        return jdbi.withHandle(h -> {
            // Two statements rather than "(:c IS NULL OR ...)": a generic plan of that could not use the correlation index.
            Query query = h.createQuery(LATEST.formatted(correlationId == null ? "" : "WHERE " + BY_CORRELATION))
                    .bind("limit", limit);
            if (correlationId != null) {
                query.bind("correlation", correlationId);
            }
            List<FlowEvent> rows = query.map((rs, ctx) -> event(rs)).list();
            if (rows.isEmpty()) {
                return rows;
            }
            List<String> ids = rows.stream().map(e -> e.eventId().toString()).toList();
            Map<String, List<Handling>> handled = new LinkedHashMap<>();
            h.createQuery(HANDLED).bindArray("ids", String.class, ids)
                    .map((rs, ctx) -> Map.entry(rs.getString("event_id"), new Handling(rs.getString("consumer"), instant(rs, "handled_at"))))
                    .forEach(e -> handled.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            Map<String, List<DeadLetterMark>> dead = new LinkedHashMap<>();
            h.createQuery(DEAD).bindArray("ids", String.class, ids)
                    .map((rs, ctx) -> Map.entry(rs.getString("event_id"), new DeadLetterMark(rs.getLong("id"), rs.getString("queue"),
                            rs.getString("state"), rs.getString("reason"))))
                    .forEach(e -> dead.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            List<FlowEvent> events = new ArrayList<>(rows.size());
            for (FlowEvent e : rows) {
                String id = e.eventId().toString();
                List<Handling> by = List.copyOf(handled.getOrDefault(id, List.of()));
                List<DeadLetterMark> letters = List.copyOf(dead.getOrDefault(id, List.of()));
                events.add(new FlowEvent(e.position(), e.eventId(), e.publisher(), e.type(), e.subject(), e.occurredAt(),
                        e.correlationId(), e.publishedAt(), e.parkedAt(), e.attempts(), e.lastError(), by,
                        waiting(e, by, letters, consumersByType.getOrDefault(e.type(), Set.of())), letters));
            }
            return events;
        });
    }

    /** Every consumer that handled events of each type published since an instant. */
    public Map<String, Set<String>> consumersByType(Instant since) {
        Map<String, Set<String>> byType = new TreeMap<>();
        jdbi.useHandle(h -> h.createQuery(CONSUMERS_BY_TYPE).bind("since", Timestamp.from(since))
                .map((rs, ctx) -> Map.entry(rs.getString("type"), rs.getString("consumer")))
                .forEach(e -> byType.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(e.getValue())));
        return byType;
    }

    /** Expected consumers without an inbox row nor a dead letter on their queue, once the event left. */
    private static List<String> waiting(FlowEvent e, List<Handling> handled, List<DeadLetterMark> letters, Set<String> expected) {
        if (e.publishedAt() == null) {
            return List.of();
        }
        Set<String> waiting = new LinkedHashSet<>(expected);
        handled.forEach(x -> waiting.remove(x.consumer()));
        letters.stream().filter(d -> d.state().equals("dead"))
                .forEach(d -> waiting.removeIf(consumer -> d.queue().endsWith(consumer)));
        return List.copyOf(waiting);
    }

    private static Edge edge(ResultSet rs) throws SQLException {
        double median = rs.getDouble("median_seconds");
        Duration delay = rs.wasNull() ? null : Duration.ofMillis(Math.round(median * 1000));
        return new Edge(rs.getString("consumer"), rs.getLong("handled"), rs.getLong("dead"), rs.getLong("waiting"), delay);
    }

    private static FlowEvent event(ResultSet rs) throws SQLException {
        return new FlowEvent(rs.getLong("position"), rs.getObject("event_id", UUID.class), service(rs.getString("source")),
                rs.getString("type"), rs.getString("subject"), instant(rs, "occurred_at"), rs.getString("correlation_id"),
                instant(rs, "published_at"), instant(rs, "parked_at"), rs.getInt("attempts"), rs.getString("last_error"),
                List.of(), List.of(), List.of());
    }

    private static Query bindWindow(Query query, Window window) {
        return window.correlationId() == null ? query.bind("since", Timestamp.from(window.since()))
                : query.bind("correlation", window.correlationId());
    }

    /** A CloudEvents source such as {@code /signage/csv-ingest} as the service's name. */
    static String service(String source) {
        if (source == null) {
            return "?";
        }
        int slash = source.lastIndexOf('/');
        return slash >= 0 && slash < source.length() - 1 ? source.substring(slash + 1) : source;
    }

    private static String key(String source, String type) {
        return source + '\n' + type;
    }

}
