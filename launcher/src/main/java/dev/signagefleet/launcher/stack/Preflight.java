package dev.signagefleet.launcher.stack;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks made before anything starts, so a mistake costs a second and one clear line: the data
 * folder is not used by another running stack, and the ports are free.
 */
final class Preflight {

    private Preflight() {
    }

    /** Locks the data folder for this process; the lock is released when the process ends or {@code close()} is called. */
    static AutoCloseable lockDataDir(Path dataDir) {
        Path lockFile = dataDir.resolve(".signage.lock");
        try {
            RandomAccessFile file = new RandomAccessFile(lockFile.toFile(), "rw");
            FileChannel channel = file.getChannel();
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).trim();
                file.close();
                throw new StackStartException("another ./signage up" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + " is already using " + dataDir + "; stop it first, or start this one with another --data-dir");
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(String.valueOf(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
            return () -> {
                lock.release();
                file.close();
            };
        } catch (IOException e) {
            throw new StackStartException("cannot lock the data folder " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Fails with the flag to use when {@code port} cannot be bound on {@code bindAddress}. */
    static void portFree(String bindAddress, int port, String what, String flag) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(bindAddress, port));
        } catch (IOException e) {
            throw new StackStartException("port " + port + " (" + what + ") is not available on " + bindAddress + ": "
                    + e.getMessage() + ". Stop what uses it, or choose another with " + flag);
        }
    }
}
