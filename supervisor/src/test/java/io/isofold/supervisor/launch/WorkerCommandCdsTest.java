package io.isofold.supervisor.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class-data archive of the built-in worker: used only when it is there, fresh, and made by this JVM. */
@Tag("unit")
class WorkerCommandCdsTest {
    @TempDir
    Path dir;
    Path java;
    Path jar;
    Path cds;

    @BeforeEach
    void layout() throws Exception {
        java = Files.createFile(dir.resolve("java"));
        Path target = Files.createDirectories(dir.resolve("worker/target"));
        jar = Files.createFile(target.resolve("isofold-worker.jar"));
        cds = Files.createDirectories(target.resolve("cds"));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
    }

    private Path archive(Instant made) throws Exception {
        Path a = Files.createFile(cds.resolve("worker.jsa"));
        Files.setLastModifiedTime(a, FileTime.from(made));
        return a;
    }

    @Test
    void freshArchiveOfThisJvmIsUsedQuietly() throws Exception {
        Path a = archive(Instant.parse("2026-01-02T00:00:00Z"));
        Files.createSymbolicLink(cds.resolve("java"), java);
        assertThat(WorkerCommand.classDataSharing(java, jar))
                .containsExactly("-XX:SharedArchiveFile=" + a, "-Xshare:auto", "-Xlog:cds=off", "-Xlog:class+path=off");
    }

    @Test
    void noArchiveNoOptions() throws Exception {
        Files.createSymbolicLink(cds.resolve("java"), java);
        assertThat(WorkerCommand.classDataSharing(java, jar)).isEmpty();
    }

    @Test
    void archiveOlderThanTheJarIsNotUsed() throws Exception {
        archive(Instant.parse("2025-12-31T00:00:00Z"));
        Files.createSymbolicLink(cds.resolve("java"), java);
        assertThat(WorkerCommand.classDataSharing(java, jar)).isEmpty();
    }

    @Test
    void archiveOfAnotherJvmOrOfNoKnownJvmIsNotUsed() throws Exception {
        archive(Instant.parse("2026-01-02T00:00:00Z"));
        assertThat(WorkerCommand.classDataSharing(java, jar)).as("no link").isEmpty();
        Path other = Files.createFile(dir.resolve("other-java"));
        Files.createSymbolicLink(cds.resolve("java"), other);
        assertThat(WorkerCommand.classDataSharing(java, jar)).as("another JVM").isEmpty();
    }

    @Test
    void theUsersOptionsComeAfterOursSoTheirsWin() throws Exception {
        archive(Instant.parse("2026-01-02T00:00:00Z"));
        Path self = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path link = Files.createSymbolicLink(cds.resolve("java"), self);
        List<String> argv = WorkerCommand.builtIn(jar, List.of("-Xshare:off"));
        Files.delete(link); // JUnit warns about a link out of its folder
        assertThat(argv.indexOf("-Xshare:off")).isGreaterThan(argv.indexOf("-Xshare:auto"));
        assertThat(argv.indexOf("-Xshare:off")).isGreaterThan(argv.indexOf("-XX:TieredStopAtLevel=1"));
        assertThat(argv.subList(argv.size() - 2, argv.size())).containsExactly("-jar", jar.toString());
    }
}
