package dev.signagefleet.common.sqs;

import dev.signagefleet.common.Causes;
import dev.signagefleet.common.Correlation;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.StructuredEventJson;
import dev.signagefleet.common.inbox.Inbox;
import dev.signagefleet.common.retry.Backoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * Consumes one service's SQS queue: each event is handled once (inbox, same transaction as the
 * effect), deleted only after that commit, its visibility extended while long work runs, retried
 * with backoff and jitter (by hiding it again) when the handler fails, and left to the queue's
 * redrive policy after N receives: it then lands in the dead-letter queue, from where it is copied
 * with its last failure reason into {@code dead_letters} for a person to inspect and redrive.
 */
public final class SqsEventConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqsEventConsumer.class);

    private final String consumer;
    private final String queue;
    private final QueueDirectory queues;
    private final SqsClient sqs;
    private final Jdbi jdbi;
    private final EventHandler handler;
    private final DeadLetters deadLetters;
    private final Backoff retryDelay;
    private final ScheduledExecutorService timers;
    private final Counter handled;
    private final Counter duplicates;
    private final Counter failures;
    private volatile boolean running;
    private volatile Runnable onHandled = () -> { };
    private final int workers;
    private final List<Thread> threads = new java.util.ArrayList<>();
    private ScheduledFuture<?> drainer;

    /**
     * @param consumer   the consumer's name (inbox key), e.g. {@code content-builder}
     * @param queue      its queue
     * @param retryDelay how long a failed message stays hidden before its next attempt
     */
    public SqsEventConsumer(String consumer, String queue, QueueDirectory queues, Jdbi jdbi, EventHandler handler,
                            Clock clock, Backoff retryDelay, MeterRegistry meters) {
        this(consumer, queue, queues, jdbi, handler, clock, retryDelay, meters, 1);
    }

    /**
     * @param workers how many events this instance handles at once, each on its own thread receiving
     *                from the queue (competing consumers within the process, as instances compete):
     *                more than one only for a handler that is correct in any order (it is anyway,
     *                with several instances) and short, where the time per event is mostly waiting for
     *                the commit, the queue and the broker
     */
    public SqsEventConsumer(String consumer, String queue, QueueDirectory queues, Jdbi jdbi, EventHandler handler,
                            Clock clock, Backoff retryDelay, MeterRegistry meters, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("a consumer needs at least one worker, not " + workers);
        }
        this.workers = workers;
        this.consumer = consumer;
        this.queue = queue;
        this.queues = queues;
        this.sqs = queues.client();
        this.jdbi = jdbi;
        this.handler = handler;
        this.deadLetters = new DeadLetters(queues, jdbi, clock);
        this.retryDelay = retryDelay;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sqs-timers-" + consumer);
            t.setDaemon(true);
            return t;
        });
        this.handled = Counter.builder("signage_queue_events_handled").tag("consumer", consumer)
                .description("Events handled from the consumer's queue").register(meters);
        this.duplicates = Counter.builder("signage_queue_events_duplicate").tag("consumer", consumer)
                .description("Events received again and skipped (already handled)").register(meters);
        this.failures = Counter.builder("signage_queue_events_failed").tag("consumer", consumer)
                .description("Failed attempts to handle an event").register(meters);
    }

    /** Called after each event's transaction committed (e.g. to wake the outbox relay at once). */
    public void onHandled(Runnable callback) {
        this.onHandled = callback;
    }

    public synchronized void start() {
        running = true;
        for (int i = 0; i < workers; i++) {
            Thread worker = new Thread(this::loop, "sqs-consumer-" + consumer + (workers > 1 ? "-" + (i + 1) : ""));
            worker.setDaemon(true);
            worker.start();
            threads.add(worker);
        }
        drainer = timers.scheduleWithFixedDelay(this::drainDeadLettersQuietly, 1, 5, TimeUnit.SECONDS);
    }

    private void loop() {
        int failuresInARow = 0;
        Backoff outage = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        while (running) {
            try {
                List<Message> messages = sqs.receiveMessage(ReceiveMessageRequest.builder()
                        .queueUrl(queues.url(queue))
                        // One at a time: only the message being handled has its visibility extended, so
                        // messages waiting behind a long build would otherwise reappear and be received again,
                        // counting towards the dead-letter limit without ever being tried.
                        .maxNumberOfMessages(1)
                        .waitTimeSeconds(2)
                        .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
                        .build()).messages();
                failuresInARow = 0;
                for (Message message : messages) {
                    if (!running) {
                        break;
                    }
                    process(message);
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                failuresInARow++;
                Duration wait = outage.delay(failuresInARow);
                log.warn("Consumer {} cannot read queue {} (attempt {}), retrying in {} ms: {}", consumer, queue,
                        failuresInARow, wait.toMillis(), Causes.rootMessage(e));
                sleep(wait);
            }
        }
    }

    private void process(Message message) {
        int receiveCount = receiveCount(message);
        Event event;
        try {
            event = StructuredEventJson.read(message.body());
        } catch (RuntimeException e) {
            fail(message, null, receiveCount, "cannot read the message as a CloudEvent: " + e.getMessage());
            return;
        }
        ScheduledFuture<?> keepHidden = timers.scheduleAtFixedRate(() -> extendVisibility(message),
                queues.visibility().toMillis() / 2, queues.visibility().toMillis() / 2, TimeUnit.MILLISECONDS);
        try (Correlation ignored = Correlation.scope(event.correlationId())) {
            boolean first = jdbi.inTransaction(handle -> {
                if (!Inbox.firstDelivery(handle, consumer, event.id())) {
                    return false;
                }
                handler.handle(handle, event);
                return true;
            });
            keepHidden.cancel(false);
            sqs.deleteMessage(DeleteMessageRequest.builder().queueUrl(queues.url(queue))
                    .receiptHandle(message.receiptHandle()).build());
            if (first) {
                handled.increment();
                onHandled.run();
            } else {
                duplicates.increment();
                log.debug("{} skipped event {} ({}): already handled", consumer, event.id(), event.type());
            }
            if (receiveCount > 1) {
                deadLetters.clearFailure(queue, message.messageId());
            }
        } catch (Exception e) {
            keepHidden.cancel(false);
            fail(message, event, receiveCount, event.type() + " " + event.id() + ": " + Causes.rootMessage(e));
        }
    }

    /** Records why, and hides the message for a backoff delay before it is received again. */
    private void fail(Message message, Event event, int receiveCount, String reason) {
        failures.increment();
        int maxReceives = queues.maxReceives();
        boolean last = receiveCount >= maxReceives;
        log.warn("{} could not handle message {} (receive {} of {}): {}{}", consumer, message.messageId(), receiveCount,
                maxReceives, reason, last ? " - it goes to the dead-letter queue " + QueueTopology.deadLetterQueueOf(queue) : "");
        try {
            deadLetters.recordFailure(queue, message.messageId(), event == null ? null : event.id(), receiveCount, truncate(reason));
        } catch (RuntimeException e) {
            log.warn("Could not record the failure reason of message {}: {}", message.messageId(), Causes.rootMessage(e));
        }
        try {
            long seconds = Math.min(43_200, Math.max(0, retryDelay.delay(receiveCount).toSeconds()));
            sqs.changeMessageVisibility(ChangeMessageVisibilityRequest.builder().queueUrl(queues.url(queue))
                    .receiptHandle(message.receiptHandle()).visibilityTimeout((int) seconds).build());
        } catch (RuntimeException e) {
            log.debug("Could not shorten the visibility of message {}: {}", message.messageId(), e.getMessage());
        }
    }

    private void extendVisibility(Message message) {
        try {
            sqs.changeMessageVisibility(ChangeMessageVisibilityRequest.builder().queueUrl(queues.url(queue))
                    .receiptHandle(message.receiptHandle()).visibilityTimeout((int) queues.visibility().toSeconds()).build());
        } catch (RuntimeException e) {
            log.warn("{} could not extend the visibility of message {}: {}", consumer, message.messageId(), e.getMessage());
        }
    }

    private void drainDeadLettersQuietly() {
        try {
            deadLetters.collect(queue);
        } catch (RuntimeException e) {
            log.debug("Could not collect dead letters of {}: {}", queue, Causes.rootMessage(e));
        }
    }

    private static int receiveCount(Message message) {
        Integer count = DeadLetters.receiveCount(message);
        return count == null ? 1 : count;
    }

    private static String truncate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) : s;
    }

    private void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops after the message in progress; unhandled messages become visible again for the next start. */
    @Override
    public void close() {
        running = false;
        if (drainer != null) {
            drainer.cancel(false);
        }
        timers.shutdownNow();
        for (Thread worker : threads) {
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
