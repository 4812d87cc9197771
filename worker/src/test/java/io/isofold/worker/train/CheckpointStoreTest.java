package io.isofold.worker.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.shared.ModelConfig;
import io.isofold.shared.ProgressEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint files on their own: written whole, two kept, verified on load, the previous one as fallback. */
@Tag("unit")
class CheckpointStoreTest {
    private static final ModelConfig MLP = new ModelConfig("m", "mlp", 5, 8, 1e-3, 2, List.of(), List.of(4), 0.2);
    private static final int[] LENGTHS = {12, 4, 8, 2, 12, 12, 4, 4, 8, 8, 2, 2, 1, 1};
    private static final int WEIGHTS = 4;

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();
    private CheckpointStore store;

    @BeforeEach
    void open() {
        store = CheckpointStore.open(dir, Duration.ofSeconds(5), log::add);
        assertThat(store).isNotNull();
    }

    @AfterEach
    void close() {
        store.close(); // the lock, before the temporary folder goes
    }

    private static JsonNode identity(long seed, int fold) {
        return Json.MAPPER.valueToTree(new Checkpoint.Identity(Checkpoint.FORMAT, MLP, 3, 2, 2, 2, 40, 10,
                "0123456789abcdef", fold, 5, 17, seed, List.of("dense1_kernel [12, 4]", "...")));
    }

    /** A checkpoint after {@code epochs} epochs whose every value is {@code epochs}, so that tests can tell them apart. */
    private static Checkpoint checkpoint(int epochs, JsonNode identity) {
        float[][] state = new float[LENGTHS.length][];
        for (int i = 0; i < state.length; i++) {
            state[i] = new float[LENGTHS[i]];
            java.util.Arrays.fill(state[i], epochs + i / 100f);
        }
        List<ProgressEvent> history = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            history.add(new ProgressEvent(e, null, null, 1.0 / e, 0.5, 1.1 / e, 0.4, e * 2.5));
        }
        Checkpoint.Meta meta = new Checkpoint.Meta(identity, epochs, 0, 5, epochs * 2.5, history,
                new EarlyStopping.State(1.1 / epochs, epochs, 0), 0, 0, 0, 1.5, 200L * epochs, 300, "cpu",
                List.of("/device:CPU:0"));
        return new Checkpoint(meta, state, new float[0][]);
    }

    private CheckpointStore.Loaded load(JsonNode identity) {
        return store.load(c -> c.problem(identity, LENGTHS, WEIGHTS));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Path newest() throws IOException {
        return dir.resolve(names().stream().filter(n -> n.endsWith(".bin")).reduce((a, b) -> b).orElseThrow());
    }

    @Test
    void aCheckpointReadsBackAsItWasWritten() throws Exception {
        Checkpoint c = checkpoint(3, identity(1, 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.write(out);
        Checkpoint back = Checkpoint.read(out.toByteArray());
        assertThat(Json.MAPPER.writeValueAsString(back.meta())).isEqualTo(Json.MAPPER.writeValueAsString(c.meta()));
        assertThat(back.state()).isDeepEqualTo(c.state());
        assertThat(back.best()).isEmpty();
        assertThat(back.problem(identity(1, 0), LENGTHS, WEIGHTS)).isNull();
    }

    @Test
    void keepsTheNewestAndThePreviousOnlyAndLoadsTheNewest() throws Exception {
        JsonNode id = identity(1, 0);
        for (int e = 1; e <= 4; e++) {
            assertThat(store.save(checkpoint(e, id))).isTrue();
        }
        assertThat(names()).containsExactly("checkpoint-00000003.bin", "checkpoint-00000004.bin", "lock");
        assertThat(load(id).checkpoint().meta().epochs()).isEqualTo(4);
        assertThat(log).isEmpty();
    }

    @Test
    void aTruncatedNewestFallsBackToThePreviousAndAStrayTempFileIsIgnored() throws Exception {
        JsonNode id = identity(1, 0);
        store.save(checkpoint(1, id));
        store.save(checkpoint(2, id));
        Path newest = newest();
        byte[] whole = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(whole, whole.length / 2));
        // a kill during a later write: a whole temp file never renamed, of a later checkpoint
        Files.write(dir.resolve("checkpoint-00000003.bin.tmp"), whole);

        CheckpointStore.Loaded loaded = reopenAndLoad(id);

        assertThat(loaded.checkpoint().meta().epochs()).isEqualTo(1);
        assertThat(log).anyMatch(l -> l.contains("checkpoint-00000002.bin not used") && l.contains("torn or truncated"))
                .anyMatch(l -> l.contains("falling back to the previous checkpoint, checkpoint-00000001.bin"));
        // the next save keeps the one it continued from and clears the rest, the temp file among them
        assertThat(store.save(checkpoint(2, id))).isTrue();
        assertThat(names()).containsExactly("checkpoint-00000001.bin", "checkpoint-00000004.bin", "lock");
    }

    @Test
    void aFlippedByteInTheNewestFallsBackToThePrevious() throws Exception {
        JsonNode id = identity(1, 0);
        store.save(checkpoint(1, id));
        store.save(checkpoint(2, id));
        Path newest = newest();
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 100] ^= 0x10; // inside the last array: no parser would notice
        Files.write(newest, bytes);

        assertThat(reopenAndLoad(id).checkpoint().meta().epochs()).isEqualTo(1);
        assertThat(log).anyMatch(l -> l.contains("checksum mismatch"));
    }

    @Test
    void whenNeitherLoadsTheTrainingStartsFreshAndSaysWhy() throws Exception {
        JsonNode id = identity(1, 0);
        store.save(checkpoint(1, id));
        store.save(checkpoint(2, id));
        for (String name : names()) {
            if (name.endsWith(".bin")) {
                Files.write(dir.resolve(name), new byte[0]);
            }
        }
        assertThat(reopenAndLoad(id)).isNull();
        assertThat(log).filteredOn(l -> l.contains("not used")).hasSize(2);
        assertThat(log).last().asString().contains("no usable checkpoint in").contains("(2 refused)")
                .contains("training starts from the beginning");
    }

    @Test
    void aCheckpointOfAnotherTrainingIsRefused() throws Exception {
        store.save(checkpoint(2, identity(1, 0)));

        assertThat(reopenAndLoad(identity(1, 3))).isNull();
        assertThat(log).anyMatch(l -> l.contains("made for another training: fold: 3 here, 0 in the checkpoint"));

        log.clear();
        assertThat(reopenAndLoad(identity(2, 0))).isNull();
        assertThat(log).anyMatch(l -> l.contains("made for another training: seed: 2 here, 1 in the checkpoint"));

        log.clear();
        JsonNode otherModel = Json.MAPPER.valueToTree(new Checkpoint.Identity(Checkpoint.FORMAT,
                MLP.withName("other"), 3, 2, 2, 2, 40, 10, "0123456789abcdef", 0, 5, 17, 1, List.of()));
        assertThat(reopenAndLoad(otherModel)).isNull();
        assertThat(log).anyMatch(l -> l.contains("made for another training: model:"));
    }

    @Test
    void aFailedSaveSaysSoAndKeepsTheLastGoodCheckpoint() throws Exception {
        JsonNode id = identity(1, 0);
        assertThat(store.save(checkpoint(1, id))).isTrue();
        // the next temp file's name is taken by a directory: its write fails as a full disk's would
        Files.createDirectories(dir.resolve("checkpoint-00000002.bin.tmp"));

        assertThat(store.save(checkpoint(2, id))).isFalse();

        assertThat(log).singleElement().asString().contains("checkpoint at step 10 not saved")
                .contains("training goes on, the last good checkpoint is checkpoint-00000001.bin");
        assertThat(load(id).checkpoint().meta().epochs()).isEqualTo(1);
        // and the one after it is saved again
        assertThat(store.save(checkpoint(3, id))).isTrue();
        assertThat(load(id).checkpoint().meta().epochs()).isEqualTo(3);
    }

    @Test
    void anEmptyDirectoryIsAFreshStart() {
        assertThat(load(identity(1, 0))).isNull();
        assertThat(log).singleElement().asString().contains("no checkpoint in");
    }

    private CheckpointStore.Loaded reopenAndLoad(JsonNode identity) {
        store.close();
        store = CheckpointStore.open(dir, Duration.ofSeconds(5), log::add);
        return load(identity);
    }
}
