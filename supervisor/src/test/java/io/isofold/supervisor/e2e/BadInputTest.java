package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad usage and bad input: exit 2, one line on stderr that says why, no stack trace, nothing launched or changed. */
@Tag("e2e")
class BadInputTest extends EndToEndTest {

    /** Options that need files refer to them relative to the test's temporary directory. */
    private record Case(String name, boolean builtInWorker, Function<Path, List<String>> options) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case custom(String... options) {
        return new Case(String.join(" ", options), false, tmp -> List.of(options));
    }

    private static Case builtIn(String... options) {
        return new Case(String.join(" ", options) + " (built-in worker)", true, tmp -> List.of(options));
    }

    static Stream<Arguments> badCommands() {
        return Stream.of(
                custom("--folds", "-1"),
                custom("--folds", "x"),
                custom("--folds", "1"),
                custom("--replicates", "0"),
                custom("--timeout", "5x"),
                custom("--timeout", "0s"),
                custom("--stall-timeout", "soon"),
                custom("--max-memory", "lots"),
                custom("--kill-grace", "-1s"),
                custom("--gpus", "foo"),
                custom("--gpus", "9"),
                custom("--gpus", "0,0"),
                custom("--workers-per-gpu", "0"),
                custom("--cpu-workers", "0"),
                custom("--max-attempts", "0"),
                custom("--attempt-budget", "0"),
                custom("--seed", "abc"),
                custom("--bogus"),
                new Case("--out under a regular file", false, tmp -> List.of("--out", tmp.resolve("a-file/run").toString())),
                builtIn("--data", "/nonexistent"),
                new Case("-- /no/such/worker", false, tmp -> List.of("--", "/no/such/worker", "{result}")),
                new Case("-- a worker that is not executable", false,
                        tmp -> List.of("--", tmp.resolve("a-file").toString())),
                builtIn("--model", "resnet"),
                new Case("--models missing file", true, tmp -> List.of("--models", tmp.resolve("missing.json").toString())),
                new Case("--models not JSON", true, tmp -> List.of("--models", tmp.resolve("garbage.json").toString())),
                new Case("--models entry without architecture", true,
                        tmp -> List.of("--models", tmp.resolve("no-architecture.json").toString())),
                new Case("--models entry out of range", true,
                        tmp -> List.of("--models", tmp.resolve("zero-epochs.json").toString())),
                builtIn("--learning-rate", "-1"),
                builtIn("--learning-rate", "fast"),
                // issue 8 item 12: a size needs a unit; durations have an upper bound
                custom("--max-memory", "8"),
                custom("--kill-grace", "200000d"),
                custom("--kill-grace", "2h"),
                // issue 10 item 9: a worker command goes after --; -- with nothing after it; built-in-only options
                new Case("a worker command without --", true, tmp -> List.of("--folds", "3", "python3", "train.py")),
                new Case("-- followed by nothing", true, tmp -> List.of("--folds", "3", "--")),
                new Case("--epochs with a worker command", false,
                        tmp -> List.of("--epochs", "3", "--", "/bin/true")),
                new Case("--models cnn with empty filters", true,
                        tmp -> List.of("--models", tmp.resolve("no-filters.json").toString())),
                custom("--metric", "rmse:lowest"),
                custom("--param", "lr"),
                builtIn("--param", "lr=0.1"),
                // issue 21: --param values that cannot be told apart or named; --max-log-size needs a size or none
                custom("--param", "ver=1.1,1.1"),
                custom("--param", "x=1", "--param", "x=2"),
                custom("--param", "lr=0.1,"),
                custom("--max-log-size", "12"),
                custom("--max-log-size", "512k"),
                custom("--max-log-size", "lots"),
                // a JVM option the JVM refuses failed every attempt with "A fatal exception has occurred"
                builtIn("--worker-jvm-opts", "-XX:+NoSuchFlag"),
                builtIn("--worker-jvm-opts", "-Xmx1banana"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommands")
    void isRefusedWithOneLineAndExit2(Case c) throws IOException {
        writeInputFiles();
        RunDir run = newRun("bad");
        List<String> args = new ArrayList<>();
        if (c.options().apply(tmp).stream().noneMatch(a -> a.equals("--out"))) {
            args.addAll(List.of("--out", run.dir().toString()));
        }
        args.addAll(c.options().apply(tmp));
        if (!c.builtInWorker() && !args.contains("--")) {
            args.addAll(TestWorker.command("ok"));
        }
        var o = supervisor().timeout(Duration.ofSeconds(60)).run(args);
        assertRefused(o);
        assertThat(run.dir()).as("the output directory of a refused command").doesNotExist();
    }

    @Test
    void aMistypedSubcommandIsNamedNotRunAsAWorker() {
        var o = supervisor().run("stauts", tmp.resolve("runs/x").toString());
        assertRefused(o);
        assertThat(o.stderr()).contains("unknown command 'stauts'");
    }

    @Test
    void refusedCommandsLeaveAnExistingRunAsItWas() {
        RunDir run = newRun("existing");
        List<String> spec = List.of("--gpus", "none", "--folds", "2");
        var first = supervisor().run(args(run, spec, TestWorker.command("ok")));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        Map<String, String> before = withoutLockContent(run.snapshot());

        List<List<String>> refused = List.of(
                List.of("--gpus", "none", "--folds", "x"),
                List.of("--gpus", "9", "--folds", "2"),
                List.of("--gpus", "none", "--folds", "2", "--timeout", "5x"),
                List.of("--gpus", "none", "--folds", "3")); // another spec than the run's
        for (List<String> options : refused) {
            var o = supervisor().run(args(run, options, TestWorker.command("ok")));
            assertRefused(o);
        }
        var noWorker = supervisor().run(args(run, spec, List.of("--", "/no/such/worker")));
        assertRefused(noWorker);

        assertThat(withoutLockContent(run.snapshot())).isEqualTo(before);
        assertThat(run.results()).hasSize(2);
    }

    private static void assertRefused(SupervisorProcess.Outcome o) {
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertThat(o.stderr().lines().toList()).as(o.toString()).singleElement().asString().startsWith("isofold: ");
        assertThat(o.stdout() + o.stderr()).as(o.toString()).doesNotContain("Exception").doesNotContain("at io.");
    }

    /** The lock file names the last supervisor that took the lock; refusing after taking it is fine. */
    private static Map<String, String> withoutLockContent(Map<String, String> snapshot) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(snapshot);
        copy.computeIfPresent("run.lock", (k, v) -> "present");
        return copy;
    }

    private void writeInputFiles() throws IOException {
        Files.writeString(tmp.resolve("a-file"), "a regular file, not a directory\n");
        Files.writeString(tmp.resolve("garbage.json"), "[{\"name\": \"small\", \"architecture\": ");
        Files.writeString(tmp.resolve("no-architecture.json"), "[{\"name\": \"small\"}]");
        Files.writeString(tmp.resolve("no-filters.json"), "[{\"name\": \"c\", \"architecture\": \"cnn\", \"filters\": []}]");
        Files.writeString(tmp.resolve("zero-epochs.json"), "[{\"name\": \"small\", \"architecture\": \"cnn\", \"epochs\": 0}]");
    }
}
