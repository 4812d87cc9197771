package io.isofold.supervisor.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.Task;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.RunLock;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.report.AtomicFiles;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.standby.StandbyWorkers;
import io.isofold.supervisor.watch.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Takes an output directory for a run: locks it, starts it anew or checks that it holds the same
 * spec, and on a resume settles what the previous supervisor left unfinished (through the
 * backend: ended and judged, or adopted) and records it. What it returns is ready for a
 * {@link RunLoop}.
 */
public final class RunSetup implements AutoCloseable {
    private final RunLock lock;
    private final Journal journal;
    private final RunHistory history;
    private final boolean resumed;
    private final WorkerLauncher launcher;
    private final List<String> warnings;
    private final List<RunLoop.Adopted> adopted;

    private RunSetup(RunLock lock, Journal journal, RunHistory history, boolean resumed, WorkerLauncher launcher,
            List<String> warnings, List<RunLoop.Adopted> adopted) {
        this.lock = lock;
        this.journal = journal;
        this.history = history;
        this.resumed = resumed;
        this.launcher = launcher;
        this.warnings = warnings;
        this.adopted = List.copyOf(adopted);
    }

    public static RunSetup prepare(RunSpec spec, WorkerLauncher launcher)
            throws BadInput, IOException, InterruptedException {
        Path out = spec.outDir();
        RunFiles files = new RunFiles(out);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new BadInput("cannot create the output directory " + out + ": " + IoFailure.reason(e));
        }
        if (!Files.isWritable(out)) {
            throw new BadInput("the output directory " + out + " is not writable");
        }
        // checks that only read: a refused command leaves the directory exactly as it was
        boolean resumed = sameSpecAsBefore(spec);
        if (!resumed) {
            requireEmpty(out);
        }
        RunLock lock;
        try {
            lock = RunLock.acquire(out);
        } catch (RunLock.Held held) {
            throw new BadInput(held.getMessage());
        } catch (IOException e) {
            throw new BadInput("cannot lock the output directory " + out + ": " + IoFailure.reason(e));
        }
        try {
            RunHistory.Read read = RunHistory.read(files.journal());
            RunHistory history = read.history();
            Long live = RunLock.liveSupervisor(history).orElse(null);
            if (live != null) {
                // the lock file was deleted under a live run: the kernel lock alone cannot see it
                throw new BadInput("another supervisor (pid " + live + ") is running on " + out
                        + " (its lock file was removed); wait for it or stop it first");
            }
            // also on a resume: options it changed (--max-attempts, --no-standby...) stay changed for the next one
            AtomicFiles.writeString(files.runJson(), spec.toJson().toPrettyString());
            List<String> warnings = new ArrayList<>(read.warnings());
            Journal journal = Journal.open(files.journal());
            // a new run's directory was empty: no attempt of it can have been launched yet, and asking
            // the backend would cost a new run on Slurm a listing of all the user's jobs
            if (resumed) {
                for (JournalEvent.Launch launch : unjournalled(spec, files, history, launcher, warnings)) {
                    journal.append(launch);
                    history.apply(launch);
                }
                // after the backend's: a job it still knows is recorded with its id, not found a second time here
                for (JournalEvent.Launch launch : unjournalledDirectories(spec, files, history, warnings)) {
                    journal.append(launch);
                    history.apply(launch);
                }
            }
            List<RunLoop.Adopted> adopted = new ArrayList<>();
            for (JournalEvent settled : settleUnfinished(spec, files, history, launcher, warnings, adopted)) {
                journal.append(settled);
                history.apply(settled);
            }
            JournalEvent.RunStart start = new JournalEvent.RunStart(Instant.now().toString(),
                    ProcessHandle.current().pid(), RunLock.hostName(), ProcessTable.bootId(),
                    ProcessTable.read(ProcessHandle.current().pid()).map(ProcessTable.Entry::startTicks).orElse(null),
                    spec.toJson());
            journal.append(start);
            history.apply(start);
            return new RunSetup(lock, journal, history, resumed, launcher, warnings, adopted);
        } catch (BadInput | IOException | InterruptedException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** @return true when the directory holds an earlier run of this spec, false when it holds no run */
    private static boolean sameSpecAsBefore(RunSpec spec) throws BadInput {
        Path runJson = new RunFiles(spec.outDir()).runJson();
        if (!Files.exists(runJson)) {
            return false;
        }
        JsonNode earlier;
        try {
            earlier = Json.MAPPER.readTree(runJson.toFile());
        } catch (IOException e) {
            throw new BadInput(runJson + " is unreadable (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                    + "); to start anew, use another --out");
        }
        List<String> differences;
        try {
            // through text, as the file went: a seed built as a long must equal the int the file reads back as
            differences = differences(earlier, Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(spec.identity())));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // a run's unfinished attempts are processes or jobs: only the backend that started them can find them
        RunSpec.Backend before = RunSpec.backend(earlier);
        if (before != spec.placement().backend()) {
            throw new BadInput(spec.outDir() + " holds a run on the " + (before == null ? "unknown" : before.label())
                    + " backend; a run keeps its backend (resume it with scripts/run.sh resume " + spec.outDir()
                    + ", or give a new --out)");
        }
        if (!differences.isEmpty()) {
            throw new BadInput(spec.outDir() + " holds a run of another spec (" + String.join("; ", differences)
                    + "); resume it with scripts/run.sh resume " + spec.outDir() + ", or give a new --out to start anew");
        }
        return true;
    }

    private static void requireEmpty(Path out) throws BadInput, IOException {
        try (Stream<Path> entries = Files.list(out)) {
            if (entries.anyMatch(p -> !p.getFileName().toString().equals(RunFiles.LOCK))) {
                throw new BadInput(out + " is not empty and holds no isofold run (no " + RunFiles.RUN_JSON
                        + "); give a new or empty --out");
            }
        }
    }

    static List<String> differences(JsonNode earlier, JsonNode now) {
        List<String> diffs = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode before = earlier.get(f.getKey());
            if (before == null || !before.equals(f.getValue())) {
                diffs.add(f.getKey() + ": " + (before == null ? "unset" : abbreviate(before.toString()))
                        + " in the run, " + abbreviate(f.getValue().toString()) + " now");
            }
        }
        return diffs;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    /**
     * Launch lines for the attempts the backend knows that the journal does not (a supervisor died
     * between sbatch and its journal line), so they are settled like any other. Each is named by the
     * task.json the dead supervisor wrote into its directory before launching it.
     */
    private static List<JournalEvent.Launch> unjournalled(RunSpec spec, RunFiles files, RunHistory history,
            WorkerLauncher launcher, List<String> warnings) throws InterruptedException {
        List<JournalEvent.Launch> launches = new ArrayList<>();
        for (WorkerLauncher.Found f : launcher.launchedAttempts()) {
            boolean known = history.attempts().stream()
                    .anyMatch(a -> a.id().replicate() == f.replicate() && a.id().attempt() == f.attempt());
            if (known) {
                continue;
            }
            RunFiles.AttemptFiles attempt = files.attempt(f.replicate(), f.attempt());
            Task task;
            try {
                task = Json.MAPPER.readValue(attempt.task().toFile(), Task.class);
            } catch (IOException e) {
                warnings.add("job " + f.identity().jobId() + " looks like replicate " + f.replicate() + " attempt "
                        + f.attempt() + " of this run, but " + attempt.task() + " is unreadable; left alone");
                continue;
            }
            AttemptId id = new AttemptId(task.replicate(), task.model(), task.index(), task.fold(), task.shuffle(),
                    task.attempt());
            Instant at = f.started() != null ? f.started() : Instant.now();
            String gpu = spec.placement().gpus().equalsIgnoreCase("none") ? "cpu" : Slot.CLUSTER_GPU;
            launches.add(JournalEvent.Launch.of(at.toString(), id, "slurm/?", gpu, f.identity(),
                    attempt.dir().toString()));
            warnings.add("found job " + f.identity().jobId() + " (" + id.label()
                    + ") that the previous supervisor started but did not record");
        }
        return launches;
    }

    /**
     * Launch lines for the attempt directories a dead supervisor prepared and may have started without
     * its journal's launch line: it writes task.json, starts the worker (hands it to a standby, submits
     * its job), and only then writes the line, so a SIGKILL in between leaves a worker that may finish,
     * even exit 0 with a valid result, unknown to the journal. Recorded here, such an attempt is settled
     * like any other the dead supervisor left (judged from its exit_status, what is left of it ended)
     * and counted once, instead of being passed over and its replicate run again.
     *
     * <p>Only numbers above the replicate's last recorded attempt are looked at: a supervisor numbers
     * attempts upwards, so one below was passed over by an earlier resume that ran a later attempt, and
     * is left as it was. A directory without a readable task.json was never started (the worker is
     * started after task.json is written whole); the run loop skips its number.
     */
    private static List<JournalEvent.Launch> unjournalledDirectories(RunSpec spec, RunFiles files, RunHistory history,
            List<String> warnings) throws IOException {
        Map<Integer, Integer> lastRecorded = new HashMap<>();
        for (AttemptRecord a : history.attempts()) {
            lastRecorded.merge(a.id().replicate(), a.id().attempt(), Math::max);
        }
        List<JournalEvent.Launch> launches = new ArrayList<>();
        if (!Files.isDirectory(files.replicates())) {
            return launches;
        }
        List<Integer> replicates = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(files.replicates())) {
            dirs.map(d -> d.getFileName().toString()).filter(n -> n.matches("\\d{1,9}"))
                    .map(Integer::valueOf).filter(r -> r < spec.requiredReplicates()).sorted().forEach(replicates::add);
        }
        for (int r : replicates) {
            for (int a = lastRecorded.getOrDefault(r, 0) + 1; Files.isDirectory(files.attempt(r, a).dir()); a++) {
                RunFiles.AttemptFiles attempt = files.attempt(r, a);
                Task task;
                try {
                    task = Json.MAPPER.readValue(attempt.task().toFile(), Task.class);
                } catch (IOException e) {
                    continue; // never started
                }
                String model = spec.models().get(r % spec.models().size()).name();
                if (task.replicate() != r || task.attempt() != a || !model.equals(task.model())) {
                    warnings.add(attempt.task() + " names another attempt (replicate " + task.replicate() + ", "
                            + task.model() + ", attempt " + task.attempt() + "); left alone");
                    continue;
                }
                AttemptId id = new AttemptId(r, task.model(), task.index(), task.fold(), task.shuffle(), a);
                String slot = spec.placement().slurm() ? "slurm/?"
                        : "cpu".equals(task.gpu()) ? "cpu/?" : "gpu" + task.gpu() + "/?";
                Instant prepared = Files.getLastModifiedTime(attempt.task()).toInstant();
                launches.add(JournalEvent.Launch.of(prepared.toString(), id, slot, task.gpu(), LaunchIdentity.none(),
                        attempt.dir().toString()));
                warnings.add("found " + attempt.dir() + " (" + id.label()
                        + "), which the previous supervisor prepared but did not record as started");
            }
        }
        return launches;
    }

    /**
     * The attempts a dead supervisor left without an end, settled through the backend (ended and
     * judged, or adopted: added to {@code adopted}), and what is left of any attempt of the run that
     * the backend can find, ended. Returns the journal lines that record it: an end per attempt
     * settled, and the job id of an adopted job the journal did not name yet (the supervisor died
     * before sbatch's answer was written).
     */
    private static List<JournalEvent> settleUnfinished(RunSpec spec, RunFiles files, RunHistory history,
            WorkerLauncher launcher, List<String> warnings, List<RunLoop.Adopted> adopted)
            throws InterruptedException {
        List<JournalEvent> ends = new ArrayList<>();
        Duration grace = spec.killGrace();
        Instant lastSeen = history.lastEvent() != null ? history.lastEvent() : Instant.now();
        for (AttemptRecord a : history.unfinished()) {
            RunFiles.AttemptFiles attempt = files.attempt(a.id());
            WorkerLauncher.Recovery recovery = launcher.recover(a, attempt, grace);
            if (recovery instanceof WorkerLauncher.Recovery.Adopted a2) {
                adopted.add(new RunLoop.Adopted(a, a2.handle())); // the loop goes on watching it (a cluster job)
                String jobId = a2.handle().identity().jobId();
                if (jobId != null && (a.launch() == null || a.launch().jobId() == null)) {
                    ends.add(JournalEvent.Submitted.of(Instant.now().toString(), a.id(), jobId));
                }
                continue;
            }
            WorkerLauncher.Recovery.Ended ended = (WorkerLauncher.Recovery.Ended) recovery;
            Outcome outcome = judgeLeftBehind(a, attempt, ended, history, lastSeen);
            warnings.add(a.id().label() + " ended while no supervisor watched it: " + outcome.verdict().label()
                    + (outcome.reason() == null ? "" : " (" + outcome.reason() + ")"));
            ends.add(JournalEvent.End.of(outcome.ended().toString(), a.id(), outcome));
        }
        launcher.endLeftovers(files, grace).forEach((dir, n) -> {
            if (n > 0) {
                warnings.add("killed " + n + " process(es) of " + dir + " left by an earlier supervisor");
            }
        });
        StandbyWorkers.removeFolder(files); // its workers were ended just now; an attempt's output is in its own directory
        return ends;
    }

    /**
     * How an attempt left behind ended. A kill the dead supervisor had ordered explains its end
     * better than its exit status does; a worker that ended by itself is judged from the status its
     * wrapper recorded, as the supervisor would have judged it; the built-in worker's exit 3 (it saw
     * its supervisor die) and an attempt with no recorded status are {@code supervisor-lost}.
     */
    private static Outcome judgeLeftBehind(AttemptRecord a, RunFiles.AttemptFiles files,
            WorkerLauncher.Recovery.Ended ended, RunHistory history, Instant lastSeen) {
        Instant now = Instant.now();
        Integer status = ended.exitStatus();
        // a worker that ended by itself ended when its wrapper wrote the status; else, at the latest, when
        // the dead supervisor was last heard of
        Instant end = status != null ? statusWritten(files).orElse(lastSeen) : lastSeen;
        end = end.isAfter(a.started()) ? end : a.started();
        double seconds = Math.max(0, end.toEpochMilli() - a.started().toEpochMilli()) / 1000.0;
        String leftovers = ended.killed() > 0 ? ended.killed() + " process(es) it left were killed on resume" : null;
        var kill = history.killOf(a.id());
        Verdict verdict;
        String reason;
        java.util.Map<String, Double> metrics = java.util.Map.of();
        if (kill.isPresent()) {
            verdict = kill.get().verdict();
            reason = kill.get().reason();
        } else if (status == null || status == Judgement.EXIT_SUPERVISOR_LOST) {
            verdict = Verdict.SUPERVISOR_LOST;
            reason = status == null ? "the supervisor died while it ran"
                    : "exit 3: it stopped because its supervisor died";
        } else {
            Judgement j = Judgement.of(status, files.result());
            verdict = j.verdict();
            reason = j.reason();
            metrics = j.metrics();
        }
        reason = leftovers == null ? reason : reason == null ? leftovers : reason + "; " + leftovers;
        String tail = verdict == Verdict.COMPLETED ? null : StderrTail.of(files.stderr());
        return new Outcome(now, verdict, reason, status, metrics, seconds, tail);
    }

    private static Optional<Instant> statusWritten(RunFiles.AttemptFiles files) {
        try {
            return Optional.of(Files.getLastModifiedTime(files.exitStatus()).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public Journal journal() {
        return journal;
    }

    public RunHistory history() {
        return history;
    }

    public boolean resumed() {
        return resumed;
    }

    /** Attempts still running where the backend follows them (cluster jobs), for the loop to take over. */
    public List<RunLoop.Adopted> adopted() {
        return adopted;
    }

    public WorkerLauncher launcher() {
        return launcher;
    }

    /** What the resume found and did that a user should read: skipped journal lines, attempts settled, leftovers killed. */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public void close() throws IOException {
        try {
            journal.close();
        } finally {
            lock.close();
        }
    }
}
