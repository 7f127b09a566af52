package dev.signagefleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks free TCP ports for components that need a fixed port up front. The ports come from below
 * the kernel's ephemeral range: a port the OS handed out for a moment ({@code new ServerSocket(0)})
 * is also what it hands to the next outgoing connection (a JDBC connection, a browser driver), and
 * one of those would take the port before the component binds it. Below the range nobody is given
 * a port without asking for it by number.
 */
public final class FreePorts {

    /** Lowest port handed out; above the well-known and registered ports most services use. */
    static final int LOWEST = 20_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** The highest port handed out: just below the ephemeral range (Linux default 32768). */
    private static final int HIGHEST = ephemeralLow() - 1;
    /** Where this JVM starts: random, so test JVMs running one after the other do not meet on the same ports. */
    private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(Math.max(1, HIGHEST - LOWEST)));

    private FreePorts() {
    }

    public static int next() {
        int span = HIGHEST - LOWEST + 1;
        if (span >= 1000) {
            for (int attempt = 0; attempt < 2000; attempt++) {
                int port = LOWEST + Math.floorMod(NEXT.getAndIncrement(), span);
                if (bindable(port)) {
                    return port;
                }
            }
        }
        // No usable range below the ephemeral one (an unusual kernel setting): ask the OS.
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralLow() {
        // A proc file reports size 0, so it is read line by line rather than with Files.readString.
        try (java.io.BufferedReader in = Files.newBufferedReader(EPHEMERAL_RANGE)) {
            int low = Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
            return low > LOWEST + 1000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768; // not Linux, or unreadable: the usual default
        }
    }
}
