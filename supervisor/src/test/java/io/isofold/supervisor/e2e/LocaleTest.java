package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 6: what the supervisor writes for programs (run.json, the journal, results.csv,
 * summary.json, doctor --json) reads the same under any locale: a decimal comma (German), the dotless
 * i (Turkish: "INFO".toLowerCase() is "ınfo"), other digits (Arabic: String.format("%d", 5) is "٥").
 */
@Tag("e2e")
class LocaleTest extends EndToEndTest {
    private static final List<String> GERMAN = List.of("-Duser.language=de", "-Duser.country=DE");
    private static final List<String> TURKISH = List.of("-Duser.language=tr", "-Duser.country=TR");
    private static final List<String> ARABIC = List.of("-Duser.language=ar", "-Duser.country=SA");

    private SupervisorProcess supervisorIn(List<String> locale) {
        SupervisorProcess s = supervisor();
        locale.forEach(s::jvmOption);
        return s;
    }

    @Test
    void aRunStartedUnderAGermanLocaleResumesUnderAnyLocale() throws Exception {
        RunDir run = newRun("german");
        // every replicate fails its first attempt: the run ends resumable, and the resume has work to do
        var first = supervisorIn(GERMAN).run(args(run, List.of("--gpus", "none", "--folds", "3", "--max-attempts", "1",
                "--max-memory", "1.3g", "--timeout", "1m30s", "--kill-grace", "1.5s"), TestWorker.command("flaky")));
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
        JsonNode spec = new ObjectMapper().readTree(run.file("run.json").toFile());
        assertThat(spec.get("max_memory").asText()).isEqualTo("1331.2m");
        assertThat(spec.get("timeout").asText()).isEqualTo("90s");
        assertThat(spec.get("kill_grace").asText()).isEqualTo("1500ms");
        assertThat(first.stdout()).contains("resume " + run.dir());

        // the command the run printed, under other locales
        var resumed = supervisorIn(TURKISH).run("resume", run.dir().toString(), "--max-attempts", "2");
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        var again = supervisorIn(ARABIC).run("resume", run.dir().toString());
        assertThat(again.exitCode()).as(again.toString()).isZero();

        assertThat(new ObjectMapper().readTree(run.file("run.json").toFile()).get("max_memory").asText())
                .isEqualTo("1331.2m");
        List<Map<String, String>> rows = run.results();
        assertThat(rows).hasSize(3);
        for (Map<String, String> row : rows) {
            assertThat(Double.parseDouble(row.get("duration_s"))).isPositive();
            assertThat(Double.parseDouble(row.get("accuracy"))).isBetween(0.9, 1.0);
        }
        assertThat(run.summary().get("completed").asInt()).isEqualTo(3);
        var status = supervisorIn(ARABIC).run("status", run.dir().toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.stdout()).contains("completed 3/3");
    }

    /** A run.json that an earlier version wrote under a German locale is read, and written back right. */
    @Test
    void aRunJsonWithADecimalCommaIsStillRead() throws Exception {
        RunDir run = newRun("comma");
        var first = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2", "--max-attempts", "1",
                "--max-memory", "1.3g"), TestWorker.command("flaky")));
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = (ObjectNode) json.readTree(run.file("run.json").toFile());
        spec.put("max_memory", "1331,2m");
        Files.writeString(run.file("run.json"), spec.toPrettyString());

        var resumed = supervisor().run("resume", run.dir().toString(), "--max-attempts", "2");

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(json.readTree(run.file("run.json").toFile()).get("max_memory").asText()).isEqualTo("1331.2m");
        assertThat(run.results()).hasSize(2);
    }

    /** doctor --json under a Turkish locale: "info", not "ınfo". */
    @Test
    void doctorJsonNamesItsStatusesAlikeInEveryLocale() throws Exception {
        var o = supervisorIn(TURKISH).env("PATH", Files.createDirectories(tmp.resolve("empty-path")).toString())
                .run("doctor", "--json");
        JsonNode j = new ObjectMapper().readTree(o.stdout());
        assertThat(j.get("checks").size()).as(o.toString()).isPositive();
        j.get("checks").forEach(c -> assertThat(c.get("status").asText()).as(o.toString())
                .isIn("ok", "info", "warn", "problem"));
        assertThat(j.toString()).contains("\"status\":\"info\"");
    }
}
