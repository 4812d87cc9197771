package io.isofold.worker;

import java.util.Map;

/**
 * SIGTERM, SIGINT or a dead supervisor, turned into a request that the training loop honours at its next batch
 * boundary: it saves a checkpoint there, and the worker exits. Nothing is written from the signal handler
 * itself: a checkpoint written there would race the training loop, and the SIGKILL that ends the kill grace
 * would tear it. While no loop honours requests (starting, loading data, a standby waiting for its task,
 * finishing after the last epoch, training without a checkpoint directory) a request ends the JVM at once,
 * as the default handler would; a checkpoint saved earlier is all there is to keep then.
 */
public final class StopRequest {
    /**
     * How long an honoured request waits for the loop's next batch boundary and its checkpoint before the JVM
     * ends anyway: the bound on a worker whose supervisor died (a supervisor's SIGKILL ends a SIGTERMed one sooner).
     */
    static final long BOUND_MILLIS = 30_000;

    /** Exit statuses after these signals, as a shell reports a process they ended: 128 + the signal's number. */
    private static final Map<String, Integer> SIGNALS = Map.of("TERM", 143, "INT", 130);

    /**
     * A requested stop.
     *
     * @param step the training steps done when it came (the step under way is the next)
     */
    public record Pending(String reason, int status, long step) {}

    private Pending pending;
    private volatile boolean requested;
    private boolean honoured;
    private volatile long step;

    /** Makes SIGTERM and SIGINT requests (exit statuses 143 and 130). */
    public void handleSignals() {
        SIGNALS.forEach((name, status) -> {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> request("SIG" + name, status));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the JVM keeps this signal (-Xrs, or a platform without it): its default stays
            }
        });
    }

    /** Asks the loop to save and stop; ends the JVM at once when no loop honours it. Only the first request counts. */
    public void request(String reason, int status) {
        synchronized (this) {
            if (pending != null) {
                return;
            }
            pending = new Pending(reason, status, step);
            requested = true;
            if (!honoured) {
                end(reason, status);
            }
        }
        Thread bound = new Thread(() -> {
            try {
                Thread.sleep(BOUND_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            end(reason + ", and the training reached no batch boundary within " + BOUND_MILLIS / 1000 + " s", status);
        }, "isofold-stop-bound");
        bound.setDaemon(true);
        bound.start();
    }

    /**
     * Called by a training loop that checkpoints, before it starts: from now on a request waits for its next
     * batch boundary. False when a stop is pending already: the loop must not start.
     */
    public synchronized boolean honour() {
        if (pending != null) {
            return false;
        }
        honoured = true;
        return true;
    }

    /** Called when the loop has ended: from now on a request ends the JVM at once. The request that came meanwhile, or null. */
    public synchronized Pending release() {
        honoured = false;
        return pending;
    }

    /** The pending request, or null: cheap enough for every batch. */
    public Pending pending() {
        if (!requested) {
            return null;
        }
        synchronized (this) {
            return pending;
        }
    }

    /** The training steps done so far, for a request to say where it came. */
    public void step(long stepsDone) {
        step = stepsDone;
    }

    static void end(String reason, int status) {
        System.err.println("isofold-worker: " + reason + "; exiting");
        System.err.flush();
        // halt, not exit: shutdown hooks could wait on threads busy in native TensorFlow code
        Runtime.getRuntime().halt(status);
    }

    /** Thrown by the training loop once it has honoured a request; the worker exits with the request's status. */
    public static final class Stopped extends RuntimeException {
        private final transient Pending request;

        public Stopped(Pending request, String message) {
            super(message, null, false, false);
            this.request = request;
        }

        public int status() {
            return request.status();
        }
    }
}
