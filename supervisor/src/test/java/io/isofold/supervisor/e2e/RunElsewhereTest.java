package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 9: {@code status} from another host or container called a live run dead, and
 * {@code report DIR} then rewrote its summary.json as "stopped". Item 13: {@code report} on a
 * directory with only run.json said "running".
 */
@Tag("e2e")
class RunElsewhereTest extends EndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRunHeldOnAnotherHostIsRunningThereNeverDead() throws Exception {
        RunDir run = newRun("elsewhere");
        finishedRun(run);
        // as the journal of a run that a supervisor on gpu-node-7 holds, one attempt running there
        rewriteJournal(run, "gpu-node-7", "another-boot-id", 4242, true);

        SupervisorProcess.Outcome status = supervisor().run("status", run.dir().toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.stdout()).contains(run.dir() + ": running on host gpu-node-7 (supervisor pid 4242; "
                + "cannot check from here whether it still runs, last heard from ").doesNotContain("not running");
        JsonNode json = JSON.readTree(supervisor().run("status", "--json", run.dir().toString()).stdout());
        assertThat(json.get("state").asText()).isEqualTo("running");
        assertThat(json.get("supervisor_host").asText()).isEqualTo("gpu-node-7");
        assertThat(json.get("supervisor_checked").asBoolean()).isFalse();
        assertThat(json.get("running")).hasSize(1);

        SupervisorProcess.Outcome report = supervisor().run("report", run.dir().toString());
        assertThat(report.exitCode()).as(report.toString()).isZero();
        assertThat(report.stdout()).contains("held by supervisor pid 4242 on gpu-node-7");
        assertThat(run.summary().get("status").asText()).isEqualTo("running");
        assertThat(run.summary().get("running_attempts").asInt()).isEqualTo(1);
        assertThat(run.summary().path("attempts_by_verdict").has("supervisor-lost")).isFalse();
    }

    @Test
    void aLockHeldByAnotherProcessHereKeepsTheRunRunningWhateverItsJournalSays() throws Exception {
        RunDir run = newRun("locked");
        finishedRun(run);
        // a journal naming this host and a pid that is another process here (a supervisor in another PID
        // namespace wrote it before namespaces were recorded), and a supervisor holding the run's lock
        rewriteJournal(run, Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), null, 1, true);
        Files.writeString(run.file("run.lock"), "pid 31337 on box-3 since 2025-03-01T20:00:00Z\n");
        Process holder = holdLock(run.file("run.lock"));
        try {
            SupervisorProcess.Outcome status = supervisor().run("status", run.dir().toString());
            assertThat(status.stdout()).as(status.toString())
                    .contains(run.dir() + ": running (supervisor pid 31337 on box-3)");
            assertThat(supervisor().run("report", run.dir().toString()).exitCode()).isZero();
            assertThat(run.summary().get("status").asText()).isEqualTo("running");
            SupervisorProcess.Outcome resume = supervisor().run("resume", run.dir().toString());
            assertThat(resume.exitCode()).as(resume.toString()).isEqualTo(2);
            assertThat(resume.stderr()).contains("another supervisor is running");
        } finally {
            holder.destroyForcibly().waitFor();
        }
        // its holder gone, the same journal is a run whose supervisor died here
        SupervisorProcess.Outcome status = supervisor().run("status", run.dir().toString());
        assertThat(status.stdout()).as(status.toString()).contains(run.dir() + ": supervisor not running");
        assertThat(supervisor().run("report", run.dir().toString()).exitCode()).isZero();
        assertThat(run.summary().get("status").asText()).isEqualTo("stopped");
    }

    @Test
    void aDirectoryWithOnlyRunJsonIsNotRunning() throws IOException {
        RunDir run = newRun("only-run-json");
        finishedRun(run);
        for (String name : List.of("journal.jsonl", "results.csv", "summary.json", "report.html", "run.lock",
                "supervisor.log")) {
            Files.deleteIfExists(run.file(name));
        }
        SupervisorProcess.Outcome report = supervisor().run("report", run.dir().toString());
        assertThat(report.exitCode()).as(report.toString()).isZero();
        assertThat(report.stdout()).contains("stopped").doesNotContain("running,")
                .contains("no supervisor has started");
        assertThat(run.summary().get("status").asText()).isEqualTo("stopped");
        assertThat(Files.readString(run.file("report.html"))).doesNotContain("status running")
                .doesNotContain("http-equiv=\"refresh\"");
        SupervisorProcess.Outcome status = supervisor().run("status", run.dir().toString());
        assertThat(status.stdout()).as(status.toString()).startsWith(run.dir() + ": stopped");
    }

    private void finishedRun(RunDir run) {
        SupervisorProcess.Outcome o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "3",
                "--replicates", "2"), TestWorker.command("ok")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
    }

    /**
     * The journal as another supervisor would have it: its run-start naming {@code host} (with this boot
     * id when {@code bootId} is null), no run-end, and, when {@code attemptRunning}, the last attempt
     * launched and not ended.
     */
    private static void rewriteJournal(RunDir run, String host, String bootId, long pid, boolean attemptRunning)
            throws IOException {
        List<String> lines = new ArrayList<>();
        List<String> all = Files.readAllLines(run.file("journal.jsonl"));
        for (int i = 0; i < all.size(); i++) {
            ObjectNode e = (ObjectNode) JSON.readTree(all.get(i));
            String type = e.path("type").asText();
            if (type.equals("run-end")) {
                continue;
            }
            if (type.equals("run-start")) {
                // start ticks no process has: the pid names another process, or none
                e.put("host", host).put("pid", pid).put("start_ticks", -1).remove("pid_namespace");
                if (bootId != null) {
                    e.put("boot_id", bootId);
                }
            }
            boolean lastEnd = type.equals("end") && all.subList(i + 1, all.size()).stream().noneMatch(l -> l.contains(
                    "\"type\":\"end\""));
            if (lastEnd && attemptRunning) {
                continue;
            }
            lines.add(JSON.writeValueAsString(e));
        }
        Files.write(run.file("journal.jsonl"), lines);
    }

    /** A POSIX lock on the file, as a supervisor's holds it, taken by another process. */
    private static Process holdLock(Path lock) throws IOException {
        Process p = new ProcessBuilder("python3", "-c", "import fcntl, sys, time\n"
                + "f = open(sys.argv[1], 'a')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\n"
                + "time.sleep(120)", lock.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("locked");
        return p;
    }
}
