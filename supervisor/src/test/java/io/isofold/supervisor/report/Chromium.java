package io.isofold.supervisor.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Headless Chromium for tests: one fresh profile per call, a hard timeout, and nothing left running. */
final class Chromium {
    static final Path BINARY = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    static final long TIMEOUT_SECONDS = 60;

    private Chromium() {}

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** Runs chromium on {@code page} with {@code extra} flags; returns its stdout. */
    static String run(Path work, Path page, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile-");
        Path out = Files.createTempFile(work, "chromium-", ".out");
        Path err = Files.createTempFile(work, "chromium-", ".err");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile));
        command.addAll(List.of(extra));
        command.add(page.toUri().toString());
        // output to files, not pipes: a pipe left open by a chromium helper process would block a reader forever
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not finish in " + TIMEOUT_SECONDS + " s; stderr:\n"
                        + Files.readString(err));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("chromium exited " + process.exitValue() + "; stderr:\n"
                        + Files.readString(err));
            }
            return Files.readString(out);
        } finally {
            // chromium forks zygote, GPU and renderer processes; take them down with it
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
