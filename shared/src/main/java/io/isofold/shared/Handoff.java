package io.isofold.shared;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a standby worker receives when it becomes an attempt: the environment variables a worker
 * started for that attempt would have had (the contract's ISOFOLD_* variables, ISOFOLD_TASK first
 * among them). The file is written whole and renamed into place, so a worker that sees it can read
 * it: {@code {"env": {"ISOFOLD_TASK": "...", ...}}}.
 *
 * <p>Why a file and not stdin: the launcher gives workers no pipes (a pipe nobody drains, or one a
 * grandchild keeps open, is how supervisors hang), and a file is what any worker, in any language,
 * can wait for.
 */
public record Handoff(Map<String, String> env) {

    public Handoff {
        env = Map.copyOf(env);
    }

    /** Writes {@code file} atomically ({@link AtomicFiles}): a waiting worker sees no file or all of it. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeJson(file, Map.of("env", new TreeMap<>(env)));
    }

    public static Handoff read(Path file) throws IOException {
        Handoff h = Json.MAPPER.readValue(file.toFile(), Handoff.class);
        if (h == null || h.env() == null) {
            throw new IOException(file + " holds no \"env\" object");
        }
        return h;
    }

    /** The worker's environment once it has its task: its own, with the handoff's variables on top. */
    public Map<String, String> over(Map<String, String> own) {
        Map<String, String> merged = new HashMap<>(own);
        merged.remove(WorkerEnv.STANDBY);
        merged.putAll(env);
        return merged;
    }
}
