package io.isofold.supervisor.cli;

import io.isofold.supervisor.journal.RunLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code status} and {@code report} need to know of a run directory besides its files' contents. */
final class RunDirectory {
    private RunDirectory() {}

    /**
     * The supervisor running on {@code dir}, as the lock file names it, if it is alive on this host.
     * Read-only: taking the lock to test it would make a supervisor starting at that moment refuse.
     */
    static Long liveSupervisorPid(Path dir) {
        try {
            String holder = Files.readString(dir.resolve(RunLock.FILE)).strip();
            // "pid 1234 on host since 2026-..."
            String[] words = holder.split(" ");
            if (words.length < 4 || !words[0].equals("pid") || !words[3].equals(RunLock.hostName())) {
                return null;
            }
            long pid = Long.parseLong(words[1]);
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().map(c -> c.contains("isofold")).orElse(true))
                    .map(p -> pid).orElse(null);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }
}
