package io.isofold.supervisor.slurm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test cluster's controller behind a door the test opens: a Slurm command given
 * {@link #environment()} connects here, and its requests reach the real controller only after
 * {@link #release()}. So a test knows an sbatch has begun ({@link #connections()}) and cannot have
 * answered yet, however fast or slow the machine. Its slurm.conf gives clients a minute to wait for
 * an answer rather than Slurm's 10 s.
 */
final class HeldController implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile("(?m)^SlurmctldPort=(\\d+)");

    private final ServerSocket server;
    private final int realPort;
    private final Path conf;
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private HeldController(ServerSocket server, int realPort, Path conf) {
        this.server = server;
        this.realPort = realPort;
        this.conf = conf;
    }

    /** A held controller with its slurm.conf in {@code dir}. */
    static HeldController open(Path dir) throws IOException {
        String real = Files.readString(SlurmTestCluster.STATE.resolve("slurm.conf"));
        Matcher port = PORT.matcher(real);
        if (!port.find()) {
            throw new IllegalStateException("no SlurmctldPort in the test cluster's slurm.conf");
        }
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Path conf = Files.writeString(Files.createDirectories(dir).resolve("held-slurm.conf"),
                port.replaceFirst("SlurmctldPort=" + server.getLocalPort()).replaceAll("(?m)^MessageTimeout=.*$", "")
                        + "\nMessageTimeout=60\n");
        HeldController held = new HeldController(server, Integer.parseInt(port.group(1)), conf);
        daemon(held::accept, "held-controller");
        return held;
    }

    /** What a Slurm command needs to go through this controller. */
    Map<String, String> environment() {
        return Map.of("SLURM_CONF", conf.toString());
    }

    /** Connections the commands have opened so far: one or more per command. */
    int connections() {
        return connections.get();
    }

    /** From now on every connection, held or new, goes through to the real controller. */
    void release() {
        released.countDown();
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                connections.incrementAndGet();
                daemon(() -> relay(client), "held-connection");
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        try {
            released.await();
            Socket controller = new Socket(InetAddress.getByName("127.0.0.1"), realPort);
            sockets.add(controller);
            daemon(() -> pump(client, controller), "held-to-controller");
            pump(controller, client);
        } catch (IOException | InterruptedException e) {
            // closed
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException closed) {
            // either side went away
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }
}
