package io.isofold.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.supervisor.journal.AttemptId;
import io.isofold.supervisor.journal.Journal;
import io.isofold.supervisor.journal.JournalEvent;
import io.isofold.supervisor.journal.LaunchIdentity;
import io.isofold.supervisor.journal.Outcome;
import io.isofold.supervisor.journal.Verdict;
import io.isofold.supervisor.race.Elimination;
import io.isofold.supervisor.report.RunView;
import io.isofold.supervisor.report.RunViews;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A raced run read back from its files: run.json's race and the journal's eliminations, as {@code status} shows them. */
@Tag("unit")
class RaceStatusTest {
    static final Instant T0 = Instant.parse("2025-03-01T20:00:00Z");

    @TempDir
    Path dir;

    private static void attempt(Journal j, int replicate, String model, int index, Verdict verdict, double accuracy)
            throws Exception {
        AttemptId id = new AttemptId(replicate, model, index, index, 0, 1);
        Instant start = T0.plusSeconds(replicate * 10L);
        j.append(JournalEvent.Launch.of(start.toString(), id, "cpu/0", "cpu",
                new LaunchIdentity(null, null, null, null, null, null), null));
        j.append(JournalEvent.End.of(start.plusSeconds(5).toString(), id, new Outcome(start.plusSeconds(5), verdict,
                verdict == Verdict.COMPLETED ? null : "the race eliminated " + model, verdict == Verdict.COMPLETED ? 0 : null,
                verdict == Verdict.COMPLETED ? Map.of("val_accuracy", accuracy) : Map.of(), 5.0, null)));
    }

    @Test
    void statusShowsTheEliminatedVariantsAndCountsTheRunComplete() throws Exception {
        Files.writeString(dir.resolve("run.json"), """
                {"folds": 5, "replicates": 5, "models": [{"name": "a"}, {"name": "b"}],
                 "race": {"burn_in": 3, "alpha": 0.05}}
                """);
        try (Journal j = Journal.open(dir.resolve("journal.jsonl"))) {
            j.append(new JournalEvent.RunStart(T0.toString(), 1, "host", "boot", null, null));
            for (int i = 0; i < 3; i++) {
                attempt(j, i, "a", i, Verdict.COMPLETED, 0.90 + 0.01 * i);
                attempt(j, 5 + i, "b", i, Verdict.COMPLETED, 0.70 + 0.02 * i);
            }
            j.append(new Elimination("b", 3, 3, "val_accuracy", "higher", 12.5, 0.0032, "a", 0.19)
                    .event(T0.plusSeconds(100).toString(), 0.05));
            attempt(j, 8, "b", 3, Verdict.ELIMINATED, 0);
            attempt(j, 3, "a", 3, Verdict.COMPLETED, 0.91);
            attempt(j, 4, "a", 4, Verdict.COMPLETED, 0.92);
            j.append(new JournalEvent.RunEnd(T0.plusSeconds(200).toString(), 0, null));
        }
        RunViews.Journal journal = RunViews.read(dir);
        RunView view = RunViews.load(dir, journal, false);
        assertThat(view.race()).isNotNull();
        assertThat(view.race().eliminated()).extracting(JournalEvent.Eliminated::model).containsExactly("b");

        ObjectNode s = StatusCommand.status(view, null, 0, T0.plusSeconds(300));
        assertThat(s.get("state").asText()).isEqualTo("complete");
        assertThat(s.get("required").asInt()).as("a's 5 and the 3 b ran").isEqualTo(8);
        assertThat(s.get("failed_attempts").asInt()).isZero();
        assertThat(s.at("/race/variants/b/status").asText()).isEqualTo("eliminated");
        assertThat(s.at("/race/attempts_saved").asInt()).isEqualTo(2);
        assertThat(s.at("/race/best/val_accuracy").asText()).isEqualTo("a");
        String text = StatusCommand.text(s);
        assertThat(text).contains("completed 8/8, 9 finished attempts, 0 failed")
                .contains("  b: val_accuracy 0.7200 \u00b1 0.0200 std (n=3) [eliminated after 3 folds, p=0.00320 vs a]\n")
                .contains("  race on val_accuracy \u2191? (burn-in 3, alpha 0.05): 1 of 2 variants finished, 1 eliminated;"
                        + " best of those not eliminated: a\n")
                .doesNotContain("last failures");
    }

    @Test
    void aRunJsonWithoutARaceShowsNone() throws Exception {
        Files.writeString(dir.resolve("run.json"), "{\"folds\": 3, \"replicates\": 3, \"models\": [{\"name\": \"a\"}],"
                + " \"race\": null}");
        RunView view = RunViews.load(dir, false);
        assertThat(view.race()).isNull();
        assertThat(StatusCommand.status(view, null, 0, T0).has("race")).isFalse();
    }
}
