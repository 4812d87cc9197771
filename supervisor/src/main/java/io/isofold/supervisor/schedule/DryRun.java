package io.isofold.supervisor.schedule;

import io.isofold.supervisor.gpu.Slot;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.journal.RunHistory;
import io.isofold.supervisor.launch.LaunchRequest;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.spec.RunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a new run would start first ({@code --dry-run}): the first attempt on each slot, resolved as its
 * launch would be (command, environment, files), and created nowhere.
 */
public final class DryRun {
    private DryRun() {}

    public static List<LaunchRequest> firstAttempts(RunSpec spec, List<Slot> slots, WorkerCommand command) {
        RunState state = RunState.replayed(spec, slots, RunHistory.empty());
        AttemptStarter starter = new AttemptStarter(spec, new RunFiles(spec.outDir()), command, null);
        List<LaunchRequest> first = new ArrayList<>();
        for (Optional<RunState.Assignment> a = state.next(); a.isPresent(); a = state.next()) {
            first.add(starter.request(a.get()));
            state.started(a.get());
        }
        return first;
    }

    /** The first attempt of each variant, as it would be launched on the first slot: a variant's largest request. */
    public static List<LaunchRequest> firstOfEachVariant(RunSpec spec, List<Slot> slots, WorkerCommand command) {
        RunState state = RunState.replayed(spec, slots, RunHistory.empty());
        AttemptStarter starter = new AttemptStarter(spec, new RunFiles(spec.outDir()), command, null);
        List<LaunchRequest> first = new ArrayList<>();
        for (int m = 0; m < spec.models().size(); m++) {
            // replicate ids interleave the variants: replicate m is variant m's first
            first.add(starter.request(new RunState.Assignment(state.replicate(m), slots.get(0), 1)));
        }
        return first;
    }
}
