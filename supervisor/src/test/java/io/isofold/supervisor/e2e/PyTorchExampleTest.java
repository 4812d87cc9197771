package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch example (examples/pytorch/train.py), run as a user runs it: two variants of its MLP on
 * scikit-learn's digits, 5 folds, standby workers, a supervisor SIGKILLed in the middle and resumed.
 * Skipped where Debian's python3-torch and python3-sklearn are missing, except on CI (CI=true), where
 * that is a failure: scripts/test.sh installs them.
 */
@Tag("e2e")
class PyTorchExampleTest extends EndToEndTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path EXAMPLE = Path.of(System.getProperty("isofold.home", "..")).resolve(
            "examples/pytorch/train.py").toAbsolutePath().normalize();
    /** Samples in scikit-learn's load_digits. */
    private static final int SAMPLES = 1797;
    private static final int FOLDS = 5;
    private static final List<String> VARIANTS = List.of("hidden-16_lr-0.01", "hidden-32_lr-0.01");
    /** The replicate whose first attempt the hook holds: a later one, so that standbys are at work by then. */
    private static final int HELD = 3;

    /**
     * Loaded into every worker through PYTHONPATH (Python imports sitecustomize at start): when the
     * first attempt of replicate {@value #HELD} is about to rename its third checkpoint into place
     * (epochs 1 and 2 are saved, the newest already moved to the previous), it says so in a file
     * {@code held} and waits there, so that the supervisor can be killed in mid-training at a known
     * point instead of at a moment a loaded machine decides. Bounded, like every test worker's wait.
     */
    private static final String HOLD_HOOK = """
            import os, time
            _replace = os.replace
            _saves = [0]
            def replace(src, dst, *args, **kwargs):
                env = os.environ
                checkpoints = env.get("ISOFOLD_CHECKPOINT_DIR")
                if (checkpoints and env.get("ISOFOLD_REPLICATE") == "%d" and env.get("ISOFOLD_ATTEMPT") == "1"
                        and os.path.dirname(os.path.abspath(dst)) == os.path.abspath(checkpoints)
                        and str(src).endswith(".tmp")):
                    _saves[0] += 1
                    if _saves[0] == 3:
                        open(os.path.join(env["ISOFOLD_ATTEMPT_DIR"], "held"), "w").close()
                        for _ in range(600):
                            time.sleep(0.5)
                        os._exit(1)
                return _replace(src, dst, *args, **kwargs)
            os.replace = replace
            """.formatted(HELD);

    @BeforeAll
    static void needsTorchAndSklearn() {
        boolean available = importable();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertThat(available).as(PYTHON + " imports torch and sklearn (scripts/test.sh installs python3-torch "
                    + "and python3-sklearn)").isTrue();
        }
        Assumptions.assumeTrue(available, PYTHON + " cannot import torch and sklearn");
    }

    private static boolean importable() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, sklearn.model_selection")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Test
    void variantsValidateEverySampleOnceOnTheSameFoldsThroughAKillAndAResumeWithStandbys() throws Exception {
        RunDir run = newRun("pytorch");
        Path hooks = Files.createDirectories(tmp.resolve("hooks"));
        Files.writeString(hooks.resolve("sitecustomize.py"), HOLD_HOOK);
        List<String> spec = List.of("--gpus", "none", "--folds", Integer.toString(FOLDS), "--param", "hidden=16,32",
                "--param", "lr=0.01", "--metric", "val_accuracy:max", "--standby", "--kill-grace", "2s");
        List<String> command = List.of("--", PYTHON.toString(), EXAMPLE.toString());

        SupervisorProcess.Started first = supervisor().timeout(Duration.ofMinutes(5))
                .env("PYTHONPATH", hooks.toString()).start(args(run, spec, command));
        Path held = run.attemptDir(HELD, 1).resolve("held");
        waitFor(() -> Files.exists(held) || !first.process().isAlive(), Duration.ofMinutes(4));
        assertThat(held).as("replicate %d's first attempt reached its third checkpoint; %s", HELD,
                first.process().isAlive() ? "" : first.await()).exists();
        first.signal("KILL");
        assertThat(first.await().exitCode()).isEqualTo(137);

        SupervisorProcess.Outcome resumed = supervisor().timeout(Duration.ofMinutes(5))
                .run("resume", run.dir().toString());

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        // (a) every variant's 5 folds completed
        List<Map<String, String>> results = run.results();
        assertThat(results).hasSize(VARIANTS.size() * FOLDS);
        for (String variant : VARIANTS) {
            assertThat(results).filteredOn(r -> r.get("model").equals(variant)).extracting(r -> r.get("fold"))
                    .containsExactlyInAnyOrder("0", "1", "2", "3", "4");
        }
        assertThat(results).allSatisfy(r -> assertThat(Double.parseDouble(r.get("val_accuracy"))).isGreaterThan(0.5));

        // (b) the fold contract: each variant validated every sample exactly once, and both on the same folds
        Map<String, Map<Integer, List<Integer>>> validated = new TreeMap<>();
        for (Map<String, String> r : results) {
            Path attempt = run.attemptDir(Integer.parseInt(r.get("replicate")), Integer.parseInt(r.get("attempt")));
            validated.computeIfAbsent(r.get("model"), m -> new TreeMap<>())
                    .put(Integer.parseInt(r.get("fold")), validationIndices(attempt));
            JsonNode result = json(attempt.resolve("result.json"));
            assertThat(result.path("device").asText()).isEqualTo("cpu");
            assertThat(result.path("directions").path("val_accuracy").asText()).isEqualTo("max");
        }
        for (String variant : VARIANTS) {
            Map<Integer, Long> times = validated.get(variant).values().stream().flatMap(List::stream)
                    .collect(Collectors.groupingBy(i -> i, Collectors.counting()));
            long never = IntStream.range(0, SAMPLES).filter(i -> !times.containsKey(i)).count();
            long again = times.values().stream().filter(n -> n > 1).count();
            assertThat(never + " samples never validated, " + again + " more than once")
                    .as("%s over its %d folds", variant, FOLDS).isEqualTo("0 samples never validated, 0 more than once");
            assertThat(times.keySet()).allMatch(i -> i >= 0 && i < SAMPLES);
        }
        for (int fold = 0; fold < FOLDS; fold++) {
            List<Integer> fold0 = validated.get(VARIANTS.get(0)).get(fold);
            assertThat(validated.get(VARIANTS.get(1)).get(fold)).as("fold %d of both variants", fold)
                    .containsExactlyInAnyOrderElementsOf(fold0);
        }

        // (c) the held attempt was lost with its supervisor; the next continued from its last checkpoint
        List<JsonNode> ends = run.ends();
        assertThat(ends).filteredOn(e -> e.get("replicate").asInt() == HELD && e.get("attempt").asInt() == 1)
                .singleElement().satisfies(e -> assertThat(e.get("verdict").asText()).isEqualTo("supervisor-lost"));
        assertThat(results).filteredOn(r -> r.get("replicate").equals(Integer.toString(HELD))).singleElement()
                .satisfies(r -> assertThat(r.get("attempt")).isEqualTo("2"));
        JsonNode continued = progressLines(run.attemptDir(HELD, 2)).get(0);
        assertThat(continued.path("phase").asText()).isEqualTo("continued");
        assertThat(continued.path("epoch").asInt()).as("epochs 1 and 2 were saved, the third was not").isEqualTo(2);
        assertThat(continued.path("batch").asInt()).isZero();
        assertThat(progressLines(run.attemptDir(HELD, 2)).get(1).path("epoch").asInt()).isEqualTo(3);
        assertThat(json(run.attemptDir(HELD, 2).resolve("result.json")).path("continued_from").path("epoch").asInt())
                .isEqualTo(2);
        assertThat(ends).filteredOn(e -> e.get("replicate").asInt() == HELD && e.get("attempt").asInt() == 2)
                .singleElement().satisfies(e -> assertThat(e.path("continued_from").path("epoch").asInt()).isEqualTo(2));
        // no completed replicate ran twice: one completed end each, one result file each, nothing launched after it
        List<JsonNode> journal = run.journal();
        for (int replicate = 0; replicate < VARIANTS.size() * FOLDS; replicate++) {
            int r = replicate;
            assertThat(ends).filteredOn(e -> e.get("replicate").asInt() == r
                    && e.get("verdict").asText().equals("completed")).as("replicate %d completed", r).hasSize(1);
            assertThat(resultFiles(run, r)).as("replicate %d's result files", r).hasSize(1);
            int completedAt = indexOf(journal, e -> e.path("type").asText().equals("end")
                    && e.get("replicate").asInt() == r && e.get("verdict").asText().equals("completed"));
            assertThat(journal.subList(completedAt, journal.size())).as("launches of replicate %d after it completed", r)
                    .noneMatch(e -> e.path("type").asText().equals("launch") && e.get("replicate").asInt() == r);
        }

        // (d) standbys: attempts that began as a standby and were handed their task completed
        List<String> completedDirs = results.stream().map(r -> run.attemptDir(Integer.parseInt(r.get("replicate")),
                Integer.parseInt(r.get("attempt"))).toString()).toList();
        assertThat(run.launches()).filteredOn(l -> l.has("standby_since"))
                .anySatisfy(l -> assertThat(completedDirs).contains(l.get("attempt_dir").asText()));
        assertThat(run.dir().resolve("standby")).doesNotExist();
    }

    private static List<Integer> validationIndices(Path attemptDir) {
        List<Integer> indices = new ArrayList<>();
        json(attemptDir.resolve("validation_indices.json")).forEach(n -> indices.add(n.asInt()));
        return indices;
    }

    private static List<JsonNode> progressLines(Path attemptDir) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(attemptDir.resolve("progress.jsonl"))) {
            lines.add(new ObjectMapper().readTree(line));
        }
        return lines;
    }

    private static List<Path> resultFiles(RunDir run, int replicate) throws IOException {
        File[] attempts = run.dir().resolve("replicates").resolve(Integer.toString(replicate)).toFile()
                .listFiles((d, name) -> name.startsWith("attempt-"));
        return attempts == null ? List.of() : java.util.Arrays.stream(attempts).map(f -> f.toPath().resolve("result.json"))
                .filter(Files::exists).collect(Collectors.toList());
    }

    private static int indexOf(List<JsonNode> journal, java.util.function.Predicate<JsonNode> p) {
        for (int i = 0; i < journal.size(); i++) {
            if (p.test(journal.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such journal event");
    }

    private static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void waitFor(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
