package io.isofold.supervisor.journal;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One line of {@code journal.jsonl}, one record type per kind of event. The {@code type} field names
 * the kind; a kind this version does not know (a newer supervisor wrote it) reads as {@link Other}
 * and is ignored, so an older {@code status} still reads a newer run.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type",
        defaultImpl = JournalEvent.Other.class)
@JsonSubTypes({
        @JsonSubTypes.Type(value = JournalEvent.RunStart.class, name = "run-start"),
        @JsonSubTypes.Type(value = JournalEvent.Launch.class, name = "launch"),
        @JsonSubTypes.Type(value = JournalEvent.Submitted.class, name = "submitted"),
        @JsonSubTypes.Type(value = JournalEvent.Began.class, name = "began"),
        @JsonSubTypes.Type(value = JournalEvent.Kill.class, name = "kill"),
        @JsonSubTypes.Type(value = JournalEvent.End.class, name = "end"),
        @JsonSubTypes.Type(value = JournalEvent.Quarantine.class, name = "quarantine"),
        @JsonSubTypes.Type(value = JournalEvent.QuarantineLifted.class, name = "quarantine-lifted"),
        @JsonSubTypes.Type(value = JournalEvent.Eliminated.class, name = "eliminated"),
        @JsonSubTypes.Type(value = JournalEvent.RunEnd.class, name = "run-end")})
public sealed interface JournalEvent {

    /** When it happened, ISO-8601 (wall clock: for people and reports, never for timeouts). */
    String time();

    /** An event about one attempt. The attempt's identity is spelled out in the line, flat. */
    sealed interface OfAttempt extends JournalEvent {
        int replicate();

        String model();

        int index();

        int fold();

        int shuffle();

        int attempt();
    }

    /**
     * A supervisor took the run. Its pid with its start time and the boot it ran in name it for good:
     * a later supervisor uses them to tell a live holder of the run from a reused pid. Its host and
     * PID namespace say where that pid means something ({@link RunLock#holder}); null in journals
     * written before it was recorded.
     */
    record RunStart(String time, long pid, String host, String bootId, Long startTicks, JsonNode spec,
            String pidNamespace) implements JournalEvent {

        /** A start without its PID namespace, as journals had it before. */
        public RunStart(String time, long pid, String host, String bootId, Long startTicks, JsonNode spec) {
            this(time, pid, host, bootId, startTicks, spec, null);
        }
    }

    /**
     * An attempt was started. {@code pid}, {@code sid}, {@code startTicks} and {@code bootId} name its
     * local processes; {@code jobId} and {@code node} a cluster job. What a backend does not have is null.
     * {@code standbySince} is when its worker was started as a standby, for an attempt handed to one
     * (then {@code time} is the handoff, and the pid is the standby's).
     */
    record Launch(String time, int replicate, String model, int index, int fold, int shuffle, int attempt,
            String slot, String gpu, Long pid, Long sid, Long startTicks, String bootId, String jobId, String node,
            String attemptDir, String standbySince, String checkpoint) implements OfAttempt {

        public static Launch of(String time, AttemptId id, String slot, String gpu, LaunchIdentity launched,
                String attemptDir) {
            return new Launch(time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(), id.attempt(), slot,
                    gpu, launched.pid(), launched.sid(), launched.startTicks(), launched.bootId(), launched.jobId(),
                    launched.node(), attemptDir, null, null);
        }

        /** The same launch, of a worker that waited as a standby since {@code since}. */
        public Launch fromStandby(String since) {
            return new Launch(time, replicate, model, index, fold, shuffle, attempt, slot, gpu, pid, sid, startTicks,
                    bootId, jobId, node, attemptDir, since, checkpoint);
        }

        /**
         * The same launch, with what the replicate's checkpoint directory held: {@code kept} (a checkpoint to
         * continue from), {@code none}, {@code set-aside} (poisoned), {@code emptied} (--no-continue).
         */
        public Launch withCheckpoint(String given) {
            return new Launch(time, replicate, model, index, fold, shuffle, attempt, slot, gpu, pid, sid, startTicks,
                    bootId, jobId, node, attemptDir, standbySince, given);
        }

        public LaunchIdentity identity() {
            return new LaunchIdentity(pid, sid, startTicks, bootId, jobId, node);
        }
    }

    /**
     * The scheduler accepted an attempt's job and named it {@code jobId}. Submission runs off the run
     * loop's thread, so the id comes after the attempt's launch line (which then has no job id): a
     * later supervisor finds the job by it, or by the job's name while this line is not yet written.
     */
    record Submitted(String time, int replicate, String model, int index, int fold, int shuffle, int attempt,
            String jobId) implements OfAttempt {

        public static Submitted of(String time, AttemptId id, String jobId) {
            return new Submitted(time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(), id.attempt(),
                    jobId);
        }
    }

    /**
     * A cluster job left the queue and began to run on {@code node} (null when the scheduler did not
     * say). A local attempt has no such line: it runs from its launch.
     */
    record Began(String time, int replicate, String model, int index, int fold, int shuffle, int attempt, String node)
            implements OfAttempt {

        public static Began of(String time, AttemptId id, String node) {
            return new Began(time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(), id.attempt(), node);
        }
    }

    /** The supervisor ordered an attempt killed (timeout, stall, memory, a stop). */
    record Kill(String time, int replicate, String model, int index, int fold, int shuffle, int attempt,
            Verdict verdict, String reason) implements OfAttempt {

        public static Kill of(String time, AttemptId id, Verdict verdict, String reason) {
            return new Kill(time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(), id.attempt(), verdict,
                    reason);
        }
    }

    /**
     * How an attempt ended. {@code exitCode} is the worker's exit status when it had one;
     * {@code stderrTail} the last meaningful lines of its stderr when it did not complete;
     * {@code continuedFrom} where its worker said it continued from (a checkpoint), when it did;
     * {@code directions} which way its metrics are better, as its result declared them (metric to
     * {@code min}/{@code max}), for the metrics no earlier line of the run declared: the journal holds each
     * metric's first declaration once, not once per attempt.
     */
    record End(String time, int replicate, String model, int index, int fold, int shuffle, int attempt,
            Integer exitCode, Verdict verdict, String reason, Map<String, Double> metrics, Double durationS,
            String stderrTail, ContinuedFrom continuedFrom, Map<String, String> directions) implements OfAttempt {

        /** An end as written before directions were journaled. */
        public End(String time, int replicate, String model, int index, int fold, int shuffle, int attempt,
                Integer exitCode, Verdict verdict, String reason, Map<String, Double> metrics, Double durationS,
                String stderrTail, ContinuedFrom continuedFrom) {
            this(time, replicate, model, index, fold, shuffle, attempt, exitCode, verdict, reason, metrics, durationS,
                    stderrTail, continuedFrom, null);
        }

        public static End of(String time, AttemptId id, Outcome outcome) {
            return new End(time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(), id.attempt(),
                    outcome.exitCode(), outcome.verdict(), outcome.reason(),
                    outcome.metrics().isEmpty() ? null : outcome.metrics(), outcome.durationS(), outcome.stderrTail(),
                    outcome.continuedFrom(), outcome.directions().isEmpty() ? null : outcome.directions());
        }
    }

    /** A GPU was taken out of the run for good (a resume keeps it out, unless it names the GPU in --gpus). */
    record Quarantine(String time, String gpu, String reason) implements JournalEvent {}

    /** A resume named a quarantined GPU in --gpus: it is back in the run; {@code reason} is why it was out. */
    record QuarantineLifted(String time, String gpu, String reason) implements JournalEvent {}

    /**
     * The race (--race) dropped a variant: none of its replicates is started again, on resume too. The line
     * holds the decision whole, so a resume takes it as it was made and never decides it again.
     *
     * @param model       the variant eliminated
     * @param afterFolds  the decision came once every variant still racing had settled its first
     *                    {@code afterFolds} replicates (completed or given up)
     * @param folds       the replicates both it and {@code best} completed, which the test paired
     * @param metric      the metric raced on, and {@code better} its direction ({@code lower}/{@code higher})
     * @param statistic   the paired t statistic, positive when {@code model} is worse; null when every pair
     *                    differed by the same amount (no spread to measure it against)
     * @param p           one-sided p of "{@code model} is worse than {@code best}"
     * @param alpha       the --race-alpha it was compared with
     * @param best        the variant it was compared with: the best mean of those still racing
     * @param difference  how much worse it was on average over the paired replicates, in the metric's units
     */
    record Eliminated(String time, String model, int afterFolds, int folds, String metric, String better,
            Double statistic, double p, double alpha, String best, double difference) implements JournalEvent {}

    /** A supervisor let go of the run; {@code exitStatus} is what it exited with. */
    record RunEnd(String time, int exitStatus, String reason) implements JournalEvent {}

    /** A line of a kind this version does not know. */
    record Other(String time) implements JournalEvent {}
}
