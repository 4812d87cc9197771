package io.isofold.worker.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.ModelConfig;
import io.isofold.worker.TestData;
import io.isofold.worker.data.Dataset;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

@Tag("e2e")
class ModelExporterTest {
    @TempDir
    Path tmp;

    @Test
    void aReloadedModelPredictsWhatTheTrainedOneDid() {
        Dataset data = TestData.bundledSlice(10);
        ModelConfig mlp = new ModelConfig("m", "mlp", 1, 20, 1e-3, 1, List.of(), List.of(16), 0.5);
        float[] before;
        try (TrainingGraph g = new TrainingGraph(mlp, 28, 28, 1, 10, 3);
             Session session = new Session(g.graph)) {
            session.initialize();
            Batches batches = new Batches(data, 20, new Random(1));
            for (int b = 0; b < batches.count(); b++) { // a few real steps, so the weights are not the initial ones
                try (TFloat32 x = batches.images(b); TInt32 y = batches.labels(b); TInt64 step = TInt64.scalarOf(b)) {
                    session.runner().feed(g.images, x).feed(g.labels, y).feed(g.step, step).addTarget(g.trainStep)
                            .run().close();
                }
            }
            before = predict(session, data);
            ModelExporter.export(g, session, tmp.resolve("model"));
            // evaluation has no dropout: the same inputs give the same outputs twice
            assertThat(predict(session, data)).containsExactly(before);
        }
        try (SavedModelBundle model = SavedModelBundle.load(tmp.resolve("model").toString(), "serve")) {
            Signature sig = model.function(Signature.DEFAULT_KEY).signature();
            assertThat(sig.inputNames()).containsExactly("images");
            assertThat(sig.outputNames()).containsExactly("probabilities");
            try (TFloat32 x = images(data);
                 Result r = model.function(Signature.DEFAULT_KEY).call(Map.of("images", x))) {
                float[] after = read((TFloat32) r.get("probabilities").orElseThrow());
                assertThat(after).containsExactly(before);
            }
        }
        // probabilities: each row sums to one
        for (int i = 0; i < data.size(); i++) {
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                sum += before[i * 10 + c];
            }
            assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(new java.util.HashSet<>(Arrays.asList(box(before)))).hasSizeGreaterThan(10);
    }

    private static float[] predict(Session session, Dataset data) {
        try (TFloat32 x = images(data);
             Result r = session.runner().feed(TrainingGraph.INPUT, x).fetch(TrainingGraph.OUTPUT).run()) {
            return read((TFloat32) r.get(0));
        }
    }

    private static TFloat32 images(Dataset data) {
        return TFloat32.tensorOf(Shape.of(data.size(), 28, 28, 1), DataBuffers.of(data.pixels(), true, false));
    }

    private static float[] read(TFloat32 t) {
        float[] out = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
    }

    private static Float[] box(float[] a) {
        Float[] b = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
        return b;
    }
}
