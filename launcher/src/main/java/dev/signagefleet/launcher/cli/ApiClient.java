package dev.signagefleet.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;

/** A small client of the stack's HTTP API for the operator commands; errors become readable messages. */
final class ApiClient {

    private final String base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiClient(String base, String user, String password) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    JsonNode get(String path, Map<String, String> query) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null) {
                q.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return send(HttpRequest.newBuilder(URI.create(base + path + q)).GET());
    }

    JsonNode post(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body))));
        } catch (IOException e) {
            throw new CliException("cannot encode the request: " + e.getMessage());
        }
    }

    /** The answer to a request whose error answers are part of the result (e.g. 422 with problems). */
    record Answer(int status, JsonNode body, java.util.Optional<String> location) {
    }

    /** Streams a file as the request body, reporting the bytes sent. */
    Answer postFile(String pathAndQuery, java.nio.file.Path file, String contentType,
                    java.util.function.LongConsumer progress) {
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                return new java.io.FilterInputStream(java.nio.file.Files.newInputStream(file)) {
                    private long sent;

                    @Override
                    public int read(byte[] b, int off, int len) throws java.io.IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) {
                            sent += n;
                            progress.accept(sent);
                        }
                        return n;
                    }
                };
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        HttpResponse<String> response = exchange(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .header("Content-Type", contentType).POST(body), Duration.ofMinutes(30));
        return new Answer(response.statusCode(), parse(response), response.headers().firstValue("Location"));
    }

    private HttpResponse<String> exchange(HttpRequest.Builder request, Duration timeout) {
        try {
            return http.send(request.header("Authorization", authorization).header("Accept", "application/json")
                    .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliException("cannot reach the signage API at " + base + " - is the stack running (./signage up)? "
                    + "Use --api or SIGNAGE_API_URL for another address.");
        } catch (IOException e) {
            throw new CliException("request to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    private static JsonNode parse(HttpResponse<String> response) {
        try {
            return response.body().isEmpty() ? Json.mapper().createObjectNode() : Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new CliException("the API answered " + response.statusCode() + " with a body that is not JSON");
        }
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response = exchange(request, Duration.ofSeconds(30));
        JsonNode body = parse(response);
        if (response.statusCode() >= 400) {
            String title = body.path("title").asText("HTTP " + response.statusCode());
            String detail = body.path("detail").asText("");
            throw new CliException(title + (detail.isEmpty() ? "" : ": " + detail));
        }
        return body;
    }
}
