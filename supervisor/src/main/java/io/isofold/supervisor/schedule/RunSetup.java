package io.isofold.supervisor.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.JournalReader;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.journal.RunLock;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.launch.LocalLauncher;
import io.isofold.supervisor.report.AtomicFiles;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.RunSpec;
import io.isofold.supervisor.watch.AttemptProcesses;
import io.isofold.supervisor.watch.OrphanSweep;
import io.isofold.supervisor.watch.ProcessTreeKiller;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes an output directory for a run: locks it, starts it anew or checks that it holds the same
 * spec, and on a resume kills what the previous supervisor left running and records those attempts
 * as lost. What it returns is ready for a {@link RunLoop}.
 */
public final class RunSetup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunSetup.class);
    public static final String RUN_JSON = "run.json";
    public static final String JOURNAL = "journal.jsonl";

    private final RunLock lock;
    private final Journal journal;
    private final RunHistory history;
    private final boolean resumed;

    private RunSetup(RunLock lock, Journal journal, RunHistory history, boolean resumed) {
        this.lock = lock;
        this.journal = journal;
        this.history = history;
        this.resumed = resumed;
    }

    public static RunSetup prepare(RunSpec spec) throws BadInput, IOException, InterruptedException {
        Path out = spec.outDir();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new BadInput("cannot create the output directory " + out + ": " + IoFailure.reason(e));
        }
        if (!Files.isWritable(out)) {
            throw new BadInput("the output directory " + out + " is not writable");
        }
        // the spec check reads only: a refused resume must leave the directory exactly as it was
        boolean resumed = sameSpecAsBefore(spec);
        RunLock lock;
        try {
            lock = RunLock.acquire(out);
        } catch (RunLock.Held held) {
            throw new BadInput(held.getMessage());
        } catch (IOException e) {
            throw new BadInput("cannot lock the output directory " + out + ": " + IoFailure.reason(e));
        }
        try {
            if (!resumed) {
                startAfresh(spec);
            }
            JournalReader.Contents contents = JournalReader.read(out.resolve(JOURNAL));
            contents.warnings().forEach(w -> log.warn(w));
            Journal journal = Journal.open(out.resolve(JOURNAL));
            RunHistory history = RunHistory.replay(contents.events());
            List<JournalEvent> lost = cleanUpAfterDeadSupervisor(spec, history);
            for (JournalEvent e : lost) {
                journal.append(e);
            }
            journal.append(JournalEvent.runStart(Instant.now().toString(), ProcessHandle.current().pid(),
                    RunLock.hostName(), spec.toJson()));
            List<JournalEvent> all = new ArrayList<>(contents.events());
            all.addAll(lost);
            return new RunSetup(lock, journal, RunHistory.replay(all), resumed);
        } catch (BadInput | IOException | InterruptedException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** @return true when the directory holds an earlier run of this spec, false when it holds no run */
    private static boolean sameSpecAsBefore(RunSpec spec) throws BadInput {
        Path out = spec.outDir();
        Path runJson = out.resolve(RUN_JSON);
        if (!Files.exists(runJson)) {
            return false;
        }
        JsonNode earlier;
        try {
            earlier = Json.MAPPER.readTree(runJson.toFile());
        } catch (IOException e) {
            throw new BadInput(runJson + " is unreadable (" + e.getMessage().lines().findFirst().orElse("")
                    + "); to start anew, use another --out");
        }
        List<String> differences;
        try {
            // through text, as the file went: a seed built as a long must equal the int the file reads back as
            differences = differences(earlier, Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(spec.identity())));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (!differences.isEmpty()) {
            throw new BadInput(out + " holds a run of another spec (" + String.join("; ", differences)
                    + "); resume it with the same options, or give a new --out to start anew");
        }
        return true;
    }

    private static void startAfresh(RunSpec spec) throws BadInput, IOException {
        Path out = spec.outDir();
        try (Stream<Path> entries = Files.list(out)) {
            if (entries.anyMatch(p -> !p.getFileName().toString().equals(RunLock.FILE))) {
                throw new BadInput(out + " is not empty and holds no isofold run (no " + RUN_JSON
                        + "); give a new or empty --out");
            }
        }
        AtomicFiles.writeString(out.resolve(RUN_JSON), spec.toJson().toPrettyString());
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
     * Kills the attempts a dead supervisor left running (named by the journal: pid, session and start
     * time, so a reused pid is never taken for them; and by their ISOFOLD_ATTEMPT_DIR, which also finds
     * those it launched without having journalled them) and returns their "supervisor-lost" ends.
     */
    private static List<JournalEvent> cleanUpAfterDeadSupervisor(RunSpec spec, RunHistory history)
            throws InterruptedException {
        List<JournalEvent> ends = new ArrayList<>();
        for (AttemptRecord a : history.unfinished()) {
            // read before the kill: the launcher's wrapper outlives a SIGTERM and records the status it caused
            Integer exitStatus = a.attemptDir() == null ? null : recordedExitStatus(Path.of(a.attemptDir()));
            int killed = 0;
            if (a.pid() > 0) {
                killed = ProcessTreeKiller.kill(
                        new AttemptProcesses(a.pid(), a.sid(), a.startTicks(), a.attemptDir()), spec.killGrace());
            }
            String leftovers = killed > 0 ? killed + " process(es) it left were killed on resume" : null;
            Instant now = Instant.now();
            double seconds = (now.toEpochMilli() - a.started().toEpochMilli()) / 1000.0;
            if (exitStatus != null) {
                // the worker ended before or while the supervisor died: judge it as the supervisor would have
                // a kill the dead supervisor had ordered explains the status better than the status does
                Judgement j = history.killOf(a.id())
                        .map(k -> new Judgement(Verdict.of(k.verdict()), k.reason(), Map.of()))
                        .orElseGet(() -> Judgement.of(exitStatus, Path.of(a.attemptDir()).resolve("result.json")));
                String reason = j.reason() == null ? leftovers : leftovers == null ? j.reason() : j.reason() + "; " + leftovers;
                log.warn("{} ended while no supervisor watched it: {}", a.id().label(), j.verdict().label());
                ends.add(JournalEvent.end(now.toString(), a.id(), exitStatus, j.verdict().label(), reason, j.metrics(),
                        seconds));
                continue;
            }
            String reason = "the supervisor died while it ran" + (leftovers == null ? "" : "; " + leftovers);
            log.warn("{}: {}", a.id().label(), reason);
            ends.add(JournalEvent.end(now.toString(), a.id(), null, Verdict.SUPERVISOR_LOST.label(), reason, Map.of(),
                    seconds));
        }
        String prefix = spec.outDir().resolve("replicates").toString() + "/";
        OrphanSweep.killOrphans(prefix, spec.killGrace()).forEach((dir, n) -> {
            if (n > 0) {
                log.warn("killed {} process(es) of {} left by an earlier supervisor", n, dir);
            }
        });
        return ends;
    }

    /** The exit status the launcher's wrapper wrote when the worker ended, or null if it did not end by itself. */
    private static Integer recordedExitStatus(Path attemptDir) {
        try {
            return Integer.valueOf(Files.readString(attemptDir.resolve(LocalLauncher.EXIT_STATUS_FILE)).strip());
        } catch (IOException | NumberFormatException e) {
            return null;
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

    @Override
    public void close() throws IOException {
        try {
            journal.close();
        } finally {
            lock.close();
        }
    }
}
