package io.isofold.supervisor.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.supervisor.proc.ProcessTable;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 item 9: who holds a run, as {@code status} and {@code report} see it from wherever they
 * run. A supervisor on another host, or in a PID namespace this process does not share, cannot be
 * checked: it is taken to run, never declared dead.
 */
@Tag("unit")
class RunLockTest {
    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void endChild() throws InterruptedException {
        if (child != null) {
            child.destroyForcibly().waitFor();
        }
    }

    private static RunHistory started(long pid, String host, String bootId, Long ticks, String pidNamespace) {
        RunHistory h = RunHistory.empty();
        h.apply(new JournalEvent.RunStart(Instant.now().toString(), pid, host, bootId, ticks, null, pidNamespace));
        return h;
    }

    @Test
    void aSupervisorOnAnotherHostIsTakenToRunAndSaidToBeThere() {
        RunHistory h = started(4242, "gpu-node-7", "another-boot", 99L, "pid:[4026531836]");
        assertThat(RunLock.holder(dir, h)).contains(new RunLock.Holder(4242, "gpu-node-7", RunLock.Check.NONE));
        assertThat(RunLock.liveSupervisor(h)).as("nothing a resume can check").isEmpty();
        h.apply(new JournalEvent.RunEnd(Instant.now().toString(), 0, null));
        assertThat(RunLock.holder(dir, h)).as("it said it ended the run").isEmpty();
    }

    @Test
    void aSupervisorOfThisHostBeforeItsLastBootIsGone() {
        RunHistory h = started(4242, RunLock.hostName(), "a-boot-before-this-one", 99L, null);
        assertThat(RunLock.holder(dir, h)).isEmpty();
    }

    @Test
    void aSupervisorInAnotherPidNamespaceOfThisMachineCannotBeCheckedByItsPid() throws Exception {
        child = new ProcessBuilder("sleep", "120").start();
        long ticks = startTicks(child.pid());
        // its pid names a live process here: a stranger, since the supervisor's pid was in another namespace
        RunHistory h = started(child.pid(), "container-7", ProcessTable.bootId(), ticks, "pid:[1]");
        assertThat(RunLock.holder(dir, h)).contains(new RunLock.Holder(child.pid(), "container-7",
                RunLock.Check.NONE));
    }

    @Test
    void aSupervisorHereIsCheckedByItsProcess() throws Exception {
        child = new ProcessBuilder("sleep", "120").start();
        long ticks = startTicks(child.pid());
        RunHistory h = started(child.pid(), RunLock.hostName(), ProcessTable.bootId(), ticks,
                ProcessTable.pidNamespace());
        assertThat(RunLock.holder(dir, h)).contains(new RunLock.Holder(child.pid(), RunLock.hostName(),
                RunLock.Check.PROCESS));
        assertThat(RunLock.liveSupervisor(h)).contains(child.pid());
        child.destroyForcibly().waitFor();
        assertThat(RunLock.holder(dir, h)).as("dead here: not running").isEmpty();
        RunHistory reused = started(1, RunLock.hostName(), ProcessTable.bootId(), -1L, null);
        assertThat(RunLock.holder(dir, reused)).as("pid 1 with another start time: its pid reused").isEmpty();
    }

    @Test
    void aLockAnotherProcessHoldsHereMeansRunningWhateverTheJournalSays() throws Exception {
        Path lock = dir.resolve(RunFiles.LOCK);
        Files.writeString(lock, "pid 777 on box-3 since 2025-03-01T20:00:00Z\n");
        // a journal naming this host and a pid now another process's, as one from before PID namespaces were recorded
        RunHistory h = started(1, RunLock.hostName(), ProcessTable.bootId(), -1L, null);
        assertThat(RunLock.holder(dir, h)).isEmpty();
        child = holdLock(lock);
        assertThat(RunLock.holder(dir, h)).contains(new RunLock.Holder(777, "box-3", RunLock.Check.LOCK));
        assertThat(RunLock.holder(dir, RunHistory.empty())).as("even with no journal")
                .contains(new RunLock.Holder(777, "box-3", RunLock.Check.LOCK));
        child.destroyForcibly().waitFor();
        assertThat(RunLock.holder(dir, h)).isEmpty();
    }

    @Test
    void aLockThisProcessHoldsIsNotAnotherSupervisor() throws Exception {
        try (RunLock held = RunLock.acquire(dir)) {
            assertThat(RunLock.lockedHere(dir.resolve(RunFiles.LOCK))).isFalse();
            assertThat(RunLock.holder(dir, RunHistory.empty())).isEmpty();
        }
    }

    /** A POSIX lock on the file, as the supervisor's FileChannel.lock takes it, held by another process. */
    static Process holdLock(Path lock) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import fcntl, sys, time\n"
                + "f = open(sys.argv[1], 'a')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\n"
                + "time.sleep(120)", lock.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("locked");
        return p;
    }

    private static long startTicks(long pid) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            Optional<ProcessTable.Entry> e = ProcessTable.read(pid);
            if (e.isPresent()) {
                return e.get().startTicks();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no /proc entry for " + pid);
    }
}
