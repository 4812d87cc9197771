package io.isofold.supervisor.slurm;

import io.isofold.supervisor.exec.ExternalCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real one-node Slurm of scripts/slurm-cluster.sh, started once for all test classes that use
 * this extension and stopped after the last, unless it was already running (then it is someone's,
 * and left alone). Where the machine cannot host it (not root, no apt-get) the tests are skipped,
 * with the script's reason; a cluster that should start and does not fails them.
 */
public final class SlurmTestCluster implements BeforeAllCallback {
    static final Path SCRIPT = Path.of(System.getProperty("isofold.home", "..")).resolve("scripts/slurm-cluster.sh");
    static final Path STATE = Path.of(System.getenv().getOrDefault("ISOFOLD_SLURM_DIR", "/tmp/isofold-slurm"));
    /** What Slurm clients need to find this cluster. */
    public static final Map<String, String> CLIENT_ENV = Map.of("SLURM_CONF", STATE.resolve("slurm.conf").toString());
    private static final int CANNOT_HOST = 3;

    /** Started once per test JVM; closed by JUnit when the root context closes, after every class has run. */
    private record Cluster(boolean startedHere, String skipReason)
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        static Cluster start() {
            try {
                if (script("status", Duration.ofSeconds(20)).ok()) {
                    return new Cluster(false, null);
                }
                // a first start may install the packages: a few seconds, longer on a slow mirror
                ExternalCommand.Result r = script("start", Duration.ofMinutes(5));
                if (r.exitCode() == CANNOT_HOST) {
                    return new Cluster(false, "no Slurm here, Slurm tests skipped: " + r.firstLine());
                }
                if (!r.ok()) {
                    throw new AssertionError("scripts/slurm-cluster.sh start failed (" + r.exitCode() + "):\n"
                            + r.stderr());
                }
                return new Cluster(true, null);
            } catch (ExternalCommand.Failed e) {
                throw new AssertionError(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while starting Slurm");
            }
        }

        @Override
        public void close() throws Exception {
            if (startedHere) {
                script("stop", Duration.ofMinutes(1));
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Cluster cluster = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Cluster.class, k -> Cluster.start(), Cluster.class);
        Assumptions.assumeTrue(cluster.skipReason() == null, cluster.skipReason());
    }

    public static SlurmClient client() {
        return new SlurmClient(CLIENT_ENV, SlurmClient.DEFAULT_COMMAND_TIMEOUT);
    }

    static ExternalCommand.Result script(String command, Duration timeout)
            throws ExternalCommand.Failed, InterruptedException {
        return ExternalCommand.run(List.of(SCRIPT.toString(), command), timeout);
    }
}
