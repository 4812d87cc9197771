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

    SupervisorProcess supervisor() {
        return new SupervisorProcess(tmp.resolve("cwd"), gpus);
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
