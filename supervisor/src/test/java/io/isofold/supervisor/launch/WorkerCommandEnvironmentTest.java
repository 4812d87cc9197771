package io.isofold.supervisor.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.Json;
import io.isofold.shared.Task;
import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.RunFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in worker's memory settings: which JVM flag and allocator settings each attempt and standby gets. */
@Tag("unit")
class WorkerCommandEnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void hugePagesAreAskedForOnlyWhenTheKernelGivesThemOnRequest() throws Exception {
        Path setting = dir.resolve("enabled");
        Files.writeString(setting, "always [madvise] never\n");
        assertThat(WorkerCommand.transparentHugePagesOnRequest(setting)).isTrue();
        Files.writeString(setting, "[always] madvise never\n");
        assertThat(WorkerCommand.transparentHugePagesOnRequest(setting)).as("always: the heap has them anyway").isFalse();
        Files.writeString(setting, "always madvise [never]\n");
        assertThat(WorkerCommand.transparentHugePagesOnRequest(setting)).as("never: asking does nothing").isFalse();
        assertThat(WorkerCommand.transparentHugePagesOnRequest(dir.resolve("missing"))).as("no huge pages: the JVM would warn").isFalse();
    }

    @Test
    void theAllocatorSettingsGoToEveryAttemptAndStandbyUnlessTheUserHasHis() throws Exception {
        Task task = Json.MAPPER.readValue("""
                {"replicate":1,"index":1,"model":"mlp","model_config":{"name":"mlp","architecture":"mlp","epochs":1,
                 "batch_size":64,"learning_rate":0.001,"patience":10,"filters":[],"units":[8],"dropout":0.2,"params":{}},
                 "fold":1,"folds":5,"shuffle":0,"split_seed":1,"seed":2,"attempt":1,"gpu":"cpu","data":"d",
                 "save_model":true,"attempt_dir":"a","progress_file":"p","result_file":"r"}""", Task.class);
        Slot cpu = new Slot(0, null, 0);
        RunFiles.AttemptFiles files = new RunFiles.AttemptFiles(dir.resolve("attempt-1"));

        WorkerCommand builtIn = new WorkerCommand(List.of("java"), 2, WorkerCommand.builtInEnvironment(Map.of()), null);
        assertThat(builtIn.request(task, cpu, files).environment())
                .containsEntry("GLIBC_TUNABLES", WorkerCommand.MALLOC_TUNABLES);
        assertThat(builtIn.standbyRequest(task, cpu, files, dir.resolve("handoff.json")).environment())
                .containsEntry("GLIBC_TUNABLES", WorkerCommand.MALLOC_TUNABLES);

        assertThat(WorkerCommand.builtInEnvironment(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")))
                .as("the user's own settings, inherited, win").isEmpty();
        assertThat(new WorkerCommand(List.of("my-worker"), null).request(task, cpu, files).environment())
                .as("a worker command of the user's").doesNotContainKey("GLIBC_TUNABLES");
    }

    /** Issue 18 item 5: two CPU workers on 2 cores each started a math thread per core (OMP_NUM_THREADS unset). */
    @Test
    void aCpuSlotsWorkerOfAnyKindGetsItsShareOfTheCoresForEveryMathLibrary() throws Exception {
        Task task = Json.MAPPER.readValue("""
                {"replicate":0,"index":0,"model":"custom","model_config":{"name":"custom","architecture":"custom"},
                 "fold":0,"folds":2,"shuffle":0,"split_seed":1,"seed":2,"attempt":1,"gpu":"cpu",
                 "attempt_dir":"a","progress_file":"p","result_file":"r"}""", Task.class);
        RunFiles.AttemptFiles files = new RunFiles.AttemptFiles(dir.resolve("attempt-1"));
        WorkerCommand script = new WorkerCommand(List.of("python3", "train.py"), 1);
        Map<String, String> onCpu = script.request(task, new Slot(0, null, 0), files).environment();
        for (String pool : WorkerCommand.THREAD_POOLS) {
            if (System.getenv(pool) == null) {
                assertThat(onCpu).containsEntry(pool, "1");
            } else {
                assertThat(onCpu).as("the user's own %s wins", pool).doesNotContainKey(pool);
            }
        }
        assertThat(onCpu).containsEntry("ISOFOLD_THREADS", "1");
        Map<String, String> onGpu = script.request(task, new Slot(1, 0, 0), files).environment();
        assertThat(onGpu).as("a GPU slot's worker keeps the libraries' defaults").doesNotContainKeys(
                WorkerCommand.THREAD_POOLS.toArray(String[]::new));
    }

    @Test
    void thisJvmStartsQuietlyWithTheBuiltInWorkersOptionsAndSettings() throws Exception {
        // the archive's options, as classDataSharing gives them for an archive of this JVM; a fake archive
        // is enough for the JVM to check them all, then go on without it and without a word
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Path jar = Files.createFile(Files.createDirectories(dir.resolve("target")).resolve("isofold-worker.jar"));
        Path cds = Files.createDirectories(dir.resolve("target/cds"));
        Files.writeString(cds.resolve("worker.jsa"), "not an archive");
        Path link = Files.createSymbolicLink(cds.resolve("java"), java);
        List<String> archive = WorkerCommand.classDataSharing(java, jar);
        Files.delete(link); // JUnit warns about a link out of its folder
        assertThat(archive).isNotEmpty();
        List<String> argv = new ArrayList<>(List.of(java.toString()));
        argv.addAll(archive);
        argv.add("-XX:TieredStopAtLevel=1");
        if (WorkerCommand.transparentHugePagesOnRequest(WorkerCommand.THP_SETTING)) {
            argv.add("-XX:+UseTransparentHugePages");
        }
        argv.add("-version");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().putAll(WorkerCommand.builtInEnvironment(Map.of()));
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("no warning").doesNotContainIgnoringCase("warning").doesNotContain("Unrecognized");
    }
}
