package io.isofold.supervisor.report;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A whole run as reports see it.
 *
 * @param models spec order; comparisons follow it
 * @param slots  all slots of the run, in order (rows of the timeline)
 * @param ended  null while running
 */
public record RunView(Path outDir, int folds, int requestedPerModel, List<String> models, List<String> slots,
        Instant started, Instant ended, List<AttemptView> attempts) {

    public RunView {
        models = models == null ? List.of() : List.copyOf(models);
        slots = slots == null ? List.of() : List.copyOf(slots);
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    public boolean running() {
        return ended == null;
    }
}
