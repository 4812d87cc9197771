package io.isofold.supervisor.watch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One pass over {@code /proc}: every live process with its parent, group, session, start time and
 * resident size. A snapshot: processes fork and exit while it is read, which callers allow for by
 * scanning again.
 */
public final class ProcessTable {
    private static final Path PROC = Path.of("/proc");
    private static final long PAGE_SIZE = 4096;

    /** @param startTicks start time in clock ticks since boot: with the pid, it names a process for good */
    public record Entry(long pid, long ppid, long pgid, long sid, long startTicks, long rssBytes, char state) {
        /** A zombie has exited already: no signal reaches it, only its parent's wait removes it. */
        public boolean alive() {
            return state != 'Z' && state != 'X';
        }
    }

    private final Map<Long, Entry> byPid;

    private ProcessTable(Map<Long, Entry> byPid) {
        this.byPid = byPid;
    }

    /** Scans every live process; zombies are left out. */
    public static ProcessTable scan() {
        Map<Long, Entry> entries = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    read(Long.parseLong(name)).filter(Entry::alive).ifPresent(e -> entries.put(e.pid(), e));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        return new ProcessTable(entries);
    }

    /** Reads one process, zombies included; empty when it is gone. */
    public static Optional<Entry> read(long pid) {
        String stat;
        try {
            stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException | SecurityException gone) {
            return Optional.empty();
        }
        // the command name is in parentheses and may itself hold spaces and parentheses
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] f = stat.substring(close + 2).split(" ");
        // f[0] is field 3 (state) of proc(5)
        char state = f[0].charAt(0);
        return Optional.of(new Entry(pid, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[19]), Long.parseLong(f[21]) * PAGE_SIZE, state));
    }

    public Map<Long, Entry> entries() {
        return byPid;
    }

    public Optional<Entry> get(long pid) {
        return Optional.ofNullable(byPid.get(pid));
    }

    /** The value of {@code name} in a process's environment, or empty when unreadable or unset. */
    public static Optional<String> environmentValue(long pid, String name) {
        byte[] environ;
        try {
            environ = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        String prefix = name + "=";
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i - start > prefix.length()) {
                    String entry = new String(environ, start, i - start, StandardCharsets.UTF_8);
                    if (entry.startsWith(prefix)) {
                        return Optional.of(entry.substring(prefix.length()));
                    }
                }
                start = i + 1;
            }
        }
        return Optional.empty();
    }
}
