package dev.signagefleet.common.work;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A background thread that works in rounds and waits between them, until a timeout or a {@link #nudge()}
 * (e.g. right after a commit that gave it work), and stops on {@link #close()} after the round in
 * progress. The round loop is the owner's: it runs while {@link #running()} and calls
 * {@link #awaitWork} or {@link #pause} between rounds.
 */
public final class WakeableLoop implements AutoCloseable {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nudged = lock.newCondition();
    private volatile boolean running;
    private Thread thread;
    private boolean nudge;

    /** Starts {@code loop} on a daemon thread of that name; a second call does nothing. */
    public synchronized void start(String threadName, Runnable loop) {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    public boolean running() {
        return running;
    }

    /** Wakes the loop at once (or makes its next {@link #awaitWork} return at once). */
    public void nudge() {
        lock.lock();
        try {
            nudge = true;
            nudged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} unless nudged since the last call (then returns at once), or stopped. */
    public void awaitWork(Duration timeout) {
        lock.lock();
        try {
            if (!nudge && running) {
                nudged.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            nudge = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /** Waits {@code wait} (a back-off), ended early only by a nudge or {@link #close()}; earlier nudges do not shorten it. */
    public void pause(Duration wait) {
        lock.lock();
        try {
            if (running) {
                nudged.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the loop after its round in progress; waits up to 10 s for the thread. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        nudge();
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
