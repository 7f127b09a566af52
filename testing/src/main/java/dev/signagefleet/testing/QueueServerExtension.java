package dev.signagefleet.testing;

import dev.signagefleet.common.sqs.SqsClients;
import dev.signagefleet.common.sqs.SqsSettings;
import dev.signagefleet.embedded.queue.EmbeddedQueueServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.sqs.SqsClient;

/** A real SQS-compatible server (ElasticMQ) per test class, on a free port. */
public final class QueueServerExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedQueueServer server;
    private SqsClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = EmbeddedQueueServer.start("127.0.0.1", FreePorts.next());
        client = SqsClients.create(settings());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    public SqsSettings settings() {
        return SqsSettings.local(server.endpoint());
    }

    public SqsClient client() {
        return client;
    }

    public String endpoint() {
        return server.endpoint();
    }
}
