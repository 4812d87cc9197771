package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.isofold.shared.ReplicatePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The worker command runs directly, never through a shell: arguments arrive as given, placeholders filled in. */
@Tag("e2e")
class WorkerArgumentsTest extends EndToEndTest {

    @Test
    void literalArgumentsArriveByteForByteAndPlaceholdersAreSubstituted() {
        RunDir run = newRun("args");
        Path marker = tmp.resolve("shell-ran");
        List<String> literal = List.of("$(touch " + marker + ")", "`touch " + marker + "`", "a;b", "\"quoted\"", "'single'",
                "*", "{unknown}", "two words", "", "{", "}", "{fold", "$HOME", "back\\slash");
        List<String> placeholders = List.of("{replicate}", "{fold}", "{folds}", "{attempt}", "{seed}", "{gpu}",
                "{attempt_dir}", "{result}", "x{fold}y{folds}", "{fold}{fold}", "{{fold}}");
        List<String> workerArgs = new ArrayList<>(List.of("0"));
        workerArgs.addAll(literal);
        workerArgs.addAll(placeholders);
        var o = supervisor().run(args(run, List.of("--folds", "3", "--replicates", "2", "--gpus", "2", "--seed", "7"),
                TestWorker.command("ok", workerArgs.toArray(String[]::new))));
        assertThat(o.exitCode()).as(o.toString()).isZero();

        List<WorkerRecord> workers = run.workerRecords();
        assertThat(workers).hasSize(2);
        for (WorkerRecord w : workers) {
            Path dir = w.attemptDir();
            int r = Integer.parseInt(dir.getParent().getFileName().toString());
            int fold = r % 3;
            List<String> expected = new ArrayList<>(List.of("ok", "0"));
            expected.addAll(literal);
            expected.addAll(List.of("" + r, "" + fold, "3", "1", Long.toString(ReplicatePlan.of(r, 3, 7).seed()), "2",
                    dir.toString(), dir.resolve("result.json").toString(), "x" + fold + "y3", "" + fold + fold,
                    "{" + fold + "}"));
            assertThat(w.argv()).as("argv of %s", dir).containsExactlyElementsOf(expected);
        }
        assertThat(marker).as("a shell ran the command substitution").doesNotExist();
    }
}
