package dev.signagefleet.launcher.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.management.ops.OpsRoutes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * {@code /healthz}, {@code /readyz} and {@code /metrics} of a service without an HTTP API of its own
 * (telemetry-consumer, csv-ingest, content-builder, content-registry), for probes and Prometheus.
 * Answers the same as the management service's routes of those names. Nothing else is served.
 */
final class OpsServer implements AutoCloseable {

    private final HttpServer server;

    private OpsServer(HttpServer server) {
        this.server = server;
    }

    static OpsServer start(String bindAddress, int port, List<OpsRoutes.ReadinessCheck> checks, PrometheusMeterRegistry meters) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        } catch (IOException e) {
            throw new ServiceStartException("cannot listen on " + bindAddress + ":" + port + " for /healthz, /readyz and /metrics ("
                    + e.getMessage() + "); set SIGNAGE_OPS_PORT to a free port", e);
        }
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            try (exchange) {
                switch (exchange.getRequestURI().getPath()) {
                    case "/healthz" -> send(exchange, 200, "application/json", "{\"status\":\"up\"}");
                    case "/readyz" -> {
                        Map<String, Object> body = OpsRoutes.readiness(checks);
                        send(exchange, "ready".equals(body.get("status")) ? 200 : 503, "application/json",
                                Json.mapper().writeValueAsString(body));
                    }
                    case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape());
                    default -> send(exchange, 404, "application/json", "{\"title\":\"Not found\",\"detail\":\"this port serves "
                            + "/healthz, /readyz and /metrics only\"}");
                }
            }
        });
        server.start();
        return new OpsServer(server);
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(1);
    }
}
