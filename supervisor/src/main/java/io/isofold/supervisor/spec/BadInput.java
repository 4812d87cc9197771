package io.isofold.supervisor.spec;

/** Bad usage or bad input: the message is the one line the user sees, and the exit status is 2. */
public final class BadInput extends Exception {
    public BadInput(String message) {
        super(message);
    }
}
