package dev.signagefleet.embedded.queue;

import dev.signagefleet.embedded.EmbeddedInfraException;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ElasticMQ speaking the Amazon SQS API inside this JVM: the local stand-in for SQS. */
public final class EmbeddedQueueServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedQueueServer.class);
    /** The region name the local server reports; any SDK client must be configured with it. */
    public static final String REGION = "elasticmq";

    private final SQSRestServer server;
    private final int port;
    private final String host;

    private EmbeddedQueueServer(SQSRestServer server, String host, int port) {
        this.server = server;
        this.host = host;
        this.port = port;
    }

    public static EmbeddedQueueServer start(String bindAddress, int port) {
        try {
            SQSRestServer server = SQSRestServerBuilder
                    .withInterface(bindAddress)
                    .withPort(port)
                    .withAWSRegion(REGION)
                    .start();
            server.waitUntilStarted();
            log.info("SQS-compatible queue server (ElasticMQ) listening on {}:{}", bindAddress, port);
            return new EmbeddedQueueServer(server, bindAddress.equals("0.0.0.0") ? "localhost" : bindAddress, port);
        } catch (RuntimeException e) {
            throw new EmbeddedInfraException("the queue server did not start on port " + port
                    + " (is the port in use? try --sqs-port)", e);
        }
    }

    /** The endpoint an SQS client should use, e.g. {@code http://localhost:9324}. */
    public String endpoint() {
        return "http://" + host + ":" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.stopAndWait();
        log.info("Queue server stopped");
    }
}
