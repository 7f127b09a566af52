package dev.signagefleet.benchmarks.queries;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load: {@code clients} threads send requests back to back until {@code requests} were
 * sent; each request's latency goes into one histogram (microseconds). A failed request fails the run.
 */
final class Load {

    private Load() {
    }

    /** A measured round: the latencies and the throughput over the round. */
    record Round(Histogram histogram, double requestsPerSecond) {
    }

    static Round run(int clients, int requests, IntFunction<Callable<?>> request) throws Exception {
        Histogram all = new Histogram(60_000_000L, 3);
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            Future<?>[] workers = new Future<?>[clients];
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                workers[c] = pool.submit(() -> {
                    Histogram mine = new Histogram(60_000_000L, 3);
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        Callable<?> call = request.apply(i);
                        long t0 = System.nanoTime();
                        call.call();
                        mine.recordValue(Math.min((System.nanoTime() - t0) / 1000, 60_000_000L));
                    }
                    synchronized (all) {
                        all.add(mine);
                    }
                    return null;
                });
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Round(all, requests / seconds);
        } finally {
            pool.shutdownNow();
        }
    }
}
