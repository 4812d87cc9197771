package io.isofold.worker;

/**
 * A task the worker cannot run however often it is retried: a missing or malformed dataset, an invalid
 * configuration. WorkerMain turns it into exit status 2 with its message as the one line on stderr.
 */
public class BadTaskException extends RuntimeException {
    public BadTaskException(String message) {
        super(message);
    }

    public BadTaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
