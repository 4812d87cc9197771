package io.isofold.supervisor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 11: a worker's text drove the terminal. A bad task's stderr tail with escape
 * sequences was printed raw (a cleared screen, a window title, a fake "run complete, 10/10" line), and
 * so were metric names with ESC in the end-of-run table and in {@code status}. Now every such
 * character reaches the terminal and supervisor.log as a visible escape; the journal and the JSON
 * files keep the worker's text.
 */
@Tag("e2e")
class HostileTextTest extends EndToEndTest {
    /** What a terminal acts on instead of printing: C0 but newline and tab, DEL, C1, bidirectional controls. */
    static final Pattern CONTROLS = Pattern.compile(
            "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069]");

    @Test
    void aBadTasksStderrIsQuotedWithItsEscapesVisible() throws IOException {
        RunDir run = newRun("hostile-stderr");
        SupervisorProcess.Outcome o = supervisor().run(args(run, List.of("--gpus", "none", "--replicates", "1",
                "--folds", "2"), TestWorker.command("hostile-stderr")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(2);
        assertNoControls("the supervisor's output", o.stdout() + o.stderr());
        assertThat(o.stderr()).contains("its stderr ends with:").contains("\\u001b[2J\\u001b[H\\u001b]0;pwned\\u0007")
                .contains("\\u009b31m \\u202egnp.exe");
        assertThat(lines(o.stdout() + o.stderr())).noneMatch(l -> l.startsWith("isofold: run complete"));
        assertNoControls("supervisor.log", Files.readString(run.file("supervisor.log")));
        // the journal keeps what the worker wrote
        assertThat(run.ends()).singleElement().satisfies(e -> assertThat(e.get("stderr_tail").asText())
                .contains("\u001b[2J\u001b[H\u001b]0;pwned\u0007"));

        SupervisorProcess.Outcome status = supervisor().run("status", run.dir().toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertNoControls("status", status.stdout() + status.stderr());
        assertThat(status.stdout()).contains("stderr: \\u009b31m \\u202egnp.exe");
    }

    @Test
    void metricNamesThatDriveATerminalStayInTheirCells() throws IOException {
        RunDir run = newRun("hostile-metrics");
        SupervisorProcess.Outcome o = supervisor().run(args(run, List.of("--gpus", "none", "--folds", "2"),
                TestWorker.command("hostile-metrics")));
        assertThat(o.exitCode()).as(o.toString()).isZero();
        assertNoControls("the end-of-run table", o.stdout() + o.stderr());
        assertThat(o.stdout()).contains("\\u001b]0;pwned\\u0007\\u001b[2Jloss");
        assertThat(lines(o.stdout())).noneMatch(l -> l.startsWith("run complete"));
        assertNoControls("supervisor.log", Files.readString(run.file("supervisor.log")));

        SupervisorProcess.Outcome status = supervisor().run("status", run.dir().toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertNoControls("status", status.stdout() + status.stderr());
        assertThat(lines(status.stdout())).noneMatch(l -> l.strip().startsWith("run complete"));
        assertThat(status.stdout()).contains("f1\\u000arun complete, 10/10");

        // JSON keeps the names as they are: escaped by JSON, read back the same
        SupervisorProcess.Outcome json = supervisor().run("status", "--json", run.dir().toString());
        assertThat(json.exitCode()).as(json.toString()).isZero();
        assertNoControls("status --json", json.stdout());
        JsonNode metrics = new ObjectMapper().readTree(json.stdout()).at("/metrics/custom");
        assertThat(metrics.has("\u001b]0;pwned\u0007\u001b[2Jloss")).as(json.stdout()).isTrue();
        assertThat(metrics.has("\u202eevil")).as(json.stdout()).isTrue();
        assertThat(run.summary().at("/models/custom/metrics").has("f1\nrun complete, 10/10")).isTrue();

        String html = Files.readString(run.file("report.html"));
        assertThat(html).doesNotContain("\u001b").doesNotContain("\u202e").doesNotContain("\u0007");
    }

    @Test
    void aReasonThatQuotesAMetricsNameIsShownEscaped() throws IOException {
        RunDir run = newRun("hostile-nan");
        SupervisorProcess.Outcome o = supervisor().run(args(run, List.of("--gpus", "none", "--replicates", "1",
                "--folds", "2", "--max-attempts", "1"), TestWorker.command("hostile-nan")));
        assertThat(o.exitCode()).as(o.toString()).isEqualTo(1);
        assertNoControls("the supervisor's output", o.stdout() + o.stderr());
        assertThat(o.stdout() + o.stderr()).contains("metric \\u001b[2J\\u001b[31mred is not a finite number");
        assertNoControls("supervisor.log", Files.readString(run.file("supervisor.log")));
        assertThat(run.ends()).singleElement().satisfies(e -> assertThat(e.get("reason").asText())
                .startsWith("metric \u001b[2J\u001b[31mred is not"));
    }

    static void assertNoControls(String what, String text) {
        Matcher m = CONTROLS.matcher(text);
        List<String> found = new ArrayList<>();
        while (m.find() && found.size() < 10) {
            int at = m.start();
            found.add(String.format("U+%04X at %d: ...%s...", (int) text.charAt(at), at,
                    text.substring(Math.max(0, at - 30), Math.min(text.length(), at + 30))));
        }
        assertThat(found).as(what + " holds characters a terminal acts on:\n" + text).isEmpty();
    }

    private static List<String> lines(String text) {
        return List.of(text.split("\n"));
    }
}
