package dev.signagefleet.management.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.signagefleet.common.json.Json;
import io.javalin.http.sse.SseClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live parts of console pages over server-sent events. Each open page registers the part it shows
 * (a renderer of that HTML fragment); every {@link #PERIOD_MS} ms the fragment is rendered again
 * and sent only if it changed, so an idle page costs one render per period and no traffic. The
 * browser swaps the fragment in (console.js); without JavaScript the page is simply static.
 */
public final class LiveFragments implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LiveFragments.class);
    static final long PERIOD_MS = 2000;
    /** Browsers are many tabs; bound what one console serves at once. */
    static final int MAX_CLIENTS = 200;

    private final Map<SseClient, Watched> clients = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-live");
        t.setDaemon(true);
        return t;
    });

    /** How often a stream checks that its viewer is still signed in. */
    static final long RECHECK_EVERY_MS = 30_000;

    private static final class Watched {
        final Supplier<String> renderer;
        final BooleanSupplier stillAllowed;
        String last;
        long checkedAt = System.currentTimeMillis();

        Watched(Supplier<String> renderer, BooleanSupplier stillAllowed, String first) {
            this.renderer = renderer;
            this.stillAllowed = stillAllowed;
            this.last = first;
        }
    }

    public LiveFragments() {
        timer.scheduleWithFixedDelay(this::refresh, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Keeps the event stream open and sends the fragment whenever it changes, until
     * {@code stillAllowed} says no (checked every {@value #RECHECK_EVERY_MS} ms): a signed-out
     * viewer stops getting updates.
     */
    public void watch(SseClient client, Supplier<String> renderer, BooleanSupplier stillAllowed) {
        if (clients.size() >= MAX_CLIENTS) {
            client.sendComment("too many live pages open; reload later");
            client.close();
            return;
        }
        String first;
        try {
            first = renderer.get();
        } catch (RuntimeException e) {
            // e.g. the upload does not exist, or the database is away: no stream that nothing would ever update
            log.debug("Live fragment not started: {}", e.toString());
            client.close();
            return;
        }
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        Watched watched = new Watched(renderer, stillAllowed, first);
        // Sent at once (the page may have been rendered a while before its script connected), before the
        // timer can see it, so two sends never interleave on one stream.
        send(client, first);
        clients.put(client, watched);
    }

    private void refresh() {
        for (Map.Entry<SseClient, Watched> e : clients.entrySet()) {
            SseClient client = e.getKey();
            if (client.terminated()) {
                clients.remove(client);
                continue;
            }
            try {
                Watched watched = e.getValue();
                if (System.currentTimeMillis() - watched.checkedAt >= RECHECK_EVERY_MS) {
                    watched.checkedAt = System.currentTimeMillis();
                    if (!watched.stillAllowed.getAsBoolean()) {
                        clients.remove(client);
                        client.close();
                        continue;
                    }
                }
                String html = watched.renderer.get();
                if (!html.equals(watched.last)) {
                    watched.last = html;
                    send(client, html);
                }
            } catch (RuntimeException ex) {
                // A database hiccup: keep the page as it is and try again next period.
                log.warn("Could not refresh a live console fragment: {}", ex.toString());
            }
        }
    }

    private static void send(SseClient client, String html) {
        try {
            // JSON keeps the fragment on one data line whatever newlines it holds.
            client.sendEvent("fragment", Json.mapper().writeValueAsString(html));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a string always serialises", e);
        }
    }

    /** Ends every open stream. Call it before the HTTP server stops: a stream closed after that has no response left. */
    @Override
    public void close() {
        timer.shutdownNow();
        for (SseClient client : clients.keySet()) {
            try {
                if (!client.terminated()) {
                    client.close();
                }
            } catch (RuntimeException e) {
                log.debug("A live console stream did not close cleanly: {}", e.toString());
            }
        }
        clients.clear();
    }
}
