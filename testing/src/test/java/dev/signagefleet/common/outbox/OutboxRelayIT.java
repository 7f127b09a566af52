package dev.signagefleet.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.inbox.Inbox;
import dev.signagefleet.common.mqtt.MqttClients;
import dev.signagefleet.common.mqtt.MqttEventPublisher;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.testing.BrokerExtension;
import dev.signagefleet.testing.PostgresExtension;
import dev.signagefleet.testing.TestBrokerAccounts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The outbox relay against a real broker and PostgreSQL: order, exactly-once rounds, parking refused events. */
class OutboxRelayIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();
    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> receivedIds = new CopyOnWriteArrayList<>();
    private Mqtt5AsyncClient observer;
    private Mqtt5AsyncClient serviceClient;

    @BeforeEach
    void connect() {
        broker.accounts().addService(new BrokerPrincipal.Service("svc-outbox", List.of("evt/test.allowed.v1/#"),
                List.of(), List.of(), null), "outbox-secret");
        observer = Mqtt5Client.builder().identifier("observer-outbox").serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(TestBrokerAccounts.OBSERVER)
                .password(TestBrokerAccounts.OBSERVER_PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
        observer.publishes(MqttGlobalPublishFilter.ALL, (Mqtt5Publish p) -> {
            receivedIds.add(p.getUserProperties().asList().stream().filter(u -> u.getName().toString().equals("id"))
                    .findFirst().orElseThrow().getValue().toString());
            received.add(p.getUserProperties().asList().stream().filter(u -> u.getName().toString().equals("subject"))
                    .findFirst().orElseThrow().getValue().toString());
        });
        observer.connect().join();
        observer.subscribeWith().topicFilter("evt/#").qos(MqttQos.AT_LEAST_ONCE).send().join();
        serviceClient = MqttClients.builder(new MqttSettings(broker.url(), "svc-outbox", new Secret("outbox-secret")),
                "svc-outbox-" + System.nanoTime()).buildAsync();
        serviceClient.connect().join();
    }

    @AfterEach
    void disconnect() {
        observer.disconnect().join();
        serviceClient.disconnect();
        db.jdbi().useHandle(h -> h.execute("DELETE FROM outbox"));
    }

    private static void append(String type, String... subjects) {
        db.jdbi().useTransaction(h -> {
            for (String subject : subjects) {
                Outbox.append(h, Event.create("/test/outbox", type, subject, Instant.now(), "cid-" + subject, null,
                        Map.of("n", subject)));
            }
        });
    }

    private OutboxRelay relay() {
        return new OutboxRelay(db.jdbi(), "/test/outbox", new MqttEventPublisher(serviceClient, Duration.ofSeconds(5)),
                new OutboxRelay.Options(Duration.ofMillis(50), 3, Duration.ofDays(1)), new SimpleMeterRegistry());
    }

    @Test
    void twoRelaysOnOneOutboxPublishEveryEventOnceAndInOrder() throws Exception {
        String[] subjects = java.util.stream.IntStream.rangeClosed(1, 40).mapToObj(i -> String.format("e%02d", i))
                .toArray(String[]::new);
        append("test.allowed.v1", subjects);
        OutboxRelay first = relay();
        OutboxRelay second = relay();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> a = pool.submit(first::drain);
            Future<Integer> b = pool.submit(second::drain);
            int published = a.get() + b.get();
            int more = first.drain() + second.drain();
            assertThat(published + more).isEqualTo(40);
        } finally {
            pool.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 40);
        assertThat(received).containsExactly(subjects);
        long unpublished = db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                .mapTo(Long.class).one());
        assertThat(unpublished).isZero();
    }

    @Test
    void anEventTheBrokerRefusesIsParkedAndTheOthersAreDelivered() {
        append("test.allowed.v1", "a1");
        append("test.forbidden.v1", "f1");
        append("test.allowed.v1", "a2");
        OutboxRelay relay = relay();
        relay.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("a2"));
        } finally {
            relay.close();
        }
        assertThat(received).containsExactly("a1", "a2");
        String error = db.jdbi().withHandle(h -> h.createQuery(
                "SELECT last_error FROM outbox WHERE subject = 'f1' AND parked_at IS NOT NULL").mapTo(String.class).one());
        assertThat(error).contains("NOT_AUTHORIZED");
    }

    /** The process dies: nothing after it runs, not even the relay's own error handling. */
    private static final class Killed extends Error {
        Killed() {
            super("relay process killed after publishing, before marking");
        }
    }

    @Test
    void aRelayKilledBetweenPublishingAndMarkingPublishesAgainAndTheConsumerHandlesEachEventOnce() throws Exception {
        append("test.allowed.v1", "k1", "k2", "k3");
        MqttEventPublisher transport = new MqttEventPublisher(serviceClient, Duration.ofSeconds(5));
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        OutboxRelay dying = new OutboxRelay(db.jdbi(), "/test/outbox", event -> {
            transport.publish(event);
            if (sent.incrementAndGet() == 2) {
                throw new Killed();
            }
        }, new OutboxRelay.Options(Duration.ofMillis(50), 3, Duration.ofDays(1)), new SimpleMeterRegistry());
        org.assertj.core.api.Assertions.assertThatThrownBy(dying::relayOnce).isInstanceOf(Killed.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);

        int republished = relay().drain(); // the next start of the service

        assertThat(republished).as("nothing was marked: the whole round comes again").isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 5);
        assertThat(received).containsExactly("k1", "k2", "k1", "k2", "k3");
        // a consumer deduplicates on the event id with its inbox: each event is handled once
        long handled = receivedIds.stream()
                .filter(id -> db.jdbi().inTransaction(h -> Inbox.firstDelivery(h, "relay-kill-consumer", id)))
                .count();
        assertThat(handled).isEqualTo(3);
        assertThat(receivedIds).hasSize(5);
        assertThat(new java.util.HashSet<>(receivedIds)).as("the repeats carry the same event ids").hasSize(3);
    }

    @Test
    void theInboxRecognisesARedeliveredEvent() {
        boolean first = db.jdbi().inTransaction(h -> Inbox.firstDelivery(h, "test-consumer", "event-1"));
        boolean again = db.jdbi().inTransaction(h -> Inbox.firstDelivery(h, "test-consumer", "event-1"));
        boolean otherConsumer = db.jdbi().inTransaction(h -> Inbox.firstDelivery(h, "other-consumer", "event-1"));
        assertThat(first).isTrue();
        assertThat(again).isFalse();
        assertThat(otherConsumer).isTrue();
    }
}
