package io.isofold.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python worker of docs/checkpoints.md, run for real with /usr/bin/python3: the protocol it shows must
 * work as it says, killed, SIGTERMed and corrupted.
 */
@Tag("unit")
class CheckpointExampleTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path DOC = Path.of("../docs/checkpoints.md"); // tests run in the worker module's folder

    @TempDir
    static Path root;
    static Path script;
    static double uninterrupted;

    @BeforeAll
    static void extractTheExampleAndRunItThrough() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3");
        String doc = Files.readString(DOC);
        int from = doc.indexOf("```python\n");
        assertThat(from).as("a python block in " + DOC).isPositive();
        from += "```python\n".length();
        script = Files.writeString(root.resolve("worker.py"), doc.substring(from, doc.indexOf("```", from)));
        Run r = Run.start(root.resolve("uninterrupted"), root.resolve("uninterrupted-checkpoints"));
        assertThat(r.finish()).as(r.stderr()).isZero();
        uninterrupted = r.result().path("metrics").path("val_loss").asDouble();
        assertThat(r.result().has("continued_from")).isFalse();
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void killedAfterEpoch3ItContinuesFromThereAndEndsTheSame() throws Exception {
        Path checkpoints = root.resolve("kill-checkpoints");
        Run first = Run.start(root.resolve("kill-1"), checkpoints);
        first.await(lines -> lines.stream().anyMatch(l -> l.path("epoch").asInt() >= 3 && !l.has("phase")));
        first.process.destroyForcibly();
        first.finish();

        Run second = Run.start(root.resolve("kill-2"), checkpoints);
        assertThat(second.finish()).as(second.stderr()).isZero();
        JsonNode continued = second.lines().get(0);
        assertThat(continued.path("phase").asText()).isEqualTo("continued");
        int epoch = continued.path("epoch").asInt();
        assertThat(epoch).isGreaterThanOrEqualTo(3);
        assertThat(continued.path("restored_seconds").asDouble()).isPositive();
        assertThat(second.lines().get(1).path("epoch").asInt()).isEqualTo(epoch + 1);
        assertThat(second.result().path("continued_from").path("epoch").asInt()).isEqualTo(epoch);
        assertThat(second.result().path("metrics").path("val_loss").asDouble()).isEqualTo(uninterrupted);
        assertThat(Files.list(checkpoints).map(p -> p.getFileName().toString()).sorted().toList())
                .containsExactly("newest", "previous");
    }

    @Test
    void sigtermSavesThenExitsAndTheNextRunGoesOnFromThere() throws Exception {
        Path checkpoints = root.resolve("term-checkpoints");
        Run first = Run.start(root.resolve("term-1"), checkpoints);
        first.await(lines -> lines.stream().anyMatch(l -> l.path("epoch").asInt() >= 2));
        first.process.destroy(); // SIGTERM
        assertThat(first.finish()).as(first.stderr()).isEqualTo(143);
        int last = first.lines().get(first.lines().size() - 1).path("epoch").asInt();

        Run second = Run.start(root.resolve("term-2"), checkpoints);
        assertThat(second.finish()).as(second.stderr()).isZero();
        assertThat(second.lines().get(0).path("epoch").asInt()).isEqualTo(last);
        assertThat(second.result().path("metrics").path("val_loss").asDouble()).isEqualTo(uninterrupted);
    }

    @Test
    void aCorruptedNewestFallsBackToThePrevious() throws Exception {
        Path checkpoints = Files.createDirectories(root.resolve("corrupt-checkpoints"));
        for (String name : List.of("newest", "previous")) { // those the uninterrupted run left: epochs 12 and 11
            Files.copy(root.resolve("uninterrupted-checkpoints").resolve(name), checkpoints.resolve(name));
        }
        byte[] newest = Files.readAllBytes(checkpoints.resolve("newest"));
        newest[newest.length - 5] ^= 0x01;
        Files.write(checkpoints.resolve("newest"), newest);

        Run second = Run.start(root.resolve("corrupt"), checkpoints);
        assertThat(second.finish()).as(second.stderr()).isZero();
        assertThat(second.stderr()).contains("checkpoint newest not used: checksum mismatch");
        assertThat(second.lines().get(0).path("epoch").asInt()).isEqualTo(11);
        assertThat(second.lines().get(1).path("epoch").asInt()).isEqualTo(12);
        assertThat(second.result().path("metrics").path("val_loss").asDouble()).isEqualTo(uninterrupted);
    }

    /** One run of the example as a worker command, with the contract's variables. */
    private record Run(Process process, Path dir) {
        static Run start(Path dir, Path checkpoints) throws IOException {
            Files.createDirectories(dir);
            Files.createDirectories(checkpoints); // isofold creates it before the attempt starts
            ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), script.toString())
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .redirectError(dir.resolve("stderr.log").toFile());
            pb.environment().put("ISOFOLD_CHECKPOINT_DIR", checkpoints.toString());
            pb.environment().put("ISOFOLD_PROGRESS", dir.resolve("progress.jsonl").toString());
            pb.environment().put("ISOFOLD_RESULT", dir.resolve("result.json").toString());
            return new Run(pb.start(), dir);
        }

        int finish() throws Exception {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the example did not finish in 120 s");
            }
            return process.exitValue();
        }

        String stderr() throws IOException {
            return Files.readString(dir.resolve("stderr.log"));
        }

        JsonNode result() throws IOException {
            return Json.MAPPER.readTree(dir.resolve("result.json").toFile());
        }

        List<JsonNode> lines() throws IOException {
            Path file = dir.resolve("progress.jsonl");
            List<JsonNode> out = new ArrayList<>();
            for (String line : ProgressLines.of(file)) {
                out.add(Json.MAPPER.readTree(line));
            }
            return out;
        }

        void await(Predicate<List<JsonNode>> done) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!done.test(lines())) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the example ended or stalled first: " + stderr());
                }
                Thread.sleep(10);
            }
        }
    }
}
