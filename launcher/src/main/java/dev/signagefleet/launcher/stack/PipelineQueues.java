package dev.signagefleet.launcher.stack;

import dev.signagefleet.builder.ContentBuilder;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.sqs.QueueTopology;
import dev.signagefleet.contentregistry.ContentRegistry;
import dev.signagefleet.ingest.journey.UploadJourney;
import java.time.Duration;
import java.util.List;

/**
 * The one declaration of the pipeline's SQS queues: which service subscribes to which events, how
 * the queues are named and when a message goes to its dead-letter queue. The stack provisions
 * from it at start and {@code signage aws setup} plans the AWS queues from it.
 */
public final class PipelineQueues {

    /** Each service of the CSV → content pipeline and the events it reacts to. */
    public static final List<QueueTopology.Subscription> DEFAULT_SUBSCRIPTIONS = List.of(
            new QueueTopology.Subscription(ContentBuilder.CONSUMER, ContentBuilder.SUBSCRIBES),
            new QueueTopology.Subscription(ContentRegistry.CONSUMER, ContentRegistry.SUBSCRIBES),
            new QueueTopology.Subscription(UploadJourney.CONSUMER, UploadJourney.SUBSCRIBES));

    public static final String DEFAULT_PREFIX = "signage-";

    private PipelineQueues() {
    }

    /** The subscription map: {@code SIGNAGE_SUBSCRIPTIONS} if set, else the default, named with {@code SIGNAGE_QUEUE_PREFIX}. */
    public static QueueTopology topology(Settings env) {
        return topology(env, env.string("SIGNAGE_QUEUE_PREFIX", DEFAULT_PREFIX));
    }

    /** As {@link #topology(Settings)} with the queue name prefix given. */
    public static QueueTopology topology(Settings env, String prefix) {
        return env.optional("SIGNAGE_SUBSCRIPTIONS")
                .map(text -> QueueTopology.parse(prefix, text))
                .orElseGet(() -> new QueueTopology(prefix, DEFAULT_SUBSCRIPTIONS));
    }

    /** Receives after which SQS moves a message to the dead-letter queue ({@code SIGNAGE_SQS_MAX_RECEIVES}). */
    public static int maxReceives(Settings env) {
        return env.integer("SIGNAGE_SQS_MAX_RECEIVES", 5, 1, 1000);
    }

    /** How long a received message stays hidden while it is handled ({@code SIGNAGE_SQS_VISIBILITY_SEC}). */
    public static Duration visibility(Settings env) {
        return env.seconds("SIGNAGE_SQS_VISIBILITY_SEC", Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofHours(12));
    }
}
