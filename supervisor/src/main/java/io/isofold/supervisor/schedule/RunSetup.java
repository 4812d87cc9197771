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
import io.isofold.supervisor.launch.AttemptHandle;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.launch.WorkerLauncher;
import io.isofold.supervisor.outcome.AttemptJudge;
import io.isofold.shared.AtomicFiles;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.proc.ProcessTable;
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
    /** An attempt a dead supervisor launched that still runs where the backend can follow it: the loop takes it over. */
    public record Adopted(AttemptRecord record, AttemptHandle handle) {}

    private final RunLock lock;
    private final Journal journal;
    private final RunHistory history;
    private final boolean resumed;
    private final WorkerLauncher launcher;
    private final List<String> warnings;
    private final List<Adopted> adopted;

    private RunSetup(RunLock lock, Journal journal, RunHistory history, boolean resumed, WorkerLauncher launcher,
            List<String> warnings, List<Adopted> adopted) {
        this.lock = lock;
        this.journal = journal;
        this.history = history;
        this.resumed = resumed;
        this.launcher = launcher;
        this.warnings = warnings;
        this.adopted = List.copyOf(adopted);
    }

    /**
     * @param resuming whether this is {@code resume DIR}, which may give the run another worker command; a
     *                 {@code run} whose directory holds a run must have the same command as well
     */
    public static RunSetup prepare(RunSpec spec, WorkerLauncher launcher, boolean resuming)
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
        boolean resumed = sameSpecAsBefore(spec, resuming);
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
            List<String> warnings = new ArrayList<>(read.warnings());
            RunLock.holder(out, history).filter(h -> !h.checked()).ifPresent(h -> warnings.add("the run's last"
                    + " supervisor (pid " + h.pid() + " on " + h.host() + ") left no end in the journal and cannot"
                    + " be checked from here; its lock was free, so it is taken to have stopped. Should it still"
                    + " run (a file system whose locks do not reach across hosts), stop one of the two now"));
            // also on a resume: options it changed (--max-attempts, --no-standby...) stay changed for the next one
            AtomicFiles.writeString(files.runJson(), spec.toJson().toPrettyString());
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
            List<Adopted> adopted = new ArrayList<>();
            for (JournalEvent settled : settleUnfinished(spec, files, history, launcher, warnings, adopted, journal)) {
                journal.append(settled);
                history.apply(settled);
            }
            JournalEvent.RunStart start = new JournalEvent.RunStart(Instant.now().toString(),
                    ProcessHandle.current().pid(), RunLock.hostName(), ProcessTable.bootId(),
                    ProcessTable.read(ProcessHandle.current().pid()).map(ProcessTable.Entry::startTicks).orElse(null),
                    spec.toJson(), ProcessTable.pidNamespace());
            journal.append(start);
            history.apply(start);
            return new RunSetup(lock, journal, history, resumed, launcher, warnings, adopted);
        } catch (BadInput | IOException | InterruptedException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** @return true when the directory holds an earlier run of this spec, false when it holds no run */
    private static boolean sameSpecAsBefore(RunSpec spec, boolean resuming) throws BadInput {
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
            // both through this version's reading and writing, and through text as the file went: a run.json an
            // older isofold wrote compares by what it means, and a seed built as a long equals the int read back
            JsonNode was = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(
                    RunSpec.fromJson(spec.outDir(), runJson, earlier).identity(!resuming)));
            differences = differences(was, Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(
                    spec.identity(!resuming))));
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

    /**
     * What differs between the spec a run.json holds and this one, each difference at the deepest
     * place it is ({@code models[mlp].params.lr: 0.01 in the run, 0.02 now}; a model added or removed by
     * its name), long values shown around where they differ: a list of 40 models cut at 120 characters
     * hid the one that changed.
     */
    static List<String> differences(JsonNode earlier, JsonNode now) {
        List<String> diffs = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            difference(f.getKey(), earlier.get(f.getKey()), f.getValue(), diffs);
        }
        if (diffs.size() > MAX_DIFFERENCES) {
            int more = diffs.size() - MAX_DIFFERENCES;
            diffs = new ArrayList<>(diffs.subList(0, MAX_DIFFERENCES));
            diffs.add("and " + more + " more");
        }
        return diffs;
    }

    private static final int MAX_DIFFERENCES = 5;
    private static final int VALUE_CHARS = 120;

    private static void difference(String path, JsonNode before, JsonNode now, List<String> diffs) {
        if (before == null ? now == null : before.equals(now)) {
            return;
        }
        if (before != null && now != null && before.isObject() && now.isObject()) {
            java.util.Set<String> names = new java.util.LinkedHashSet<>();
            now.fieldNames().forEachRemaining(names::add);
            before.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                difference(path + "." + name, before.get(name), now.get(name), diffs);
            }
            return;
        }
        if (before != null && now != null && before.isArray() && now.isArray()) {
            Map<String, JsonNode> beforeByName = byName(before);
            Map<String, JsonNode> nowByName = byName(now);
            if (beforeByName != null && nowByName != null) {
                // named entries (models) by their names: one added, removed or moved is said as such
                java.util.Set<String> names = new java.util.LinkedHashSet<>(nowByName.keySet());
                names.addAll(beforeByName.keySet());
                int found = diffs.size();
                for (String name : names) {
                    difference(path + "[" + name + "]", beforeByName.get(name), nowByName.get(name), diffs);
                }
                if (diffs.size() == found) {
                    diffs.add(path + ": the same entries in another order");
                }
                return;
            }
            for (int i = 0; i < Math.max(before.size(), now.size()); i++) {
                difference(path + "[" + i + "]", before.get(i), now.get(i), diffs);
            }
            return;
        }
        String[] shown = excerpts(before == null ? "unset" : before.toString(), now == null ? "unset"
                : now.toString());
        diffs.add(path + ": " + shown[0] + " in the run, " + shown[1] + " now");
    }

    /** A list's entries by their names, when every one is an object with a name of its own; else null. */
    private static Map<String, JsonNode> byName(JsonNode array) {
        Map<String, JsonNode> named = new java.util.LinkedHashMap<>();
        for (JsonNode e : array) {
            if (!e.path("name").isTextual() || named.put(e.get("name").asText(), e) != null) {
                return null;
            }
        }
        return named;
    }

    /** Both values whole when short, else each from a little before the first character where they differ. */
    static String[] excerpts(String before, String now) {
        if (before.length() <= VALUE_CHARS && now.length() <= VALUE_CHARS) {
            return new String[] {before, now};
        }
        int same = 0;
        while (same < before.length() && same < now.length() && before.charAt(same) == now.charAt(same)) {
            same++;
        }
        int from = Math.max(0, same - 40);
        return new String[] {excerpt(before, from), excerpt(now, from)};
    }

    private static String excerpt(String s, int from) {
        String head = from > 0 ? "..." : "";
        int to = Math.min(s.length(), from + VALUE_CHARS - head.length() - 3);
        return head + s.substring(from, to) + (to < s.length() ? "..." : "");
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
            String gpu = spec.placement().gpus().none() ? "cpu" : Slot.CLUSTER_GPU;
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
            WorkerLauncher launcher, List<String> warnings, List<Adopted> adopted, Journal journal)
            throws InterruptedException, IOException {
        List<JournalEvent> ends = new ArrayList<>();
        Duration grace = spec.killGrace();
        Instant lastSeen = history.lastEvent() != null ? history.lastEvent() : Instant.now();
        for (AttemptRecord a : history.unfinished()) {
            RunFiles.AttemptFiles attempt = files.attempt(a.id());
            if (launcher.endsWhatItRecovers() && LocalLauncher.recordedExitStatus(attempt) == null
                    && history.killOf(a.id()).isEmpty()) {
                // ending it makes its wrapper record the signal's status (143): should this resume be killed
                // before its end line, the next must still know the supervisor, not the worker, ended it
                JournalEvent.Kill lost = JournalEvent.Kill.of(Instant.now().toString(), a.id(),
                        Verdict.SUPERVISOR_LOST, "the supervisor died while it ran");
                journal.append(lost);
                history.apply(lost);
            }
            WorkerLauncher.Recovery recovery = launcher.recover(a, attempt, grace);
            if (recovery instanceof WorkerLauncher.Recovery.Adopted a2) {
                adopted.add(new Adopted(a, a2.handle())); // the loop goes on watching it (a cluster job)
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
        return ends;
    }

    /** How an attempt left behind ended, judged as its supervisor would have; its duration as far as the journal tells. */
    private static Outcome judgeLeftBehind(AttemptRecord a, RunFiles.AttemptFiles files,
            WorkerLauncher.Recovery.Ended ended, RunHistory history, Instant lastSeen) {
        Integer status = ended.exitStatus();
        // a worker that ended by itself ended when its wrapper wrote the status; else, at the latest, when
        // the dead supervisor was last heard of
        Instant end = status != null ? statusWritten(files).orElse(lastSeen) : lastSeen;
        end = end.isAfter(a.started()) ? end : a.started();
        double seconds = Math.max(0, end.toEpochMilli() - a.started().toEpochMilli()) / 1000.0;
        AttemptJudge.Kill kill = history.killOf(a.id()).map(k -> new AttemptJudge.Kill(k.verdict(), k.reason()))
                .orElse(null);
        return AttemptJudge.leftBehind(files, status, ended.killed(), kill, seconds);
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
    public List<Adopted> adopted() {
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
