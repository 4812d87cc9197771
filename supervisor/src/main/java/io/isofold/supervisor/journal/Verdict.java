package io.isofold.supervisor.journal;

/** How an attempt ended; the names are what the journal, results and reports show. */
public enum Verdict {
    COMPLETED("completed"),
    FAILED("failed"),
    TIMEOUT("timeout"),
    STALL("stall"),
    MEMORY("memory"),
    BAD_TASK("bad-task"),
    /** Stopped by SIGINT/SIGTERM to the supervisor: does not use up a retry. */
    INTERRUPTED("interrupted"),
    /** Was running when the supervisor died; found on resume, counts as a failed attempt. */
    SUPERVISOR_LOST("supervisor-lost");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether the attempt counts against --max-attempts and --attempt-budget. */
    public boolean usesAttempt() {
        return this != INTERRUPTED;
    }

    public static Verdict of(String label) {
        for (Verdict v : values()) {
            if (v.label.equals(label)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown verdict " + label);
    }
}
