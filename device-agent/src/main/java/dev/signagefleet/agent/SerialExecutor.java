package dev.signagefleet.agent;

import dev.signagefleet.agent.logging.DeviceLog;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one agent's tasks one at a time, in submission order, on a possibly shared executor. Every
 * change of agent state happens in such a task, so the agent needs no locks, and a thousand
 * simulated agents can share a few threads.
 */
final class SerialExecutor implements Executor {

    /** Tasks run per turn before the thread is handed to other agents sharing the executor. */
    private static final int BATCH = 32;

    private final Executor executor;
    private final Runnable afterEachTask;
    private final DeviceLog log;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean closed;
    private volatile Thread runningOn;

    SerialExecutor(Executor executor, Runnable afterEachTask, DeviceLog log) {
        this.executor = executor;
        this.afterEachTask = afterEachTask;
        this.log = log;
    }

    @Override
    public void execute(Runnable task) {
        if (closed) {
            return; // the agent has stopped: late callbacks from Paho or timers have nothing left to change
        }
        tasks.add(task);
        schedule();
    }

    /** True when called from inside one of this executor's tasks. */
    boolean isCurrentThread() {
        return runningOn == Thread.currentThread();
    }

    /** Runs nothing more, including tasks already queued. */
    void close() {
        closed = true;
        tasks.clear();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                log.warn("the executor refused the agent's work (shut down?): " + e);
            }
        }
    }

    private void drain() {
        runningOn = Thread.currentThread();
        try {
            for (int i = 0; i < BATCH && !closed; i++) {
                Runnable task = tasks.poll();
                if (task == null) {
                    break;
                }
                run(task);
            }
        } finally {
            runningOn = null;
            scheduled.set(false);
        }
        if (!tasks.isEmpty() && !closed) {
            schedule();
        }
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // one failed task must not silence the agent: log it and keep serving the next
            log.error("unexpected failure in the agent, continuing: " + e, e);
        }
        try {
            afterEachTask.run();
        } catch (RuntimeException e) {
            log.error("cannot refresh the agent's state snapshot: " + e, e);
        }
    }
}
