package io.isofold.worker;

import java.nio.file.Files;
import java.nio.file.Path;

/** A stand-in worker for the parent-watch tests: watches, writes its PID to args[0], then idles. */
public final class ParentWatchProbe {
    public static void main(String[] args) throws Exception {
        ParentWatch.start(System.getenv());
        Path pidFile = Path.of(args[0]);
        Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
        Files.move(tmp, pidFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(60_000);
        System.exit(0);
    }
}
