package io.isofold.supervisor.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where isofold is installed: the repository root that holds the worker jar and the bundled data.
 * scripts/run.sh passes it as {@code -Disofold.home}; otherwise it is found from the supervisor jar
 * ({@code <home>/supervisor/target/isofold-supervisor.jar}).
 */
final class Installation {
    private Installation() {}

    static Path home() {
        String property = System.getProperty("isofold.home");
        if (property != null) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        try {
            Path code = Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // .../supervisor/target/isofold-supervisor.jar or .../supervisor/target/classes
            Path home = code.getParent().getParent().getParent();
            if (home != null && Files.isDirectory(home.resolve("worker"))) {
                return home;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    static Path workerJar() {
        String property = System.getProperty("isofold.worker.jar");
        return property != null ? Path.of(property).toAbsolutePath() : home().resolve("worker/target/isofold-worker.jar");
    }

    /**
     * How a user starts isofold, for the commands messages suggest: {@code scripts/run.sh} from the
     * installation's root, the full path from anywhere else.
     */
    static String launcher() {
        Path runSh = home().resolve("scripts/run.sh");
        Path cwd = Path.of("").toAbsolutePath();
        return runSh.startsWith(cwd) ? cwd.relativize(runSh).toString() : runSh.toString();
    }

    static Path defaultData() {
        return home().resolve("worker/data/fashion-mnist-10k");
    }
}
