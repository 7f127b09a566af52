package dev.signagefleet.launcher.service;

import dev.signagefleet.common.Causes;
import dev.signagefleet.common.config.ConfigException;
import dev.signagefleet.common.config.Settings;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code signage service NAME}: runs one service on its own until SIGTERM or Ctrl-C, then stops it
 * gracefully (what is in progress is finished and acknowledged, nothing else is taken).
 */
@Command(name = "service", mixinStandardHelpOptions = true,
        description = {"Run one service as its own process, configured by environment variables (README: Running as services).",
                "NAME: telemetry-consumer, csv-ingest, content-builder, content-registry or management.",
                "Logs as JSON lines to stdout with SIGNAGE_LOG_FORMAT=json."})
public final class ServiceCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServiceCommand.class);

    @Parameters(index = "0", paramLabel = "NAME", description = "the service to run")
    String name;

    @Override
    public Integer call() {
        // Registered before starting: a SIGTERM during a slow start (migrations, queue lookups) still stops what started.
        AtomicReference<SignageService> running = new AtomicReference<>();
        CountDownLatch startDone = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                // A signal during the start waits for it, then stops what started.
                startDone.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            SignageService service = running.get();
            if (service != null) {
                log.info("Stopping {} (signal received): finishing the work in progress", name);
                service.close();
            }
            stopped.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            running.set(SignageService.start(SignageService.Name.of(name), Settings.fromEnvironment(), Clock.systemUTC()));
        } catch (ServiceStartException | ConfigException e) {
            log.error("{} cannot start: {}", name, e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            log.error("{} cannot start: {}", name, Causes.rootMessage(e), e);
            return 1;
        } finally {
            startDone.countDown();
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
