package io.isofold.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.isofold.shared.Json;
import io.isofold.worker.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The benchmark's two sides in fresh JVMs with real TensorFlow, and its report on their real output. */
@Tag("e2e")
class SeedCurveTest {
    @TempDir
    Path tmp;

    private Path runChild(Map<String, String> env, String... args) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("child-" + args[0].substring(2)));
        Process p = ChildJvm.start(dir, env, SeedCurve.class, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("stderr.log"))).isZero();
        return dir;
    }

    @Test
    void theLoopGrowsOneGraphAndOneModelPerProcessWritesItsResultThenTheReportDrawsBoth() throws Exception {
        Path loopDir = runChild(Map.of("CUDA_VISIBLE_DEVICES", ""), "--loop", "3");
        List<String> loop = Files.readAllLines(loopDir.resolve("stdout.log"));
        assertThat(loop).hasSize(4).first().isEqualTo("model,seconds,cpu_seconds,graph_ops");
        int[] ops = loop.stream().skip(1).mapToInt(l -> Integer.parseInt(l.split(",")[3])).toArray();
        // every model adds the same nodes to the one graph, and nothing takes them away
        assertThat(ops[1] - ops[0]).isEqualTo(ops[0]).isEqualTo(ops[2] - ops[1]);

        Path result = tmp.resolve("result.json");
        runChild(Map.of("CUDA_VISIBLE_DEVICES", "", "ISOFOLD_SEED", "7", "ISOFOLD_RESULT", result.toString()), "--one");
        JsonNode metrics = Json.MAPPER.readTree(result.toFile()).path("metrics");
        assertThat(metrics.path("seconds").asDouble()).isPositive()
                .isLessThan(metrics.path("process_seconds").asDouble());
        assertThat(metrics.path("loss").isNumber()).isTrue();
        assertThat(metrics.path("cpu_seconds").asDouble()).isPositive()
                .isLessThan(metrics.path("process_cpu_seconds").asDouble());

        // results.csv as the supervisor writes it, with this run's figures in two rows
        Path results = tmp.resolve("results.csv");
        double s = metrics.path("seconds").asDouble();
        double p = metrics.path("process_seconds").asDouble();
        Files.writeString(results, "replicate,model,fold,attempt,gpu,duration_s,seconds,process_seconds,loss\n"
                + "1,default,1,1,cpu," + (p + 0.2) + "," + s + "," + p + ",1.0\n"
                + "0,default,0,1,cpu," + (p + 0.1) + "," + s + "," + p + ",1.0\n");
        assertThat(SeedCurveReport.column(results, "replicate", "duration_s")).containsExactly(p + 0.1, p + 0.2);

        List<SeedCurveReport.Series> series = List.of(
                new SeedCurveReport.Series("loop", SeedCurveReport.column(loopDir.resolve("stdout.log"), "model", "seconds")),
                new SeedCurveReport.Series("isofold <attempt>", SeedCurveReport.column(results, "replicate", "duration_s")));
        String table = SeedCurveReport.table(series);
        assertThat(table).contains("loop").contains("isofold <attempt>").contains("3/1");
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(SeedCurveReport.svg(series).getBytes()));
        assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg.getElementsByTagName("polyline").getLength()).isEqualTo(2);
    }

    @Test
    void tickStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(SeedCurveReport.niceStep(0.13)).isEqualTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(SeedCurveReport.niceStep(0.3)).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(SeedCurveReport.niceStep(7)).isEqualTo(10, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void theMedianAroundAMarkIgnoresOneSlowModel() {
        var s = new SeedCurveReport.Series("s", new double[] {1, 1, 9, 1, 1, 2, 2, 2});
        assertThat(s.at(3)).isEqualTo(9);
        assertThat(s.around(3)).isEqualTo(1);
        assertThat(s.around(1)).isEqualTo(1);
        assertThat(s.at(100)).isNaN();
        assertThat(s.around(100)).isNaN();
        // the last five: 1, 1, 2, 2, 2
        assertThat(s.around(8)).isEqualTo(2);
    }

    @Test
    void shortRunsAreMarkedUpToTheirLastModel() {
        var s = new SeedCurveReport.Series("s", new double[20]);
        assertThat(SeedCurveReport.marks(List.of(s))).containsExactly(1, 10, 20);
        assertThat(SeedCurveReport.marks(List.of(new SeedCurveReport.Series("s", new double[100]))))
                .containsExactly(1, 10, 50, 100);
        assertThat(SeedCurveReport.table(List.of(s))).contains("20/1");
    }
}
