package io.isofold.supervisor.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One pass over {@code /proc}: every live process with its parent, group, session, start time and
 * resident size. A snapshot: processes fork and exit while it is read, which callers allow for by
 * scanning again.
 */
public final class ProcessTable {
    private static final Path PROC = Path.of("/proc");
    /** The kernel's page size: 4 KiB on most machines, 64 KiB on some ARM GPU hosts. */
    static final long PAGE_SIZE = pageSize();
    private static final String BOOT_ID = readBootId();

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
        for (long pid : pids()) {
            read(pid).filter(Entry::alive).ifPresent(e -> entries.put(e.pid(), e));
        }
        return new ProcessTable(entries);
    }

    /** The pid of every process in /proc, zombies included, without reading anything of theirs. */
    public static List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    pids.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        return pids;
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

    /**
     * What a process really uses: its proportional set size (each shared page divided among the
     * processes that map it), so a forked data loader's copy-on-write pages count once for the tree,
     * not once per process. Falls back to the resident size where smaps_rollup cannot be read
     * (kernels before 4.14, another user's process).
     */
    public static long proportionalBytes(Entry e) {
        Path rollup = PROC.resolve(Long.toString(e.pid())).resolve("smaps_rollup");
        try (var lines = Files.lines(rollup, StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.startsWith("Pss:")).findFirst()
                    .map(l -> Long.parseLong(l.substring(4).replace("kB", "").trim()) * 1024)
                    .orElse(e.rssBytes());
        } catch (IOException | RuntimeException unreadable) {
            return e.rssBytes();
        }
    }

    /** This boot's id: start ticks count from boot, so a pid with its start ticks names a process only within one boot. */
    public static String bootId() {
        return BOOT_ID;
    }

    /**
     * This process's PID namespace ({@code pid:[4026531836]}), or null where it cannot be read: a pid
     * means a process only within its namespace, and each container has its own.
     */
    public static String pidNamespace() {
        try {
            return Files.readSymbolicLink(PROC.resolve("self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private static String readBootId() {
        try {
            return Files.readString(PROC.resolve("sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** From the kernel's own account of this process's first mapping; 4 KiB if it cannot be read. */
    private static long pageSize() {
        try (var lines = Files.lines(PROC.resolve("self/smaps"), StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.startsWith("KernelPageSize:")).findFirst()
                    .map(l -> Long.parseLong(l.substring("KernelPageSize:".length()).replace("kB", "").trim()) * 1024)
                    .orElse(4096L);
        } catch (IOException | RuntimeException e) {
            return 4096;
        }
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
