package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the end-to-end tests: a temporary directory, 4 fake GPUs, a fresh supervisor runner, and
 * after every test the check that no process of any run the test made is still alive (and, should
 * one be, its removal, so it cannot disturb the next test).
 */
abstract class EndToEndTest {
    @TempDir
    Path tmp;

    FakeGpus gpus;
    final List<RunDir> runs = new ArrayList<>();

    @BeforeEach
    void setUpSupervisor() {
        gpus = FakeGpus.create(tmp, 4);
    }

    /** A supervisor runner whose workers append their starts to {@link #workerStarts}' log. */
    SupervisorProcess supervisor() {
        return new SupervisorProcess(tmp.resolve("cwd"), gpus).env("TESTWORKER_STARTS", startsLog().toString());
    }

    private Path startsLog() {
        return tmp.resolve("worker-starts.log");
    }

    /**
     * How many test workers started in this test, as the workers themselves logged it: a count that
     * does not depend on the supervisor's own journal being right.
     */
    long workerStarts() {
        try {
            return java.nio.file.Files.exists(startsLog()) ? java.nio.file.Files.readAllLines(startsLog()).size() : 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A fresh output directory that the after-test check watches. */
    RunDir newRun(String name) {
        RunDir run = new RunDir(tmp.resolve("runs").resolve(name));
        runs.add(run);
        return run;
    }

    /** {@code --out DIR} plus the given options. */
    static List<String> args(RunDir run, List<String> options, List<String> worker) {
        List<String> all = new ArrayList<>();
        all.add("--out");
        all.add(run.dir().toString());
        all.addAll(options);
        all.addAll(worker);
        return all;
    }

    @AfterEach
    void noProcessOfAnyRunSurvives() {
        List<String> survivors = new ArrayList<>();
        for (RunDir run : runs) {
            List<Long> live = run.liveProcesses();
            if (!live.isEmpty()) {
                survivors.add(run.dir() + ": " + live);
                run.killLiveProcesses();
            }
        }
        assertThat(survivors).as("processes of the run still alive after the supervisor ended").isEmpty();
    }
}
