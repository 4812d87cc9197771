package io.isofold.supervisor.report;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A whole run as reports see it.
 *
 * @param models spec order; comparisons follow it
 * @param slots  all slots of the run, in order (rows of the timeline)
 * @param ended  null while running
 * @param quarantined GPUs taken out of the run, with the reason
 */
public record RunView(Path outDir, int folds, int requestedPerModel, List<String> models, List<String> slots,
        Instant started, Instant ended, List<AttemptView> attempts, Map<String, String> quarantined) {

    public RunView {
        models = models == null ? List.of() : List.copyOf(models);
        slots = slots == null ? List.of() : List.copyOf(slots);
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        quarantined = quarantined == null ? Map.of() : Map.copyOf(quarantined);
    }

    public boolean running() {
        return ended == null;
    }
}
