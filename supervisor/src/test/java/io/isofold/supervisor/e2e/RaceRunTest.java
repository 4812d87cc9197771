package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.supervisor.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * --race end to end, with the test worker's race-metric mode: val_accuracy is a known mean per variant plus a
 * fold effect and noise seeded by variant and fold, so which variant is best is known and every run draws the
 * same numbers.
 */
@Tag("e2e")
class RaceRunTest extends EndToEndTest {

    private Path variants(String json) throws IOException {
        return Files.writeString(tmp.resolve("variants.json"), json);
    }

    @Test
    void theClearlyBestRunsEveryFoldAndTheClearlyWorseGoAfterTheBurnIn() throws IOException {
        RunDir run = newRun("race");
        Path file = variants("[{\"name\":\"best\",\"params\":{\"mean\":0.90}},"
                + "{\"name\":\"worse\",\"params\":{\"mean\":0.80}},{\"name\":\"worst\",\"params\":{\"mean\":0.70}}]");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run,
                List.of("--folds", "6", "--gpus", "none", "--models", file.toString(), "--race"),
                TestWorker.command("race-metric")));

        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        List<JsonNode> eliminated = run.events("eliminated");
        assertThat(eliminated).extracting(e -> e.get("model").asText()).containsExactlyInAnyOrder("worse", "worst");
        for (JsonNode e : eliminated) {
            assertThat(e.get("after_folds").asInt()).isEqualTo(3);
            assertThat(e.get("best").asText()).isEqualTo("best");
            assertThat(e.get("p").asDouble()).isLessThan(0.05);
            assertThat(e.get("alpha").asDouble()).isEqualTo(0.05);
        }
        Map<String, Long> rows = run.results().stream()
                .collect(Collectors.groupingBy(r -> r.get("model"), Collectors.counting()));
        assertThat(rows.get("best")).isEqualTo(6);
        assertThat(rows.get("worse")).isBetween(3L, 4L);
        JsonNode race = run.summary().get("race");
        assertThat(run.summary().get("status").asText()).isEqualTo("complete");
        assertThat(race.at("/variants/best/status").asText()).isEqualTo("finished");
        assertThat(race.at("/variants/worse/status").asText()).isEqualTo("eliminated");
        assertThat(race.get("ranking").findValuesAsText("variant")).containsExactly("best");
        assertThat(run.summary().get("failed_attempts").asInt()).isZero();
        assertThat(outcome.stdout()).contains("race on val_accuracy");
    }

    @Test
    void tiesAndConstantMetricsFinishWithoutAnError() throws IOException {
        // the same mean and no noise: every variant ties on every fold; "constant" is 1 everywhere
        Path file = variants("[{\"name\":\"a\",\"params\":{\"mean\":0.5,\"noise\":0}},"
                + "{\"name\":\"b\",\"params\":{\"mean\":0.5,\"noise\":0}},{\"name\":\"c\",\"params\":{\"mean\":0.5,\"noise\":0}}]");
        for (String metric : List.of("val_accuracy", "constant:max")) {
            RunDir run = newRun("ties-" + metric.replace(':', '-'));
            SupervisorProcess.Outcome outcome = supervisor().run(args(run,
                    List.of("--folds", "5", "--gpus", "none", "--models", file.toString(), "--race", "--metric", metric),
                    TestWorker.command("race-metric")));
            assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
            assertThat(run.events("eliminated")).isEmpty();
            assertThat(run.results()).hasSize(15);
            assertThat(run.summary().at("/race/finished").asInt()).isEqualTo(3);
        }
    }

    /**
     * A supervisor SIGKILLed in the middle of a race: the resumed run makes the same eliminations (taken from the
     * journal) and never starts an attempt of an eliminated variant again; a later resume with --no-race runs
     * the eliminated variants to the end.
     */
    @Test
    void aResumedRaceKeepsItsDecisionsAndNoRaceRunsTheRest() throws Exception {
        Path file = variants("[{\"name\":\"best\",\"params\":{\"mean\":0.90,\"seconds\":0.4}},"
                + "{\"name\":\"worse\",\"params\":{\"mean\":0.80,\"seconds\":0.4}},"
                + "{\"name\":\"worst\",\"params\":{\"mean\":0.70,\"seconds\":0.4}}]");
        RunDir run = newRun("race-resume");
        List<String> spec = args(run, List.of("--folds", "8", "--gpus", "none", "--models", file.toString(), "--race"),
                TestWorker.command("race-metric"));
        var first = supervisor().start(spec);
        Await.until("the eliminations after the burn-in", java.time.Duration.ofSeconds(90),
                () -> run.events("eliminated").size() >= 2);
        first.signal("KILL");
        assertThat(first.await().exitCode()).isEqualTo(137);
        List<String> decided = run.events("eliminated").stream().map(e -> e.get("model").asText()).toList();
        long launchedBefore = run.launches().size();

        SupervisorProcess.Outcome resumed = supervisor().run("resume", run.dir().toString());
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(run.events("eliminated")).extracting(e -> e.get("model").asText())
                .as("the same decisions, made once").containsExactlyElementsOf(decided);
        assertThat(run.launches().subList((int) launchedBefore, run.launches().size()))
                .as("attempts started after the resume").allSatisfy(l -> assertThat(decided)
                        .doesNotContain(l.get("model").asText()));
        assertThat(run.results().stream().filter(r -> r.get("model").equals("best"))).hasSize(8);

        SupervisorProcess.Outcome all = supervisor().run("resume", run.dir().toString(), "--no-race");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(run.results()).as("every variant on every fold").hasSize(24);
        assertThat(run.summary().has("race")).isFalse();
    }
}
