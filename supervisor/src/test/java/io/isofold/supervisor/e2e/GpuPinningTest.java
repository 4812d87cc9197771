package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isofold.shared.ReplicatePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where attempts run: one per slot at a time, pinned to the slot's GPU, with the contract's environment. */
@Tag("e2e")
class GpuPinningTest extends EndToEndTest {
    private static final int FOLDS = 4;
    private static final int REPLICATES = 8;
    private static final long SEED = 42;

    @ParameterizedTest(name = "{0} worker(s) per GPU")
    @ValueSource(ints = {1, 2})
    void replicatesRunOnceEachPinnedToTheirSlotsGpu(int workersPerGpu) throws IOException {
        RunDir run = newRun("pinned-" + workersPerGpu);
        // workers that take 0.3 s, so attempts that shared a slot would show overlapping times
        var o = supervisor().run(args(run, List.of("--folds", "" + FOLDS, "--replicates", "" + REPLICATES,
                "--workers-per-gpu", "" + workersPerGpu, "--seed", "" + SEED), TestWorker.command("ok", "0.3")));
        assertThat(o.exitCode()).as(o.toString()).isZero();

        List<Map<String, String>> rows = run.results();
        assertThat(rows).hasSize(REPLICATES);
        assertThat(rows).extracting(r -> Integer.parseInt(r.get("replicate")))
                .containsExactlyInAnyOrderElementsOf(range(REPLICATES));
        for (Map<String, String> row : rows) {
            assertThat(Integer.parseInt(row.get("fold"))).isEqualTo(Integer.parseInt(row.get("replicate")) % FOLDS);
        }

        JsonNode summary = run.summary();
        assertThat(summary.get("requested").asInt()).isEqualTo(REPLICATES);
        assertThat(summary.get("completed").asInt()).isEqualTo(REPLICATES);
        assertThat(summary.get("attempts").asInt()).isEqualTo(REPLICATES);
        assertThat(summary.get("failed_attempts").asInt()).isZero();
        // the test worker reports accuracy 0.9r for replicate r: 0.90 ... 0.97
        assertThat(summary.at("/metrics/accuracy/mean").asDouble()).isCloseTo(0.935, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(summary.at("/metrics/accuracy/min").asDouble()).isEqualTo(0.90);
        assertThat(summary.at("/metrics/accuracy/max").asDouble()).isEqualTo(0.97);

        List<WorkerRecord> workers = run.workerRecords();
        assertThat(workers).hasSize(REPLICATES);
        Map<String, List<WorkerRecord>> bySlot = new TreeMap<>();
        Map<String, List<WorkerRecord>> byGpu = new TreeMap<>();
        for (WorkerRecord w : workers) {
            JsonNode launch = run.launchOf(w.attemptDir());
            String gpu = launch.get("gpu").asText();
            assertThat(w.env("CUDA_VISIBLE_DEVICES")).as("CUDA_VISIBLE_DEVICES of %s", w.attemptDir()).isEqualTo(gpu);
            assertThat(w.env("ISOFOLD_GPU")).isEqualTo(gpu);
            assertThat(launch.get("slot").asText()).startsWith("gpu" + gpu + "/");
            bySlot.computeIfAbsent(launch.get("slot").asText(), s -> new ArrayList<>()).add(w);
            byGpu.computeIfAbsent(gpu, s -> new ArrayList<>()).add(w);
        }
        assertThat(byGpu.keySet()).containsExactlyInAnyOrder("0", "1", "2", "3");
        assertThat(bySlot).hasSize(4 * workersPerGpu);
        bySlot.forEach((slot, attempts) -> assertThat(maxConcurrent(attempts)).as("attempts at once on slot %s", slot)
                .isEqualTo(1));
        byGpu.forEach((gpu, attempts) -> assertThat(maxConcurrent(attempts)).as("attempts at once on GPU %s", gpu)
                .isLessThanOrEqualTo(workersPerGpu));
        assertContractEnvironment(workers);
    }

    private void assertContractEnvironment(List<WorkerRecord> workers) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Set<String> seeds = new HashSet<>();
        for (WorkerRecord w : workers) {
            Path dir = w.attemptDir();
            int r = Integer.parseInt(dir.getParent().getFileName().toString());
            assertThat(w.env("ISOFOLD_REPLICATE")).isEqualTo("" + r);
            assertThat(w.env("ISOFOLD_FOLD")).isEqualTo("" + r % FOLDS);
            assertThat(w.env("ISOFOLD_FOLDS")).isEqualTo("" + FOLDS);
            assertThat(w.env("ISOFOLD_ATTEMPT")).isEqualTo("1");
            assertThat(w.env("ISOFOLD_SEED")).isEqualTo(Long.toString(ReplicatePlan.of(r, FOLDS, SEED).seed()));
            seeds.add(w.env("ISOFOLD_SEED"));
            assertThat(w.env("ISOFOLD_ATTEMPT_DIR")).isEqualTo(dir.toString());
            assertThat(w.env("ISOFOLD_PROGRESS")).isEqualTo(dir.resolve("progress.jsonl").toString());
            assertThat(w.env("ISOFOLD_RESULT")).isEqualTo(dir.resolve("result.json").toString());
            assertThat(dir.resolve("progress.jsonl")).isRegularFile();
            Path task = Path.of(w.env("ISOFOLD_TASK"));
            assertThat(task).isEqualTo(dir.resolve("task.json")).isRegularFile();
            JsonNode t = json.readTree(Files.readAllBytes(task));
            assertThat(t.isObject()).isTrue();
            assertThat(t.path("replicate").asInt(-1)).isEqualTo(r);
            assertThat(t.path("fold").asInt(-1)).isEqualTo(r % FOLDS);
            assertThat(t.path("folds").asInt(-1)).isEqualTo(FOLDS);
            assertThat(t.path("seed").asText()).isEqualTo(w.env("ISOFOLD_SEED"));
        }
        assertThat(seeds).as("distinct seeds per replicate").hasSize(workers.size());
    }

    @Test
    void inheritedCudaVisibleDevicesLimitsAllToThoseGpus() {
        RunDir run = newRun("inherited");
        var o = supervisor().env("CUDA_VISIBLE_DEVICES", "1,3")
                .run(args(run, List.of("--folds", "2", "--replicates", "4", "--gpus", "all"), TestWorker.command("ok", "0.3")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        List<WorkerRecord> workers = run.workerRecords();
        assertThat(workers).hasSize(4);
        assertThat(workers).extracting(w -> w.env("CUDA_VISIBLE_DEVICES")).containsOnly("1", "3").contains("1", "3");
        for (WorkerRecord w : workers) {
            assertThat(w.env("ISOFOLD_GPU")).isEqualTo(w.env("CUDA_VISIBLE_DEVICES"));
        }
        assertThat(run.launches()).extracting(e -> e.get("gpu").asText()).containsOnly("1", "3");
    }

    @Test
    void gpuHiddenByInheritedCudaVisibleDevicesIsRefused() {
        RunDir run = newRun("hidden");
        var o = supervisor().env("CUDA_VISIBLE_DEVICES", "1,3")
                .run(args(run, List.of("--folds", "2", "--gpus", "0"), TestWorker.command("ok")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(o.stderr().lines().toList()).singleElement().asString().startsWith("isofold:").contains("0");
        assertThat(run.dir().resolve("journal.jsonl")).doesNotExist();
    }

    @Test
    void cpuRunGivesWorkersAnEmptyCudaVisibleDevices() {
        RunDir run = newRun("cpu");
        // the supervisor's own CUDA_VISIBLE_DEVICES must not leak through to a CPU worker
        var o = supervisor().env("CUDA_VISIBLE_DEVICES", "2")
                .run(args(run, List.of("--folds", "2", "--replicates", "3", "--gpus", "none", "--cpu-workers", "2"),
                        TestWorker.command("ok")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        List<WorkerRecord> workers = run.workerRecords();
        assertThat(workers).hasSize(3);
        for (WorkerRecord w : workers) {
            assertThat(w.cudaVisibleDevicesSet()).as("CUDA_VISIBLE_DEVICES is set").isTrue();
            assertThat(w.env("CUDA_VISIBLE_DEVICES")).isEmpty();
            assertThat(w.env("ISOFOLD_GPU")).isEqualTo("cpu");
        }
        assertThat(run.launches()).extracting(e -> e.get("gpu").asText()).containsOnly("cpu");
        assertThat(run.results()).extracting(r -> r.get("gpu")).containsOnly("cpu");
    }

    /** The most attempts that ran at the same moment, from the workers' own start and end times. */
    private static int maxConcurrent(List<WorkerRecord> attempts) {
        record Edge(long ms, int delta) {}
        List<Edge> edges = new ArrayList<>();
        for (WorkerRecord w : attempts) {
            assertThat(w.endMs()).as("end time of %s", w.attemptDir()).isNotNull();
            edges.add(new Edge(w.startMs(), 1));
            edges.add(new Edge(w.endMs(), -1));
        }
        // an end and a start at the same millisecond do not overlap
        edges.sort(Comparator.comparingLong(Edge::ms).thenComparingInt(Edge::delta));
        int now = 0;
        int max = 0;
        for (Edge e : edges) {
            now += e.delta();
            max = Math.max(max, now);
        }
        return max;
    }

    private static List<Integer> range(int n) {
        return java.util.stream.IntStream.range(0, n).boxed().collect(Collectors.toList());
    }
}
