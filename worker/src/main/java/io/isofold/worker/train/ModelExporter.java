package io.isofold.worker.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/** Exports a trained graph as a SavedModel whose {@code serving_default} signature maps images to probabilities. */
public final class ModelExporter {
    private ModelExporter() {}

    public static void export(TrainingGraph g, Session session, Path dir) {
        Signature signature = Signature.builder()
                .key(Signature.DEFAULT_KEY)
                .input(TrainingGraph.INPUT, g.images)
                .output(TrainingGraph.OUTPUT, g.probabilities)
                .build();
        try {
            SavedModelBundle.exporter(dir.toAbsolutePath().toString())
                    .withSession(session)
                    .withSignature(signature)
                    .export();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export the SavedModel to " + dir, e);
        }
    }
}
