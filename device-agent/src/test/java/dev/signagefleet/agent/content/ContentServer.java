package dev.signagefleet.agent.content;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback (the JDK's) that serves content packages the way the content
 * registry does, and remembers every request with its credential. Routes can fail a number of
 * times first, always answer with a status, redirect, stream without a length, or hold the body
 * until released.
 */
public final class ContentServer implements AutoCloseable {

    /** One request as the server saw it. */
    public record Request(String path, Optional<String> authorization, Optional<String> traceparent) {
    }

    private static final class Route {
        volatile byte[] body = new byte[0];
        volatile int status = 200;
        volatile String location;
        volatile boolean chunked;
        final AtomicInteger failuresLeft = new AtomicInteger();
        volatile int failureStatus;
        volatile CountDownLatch hold;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "content-server");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Optional<String> requiredAuthorization = Optional.empty();

    private ContentServer(HttpServer server) {
        this.server = server;
    }

    public static ContentServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            ContentServer content = new ContentServer(server);
            server.createContext("/", content::handle);
            server.setExecutor(content.threads);
            server.start();
            return content;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers 401 unless the request carries exactly this Authorization header. */
    public void requireAuthorization(String header) {
        requiredAuthorization = Optional.of(header);
    }

    public void serve(String path, byte[] body) {
        route(path).body = body.clone();
    }

    /** Serves {@code body} without a Content-Length (chunked), so only the reader can count it. */
    public void serveChunked(String path, byte[] body) {
        serve(path, body);
        route(path).chunked = true;
    }

    /** Answers {@code status} the first {@code times} requests, then serves normally. */
    public void failFirst(String path, int times, int status) {
        route(path).failureStatus = status;
        route(path).failuresLeft.set(times);
    }

    public void respond(String path, int status) {
        route(path).status = status;
    }

    public void redirect(String path, String location) {
        route(path).status = 302;
        route(path).location = location;
    }

    /** Sends the headers of {@code path} at once, its body only after the returned latch is counted down. */
    public CountDownLatch hold(String path) {
        CountDownLatch latch = new CountDownLatch(1);
        route(path).hold = latch;
        return latch;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(request -> request.path().equals(path)).toList();
    }

    private Route route(String path) {
        return routes.computeIfAbsent(path, p -> new Route());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Optional<String> authorization = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization"));
            requests.add(new Request(path, authorization,
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst("traceparent"))));
            Route route = routes.get(path);
            if (requiredAuthorization.isPresent() && !requiredAuthorization.equals(authorization)) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (route == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (route.failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                exchange.sendResponseHeaders(route.failureStatus, -1);
                return;
            }
            if (route.status != 200) {
                if (route.location != null) {
                    exchange.getResponseHeaders().add("Location", route.location);
                }
                exchange.sendResponseHeaders(route.status, -1);
                return;
            }
            byte[] body = route.body;
            exchange.getResponseHeaders().add("Content-Type", "application/zip");
            exchange.sendResponseHeaders(200, route.chunked ? 0 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                CountDownLatch hold = route.hold;
                if (hold != null) {
                    out.flush();
                    hold.await(30, TimeUnit.SECONDS);
                }
                out.write(body);
            } catch (IOException e) {
                // the client went away (cancelled or stopped reading): nothing to answer
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        routes.values().forEach(route -> {
            if (route.hold != null) {
                route.hold.countDown();
            }
        });
        server.stop(0);
        threads.shutdownNow();
    }
}
