package io.isofold.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a real report in headless Chromium: the page's script must run without error, and the charts must be
 * there after it ran. Skipped where chromium is missing, except on CI (CI=true), where that is a failure:
 * scripts/test.sh installs it (scripts/ensure-package.sh chromium /usr/bin/chromium).
 */
@Tag("browser")
class ReportBrowserTest {
    static final String HOSTILE = "<img id=\"pwned\" src=x onerror=\"throw new Error('xss')\"></script>";

    @TempDir
    Path dir;

    @BeforeEach
    void needsChromium() {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertThat(Chromium.available()).as("chromium at " + Chromium.BINARY
                    + " (run scripts/ensure-package.sh chromium /usr/bin/chromium)").isTrue();
        }
        Assumptions.assumeTrue(Chromium.available(), "chromium not installed at " + Chromium.BINARY);
    }

    @Test
    void scriptRunsAndTimelineShowsEveryAttempt() throws Exception {
        Path page = writeReport();

        String dom = Chromium.run(dir, page, "--dump-dom");

        assertThat(dom).contains("id=\"report-data\"");
        Matcher errors = Pattern.compile("<pre id=\"script-errors\"[^>]*>(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertThat(errors.find()).isTrue();
        assertThat(errors.group(1)).as("errors the page's script reported").isEmpty();
        Matcher count = Pattern.compile("<b id=\"attempt-count\">([^<]*)</b>").matcher(dom);
        assertThat(count.find()).isTrue();
        assertThat(count.group(1)).as("filled by the script from the embedded JSON").isEqualTo("12");
        Matcher filter = Pattern.compile("<select id=\"verdict-filter\">.*?</select>", Pattern.DOTALL).matcher(dom);
        assertThat(filter.find()).isTrue();
        assertThat(count(filter.group(), "<option ")).as("verdict filter built by the script").isEqualTo(1 + 7);

        Matcher timeline = Pattern.compile("<svg id=\"timeline\".*?</svg>", Pattern.DOTALL).matcher(dom);
        assertThat(timeline.find()).isTrue();
        assertThat(count(timeline.group(), "<rect class=\"bar\"")).isEqualTo(12);
        // the progress files report 4 metrics: a block of panels each, all but the chosen one hidden by the script
        assertThat(count(dom, "class=\"chart curve-panel\"")).isEqualTo(2 * 4);
        assertThat(count(dom, "<polyline")).as("completed and running attempts with progress").isEqualTo(7 * 4);
        assertThat(count(dom, "class=\"curve-metric\" data-metric=\"")).isEqualTo(4);
        assertThat(count(dom, "class=\"curve-metric\" data-metric=\"val_accuracy\"><h3>")).as("shown").isEqualTo(1);
        assertThat(count(dom, " hidden=\"\"><h3>")).as("the other metrics' curves, hidden").isEqualTo(3);
        assertThat(dom).doesNotContain("<img id=\"pwned\"").contains("&lt;img id=\"pwned\"");
        // the script put every time into the reader's zone, keeping the writer's local time as the tooltip
        Matcher time = Pattern.compile("<time class=\"local\" datetime=\"([^\"]+)\" title=\"([^\"]+)\">([^<]+)</time>")
                .matcher(dom);
        assertThat(time.find()).as("a converted <time> in " + dom).isTrue();
        assertThat(time.group(1)).isEqualTo("2025-03-01T20:00:00Z");
        assertThat(time.group(3)).doesNotContain("T20:00").contains("2025");
        assertThat(count(timeline.group(), "<g class=\"quarantined\"")).as("gpu1's two rows").isEqualTo(2);
    }

    @Test
    void screenshotShowsTheCharts() throws Exception {
        Path page = writeReport();
        Path png = dir.resolve("report.png");

        Chromium.run(dir, page, "--screenshot=" + png, "--window-size=1400,2400", "--hide-scrollbars");

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1400);
        assertThat(image.getHeight()).isEqualTo(2400);
        // bars really painted: the completed, failed and running colours are on screen
        assertThat(containsColour(image, 0x2ca02c)).as("green completed bars").isTrue();
        assertThat(containsColour(image, 0xd62728)).as("red failed bar").isTrue();
        assertThat(containsColour(image, 0x1f77b4)).as("blue running bar").isTrue();

        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.copy(png, target.resolve("report-screenshot.png"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(page, target.resolve("report-sample.html"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Twelve attempts on four slots, two models, one still running; every verdict colour but two, and a reason
     * that tries to inject markup.
     */
    private Path writeReport() throws Exception {
        RunFixture run = new RunFixture(dir.resolve("run-2025-03-01"), 5, 5, List.of("cnn", "mlp"),
                List.of("gpu0/0", "gpu0/1", "gpu1/0", "gpu1/1"));
        curve(run.completed("cnn", 0, "gpu0/0", 0, 610, 0.912, 0.251), 0.62, 15);
        run.add("cnn", 1, 1, "gpu0/1", 0, 95, "failed", "exit 1", null);
        curve(run.add("cnn", 1, 2, "gpu0/1", 100, 700, "completed", null,
                Map.of("val_accuracy", 0.918, "val_loss", 0.243)), 0.60, 15);
        curve(run.completed("cnn", 2, "gpu1/0", 0, 590, 0.905, 0.262), 0.65, 15);
        run.add("cnn", 3, 1, "gpu1/1", 0, 300, "memory", "resident memory 9.1 GiB over the 8 GiB limit", null);
        curve(run.running("cnn", 3, 2, "gpu1/1", 310), 0.63, 9);
        curve(run.completed("mlp", 0, "gpu0/0", 615, 960, 0.884, 0.331), 0.75, 25);
        run.add("mlp", 1, 1, "gpu1/0", 595, 1495, "timeout", "timeout after 15m", null);
        curve(run.add("mlp", 1, 2, "gpu0/1", 705, 1080, "completed", null,
                Map.of("val_accuracy", 0.879, "val_loss", 0.342)), 0.76, 25);
        run.add("mlp", 2, 1, "gpu0/0", 965, 1265, "stall", "no progress for 5m", null);
        curve(run.add("mlp", 2, 2, "gpu0/0", 1270, 1600, "completed", null,
                Map.of("val_accuracy", 0.889, "val_loss", 0.327)), 0.74, 25);
        run.add("mlp", 3, 1, "gpu0/1", 1085, 1087, "bad-task", HOSTILE, null);
        assertThat(run.attempts).hasSize(12);
        run.quarantined = Map.of("1", "4 failures while the same work completed on other GPUs");
        run.goals = MetricGoals.of(List.of(io.isofold.supervisor.spec.MetricGoal.parse("val_accuracy:max")));
        RunReport.writeAll(run.view(), RunFixture.at(1620));
        return run.outDir.resolve("report.html");
    }

    /** A plausible loss curve: fast drop, then a plateau with a little wobble. */
    private static void curve(AttemptView a, double start, int epochs) {
        double[] losses = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            losses[e] = 0.22 + (start - 0.22) * Math.exp(-0.35 * e) + 0.006 * Math.sin(e * 1.7 + a.replicate());
        }
        RunFixture.writeProgress(a, losses);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    private static boolean containsColour(BufferedImage image, int rgb) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }
}
