package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 items 7 and 8, issue 19 item 4, as a user meets them: a sweep of two variants with a worker that
 * declares its metric's direction, and whose first attempt of replicate 0 fails after saving a checkpoint that
 * the second attempt continues from. The console log counts what just completed, says each start and end once,
 * dates every line; the end-of-run table is a leaderboard that knows the worker's direction and the training
 * saved; {@code report DIR} and {@code status DIR} see the same from the journal.
 */
@Tag("e2e")
class LeaderboardRunTest extends EndToEndTest {
    private static final Pattern DATED = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} (INFO|WARN|ERROR) ");

    /**
     * "score" is a name nobody knows (its guess would be higher-is-better); the worker says lower is better.
     * lr 0.1 scores about 1.0, lr 0.01 about 2.0: lr-0.1 is the best, by the worker's word.
     */
    private Path worker() throws IOException {
        Path script = tmp.resolve("score-worker.sh");
        Files.writeString(script, """
                #!/usr/bin/env bash
                set -eu
                base=2.0
                if [[ "$ISOFOLD_PARAMS" =~ \\"lr\\":[[:space:]]*0\\.1[^0-9] ]]; then base=1.0; fi
                mkdir -p "$ISOFOLD_CHECKPOINT_DIR"
                if [ "$ISOFOLD_REPLICATE" = 0 ] && [ "$ISOFOLD_ATTEMPT" = 1 ]; then
                  echo '{"epoch":1,"val_score":2.5}' >>"$ISOFOLD_PROGRESS"
                  echo saved >"$ISOFOLD_CHECKPOINT_DIR/checkpoint"
                  exit 1
                fi
                if [ -f "$ISOFOLD_CHECKPOINT_DIR/checkpoint" ]; then
                  echo '{"phase":"continued","epoch":4,"batch":0,"seconds":0.1,"restored_seconds":125.0}' >>"$ISOFOLD_PROGRESS"
                fi
                echo '{"epoch":5,"val_score":1.5,"loss":0.3}' >>"$ISOFOLD_PROGRESS"
                score=$(LC_ALL=C awk -v b="$base" -v f="$ISOFOLD_FOLD" 'BEGIN { printf "%.3f", b + 0.01 * f }')
                echo "{\\"metrics\\":{\\"score\\":$score},\\"directions\\":{\\"score\\":\\"min\\"}}" >"$ISOFOLD_RESULT"
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void aSweepsLeaderboardFromTheRunAndFromItsDirectory() throws IOException {
        RunDir run = newRun("leaderboard");
        SupervisorProcess.Outcome outcome = supervisor().run(args(run, List.of("--gpus", "none", "--cpu-workers", "1",
                "--folds", "2", "--param", "lr=0.1,0.01"), List.of("--", worker().toString())));
        assertThat(outcome.exitCode()).as(outcome.toString()).isZero();
        String console = outcome.stdout() + outcome.stderr();

        // the log: every line dated, each start and end said once, the count of what just completed
        List<String> logLines = outcome.stdout().lines().filter(l -> l.contains(" INFO ") || l.contains(" WARN "))
                .toList();
        assertThat(logLines).isNotEmpty().allSatisfy(l -> assertThat(l).containsPattern(DATED));
        assertThat(count(console, "starting a run in ")).as(console).isEqualTo(1);
        assertThat(count(console, "run ended")).as(console).isEqualTo(1);
        List<String> completed = logLines.stream().filter(l -> l.contains(" completed in ")).toList();
        assertThat(completed).hasSize(4);
        for (int k = 0; k < 4; k++) {
            assertThat(completed.get(k)).as(console).contains("INFO  [" + (k + 1) + "/4] replicate ");
        }
        String log = Files.readString(run.file("supervisor.log"));
        assertThat(count(log, "starting a run in ")).isEqualTo(1);
        assertThat(count(log, "run ended")).isEqualTo(1);

        // the table: the worker's direction, the params, the best, the training saved
        assertThat(outcome.stdout()).containsPattern("(?m)^#\\s+model\\s+lr\\s+n\\s+score \u2193$")
                .containsPattern("(?m)^best\\s+lr-0\\.1\\s+0\\.1\\s+2/2\\s+1\\.0")
                .contains("1 attempt continued from checkpoints, 2m05s of training not done again\n")
                .contains("lr-0.01 vs lr-0.1: score +1.00 [1.00, 1.00]").doesNotContain("guessed");
        checkFiles(run);

        // the directory alone: directions from the journal (its first completed attempt's end line, once)
        assertThat(run.events("end").stream().filter(e -> e.has("directions"))).singleElement()
                .satisfies(e -> assertThat(e.at("/directions/score").asText()).isEqualTo("min"));
        for (String f : List.of("results.csv", "summary.json", "report.html")) {
            Files.delete(run.file(f));
        }
        SupervisorProcess.Outcome report = supervisor().run("report", run.dir().toString());
        assertThat(report.exitCode()).as(report.toString()).isZero();
        assertThat(report.stdout()).containsPattern("(?m)^best\\s+lr-0\\.1\\s").contains("score \u2193\n")
                .contains("1 attempt continued from checkpoints");
        checkFiles(run);

        SupervisorProcess.Outcome status = supervisor().run("status", run.dir().toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.stdout()).contains("  lr-0.1: score 1.0050").contains("[best on score]")
                .contains("1 attempt continued from checkpoints, 2m05s of training not done again");
        assertThat(status.stdout().indexOf("  lr-0.1:")).isLessThan(status.stdout().indexOf("  lr-0.01:"));
    }

    private static void checkFiles(RunDir run) throws IOException {
        JsonNode summary = run.summary();
        assertThat(summary.at("/directions/score/better").asText()).isEqualTo("lower");
        assertThat(summary.at("/directions/score/basis").asText()).isEqualTo("worker");
        assertThat(summary.at("/leaderboard/best").asText()).isEqualTo("lr-0.1");
        assertThat(summary.at("/models/lr-0.1/params/lr").asText()).isEqualTo("0.1");
        assertThat(summary.at("/models/lr-0.01/params/lr").asText()).isEqualTo("0.01");
        assertThat(summary.get("continued_attempts").asInt()).isEqualTo(1);
        assertThat(summary.get("training_seconds_saved").asDouble()).isEqualTo(125.0);
        assertThat(run.results()).allSatisfy(row -> assertThat(row.get("param.lr"))
                .isEqualTo(row.get("model").substring("lr-".length())));
        assertThat(Files.readString(run.file("report.html"))).contains("continued from epoch 4 (a checkpoint of an"
                + " earlier attempt: 2m05s of training not done again)").contains("<span class=\"badge best\">best</span>");
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
