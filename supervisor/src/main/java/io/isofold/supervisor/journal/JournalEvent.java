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

        default AttemptId attemptId() {
            return new AttemptId(replicate(), model(), index(), fold(), shuffle(), attempt());
        }
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
            String attemptDir, String standbySince) implements OfAttempt {

        public static Launch of(String time, AttemptId id, String slot, String gpu, LaunchIdentity launched,
                String attemptDir) {
            return new Launch(time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(), id.attempt(), slot,
                    gpu, launched.pid(), launched.sid(), launched.startTicks(), launched.bootId(), launched.jobId(),
                    launched.node(), attemptDir, null);
        }

        /** The same launch, of a worker that waited as a standby since {@code since}. */
        public Launch fromStandby(String since) {
            return new Launch(time, replicate, model, index, fold, shuffle, attempt, slot, gpu, pid, sid, startTicks,
                    bootId, jobId, node, attemptDir, since);
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
     * {@code stderrTail} the last meaningful lines of its stderr when it did not complete.
     */
    record End(String time, int replicate, String model, int index, int fold, int shuffle, int attempt,
            Integer exitCode, Verdict verdict, String reason, Map<String, Double> metrics, Double durationS,
            String stderrTail) implements OfAttempt {

        public static End of(String time, AttemptId id, Outcome outcome) {
            return new End(time, id.replicate(), id.model(), id.index(), id.fold(), id.shuffle(), id.attempt(),
                    outcome.exitCode(), outcome.verdict(), outcome.reason(),
                    outcome.metrics().isEmpty() ? null : outcome.metrics(), outcome.durationS(), outcome.stderrTail());
        }
    }

    /** A GPU was taken out of the run for good (a resume keeps it out). */
    record Quarantine(String time, String gpu, String reason) implements JournalEvent {}

    /** A supervisor let go of the run; {@code exitStatus} is what it exited with. */
    record RunEnd(String time, int exitStatus, String reason) implements JournalEvent {}

    /** A line of a kind this version does not know. */
    record Other(String time) implements JournalEvent {}
}
