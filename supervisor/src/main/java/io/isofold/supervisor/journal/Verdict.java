package io.isofold.supervisor.journal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How an attempt ended. The label is the journal's, results' and reports' word for it; the phrase is
 * how the console, {@code status} and the report say it in a sentence ("replicate 3 ... timed out").
 */
public enum Verdict {
    COMPLETED("completed", "completed"),
    FAILED("failed", "failed"),
    TIMEOUT("timeout", "timed out"),
    STALL("stall", "stalled"),
    MEMORY("memory", "went over its memory limit"),
    BAD_TASK("bad-task", "rejected its task"),
    /** Stopped by SIGINT/SIGTERM to the supervisor, or because the run stopped: does not use up a retry. */
    INTERRUPTED("interrupted", "was interrupted"),
    /** Was running when the supervisor died; found on resume, does not use up a retry of the replicate. */
    SUPERVISOR_LOST("supervisor-lost", "was lost with its supervisor"),
    /** The cluster lost it (node failure, preemption, boot failure): not the worker's fault. */
    NODE_LOST("node-lost", "was lost by the cluster"),
    /**
     * Ended because the race (--race) dropped its variant: not the worker's fault, and no retry follows,
     * since the variant's replicates are not started again.
     */
    ELIMINATED("eliminated", "was eliminated by the race");

    private final String label;
    private final String phrase;

    Verdict(String label, String phrase) {
        this.label = label;
        this.phrase = phrase;
    }

    @JsonValue
    public String label() {
        return label;
    }

    public String phrase() {
        return phrase;
    }

    /** Whether the attempt counts against the replicate's --max-attempts. */
    public boolean countsAgainstReplicate() {
        return this != INTERRUPTED && this != SUPERVISOR_LOST && this != NODE_LOST && this != ELIMINATED;
    }

    /** Whether the attempt spends the run's --attempt-budget. Only a stop by the user or by the race does not. */
    public boolean spendsBudget() {
        return this != INTERRUPTED && this != ELIMINATED;
    }

    /** A failure of the attempt itself, as summary.json's failed_attempts counts it. */
    public boolean failure() {
        return this != COMPLETED && this != INTERRUPTED && this != ELIMINATED;
    }

    @JsonCreator
    public static Verdict of(String label) {
        for (Verdict v : values()) {
            if (v.label.equals(label)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown verdict " + label);
    }
}
