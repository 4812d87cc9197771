package io.isofold.supervisor.journal;

import java.time.Instant;

/**
 * One attempt as the run knows it: where it ran and, once it has ended, how. Kept for every attempt
 * of a run, so it holds only what the summary and reports need (a few hundred bytes): the attempt's
 * directory follows from its id ({@link RunFiles#attempt(AttemptId)}), and the launch identity is
 * dropped once the attempt has ended.
 *
 * @param launch  how to find its processes or job again; null once it has ended
 * @param outcome null while it runs (or, after a supervisor died, until a resume records it)
 * @param standbySince when its worker was started as a standby, or null when it was started for it
 */
public record AttemptRecord(AttemptId id, String slot, String gpu, LaunchIdentity launch, Instant started,
        Outcome outcome, Instant standbySince) {

    public AttemptRecord(AttemptId id, String slot, String gpu, LaunchIdentity launch, Instant started,
            Outcome outcome) {
        this(id, slot, gpu, launch, started, outcome, null);
    }

    public boolean running() {
        return outcome == null;
    }

    public Verdict verdict() {
        return outcome == null ? null : outcome.verdict();
    }

    public boolean completed() {
        return outcome != null && outcome.completed();
    }

    public AttemptRecord ended(Outcome how) {
        return new AttemptRecord(id, slot, gpu, null, started, how, standbySince);
    }
}
