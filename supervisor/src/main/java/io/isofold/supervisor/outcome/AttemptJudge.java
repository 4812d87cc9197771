package io.isofold.supervisor.outcome;

import io.isofold.shared.WorkerEnv;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.WorkerExit;
import java.time.Instant;
import java.util.Map;

/**
 * The verdict that stands for an ended attempt, with its reason, metrics and stderr tail: the contract's
 * judgement of what the worker left ({@link Judgement}), or the kill the supervisor ordered before the
 * worker ended. The same rules judge an attempt a dead supervisor left behind, found on resume.
 */
public final class AttemptJudge {
    /** A kill the supervisor ordered (a watchdog, a stop): its verdict stands when the kill ended the worker. */
    public record Kill(Verdict verdict, String reason) {}

    /**
     * Why the whole run must stop now (exit 2): a worker that says its task is bad, a GPU slot's attempt
     * that computed on the CPU (a problem of the machine, which every further attempt would share).
     *
     * @param cause      in words, for the user
     * @param killReason the reason the attempts still running are ended with
     */
    public record Stop(String cause, String killReason) {}

    /** @param stop null when the run goes on */
    public record Judged(Outcome outcome, Stop stop) {}

    private final boolean allowCpuFallback;

    /** @param allowCpuFallback --allow-cpu-fallback: a GPU slot's attempt that computed on the CPU may count */
    public AttemptJudge(boolean allowCpuFallback) {
        this.allowCpuFallback = allowCpuFallback;
    }

    /**
     * @param kill      the kill ordered before the worker ended, or null
     * @param signalled processes the clean-up after the exit (or the kill) had to signal
     * @param endFailed the clean-up itself failed
     * @param label     the attempt's name for messages ({@code replicate 3 (cnn fold 3) attempt 1})
     * @param seconds   how long the worker ran
     */
    public Judged judge(WorkerExit exit, Kill kill, int signalled, boolean endFailed, RunFiles.AttemptFiles files,
            Slot slot, String label, double seconds) {
        Verdict verdict;
        String reason;
        Map<String, Double> metrics = Map.of();
        Map<String, String> directions = Map.of();
        Stop stop = null;
        // A kill that found nothing left to signal ended nothing: the worker had ended by itself, and
        // its exit decides. Locally that is a same-tick race; a cluster job's end is learnt a poll late,
        // so a watchdog or a stop may well order a kill of a job that had already completed.
        if (kill != null && (signalled > 0 || endFailed)) {
            verdict = kill.verdict();
            reason = kill.reason();
        } else if (exit.verdict() != null) {
            verdict = exit.verdict();
            reason = exit.reason();
        } else {
            Judgement j = Judgement.of(exit.status(), files.result());
            verdict = j.verdict();
            reason = j.reason();
            metrics = j.metrics();
            directions = j.directions();
            if (signalled > 0 && kill == null) {
                String note = signalled + " leftover process(es) killed after the worker exited";
                reason = reason == null ? note : reason + "; " + note;
            }
            String device = j.result() == null ? null : j.result().device();
            if (verdict == Verdict.COMPLETED && !slot.cpu() && device != null && ResultCheck.computedOnCpu(device)
                    && !allowCpuFallback) {
                // only --allow-cpu-fallback lets such a result count: it is not what the run was asked to measure
                verdict = Verdict.FAILED;
                metrics = Map.of();
                directions = Map.of();
                String missing = j.result().cudaMissing().isEmpty() ? ""
                        : "; CUDA libraries not found: " + String.join(", ", j.result().cudaMissing());
                reason = "computed on the CPU on GPU " + slot.gpuLabel() + " (its result says device \"" + device
                        + "\")" + missing;
                stop = new Stop("GPU " + slot.gpuLabel() + ": " + label + " computed on the CPU (" + device + ")"
                        + missing + ". Run scripts/run.sh doctor; --allow-cpu-fallback lets such a run go on",
                        "run stopped: a GPU slot computed on the CPU");
            }
        }
        String tail = verdict == Verdict.COMPLETED || verdict == Verdict.INTERRUPTED ? null : StderrTail.of(files.stderr());
        if (verdict == Verdict.BAD_TASK) {
            stop = new Stop("bad task: " + label + " exited 2" + (tail == null ? " (stderr empty)"
                    : "; its stderr ends with:\n  " + tail.replace("\n", "\n  ")),
                    "run stopped: another attempt reported a bad task");
        }
        return new Judged(new Outcome(Instant.now(), verdict, reason, exit.status(), metrics, seconds, tail,
                ProgressFile.continuedFrom(files.progress()), directions), stop);
    }

    /**
     * How an attempt a dead supervisor left behind ended. A kill the dead supervisor had ordered explains
     * its end better than its exit status does; a worker that ended by itself is judged from the status its
     * wrapper recorded, as the supervisor would have judged it; the built-in worker's exit 3 (it saw its
     * supervisor die) and an attempt with no recorded status are {@code supervisor-lost}.
     *
     * @param exitStatus the status the launcher's wrapper recorded, or null
     * @param killed     processes of it that were still running and were ended now
     * @param seconds    how long it ran, as far as the journal can tell
     */
    public static Outcome leftBehind(RunFiles.AttemptFiles files, Integer exitStatus, int killed, Kill orderedKill,
            double seconds) {
        String leftovers = killed > 0 ? killed + " process(es) it left were killed on resume" : null;
        Verdict verdict;
        String reason;
        Map<String, Double> metrics = Map.of();
        Map<String, String> directions = Map.of();
        // the mark a resume leaves before it ends an attempt says only that nobody watched it: a worker that
        // ended by itself in that moment (not of the resume's signal) is judged by its own exit
        boolean markOnly = orderedKill != null && orderedKill.verdict() == Verdict.SUPERVISOR_LOST
                && exitStatus != null && exitStatus <= 128;
        if (orderedKill != null && !markOnly) {
            verdict = orderedKill.verdict();
            reason = orderedKill.reason();
        } else if (exitStatus == null || exitStatus == WorkerEnv.EXIT_SUPERVISOR_LOST) {
            verdict = Verdict.SUPERVISOR_LOST;
            reason = exitStatus == null ? "the supervisor died while it ran"
                    : "exit 3: it stopped because its supervisor died";
        } else {
            Judgement j = Judgement.of(exitStatus, files.result());
            verdict = j.verdict();
            reason = j.reason();
            metrics = j.metrics();
            directions = j.directions();
        }
        reason = leftovers == null ? reason : reason == null ? leftovers : reason + "; " + leftovers;
        String tail = verdict == Verdict.COMPLETED ? null : StderrTail.of(files.stderr());
        return new Outcome(Instant.now(), verdict, reason, exitStatus, metrics, seconds, tail,
                ProgressFile.continuedFrom(files.progress()), directions);
    }
}
