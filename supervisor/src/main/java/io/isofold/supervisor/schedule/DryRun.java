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
}
