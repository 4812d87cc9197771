package io.isofold.supervisor.report;

/**
 * Where a run stands, in the words summary.json's {@code status}, the terminal table, the page and {@code status}
 * all use: the word is the contract, the constant is how the code compares it.
 */
public enum RunStanding {
    RUNNING("running"),
    /** Every required replicate completed: with a race, every replicate of the variants it did not eliminate. */
    COMPLETE("complete"),
    /** Ended short of complete. */
    STOPPED("stopped"),
    /** Only {@code status} says it: no supervisor holds the run, yet attempts were running when the last one stopped. */
    SUPERVISOR_NOT_RUNNING("supervisor-not-running");

    private final String word;

    RunStanding(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** The standing a word names. */
    public static RunStanding of(String word) {
        for (RunStanding s : values()) {
            if (s.word.equals(word)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no run standing is called " + word);
    }
}
