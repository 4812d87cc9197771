package io.isofold.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.journal.RunFiles;
import io.isofold.supervisor.spec.BadInput;
import io.isofold.supervisor.spec.RunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code isofold resume DIR}: goes on with a run from its recorded spec, with the options a resume may change. */
@Command(name = "resume", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Go on with the run in DIR from its recorded spec (run.json). Options given here replace the "
                + "recorded ones; the rest stay as recorded. A higher --max-attempts or --attempt-budget retries "
                + "replicates that were given up.")
final class ResumeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The run's output directory.")
    Path dir;

    @Mixin
    ChangeableOptions changeable;

    @Override
    public Integer call() {
        try {
            return RunExecution.execute(spec());
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
        RunSpec was = RunSpec.fromJson(out, recorded);
        RunSpec.Placement placement = changeable.placement(was.placement(), was.placement().backend());
        RunSpec.Options options = new RunSpec.Options(was.saveModel(), was.options().workerJvmOptions(),
                changeable.allowCpuFallback || was.allowCpuFallback(), was.options().metrics(),
                changeable.standby(was.standby(), was.command(), placement));
        return new RunSpec(out, was.experiment(), placement, changeable.limits(was.limits(), was.attemptBudget()), options);
    }
}
