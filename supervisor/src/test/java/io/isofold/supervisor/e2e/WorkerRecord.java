package io.isofold.supervisor.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one test worker recorded in its attempt directory: its argv and environment byte for byte
 * (NUL-separated), its pid and start/end times.
 *
 * @param endMs   null when the worker did not finish normally (killed, or a mode without an end)
 * @param standby whether it was started as a standby and handed this attempt
 */
record WorkerRecord(Path attemptDir, List<String> argv, Map<String, String> env, long pid, long startMs, Long endMs,
        boolean cudaVisibleDevicesSet, boolean standby) {

    static boolean exists(Path attemptDir) {
        return Files.isRegularFile(attemptDir.resolve("testworker.txt"));
    }

    static WorkerRecord of(Path attemptDir) {
        try {
            List<String> argv = nulSeparated(attemptDir.resolve("testworker.argv"));
            Map<String, String> env = new LinkedHashMap<>();
            for (String entry : nulSeparated(attemptDir.resolve("testworker.env"))) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            Map<String, String> kv = new LinkedHashMap<>();
            for (String line : Files.readAllLines(attemptDir.resolve("testworker.txt"))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    kv.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return new WorkerRecord(attemptDir, argv, env, Long.parseLong(kv.get("pid")),
                    Long.parseLong(kv.get("start_ms")), kv.containsKey("end_ms") ? Long.parseLong(kv.get("end_ms")) : null,
                    "1".equals(kv.get("cuda_set")), "1".equals(kv.get("standby")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> nulSeparated(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                parts.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return parts;
    }

    String env(String name) {
        return env.get(name);
    }

    /** The grandchild's pid, for the grandchild mode. */
    long grandchildPid() {
        try {
            return Long.parseLong(Files.readString(attemptDir.resolve("grandchild.pid")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
