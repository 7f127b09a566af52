package dev.signagefleet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback between a client and a real server, to inject network faults in tests:
 * {@link #blackhole()} keeps the connections open but lets no byte through (a cut cable: no FIN,
 * no RST, only silence), {@link #down()} resets every connection and refuses new ones (a server
 * that is gone), {@link #restore()} goes back to forwarding. Each connection uses two threads.
 */
public final class TcpProxy implements AutoCloseable {

    private enum Mode { FORWARD, BLACKHOLE, DOWN }

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private volatile Mode mode = Mode.FORWARD;
    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to {@code targetHost:targetPort}, listening on a free loopback port. */
    public static TcpProxy to(String targetHost, int targetPort) {
        try {
            return new TcpProxy(targetHost, targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far (also those refused while down). */
    public long accepted() {
        return accepted.get();
    }

    /** Lets no byte through in either direction; connections stay open and silent. */
    public void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    /** Resets every open connection and refuses new ones until {@link #restore()}. */
    public void down() {
        mode = Mode.DOWN;
        for (Socket socket : open) {
            reset(socket);
        }
        open.clear();
    }

    /** Forwards again (connections cut by {@link #down()} stay gone; clients connect anew). */
    public void restore() {
        mode = Mode.FORWARD;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (mode == Mode.DOWN) {
                reset(client);
                continue;
            }
            try {
                Socket server = new Socket(targetHost, targetPort);
                open.add(client);
                open.add(server);
                pump(client, server, "up");
                pump(server, client, "down");
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (mode == Mode.FORWARD) {
                        out.write(buffer, 0, n);
                        out.flush();
                    } // BLACKHOLE: swallowed; DOWN: the sockets are being reset
                }
            } catch (IOException e) {
                // the connection ended or was reset
            } finally {
                // A silent link stays silent: when one end gives up, the other learns nothing (no FIN, no RST).
                // The streams are not closed either, since closing a socket's stream closes the socket.
                if (mode != Mode.BLACKHOLE) {
                    closeQuietly(from);
                    closeQuietly(to);
                    open.remove(from);
                    open.remove(to);
                }
            }
        }, "tcp-proxy-" + port() + "-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // RST, not FIN
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(java.io.Closeable socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        down();
    }

}
