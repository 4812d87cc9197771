package io.isofold.worker.model;

import io.isofold.shared.ModelConfig;
import io.isofold.worker.BadTaskException;
import org.tensorflow.op.Ops;

/** Builds the network a model configuration names. */
public final class Networks {
    private Networks() {}

    public static Network create(Ops tf, ModelConfig config, int height, int width, int channels, int classes, long seed) {
        return switch (config.architecture()) {
            case "cnn" -> {
                if (config.filters().isEmpty()) {
                    throw new BadTaskException("model '" + config.name() + "': a cnn needs at least one filters entry");
                }
                yield new Cnn(tf, height, width, channels, classes, config.filters(), config.units(), config.dropout(), seed);
            }
            case "mlp" -> new Mlp(tf, height, width, channels, classes, config.units(), config.dropout(), seed);
            default -> throw new BadTaskException("model '" + config.name() + "': unknown architecture '"
                    + config.architecture() + "' (expected one of " + ModelConfig.ARCHITECTURES + ")");
        };
    }
}
