package io.isofold.supervisor.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads a run's output directory the way a user or a script would: results.csv, summary.json, the journal. */
record RunDir(Path dir) {
    private static final ObjectMapper JSON = new ObjectMapper();

    Path file(String name) {
        return dir.resolve(name);
    }

    /** results.csv as rows keyed by its header. */
    List<Map<String, String>> results() {
        List<String> lines = lines(file("results.csv"));
        List<Map<String, String>> rows = new ArrayList<>();
        String[] header = lines.get(0).split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], i < cells.length ? cells[i] : null);
            }
            rows.add(row);
        }
        return rows;
    }

    JsonNode summary() {
        return json(file("summary.json"));
    }

    /** journal.jsonl, one JSON object per line; a line that is not one fails the test. */
    List<JsonNode> journal() {
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines(file("journal.jsonl"))) {
            try {
                JsonNode e = JSON.readTree(line);
                if (e == null || !e.isObject()) {
                    throw new AssertionError("journal line is not a JSON object: " + line);
                }
                events.add(e);
            } catch (IOException e) {
                throw new AssertionError("journal line is not JSON: " + line, e);
            }
        }
        return events;
    }

    List<JsonNode> events(String type) {
        return journal().stream().filter(e -> type.equals(e.path("type").asText())).toList();
    }

    List<JsonNode> launches() {
        return events("launch");
    }

    /**
     * The cluster job of each launch, in launch order: named in the launch line, or, since sbatch
     * answers after the launch, in the attempt's later "submitted" line; null while neither names it.
     */
    List<String> jobIds() {
        List<JsonNode> journal = journal();
        List<String> ids = new ArrayList<>();
        for (JsonNode l : journal) {
            if (!"launch".equals(l.path("type").asText())) {
                continue;
            }
            String id = l.hasNonNull("job_id") ? l.get("job_id").asText() : null;
            for (JsonNode s : journal) {
                if (id == null && "submitted".equals(s.path("type").asText())
                        && s.path("replicate").asInt() == l.path("replicate").asInt()
                        && s.path("attempt").asInt() == l.path("attempt").asInt()) {
                    id = s.path("job_id").asText();
                }
            }
            ids.add(id);
        }
        return ids;
    }

    List<JsonNode> ends() {
        return events("end");
    }

    /** The launch event of the attempt that ran in {@code attemptDir}. */
    JsonNode launchOf(Path attemptDir) {
        return launches().stream().filter(e -> attemptDir.toString().equals(e.path("attempt_dir").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no launch event for " + attemptDir));
    }

    Path attemptDir(int replicate, int attempt) {
        return dir.resolve("replicates").resolve(Integer.toString(replicate)).resolve("attempt-" + attempt);
    }

    /** Every attempt directory in which the test worker got as far as recording itself. */
    List<WorkerRecord> workerRecords() {
        Path replicates = dir.resolve("replicates");
        if (!Files.isDirectory(replicates)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(replicates, 2)) {
            return walk.filter(p -> p.getFileName().toString().startsWith("attempt-"))
                    .filter(WorkerRecord::exists).sorted().map(WorkerRecord::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Pids of live processes of this run: any process whose environment has
     * {@code ISOFOLD_ATTEMPT_DIR=<dir>/...} (or, for a standby worker, {@code ISOFOLD_STANDBY=<dir>/...}),
     * wherever it sits in the process tree.
     */
    List<Long> liveProcesses() {
        byte[] marker = ("ISOFOLD_ATTEMPT_DIR=" + dir + "/").getBytes(StandardCharsets.UTF_8);
        byte[] standby = ("ISOFOLD_STANDBY=" + dir + "/").getBytes(StandardCharsets.UTF_8);
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                byte[] environ;
                try {
                    environ = Files.readAllBytes(proc.resolve("environ"));
                } catch (IOException | SecurityException gone) {
                    continue;
                }
                if ((containsEntry(environ, marker) || containsEntry(environ, standby)) && !zombie(proc)) {
                    pids.add(Long.parseLong(proc.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    /** SIGKILLs whatever of this run is still alive; after a test, so one failure does not leak into the next. */
    void killLiveProcesses() {
        for (long pid : liveProcesses()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(Path.of("/proc", Long.toString(pid)));
    }

    private static boolean zombie(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.ISO_8859_1);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException gone) {
            return true;
        }
    }

    private static boolean containsEntry(byte[] environ, byte[] prefix) {
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start >= prefix.length && java.util.Arrays.equals(environ, start, start + prefix.length, prefix, 0,
                        prefix.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** Every regular file under the directory with its content, to show that a command changed nothing. */
    Map<String, String> snapshot() {
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted().toList()) {
                String name = dir.relativize(p).toString();
                files.put(name, Files.isRegularFile(p)
                        ? Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis() + " "
                                + java.util.Arrays.hashCode(Files.readAllBytes(p))
                        : "dir");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
