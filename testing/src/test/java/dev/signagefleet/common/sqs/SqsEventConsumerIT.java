package dev.signagefleet.common.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.retry.Backoff;
import dev.signagefleet.testing.PostgresExtension;
import dev.signagefleet.testing.QueueServerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/** The SQS adapter against a real ElasticMQ and PostgreSQL: fan-out, exactly-once effects, dead letters, redrive. */
class SqsEventConsumerIT {

    @RegisterExtension
    static final QueueServerExtension sqs = new QueueServerExtension();
    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private final List<SqsEventConsumer> consumers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        consumers.forEach(SqsEventConsumer::close);
    }

    private QueueDirectory directory() {
        return new QueueDirectory(sqs.client(), 3, Duration.ofSeconds(4));
    }

    private SqsEventConsumer consume(QueueDirectory dir, String consumer, String queue, EventHandler handler) {
        return consume(dir, consumer, queue, handler, new SimpleMeterRegistry());
    }

    private SqsEventConsumer consume(QueueDirectory dir, String consumer, String queue, EventHandler handler,
                                     MeterRegistry meters) {
        SqsEventConsumer c = new SqsEventConsumer(consumer, queue, dir, db.jdbi(), handler, Clock.systemUTC(),
                new Backoff(Duration.ofMillis(100), Duration.ofMillis(200)), meters);
        c.start();
        consumers.add(c);
        return c;
    }

    private static Event event(String type, String subject) {
        return Event.create("/test", type, subject, Instant.now(), "upload-" + subject, null, Map.of("subject", subject));
    }

    @Test
    void eachSubscribedQueueGetsTheEventAndADuplicateIsHandledOnce() {
        QueueTopology topology = new QueueTopology("t1-", List.of(
                new QueueTopology.Subscription("builder", List.of("test.thing.registered.v1")),
                new QueueTopology.Subscription("audit", List.of("test.thing.registered.v1", "test.other.v1"))));
        QueueDirectory dir = directory();
        topology.queues().forEach(dir::provision);
        List<String> builder = new CopyOnWriteArrayList<>();
        List<String> audit = new CopyOnWriteArrayList<>();
        consume(dir, "t1-builder", "t1-builder", (h, e) -> {
            h.execute("INSERT INTO inbox (consumer, event_id) VALUES ('effect-builder', ?)", e.id());
            builder.add(e.subject());
        });
        consume(dir, "t1-audit", "t1-audit", (h, e) -> audit.add(e.subject()));
        SqsEventPublisher publisher = new SqsEventPublisher(dir, topology);
        Event first = event("test.thing.registered.v1", "a");
        publisher.publish(first);
        publisher.publish(first); // redelivered by an outbox relay that died before marking it
        publisher.publish(event("test.other.v1", "b"));
        await().atMost(Duration.ofSeconds(20)).until(() -> builder.size() == 1 && audit.size() == 2);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(builder).containsExactly("a");
        assertThat(audit).containsExactlyInAnyOrder("a", "b");
        long effects = db.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM inbox WHERE consumer = 'effect-builder'").mapTo(Long.class).one());
        assertThat(effects).isEqualTo(1);
    }

    @Test
    void severalWorkersOfOneConsumerHandleEachEventOnce() {
        QueueTopology topology = new QueueTopology("t9-", List.of(
                new QueueTopology.Subscription("registry", List.of("test.built.v1"))));
        QueueDirectory dir = directory();
        topology.queues().forEach(dir::provision);
        List<String> handled = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        SqsEventConsumer c = new SqsEventConsumer("t9-registry", "t9-registry", dir, db.jdbi(), (h, e) -> {
            h.execute("INSERT INTO inbox (consumer, event_id) VALUES ('effect-t9', ?)", e.id());
            handled.add(e.subject());
            threads.add(Thread.currentThread().getName());
        }, Clock.systemUTC(), new Backoff(Duration.ofMillis(100), Duration.ofMillis(200)), new SimpleMeterRegistry(), 4);
        c.start();
        consumers.add(c);
        SqsEventPublisher publisher = new SqsEventPublisher(dir, topology);
        for (int i = 0; i < 40; i++) {
            Event e = event("test.built.v1", "group-" + i);
            publisher.publish(e);
            if (i % 10 == 0) {
                publisher.publish(e); // sent twice, by a relay that died before marking it
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() >= 40);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(handled).hasSize(40).doesNotHaveDuplicates();
        long effects = db.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM inbox WHERE consumer = 'effect-t9'").mapTo(Long.class).one());
        assertThat(effects).isEqualTo(40);
        assertThat(threads).allMatch(name -> name.startsWith("sqs-consumer-t9-registry-"));
    }

    @Test
    void theOutboxRelaySendsBatchesToEverySubscribedQueueAndKeepsWhatAQueueDidNotTake() {
        QueueTopology topology = new QueueTopology("t10-", List.of(
                new QueueTopology.Subscription("registry", List.of("test.built.v1")),
                new QueueTopology.Subscription("journey", List.of("test.built.v1", "test.started.v1"))));
        QueueDirectory dir = directory();
        dir.provision(topology.queueOf("registry"));
        String source = "/test/t10";
        db.jdbi().useTransaction(h -> {
            dev.signagefleet.common.outbox.Outbox.append(h, Event.create(source, "test.started.v1", "upload", Instant.now(),
                    "upload-t10", null, Map.of("subject", "upload")));
            for (int i = 0; i < 24; i++) {
                dev.signagefleet.common.outbox.Outbox.append(h, Event.create(source, "test.built.v1", "group-" + i, Instant.now(),
                        "upload-t10", null, Map.of("subject", "group-" + i)));
            }
        });
        dev.signagefleet.common.outbox.OutboxRelay relay = new dev.signagefleet.common.outbox.OutboxRelay(db.jdbi(), source,
                new SqsEventPublisher(dir, topology), dev.signagefleet.common.outbox.OutboxRelay.Options.defaults(),
                new SimpleMeterRegistry());

        // The journey's queue does not exist yet: nothing is marked sent, the reason is kept.
        org.assertj.core.api.Assertions.assertThatThrownBy(relay::drain).hasMessageContaining("test.started.v1");
        long unsent = db.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM outbox WHERE source = ? AND published_at IS NULL").bind(0, source).mapTo(Long.class).one());
        assertThat(unsent).isEqualTo(25);

        dir.provision(topology.queueOf("journey"));
        assertThat(relay.drain()).isEqualTo(25);
        List<String> registry = new CopyOnWriteArrayList<>();
        List<String> journey = new CopyOnWriteArrayList<>();
        consume(dir, "t10-registry", "t10-registry", (h, e) -> registry.add(e.subject()));
        consume(dir, "t10-journey", "t10-journey", (h, e) -> journey.add(e.subject()));
        await().atMost(Duration.ofSeconds(30)).until(() -> registry.size() >= 24 && journey.size() >= 25);
        assertThat(registry).hasSize(24).doesNotHaveDuplicates().allMatch(s -> s.startsWith("group-"));
        assertThat(journey).hasSize(25).doesNotHaveDuplicates().contains("upload");
    }

    @Test
    void aPoisonMessageReachesTheDeadLettersWithItsReasonAndIsHandledAfterARedrive() {
        QueueTopology topology = new QueueTopology("t2-", List.of(
                new QueueTopology.Subscription("worker", List.of("test.job.v1"))));
        QueueDirectory dir = directory();
        topology.queues().forEach(dir::provision);
        AtomicBoolean fixed = new AtomicBoolean(false);
        List<String> done = new CopyOnWriteArrayList<>();
        consume(dir, "t2-worker", "t2-worker", (h, e) -> {
            if (!fixed.get()) {
                throw new IllegalStateException("template for job " + e.subject() + " is missing");
            }
            done.add(e.subject());
        });
        new SqsEventPublisher(dir, topology).publish(event("test.job.v1", "job-7"));
        // Garbage that is not a CloudEvent at all takes the same road.
        sqs.client().sendMessage(SendMessageRequest.builder().queueUrl(dir.url("t2-worker")).messageBody("not an event").build());
        DeadLetters deadLetters = new DeadLetters(dir, db.jdbi(), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters.list("dead", 10).size() == 2);
        DeadLetters.DeadLetter poison = deadLetters.list("dead", 10).stream()
                .filter(d -> "test.job.v1".equals(d.eventType())).findFirst().orElseThrow();
        assertThat(poison.reason()).contains("template for job job-7 is missing");
        assertThat(poison.correlationId()).isEqualTo("upload-job-7");
        DeadLetters.DeadLetter garbage = deadLetters.list("dead", 10).stream()
                .filter(d -> d.eventType() == null).findFirst().orElseThrow();
        assertThat(garbage.reason()).contains("cannot read the message as a CloudEvent");
        assertThat(done).isEmpty();

        fixed.set(true);
        assertThat(deadLetters.redrive(poison.id(), "test")).get().extracting(DeadLetters.DeadLetter::state).isEqualTo("redriven");
        await().atMost(Duration.ofSeconds(20)).until(() -> done.contains("job-7"));
        assertThat(deadLetters.redrive(poison.id(), "test")).isEmpty();
        assertThat(deadLetters.discard(garbage.id(), "test")).get().extracting(DeadLetters.DeadLetter::state).isEqualTo("discarded");
    }

    @Test
    void longWorkKeepsTheMessageHiddenSoItIsNotHandledTwiceInParallel() {
        QueueTopology topology = new QueueTopology("t3-", List.of(
                new QueueTopology.Subscription("slow", List.of("test.slow.v1"))));
        QueueDirectory dir = directory();
        topology.queues().forEach(dir::provision);
        List<String> starts = new CopyOnWriteArrayList<>();
        EventHandler slow = (h, e) -> {
            starts.add(e.id());
            Thread.sleep(9_000); // longer than twice the 4 s visibility timeout
        };
        consume(dir, "t3-slow", "t3-slow", slow);
        consume(dir, "t3-slow", "t3-slow", slow);
        new SqsEventPublisher(dir, topology).publish(event("test.slow.v1", "s"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !starts.isEmpty());
        await().pollDelay(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(15)).until(() -> true);
        assertThat(starts).hasSize(1);
    }

    /** Stands for the process being killed: an Error is not caught by the consumer, so its worker thread dies. */
    private static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash after the commit, before the delete");
        }
    }

    @Test
    void aConsumerThatDiesAfterItsEffectCommittedButBeforeTheDeleteDoesNotRepeatTheEffect() {
        QueueTopology topology = new QueueTopology("t4-", List.of(
                new QueueTopology.Subscription("worker", List.of("test.crash.v1"))));
        QueueDirectory dir = directory();
        topology.queues().forEach(dir::provision);
        AtomicInteger effects = new AtomicInteger();
        EventHandler effect = (h, e) -> {
            h.execute("INSERT INTO inbox (consumer, event_id) VALUES ('effect-t4', ?)", e.id());
            effects.incrementAndGet();
        };
        SqsEventConsumer dying = consume(dir, "t4-worker", "t4-worker", (h, e) -> {
            effect.handle(h, e);
            h.afterCommit(() -> {
                throw new SimulatedCrash();
            });
        });
        new SqsEventPublisher(dir, topology).publish(event("test.crash.v1", "c"));
        // Awaitility would otherwise report the worker's death as the test's failure.
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(20)).until(() -> committedEffects() == 1);
        dying.close(); // the rest of the dead process (its visibility timer) is gone too

        assertThat(messagesInQueue(dir, "t4-worker")).as("the crashed consumer never deleted the message").isEqualTo(1);
        MeterRegistry meters = new SimpleMeterRegistry();
        consume(dir, "t4-worker", "t4-worker", effect, meters);
        await().atMost(Duration.ofSeconds(30)).until(() -> messagesInQueue(dir, "t4-worker") == 0);
        assertThat(meters.get("signage_queue_events_duplicate").counter().count()).isEqualTo(1.0);
        assertThat(effects).hasValue(1);
        assertThat(committedEffects()).isEqualTo(1);
    }

    @Test
    void aConsumerKilledMidWorkBeforeItsCommitLeavesTheMessageToReappearAfterTheVisibilityTimeoutAndBeHandledOnce() {
        QueueTopology topology = new QueueTopology("t5-", List.of(
                new QueueTopology.Subscription("worker", List.of("test.midwork.v1"))));
        QueueDirectory dir = directory();
        topology.queues().forEach(dir::provision);
        java.util.concurrent.atomic.AtomicReference<Instant> diedAt = new java.util.concurrent.atomic.AtomicReference<>();
        SqsEventConsumer dying = consume(dir, "t5-worker", "t5-worker", (h, e) -> {
            h.execute("INSERT INTO inbox (consumer, event_id) VALUES ('effect-t5', ?)", e.id()); // its effect, uncommitted
            diedAt.set(Instant.now());
            throw new SimulatedCrash(); // the process dies in the middle of the work
        });
        new SqsEventPublisher(dir, topology).publish(event("test.midwork.v1", "m"));
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(20)).until(() -> diedAt.get() != null);
        dying.close(); // the rest of the dead process (its visibility timer) is gone too
        assertThat(effectsOf("effect-t5")).as("nothing of the dead worker's transaction remains").isZero();

        AtomicInteger handled = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Instant> handledAt = new java.util.concurrent.atomic.AtomicReference<>();
        consume(dir, "t5-worker", "t5-worker", (h, e) -> {
            h.execute("INSERT INTO inbox (consumer, event_id) VALUES ('effect-t5', ?)", e.id());
            handled.incrementAndGet();
            handledAt.compareAndSet(null, Instant.now());
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> messagesInQueue(dir, "t5-worker") == 0 && handled.get() > 0);

        assertThat(handled).hasValue(1);
        assertThat(effectsOf("effect-t5")).isEqualTo(1);
        // hidden while the dead worker "held" it: back only once the visibility timeout ran out
        assertThat(Duration.between(diedAt.get(), handledAt.get())).isGreaterThanOrEqualTo(dir.visibility().minusMillis(500));
    }

    private long effectsOf(String consumer) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM inbox WHERE consumer = :c")
                .bind("c", consumer).mapTo(Long.class).one());
    }

    private long committedEffects() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM inbox WHERE consumer = 'effect-t4'")
                .mapTo(Long.class).one());
    }

    private static int messagesInQueue(QueueDirectory dir, String queue) {
        Map<QueueAttributeName, String> attributes = sqs.client().getQueueAttributes(GetQueueAttributesRequest.builder()
                .queueUrl(dir.url(queue))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)
                .build()).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }
}
