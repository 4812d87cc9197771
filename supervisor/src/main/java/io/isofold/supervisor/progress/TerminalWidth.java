package io.isofold.supervisor.progress;

import io.isofold.supervisor.exec.ExternalCommand;
import java.time.Duration;
import java.util.List;

/** The terminal's width in columns, asked once; 80 when it cannot be told. */
final class TerminalWidth {
    static final int DEFAULT = 80;

    private TerminalWidth() {}

    static int columns() {
        try {
            String env = System.getenv("COLUMNS");
            if (env != null) {
                return Math.max(20, Integer.parseInt(env.trim()));
            }
            ExternalCommand.Result r = ExternalCommand.run(List.of("sh", "-c", "stty size < /dev/tty"),
                    Duration.ofSeconds(2));
            String[] rowsCols = r.stdout().trim().split("\\s+");
            return r.ok() && rowsCols.length == 2 ? Math.max(20, Integer.parseInt(rowsCols[1])) : DEFAULT;
        } catch (ExternalCommand.Failed | NumberFormatException e) {
            return DEFAULT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DEFAULT;
        }
    }
}
