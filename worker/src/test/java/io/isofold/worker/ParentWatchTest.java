package io.isofold.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.WorkerEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes: a parent or supervisor is killed, and the watching JVM must end within seconds. */
@Tag("unit")
class ParentWatchTest {
    /**
     * The watch polls every 0.5 s and the contract is "within about 2 s"; a test waits this long, room
     * for any busy machine, and still far less than the probe's own end 60 s after its start.
     */
    private static final Duration EXIT_WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static long awaitPid(Path pidFile) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(pidFile)) {
            assertThat(System.nanoTime()).as("probe did not start").isLessThan(end);
            Thread.sleep(50);
        }
        return Long.parseLong(Files.readString(pidFile).trim());
    }

    private static void awaitExit(ProcessHandle p) throws Exception {
        try {
            p.onExit().get(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new AssertionError("watching process " + p.pid() + " did not exit after its parent died");
        }
    }

    @Test
    void exitsWhenItsParentProcessIsKilled() throws Exception {
        Path pidFile = dir.resolve("probe.pid");
        String java = ChildJvm.command(ParentWatchProbe.class, pidFile.toString()).stream()
                .map(s -> "'" + s.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        // bash is the probe's parent, and stays alive (wait) until it is killed
        Process bash = new ProcessBuilder("bash", "-c", java + " 2>'" + dir.resolve("err") + "' & wait")
                .redirectOutput(dir.resolve("bash.out").toFile())
                .redirectErrorStream(true)
                .start();
        ProcessHandle probe = ProcessHandle.of(awaitPid(pidFile)).orElseThrow();
        assertThat(probe.parent().map(ProcessHandle::pid)).contains(bash.pid());
        // a few watch intervals: a live parent must not end it (nothing to wait for: nothing must happen)
        Thread.sleep(1200);
        assertThat(probe.isAlive()).isTrue();

        bash.destroyForcibly();

        awaitExit(probe); // and its stderr says the watch ended it, not its own end
        assertThat(Files.readString(dir.resolve("err"))).contains("parent process " + bash.pid() + " has died");
    }

    @Test
    void exitsWithStatus3WhenTheSupervisorIsKilled() throws Exception {
        Process supervisor = new ProcessBuilder("sleep", "60").start();
        Path pidFile = dir.resolve("probe.pid");
        Process probe = ChildJvm.start(dir, Map.of(WorkerEnv.SUPERVISOR_PID, Long.toString(supervisor.pid())),
                ParentWatchProbe.class, pidFile.toString());
        awaitPid(pidFile);
        Thread.sleep(1200); // as above: a live supervisor must not end it
        assertThat(probe.isAlive()).isTrue();

        supervisor.destroyForcibly();

        awaitExit(probe.toHandle());
        assertThat(probe.exitValue()).isEqualTo(ParentWatch.EXIT_PARENT_GONE);
        assertThat(Files.readString(dir.resolve("stderr.log")))
                .contains("supervisor process " + supervisor.pid() + " has died");
    }

    @Test
    void exitsAtOnceWhenTheSupervisorIsAlreadyGone() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Process probe = ChildJvm.start(dir, Map.of(WorkerEnv.SUPERVISOR_PID, Long.toString(gone.pid())),
                ParentWatchProbe.class, dir.resolve("probe.pid").toString());

        assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.exitValue()).isEqualTo(ParentWatch.EXIT_PARENT_GONE);
        assertThat(Files.readString(dir.resolve("stderr.log"))).contains("is not running");
        assertThat(dir.resolve("probe.pid")).doesNotExist();
    }

    @Test
    void aReusedPidIsNotTheSupervisor() {
        ProcessHandle self = ProcessHandle.current();
        Instant realStart = self.info().startInstant().orElseThrow();
        var same = new ParentWatch.Watched(self.pid(), realStart);
        var impostor = new ParentWatch.Watched(self.pid(), realStart.minusSeconds(3600));

        assertThat(same.alive()).isTrue();
        assertThat(impostor.alive()).isFalse();
        assertThat(new ParentWatch(same, 1, new StopRequest()).check()).isNull();
        assertThat(new ParentWatch(impostor, 1, new StopRequest()).check()).contains("has died");
    }

    @Test
    void aZombieCountsAsDead() throws IOException, InterruptedException {
        assertThat(ParentWatch.zombie(ProcessHandle.current().pid())).isFalse();
        // bash forks sleep and execs into a sleep itself without reaping: the first sleep stays a zombie
        Process p = new ProcessBuilder("bash", "-c", "sleep 0 & exec sleep 30").start();
        try {
            long zombiePid = -1;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (zombiePid < 0 && System.nanoTime() < end) {
                zombiePid = p.toHandle().children().mapToLong(ProcessHandle::pid)
                        .filter(ParentWatch::zombie).findFirst().orElse(-1);
                Thread.sleep(50);
            }
            assertThat(zombiePid).as("a zombie child").isPositive();
        } finally {
            p.destroyForcibly();
        }
    }
}
