package io.isofold.supervisor.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21 item 13: a log a worker appends to without end keeps its end and stays near the cap. */
@Tag("unit")
class LogCapTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    /** Appends, as a worker's stdout does (O_APPEND), {@code mib} MiB of lines, then {@code last}. */
    private static void append(FileOutputStream out, int mib, String last) throws IOException {
        byte[] line = new byte[1024];
        Arrays.fill(line, (byte) 'x');
        line[line.length - 1] = '\n';
        for (int i = 0; i < mib * 1024; i++) {
            out.write(line);
        }
        out.write((last + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static String tail(Path file, int bytes) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return new String(all, Math.max(0, all.length - bytes), Math.min(bytes, all.length), StandardCharsets.UTF_8);
    }

    /** Blocks the file holds on disk, in bytes, as du counts them. */
    private static long diskUsage(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String[] f = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip().split(" ");
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }

    private static void waitUntil(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("condition within 120 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void capsWhileWrittenAndCutsAtTheEnd(Path log) throws Exception {
        try (LogCap cap = new LogCap(MIB)) {
            cap.watch(List.of(log));
            try (FileOutputStream out = new FileOutputStream(log.toFile(), true)) {
                append(out, 12, "first burst ends");
                // trimmed while the writer still holds it open: its blocks on disk are freed
                waitUntil(() -> diskUsage(log) < 4 * MIB);
                append(out, 12, "the last line");
            }
            cap.release(List.of(log)).get(120, TimeUnit.SECONDS);
        }
        assertThat(Files.size(log)).isBetween(MIB, 2 * MIB);
        assertThat(diskUsage(log)).isLessThanOrEqualTo(2 * MIB + 64 * 1024);
        assertThat(tail(log, 14)).isEqualTo("the last line\n");
        assertThat(Files.readString(log)).doesNotContain("first burst ends");
    }

    @Test
    void aLogKeepsItsEndAndStaysNearTheCapWhileItsWriterAppends() throws Exception {
        capsWhileWrittenAndCutsAtTheEnd(dir.resolve("stdout.log"));
    }

    /** tmpfs cannot collapse a range: holes are punched while it is written, and it is compacted at the end. */
    @Test
    void onAFilesystemThatCannotCollapseARangeHolesArePunchedAndTheLogCompacted() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
        Path tmpfs = Files.createTempDirectory(shm, "isofold-logcap");
        try {
            capsWhileWrittenAndCutsAtTheEnd(tmpfs.resolve("stdout.log"));
        } finally {
            try (var files = Files.walk(tmpfs)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A standby's log is linked into its attempt's directory: cutting it must keep both names on one file. */
    @Test
    void cuttingALogKeepsItsHardLinks() throws Exception {
        Path log = dir.resolve("standby.log");
        try (FileOutputStream out = new FileOutputStream(log.toFile(), true)) {
            append(out, 3, "end");
        }
        Path link = Files.createLink(dir.resolve("attempt-stdout.log"), log);
        try (LogCap cap = new LogCap(MIB)) {
            cap.release(List.of(log)).get(120, TimeUnit.SECONDS);
        }
        assertThat(Files.isSameFile(log, link)).isTrue();
        assertThat(Files.size(link)).isBetween(MIB, 2 * MIB);
        assertThat(tail(link, 4)).isEqualTo("end\n");
    }

    @Test
    void aLogUnderTheCapIsLeftAlone() throws Exception {
        Path log = dir.resolve("small.log");
        Files.writeString(log, "a few lines\n");
        try (LogCap cap = new LogCap(MIB)) {
            cap.watch(List.of(log));
            cap.release(List.of(log)).get(120, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(log)).isEqualTo("a few lines\n");
    }
}
