package io.isofold.supervisor.schedule;

import io.isofold.shared.AtomicFiles;
import io.isofold.shared.Task;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.spec.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the attempt the run's state assigned to a slot: its task, its directory with {@code task.json},
 * its worker through the backend. The loop asks once and is told what happened; it never builds a task
 * or a command itself.
 */
final class AttemptStarter {
    /** What became of a start. */
    sealed interface Start permits Launched, Failed, NumberTaken, CannotWrite {}

    /**
     * The worker was started (or handed the task, or submitted).
     *
     * @param checkpoint what its checkpoint directory held: a checkpoint to continue from, or nothing
     */
    record Launched(AttemptHandle handle, RunFiles.AttemptFiles files, Instant at, long nanos,
            Checkpoints.Given checkpoint) implements Start {}

    /** The worker could not be started at all: a failed attempt, judged already. */
    record Failed(RunFiles.AttemptFiles files, Instant at, Outcome outcome) implements Start {}

    /** The attempt's directory exists: a supervisor that died made it without a journal line; take the next number. */
    record NumberTaken() implements Start {}

    /** The output directory cannot take the attempt: the run cannot go on. */
    record CannotWrite(String problem) implements Start {}

    private final RunSpec spec;
    private final RunFiles files;
    private final WorkerCommand command;
    private final WorkerLauncher launcher;
    private final Checkpoints checkpoints;

    AttemptStarter(RunSpec spec, RunFiles files, WorkerCommand command, WorkerLauncher launcher) {
        this.spec = spec;
        this.files = files;
        this.command = command;
        this.launcher = launcher;
        this.checkpoints = new Checkpoints(files, spec.options().continueAttempts(), spec.options().keepCheckpoints());
    }

    Start start(RunState.Assignment a) {
        RunFiles.AttemptFiles attempt = files.attempt(a.id());
        if (Files.exists(attempt.dir())) {
            return new NumberTaken();
        }
        LaunchRequest request = request(a);
        Checkpoints.Given checkpoint;
        try {
            Files.createDirectories(attempt.dir());
            AtomicFiles.writeJson(attempt.task(), request.task());
            checkpoint = checkpoints.prepare(a.id().replicate());
        } catch (IOException e) {
            return new CannotWrite("cannot write the attempt directory " + attempt.dir() + " or its replicate's "
                    + "checkpoints: " + IoFailure.reason(e));
        }
        Instant at = Instant.now();
        long nanos = System.nanoTime();
        try {
            return new Launched(launcher.launch(request), attempt, at, nanos, checkpoint);
        } catch (IOException e) {
            // the worker could not even start (a vanished executable, no more processes): a failed attempt
            return new Failed(attempt, at, new Outcome(Instant.now(), Verdict.FAILED,
                    "cannot start the worker: " + IoFailure.reason(e), null, Map.of(), 0.0, null));
        }
    }

    /**
     * The attempt of the replicate ended: its checkpoints go once it completed (unless kept), and a checkpoint
     * it failed from without getting further counts towards setting it aside. A checkpoint directory that
     * cannot be cleaned up is only logged: the results are not at stake.
     */
    void ended(AttemptId id, Verdict verdict) {
        try {
            checkpoints.ended(id.replicate(), verdict);
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(AttemptStarter.class).warn("{}: its checkpoint directory {}: {}",
                    id.label(), files.checkpoints(id.replicate()), IoFailure.reason(e));
        }
    }

    /** How the assigned attempt is launched: its task, command, environment and files. */
    LaunchRequest request(RunState.Assignment a) {
        RunFiles.AttemptFiles attempt = files.attempt(a.id());
        return command.request(task(a, attempt), a.slot(), attempt);
    }

    RunFiles.AttemptFiles files(AttemptId id) {
        return files.attempt(id);
    }

    /**
     * What would start on each of the busy slots once it frees, no more than there are attempts left to
     * start: what a launcher may prepare workers for ahead of their tasks.
     */
    List<LaunchRequest> expected(RunState state, List<Slot> busy) {
        Optional<RunState.Assignment> upcoming = state.upcoming();
        if (upcoming.isEmpty()) {
            return List.of();
        }
        List<LaunchRequest> next = new ArrayList<>();
        for (Slot slot : busy.subList(0, Math.min(busy.size(), state.waiting()))) {
            if (!state.quarantined(slot.gpuLabel())) {
                next.add(request(upcoming.get().on(slot)));
            }
        }
        return next;
    }

    private Task task(RunState.Assignment a, RunFiles.AttemptFiles in) {
        AttemptId id = a.id();
        return new Task(id.replicate(), id.index(), id.model(), a.replicate().model, id.fold(), spec.folds(),
                id.shuffle(), a.replicate().plan.splitSeed(), a.replicate().plan.seed(), id.attempt(),
                a.slot().gpuLabel(), spec.data(), spec.saveModel(), in.dir().toString(), in.progress().toString(),
                in.result().toString(), files.checkpoints(id.replicate()).toString(),
                spec.options().checkpointEvery().toSeconds());
    }
}
