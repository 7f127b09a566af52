package dev.signagefleet.agent.content;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads downloads run on, so that they block neither Paho's threads nor an agent's serial
 * executor. Each agent runs one download at a time; the threads are daemons, created when work
 * arrives and gone after a minute without.
 */
public final class ContentWorkers {

    /** Downloads of all the agents of one JVM (a simulator) at the same time; more queue up. */
    public static final int SHARED_THREADS = 4;
    private static final long IDLE_SECONDS = 60;

    private ContentWorkers() {
    }

    /** One bounded pool for every agent of this JVM that shares a scheduler; never shut down. */
    public static ExecutorService shared() {
        return Shared.POOL;
    }

    /** A worker of one agent's own, to be shut down when the agent stops. */
    public static ExecutorService ownWorker(String deviceId) {
        return pool("signage-content-" + deviceId, 1);
    }

    private static final class Shared {
        static final ExecutorService POOL = pool("signage-content", SHARED_THREADS);
    }

    private static ExecutorService pool(String name, int threads) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, threads == 1 ? name : name + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
