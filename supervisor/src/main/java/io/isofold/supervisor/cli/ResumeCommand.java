package io.isofold.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.launch.WorkerCommand;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isofold resume DIR}: goes on with a run from its recorded spec, with the options a resume may change. */
@Command(name = "resume", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Go on with the run in DIR from its recorded spec (run.json). Options given here replace the "
                + "recorded ones; the rest stay as recorded. A higher --max-attempts or --attempt-budget retries "
                + "replicates that were given up. A worker command after -- replaces the recorded one (completed "
                + "replicates stay). Workers start in the folder the run was started in, wherever this is typed.")
final class ResumeCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The run's output directory.")
    Path dir;

    @Parameters(index = "1..*", paramLabel = "WORKER COMMAND", description = "After --: a new worker command for the "
            + "attempts still to run (a run of the built-in worker keeps it).")
    List<String> command = new ArrayList<>();

    @Mixin
    ChangeableOptions changeable;

    @Override
    public Integer call() {
        try {
            return RunExecution.execute(spec(), true, lifted());
        } catch (BadInput e) {
            return RunExecution.badInput(e.getMessage());
        }
    }

    RunSpec spec() throws BadInput {
        Path out = dir.toAbsolutePath().normalize();
        Path runJson = new RunFiles(out).runJson();
        if (!Files.isRegularFile(runJson)) {
            throw new BadInput(out + " holds no isofold run (no " + RunFiles.RUN_JSON + ")");
        }
        JsonNode recorded;
        try {
            recorded = Json.MAPPER.readTree(runJson.toFile());
        } catch (IOException e) {
            throw new BadInput(runJson + " is unreadable: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        RunSpec was = RunSpec.fromJson(out, runJson, recorded);
        RunSpec.Experiment experiment = was.experiment();
        if (!command.isEmpty()) {
            if (!commandSpec.commandLine().getParseResult().originalArgs().contains("--")) {
                throw new BadInput("'" + command.get(0) + "' is not an option; a new worker command goes after --, "
                        + "e.g. scripts/run.sh resume " + dir + " -- python3 train.py");
            }
            if (was.builtInWorker()) {
                throw new BadInput(out + " is a run of the built-in worker; a worker command cannot take it over "
                        + "(its results would mix two workers), start a new run with --out");
            }
            WorkerCommand.checkPlaceholders(command, was.models());
            experiment = experiment.withCommand(command, Path.of("").toAbsolutePath());
        }
        RunSpec.Placement placement = changeable.placement(was.placement(), was.placement().backend());
        RunSpec.Options options = changeable.options(was.options(), was.saveModel(), was.options().workerJvmOptions(),
                was.options().metrics(), changeable.standby(was.standby(), experiment.command(), placement),
                was.models().size());
        return new RunSpec(out, experiment, placement, changeable.limits(was.limits(), was.attemptBudget()), options);
    }

    /** GPUs named in this resume's --gpus: back in the run, even if an earlier session quarantined them. */
    private Set<Integer> lifted() {
        Set<Integer> named = new LinkedHashSet<>();
        if (changeable.gpus != null) {
            named.addAll(changeable.gpus.indices());
        }
        return named;
    }
}
