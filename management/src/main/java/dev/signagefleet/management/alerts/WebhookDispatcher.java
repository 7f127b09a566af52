package dev.signagefleet.management.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.signagefleet.common.Causes;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.common.retry.Backoff;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due webhook deliveries: a JSON body signed with the webhook's secret
 * ({@link WebhookSignature}), the attempt's time and the delivery id in headers. A 2xx answer
 * delivers; anything else (another status, no answer, a refused connection) is tried again after
 * a doubling wait, and given up after {@code maxAttempts}. Redirects are not followed.
 */
public final class WebhookDispatcher {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** Deliveries sent per round, all at once. */
    static final int BATCH = 50;
    /** Only the start of a receiver's answer is read: enough to explain a failure, nothing a receiver could flood us with. */
    static final int MAX_ANSWER_BYTES = 2048;
    private static final int ANSWER_IN_ERROR = 200;

    private final WebhookDeliveries deliveries;
    private final Clock clock;
    private final AlertsConfig config;
    private final Backoff backoff;
    private final HttpClient http;

    public WebhookDispatcher(Jdbi jdbi, Clock clock, AlertsConfig config) {
        this.deliveries = new WebhookDeliveries(jdbi);
        this.clock = clock;
        this.config = config;
        this.backoff = new Backoff(config.firstRetry(), config.maxRetry());
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                // One small request per delivery: HTTP/1.1 everywhere (no h2c upgrade dance with plain-http receivers).
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** What one attempt came to: a status (any), or no answer at all. */
    private record Attempt(Integer status, String problem) {

        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    /** Sends every due delivery (up to {@value #BATCH}); returns how many were delivered. */
    public int runOnce() {
        Instant now = clock.instant();
        // Hidden from other dispatchers while it is sent: connecting and waiting for the answer, with room to spare.
        Instant leaseUntil = now.plus(config.timeout().multipliedBy(4));
        List<WebhookDeliveries.Due> due = deliveries.claim(now, leaseUntil, BATCH);
        List<CompletableFuture<Attempt>> sends = new ArrayList<>();
        for (WebhookDeliveries.Due d : due) {
            sends.add(send(d, now));
        }
        int delivered = 0;
        for (int i = 0; i < due.size(); i++) {
            delivered += record(due.get(i), sends.get(i).join()) ? 1 : 0;
        }
        return delivered;
    }

    private CompletableFuture<Attempt> send(WebhookDeliveries.Due d, Instant now) {
        byte[] body = body(d.alert());
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "signage-fleet-alerts")
                    .header(WebhookSignature.HEADER, WebhookSignature.sign(d.secret(), body))
                    .header(WebhookSignature.TIMESTAMP_HEADER, String.valueOf(now.getEpochSecond()))
                    .header(WebhookSignature.DELIVERY_HEADER, d.id().toString())
                    .header("X-Signage-Attempt", String.valueOf(d.attempts() + 1))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            return http.sendAsync(request, info -> new CappedAnswer())
                    // the request timeout covers the headers; this also bounds a receiver that trickles its answer
                    .orTimeout(config.timeout().multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS)
                    .handle((response, error) -> error == null ? answered(response) : unreachable(error));
        } catch (IllegalArgumentException e) {
            // stored URLs were checked when added; this guards against one edited in the database
            return CompletableFuture.completedFuture(new Attempt(null, "the URL cannot be requested: " + e.getMessage()));
        }
    }

    private static Attempt answered(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Attempt(status, null);
        }
        String answer = response.body().strip();
        if (answer.length() > ANSWER_IN_ERROR) {
            answer = answer.substring(0, ANSWER_IN_ERROR) + "…";
        }
        String why = status >= 300 && status < 400 ? " (redirects are not followed: register the final URL)" : "";
        return new Attempt(status, "HTTP " + status + why + (answer.isEmpty() ? "" : ": " + answer));
    }

    private Attempt unreachable(Throwable error) {
        Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        String problem;
        if (e instanceof HttpConnectTimeoutException) {
            problem = "no connection within " + config.timeout().toSeconds() + " s";
        } else if (e instanceof HttpTimeoutException || e instanceof TimeoutException) {
            problem = "no answer within " + config.timeout().toSeconds() + " s";
        } else if (e instanceof ConnectException) {
            problem = "connection refused or host unreachable";
        } else {
            problem = e.getClass().getSimpleName() + ": " + Causes.rootMessage(e);
        }
        return new Attempt(null, problem);
    }

    /** Stores the attempt's outcome; true when it delivered. */
    private boolean record(WebhookDeliveries.Due d, Attempt attempt) {
        Instant now = clock.instant();
        if (attempt.delivered()) {
            deliveries.delivered(d.id(), attempt.status(), now);
            return true;
        }
        int attempts = d.attempts() + 1;
        String where = "webhook " + d.webhookId() + " (" + Webhook.redact(d.url()) + ")";
        if (attempts >= config.maxAttempts()) {
            deliveries.failed(d.id(), attempt.status(), attempt.problem(), now, null);
            log.error("Delivery {} of alert {} to {} failed {} times and is given up; last: {}. Fix the receiver (it must "
                            + "answer 2xx within {} s), then send a test alert to it from the console's Alerts page",
                    d.id(), d.alert().id(), where, attempts, attempt.problem(), config.timeout().toSeconds());
            return false;
        }
        Duration wait = backoff.ceiling(attempts);
        deliveries.failed(d.id(), attempt.status(), attempt.problem(), now, now.plus(wait));
        log.warn("Delivery {} of alert {} to {} failed (attempt {} of {}): {}; next attempt in {} s. Check that the "
                        + "receiver is reachable from this server and answers 2xx within {} s",
                d.id(), d.alert().id(), where, attempts, config.maxAttempts(), attempt.problem(), wait.toSeconds(),
                config.timeout().toSeconds());
        return false;
    }

    /** The JSON receivers get; the same bytes for every attempt of an alert. */
    static byte[] body(Alert alert) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("alertId", alert.id());
        json.put("kind", alert.kind());
        json.put("subject", alert.subject());
        json.put("message", alert.message());
        json.put("raisedAt", alert.raisedAt().toString());
        json.put("ruleId", alert.ruleId());
        json.put("group", alert.group());
        json.put("deviceCount", alert.deviceCount());
        json.put("devices", alert.deviceIds());
        try {
            return Json.mapper().writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an alert always serialises", e);
        }
    }

    /** Reads at most {@value #MAX_ANSWER_BYTES} bytes of an answer, then stops listening. */
    private static final class CappedAnswer implements HttpResponse.BodySubscriber<String> {

        private final CompletableFuture<String> text = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<String> getBody() {
            return text;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                int n = Math.min(b.remaining(), MAX_ANSWER_BYTES - bytes.size());
                byte[] chunk = new byte[n];
                b.get(chunk);
                bytes.write(chunk, 0, n);
            }
            if (bytes.size() >= MAX_ANSWER_BYTES) {
                subscription.cancel();
                finish();
            }
        }

        @Override
        public void onError(Throwable error) {
            // The status decides; what arrived of the answer is only there to explain it.
            finish();
        }

        @Override
        public void onComplete() {
            finish();
        }

        private void finish() {
            text.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
